"""No lost updates on a measure's status page and a student's diagnostic record (issue 16 §4),
with two clients: a save from a stale page writes only the fields its user changed; a field
both changed is refused (409) with the other value."""
import html

from sqlalchemy import select

from app.extensions import db
from app.models.diagnostics import Diagnostic
from app.models.monitoring.measures import Measure
from tests.factories.diagnostics import make_diagnostic
from tests.factories.monitoring import make_measure
from tests.form_pages import form_data
from tests.security.support import login_client


def test_a_measure_saved_from_a_stale_page_keeps_the_other_change(app, school):
    measure = make_measure(school)
    db.session.commit()
    director, deputy = login_client(app, school.user("admin")), login_client(app, school.user("deputy"))
    url = f"/monitoring/measures/{measure.id}/status"
    stale, mine = form_data(deputy, url), form_data(director, url)
    assert "_orig" in stale
    mine["evidence_note"] = "Order No. 12"
    assert director.post(url, data=mine).status_code == 302
    stale["status"] = "in_progress"
    assert deputy.post(url, data=stale).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Measure, measure.id)
    assert (saved.status, saved.evidence_note) == ("in_progress", "Order No. 12")


def test_a_measure_field_both_changed_is_refused_with_the_other_value(app, school):
    measure = make_measure(school)
    db.session.commit()
    director, deputy = login_client(app, school.user("admin")), login_client(app, school.user("deputy"))
    url = f"/monitoring/measures/{measure.id}/status"
    stale, mine = form_data(deputy, url), form_data(director, url)
    mine["evidence_note"] = "Order No. 12"
    assert director.post(url, data=mine).status_code == 302
    stale["evidence_note"] = "Minutes of 3 March"
    refused = deputy.post(url, data=stale)
    assert refused.status_code == 409
    assert 'changed meanwhile by another user to "Order No. 12"' in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).evidence_note == "Order No. 12"


def _record(student) -> dict:
    db.session.expire_all()
    record = db.session.scalar(select(Diagnostic).where(Diagnostic.student_id == student.id))
    return {a.item_key: a.score for a in record.answers}


def test_a_diagnostic_record_saved_from_a_stale_page_keeps_the_colleagues_answer(app, school):
    student = school.students[school.classes[0].id][0]
    make_diagnostic(school, student)
    teacher, director = login_client(app, school.user("class_teacher")), login_client(app, school.user("admin"))
    url = f"/diagnostics/class/{school.classes[0].id}/upbringing_level/{student.id}"
    stale, mine = form_data(director, url), form_data(teacher, url)
    assert "_orig" in stale
    mine["civic"] = "2"
    assert teacher.post(url, data=mine).status_code == 302
    stale["diligence"] = "0"
    assert director.post(url, data=stale).status_code == 302
    answers = _record(student)
    assert (answers["civic"], answers["diligence"]) == (2, 0)


def test_a_diagnostic_answer_both_changed_is_refused(app, school):
    student = school.students[school.classes[0].id][0]
    make_diagnostic(school, student)
    teacher, director = login_client(app, school.user("class_teacher")), login_client(app, school.user("admin"))
    url = f"/diagnostics/class/{school.classes[0].id}/upbringing_level/{student.id}"
    stale, mine = form_data(director, url), form_data(teacher, url)
    mine["civic"] = "2"
    assert teacher.post(url, data=mine).status_code == 302
    stale["civic"] = "1"
    refused = director.post(url, data=stale)
    assert refused.status_code == 409 and "changed meanwhile by another user" in refused.get_data(as_text=True)
    assert _record(student)["civic"] == 2
