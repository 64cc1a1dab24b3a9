"""Reading an XLSForm workbook: its sheets, header rows (columns and their languages) and rows.

    load_workbook(source) -> {sheet name (lowercase): Sheet}   raises Refused for a non-.xlsx
    parse_header('label::Kyrgyz (ky)') -> Header(base='label', spec='Kyrgyz (ky)')
    language_code('Kyrgyz (ky)' | 'ky' | 'Русский' | ...) -> 'ky' | 'ru' | 'en' | None

openpyxl (read_only, data_only) reads the cells. Like pyxform, a sheet ends after a run of
EMPTY_ROWS empty rows, and MORE_COLUMNS columns past the last header are read so that a value
under no header can be refused (it is kept in the row's cell -1).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Optional
from zipfile import BadZipFile

from surveys.texts import LANGS
from surveys.xlsform.errors import N_, Refused

# --- languages ---------------------------------------------------------------------------
LANGUAGE_COLUMNS = {"ky": "Kyrgyz (ky)", "ru": "Russian (ru)", "en": "English (en)"}
_LANGUAGE_NAMES = {
    "ky": "ky", "kir": "ky", "kyrgyz": "ky", "kirghiz": "ky", "kirgiz": "ky", "кыргызча": "ky",
    "кыргыз тили": "ky", "кыргызский": "ky", "киргизский": "ky",
    "ru": "ru", "rus": "ru", "russian": "ru", "русский": "ru", "орусча": "ru", "русский язык": "ru",
    "орус тили": "ru",
    "en": "en", "eng": "en", "english": "en", "английский": "en", "англисче": "en", "англис тили": "en",
}
_CODE_IN_PARENS = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*$")


def language_code(spec: Optional[str]) -> Optional[str]:
    """'Kyrgyz (ky)' / 'ky' / 'Russian' / 'Русский' -> 'ky' / 'ru' / 'en'; None for any other."""
    if not spec:
        return None
    spec = " ".join(str(spec).split()).lower()
    match = _CODE_IN_PARENS.match(spec)
    if match:
        code = _LANGUAGE_NAMES.get(match.group("code").strip())
        return code if code in LANGS else _LANGUAGE_NAMES.get(match.group("name").strip())
    return _LANGUAGE_NAMES.get(spec)


# --- headers -----------------------------------------------------------------------------
_ALIASES = {
    "list name": "list_name", "list_name": "list_name", "relevance": "relevant",
    "calculate": "calculation", "readonly": "read_only", "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message", "jr:constraintmsg": "constraint_message",
    "constraining_message": "constraint_message", "count": "repeat_count", "jr:count": "repeat_count",
    "caption": "label", "value": "name", "id_string": "form_id", "set_form_id": "form_id",
    "set_form_title": "form_title", "big-image": "media",
    "image": "media", "audio": "media", "video": "media",
}
_PREFIXES = ("bind", "control", "body", "instance")


@dataclass
class Header:
    raw: str                      # as written (whitespace collapsed), for messages
    base: str                     # canonical column: 'label', 'relevant', 'sapat::left', ...
    spec: Optional[str] = None    # the language part as written ('English (en)'), if any


def parse_header(raw: str) -> Header:
    h = " ".join(str(raw).split())
    low = h.lower()
    if low in _ALIASES:
        return Header(h, _ALIASES[low])
    if low.startswith("sapat::"):
        name, _sep, spec = h[7:].partition("::")
        return Header(h, "sapat::" + name.strip().lower(), spec.strip() or None)
    if low.startswith("sapat_"):  # the choices sheet's spelling: sapat_score, sapat_descriptor_ky
        match = re.fullmatch(r"sapat_(descriptor|left|right|title|description)_(ky|ru|en)", low)
        if match:
            return Header(h, "sapat::" + match.group(1), match.group(2))
        return Header(h, "sapat::" + low[6:])
    if low.startswith("media::"):
        return Header(h, "media")
    for sep in ("::", ":"):
        if sep in h:
            base, _sep, spec = h.partition(sep)
            base_l = base.strip().lower()
            if base_l in _PREFIXES:  # bind:relevant, bind::constraint, control:appearance
                inner = spec.strip().lower()
                return Header(h, _ALIASES.get(inner, inner))
            return Header(h, _ALIASES.get(base_l, base_l), spec.strip() or None)
    return Header(h, low)


def is_kobo(header: Header) -> bool:
    """KoboToolbox's bookkeeping columns ($kuid, kobo--...), which are ignored."""
    return header.raw.startswith("$") or header.raw.lower().startswith("kobo--")


# --- rows and sheets ---------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell as text; numbers as written (2.0 -> '2'), True -> 'true'; '' for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class Row:
    number: int
    cells: dict[int, str]  # column index -> text

    def blank(self) -> bool:
        return not any(v.strip() for v in self.cells.values())


@dataclass
class Sheet:
    title: str
    headers: list[Header]
    rows: list[Row]

    def columns(self, base: str) -> list[int]:
        return [i for i, h in enumerate(self.headers) if h.base == base]

    def get(self, row: Row, base: str) -> str:
        """The stripped value of the (first) column `base`; '' when absent."""
        for i in self.columns(base):
            value = row.cells.get(i, "").strip()
            if value:
                return value
        return ""


def load_workbook(source) -> dict[str, Sheet]:
    """Every sheet of the .xlsx `source` (path, bytes or binary stream) by lowercase name."""
    # openpyxl takes most of a second to import: only an upload or an import needs it.
    from openpyxl import load_workbook as open_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(source)
        workbook = open_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        raise Refused(N_("not an .xlsx workbook: %(error)s", error=str(error))) from None
    sheets: dict[str, Sheet] = {}
    try:
        for ws in workbook.worksheets:
            sheets[ws.title.strip().lower()] = _read_sheet(ws)
    finally:
        workbook.close()
    return sheets


MORE_COLUMNS = 20   # columns read past the last header, to find values under no header
EMPTY_ROWS = 100    # a run of empty rows this long ends a sheet (pyxform stops after 60)


def _read_sheet(ws) -> Sheet:
    """One sheet: its header row and its rows (Excel numbers). Sheets formatted down to row
    1,048,576 are common, so reading stops after EMPTY_ROWS empty rows in a row."""
    first = next(ws.iter_rows(values_only=True, max_row=1), None)
    if not first:
        return Sheet(ws.title, [], [])
    width = max((i + 1 for i, v in enumerate(first) if v not in (None, "")), default=0)
    headers = [parse_header(v) if v not in (None, "") else Header("", "") for v in first[:width]]
    rows: list[Row] = []
    empty = 0
    for number, values in enumerate(ws.iter_rows(min_row=2, max_col=width + MORE_COLUMNS, values_only=True),
                                    start=2):
        cells: dict[int, str] = {}
        for i, value in enumerate(values):
            if value is None or value == "":
                continue
            if i < width and headers[i].raw:
                cells[i] = cell_text(value)
            else:
                cells.setdefault(-1, cell_text(value))  # a value under no header
        row = Row(number, cells)
        if row.blank():
            empty += 1
            if empty >= EMPTY_ROWS:
                break
            continue
        empty = 0
        rows.append(row)
    return Sheet(ws.title, headers, rows)
