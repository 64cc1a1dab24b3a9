"""The shared core of every Sapat workbook.

Every workbook is a SafeWorkbook (core.xlsx_output): strings_to_formulas/urls/numbers off,
every text cell written as a string, and text that begins with = + - @ tab or CR prefixed
with an apostrophe (said on the notes sheet), so a value typed by a user can never become a
formula or a link, not even after a CSV re-save. Large workbooks use constant_memory with a temporary directory: rows are written in
order and memory stays flat. Each sheet starts with a title block (title, school,
period, generated-at, filters), has a frozen header row and an autofilter; a final
"notes" sheet describes every sheet and formula.
"""
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional, Sequence

import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from xlsxwriter.utility import xl_rowcol_to_cell

from app.services.core import clock
from app.services.core.xlsx_output import SafeWorkbook, apostrophe_note

TEXT, INT, NUMBER, PCT, MEAN, DATE = "text", "int", "number", "pct", "mean", "date"
HEADER_ROW = 6  # rows 0-4: title block, row 5 blank
SHEET_NAME_LIMIT = 31  # Excel's
# An indicator's unit as the number format of its value: counts whole, rates and indices with
# one decimal, means with two.
UNIT_KINDS = {"count": INT, "flag": INT, "percent": PCT, "index": PCT, "mean": MEAN, "points": MEAN,
              "ratio": MEAN}


def kind_of_unit(unit: str) -> str:
    return UNIT_KINDS.get(unit, NUMBER)


@dataclass
class Column:
    header: str
    kind: str = TEXT
    width: Optional[float] = None


def new_temp_path(prefix: str = "sapat-") -> str:
    """A path for a workbook that a view streams and then deletes."""
    handle, path = tempfile.mkstemp(prefix=prefix, suffix=".xlsx")
    os.close(handle)
    return path


