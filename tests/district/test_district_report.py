"""The district's workbook and report: the hand-computed learning figure and satisfaction index of
two small schools are the cells read back with openpyxl and the report's figures; a school below a
survey's minimum group is a blank grey cell; text never becomes a formula; the issued report stays
as issued after marks change, and issuing again makes version 2 in the archive."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, DistrictDocument
from app.services.district import campaigns
from app.views import district_reports as report
from tests.conftest import csrf_of
from tests.district.support import join, marks, rows
from tests.factories.surveys import answer, small_instrument

ONCE = re.compile(r'name="_once" value="([^"]+)"')
PERIOD = "year=2026-2027&term=quarter-1"


def _closed_campaign(district, parts_answers: list, min_group=3):
    dc = campaigns.create(district, instrument=small_instrument(), title="District parents' survey",
                          audience="parents", school_ids=[f.school.id for f, _pairs in parts_answers], min_group_size=min_group)
    campaigns.set_status(dc, "open")
    db.session.commit()
    for fixture, pairs in parts_answers:
        part = campaigns.part_of(dc, fixture.school.id)
        for a, b in pairs:
            answer(part, part.targets[0], {"a": str(a), "b": str(b), "kids": "no"})
    campaigns.set_status(dc, "closed")
    db.session.commit()
    return dc


def _sheet_rows(ws) -> dict:
    """First column -> the row's cells (from the header row on)."""
    return {r[0].value: r for r in ws.iter_rows(min_row=7) if r[0].value is not None}


def _body(page: str) -> str:
    return page[page.index('<div class="issued-body">'):page.index("</article>")]


def _setup(school):
    bravo = join(school, "bravo", class_size=4)
    marks(school, [5, 4, 3, 2, 5, 4])  # n 6: pass 5/6, quality 4/6
    marks(bravo, [3, 3, 2, 5])  # n 4: pass 3/4, quality 1/4
    # Satisfaction (see test_district_campaigns): alpha 75.0 (n 3), bravo 37.5 (n 4), district 22/7 -> 53.57.
    _closed_campaign(school.extra["district"], [(school, [(5, 1), (4, 2), (3, 3)]),
                                                 (bravo, [(5, 3), (2, 4), (4, 4), (1, 5)])])
    return bravo


def test_the_workbook_holds_the_hand_computed_figures(client, login, school):
    _setup(school)
    login(school.user("district_specialist"))
    got = client.get(f"/district/reports/workbook?{PERIOD}")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    learning = _sheet_rows(book["Learning results"])
    # District: n 10, n5 3, n4 2, n3 3, n2 2: pass 8/10 = 80 %, quality 5/10 = 50 %,
    # SOU (300 + 128 + 108 + 32)/10 = 56.8 %, mean 36/10 = 3.6 -- from all marks.
    district = learning["District"]
    assert [c.value for c in district[1:6]] == [10, 80.0, 50.0, 56.8, 3.6]
    assert district[2].number_format == "0.0" and district[5].number_format == "0.00"
    alpha = learning["School alpha"]
    assert alpha[1].value == 6 and abs(alpha[2].value - 500 / 6) < 1e-9
    survey = _sheet_rows(book["Survey 1"])
    assert survey["School alpha"][1].value == 3 and survey["School alpha"][2].value == 75.0
    assert survey["School bravo"][2].value == 37.5
    assert survey["District"][1].value == 7 and abs(survey["District"][2].value - 100 * (22 / 7 - 1) / 4) < 1e-9
    assert survey["District"][4].value == 7  # the scale's n
    # One sheet per direction with one row per school and the district's row, each value with its n.
    d1 = book["D1 Results"]
    header = [c.value for c in d1[7]]
    assert header[0] == "School" and header[1] == "Pass rate" and header[2] == "n"
    assert list(_sheet_rows(d1))[1:] == ["School alpha", "School bravo", "District"]
    assert book["Learning results"]._charts and book["Survey 1"]._charts
    assert "Notes" in book.sheetnames


