"""Every workbook Sapat writes is an XlsxWriter `SafeWorkbook`: text that could turn into a
formula gets a leading apostrophe, whichever write path a builder takes.

Text cells are always written as strings (strings_to_formulas is off), so `=HYPERLINK(...)`
in a student's name is shown, not run. But a CSV re-save, or an edit of the cell in Excel,
reads it again as a formula. OWASP ASVS 5.0 (1.2.10) asks for a leading apostrophe on text
that begins with = + - @, a tab or a carriage return: it is written as a visible character
(not Excel's quotePrefix style, which a CSV re-save drops), each workbook's notes say so,
and Sapat's own importers strip it again (xlsx_input.text), so its sheets round-trip.
"""
import xlsxwriter
from flask_babel import gettext as _
from xlsxwriter.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """`text` with a leading apostrophe when it begins with a formula trigger (a lone
    character such as "-" is left alone: it cannot be a formula)."""
    if len(text) > 1 and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of neutralise for text read back from a workbook."""
    if len(text) > 2 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def apostrophe_note() -> str:
    return _("Text that begins with =, +, -, @, a tab or a line break is written with a leading apostrophe "
             "(') so that Excel or a CSV copy never runs it as a formula; Sapat ignores that apostrophe "
             "when the file is imported again.")


class SafeWorksheet(Worksheet):
    """Every string write (write, write_string, write_row, the constant_memory path) passes
    through _write_string, so this is the one place that neutralises text."""

    def _write_string(self, row, col, string, cell_format=None):
        if string and string[0] in FORMULA_TRIGGERS:
            string = neutralise(string)
        return super()._write_string(row, col, string, cell_format)


SHEET_NAME_UNITS = 31  # Excel's limit, in UTF-16 code units
SHEET_NAME_FORBIDDEN = "[]:*?/\\"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    while _utf16(text) > units:
        text = text[:-1]
    return text


def sheet_name(name: str, taken) -> str:
    """`name` (user text: a class's name ...) as Excel allows a sheet's name: []:*?/\\ become _,
    no apostrophe at either end, at most 31 UTF-16 units, unique (case ignored) among `taken`
    with " (2)", " (3)" ... added."""
    cleaned = "".join("_" if ch in SHEET_NAME_FORBIDDEN else ch for ch in name).strip("'")
    cleaned = _cut(cleaned, SHEET_NAME_UNITS).strip("'") or "Sheet"
    used = {t.lower() for t in taken}
    candidate, n = cleaned, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = _cut(cleaned, SHEET_NAME_UNITS - len(suffix)).rstrip("'") + suffix, n + 1
    return candidate


class SafeWorkbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook with strings never converted to formulas, numbers or links,
    every worksheet a SafeWorksheet, and every sheet's name made valid (`sheet_name`: a name
    taken from user text never raises)."""

    worksheet_class = SafeWorksheet

    def __init__(self, target, options=None):
        options = dict(options or {})
        options.update(strings_to_formulas=False, strings_to_urls=False, strings_to_numbers=False)
        super().__init__(target, options)

    def add_worksheet(self, name=None, worksheet_class=None):
        if name:
            name = sheet_name(str(name), [sheet.name for sheet in self.worksheets()])
        return super().add_worksheet(name, worksheet_class)
