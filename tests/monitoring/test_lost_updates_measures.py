"""No lost updates on a measure's status page and a student's diagnostic record (issue 16 §4),
with two clients: a save from a stale page writes only the fields its user changed; a field
both changed is refused (409) with the other value."""
from sqlalchemy import select

from app.extensions import db
from app.models.diagnostics import Diagnostic
from app.models.monitoring.measures import Measure
from tests.factories.diagnostics import make_diagnostic
from tests.factories.monitoring import make_measure
from tests.form_pages import refused_with, save_from_stale_page
from tests.security.support import login_client


def _measure_page(app, school):
    measure = make_measure(school)
    db.session.commit()
    director, deputy = login_client(app, school.user("admin")), login_client(app, school.user("deputy"))
    return measure.id, director, deputy, f"/monitoring/measures/{measure.id}/status"


def _measure(measure_id) -> Measure:
    db.session.expire_all()
    return db.session.get(Measure, measure_id)


def test_a_measure_saved_from_a_stale_page_keeps_the_other_change(app, school):
    measure_id, director, deputy, url = _measure_page(app, school)
    saved = save_from_stale_page(director, deputy, url, {"evidence_note": "Order No. 12"}, {"status": "in_progress"})
    assert saved.status_code == 303
    assert (_measure(measure_id).status, _measure(measure_id).evidence_note) == ("in_progress", "Order No. 12")


def test_a_measure_field_both_changed_is_refused_with_the_other_value(app, school):
    measure_id, director, deputy, url = _measure_page(app, school)
    refused = save_from_stale_page(director, deputy, url, {"evidence_note": "Order No. 12"},
                                   {"evidence_note": "Minutes of 3 March"})
    assert refused_with(refused, "Order No. 12")
    assert _measure(measure_id).evidence_note == "Order No. 12"


def _record(student) -> dict:
    db.session.expire_all()
    record = db.session.scalar(select(Diagnostic).where(Diagnostic.student_id == student.id))
    return {a.item_key: a.score for a in record.answers}


def _diagnostic_page(app, school):
    student = school.students[school.classes[0].id][0]
    make_diagnostic(school, student)
    teacher, director = login_client(app, school.user("class_teacher")), login_client(app, school.user("admin"))
    return student, teacher, director, f"/diagnostics/class/{school.classes[0].id}/upbringing_level/{student.id}"


def test_a_diagnostic_record_saved_from_a_stale_page_keeps_the_colleagues_answer(app, school):
    student, teacher, director, url = _diagnostic_page(app, school)
    assert save_from_stale_page(teacher, director, url, {"civic": "2"}, {"diligence": "0"}).status_code == 303
    answers = _record(student)
    assert (answers["civic"], answers["diligence"]) == (2, 0)


def test_a_diagnostic_answer_both_changed_is_refused(app, school):
    student, teacher, director, url = _diagnostic_page(app, school)
    assert refused_with(save_from_stale_page(teacher, director, url, {"civic": "2"}, {"civic": "1"}))
    assert _record(student)["civic"] == 2
