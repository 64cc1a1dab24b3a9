"""Build small .xlsx files for import tests (XlsxWriter writes, openpyxl reads)."""
import datetime
import io
from dataclasses import dataclass

import xlsxwriter


@dataclass
class Formula:
    formula: str
    cached: object = 0


@dataclass
class DateSerial:
    """A number in a cell formatted as a date, as Excel stores a date (2958465 is 31.12.9999;
    a larger one is no date at all)."""
    number: float


def make_xlsx(rows, sheet="Sheet1", formulas=False) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": formulas})
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                worksheet.write_formula(r, c, value.formula, None, value.cached)
            elif isinstance(value, DateSerial):
                worksheet.write_number(r, c, value.number, date_format)
            elif isinstance(value, (datetime.date, datetime.datetime)):
                worksheet.write_datetime(r, c, value, date_format)
            elif value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    buffer.seek(0)
    return buffer
