"""Reading uploaded spreadsheets and reporting problems row by row.

The file is opened by xlsx_safety (package checks, a bounded parser in a child process with
memory and time limits): a formula is read as the value Excel last saved for it, never
evaluated, and a cell holding an error value or a formula without a saved value is refused
with its address. Headers may be written in Kyrgyz, Russian or English. A refusal lists the
first IMPORT_ERRORS_SHOWN problems and counts by column; the full list goes to a workbook.
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Optional

from flask_babel import gettext as _

from app.services.core import dates
from app.services.core.text import clean
from app.services.core.xlsx_output import restore
from app.services.core.xlsx_safety import (  # noqa: F401 - SpreadsheetError is imported from here too
    BadCell,
    SpreadsheetError,
    normalise_header,
    read_upload,
)
from app.services.core.xlsx_sheets import read_table


@dataclass
class RowError:
    row: int  # 1-based row number as Excel shows it; 0 for the whole file
    column: Optional[str]
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d", row=self.row) if self.row else _("file")
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    tables: tuple[str, ...] = ()  # the tables the import writes: their statistics are refreshed after a large one
    sheet: Optional[str] = None  # the title of the sheet that was read (read_rows sets it)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, int]:
        return dict(self.counts)

    def add(self, row: int, column: Optional[str], message: str) -> None:
        self.errors.append(RowError(row, column, message))

    problems_url: Optional[str] = None  # where the full list of problems is downloaded (set by the page)

    @property
    def problems(self) -> "ProblemList":
        return ProblemList(self.errors, self.problems_url)

    @property
    def written(self) -> int:
        return self.counts.get("created", 0) + self.counts.get("updated", 0)


@dataclass
class ProblemList:
    """What a page (or the CLI) shows of a list of problems: the first `errors_shown()`, the
    number left out, counts by column and where the whole list is downloaded."""

    errors: list[RowError]
    url: Optional[str] = None

    @property
    def total(self) -> int:
        return len(self.errors)

    @property
    def shown(self) -> list[RowError]:
        return self.errors[:errors_shown()]

    @property
    def more(self) -> int:
        return max(0, len(self.errors) - errors_shown())

    @property
    def groups(self) -> list[tuple[str, int, str]]:
        return error_groups(self.errors) if self.more else []


def errors_shown() -> int:
    """How many problems a page or the CLI lists before "and N more" (IMPORT_ERRORS_SHOWN)."""
    from flask import current_app, has_app_context

    return current_app.config.get("IMPORT_ERRORS_SHOWN", 50) if has_app_context() else 50


def error_groups(errors: list[RowError]) -> list[tuple[str, int, str]]:
    """Problems counted by the column they are in (the whole file counts as one group):
    [(column or "", number of problems, the first one), ...], largest first."""
    groups: dict[str, list] = {}
    for error in errors:
        group = groups.setdefault(error.column or "", [0, error])
        group[0] += 1
    return sorted(((column, n, str(first)) for column, (n, first) in groups.items()), key=lambda g: -g[1])


def refresh_statistics_after(report: ImportReport) -> None:
    """After a committed import of at least IMPORT_ANALYZE_ROWS rows, fresh planner
    statistics for the tables it wrote (PostgreSQL). A school's first marks import lands in
    tables the planner believes small; until autovacuum notices, the dashboard's joins may be
    planned for a handful of rows. ANALYZE of the large demo's marks takes about 60 ms."""
    from flask import current_app

    from app.extensions import db, refresh_statistics

    if report.ok and report.tables and report.written >= current_app.config["IMPORT_ANALYZE_ROWS"]:
        refresh_statistics(db.session.connection(), report.tables)
        db.session.commit()


MAX_ROWS = 100_000  # about 12 s of reading and checking: a web request must not outlive its worker
MAX_COLUMNS = 100  # columns right of CV are not read (a header there is not found)