def test_a_withheld_school_is_blank_and_text_is_not_a_formula(client, login, school):
    bravo = join(school, "bravo", class_size=4)
    charlie = join(school, "charlie", class_size=4)
    charlie.school.name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    _closed_campaign(school.extra["district"], [(school, [(5, 1), (4, 2), (3, 3), (4, 2)]),
                                                 (bravo, [(5, 3), (2, 4), (4, 4)]), (charlie, [(1, 5)])])
    login(school.user("district_specialist"))
    book = load_workbook(io.BytesIO(client.get(f"/district/reports/workbook?{PERIOD}").data))
    survey = _sheet_rows(book["Survey 1"])
    withheld = survey["'=HYPERLINK(\"http://x\")"]
    assert all(c.value is None for c in withheld[1:5])
    assert survey["School bravo"][1].value is None  # withheld so that charlie cannot be worked out
    assert survey["School alpha"][2].value == 75.0 and survey["District"][1].value == 8
    page = client.get("/district/reports/preview?year=2026-2027&lang=ru").get_data(as_text=True)
    assert "withheld" in page or "скрыт" in page or "не показ" in page


def test_the_issued_report_stays_as_issued(client, login, school):
    bravo = _setup(school)
    login(school.user("district_specialist"))
    preview = client.get("/district/reports/preview?year=2026-2027&lang=ru").get_data(as_text=True)
    learning = rows(preview[preview.rindex("<table", 0, preview.index('id="report-learning"')):])
    assert list(learning.values())[-1] == ["10", "80.0", "50.0", "56.8", "3.60"]  # the district's row
    page = client.get("/district/reports/").get_data(as_text=True)
    sent = client.post("/district/reports/issue", data={
        "csrf_token": csrf_of(page), "_once": ONCE.search(page).group(1), "year": "2026-2027", "lang": "ru",
        "number": "17", "issued_on": "2026-12-01"})
    assert sent.status_code == 303
    doc = db.session.scalar(select(DistrictDocument))
    assert doc.version == 1 and doc.lang == "ru" and doc.figures["learning"]["district"]["n"] == 10
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "district_document")) is not None
    issued = _body(client.get(f"/district/reports/{doc.id}").get_data(as_text=True))
    assert "17" in issued and "80.0" in issued
    # Marks change: bravo's second class gets four 2s (district pass rate 8/14 = 57.1 %).
    marks(bravo, [2, 2, 2, 2], cls_index=1)
    assert _body(client.get(f"/district/reports/{doc.id}").get_data(as_text=True)) == issued
    assert "57.1" in client.get("/district/reports/preview?year=2026-2027&lang=ru").get_data(as_text=True)
    page = client.get("/district/reports/").get_data(as_text=True)
    client.post("/district/reports/issue", data={
        "csrf_token": csrf_of(page), "_once": ONCE.search(page).group(1), "year": "2026-2027", "lang": "ru",
        "number": "18", "issued_on": "2026-12-02"})
    assert [d.version for d in db.session.scalars(select(DistrictDocument).order_by(DistrictDocument.id))] == [1, 2]
    archive = client.get("/district/reports/").get_data(as_text=True)
    assert "№ 17" in archive and "№ 18" in archive
    assert _body(client.get(f"/district/reports/{doc.id}").get_data(as_text=True)) == issued


def test_two_issues_of_one_version_at_once_keep_one(client, login, school, monkeypatch):
    """Two specialists issue the report at the same moment: both computed version 1, the unique
    version refuses the second, nothing of it is kept (document or audit row) and its user is asked
    to issue again."""
    _setup(school)
    login(school.user("district_specialist"))

    def send(number):
        page = client.get("/district/reports/").get_data(as_text=True)
        return client.post("/district/reports/issue", data={
            "csrf_token": csrf_of(page), "_once": ONCE.search(page).group(1), "year": "2026-2027", "lang": "ky",
            "number": number, "issued_on": "2026-12-01"})

    assert send("17").status_code == 303
    monkeypatch.setattr(report.service, "next_version", lambda *args: 1)  # computed before the first was saved
    refused = send("18")
    assert refused.status_code == 303 and refused.location.endswith("/district/reports/")
    assert "Another issue of this document was saved at the same moment" in client.get(
        refused.location).get_data(as_text=True)
    assert [(d.version, d.number) for d in db.session.scalars(select(DistrictDocument))] == [(1, "17")]
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.entity == "district_document")).all()) == 1
