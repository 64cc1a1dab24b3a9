"""Diagnostics filled in about named students change the computed indicator, the class and
student pages and the class profile; the typed value is no longer used for that year. Figures
computed by hand in the comments."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, ClassGroup, Enrollment
from app.models.monitoring.indicators import Indicator
from app.services.core import clock
from app.services.diagnostics.instruments import RULES
from app.services.monitoring import indicators as ind_service
from app.services.monitoring.calculators import Period, compute
from tests.conftest import csrf_of, do_login
from tests.factories import make_year
from tests.factories.diagnostics import UPBRINGING, diagnostic_instruments, make_diagnostic


def _fill(client, school, student, level, key="upbringing_level", cls=None):
    cls = cls or school.classes[0]
    url = f"/diagnostics/class/{cls.id}/{key}/{student.id}"
    page = client.get(url)
    assert page.status_code == 200
    data = {"csrf_token": csrf_of(page.text), "level": level, **{k: str(v) for k, v in UPBRINGING.items()}}
    return client.post(url, data=data)


def _indicator(school, key):
    ind_service.indicators(school.school.id)  # the catalogue
    return db.session.scalar(select(Indicator).where(Indicator.school_id == school.school.id, Indicator.key == key))


def test_filled_diagnostics_replace_the_typed_value(app, school, login, client):
    diagnostic_instruments()
    sid = school.school.id
    indicator = _indicator(school, "upbringing_level")
    # A typed value where no diagnostic was run yet: it counts and says so.
    ind_service.set_value(indicator, school.year.id, None, 90.0, None, None, school.user("deputy").id)
    db.session.commit()
    row = ind_service.evaluate(sid, school.year, items=[indicator])[0]
    assert (row.value, row.basis) == (90.0, "entered")

    login(school.user("class_teacher"))
    students = school.students[school.classes[0].id]
    for student, level in zip(students, ["high", "good", "middle", "low", "high"]):
        response = _fill(client, school, student, level)
        assert response.status_code == 303, response.text[:400]
    # 5 students of 7-А diagnosed, 3 at high or good level: 3 / 5 · 100 = 60.0 %.
    result = compute("upbringing_level", sid, Period.of_year(school.year))
    assert (result.value, result.n) == (60.0, 5)
    indicator = _indicator(school, "upbringing_level")
    row = ind_service.evaluate(sid, school.year, items=[indicator])[0]
    assert (row.value, row.n, row.basis) == (60.0, 5, "records")
    with pytest.raises(ValueError, match="records"):
        ind_service.set_value(indicator, school.year.id, None, 95.0, None, None, school.user("deputy").id)

    sheet = client.get(f"/diagnostics/class/{school.classes[0].id}?instrument=upbringing_level").text
    assert re.search(r"<strong>60\.0 %</strong>", sheet) and "students diagnosed: 5" in sheet
    student_page = client.get(f"/diagnostics/student/{students[1].id}").text
    assert "Student&#39;s level of upbringing" in student_page and "<td>Good</td>" in student_page
    # Points of the criteria: (2 + 1 + 2 + 1 + 0) / (5 · 2) · 100 = 60 %.
    assert '<td class="num">60</td>' in student_page
    profile = client.get(f"/monitoring/profiles/class/{school.classes[0].id}").text
    assert "<h2>Diagnostics</h2>" in profile and "60.0 %" in profile

    deputy = app.test_client()
    do_login(deputy, school.user("deputy"))
    page = deputy.get(f"/monitoring/indicators/{indicator.id}").text
    assert "a typed value is not used" in page and 'name="value"' not in page

    # Correcting a record replaces it (one per student and year) and is audited.
    assert _fill(client, school, students[3], "good").status_code == 303
    assert compute("upbringing_level", sid, Period.of_year(school.year)).value == 80.0  # 4 / 5
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "diagnostic")).all()
    assert sorted(actions) == ["create"] * 5 + ["update"]


def test_dynamics_between_years_and_the_students_history(app, school, login, client):
    diagnostic_instruments()
    students = school.students[school.classes[0].id]
    last = make_year(school)
    old = ClassGroup(school_id=school.school.id, year_id=last.id, grade=6, letter="А",
                     class_teacher_id=school.user("class_teacher").id)
    db.session.add(old)
    db.session.flush()
    for student in students[:4]:
        db.session.add(Enrollment(school_id=school.school.id, student_id=student.id, class_id=old.id,
                                  year_id=last.id))
    db.session.commit()
    # Last year in 6-А: 1 of 4 at high or good = 25.0 %; this year in 7-А: 3 of 4 = 75.0 %.
    for student, level in zip(students[:4], ["high", "low", "middle", "low"]):
        make_diagnostic(school, student, answers=dict(UPBRINGING, level=level), cls=old)
    for student, level in zip(students[:4], ["high", "good", "good", "low"]):
        make_diagnostic(school, student, answers=dict(UPBRINGING, level=level))
    sid = school.school.id
    assert compute("upbringing_level", sid, Period.of_year(last)).value == 25.0
    assert compute("upbringing_level", sid, Period.of_year(school.year)).value == 75.0
    row = ind_service.evaluate(sid, school.year, items=[_indicator(school, "upbringing_level")])[0]
    assert (row.value, row.previous, row.change) == (75.0, 25.0, 50.0)

    login(school.user("deputy"))
    summary = client.get("/diagnostics/summary").text
    block = summary[summary.index('id="ind-upbringing_level"'):]
    assert "75.0 %" in block and "25.0 %" in block and "+50.0" in block and "Grade 7" in block
    history = client.get(f"/diagnostics/student/{students[1].id}").text
    assert history.index("2025-2026") < history.index("2026-2027")
    assert "<td>Low</td>" in history and "<td>Good</td>" in history


def test_each_indicator_is_computed_by_its_rule(app, school):
    diagnostic_instruments()
    a, b = school.classes
    sa, sb = school.students[a.id], school.students[b.id]
    # Health: 7-А main, main, special; 8-Б preparatory -> 2 of 4 = 50.0 %.
    for student, cls, group in [(sa[0], a, "main"), (sa[1], a, "main"), (sa[2], a, "special"),
                                (sb[0], b, "preparatory")]:
        make_diagnostic(school, student, "health_groups", {"health_group": "g1", "pe_group": group}, cls=cls,
                        by="admin")
    # Graduates: grade10, college, work -> 2 of 3 = 66.67 %.
    for student, where in zip(sb[1:4], ["grade10", "college", "work"]):
        make_diagnostic(school, student, "graduate_destinations", {"destination": where}, cls=b, by="admin")
    # Gifted programme: 2 students -> 2.
    for student in sa[3:5]:
        make_diagnostic(school, student, "gifted_programme", {"area": "academic", "result": "prize"}, cls=a,
                        by="admin")
    # Adaptation counts both instruments: grade-1 form high, grade-5 form maladapted -> 1 of 2 = 50.0 %.
    make_diagnostic(school, sa[5], "adaptation_grade1", {"level": "high"}, cls=a, by="admin")
    make_diagnostic(school, sb[5], "adaptation_grade5", {"level": "maladapted"}, cls=b, by="admin")
    period, sid = Period.of_year(school.year), school.school.id
    assert compute("health_main_group", sid, period).value == 50.0
    assert compute("continuing_education", sid, period).value == pytest.approx(66.67, abs=0.01)
    assert compute("gifted_programme", sid, period).value == 2
    assert compute("adaptation", sid, period).value == 50.0
    assert compute("uud_level", sid, period) is None  # none run: the typed value counts
    assert compute("upbringing_level", sid, Period.of_term(school.terms[0])) is None  # yearly only
    assert set(RULES) == {"adaptation", "uud_level", "upbringing_level", "health_main_group",
                          "continuing_education", "gifted_programme"}


def test_a_student_outside_the_class_is_refused(app, school, login, client):
    diagnostic_instruments()
    other = school.students[school.classes[1].id][0]
    login(school.user("admin"))
    assert client.get(f"/diagnostics/class/{school.classes[0].id}/upbringing_level/{other.id}").status_code == 404
    assert client.get(f"/diagnostics/class/{school.classes[0].id}/nope/{other.id}").status_code == 404
    assert client.get(f"/diagnostics/class/{school.classes[0].id}?instrument=nope").status_code == 404


def test_required_answers_are_asked_for(app, school, login, client):
    diagnostic_instruments()
    student = school.students[school.classes[0].id][0]
    login(school.user("class_teacher"))
    url = f"/diagnostics/class/{school.classes[0].id}/upbringing_level/{student.id}"
    page = client.get(url).text
    response = client.post(url, data={"csrf_token": csrf_of(page), "diligence": "7", "level": "high"})
    assert response.status_code == 200 and "has-error" in response.text
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.entity == "diagnostic")) is None


def test_filled_on_is_today(app, school):
    record = make_diagnostic(school, school.students[school.classes[0].id][0])
    assert record.filled_on == clock.today(school.school) and record.outcome == "high" and len(record.answers) == 6