def read_rows(stream: IO[bytes], columns: dict[str, tuple[str, ...]], required: tuple[str, ...],
              report: Optional[ImportReport] = None) -> list[tuple[int, dict[str, Any]]]:
    """The non-empty data rows of the sheet carrying the header as (row_number, {column: value}).

    `columns` maps a canonical column name to its accepted header spellings; the sheet and its
    header row are chosen by xlsx_sheets.read_table (the one visible sheet whose header has
    every `required` column; merged header cells read; ambiguity refused). The file goes through xlsx_safety (package checks, bounded
    parse in a child with limits). A cell of a read column holding an Excel error value, a
    formula without a saved value or an over-long text is reported in `report` with its
    address and its row is left out (without a report such rows come as they are, with a
    BadCell value). Raises SpreadsheetError for a file that is refused or not a readable
    .xlsx, lacks a column or has more than MAX_ROWS data rows.
    """
    aliases = {
        normalise_header(alias): key
        for key, names in columns.items() for alias in (key, *names)
    }
    sheet = read_table(read_upload(stream), aliases=aliases, required=required, max_col=MAX_COLUMNS,
                       max_rows=MAX_ROWS)
    if sheet is None or not sheet.rows:
        raise SpreadsheetError(_("The workbook is empty."))
    if report is not None:
        report.sheet = sheet.title
    header = sheet.rows[0][1]
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = aliases.get(normalise_header(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [key for key in required if key not in positions]
    if missing:
        raise SpreadsheetError(_("No sheet has all the columns of this import: the sheet “%(sheet)s” lacks "
                                 "%(columns)s. Expected: %(expected)s.", sheet=sheet.title,
                                 columns=", ".join(missing), expected=", ".join(columns)))
    result = []
    for number, values in sheet.rows[1:]:
        row = {key: (values[index] if index < len(values) else None) for key, index in positions.items()}
        if report is not None:
            bad = [(key, value) for key, value in row.items() if isinstance(value, BadCell)]
            if bad:
                for key, value in bad:
                    report.add(number, key, value.message())
                continue
        result.append((number, row))
    return result


def template_workbook(sheet_name: str, headers: list[str], examples: list[tuple[str, ...]],
                      notes: list[str], widths: dict[int, float]) -> io.BytesIO:
    """A small upload template: a header row, example rows and a notes sheet (all strings)."""
    from app.services.core.xlsx_output import SafeWorkbook, apostrophe_note

    buffer = io.BytesIO()
    workbook = SafeWorkbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    sheet = workbook.add_worksheet(sheet_name)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    for row, values in enumerate(examples, start=1):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    notes_sheet = workbook.add_worksheet("notes")
    for row, line in enumerate([*notes, apostrophe_note()]):
        notes_sheet.write_string(row, 0, line)
    notes_sheet.set_column(0, 0, 90)
    workbook.close()
    buffer.seek(0)
    return buffer


def text(value: Any) -> str:
    """A cell as trimmed text: whole floats without ".0", control characters and their
    `_x0000_` escapes taken out (text.clean), and the apostrophe Sapat puts before text that
    begins with = + - @ (xlsx_output.neutralise) taken off again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore(clean(str(value))[0].strip())


def parse_date(value: Any) -> Optional[date]:
    """Dates from a date cell or text as 31.12.2012 / 2012-12-31 / 31/12/2012; ValueError for
    anything else, and its subclass dates.DateOutOfRange (its text the user's message) for a
    date outside 1900-2199 (01.01.0001, 31.12.9999, the serial 2958465)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return dates.check(value.date())
    if isinstance(value, date):
        return dates.check(value)
    if isinstance(value, (int, float)) and 1 <= value < 2_958_466:
        # A date cell without a date format arrives as an Excel serial number.
        from openpyxl.utils.datetime import from_excel

        return dates.check(from_excel(value).date())
    raw = text(value)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            day = datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
        return dates.check(day, raw)
    raise ValueError(raw)
