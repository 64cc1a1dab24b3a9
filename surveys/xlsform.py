"""XLSForm import and export: instruments authored in Excel (KoboToolbox, ODK, SurveyCTO).

    read_xlsform(source, **options) -> dict      the data dict of an instrument file (what a YAML
                                                 file gives); raises XLSFormError
    write_xlsform(instrument, target) -> None    any Instrument as an XLSForm .xlsx

Both are pure functions (no Flask, no database). `source` is a path or a binary stream of an
.xlsx; `target` a path or a writable binary stream.

The reader uses openpyxl (read_only, data_only) directly rather than pyxform's parser
(xls2json.workbook_to_json): pyxform stops at the first error and its JSON keeps no row
numbers, while every refusal here names its row and all of them are reported at once; its
validation is ODK's (an XLSForm valid for ODK may still not fit Sapat). pyxform is used in the
tests, to check that what write_xlsform writes is an XLSForm ODK accepts. Like pyxform, the
reader stops a sheet after a run of empty rows (100 here) and reads 20 columns past the last
header (a value there is refused: it has no header).

What maps (XLSForm -> Sapat)
----------------------------
- settings: form_id -> key, version -> version (a whole number >= 1), form_title -> title (the
  same text in ky/ru/en: XLSForm has no translated title; `sapat::title::<language>` columns give
  one per language). The `key`, `version`, `title` and `kind` arguments override the sheet.
- `begin group` / `end group` at the top level -> a section (name -> key, label -> title,
  relevant -> the section's show_if); a note as the first row of a group -> the section's intro
  (a group hint is taken too); a note before any question -> the instrument's description.
  Questions outside any group form a section of their own (key `main`, or `part_N` when groups
  come between them) titled like the form.
- A group with appearance `table-list` whose rows are `select_one` over one scale list -> a
  matrix item (the rows are `select_one` rows named `<matrix>__<row>`; the prefix is dropped).
- `select_one L` -> likert when the list is a scale: names 1..k (k = 2..11) with appearance
  `likert`, or numeric labels, or labels recognised as an agreement / frequency / quality scale
  (in ky, ru or en); such labels also make a list of named options a scale, scored 1..k in list
  order. A list named `yes`/`no` whose labels say yes/no -> yes_no (Sapat's own yes/no texts).
  In an observation protocol (kind: observation) a list of whole-number names 0..100 (plus an
  optional `na`) -> criterion: each name is a level's score, its label the level's label, `na`
  means allow_na. Any other list -> single.
- `select_multiple L` -> multi; `integer` / `decimal` -> number; `text` -> text (appearance
  `multiline` -> multiline, otherwise a single line).
- required: yes/true/1 or no/false/0 (empty = no). Sapat leaves `required` unset where the
  column agrees with its own default (scored items required, text and multi optional).
- relevant -> show_if: `${x} = 'v'` and `selected(${x}, 'v')` -> equals; `${x} != 'v'` and
  `not(selected(${x}, 'v'))` -> not (Sapat also hides the item while x is unanswered; the exact
  form `${x} != '' and ${x} != 'v'` is what the export writes); an `or` of such equalities on
  one question -> in; `and` of any of these -> a list (all must hold). Numbers may be unquoted.
- constraint: `. >= a and . <= b` (also `>`/`<` on integers, `${self}` for `.`) -> min/max of a
  number; `string-length(.) <= n` -> max_length of a text; `count-selected(.) >= a` / `<= b`
  -> min_choices / max_choices of a multi.
- texts: `label`, `hint` (and the `sapat::` texts) per language column. Recognised spellings:
  `label::Kyrgyz (ky)`, `label::Russian (ru)`, `label::English (en)`, any `(code)` ky/ru/en, bare
  codes and names (`label::ky`, `label::English`, `label::Русский`, `label::Кыргызча`, ...) and
  the old single colon (`label:English`). A column without a language (`label`) is in the
  settings' default_language, or in the `default_language` argument.

Languages: Sapat keeps every text in ky, ru and en (schema.Text). By default a missing language
is refused: once per missing column (naming it, e.g. `label::Kyrgyz (ky)`), or per empty cell.
With `fallback="ru"` (or "ky", "en") every missing text is copied from that language (then from
any other present one) and the copy is reported in `notes`. A column in another language
(`label::French (fr)`) is refused: its texts would be lost.

What is refused (never silently dropped)
----------------------------------------
Every problem names the sheet, the row (as Excel numbers it), the column and the reason; all of
them are collected (XLSFormError.problems) before anything is returned. Refused: repeats and
loops, `calculate` and `calculation`, `choice_filter`, `default`, `read_only`, `parameters`,
`trigger`, media columns, `or_other`, select from files / external lists, `rank`, types Sapat
has no item for (date, time, geopoint, photo, audio, barcode, range, acknowledge, hidden, ...),
metadata other than start/end/today (deviceid, phonenumber, username, audit, ...), notes
anywhere but the start of the form or of a group, nested groups (except a table-list matrix),
`relevant` and `constraint` expressions outside the forms above, conditional `required`, texts
that insert answers (`${x}` in a label), names that are not Sapat keys (lowercase latin letters,
digits and _, starting with a letter, at most 60), numeric option names that are not a
recognisable scale, unknown columns, settings and types.

Ignored and reported in `notes` (a list you pass in): constraint_message, required_message and
guidance_hint (Sapat shows its own messages), display appearances (minimal, field-list,
horizontal, ...), start/end/today (Sapat records when an answer starts and is submitted), ODK
delivery settings (instance_name, submission_url, public_key, style, ...), KoboToolbox
bookkeeping columns (`$kuid`, `kobo--...`), sheets other than survey/choices/settings, unused
choice lists, the labels of a yes/no or `na` list (Sapat's own texts are shown).

Export (Sapat -> XLSForm)
-------------------------
survey, choices and settings sheets with `label::Kyrgyz (ky)`, `label::Russian (ru)`,
`label::English (en)` (and hint) columns, readable by ODK/KoboToolbox (pyxform converts it). Each
item becomes the nearest standard construct that read_xlsform maps back exactly:

    section     begin group / end group; intro -> a note as its first row
    single      select_one <key> (option scores in the choices column sapat_score)
    multi       select_multiple <key>; min/max choices -> count-selected(.) constraint
    likert      select_one over a list named 1..k, appearance likert
    matrix      begin group (appearance table-list) of select_one rows named <matrix>__<row>
    number      integer | decimal; min/max -> `. >= a and . <= b`
    text        text; max_length -> `string-length(.) <= n`; multiline -> appearance multiline
    yes_no      select_one over the list yes_no
    criterion   select_one over a list named by the level scores (plus `na` when allow_na),
                descriptors in the choices columns sapat_descriptor_ky / _ru / _en

What XLSForm cannot say goes into `sapat::` columns, which ODK ignores: sapat::scale,
sapat::reverse, sapat::left / sapat::right (poles, per language), sapat::allow_comment,
sapat::type (only where the list alone would map to another type), sapat::text = none /
sapat::labels = none (a bipolar item without a text / point labels: the XLSForm label shows the
poles), sapat::required = yes | no (Sapat's `required` where the required column cannot carry
it: set to the default value, or `false` on a multi with min_choices),
sapat::show_if (the condition as JSON where `relevant` cannot carry it exactly: a true/false
value, a one-element `in`); in settings sapat::kind, sapat::audience, sapat::grades,
sapat::title::<language>; the sheets sapat_scales (key, title and description per language)
and sapat_sources (source). So export -> import gives an equal Instrument (same content_hash).
"""
from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union
from zipfile import BadZipFile

from surveys.loader import InstrumentError, validate_data
from surveys.schema import (
    KEY_PATTERN,
    LANGS,
    NO,
    NOT_APPLICABLE,
    YES,
    CriterionItem,
    Instrument,
    LikertItem,
    MatrixItem,
    MultiItem,
    NumberItem,
    Problem,
    SingleItem,
    Text,
    TextItem,
    YesNoItem,
    condition_list,
)

__all__ = ["read_xlsform", "write_xlsform", "XLSFormError", "XLSFormProblem", "LANGUAGE_COLUMNS"]

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


# --- problems ----------------------------------------------------------------------------
class XLSFormProblem(Problem):
    """One refused thing: sheet, row (Excel's numbering, 1 = the header row), column, reason."""

    def __init__(self, sheet: str, row: Optional[int], column: Optional[str], reason: str):
        self.sheet, self.row, self.column = sheet, row, column
        where = sheet + (f" row {row}" if row else "") + (f", {column}" if column else "")
        super().__init__(where, reason)


class XLSFormError(InstrumentError):
    """An XLSForm that cannot become a Sapat instrument; `problems` lists every XLSFormProblem.

    str(error) has one line per problem: `form.xlsx: survey row 12, relevant: reason`."""


class _Refused(Exception):
    def __init__(self, reason: str, column: Optional[str] = None):
        super().__init__(reason)
        self.reason, self.column = reason, column


# --- reading the workbook ----------------------------------------------------------------
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
class _Header:
    raw: str                      # as written (whitespace collapsed), for messages
    base: str                     # canonical column: 'label', 'relevant', 'sapat::left', ...
    spec: Optional[str] = None    # the language part as written ('English (en)'), if any


def _parse_header(raw: str) -> _Header:
    h = " ".join(str(raw).split())
    low = h.lower()
    if low in _ALIASES:
        return _Header(h, _ALIASES[low])
    if low.startswith("sapat::"):
        name, _sep, spec = h[7:].partition("::")
        return _Header(h, "sapat::" + name.strip().lower(), spec.strip() or None)
    if low.startswith("sapat_"):  # the choices sheet's spelling: sapat_score, sapat_descriptor_ky
        match = re.fullmatch(r"sapat_(descriptor|left|right|title|description)_(ky|ru|en)", low)
        if match:
            return _Header(h, "sapat::" + match.group(1), match.group(2))
        return _Header(h, "sapat::" + low[6:])
    if low.startswith("media::"):
        return _Header(h, "media")
    for sep in ("::", ":"):
        if sep in h:
            base, _sep, spec = h.partition(sep)
            base_l = base.strip().lower()
            if base_l in _PREFIXES:  # bind:relevant, bind::constraint, control:appearance
                inner = spec.strip().lower()
                return _Header(h, _ALIASES.get(inner, inner))
            return _Header(h, _ALIASES.get(base_l, base_l), spec.strip() or None)
    return _Header(h, low)


