"""Reading uploaded spreadsheets safely and reporting problems row by row.

openpyxl opens the file read-only with data_only=True: a formula is read as the value
Excel last saved for it (or empty), never evaluated. Headers may be written in
Kyrgyz, Russian or English.
"""
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Optional

from flask_babel import gettext as _


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

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, int]:
        return dict(self.counts)

    def add(self, row: int, column: Optional[str], message: str) -> None:
        self.errors.append(RowError(row, column, message))

    @property
    def written(self) -> int:
        return self.counts.get("created", 0) + self.counts.get("updated", 0)


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


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read; the message is translated."""


def _normalise_header(value: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(value or "")).strip().lower().replace("ё", "е")


def open_workbook(stream: IO[bytes]):
    """Open an uploaded .xlsx read-only, with cached values instead of formulas. A file that
    is not one (old .xls, password-protected, anything else, damaged) raises SpreadsheetError
    with a message saying what to do; the caller closes the workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("The file is password-protected or in the old .xls format. "
                                 "Save it as an unprotected .xlsx workbook."))
    if not head.startswith(b"PK"):
        raise SpreadsheetError(_("This is not an .xlsx workbook. Save the file as .xlsx (Excel) and try again."))
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise SpreadsheetError(_("The workbook could not be read. Save it again as .xlsx and retry.")) from None


MAX_ROWS = 100_000  # about 12 s of reading and checking: a web request must not outlive its worker


def read_rows(stream: IO[bytes], columns: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """Yield (row_number, {column: value}) for every non-empty data row of the first sheet.

    `columns` maps a canonical column name to its accepted header spellings.
    Raises SpreadsheetError for a file that is not a readable .xlsx, lacks a column or has
    more than MAX_ROWS data rows.
    """
    workbook = open_workbook(stream)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SpreadsheetError(_("The workbook is empty."))
        aliases = {
            _normalise_header(alias): key
            for key, names in columns.items() for alias in (key, *names)
        }
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            key = aliases.get(_normalise_header(cell))
            if key and key not in positions:
                positions[key] = index
        missing = [key for key in required if key not in positions]
        if missing:
            raise SpreadsheetError(_("The header row lacks the columns: %(columns)s. Expected: %(expected)s.",
                                     columns=", ".join(missing), expected=", ".join(columns)))
        count = 0
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise SpreadsheetError(_("The file has more than %(n)s rows. Split it into several files "
                                         "(for example, one per term) and import them one by one.",
                                         n=f"{MAX_ROWS:,}".replace(",", " ")))
            yield number, {
                key: (values[index] if index < len(values) else None) for key, index in positions.items()
            }
    finally:
        workbook.close()


def template_workbook(sheet_name: str, headers: list[str], examples: list[tuple[str, ...]],
                      notes: list[str], widths: dict[int, float]) -> io.BytesIO:
    """A small upload template: a header row, example rows and a notes sheet (all strings)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
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
    for row, line in enumerate(notes):
        notes_sheet.write_string(row, 0, line)
    notes_sheet.set_column(0, 0, 90)
    workbook.close()
    buffer.seek(0)
    return buffer


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> Optional[date]:
    """Dates from a date cell or text as 31.12.2012 / 2012-12-31 / 31/12/2012."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 1 <= value < 2_958_466:
        # A date cell without a date format arrives as an Excel serial number.
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    raw = text(value)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)