class Formats:
    """Created once per workbook (XlsxWriter formats are per workbook, not per cell)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.meta = add({"italic": True, "font_color": "#555555"})
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        self.text = add({"text_wrap": False})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.int = add({"num_format": "0"})
        self.number = add({"num_format": "General"})  # "0.##" showed a whole count as "17."
        self.pct = add({"num_format": "0.0"})
        self.mean = add({"num_format": "0.00"})
        self.date = add({"num_format": "dd.mm.yyyy"})
        self.suppressed = add({"bg_color": "#EEEEEE", "font_color": "#777777", "italic": True})
        self.bold = add({"bold": True})

        self._by_kind = {INT: self.int, NUMBER: self.number, PCT: self.pct, MEAN: self.mean, DATE: self.date,
                         TEXT: self.text}

    def for_kind(self, kind: str):
        return self._by_kind.get(kind, self.text)


class SheetWriter:
    """Writes one table: a title block, a header row, then rows in order."""

    def __init__(self, book: "WorkbookWriter", name: str, title: str, columns: Sequence[Column]):
        self.book = book
        self.columns = list(columns)
        self.sheet = book.workbook.add_worksheet(_safe_sheet_name(name, book.sheet_names))
        self.next_row = HEADER_ROW + 1
        f = book.formats
        self.sheet.write_string(0, 0, title, f.title)
        self.sheet.write_string(1, 0, book.school_name, f.meta)
        self.sheet.write_string(2, 0, book.period, f.meta)
        self.sheet.write_string(3, 0, _("Generated: %(when)s", when=book.generated_at.strftime("%d.%m.%Y %H:%M")), f.meta)
        if book.filters:
            self.sheet.write_string(4, 0, "; ".join(f"{k}: {v}" for k, v in book.filters.items()), f.meta)
        for col, column in enumerate(self.columns):
            width = column.width or (10 if column.kind != TEXT else max(14, min(40, len(column.header) + 2)))
            self.sheet.set_column(col, col, width)
            self.sheet.write_string(HEADER_ROW, col, column.header, f.header)
        self.sheet.freeze_panes(HEADER_ROW + 1, 0)
        self._cell_formats = [f.for_kind(c.kind) for c in self.columns]
        self._text_columns = [c.kind == TEXT for c in self.columns]

    def write_row(self, values: Sequence[Any], suppressed: Iterable[int] = (),
                  kinds: Optional[dict[int, str]] = None) -> int:
        """Write a row; columns listed in `suppressed` are left blank and greyed, and other
        empty values are not written at all (a blank cell shows nothing either way). `kinds`:
        the number kind of some cells of this row when it differs from their column's (an
        indicator's value by its unit).

        This is the inner loop of every large workbook: plain strings in text columns and
        plain numbers in number columns take the direct path; anything else goes through
        write_cell, which never lets a value become a formula."""
        row = self.next_row
        hidden = set(suppressed) if suppressed else ()
        f = self.book.formats
        sheet = self.sheet
        written = 0
        for col, (column, is_text, fmt, value) in enumerate(
                zip(self.columns, self._text_columns, self._cell_formats, values)):
            if col in hidden:
                sheet.write_blank(row, col, None, f.suppressed)
            elif value is None or value == "":
                continue
            elif kinds and col in kinds:
                write_cell(sheet, row, col, value, kinds[col], f)
            elif is_text and value.__class__ is str:
                sheet.write_string(row, col, value, fmt)
            elif not is_text and value.__class__ in (int, float):
                sheet.write_number(row, col, value, fmt)
            else:
                write_cell(sheet, row, col, value, column.kind, f)
            written += 1
        self.next_row += 1
        self.book.cells += written
        return row

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.write_row(values)

    @property
    def last_row(self) -> int:
        return self.next_row - 1

    def finish(self) -> None:
        """Autofilter over the table (call after the last row)."""
        self.sheet.autofilter(HEADER_ROW, 0, max(self.last_row, HEADER_ROW), max(len(self.columns) - 1, 0))

    def add_chart(self, title: str, value_columns: Sequence[int], *, category_column: int = 0,
                  first_row: Optional[int] = None, last_row: Optional[int] = None, kind: str = "column",
                  subtype: Optional[str] = None, y_title: Optional[str] = None, y_max: Optional[float] = None,
                  anchor: Optional[str] = None, size: tuple[int, int] = (720, 360)):
        """A native Excel chart of this table: one series per value column, categories from
        `category_column`, over the data rows (default: all rows written so far).

        Call it after the rows are written; it is placed right of the table unless `anchor`
        (e.g. "J8") says otherwise. Returns the XlsxWriter chart, or None for an empty table.
        """
        first = HEADER_ROW + 1 if first_row is None else first_row
        last = self.last_row if last_row is None else last_row
        if last < first:
            return None
        options = {"type": kind}
        if subtype:
            options["subtype"] = subtype
        chart = self.book.workbook.add_chart(options)
        name = self.sheet.get_name()
        for col in value_columns:
            chart.add_series({
                "name": [name, HEADER_ROW, col],
                "categories": [name, first, category_column, last, category_column],
                "values": [name, first, col, last, col],
                "gap": 60,
            })
        chart.set_title({"name": title, "name_font": {"size": 12}})
        axis = {"major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}}
        if y_title:
            axis["name"] = y_title
        if y_max is not None:
            axis["max"] = y_max
            axis["min"] = 0
        chart.set_y_axis(axis)
        chart.set_legend({"position": "bottom"} if len(value_columns) > 1 else {"none": True})
        chart.set_size({"width": size[0], "height": size[1]})
        where = anchor or xl_rowcol_to_cell(HEADER_ROW, len(self.columns) + 1)
        self.sheet.insert_chart(where, chart)
        self.book.charts += 1
        return chart


def write_cell(sheet, row: int, col: int, value: Any, kind: str, formats: Formats) -> None:
    """Numbers as numbers, dates as dates, and anything else strictly as a string."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats.for_kind(kind))
    elif kind in (INT, NUMBER, PCT, MEAN) and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, formats.for_kind(kind))
    elif kind == DATE and isinstance(value, (date, datetime)):
        sheet.write_datetime(row, col, value, formats.date)
    else:
        sheet.write_string(row, col, str(value), formats.for_kind(TEXT))


