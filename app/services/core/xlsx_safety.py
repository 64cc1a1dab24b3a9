"""Opening an uploaded .xlsx without letting it take the worker down.

Any role that may upload (teacher: marks, expert: scores, deputy: roster) sends a zip of XML
that a few kilobytes can inflate to gigabytes. Three layers stand between the upload and the
importers, each with a message instead of a 500:

1. `check_package`: the zip's central directory is read before anything is decompressed:
   only the stored and deflate methods (bzip2/LZMA/zstd members are refused), at most
   XLSX_MAX_MEMBERS members, each declared ≤ XLSX_MAX_MEMBER_BYTES, all together
   ≤ XLSX_MAX_UNCOMPRESSED_BYTES, and members above 1 MB at a ratio ≤ XLSX_MAX_RATIO.
   The declared size is a sound bound: CPython's zipfile stops a member at its declared
   size and then fails its CRC check (caught below). Calibration: a 100,000-row marks file
   is 3.2 MB, 28-39 MB unpacked, deflate only, ratio ≤ 12; bombs run at 1,024 (deflate) and
   169,468 (bzip2).
2. `_parse`: the sheet's rows come from openpyxl's own parser, but cells right of `max_col`
   are skipped before they are parsed and rows are never padded to the declared
   <dimension> (a 1.6 KB file declaring A1:XFD1048576 cost openpyxl minutes of CPU; rows
   with one cell in column XFD made a 16,384-slot tuple each). Error values (#N/A, #DIV/0!),
   formulas without a saved value and texts over Excel's 32,767 characters come back as
   `BadCell`s, which the importers refuse with the cell's address. Every parser failure
   (XML errors, external entities, which expat never resolves, entity expansion, which
   expat ≥ 2.4 stops, bad numbers, bad shared-string indexes, CRC errors) is one "could not
   be read" refusal.
3. `read_sheet` runs `_parse` in a forked child (core/isolation.py) with RLIMIT_AS
   (XLSX_PARSE_MEMORY_MB above the child's start), RLIMIT_CPU (XLSX_PARSE_CPU_SECONDS) and a
   wall clock (XLSX_PARSE_WALL_SECONDS, then SIGKILL); the rows come back through a pipe.
   Whatever passes the first two layers and still grows too big ends as a "limits" refusal,
   and the worker's own memory never sees it. XLSX_PARSE_ISOLATION = False parses in-process.
"""
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Optional

from flask_babel import gettext as _

from app.services.core import dates
from app.services.core.isolation import LimitExceeded, run_limited

DEFAULTS = {
    "XLSX_MAX_FILE_BYTES": 20 * 1024 * 1024,
    "XLSX_MAX_MEMBERS": 1000,
    "XLSX_MAX_MEMBER_BYTES": 100 * 1024 * 1024,
    "XLSX_MAX_UNCOMPRESSED_BYTES": 200 * 1024 * 1024,
    "XLSX_MAX_RATIO": 100,
    "XLSX_PARSE_ISOLATION": True,
    "XLSX_PARSE_MEMORY_MB": 768,
    "XLSX_PARSE_CPU_SECONDS": 20,
    "XLSX_PARSE_WALL_SECONDS": 25,
}
RATIO_FLOOR = 1024 * 1024  # members below 1 MB may compress as well as they like
EXCEL_MAX_TEXT = 32_767
ALLOWED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def setting(name: str) -> Any:
    """A limit from the app's configuration, or its default outside an app."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get(name, DEFAULTS[name])
    return DEFAULTS[name]


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read; the message is translated."""


class UploadRefused(SpreadsheetError):
    """A file refused for safety or because it cannot be read. `kind` is one of not_xlsx,
    old_format, too_big, package, unreadable, too_many_rows, limits."""

    def __init__(self, kind: str, **params):
        self.kind, self.params = kind, params
        super().__init__(refusal_message(kind, **params))

    def __reduce__(self):  # from the parsing child: the message is translated again where it is read
        return _refusal, (self.kind, self.params)


