"""What the XLSForm tests share: the public forms' folder, building an .xlsx row by row, an
export -> import round trip, and the problems of an XLSFormError as lines."""
import io
from pathlib import Path

import openpyxl

from surveys.loader import validate_data
from surveys.xlsform import XLSFormError, read_xlsform, write_xlsform

DATA = Path(__file__).resolve().parent.parent / "data" / "xlsform"

KY, RU, EN = "label::Kyrgyz (ky)", "label::Russian (ru)", "label::English (en)"


def T(word):
    return {"ky": f"{word} ky", "ru": f"{word} ru", "en": f"{word} en"}


def xlsx(**sheets) -> io.BytesIO:
    """An .xlsx from {sheet name: [header row, row, ...]} (None = empty cell), via openpyxl."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def round_trip(instrument, **options):
    buffer = io.BytesIO()
    write_xlsform(instrument, buffer)
    data = read_xlsform(io.BytesIO(buffer.getvalue()), **options)
    return validate_data(data, "round-trip"), buffer


def problems(error: XLSFormError) -> list[str]:
    return [str(p) for p in error.problems]