def _safe_sheet_name(name: str, taken: set) -> str:
    """The name as Excel allows it: without []:*?/\\, at most 31 characters, unique. Sheets'
    names are chosen short in every language (the full title is in the sheet's first row); a
    name cut here is a name to shorten in the catalogue (tests/exports/test_exports_annual_layout.py)."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:SHEET_NAME_LIMIT] or "Sheet"
    candidate, n = cleaned, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


class WorkbookWriter:
    """Opens a workbook with Sapat's safe settings; use as a context manager."""

    def __init__(self, target, *, school_name: str, period: str, filters: Optional[dict] = None,
                 constant_memory: bool = True, school=None):
        options = {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": constant_memory,
            "tmpdir": tempfile.gettempdir(),
        }
        if not isinstance(target, (str, os.PathLike)):
            options["in_memory"] = True
            options["constant_memory"] = False
        self.workbook = SafeWorkbook(target, options)
        self.formats = Formats(self.workbook)
        self.school_name = school_name
        self.period = period
        self.filters = filters or {}
        self.generated_at = clock.local_now(school)  # the school's wall clock (a School or zone name)
        self.sheet_names: set[str] = set()
        self.notes: list[tuple[str, str]] = []
        self.cells = 0  # non-empty data cells written through SheetWriter.write_row (for benchmarks)
        self.charts = 0

    def add_table(self, name: str, title: str, columns: Sequence[Column], description: str) -> SheetWriter:
        writer = SheetWriter(self, name, title, columns)
        self.notes.append((writer.sheet.get_name(), description))
        return writer

    def add_note(self, subject: str, text: str) -> None:
        """A line for the notes sheet, e.g. how a formula is computed."""
        self.notes.append((subject, text))

    def close(self) -> None:
        sheet = self.workbook.add_worksheet(_safe_sheet_name(_("Notes"), self.sheet_names))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 100)
        sheet.write_string(0, 0, _("Sheet"), self.formats.header)
        sheet.write_string(0, 1, _("What it shows"), self.formats.header)
        notes = [*self.notes, (_("Text"), apostrophe_note())]
        for row, (subject, text) in enumerate(notes, start=1):
            sheet.write_string(row, 0, subject, self.formats.bold)
            sheet.write_string(row, 1, text, self.formats.wrap)
        self.workbook.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            try:
                self.workbook.close()
            except Exception:  # noqa: BLE001 - the original error matters more
                pass
        return False


@contextmanager
def in_language(lang: Optional[str]):
    """Headers, titles and notes in `lang` (ky, ru or en): the CLI's --lang option and the
    background export jobs run inside this. Needs an app context; None keeps the current one."""
    if not lang:
        yield
        return
    from flask import g

    g.setdefault("_sapat_lang", lang)  # makes `g` non-empty so that Flask-Babel can switch it
    with force_locale(lang):
        yield


class Progress:
    """Reports a builder's progress as a percentage to `callback` (0-100), at most every
    `interval` seconds and only when the number changes; steps are weighted by `total`."""

    def __init__(self, callback: Optional[Callable[[int], None]], total: float = 100.0, interval: float = 0.3):
        self.callback = callback
        self.total = max(float(total), 1.0)
        self.done = 0.0
        self.interval = interval
        self._last_pct = -1
        self._last_time = 0.0

    def advance(self, amount: float = 1.0) -> None:
        self.done += amount
        self._report(force=False)

    def finish(self) -> None:
        self.done = self.total
        self._report(force=True)

    def _report(self, force: bool) -> None:
        if self.callback is None:
            return
        pct = min(100, int(self.done * 100 / self.total))
        now = time.monotonic()
        if pct != self._last_pct and (force or pct == 100 or now - self._last_time >= self.interval):
            self._last_pct, self._last_time = pct, now
            self.callback(pct)