def _refusal(kind: str, params: dict) -> "UploadRefused":
    return UploadRefused(kind, **params)


def refusal_message(kind: str, **params) -> str:
    def count(n: int) -> str:
        return f"{n:,}".replace(",", " ")

    if kind == "old_format":
        return _("The file is password-protected or in the old .xls format. Save it as an unprotected .xlsx workbook.")
    if kind == "not_xlsx":
        return _("This is not an .xlsx workbook. Save the file as .xlsx (Excel) and try again.")
    if kind == "too_big":
        return _("The file is larger than %(mb)d MB. Split it into several files and import them one by one.",
                 mb=params.get("mb", 0))
    if kind == "package":
        return _("The workbook is packed in an unusual way (%(reason)s) and was refused for safety. Open it in "
                 "Excel or LibreOffice, save it again as .xlsx and upload that file.", reason=params.get("reason", ""))
    if kind == "too_many_rows":
        return _("The file has more than %(n)s rows. Split it into several files (for example, one per term) "
                 "and import them one by one.", n=count(params.get("n", 0)))
    if kind == "limits":
        return _("Reading the workbook needed too much memory or time and was stopped. Save it again as .xlsx "
                 "without extra sheets, formatting or empty rows, or split it into smaller files.")
    return _("The workbook could not be read. Save it again as .xlsx and retry.")


@dataclass(frozen=True)
class BadCell:
    """A cell whose content must not be taken as data: `kind` is "error" (an Excel error
    value such as #N/A, in `text`), "formula" (a formula without a saved value), "date" (a
    date cell whose number is no date: after 31.12.9999) or "too_long" (more than 32,767
    characters)."""

    ref: str
    kind: str
    text: str = ""

    def message(self) -> str:
        if self.kind == "error":
            return _("cell %(ref)s holds the Excel error %(value)s: correct the formula or type the value",
                     ref=self.ref, value=self.text)
        if self.kind == "date":
            return _("cell %(ref)s holds a date outside %(min)s-%(max)s: check the year", ref=self.ref,
                     min=dates.shown(dates.DATE_MIN), max=dates.shown(dates.DATE_MAX))
        if self.kind == "formula":
            return _("cell %(ref)s has a formula without a saved value: open the file in Excel or LibreOffice, "
                     "let it calculate, save it and upload it again", ref=self.ref)
        return _("cell %(ref)s holds more than 32,767 characters", ref=self.ref)

    def __str__(self) -> str:  # never shown as a value
        return ""


# --- 1. the package ---------------------------------------------------------------------

