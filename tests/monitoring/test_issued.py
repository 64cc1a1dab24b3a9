"""Issued documents (issue 19 part 5): an issued справка and annual report keep their figures
and text when marks and values change later; a new issue is a new version; the archive lists
both; the comparison shows what was reported beside today's figures."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models.monitoring.indicators import IndicatorValue
from app.models.monitoring.measures import IssuedDocument
from tests.conftest import csrf_of
from tests.factories.achievement import make_assessment
from tests.factories.monitoring import indicator, make_indicator_value


def _body(page: str) -> str:
    return page[page.index('<div class="issued-body">'):page.index("</main>")]


def _issue(client, page_url: str, action: str, number: str) -> IssuedDocument:
    page = client.get(page_url).get_data(as_text=True)
    assert "Issue" in page
    response = client.post(action, data={"csrf_token": csrf_of(page), "number": number, "issued_on": "2026-11-05"})
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    doc_id = int(re.search(r"/monitoring/issued/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(IssuedDocument, doc_id)


def test_an_issued_note_stays_identical_after_marks_change(client, login, school):
    # Term marks of 7-А in maths: 5 of 6 pass (83.3 %).
    make_assessment(school, marks=[5, 4, 3, 2, 5, 4])
    pass_rate = indicator(school, "pass_rate")
    db.session.commit()
    login(school.user("deputy"))
    year = school.year.id
    doc = _issue(client, f"/monitoring/note?indicator={pass_rate.id}&year_id={year}",
                 f"/monitoring/issued/note?indicator={pass_rate.id}&year_id={year}", "17-с")
    assert (doc.kind, doc.subject, doc.version, doc.number) == ("note", f"indicator:{pass_rate.id}", 1, "17-с")
    assert doc.figures[0]["key"] == "pass_rate" and round(doc.figures[0]["value"], 1) == 83.3
    assert doc.author_id == school.user("deputy").id
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "issued_document"))
    assert audit.action == "issue" and audit.after["number"] == "17-с"
    first = _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True))
    assert "83.3 %" in first and "No. 17-с of 05.11.2026" in first and "version 1" in first

    # Marks change afterwards: 8-Б gets three 2s (pass rate 8 of 12 = 66.7 %).
    make_assessment(school, cls=school.classes[1], marks=[2, 2, 2, 5, 5, 5])
    live = client.get(f"/monitoring/note?indicator={pass_rate.id}&year_id={year}").get_data(as_text=True)
    assert "66.7 %" in live
    again = _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True))
    assert again == first  # the issued справка is what was issued, byte for byte
    compare = client.get(f"/monitoring/issued/{doc.id}/compare").get_data(as_text=True)
    assert re.search(r"83\.3 %</td><td class=\"num\">66\.7 %", compare) and "changed" in compare

    # A new issue makes version 2; the archive shows both; version 1 is unchanged.
    doc2 = _issue(client, f"/monitoring/note?indicator={pass_rate.id}&year_id={year}",
                  f"/monitoring/issued/note?indicator={pass_rate.id}&year_id={year}", "18-с")
    assert doc2.version == 2 and round(doc2.figures[0]["value"], 1) == 66.7
    archive = client.get("/monitoring/issued/").get_data(as_text=True)
    assert "17-с" in archive and "18-с" in archive and "2026-2027" in archive
    assert _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True)) == first
    versions = client.get(f"/monitoring/issued/{doc2.id}").get_data(as_text=True)
    assert f'href="/monitoring/issued/{doc.id}"' in versions  # the other version is linked


def test_an_issued_annual_report_keeps_its_figures(client, login, school):
    make_indicator_value(school, "catering_coverage", 50.0)
    db.session.commit()
    login(school.user("admin"))
    year = school.year.id
    doc = _issue(client, f"/monitoring/report?year_id={year}&version=parents",
                 f"/monitoring/issued/report?year_id={year}&version=parents", "R-1")
    assert (doc.kind, doc.subject) == ("report", "parents")
    catering = next(f for f in doc.figures if f["key"] == "catering_coverage")
    assert catering["value"] == 50.0 and catering["status"] == "bad"
    first = _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True))
    assert "Public report on the quality of education" in first and "50.0 %" in first

    row = db.session.scalar(select(IndicatorValue).where(IndicatorValue.indicator_id == catering["indicator_id"]))
    row.value = 95.0  # the value is corrected after the report was issued
    db.session.commit()
    assert _body(client.get(f"/monitoring/issued/{doc.id}").get_data(as_text=True)) == first
    compare = client.get(f"/monitoring/issued/{doc.id}/compare").get_data(as_text=True)
    assert re.search(r"50\.0 %</td><td class=\"num\">95\.0 %", compare)


def test_an_issued_quarter_report_is_for_the_whole_school_roles_only(app, school):
    """The quarter report names students by their marks in every subject: an MO head, whose
    live report counts the association's subjects only, neither lists nor opens the issued one
    (404, the compare page too); the deputy and the expert do."""
    from app.models import Subject, TeachingAssignment
    from tests.security.support import login_client

    history = Subject(school=school.school, name="Тарых", name_ru="История")  # in no association
    db.session.add(history)
    db.session.flush()
    db.session.add(TeachingAssignment(school_id=school.school.id, year_id=school.year.id, subject_id=history.id,
                                      teacher_id=school.user("teacher2").id, class_id=school.classes[0].id))
    db.session.commit()
    make_assessment(school, school.classes[0], history, school.terms[0], [2, 5, 5, 5, 5, 5])
    make_assessment(school, school.classes[0], school.subjects[1], school.terms[0], [5, 5, 5, 5, 5, 5])
    failing = school.students[school.classes[0].id][0].full_name
    deputy = login_client(app, school.user("deputy"))
    page = deputy.get(f"/achievement/quarter/?term={school.terms[0].id}").get_data(as_text=True)
    response = deputy.post(f"/achievement/quarter/issue?term={school.terms[0].id}",
                           data={"csrf_token": csrf_of(page), "number": "7", "issued_on": "2026-11-01"})
    url = response.headers["Location"]
    assert re.fullmatch(r"/monitoring/issued/\d+", url)
    assert failing in deputy.get(url).get_data(as_text=True)
    mo_head = login_client(app, school.user("mo_head"))
    assert failing in mo_head.get(f"/achievement/quarter/?term={school.terms[0].id}").get_data(as_text=True)
    assert mo_head.get(url).status_code == 404
    assert mo_head.get(url + "/compare").status_code == 404
    archive = mo_head.get("/monitoring/issued/").get_data(as_text=True)
    assert url not in archive and "Тарых" not in archive
    expert = login_client(app, school.user("expert"))
    assert expert.get(url).status_code == 200 and url in expert.get("/monitoring/issued/").get_data(as_text=True)
