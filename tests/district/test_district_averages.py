"""Regional and national averages: the district admin imports them from an .xlsx (the core's safe
readers), the results page shows them under the district's row of the matching grouping; a file
with a bad row is refused with that row and writes nothing; a hostile file is refused."""
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, DistrictAverage
from tests.conftest import csrf_of
from tests.district.support import marks, rows

ONCE = re.compile(r'name="_once" value="([^"]+)"')
HEADER = ["Окуу жылы", "Деңгээл", "Көрсөткүч", "Сабак", "Класс", "Маани", "n", "Булак"]
GOOD = [
    ["2026-2027", "region", "pass_rate", "", "", 85, 41200, "Облустук билим берүү башкармалыгы"],
    ["2026-2027", "region", "quality", "", "", "42,5", 41200, ""],
    ["2026-2027", "республика", "pass_rate", "", "", 88.3, None, ""],
    ["2026-2027", "region", "mean", "Математика", "", 3.71, None, ""],
    ["2026-2027", "country", "ort", "Математика", "", 112.4, 51000, "НТЦ"],
    ["2026-2027", "region", "quality", "", 7, 38, None, ""],
]


def _xlsx(data_rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in data_rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _post(client, data: bytes, name="averages.xlsx"):
    form = client.get("/district/averages").get_data(as_text=True)
    return client.post("/district/averages", data={
        "csrf_token": csrf_of(form), "_once": ONCE.search(form).group(1), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def _count():
    return db.session.scalar(select(func.count()).select_from(DistrictAverage))


def test_averages_are_imported_and_shown_beside_the_schools(client, login, school):
    marks(school, [5, 4, 3, 2, 5, 4])
    login(school.user("district_admin"))
    assert _post(client, _xlsx(GOOD)).status_code == 303
    assert _count() == 6
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "district.average")).after["rows"] == 6
    # The same file again: the same rows.
    assert _post(client, _xlsx(GOOD)).status_code == 303 and _count() == 6
    listing = client.get("/district/averages?year=2026-2027").get_data(as_text=True)
    assert "Облустук билим берүү башкармалыгы" in listing and "112.4" in listing

    page = client.get("/district/results?year=2026-2027&term=quarter-1").get_data(as_text=True)
    table = rows(page)
    assert table["District"] == ["6", "83.3 %", "66.7 %", "63.3 %", "3.83"]
    # Under the district's row: the region (pass 85.0 %, quality 42.5 %, n 41200) and the country (88.3 %).
    assert table["Region"] == ["41200", "85.0 %", "42.5 %", "—", "—"]
    assert table["Country"] == ["—", "88.3 %", "—", "—", "—"]
    grade7 = rows(page[page.index("Grade 7"):])
    assert grade7["Region"] == ["—", "—", "38.0 %", "—", "—"]
    maths = rows(page[page.index("<h3>Математика</h3>"):])
    assert maths["Region"][4] == "3.71"
    ort = page[page.index("ORT: regional and national mean scores"):]
    assert "112.4" in ort and "51000" in ort


def test_a_bad_averages_file_is_refused_with_its_row(client, login, school):
    login(school.user("district_admin"))
    assert _post(client, _xlsx(GOOD)).status_code == 303
    bad = GOOD[:2] + [["2026-2027", "planet", "pass_rate", "", "", 85, None, ""],
                      ["2026-2027", "region", "quality", "", "", 142, None, ""],
                      ["2026-2027", "region", "pass_rate", "", "", 80, None, ""]]
    response = _post(client, _xlsx(bad))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 4" in page and "region or country" in page
    assert "row 5" in page and "outside 0-100" in page
    assert "row 6" in page and "the same average as row 2" in page
    assert _count() == 6  # nothing of the refused file is kept, the earlier averages stay
    # A file lacking a column, and a file that is not a workbook.
    assert _post(client, _xlsx(GOOD, header=HEADER[:2])).status_code == 422
    hostile = _post(client, b"PK\x03\x04 not really a workbook" * 10)
    assert hostile.status_code == 422 and _count() == 6


def test_the_template_reads_back(client, login, school):
    login(school.user("district_admin"))
    response = client.get("/district/averages/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Academic year", "Level", "Measure", "Subject", "Grade", "Value", "n",
                                           "Source"]
    assert [c.value for c in sheet[3]][:3] == ["2026-2027", "country", "ort"]
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/district/").get_data(as_text=True))})
    login(school.user("district_specialist"))
    assert client.get("/district/averages").status_code == 403