def check_package(data: bytes) -> None:
    """Refuse what is not an .xlsx, or is packed so that it could inflate without bound.
    Reads only the zip's central directory. Raises UploadRefused."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRefused("old_format")
    if not data.startswith(b"PK"):
        raise UploadRefused("not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadRefused("unreadable") from None
    if len(members) > setting("XLSX_MAX_MEMBERS"):
        raise UploadRefused("package", reason=_("%(n)d parts", n=len(members)))
    if len({m.filename for m in members}) != len(members):
        raise UploadRefused("package", reason=_("parts with the same name"))
    total, member_cap, ratio_cap = 0, setting("XLSX_MAX_MEMBER_BYTES"), setting("XLSX_MAX_RATIO")
    for member in members:
        if member.compress_type not in ALLOWED_METHODS:
            raise UploadRefused("package", reason=_("compression method %(n)d", n=member.compress_type))
        if member.file_size > member_cap:
            raise UploadRefused("package", reason=_("a part of %(mb)d MB", mb=member.file_size // 2**20))
        if member.file_size > RATIO_FLOOR and member.file_size > ratio_cap * max(member.compress_size, 1):
            raise UploadRefused("package", reason=_("compressed %(ratio)d times",
                                                    ratio=member.file_size // max(member.compress_size, 1)))
        total += member.file_size
    if total > setting("XLSX_MAX_UNCOMPRESSED_BYTES"):
        raise UploadRefused("package", reason=_("%(mb)d MB unpacked", mb=total // 2**20))


def read_upload(stream) -> bytes:
    """The bytes of an uploaded or named file, refusing one above XLSX_MAX_FILE_BYTES
    (the web's MAX_CONTENT_LENGTH already stops larger requests)."""
    limit = setting("XLSX_MAX_FILE_BYTES")
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused("too_big", mb=limit // 2**20)
    return data


# --- 2. the bounded parser --------------------------------------------------------------

_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _parser_class():
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, VALUE_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    text_tag, run_tag = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"

    class BoundedParser(WorkSheetParser):
        """openpyxl's sheet parser that skips cells right of `max_col` unparsed, keeps no
        per-row dimensions, reads inline strings without building rich-text objects, and
        marks error values and formulas without a saved value."""

        max_col = 0

        def parse_row(self, row):
            number = row.get("r")
            self.row_counter = int(float(number)) if number else self.row_counter + 1
            self.col_counter = 0
            cells = []
            for element in row:
                ref = element.get("r")
                match = _REF.match(ref) if ref else None
                column = _column_index(match.group(1)) if match else self.col_counter + 1
                if column > self.max_col:
                    self.col_counter = column
                    continue
                cells.append(self.parse_cell(element))
            return self.row_counter, cells

        def parse_cell(self, element):
            if element.get("t") == "inlineStr":
                cell = self._inline(element)
            else:
                cell = super().parse_cell(element)
            value = cell["value"]
            if cell["data_type"] == "e" and element.get("t", "n") == "n":  # openpyxl: a date serial out of its range
                cell["value"] = BadCell(self._ref(cell), "date")
            elif cell["data_type"] == "e":
                cell["value"] = BadCell(self._ref(cell), "error", str(value or "")[:20])
            elif value is None and element.find(FORMULA_TAG) is not None and self._unsaved(element):
                cell["value"] = BadCell(self._ref(cell), "formula")
            elif value.__class__ is str and len(value) > EXCEL_MAX_TEXT:
                cell["value"] = BadCell(self._ref(cell), "too_long")
            return cell

        def _inline(self, element):
            """<c t="inlineStr"><is><t>text</t> or <r><t>runs</t></r> (phonetic <rPh> ignored)."""
            ref = element.get("r")
            if ref:
                match = _REF.match(ref)
                if match is None:
                    raise ValueError(f"bad cell reference {ref[:20]!r}")
                row, column = int(match.group(2)), _column_index(match.group(1))
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            parts = []
            holder = element.find(INLINE_STRING)
            if holder is not None:
                for child in holder:
                    if child.tag == text_tag:
                        parts.append(child.text or "")
                    elif child.tag == run_tag:
                        parts.extend(t.text or "" for t in child.iter(text_tag))
            return {"row": row, "column": column, "value": "".join(parts) if holder is not None else None,
                    "data_type": "s", "style_id": 0}

        @staticmethod
        def _unsaved(element) -> bool:
            """A formula without a saved result: no <v>, or an empty one (openpyxl writes <v/>)
            unless the formula's result is text (t="str"), which may be empty."""
            saved = element.find(VALUE_TAG)
            return saved is None or (not saved.text and element.get("t") != "str")

        @staticmethod
        def _ref(cell) -> str:
            return f"{get_column_letter(cell['column'])}{cell['row']}"

    return BoundedParser


def _open_workbook(data: bytes):
    """openpyxl's read-only workbook of `data`, without the pass over every sheet that
    load_workbook makes to find its size (a sheet without <dimension> was parsed twice)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.workbook.defined_name import DefinedNameDict
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Reader(ExcelReader):
        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                ws = ReadOnlyWorksheet.__new__(ReadOnlyWorksheet)
                ws.parent, ws.title, ws.sheet_state = self.wb, sheet.name, sheet.state
                ws._worksheet_path, ws._shared_strings = rel.target, self.shared_strings
                ws._current_row, ws.defined_names = None, DefinedNameDict()
                self.wb._sheets.append(ws)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _blank(value) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


@dataclass
class SheetRows:
    """What `read_sheet` returns: the sheet's title and its non-empty rows as
    (1-based row number, values of columns 1..max_col, trailing blanks cut)."""

    title: str
    rows: list[tuple[int, tuple]]


def _parse(data: bytes, sheet_names: tuple[str, ...], max_col: int, max_rows: int,
           keep: Optional[frozenset]) -> Optional[SheetRows]:
    """Parse one sheet of `data` (already checked by check_package). `sheet_names`: the
    first sheet whose title is one of these (casefolded), else the first visible sheet (a
    hidden or very hidden sheet is never read unless it is named); None when
    none matches. `keep`: when given, the first non-empty row is the header and only the
    columns whose header (normalised by `normalise_header`) is in `keep` are kept, at their
    own positions (others become None). Raises UploadRefused."""
    try:
        workbook = _open_workbook(data)
        try:
            sheets = workbook.worksheets
            if sheet_names:
                wanted = {name.casefold() for name in sheet_names}
                sheet = next((ws for ws in sheets if ws.title.strip().casefold() in wanted), None)
            else:
                sheet = next((ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"), None)
            if sheet is None:
                return None
            parser = _parser_class()(sheet._get_source(), sheet._shared_strings, data_only=True,
                                     epoch=workbook.epoch, date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            parser.max_col = max_col
            rows: list[tuple[int, tuple]] = []
            positions = None
            for number, cells in parser.parse():
                found = {cell["column"]: cell["value"] for cell in cells if not _blank(cell["value"])}
                if not found:
                    continue
                if keep is not None:
                    if positions is None:  # the header: every column, and which ones to keep
                        positions = {c for c, v in found.items() if normalise_header(v) in keep}
                    else:
                        found = {c: v for c, v in found.items() if c in positions}
                        if not found:
                            continue
                rows.append((number, tuple(found.get(c) for c in range(1, max(found) + 1))))
                if len(rows) > max_rows + 1:  # the header is not a data row
                    raise UploadRefused("too_many_rows", n=max_rows)
            return SheetRows(sheet.title, rows)
        finally:
            workbook.close()
    except UploadRefused:
        raise
    except MemoryError:
        raise UploadRefused("limits") from None
    except Exception as error:  # noqa: BLE001 - XML, number, index, CRC and zlib errors alike
        raise UploadRefused("unreadable", detail=type(error).__name__) from None


def normalise_header(value: Any) -> str:
    """A header cell as a lookup key: case, spaces, dashes, underscores and ё ignored."""
    if value is None or isinstance(value, BadCell):
        return ""
    return re.sub(r"[\s_\-]+", " ", str(value)).strip().lower().replace("ё", "е")


# --- 3. the child process ---------------------------------------------------------------

def read_sheet(data: bytes, *, sheet_names: tuple[str, ...] = (), max_col: int, max_rows: int,
               keep: Optional[frozenset] = None) -> Optional[SheetRows]:
    """Check the package, then parse one sheet with `_parse`, in a child process with hard
    limits unless XLSX_PARSE_ISOLATION is off. Raises UploadRefused (translated) for any
    file that is refused, unreadable, too large or too costly."""
    check_package(data)
    if not setting("XLSX_PARSE_ISOLATION"):
        return _parse(data, sheet_names, max_col, max_rows, keep)
    import openpyxl  # noqa: F401 - imported before the fork, never first inside the child

    try:
        return run_limited(_parse, (data, sheet_names, max_col, max_rows, keep), passed_on=(UploadRefused,),
                           memory_mb=setting("XLSX_PARSE_MEMORY_MB"), cpu_seconds=setting("XLSX_PARSE_CPU_SECONDS"),
                           wall_seconds=setting("XLSX_PARSE_WALL_SECONDS"))
    except LimitExceeded:
        raise UploadRefused("limits") from None
