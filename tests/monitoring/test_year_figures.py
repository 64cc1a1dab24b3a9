"""Issue 16 §7, figures that were wrong on the demo school: cyclogram status from the item's own
months, classrooms of their own year, changes that round to zero are "no change"."""
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.i18n import change_text
from app.models.monitoring.registers import Classroom, Club
from app.services.monitoring import indicators as indicator_service
from app.services.monitoring import planning
from app.services.monitoring.calculators import (
    Period,
    classrooms_compliant,
    club_enrolment,
    equipment_completeness,
    ict_per_classroom,
)
from tests.factories import make_year
from tests.factories.monitoring import indicator, make_cyclogram_item, make_indicator_value
from tests.factories.surveys import make_campaign


def test_a_spring_survey_item_is_not_done_by_an_autumn_campaign(school):
    autumn = make_campaign(school, status="closed", title="Autumn")
    autumn.opens_on, autumn.closes_on = date(2026, 11, 1), date(2026, 11, 20)
    spring = make_cyclogram_item(school, method="survey", instrument="small", object="Parents' survey",
                                 month_from=3, month_to=4, due_on=date(2027, 4, 30))
    november = make_cyclogram_item(school, method="survey", instrument="small", month_from=11, month_to=11,
                                   due_on=date(2026, 11, 30))
    db.session.commit()
    on_30_11 = date(2026, 11, 30)
    assert planning.effective_status(spring, on_30_11) == "planned"  # was "done"
    assert planning.effective_status(november, on_30_11) == "done"
    march = make_campaign(school, status="closed", title="Spring")
    march.opens_on, march.closes_on = date(2027, 3, 10), date(2027, 3, 25)
    db.session.commit()
    assert planning.effective_status(spring, date(2027, 4, 1)) == "done"


def test_classrooms_of_last_year_are_last_years_figures(school):
    last = make_year(school)
    sid = school.school.id
    db.session.add_all([
        Classroom(school_id=sid, year_id=last.id, name="101", ict_units=1, meets_requirements=False, equipment_percent=50),
        Classroom(school_id=sid, year_id=last.id, name="102", ict_units=2, meets_requirements=True, equipment_percent=60),
        Classroom(school_id=sid, year_id=school.year.id, name="101", ict_units=3, meets_requirements=True,
                  equipment_percent=80),
        Classroom(school_id=sid, year_id=school.year.id, name="102", ict_units=3, meets_requirements=True,
                  equipment_percent=90)])
    db.session.commit()
    now, before = Period.of_year(school.year), Period.of_year(last)
    assert (ict_per_classroom(sid, now).value, ict_per_classroom(sid, before).value) == (3.0, 1.5)
    assert (classrooms_compliant(sid, now).value, classrooms_compliant(sid, before).value) == (100.0, 50.0)
    assert (equipment_completeness(sid, now).value, equipment_completeness(sid, before).value) == (85.0, 55.0)
    rows = {r.indicator.key: r for r in indicator_service.evaluate(sid, school.year)}
    assert (rows["ict_per_classroom"].value, rows["ict_per_classroom"].previous) == (3.0, 1.5)


def test_a_change_that_rounds_to_zero_is_no_change(school):
    ind = indicator(school, "catering_coverage")
    row = indicator_service.Row(ind, 57.14, None, 57.1, "ok")
    assert ind.unit == "percent" and row.change == 0.0 and row.trend == "same"
    assert indicator_service.Row(ind, 57.1, None, 57.14, "ok").trend == "same"
    assert indicator_service.Row(ind, 57.2, None, 57.1, "ok").change == 0.1
    assert change_text(0.04) == "no change" and change_text(-0.04) == "no change"
    assert change_text(0.06) == "+0.1" and change_text(-1.25, 2) == "-1.25" and change_text(None) == "—"


def test_a_new_target_leaves_last_years_status_as_it_was(school, login):
    last = make_year(school)
    ind = indicator(school, "catering_coverage")
    ind.target, ind.threshold = 85.0, 70.0
    make_indicator_value(school, "catering_coverage", 80.0, year=last)
    make_indicator_value(school, "catering_coverage", 80.0)
    db.session.commit()
    client = login(school.user("admin"))
    response = client.post(f"/monitoring/indicators/{ind.id}/edit", data={"target": "75", "threshold": "60",
                                                                           "active": "y"})
    assert response.status_code == 303
    this_year = {r.indicator.key: r for r in indicator_service.evaluate(school.school.id, school.year)}
    last_year = {r.indicator.key: r for r in indicator_service.evaluate(school.school.id, last)}
    assert (this_year["catering_coverage"].target, this_year["catering_coverage"].status) == (75.0, "ok")
    assert (last_year["catering_coverage"].target, last_year["catering_coverage"].status) == (85.0, "warn")
    # A second change keeps the first kept target of last year.
    client.post(f"/monitoring/indicators/{ind.id}/edit", data={"target": "90", "threshold": "60", "active": "y"})
    last_year = {r.indicator.key: r for r in indicator_service.evaluate(school.school.id, last)}
    assert last_year["catering_coverage"].target == 85.0


def test_club_coverage_counts_each_student_once(school):
    c7, c8 = school.classes
    s7, s8 = school.students[c7.id], school.students[c8.id]
    sid = school.school.id
    chess = Club(school_id=sid, year_id=school.year.id, name="Chess", enrolled=3)
    komuz = Club(school_id=sid, year_id=school.year.id, name="Komuz", enrolled=2)
    chess.member_ids = [s7[0].id, s7[1].id, s8[0].id]
    komuz.member_ids = [s7[0].id, s8[0].id]
    db.session.add_all([chess, komuz])
    db.session.commit()
    period = Period.of_year(school.year)
    assert round(club_enrolment(sid, period).value, 1) == 25.0  # 3 of 12 students (5 places: 41.7)
    # A club without a list adds its places, never beyond the school's students.
    db.session.add(Club(school_id=sid, year_id=school.year.id, name="Football", enrolled=30))
    db.session.commit()
    assert club_enrolment(sid, period).value == 100.0
    komuz.member_ids = [s7[0].id]
    db.session.commit()
    assert sorted(komuz.member_ids) == [s7[0].id]


def test_club_members_are_chosen_on_the_register_page(school, login):
    c7 = school.classes[0]
    pupils = school.students[c7.id]
    client = login(school.user("admin"))
    page = client.get("/registers/clubs/new")
    assert page.status_code == 200 and pupils[0].full_name in page.get_data(as_text=True)
    response = client.post("/registers/clubs/new", data={
        "name": "Chess", "kind": "club", "enrolled": "2", "member_ids": [pupils[0].id, pupils[1].id]})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    club = db.session.scalar(select(Club))
    assert sorted(club.member_ids) == sorted([pupils[0].id, pupils[1].id])
