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


class SafeWorkbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook with strings never converted to formulas, numbers or links and
    every worksheet a SafeWorksheet."""

    worksheet_class = SafeWorksheet

    def __init__(self, target, options=None):
        options = dict(options or {})
        options.update(strings_to_formulas=False, strings_to_urls=False, strings_to_numbers=False)
        super().__init__(target, options)