def _cell_text(value: Any) -> str:
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
class _Row:
    number: int
    cells: dict[int, str]  # column index -> text

    def blank(self) -> bool:
        return not any(v.strip() for v in self.cells.values())


@dataclass
class _Sheet:
    title: str
    headers: list[_Header]
    rows: list[_Row]

    def columns(self, base: str) -> list[int]:
        return [i for i, h in enumerate(self.headers) if h.base == base]

    def get(self, row: _Row, base: str) -> str:
        """The stripped value of the (first) column `base`; '' when absent."""
        for i in self.columns(base):
            value = row.cells.get(i, "").strip()
            if value:
                return value
        return ""


def _load_workbook(source) -> dict[str, _Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(source)
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        raise _Refused(f"not an .xlsx workbook: {error}") from None
    sheets: dict[str, _Sheet] = {}
    try:
        for ws in workbook.worksheets:
            sheets[ws.title.strip().lower()] = _read_sheet(ws)
    finally:
        workbook.close()
    return sheets


_MORE_COLUMNS = 20   # columns read past the last header, to find values under no header
_EMPTY_ROWS = 100    # a run of empty rows this long ends a sheet (pyxform stops after 60)


def _read_sheet(ws) -> _Sheet:
    """One sheet: its header row and its rows (Excel numbers). Sheets formatted down to row
    1,048,576 are common, so reading stops after _EMPTY_ROWS empty rows in a row."""
    first = next(ws.iter_rows(values_only=True, max_row=1), None)
    if not first:
        return _Sheet(ws.title, [], [])
    width = max((i + 1 for i, v in enumerate(first) if v not in (None, "")), default=0)
    headers = [_parse_header(v) if v not in (None, "") else _Header("", "") for v in first[:width]]
    rows: list[_Row] = []
    empty = 0
    for number, values in enumerate(ws.iter_rows(min_row=2, max_col=width + _MORE_COLUMNS, values_only=True),
                                    start=2):
        cells: dict[int, str] = {}
        for i, value in enumerate(values):
            if value is None or value == "":
                continue
            if i < width and headers[i].raw:
                cells[i] = _cell_text(value)
            else:
                cells.setdefault(-1, _cell_text(value))  # a value under no header
        row = _Row(number, cells)
        if row.blank():
            empty += 1
            if empty >= _EMPTY_ROWS:
                break
            continue
        empty = 0
        rows.append(row)
    return _Sheet(ws.title, headers, rows)


# --- vocabulary of select lists -----------------------------------------------------------
_YES = {"yes", "y", "да", "ооба", "true"}
_NO = {"no", "n", "нет", "жок", "false"}
_SCALE_WORD = re.compile(
    r"(agree|disagree|neutral|neither|strongly|somewhat|never|rarely|seldom|sometimes|often|usually|"
    r"always|very|poor|fair|good|excellent|satisf|unsatisf|bad|not at all|slightly|moderately|"
    r"extremely|a little|a lot|mostly|partly|fully|likely|important|согла|нейтрал|затрудняюсь|"
    r"никогда|редко|иногда|часто|всегда|очень|плох|удовлетвор|хорош|отличн|скорее|полностью|"
    r"совсем|частично|в основном|макул|эч качан|сейрек|кээде|көп учурда|дайыма|ар дайым|жакшы|"
    r"жаман|өтө|толук|айта албайм|канааттан|жарым)", re.I)
_LEADING_NUMBER = re.compile(r"^\s*\d+([.,]\d+)?\b")


def _is_scale_label(label: str) -> bool:
    return bool(_LEADING_NUMBER.match(label) or _SCALE_WORD.search(label))


@dataclass
class _Choice:
    row: int
    name: str
    labels: dict[str, str]            # language code -> text (as filled)
    score: str = ""
    descriptor: dict[str, str] = field(default_factory=dict)


def _int_name(name: str) -> Optional[int]:
    return int(name) if re.fullmatch(r"\d{1,3}", name) else None


def _classify(select: str, choices: list[_Choice], appearance: str, kind: str) -> tuple[str, str]:
    """(item type, '') for a select list, or ('', reason) when Sapat cannot represent it.

    The one rule used by the reader, and by the writer to decide when a sapat::type is needed."""
    names = [c.name for c in choices]
    if select == "select_multiple":
        bad = [n for n in names if not re.fullmatch(KEY_PATTERN, n)]
        return ("multi", "") if not bad else ("", f"option name '{bad[0]}' is not a Sapat key")
    numbers = [_int_name(n) for n in names]
    labels_by_lang = [[c.labels.get(code, "") for c in choices] for code in LANGS]
    scale_labels = any(all(lbl and _is_scale_label(lbl) for lbl in lbls) for lbls in labels_by_lang
                       if any(lbls))
    if kind == "observation" and choices:
        levels = [n for n, num in zip(names, numbers, strict=True) if num is not None]
        if len(levels) >= 2 and all(num is not None or n == "na" for n, num in zip(names, numbers, strict=True)):
            return "criterion", ""
    if numbers and all(n is not None for n in numbers):
        if numbers == list(range(1, len(numbers) + 1)) and 2 <= len(numbers) <= 11:
            if "likert" in appearance or scale_labels:
                return "likert", ""
            return "", ("option names 1..k make a scale only with appearance 'likert' or labels that "
                        "read as a scale; otherwise name the options with keys (e.g. male, female)")
        return "", (f"numeric option names ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''}) "
                    "are not Sapat keys; a scale needs names 1..k (at most 11)")
    bad = [n for n in names if not re.fullmatch(KEY_PATTERN, n)]
    if bad:
        return "", f"option name '{bad[0]}' is not a Sapat key (lowercase latin letters, digits, _)"
    if sorted(names) == ["no", "yes"]:
        texts = {c.name: {v.strip().lower().rstrip(".!") for v in c.labels.values()} for c in choices}
        if texts["yes"] <= _YES and texts["no"] <= _NO:
            return "yes_no", ""
    if 2 <= len(names) <= 11 and ("likert" in appearance or scale_labels):
        return "likert", ""
    return "single", ""


# --- expressions (relevant, constraint) ---------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[^}]*?)\s*\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<comma>,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
  | (?P<dot>\.)
  | (?P<minus>-)
""", re.X)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            char = text[pos]
            hint = " (typographic quotes are not XPath quotes: use ' or \")" if char in "‘’“”«»" else ""
            raise _Refused(f"cannot read {char!r} at position {pos + 1}{hint}")
        kind = match.lastgroup
        if kind == "refname":
            kind = "ref"
        if kind != "ws":
            value = match.group("refname") if kind == "ref" else match.group(kind)
            out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    """XPath subset: or / and / not() / comparisons / calls. Nodes are tuples:
    ('or'|'and', [nodes]), ('cmp', op, a, b), ('ref', name), ('dot',), ('str', s), ('num', s),
    ('call', name, [args])."""

    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def parse(self):
        if not self.toks:
            raise _Refused("empty expression")
        node = self.expr()
        if self.i != len(self.toks):
            raise _Refused(f"unexpected {self.toks[self.i][1]!r}")
        return node

    def peek(self, kind=None, value=None):
        if self.i >= len(self.toks):
            return None
        tok = self.toks[self.i]
        if (kind and tok[0] != kind) or (value and tok[1].lower() != value):
            return None
        return tok

    def take(self, kind=None, value=None):
        tok = self.peek(kind, value)
        if tok is None:
            found = self.toks[self.i][1] if self.i < len(self.toks) else "the end"
            raise _Refused(f"expected {value or kind}, found {found!r}")
        self.i += 1
        return tok

    def expr(self):
        parts = [self.conj()]
        while self.peek("word", "or"):
            self.i += 1
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conj(self):
        parts = [self.comparison()]
        while self.peek("word", "and"):
            self.i += 1
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def comparison(self):
        left = self.operand()
        if self.peek("op"):
            op = self.take("op")[1]
            return ("cmp", op, left, self.operand())
        return left

    def operand(self):
        tok = self.peek()
        if tok is None:
            raise _Refused("the expression ends too early")
        kind, value = tok
        if kind == "lp":
            self.i += 1
            node = self.expr()
            self.take("rp")
            return node
        if kind == "minus":
            self.i += 1
            return ("num", "-" + self.take("num")[1])
        if kind in ("ref", "str", "num"):
            self.i += 1
            return (kind, value[1:-1] if kind == "str" else value)
        if kind == "dot":
            self.i += 1
            return ("dot",)
        if kind == "word" and self.i + 1 < len(self.toks) and self.toks[self.i + 1][0] == "lp":
            self.i += 2
            args = []
            if not self.peek("rp"):
                args.append(self.expr())
                while self.peek("comma"):
                    self.i += 1
                    args.append(self.expr())
            self.take("rp")
            return ("call", value.lower(), args)
        raise _Refused(f"unexpected {value!r}")


def _number(text: str) -> Union[int, float]:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _literal(node) -> Optional[Union[str, int, float]]:
    if node[0] == "str":
        return node[1]
    if node[0] == "num":
        return _number(node[1])
    return None


@dataclass
class _Target:
    """What a ${name} in a condition refers to."""
    key: str                                # Sapat answer key ('item' or 'matrix.row')
    multi: bool = False
    points: Optional[dict[str, int]] = None  # option name -> point, for a scale of named options
    names: Optional[set[str]] = None         # the option names, to report values that are none


def _conditions(expr: str, targets: dict[str, _Target], notes: Optional[list] = None) -> list[dict]:
    """A `relevant` expression -> Sapat conditions (all must hold); _Refused when it cannot be.

    Values keep their XPath type ('3' -> "3", 3 -> 3); the options of a scale of named options
    (agree, ...) become its points. A value that is no option of the list is kept and reported in
    `notes` (such a condition never holds)."""
    node = _Parser(expr).parse()
    factors = node[1] if node[0] == "and" else [node]
    atoms = [_atom(f) for f in factors]
    answered = {a[1] for a in atoms if a[0] == "answered"}
    negated = {a[1] for a in atoms if a[0] == "not"}
    lonely = answered - negated
    if lonely:
        raise _Refused(f"'${{{sorted(lonely)[0]}}} != \"\"' alone: Sapat cannot show an item just because "
                       "a question is answered")
    out = []
    for atom in atoms:
        if atom[0] == "answered":
            continue
        op, name, values, via = atom
        target = targets.get(name)
        if target is None:
            raise _Refused(f"${{{name}}} is not an earlier question of the form")
        if target.multi and via == "=":
            raise _Refused(f"'=' compares the whole answer of the select_multiple ${{{name}}}; "
                           f"write selected(${{{name}}}, 'value')")
        mapped = []
        for value in values:
            if target.points is not None and str(value) in target.points:
                value = target.points[str(value)]
            elif target.names is not None and str(value) not in target.names and notes is not None:
                notes.append(f"'{value}' is not an option of ${{{name}}}: the condition never holds")
            mapped.append(value)
        if op == "in":
            out.append({"item": target.key, "in": mapped})
        elif op == "not":
            out.append({"item": target.key, "not": mapped[0]})
        else:
            out.append({"item": target.key, "equals": mapped[0]})
    return out


def _ref_literal(node) -> Optional[tuple[str, Any]]:
    """('cmp' sides) -> (name, literal) for ${x} <op> 'v' or 'v' <op> ${x}."""
    _cmp, _op, a, b = node
    if a[0] == "ref" and _literal(b) is not None:
        return a[1], _literal(b)
    if b[0] == "ref" and _literal(a) is not None:
        return b[1], _literal(a)
    return None


def _atom(node) -> tuple:
    """One factor of an `and`: ('eq'|'not'|'in', name, [values], via) or ('answered', name)."""
    if node[0] == "cmp" and node[1] in ("=", "!="):
        pair = _ref_literal(node)
        if pair:
            name, value = pair
            if node[1] == "!=":
                return ("answered", name) if value == "" else ("not", name, [value], "!=")
            if value == "":
                raise _Refused(f"${{{name}}} = '' (unanswered) cannot be expressed in Sapat")
            return ("eq", name, [value], "=")
    if node[0] == "cmp" and node[1] == ">" and node[2][0] == "call" and node[2][1] == "count-selected" \
            and node[3] == ("num", "0") and len(node[2][2]) == 1 and node[2][2][0][0] == "ref":
        return ("answered", node[2][2][0][1])
    if node[0] == "call" and node[1] == "selected" and len(node[2]) == 2 and node[2][0][0] == "ref" \
            and _literal(node[2][1]) is not None:
        return ("eq", node[2][0][1], [_literal(node[2][1])], "selected")
    if node[0] == "call" and node[1] == "not" and len(node[2]) == 1:
        inner = node[2][0]
        if inner[0] == "call" and inner[1] == "selected":
            eq = _atom(inner)
            return ("not", eq[1], eq[2], "selected")
        if inner[0] == "cmp" and inner[1] == "=":
            eq = _atom(inner)
            return ("not", eq[1], eq[2], "!=")
    if node[0] == "or":
        branches = [_atom(b) for b in node[1]]
        names = {b[1] for b in branches}
        if all(b[0] == "eq" for b in branches) and len(names) == 1:
            vias = {b[3] for b in branches}
            return ("in", names.pop(), [b[2][0] for b in branches], "=" if "=" in vias else "selected")
        raise _Refused("'or' is supported only between equalities on one question (it becomes 'in')")
    raise _Refused("only ${x} = 'v', ${x} != 'v', selected(${x}, 'v'), not(...) of these, "
                   "and 'and' / 'or' of them are supported")


def _bounds(expr: str, subject: str, self_name: str, integer: bool) -> tuple[Optional[float], Optional[float]]:
    """`. >= a and . <= b` (subject '.'), `string-length(.) <= n`, `count-selected(.) >= a` -> (min, max)."""
    node = _Parser(expr).parse()
    factors = node[1] if node[0] == "and" else [node]
    lo = hi = None

    def is_subject(n) -> bool:
        if subject == ".":
            return n == ("dot",) or n == ("ref", self_name)
        return n[0] == "call" and n[1] == subject and len(n[2]) == 1 and n[2][0] in (("dot",), ("ref", self_name))

    for f in factors:
        if f[0] != "cmp" or f[1] == "!=":
            raise _Refused("only a range (. >= a and . <= b) is supported")
        _c, op, a, b = f
        flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}
        if is_subject(a) and b[0] == "num":
            value = _number(b[1])
        elif is_subject(b) and a[0] == "num":
            value, op = _number(a[1]), flip[op]
        else:
            raise _Refused("only a range of the answer against numbers (. >= a and . <= b) is supported")
        if op in ("<", ">"):
            if not integer or value != int(value):
                raise _Refused(f"the strict bound '{op} {value}' is not a range Sapat can store; use <= or >=")
            value, op = (value + 1, ">=") if op == ">" else (value - 1, "<=")
        if op in (">=", "="):
            if lo is not None:
                raise _Refused("two lower bounds")
            lo = float(value)
        if op in ("<=", "="):
            if hi is not None:
                raise _Refused("two upper bounds")
            hi = float(value)
    return lo, hi


# --- the reader ---------------------------------------------------------------------------
_YESNO_WORDS = {"yes": True, "true": True, "true()": True, "1": True,
                "no": False, "false": False, "false()": False, "0": False, "": False}
_TIME_META = {"start", "end", "today"}
_OTHER_META = {"deviceid", "imei", "phonenumber", "phone number", "username", "email", "simserial",
               "subscriberid", "audit", "start-geopoint", "background-audio", "uri:deviceid",
               "uri:email", "uri:username", "uri:phonenumber", "uri:subscriberid", "uri:simserial"}
_SURVEY_COLUMNS = {"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance"}
_NOTED_COLUMNS = {"constraint_message": "Sapat shows its own message for a value out of range",
                  "required_message": "Sapat shows its own message for a missing answer",
                  "guidance_hint": "Sapat has no guidance hints"}
_REFUSED_COLUMNS = {"choice_filter": "filtered choice lists (cascading selects) are not supported",
                    "calculation": "calculations are not supported",
                    "default": "default answers are not supported",
                    "read_only": "read-only questions are not supported",
                    "repeat_count": "repeats are not supported",
                    "parameters": "question parameters are not supported",
                    "trigger": "triggers are not supported",
                    "media": "images, audio and video are not supported"}
_SAPAT_SURVEY = {"sapat::type", "sapat::scale", "sapat::reverse", "sapat::required", "sapat::show_if",
                 "sapat::text", "sapat::labels", "sapat::left", "sapat::right", "sapat::allow_comment"}
_DISPLAY_APPEARANCES = {"minimal", "quick", "horizontal", "horizontal-compact", "columns", "columns-pack",
                        "columns-1", "columns-2", "columns-3", "columns-4", "columns-5", "no-buttons",
                        "autocomplete", "search", "field-list", "list", "list-nolabel", "compact",
                        "compact-2", "thousands-sep", "numbers", "no-calendar", "w1", "w2", "w3", "w4",
                        "w5", "w6", "w7", "w8", "w9", "w10", "w11", "w12"}
_IGNORED_SETTINGS = {"instance_name", "submission_url", "public_key", "style", "omit_instanceid",
                     "auto_send", "auto_delete", "namespaces", "clean_text_values", "allow_choice_duplicates",
                     "name", "prefix", "delimiter"}
_SETTINGS = {"form_title", "title", "form_id", "version", "default_language", "sapat::kind", "sapat::audience",
             "sapat::grades", "sapat::title"}
_SELECT = re.compile(r"^(?P<kind>select_one|select one|select one from|select1|select_multiple|"
                     r"select all that apply|select all that apply from|select multiple)\s+(?P<list>\S+)"
                     r"(?P<other>\s+(or_other|or specify other))?$", re.I)


def _is_kobo(header: _Header) -> bool:
    return header.raw.startswith("$") or header.raw.lower().startswith("kobo--")


@dataclass
class _Context:
    filename: str
    sheets: dict[str, _Sheet]
    default_language: Optional[str]
    fallback: Optional[str]
    kind: str
    problems: list[XLSFormProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)  # data path -> (sheet, row)
    missing: set = field(default_factory=set)   # (sheet, base, code) already reported
    filled: set = field(default_factory=set)    # (sheet, base, code) already noted

    def refuse(self, sheet: str, row: Optional[int], column: Optional[str], reason: str):
        self.problems.append(XLSFormProblem(sheet, row, column, reason))

    def note(self, text: str):
        if text not in self.notes:
            self.notes.append(text)

    # -- columns and texts --
    def code_of(self, sheet: _Sheet, header: _Header) -> Optional[str]:
        if header.spec is None:
            return self.default_language
        return language_code(header.spec)

    def check_text_columns(self, sheet: _Sheet, bases: set[str]):
        """Header-level problems: columns in other languages, columns without a language."""
        for header in sheet.headers:
            if header.base not in bases:
                continue
            if header.spec is None and self.default_language is None:
                self.refuse(sheet.title, 1, header.raw,
                            "the column names no language: write label::Kyrgyz (ky), label::Russian (ru), "
                            "label::English (en), or set default_language in settings")
            elif header.spec is not None and language_code(header.spec) is None:
                self.refuse(sheet.title, 1, header.raw,
                            f"'{header.spec}' is not a language of Sapat (ky, ru, en): its texts would be "
                            "lost; remove the column or name its language")

    def texts(self, sheet: _Sheet, row: _Row, base: str, *, required: bool, interpolation: bool = True
              ) -> Optional[dict]:
        """{ky, ru, en} from the language columns of `base`; None when all are empty."""
        values: dict[str, str] = {}
        present: set[str] = set()
        for i, header in enumerate(sheet.headers):
            if header.base != base:
                continue
            code = self.code_of(sheet, header)
            if code is None:
                continue
            present.add(code)
            value = row.cells.get(i, "")
            if value.strip():
                if code in values and values[code] != value:
                    self.refuse(sheet.title, row.number, header.raw, f"a second {code} text for {base}")
                values[code] = value
                if interpolation and "${" in value:
                    self.refuse(sheet.title, row.number, header.raw,
                                "the text inserts an answer (${...}); Sapat texts are fixed")
        if not values:
            if required:
                column = base if not sheet.columns(base) else sheet.headers[sheet.columns(base)[0]].raw
                self.refuse(sheet.title, row.number, column, f"no {base}")
            return None
        for code in LANGS:
            if code in values:
                continue
            column = (f"sapat_{base[7:]}_{code}" if base.startswith("sapat::") and sheet.title.lower() == "choices"
                      else f"{base}::{LANGUAGE_COLUMNS[code]}")
            if self.fallback:
                source = next(c for c in (self.fallback, "ru", "ky", "en") if c in values)
                values[code] = values[source]
                key = (sheet.title, base, code)
                if key not in self.filled:
                    self.filled.add(key)
                    self.note(f"{sheet.title}: {column} texts missing: copied from {source}")
            elif code not in present:
                key = (sheet.title, base, code)
                if key not in self.missing:
                    self.missing.add(key)
                    self.refuse(sheet.title, 1, column, f"no {column} column: Sapat keeps every text in ky, "
                                "ru and en (add the column, or import with a fallback language)")
            else:
                self.refuse(sheet.title, row.number, column, f"empty {code} text (the other languages have one)")
        return {code: values.get(code, "") for code in LANGS}


def read_xlsform(source, *, key: Optional[str] = None, version: Optional[int] = None,
                 title: Union[None, str, dict, Text] = None, kind: Optional[str] = None,
                 default_language: Optional[str] = None, fallback: Optional[str] = None,
                 notes: Optional[list] = None, filename: Optional[str] = None) -> dict:
    """Convert an XLSForm .xlsx into the data dict of a Sapat instrument (as a YAML file gives).

    source            a path (str / Path), bytes, or a binary stream of the .xlsx
    key, version      override settings form_id / version (both needed when settings lack them)
    title             override form_title: a str (all languages) or {ky, ru, en}
    kind              'survey' (default) or 'observation'; overrides settings sapat::kind
    default_language  ky | ru | en: the language of columns without one (`label`, `hint`) when
                      settings has no default_language
    fallback          ky | ru | en: fill missing languages from this one (see the module doc);
                      None (default) refuses missing languages
    notes             a list to which what was ignored is appended (one line each)
    filename          the name used in messages (default: the file's name)

    Returns the data dict, already checked by surveys.loader.validate_data (so a caller may pass
    it to validate_data again or store it as a file). Raises XLSFormError (an InstrumentError)
    listing every problem with sheet, row, column and reason; schema problems found by
    validate_data are given the row they come from.
    """
    if filename is None:
        filename = Path(source).name if isinstance(source, (str, Path)) else "<xlsform>"
    if default_language is not None and default_language not in LANGS:
        raise ValueError(f"default_language must be one of {LANGS}")
    if fallback is not None and fallback not in LANGS:
        raise ValueError(f"fallback must be one of {LANGS}")
    try:
        sheets = _load_workbook(source)
    except _Refused as error:
        raise XLSFormError(filename, [XLSFormProblem("workbook", None, None, error.reason)]) from None
    if "survey" not in sheets:
        raise XLSFormError(filename, [XLSFormProblem("workbook", None, None, "no 'survey' sheet")])
    settings = sheets.get("settings")
    settings_row = next((r for r in settings.rows if not r.blank()), None) if settings else None
    lang_setting = settings.get(settings_row, "default_language") if settings_row else ""
    ctx = _Context(filename, sheets, default_language, fallback, "survey")
    if lang_setting:
        code = language_code(lang_setting)
        if code is None:
            ctx.refuse(settings.title, settings_row.number, "default_language",
                       f"'{lang_setting}' is not a language of Sapat (ky, ru, en)")
        ctx.default_language = code
    data: dict[str, Any] = {}
    _read_settings(ctx, settings, settings_row, data, key=key, version=version, title=title, kind=kind)
    ctx.kind = data.get("kind", "survey")
    for name, sheet in sheets.items():
        if name not in ("survey", "choices", "settings", "sapat_scales", "sapat_sources") and (
                sheet.rows or sheet.headers):
            ctx.note(f"sheet '{sheet.title}' ignored: not part of an XLSForm that Sapat reads")
    for name in ("survey", "choices", "settings", "sapat_scales", "sapat_sources"):
        for row in sheets[name].rows if name in sheets else []:
            if -1 in row.cells:
                ctx.refuse(sheets[name].title, row.number, None,
                           f"a value ({row.cells[-1][:40]!r}) in a column without a header")
    lists = _read_choices(ctx, sheets.get("choices"))
    _read_scales_and_sources(ctx, sheets, data)
    _read_survey(ctx, sheets["survey"], lists, data)
    used = {name for name, ch in lists.items() if ch.used}
    for name, ch in lists.items():
        if name not in used:
            ctx.note(f"choices: list '{name}' (row {ch.choices[0].row if ch.choices else '?'}) is used "
                     "by no question: ignored")
    if notes is not None:
        notes.extend(ctx.notes)
    if ctx.problems:
        order = {"workbook": 0, "settings": 1, "survey": 2, "choices": 3}
        ctx.problems.sort(key=lambda p: (order.get(p.sheet.lower(), 4), p.row or 0))
        raise XLSFormError(filename, ctx.problems)
    try:
        validate_data(data, filename)
    except InstrumentError as error:
        raise XLSFormError(filename, [_locate(ctx, p) for p in error.problems]) from None
    return data


_PATH_COLUMNS = {"key": "name", "text": "label", "title": "label", "help": "hint", "show_if": "relevant",
                 "required": "required", "min": "constraint", "max": "constraint", "max_length": "constraint",
                 "min_choices": "constraint", "max_choices": "constraint", "scale": "sapat::scale",
                 "reverse": "sapat::reverse", "options": "type", "labels": "type", "points": "type",
                 "left": "sapat::left", "right": "sapat::right", "levels": "type", "score": "sapat_score",
                 "version": "version", "kind": "sapat::kind", "audience": "sapat::audience",
                 "grades": "sapat::grades", "description": "label"}


def _locate(ctx: _Context, problem: Problem) -> XLSFormProblem:
    """A schema problem (path inside the data dict) -> the sheet and row it was read from."""
    path = problem.path
    best = ""
    for candidate in ctx.locations:
        if (path == candidate or path.startswith((candidate + ".", candidate + "["))) \
                and len(candidate) > len(best):
            best = candidate
    sheet, row = ctx.locations.get(best, ("settings", None))
    fields = [p for p in re.split(r"[.\[\]]", path[len(best):]) if p and not p.isdigit()]
    column = next((_PATH_COLUMNS[f] for f in fields if f in _PATH_COLUMNS), None)
    reason = problem.reason if not path else f"{problem.reason} ({path})"
    return XLSFormProblem(sheet, row, column, reason)


def _read_settings(ctx, settings, row, data, *, key, version, title, kind):
    sheet_name = settings.title if settings else "settings"
    number = row.number if row else None
    ctx.locations[""] = (sheet_name, number)
    if settings and row:
        for i, header in enumerate(settings.headers):
            value = row.cells.get(i, "").strip()
            if not value or not header.raw:
                continue
            if header.base in _SETTINGS:
                continue
            if header.base in _IGNORED_SETTINGS or _is_kobo(header):
                ctx.note(f"settings: {header.raw} ignored (delivery setting of ODK / KoboToolbox)")
            else:
                ctx.refuse(sheet_name, number, header.raw, f"unknown setting '{header.raw}'")
    get = (lambda base: settings.get(row, base)) if settings and row else (lambda base: "")
    form_id = key if key is not None else get("form_id")
    if not form_id:
        ctx.refuse(sheet_name, number, "form_id", "no form_id: give the instrument key")
    elif not re.fullmatch(KEY_PATTERN, form_id) or len(form_id) > 60:
        ctx.refuse(sheet_name, number, "form_id", f"'{form_id}' is not a Sapat key (lowercase latin letters, "
                   "digits and _, starting with a letter); pass key=...")
    data["key"] = form_id
    if version is not None:
        data["version"] = version
    else:
        raw = get("version")
        if not raw:
            data["version"] = 1
        elif re.fullmatch(r"[1-9]\d{0,8}", raw):
            data["version"] = int(raw)
        else:
            ctx.refuse(sheet_name, number, "version", f"'{raw}' is not a whole number from 1 (Sapat numbers "
                       "versions 1, 2, 3...); pass version=...")
            data["version"] = 1
    kind_value = kind or get("sapat::kind") or "survey"
    if kind_value not in ("survey", "observation"):
        ctx.refuse(sheet_name, number, "sapat::kind", f"'{kind_value}' is not survey or observation")
    data["kind"] = kind_value
    if title is not None:
        data["title"] = ({c: title for c in LANGS} if isinstance(title, str) else
                         title.model_dump() if isinstance(title, Text) else dict(title))
    else:
        titles = ctx.texts(settings, row, "sapat::title", required=False) if settings and row else None
        form_title = get("form_title") or get("title")
        if titles:
            data["title"] = titles
        elif form_title:
            data["title"] = {c: form_title for c in LANGS}
            ctx.note("settings: form_title is used as the title in ky, ru and en (XLSForm has one title)")
        else:
            ctx.refuse(sheet_name, number, "form_title", "no form_title: give the instrument title")
    audience = get("sapat::audience")
    if audience:
        data["audience"] = audience.split()
    grades = get("sapat::grades")
    if grades:
        if grades == "[]":
            data["grades"] = []
        elif re.fullmatch(r"\d+(\s+\d+)*", grades):
            data["grades"] = [int(g) for g in grades.split()]
        else:
            ctx.refuse(sheet_name, number, "sapat::grades", "grades are whole numbers separated by spaces")
    if settings:
        ctx.check_text_columns(settings, {"sapat::title"})


@dataclass
class _List:
    name: str
    choices: list[_Choice] = field(default_factory=list)
    used: bool = False
    checked: bool = False


def _read_choices(ctx: _Context, sheet: Optional[_Sheet]) -> dict[str, _List]:
    lists: dict[str, _List] = {}
    if sheet is None:
        return lists
    known = {"list_name", "name", "label", "sapat::score", "sapat::descriptor"}
    for i, header in enumerate(sheet.headers):
        if not header.raw or header.base in known:
            continue
        if _is_kobo(header):
            ctx.note(f"choices: column {header.raw} ignored (KoboToolbox bookkeeping)")
            continue
        for row in sheet.rows:
            if row.cells.get(i, "").strip():
                reason = ("images, audio and video are not supported" if header.base == "media" else
                          f"unknown column '{header.raw}' (choice filters and media are not supported)")
                ctx.refuse(sheet.title, row.number, header.raw, reason)
                break
    for row in sheet.rows:
        if row.blank():
            continue
        list_name = sheet.get(row, "list_name")
        name = sheet.get(row, "name")
        if not list_name:
            ctx.refuse(sheet.title, row.number, "list_name", "a choice without list_name")
            continue
        if not name:
            ctx.refuse(sheet.title, row.number, "name", "a choice without name")
            continue
        entry = lists.setdefault(list_name, _List(list_name))
        if any(c.name == name for c in entry.choices):
            ctx.refuse(sheet.title, row.number, "name", f"'{name}' is twice in list '{list_name}'")
            continue
        entry.choices.append(_Choice(row.number, name, {}, sheet.get(row, "sapat::score")))
    return lists


def _choice_texts(ctx: _Context, sheet: _Sheet, lst: _List):
    """Fill labels and descriptors of a list the first time a question uses it."""
    if lst.checked:
        return
    lst.checked = True
    rows = {r.number: r for r in sheet.rows}
    for choice in lst.choices:
        row = rows[choice.row]
        choice.labels = ctx.texts(sheet, row, "label", required=True) or {}
        choice.descriptor = ctx.texts(sheet, row, "sapat::descriptor", required=False) or {}


def _read_scales_and_sources(ctx: _Context, sheets: dict[str, _Sheet], data: dict):
    scales = sheets.get("sapat_scales")
    if scales:
        ctx.check_text_columns(scales, {"title", "description"})
        out = []
        for row in scales.rows:
            if row.blank():
                continue
            entry = {"key": scales.get(row, "key"), "title": ctx.texts(scales, row, "title", required=True)}
            description = ctx.texts(scales, row, "description", required=False)
            if description:
                entry["description"] = description
            ctx.locations[f"scales[{len(out)}]"] = (scales.title, row.number)
            out.append(entry)
        if out:
            data["scales"] = out
    sources = sheets.get("sapat_sources")
    if sources:
        column = sources.columns("source")
        out = []
        for row in sources.rows:
            value = row.cells.get(column[0], "") if column else ""
            if value.strip():
                out.append(value)
        if out:
            data["sources"] = out


@dataclass
class _Node:
    row: _Row
    type: str                     # normalised: 'group', 'repeat', 'loop', or the row's type
    children: list = field(default_factory=list)
    end_row: Optional[int] = None


def _tree(ctx: _Context, sheet: _Sheet) -> list[_Node]:
    root = _Node(_Row(0, {}), "root")
    stack = [root]
    for row in sheet.rows:
        if row.blank():
            continue
        raw_type = " ".join(sheet.get(row, "type").split())
        low = raw_type.lower()
        match = re.fullmatch(r"(begin|end)[ _](group|repeat|loop)(\s+over\s+\S+)?", low)
        if match:
            what = match.group(2)
            if match.group(1) == "begin":
                node = _Node(row, what)
                stack[-1].children.append(node)
                stack.append(node)
            elif len(stack) == 1 or stack[-1].type != what:
                ctx.refuse(sheet.title, row.number, "type", f"'{raw_type}' without a matching begin {what}")
            else:
                stack.pop().end_row = row.number
            continue
        if not low:
            ctx.refuse(sheet.title, row.number, "type", "a row without a type")
            continue
        stack[-1].children.append(_Node(row, low))
    for node in stack[1:]:
        ctx.refuse(sheet.title, node.row.number, "type", f"begin {node.type} without end {node.type}")
    return root.children


def _read_survey(ctx: _Context, sheet: _Sheet, lists: dict[str, _List], data: dict):
    for i, header in enumerate(sheet.headers):
        if not header.raw:
            continue
        base = header.base
        if base in _SURVEY_COLUMNS or base in _SAPAT_SURVEY:
            continue
        if _is_kobo(header):
            ctx.note(f"survey: column {header.raw} ignored (KoboToolbox bookkeeping)")
            continue
        filled = [r for r in sheet.rows if r.cells.get(i, "").strip()]
        if base in _NOTED_COLUMNS:
            if filled:
                ctx.note(f"survey: column {header.raw} ignored ({_NOTED_COLUMNS[base]})")
            continue
        reason = _REFUSED_COLUMNS.get(base) or f"unknown column '{header.raw}'"
        for row in filled:
            if base == "calculation" and sheet.get(row, "type").lower() == "calculate":
                continue  # the calculate row itself is refused for its type
            ctx.refuse(sheet.title, row.number, header.raw, reason)
    ctx.check_text_columns(sheet, {"label", "hint", "sapat::left", "sapat::right"})
    if "choices" in ctx.sheets:
        ctx.check_text_columns(ctx.sheets["choices"], {"label", "sapat::descriptor"})
    reader = _SurveyReader(ctx, sheet, lists)
    reader.read(_tree(ctx, sheet), data)


class _SurveyReader:
    def __init__(self, ctx: _Context, sheet: _Sheet, lists: dict[str, _List]):
        self.ctx, self.sheet, self.lists = ctx, sheet, lists
        self.targets: dict[str, _Target] = {}
        self.sections: list[dict] = []
        self.consumed: dict[int, set[str]] = {}
        self.accepted: list[_Row] = []
        self.names: set[str] = set()  # every name met so far, refused or not

    def refuse(self, row: _Row, column: Optional[str], reason: str):
        self.ctx.refuse(self.sheet.title, row.number, column, reason)

    def get(self, row: _Row, base: str) -> str:
        """A column's value; reading it marks it as used (see check_unused)."""
        self.consumed.setdefault(row.number, {"type"}).add(base)
        return self.sheet.get(row, base)

    def texts(self, row: _Row, base: str, *, required: bool) -> Optional[dict]:
        self.consumed.setdefault(row.number, {"type"}).add(base)
        return self.ctx.texts(self.sheet, row, base, required=required)

    def accept(self, row: _Row):
        self.accepted.append(row)

    def check_unused(self):
        """Refuse a value in a column that the row's type does not read (e.g. a hint on a note,
        required on a group): nothing is dropped silently."""
        for row in self.accepted:
            used = self.consumed.get(row.number, {"type"})
            for i, header in enumerate(self.sheet.headers):
                if header.base in _SURVEY_COLUMNS | _SAPAT_SURVEY and header.base not in used \
                        and row.cells.get(i, "").strip():
                    kind = " ".join(self.sheet.get(row, "type").split())
                    self.refuse(row, header.raw, f"does not apply to a '{kind}' row (it would be lost)")

    # -- structure --
    def read(self, nodes: list[_Node], data: dict):
        loose: list[_Node] = []
        started = False
        n_groups = sum(1 for n in nodes if n.type == "group" and not self.is_matrix(n))

        def flush():
            if loose:
                key = "main" if n_groups == 0 and not any(s.get("_loose") for s in self.sections) \
                    else f"part_{len(self.sections) + 1}"
                self.section(None, loose[:], data, key)
                loose.clear()

        for node in nodes:
            if node.type == "note" and not started:
                started = True
                description = self.note_text(node, "the form's description")
                if description:
                    data["description"] = description
                continue
            started = True
            if node.type == "group" and not self.is_matrix(node):
                flush()
                self.section(node, node.children, data, None)
            elif node.type in ("repeat", "loop"):
                flush()
                self.refuse(node.row, "type", f"{node.type}s (begin {node.type}) are not supported: Sapat "
                                              "asks every question once")
                self.check_inside(node)
            else:
                loose.append(node)
        flush()
        self.check_unused()
        if not self.sections and not self.ctx.problems:
            self.ctx.refuse(self.sheet.title, None, None, "the form has no questions")
        data["sections"] = [{k: v for k, v in s.items() if k != "_loose"} for s in self.sections]

    def check_inside(self, node: _Node):
        """Children of a refused container: refuse their own problems too, add nothing."""
        saved = list(self.sections)
        self.section(None, node.children, {}, "refused")
        self.sections = saved

    def note_text(self, node: _Node, what: str) -> Optional[dict]:
        row = node.row
        self.accept(row)
        self.get(row, "name")  # a note's name is not kept: nothing refers to it
        if self.get(row, "relevant"):
            self.refuse(row, "relevant", f"a note used as {what} cannot have a condition")
        return self.texts(row, "label", required=True)

    def is_matrix(self, node: _Node) -> bool:
        return node.type == "group" and ("table-list" in self.get(node.row, "appearance").lower()
                                         or self.get(node.row, "sapat::type") == "matrix")

    def section(self, group: Optional[_Node], children: list[_Node], data: dict, key: Optional[str]):
        index = len(self.sections)
        path = f"sections[{index}]"
        section: dict[str, Any] = {}
        if group is not None:
            row = group.row
            self.accept(row)
            self.ctx.locations[path] = (self.sheet.title, row.number)
            section["key"] = self.name(row)
            section["title"] = self.texts(row, "label", required=True) or {}
            help_text = self.texts(row, "hint", required=False)
            if help_text:
                section["intro"] = help_text
            self.appearance(row, set())
            show_if = self.show_if(row)
            if show_if is not None:
                section["show_if"] = show_if
        else:
            first = children[0].row.number if children else None
            self.ctx.locations[path] = (self.sheet.title, first)
            section["key"] = key
            section["title"] = data.get("title") or {c: key for c in LANGS}
            section["_loose"] = True
        items: list[dict] = []
        for n, node in enumerate(children):
            if node.type == "note":
                if n == 0 and group is not None and "intro" not in section:
                    intro = self.note_text(node, "the intro of a group")
                    if intro:
                        section["intro"] = intro
                else:
                    self.refuse(node.row, "type", "a note can only open the form (its description) or a group "
                                                  "(its intro): Sapat has no display-only items")
                continue
            if node.type in ("group", "repeat", "loop"):
                if self.is_matrix(node):
                    item = self.matrix(node, f"{path}.items[{len(items)}]")
                    if item:
                        items.append(item)
                    continue
                what = {"group": "a group inside a group: Sapat sections are not nested (make it a group "
                                 "of its own)"}.get(node.type, f"{node.type}s (begin {node.type}) are not "
                                                               "supported: Sapat asks every question once")
                self.refuse(node.row, "type", what)
                self.check_inside(node)
                continue
            item = self.question(node.row, node.type, f"{path}.items[{len(items)}]")
            self.names.add(self.sheet.get(node.row, "name"))
            if item:
                self.accept(node.row)
                items.append(item)
        section["items"] = items
        if not items and group is not None:
            self.refuse(group.row, "type", "a group without questions")
        self.sections.append(section)

    # -- common columns --
    def name(self, row: _Row) -> str:
        name = self.get(row, "name")
        if not name:
            self.refuse(row, "name", "no name")
        elif not re.fullmatch(KEY_PATTERN, name) or len(name) > 60:
            self.refuse(row, "name", f"'{name}' is not a Sapat key (lowercase latin letters, digits and _, "
                                     "starting with a letter, at most 60)")
        return name

    def appearance(self, row: _Row, allowed: set[str]) -> str:
        value = self.get(row, "appearance").lower()
        for word in value.split():
            if word in allowed:
                continue
            if word.startswith("ex:"):
                self.refuse(row, "appearance", f"'{word}' (an external app) is not supported")
            else:
                self.ctx.note(f"survey row {row.number}: appearance '{word}' ignored (Sapat lays out its own "
                              "pages)")
        return value

    def required(self, row: _Row, item: dict, default: bool) -> None:
        raw = self.get(row, "required").lower()
        if raw not in _YESNO_WORDS:
            self.refuse(row, "required", f"'{raw}' is not yes or no (conditional required is not supported)")
            return
        value = _YESNO_WORDS[raw]
        stored = self.get(row, "sapat::required").lower()
        if stored:  # Sapat's own value where the required column cannot carry it
            if stored in ("yes", "no"):
                item["required"] = stored == "yes"
            else:
                self.refuse(row, "sapat::required", f"'{stored}' is not yes or no")
        elif value != default:
            item["required"] = value

    def show_if(self, row: _Row):
        expr = self.get(row, "relevant")
        exact = self.get(row, "sapat::show_if")
        parsed = None
        if expr:
            try:
                found: list[str] = []
                parsed = _conditions(expr, self.targets, found)
                for line in found:
                    self.ctx.note(f"survey row {row.number}, relevant: {line}")
            except _Refused as error:
                reason = error.reason
                missing = re.match(r"\$\{(.+)\} is not an earlier question", reason)
                if missing and missing.group(1) in self.names:
                    reason = f"${{{missing.group(1)}}} is a question refused above"
                self.refuse(row, "relevant", f"{reason} in {expr!r}")
                return None
        if exact:
            try:
                stored = json.loads(exact)
            except ValueError:
                self.refuse(row, "sapat::show_if", "not valid JSON")
                return None
            if not isinstance(stored, (dict, list)) or _canonical(parsed or []) != _canonical(
                    condition_list(stored)):
                self.refuse(row, "sapat::show_if", "disagrees with relevant: change both, or delete "
                                                   "sapat::show_if")
                return None
            return stored
        if parsed is None:
            return None
        return parsed[0] if len(parsed) == 1 else parsed

    def flag(self, row: _Row, base: str) -> bool:
        raw = self.get(row, base).lower()
        if raw not in _YESNO_WORDS:
            self.refuse(row, base, f"'{raw}' is not yes or no")
            return False
        return _YESNO_WORDS[raw]

    def base_item(self, row: _Row, kind: str) -> dict:
        item: dict[str, Any] = {"key": self.name(row), "type": kind}
        text = self.texts(row, "label", required=self.get(row, "sapat::text") != "none")
        if self.get(row, "sapat::text") == "none":
            text = None
        elif self.get(row, "sapat::text"):
            self.refuse(row, "sapat::text", "the only value is 'none'")
        if text is not None:
            item["text"] = text
        help_text = self.texts(row, "hint", required=False)
        if help_text:
            item["help"] = help_text
        show_if = self.show_if(row)
        if show_if is not None:
            item["show_if"] = show_if
        return item

    def scale_fields(self, row: _Row, item: dict, kinds: tuple[str, ...]):
        for base, field_name in (("sapat::scale", "scale"), ("sapat::reverse", "reverse")):
            if not self.get(row, base):
                continue
            if item["type"] not in kinds:
                self.refuse(row, base, f"a {item['type']} item has no {field_name}")
            elif field_name == "scale":
                item["scale"] = self.get(row, base)
            elif self.flag(row, base):
                item["reverse"] = True

    def poles(self, row: _Row, item: dict):
        for side in ("left", "right"):
            text = self.texts(row, f"sapat::{side}", required=False)
            if text:
                item[side] = text

    def no_sapat(self, row: _Row, *bases: str):
        for base in bases:
            if self.get(row, base):
                self.refuse(row, base, "does not apply to this type")

    # -- questions --
    def question(self, row: _Row, kind: str, path: str) -> Optional[dict]:
        self.ctx.locations[path] = (self.sheet.title, row.number)
        raw_type = " ".join(self.get(row, "type").split())
        select = _SELECT.match(raw_type)
        if kind in _TIME_META:
            self.ctx.note(f"survey row {row.number}: {kind} ignored (Sapat records when answers start and "
                          "are submitted)")
            return None
        if kind in _OTHER_META:
            self.refuse(row, "type", f"the metadata '{raw_type}' is not recorded by Sapat")
            return None
        if select:
            if select.group("other"):
                self.refuse(row, "type", "'or_other' (a free-text other option) is not supported")
                return None
            return self.select(row, select, path)
        if kind in ("integer", "int", "decimal"):
            return self.number(row, kind != "decimal")
        if kind in ("text", "string"):
            return self.text(row)
        if kind == "calculate":
            self.refuse(row, "type", "calculations are not supported")
        elif kind.startswith(("select_one_from_file", "select_multiple_from_file", "select one from file",
                              "select_one_external", "select multiple from file", "rank", "osm")):
            self.refuse(row, "type", f"'{raw_type}': choices from files, external lists and ranking are not "
                                     "supported")
        else:
            self.refuse(row, "type", f"'{raw_type}' has no Sapat item type (single, multi, likert, matrix, "
                                     "number, text, yes_no, criterion)")
        return None

    def number(self, row: _Row, integer: bool) -> dict:
        item = self.base_item(row, "number")
        item["integer"] = integer
        self.appearance(row, set())
        constraint = self.get(row, "constraint")
        if constraint:
            try:
                lo, hi = _bounds(constraint, ".", item["key"], integer)
            except _Refused as error:
                self.refuse(row, "constraint", f"{error.reason} in {constraint!r}")
            else:
                if lo is not None:
                    item["min"] = lo
                if hi is not None:
                    item["max"] = hi
        self.required(row, item, True)
        self.no_sapat(row, "sapat::scale", "sapat::reverse", "sapat::labels", "sapat::allow_comment")
        self.targets[self.get(row, "name")] = _Target(item["key"])
        return item

    def text(self, row: _Row) -> dict:
        item = self.base_item(row, "text")
        item["multiline"] = "multiline" in self.appearance(row, {"multiline"}).split()
        constraint = self.get(row, "constraint")
        if constraint:
            try:
                lo, hi = _bounds(constraint, "string-length", item["key"], True)
                if lo is not None or hi is None or not 1 <= hi <= 5000:
                    raise _Refused("only a maximum length string-length(.) <= n (1..5000) is supported")
                item["max_length"] = int(hi)
            except _Refused as error:
                self.refuse(row, "constraint", f"{error.reason} in {constraint!r}")
        self.required(row, item, False)
        self.no_sapat(row, "sapat::scale", "sapat::reverse", "sapat::labels", "sapat::allow_comment")
        self.targets[self.get(row, "name")] = _Target(item["key"])
        return item

    def use_list(self, row: _Row, list_name: str) -> Optional[_List]:
        lst = self.lists.get(list_name)
        if lst is None:
            self.refuse(row, "type", f"no choice list '{list_name}' on the choices sheet")
            return None
        lst.used = True
        _choice_texts(self.ctx, self.ctx.sheets["choices"], lst)
        return lst

    def select(self, row: _Row, match, path: str) -> Optional[dict]:
        multi = "multiple" in match.group("kind").lower() or "all" in match.group("kind").lower()
        lst = self.use_list(row, match.group("list"))
        if lst is None:
            return None
        appearance = self.appearance(row, {"likert"})
        forced = self.get(row, "sapat::type")
        kind, reason = _classify("select_multiple" if multi else "select_one", lst.choices, appearance,
                                 self.ctx.kind)
        if forced:
            allowed = ("multi",) if multi else ("single", "likert", "yes_no", "criterion")
            if forced not in allowed:
                self.refuse(row, "sapat::type", f"'{forced}' cannot be a {match.group('kind')}")
                return None
            kind, reason = forced, ""
        if not kind:
            self.refuse(row, "type", f"list '{lst.name}': {reason}")
            return None
        item = self.base_item(row, kind)
        name = self.get(row, "name")
        choices = lst.choices
        if kind in ("single", "multi"):
            item["options"] = []
            for n, c in enumerate(choices):
                option = {"key": c.name, "text": c.labels}
                if c.score:
                    try:
                        option["score"] = float(c.score)
                    except ValueError:
                        self.ctx.refuse("choices", c.row, "sapat_score", f"'{c.score}' is not a number")
                self.ctx.locations[f"{path}.options[{n}]"] = ("choices", c.row)
                item["options"].append(option)
            points = None
        elif kind == "likert":
            item["points"] = len(choices)
            points = _points(choices)
            self.likert_labels(row, item, lst)
            self.poles(row, item)
        elif kind == "yes_no":
            points = None
            if [c.labels for c in choices] not in ([YES.model_dump(), NO.model_dump()],
                                                   [NO.model_dump(), YES.model_dump()]):
                self.ctx.note(f"survey row {row.number}: list '{lst.name}' read as yes/no: Sapat shows its "
                              "own yes/no texts")
        else:  # criterion
            levels = []
            for c in choices:
                if c.name == "na":
                    item["allow_na"] = True
                    continue
                score = _int_name(c.name)
                if score is None or score > 100:
                    self.ctx.refuse("choices", c.row, "name", f"level '{c.name}' is not a score 0..100")
                    continue
                level = {"score": score, "label": c.labels}
                if c.descriptor:
                    level["descriptor"] = c.descriptor
                levels.append(level)
            item["levels"] = levels
            allow_comment = self.get(row, "sapat::allow_comment")
            if allow_comment:
                item["allow_comment"] = self.flag(row, "sapat::allow_comment")
            points = None
        if kind != "criterion" and self.get(row, "sapat::allow_comment"):
            self.refuse(row, "sapat::allow_comment", "only a criterion has allow_comment")
        if kind not in ("likert",) and (self.get(row, "sapat::labels") or self.has_poles(row)):
            self.refuse(row, "sapat::labels", "labels and poles belong to likert items")
        if kind in ("single", "likert", "yes_no", "criterion"):
            self.scale_fields(row, item, ("single", "likert", "yes_no", "criterion"))
        else:
            self.no_sapat(row, "sapat::scale", "sapat::reverse")
        if multi:
            constraint = self.get(row, "constraint")
            if constraint:
                try:
                    lo, hi = _bounds(constraint, "count-selected", item["key"], True)
                    if lo is not None:
                        item["min_choices"] = int(lo)
                    if hi is not None:
                        item["max_choices"] = int(hi)
                except _Refused as error:
                    self.refuse(row, "constraint", f"{error.reason} in {constraint!r}")
        elif self.get(row, "constraint"):
            self.refuse(row, "constraint", "a constraint on a select_one is not supported")
        default = bool(item.get("min_choices")) if multi else True
        self.required(row, item, default)
        if any(c.score for c in choices) and kind not in ("single", "multi"):
            self.ctx.refuse("choices", choices[0].row, "sapat_score", f"scores belong to single/multi options, "
                            f"not to a {kind} list")
        if kind != "criterion" and any(c.descriptor for c in choices):
            self.ctx.refuse("choices", choices[0].row, "sapat_descriptor_ky", "descriptors belong to the levels "
                            f"of a criterion, not to a {kind} list")
        self.targets[name] = _Target(item["key"], multi=multi, points=points, names={c.name for c in choices})
        return item

    def has_poles(self, row: _Row) -> bool:
        return any(self.get(row, b) for b in ("sapat::left", "sapat::right")) or any(
            row.cells.get(i, "").strip() for base in ("sapat::left", "sapat::right")
            for i in self.sheet.columns(base))

    def likert_labels(self, row: _Row, item: dict, lst: _List):
        marker = self.get(row, "sapat::labels")
        if marker == "none":
            if any(c.labels and any(v != c.name for v in c.labels.values()) for c in lst.choices):
                self.refuse(row, "sapat::labels", f"'none', but list '{lst.name}' labels its points")
        elif marker:
            self.refuse(row, "sapat::labels", "the only value is 'none'")
        else:
            item["labels"] = [c.labels for c in lst.choices]

    def matrix(self, node: _Node, path: str) -> Optional[dict]:
        row = node.row
        self.accept(row)
        self.ctx.locations[path] = (self.sheet.title, row.number)
        item: dict[str, Any] = {"key": self.name(row), "type": "matrix"}
        item["text"] = self.texts(row, "label", required=True)
        help_text = self.texts(row, "hint", required=False)
        if help_text:
            item["help"] = help_text
        self.appearance(row, {"table-list"})
        show_if = self.show_if(row)
        if show_if is not None:
            item["show_if"] = show_if
        rows, lst, required = [], None, set()
        prefix = item["key"] + "__"
        for child in node.children:
            crow = child.row
            match = _SELECT.match(" ".join(self.get(crow, "type").split()))
            if child.type == "note" or not match or "one" not in match.group("kind").lower() \
                    or match.group("other"):
                self.refuse(crow, "type", "a table-list group (a matrix) holds only select_one rows over one list")
                continue
            appearance = self.get(crow, "appearance").lower().split()
            if "label" in appearance:
                self.ctx.note(f"survey row {crow.number}: the table-list header row is ignored")
                continue
            this = self.use_list(crow, match.group("list"))
            if this is None:
                continue
            if lst is None:
                lst = this
            elif this is not lst:
                self.refuse(crow, "type", f"every row of a matrix uses one list ('{lst.name}')")
                continue
            if self.get(crow, "relevant"):
                self.refuse(crow, "relevant", "a matrix row cannot have its own condition (put it on the group)")
            name = self.get(crow, "name")
            entry: dict[str, Any] = {"key": name[len(prefix):] if name.startswith(prefix) else name}
            if not re.fullmatch(KEY_PATTERN, entry["key"]):
                self.refuse(crow, "name", f"'{name}' is not a Sapat key")
            marker = self.get(crow, "sapat::text")
            if marker not in ("", "none"):
                self.refuse(crow, "sapat::text", "the only value is 'none'")
            text = self.texts(crow, "label", required=marker != "none")  # with 'none': the poles, shown
            text = None if marker == "none" else text
            if text:
                entry["text"] = text
            self.poles(crow, entry)
            if self.get(crow, "sapat::scale"):
                entry["scale"] = self.get(crow, "sapat::scale")
            if self.get(crow, "sapat::reverse") and self.flag(crow, "sapat::reverse"):
                entry["reverse"] = True
            raw = self.get(crow, "required").lower()
            if raw not in _YESNO_WORDS:
                self.refuse(crow, "required", f"'{raw}' is not yes or no")
            required.add(_YESNO_WORDS.get(raw, False))
            self.ctx.locations[f"{path}.rows[{len(rows)}]"] = (self.sheet.title, crow.number)
            self.accept(crow)
            self.names.add(name)
            self.targets[name] = _Target(f"{item['key']}.{entry['key']}")
            rows.append((crow, entry))
        if lst is None:
            self.refuse(row, "type", "a table-list group without select_one rows")
            return None
        kind, reason = _classify("select_one", lst.choices, "likert", "survey")
        if kind != "likert":
            self.refuse(row, "type", f"list '{lst.name}' is not a scale (a matrix needs one): {reason or kind}")
            return None
        item["points"] = len(lst.choices)
        for crow, _entry in rows:
            target = self.targets[self.get(crow, "name")]
            target.points, target.names = _points(lst.choices), {c.name for c in lst.choices}
        self.likert_labels(row, item, lst)
        item["rows"] = [entry for _crow, entry in rows]
        if len(required) > 1:
            self.refuse(row, "required", "the rows of a matrix are either all required or all optional")
        elif required:
            value = required.pop()
            stored = self.get(row, "sapat::required").lower()
            if stored in ("yes", "no"):
                item["required"] = stored == "yes"
            elif stored:
                self.refuse(row, "sapat::required", f"'{stored}' is not yes or no")
            elif not value:
                item["required"] = value
        return item


def _points(choices: list[_Choice]) -> Optional[dict[str, int]]:
    """Option name -> point for a scale of named options (agree, ...); None when named 1..k."""
    if [c.name for c in choices] == [str(i) for i in range(1, len(choices) + 1)]:
        return None
    return {c.name: i for i, c in enumerate(choices, start=1)}


def _canonical(conditions: list) -> list:
    """Conditions compared as Sapat compares answers (normalized values), for sapat::show_if."""
    from surveys.schema import normalize

    out = []
    for c in conditions:
        c = dict(c)
        for op in ("equals", "not"):
            if op in c:
                out.append((c["item"], op, normalize(c[op])))
        if "in" in c and len(c["in"]) == 1:  # in: [v] holds exactly when equals: v does
            out.append((c["item"], "equals", normalize(c["in"][0])))
        elif "in" in c:
            out.append((c["item"], "in", tuple(sorted(normalize(v) for v in c["in"]))))
    return sorted(out)


# --- the writer ---------------------------------------------------------------------------
def _fmt_number(value: float) -> str:
    if isinstance(value, bool):
        raise TypeError(value)
    if float(value).is_integer() and math.isfinite(value):
        return str(int(value))
    return repr(float(value))


def _literal_xpath(value) -> Optional[str]:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, (int, float)):
        return _fmt_number(value) if isinstance(value, int) or math.isfinite(value) else None
    value = str(value)
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise TypeError(value)


def _texts(prefix: str, text: Optional[Text]) -> dict[str, str]:
    if text is None:
        return {}
    return {f"{prefix}::{LANGUAGE_COLUMNS[c]}": getattr(text, c) for c in LANGS}


_SURVEY_ORDER = (["type", "name"] + [f"label::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                 + [f"hint::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                 + ["required", "relevant", "constraint", "appearance", "sapat::type", "sapat::scale",
                    "sapat::reverse", "sapat::required", "sapat::show_if", "sapat::text", "sapat::labels"]
                 + [f"sapat::left::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                 + [f"sapat::right::{LANGUAGE_COLUMNS[c]}" for c in LANGS] + ["sapat::allow_comment"])
# Extra columns of the choices sheet become data of each choice in the XForm (as for choice
# filters), so they are flat names there: sapat_score, sapat_descriptor_ky / _ru / _en.
_CHOICES_ORDER = (["list_name", "name"] + [f"label::{LANGUAGE_COLUMNS[c]}" for c in LANGS] + ["sapat_score"]
                  + [f"sapat_descriptor_{c}" for c in LANGS])


class _Writer:
    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.survey: list[dict[str, str]] = []
        self.choices: list[dict[str, str]] = []
        self.lists: dict[str, str] = {}  # signature -> list name
        self.list_names: set[str] = set()
        self.xls_name: dict[str, str] = {}  # Sapat answer key -> XLSForm name
        self.targets: dict[str, _Target] = {}  # XLSForm name -> what read_xlsform will see
        self.taken: set[str] = set()
        for item in instrument.items():
            self.taken.add(item.key)
            if isinstance(item, MatrixItem):
                for row in item.rows:
                    self.taken.add(f"{item.key}__{row.key}")

    def unique(self, base: str, taken: set[str]) -> str:
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    # -- choice lists --
    def choice_list(self, preferred: str, choices: list[dict[str, str]]) -> str:
        signature = json.dumps(choices, sort_keys=True, ensure_ascii=False)
        if signature in self.lists:
            return self.lists[signature]
        name = self.unique(preferred, self.list_names)
        self.lists[signature] = name
        for choice in choices:
            self.choices.append({"list_name": name, **choice})
        return name

    def scale_list(self, points: int, labels: Optional[list[Text]]) -> tuple[str, list[_Choice]]:
        rows = []
        for i in range(1, points + 1):
            text = labels[i - 1] if labels else Text(ky=str(i), ru=str(i), en=str(i))
            rows.append({"name": str(i), **_texts("label", text)})
        return self.choice_list(f"scale{points}", rows), _choices_of(rows)

    # -- conditions --
    def relevant(self, show_if) -> tuple[str, str]:
        """(relevant, sapat::show_if) for a show_if; the second only where the first is not exact."""
        if show_if is None:
            return "", ""
        parts = []
        conditions = condition_list(show_if)
        for cond in conditions:
            name = self.xls_name[cond.item]
            ref = "${" + name + "}"
            multi = self.targets[name].multi
            try:
                if cond.equals is not None:
                    lit = _literal_xpath(cond.equals)
                    parts.append(f"selected({ref}, {lit})" if multi else f"{ref} = {lit}")
                elif cond.in_ is not None:
                    lits = [_literal_xpath(v) for v in cond.in_]
                    alts = [f"selected({ref}, {lit})" if multi else f"{ref} = {lit}" for lit in lits]
                    joined = " or ".join(alts)
                    parts.append(f"({joined})" if len(conditions) > 1 and len(alts) > 1 else joined)
                else:
                    lit = _literal_xpath(cond.not_)
                    parts.append(f"count-selected({ref}) > 0 and not(selected({ref}, {lit}))" if multi
                                 else f"{ref} != '' and {ref} != {lit}")
            except TypeError:
                raise ValueError(f"the condition value of {cond.item!r} holds both ' and \", which XPath "
                                 "cannot quote") from None
        expr = " and ".join(parts)
        original = [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in conditions]
        parsed = _conditions(expr, self.targets)
        same = json.dumps(parsed, sort_keys=True) == json.dumps(original, sort_keys=True)
        if same and isinstance(show_if, list) == (len(parsed) > 1):
            return expr, ""
        dumped = (original if isinstance(show_if, list) else original[0])
        return expr, json.dumps(dumped, ensure_ascii=False)

    # -- rows --
    def required(self, row: dict, item, default: bool):
        effective = item.is_required
        if effective:
            row["required"] = "yes"
        read_back = None if effective == default else effective
        if read_back != item.required:
            row["sapat::required"] = "yes" if item.required else "no"

    def common(self, row: dict, item, type_: str):
        row.update({"type": type_, "name": item.key, **_texts("label", item.text), **_texts("hint", item.help)})
        relevant, exact = self.relevant(item.show_if)
        if relevant:
            row["relevant"] = relevant
        if exact:
            row["sapat::show_if"] = exact
        if getattr(item, "scale", None):
            row["sapat::scale"] = item.scale
        if getattr(item, "reverse", False):
            row["sapat::reverse"] = "yes"

    def poles(self, row: dict, left: Optional[Text], right: Optional[Text], text: Optional[Text]):
        """sapat::left / sapat::right; without a text the label shows the poles (sapat::text none)."""
        row.update(_texts("sapat::left", left))
        row.update(_texts("sapat::right", right))
        if text is None:
            row["sapat::text"] = "none"
            row.update({f"label::{LANGUAGE_COLUMNS[c]}": f"{getattr(left, c)} — {getattr(right, c)}" for c in LANGS})

    def item(self, item) -> None:
        if isinstance(item, MatrixItem):
            return self.matrix(item)
        row: dict[str, str] = {}
        kind = self.instrument.kind
        multi = isinstance(item, MultiItem)
        names = None
        if isinstance(item, (SingleItem, MultiItem)):
            select = "select_multiple" if multi else "select_one"
            rows = []
            for o in item.options:
                entry = {"name": o.key, **_texts("label", o.text)}
                if o.score is not None:
                    entry["sapat_score"] = _fmt_number(o.score)
                rows.append(entry)
            self.common(row, item, f"{select} {self.choice_list(item.key, rows)}")
            if multi:
                bounds = []
                if item.min_choices is not None:
                    bounds.append(f"count-selected(.) >= {item.min_choices}")
                if item.max_choices is not None:
                    bounds.append(f"count-selected(.) <= {item.max_choices}")
                if bounds:
                    row["constraint"] = " and ".join(bounds)
            self.required(row, item, bool(item.min_choices) if multi else True)
            found, _ = _classify(select, _choices_of(rows), "", kind)
            names = {o.key for o in item.options}
        elif isinstance(item, LikertItem):
            name, choices = self.scale_list(item.points, item.labels)
            self.common(row, item, f"select_one {name}")
            row["appearance"] = "likert"
            if item.labels is None:
                row["sapat::labels"] = "none"
            self.poles(row, item.left, item.right, item.text)
            self.required(row, item, True)
            found, _ = _classify("select_one", choices, "likert", kind)
            names = {c.name for c in choices}
        elif isinstance(item, YesNoItem):
            rows = [{"name": "yes", **_texts("label", YES)}, {"name": "no", **_texts("label", NO)}]
            self.common(row, item, f"select_one {self.choice_list('yes_no', rows)}")
            self.required(row, item, True)
            found, _ = _classify("select_one", _choices_of(rows), "", kind)
            names = {"yes", "no"}
        elif isinstance(item, CriterionItem):
            rows = []
            for level in item.levels:
                entry = {"name": str(level.score), **_texts("label", level.label)}
                if level.descriptor is not None:
                    entry.update({f"sapat_descriptor_{c}": getattr(level.descriptor, c) for c in LANGS})
                rows.append(entry)
            if item.allow_na:
                rows.append({"name": "na", **_texts("label", NOT_APPLICABLE)})
            self.common(row, item, f"select_one {self.choice_list('levels', rows)}")
            if not item.allow_comment:
                row["sapat::allow_comment"] = "no"
            self.required(row, item, True)
            found, _ = _classify("select_one", _choices_of(rows), "", kind)
            names = {r["name"] for r in rows}
        elif isinstance(item, NumberItem):
            self.common(row, item, "integer" if item.integer else "decimal")
            bounds = []
            if item.min is not None:
                bounds.append(f". >= {_fmt_number(item.min)}")
            if item.max is not None:
                bounds.append(f". <= {_fmt_number(item.max)}")
            if bounds:
                row["constraint"] = " and ".join(bounds)
            self.required(row, item, True)
            found = "number"
        elif isinstance(item, TextItem):
            self.common(row, item, "text")
            if item.max_length != 1000:
                row["constraint"] = f"string-length(.) <= {item.max_length}"
            if item.multiline:
                row["appearance"] = "multiline"
            self.required(row, item, False)
            found = "text"
        else:  # pragma: no cover - every item type is handled above
            raise TypeError(f"unknown item type {type(item).__name__}")
        if found != item.type:
            row["sapat::type"] = item.type
        self.xls_name[item.key] = item.key
        self.targets[item.key] = _Target(item.key, multi=multi, names=names)
        self.survey.append(row)

    def matrix(self, item: MatrixItem):
        group = {"type": "begin group", "name": item.key, **_texts("label", item.text),
                 **_texts("hint", item.help), "appearance": "table-list"}
        relevant, exact = self.relevant(item.show_if)
        if relevant:
            group["relevant"] = relevant
        if exact:
            group["sapat::show_if"] = exact
        if item.labels is None:
            group["sapat::labels"] = "none"
        effective = item.is_required
        read_back = None if effective else False
        if read_back != item.required:
            group["sapat::required"] = "yes" if item.required else "no"
        self.survey.append(group)
        name, _choices = self.scale_list(item.points, item.labels)
        for r in item.rows:
            row = {"type": f"select_one {name}", "name": f"{item.key}__{r.key}", **_texts("label", r.text)}
            if effective:
                row["required"] = "yes"
            if r.scale:
                row["sapat::scale"] = r.scale
            if r.reverse:
                row["sapat::reverse"] = "yes"
            self.poles(row, r.left, r.right, r.text)
            self.xls_name[f"{item.key}.{r.key}"] = f"{item.key}__{r.key}"
            self.targets[f"{item.key}__{r.key}"] = _Target(f"{item.key}.{r.key}",
                                                          names={str(i) for i in range(1, item.points + 1)})
            self.survey.append(row)
        self.survey.append({"type": "end group", "name": item.key})

    def build(self):
        inst = self.instrument
        if inst.description is not None:
            self.survey.append({"type": "note", "name": self.unique("description", self.taken),
                                **_texts("label", inst.description)})
        self.taken.update(s.key for s in inst.sections)
        for section in inst.sections:
            group = {"type": "begin group", "name": section.key, **_texts("label", section.title)}
            relevant, exact = self.relevant(section.show_if)
            if relevant:
                group["relevant"] = relevant
            if exact:
                group["sapat::show_if"] = exact
            self.survey.append(group)
            if section.intro is not None:
                self.survey.append({"type": "note", "name": self.unique(f"{section.key}_intro", self.taken),
                                    **_texts("label", section.intro)})
            for item in section.items:
                self.item(item)
            self.survey.append({"type": "end group", "name": section.key})


def _choices_of(rows: list[dict[str, str]]) -> list[_Choice]:
    return [_Choice(0, r["name"], {c: r.get(f"label::{LANGUAGE_COLUMNS[c]}", "") for c in LANGS},
                    r.get("sapat_score", "")) for r in rows]


def _write_sheet(workbook, title: str, order: list[str], rows: list[dict[str, str]], bold):
    columns = [c for c in order if c in ("type", "name", "list_name") or any(r.get(c) for r in rows)]
    extra = sorted({k for r in rows for k in r} - set(columns) - set(order))
    columns += extra
    sheet = workbook.add_worksheet(title)
    for col, header in enumerate(columns):
        sheet.write_string(0, col, header, bold)
    for n, row in enumerate(rows, start=1):
        for col, header in enumerate(columns):
            value = row.get(header)
            if value and sheet.write_string(n, col, value) != 0:
                raise ValueError(f"{title} row {n + 1}, {header}: the text is too long for Excel")
    sheet.freeze_panes(1, 0)
    return sheet


def write_xlsform(instrument: Instrument, target) -> None:
    """Write `instrument` as an XLSForm .xlsx to `target` (a path, or a writable binary stream).

    Sheets: survey, choices, settings, and sapat_scales / sapat_sources when the instrument has
    scales / sources. Every text is written with write_string (a text beginning with '=' stays a
    text). read_xlsform(target) gives back an equal Instrument; see the module doc for the mapping.
    Raises ValueError for a text longer than an Excel cell holds (32,767 characters).
    """
    import xlsxwriter

    writer = _Writer(instrument)
    writer.build()
    stream = not isinstance(target, (str, Path))
    workbook = xlsxwriter.Workbook(target if stream else str(target), {"in_memory": True} if stream else {})
    try:
        bold = workbook.add_format({"bold": True})
        _write_sheet(workbook, "survey", _SURVEY_ORDER, writer.survey, bold)
        _write_sheet(workbook, "choices", _CHOICES_ORDER, writer.choices, bold)
        settings = {"form_title": instrument.title.ru, "form_id": instrument.key,
                    "version": str(instrument.version), "default_language": LANGUAGE_COLUMNS["ru"],
                    "sapat::kind": instrument.kind, **_texts("sapat::title", instrument.title)}
        if instrument.audience:
            settings["sapat::audience"] = " ".join(instrument.audience)
        if instrument.grades is not None:
            settings["sapat::grades"] = " ".join(str(g) for g in instrument.grades) or "[]"
        _write_sheet(workbook, "settings", list(settings), [settings], bold)
        if instrument.scales:
            rows = [{"key": s.key, **_texts("title", s.title), **_texts("description", s.description)}
                    for s in instrument.scales]
            order = (["key"] + [f"title::{LANGUAGE_COLUMNS[c]}" for c in LANGS]
                     + [f"description::{LANGUAGE_COLUMNS[c]}" for c in LANGS])
            _write_sheet(workbook, "sapat_scales", order, rows, bold)
        if instrument.sources:
            _write_sheet(workbook, "sapat_sources", ["source"], [{"source": s} for s in instrument.sources], bold)
    finally:
        workbook.close()
