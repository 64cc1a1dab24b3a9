"""Monitoring programme: catalogue, calculators on hand-computed fixtures, targets, manual
values, dashboard, справка and the public report."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.features import installed
from app.models import AcademicYear, AuditLog, ClassGroup, TeachingAssignment
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.registers import (
    Classroom,
    Club,
    Incident,
    StudentAchievement,
    SupportCase,
    TeacherAchievement,
    TextbookProvision,
)
from app.services.monitoring.calculators import CALCULATORS, Period, compute
from app.services.monitoring.catalogue import ensure_catalogue, shipped
from app.services.monitoring.indicators import evaluate, status
from app.services.monitoring.staff import CALCULATORS as STAFF_CALCULATORS
from tests.factories import make_user, make_year
from tests.factories.monitoring import make_indicator_value

# Indicators computed from other features' data; they show "no data" until those features exist.
FROM_OTHER_FEATURES = {"pass_rate", "quality", "sou", "mean_mark", "internal_external_gap", "failing_students",
                       "parent_satisfaction", "student_satisfaction", "psych_climate", "lesson_quality",
                       "failure_prevention"}


def test_catalogue_covers_seven_directions_with_a_calculator_for_every_automatic_indicator():
    items = shipped()
    assert len(items) >= 40
    assert {i["direction"] for i in items} == set(range(1, 8))
    keys = {i["key"] for i in items}
    assert FROM_OTHER_FEATURES <= keys
    auto = {i["key"] for i in items if i["source"] == "auto"}
    assert auto - set(CALCULATORS) - set(STAFF_CALCULATORS) <= FROM_OTHER_FEATURES
    assert auto <= set(installed().calculators)  # the installed features compute every one
    textbooks = next(i for i in items if i["key"] == "textbook_provision")
    assert textbooks["target"] == 81  # the figure named in the regulation


@pytest.mark.parametrize("value,target,threshold,good,expected", [
    (85, 81, 70, "higher", "ok"), (81, 81, 70, "higher", "ok"), (75, 81, 70, "higher", "warn"),
    (60, 81, 70, "higher", "bad"), (None, 81, 70, "higher", "none"), (5, None, None, "higher", "none"),
    (0, 0, 0.5, "lower", "ok"), (0.4, 0, 0.5, "lower", "warn"), (1.2, 0, 0.5, "lower", "bad"),
    (50, 60, None, "higher", "bad"),
])
def test_status_against_target_and_threshold(value, target, threshold, good, expected):
    assert status(value, target, threshold, good) == expected


@pytest.fixture
def registers(school):
    """A small, hand-countable set of register entries for 2026-2027 (12 students)."""
    sid, year = school.school.id, school.year
    c7, c8 = school.classes
    s7, s8 = school.students[c7.id], school.students[c8.id]
    maths, physics = school.subjects
    add = db.session.add_all
    add([
        StudentAchievement(school_id=sid, year_id=year.id, student_id=s7[0].id, on_date=date(2026, 11, 20),
                           kind="olympiad", level="district", result="winner", title="Math olympiad",
                           subject_id=maths.id),
        StudentAchievement(school_id=sid, year_id=year.id, student_id=s7[0].id, on_date=date(2026, 10, 5),
                           kind="competition", level="school", result="participant", title="Essay"),
        StudentAchievement(school_id=sid, year_id=year.id, student_id=s7[1].id, on_date=date(2026, 12, 1),
                           kind="olympiad", level="city", result="prize_winner", title="Physics olympiad"),
        StudentAchievement(school_id=sid, year_id=year.id, student_id=s8[0].id, on_date=date(2027, 3, 1),
                           kind="project", level="school", result="participant", title="Water of the Chuy"),
        StudentAchievement(school_id=sid, year_id=year.id, student_id=s8[1].id, on_date=date(2026, 11, 1),
                           kind="olympiad", level="school", result="prize_winner", title="School round"),
        Incident(school_id=sid, year_id=year.id, class_id=c7.id, on_date=date(2026, 10, 1), kind="injury",
                 description="Fell in PE"),
        Incident(school_id=sid, year_id=year.id, class_id=c8.id, on_date=date(2027, 2, 1), kind="injury",
                 description="Cut finger"),
        Incident(school_id=sid, year_id=year.id, class_id=c8.id, on_date=date(2027, 2, 3), kind="offence",
                 description="Fight"),
        TextbookProvision(school_id=sid, year_id=year.id, grade=7, subject_id=maths.id, needed=10, available=8),
        TextbookProvision(school_id=sid, year_id=year.id, grade=8, subject_id=physics.id, needed=10, available=12),
        Classroom(school_id=sid, year_id=year.id, name="101", ict_units=3, meets_requirements=True, equipment_percent=80),
        Classroom(school_id=sid, year_id=year.id, name="102", ict_units=0, meets_requirements=False, equipment_percent=40),
        Club(school_id=sid, year_id=year.id, name="Chess", enrolled=6),
        Club(school_id=sid, year_id=year.id, name="Komuz", enrolled=3),
        SupportCase(school_id=sid, year_id=year.id, student_id=s7[2].id, opened_on=date(2026, 9, 20),
                    reason="Adaptation", status="closed", closed_on=date(2026, 12, 1)),
        SupportCase(school_id=sid, year_id=year.id, student_id=s8[2].id, opened_on=date(2026, 10, 20),
                    reason="Anxiety", status="open"),
        TeacherAchievement(school_id=sid, year_id=year.id, teacher_id=school.user("teacher").id,
                           on_date=date(2026, 10, 10), kind="refresher_course", title="72 h course"),
        TeacherAchievement(school_id=sid, year_id=year.id, teacher_id=school.user("mo_head").id,
                           on_date=date(2026, 11, 10), kind="open_lesson", level="district", title="Optics"),
        TeacherAchievement(school_id=sid, year_id=year.id, teacher_id=school.user("teacher2").id,
                           on_date=date(2027, 2, 10), kind="open_lesson", level="school", title="Fractions"),
    ])
    prev = make_year(school)
    # mo_head's course of 2021 is older than three years: it does not count for 2026-2027.
    db.session.add(TeacherAchievement(school_id=sid, year_id=prev.id, teacher_id=school.user("mo_head").id,
                                      on_date=date(2021, 3, 1), kind="refresher_course", title="Old course"))
    # Last year: teacher, mo_head and a teacher who left taught; two of the three stayed.
    leaver = make_user(school.school, "teacher", "leaver@alpha.sapat.kg")
    old_class = ClassGroup(school=school.school, year=prev, grade=6, letter="А")
    db.session.add(old_class)
    db.session.flush()
    for user in (school.user("teacher"), school.user("mo_head"), leaver):
        db.session.add(TeachingAssignment(school_id=sid, teacher_id=user.id, subject_id=maths.id if user != school.user(
            "mo_head") else physics.id, class_id=old_class.id, year_id=prev.id))
    db.session.commit()
    return school


def test_register_calculators_against_hand_computed_values(registers):
    school = registers
    period = Period.of_year(school.year)
    expected = {
        "olympiad_participants": 4,      # four different students have any entry
        "olympiad_prize_winners": 1,     # the city prize-winner (the school-round one does not count)
        "olympiad_winners": 1,           # the district winner
        "research_projects": 1,
        "creative_activity": 33.33,      # 4 of 12 students
        "injuries_per_100": 16.67,       # 2 injuries / 12 students · 100
        "offences": 1,
        "textbook_provision": 90.0,      # (min(8,10) + min(12,10)) / 20
        "ict_per_classroom": 1.5,        # 3 units / 2 rooms
        "classrooms_compliant": 50.0,
        "equipment_completeness": 60.0,  # (80 + 40) / 2
        "club_enrolment": 75.0,          # 9 places / 12 students
        "support_cases_closed": 50.0,
        "refresher_coverage": 33.33,     # teacher only, of teacher, teacher2, mo_head
        "attestation": 0.0,
        "open_lessons": 2,
        "staff_stability": 66.67,        # 2 of last year's 3 teachers teach this year
        "publications": 0,
        "self_government": 0,
    }
    got = {key: compute(key, school.school.id, period).value for key in expected}
    assert got == expected


def test_term_period_counts_only_the_quarter(registers):
    q2 = registers.terms[1]  # 10 Nov - 27 Dec 2026
    period = Period.of_term(q2)
    assert compute("olympiad_participants", registers.school.id, period).value == 2
    assert compute("open_lessons", registers.school.id, period).value == 1


def test_no_data_is_none_not_zero(school):
    period = Period.of_year(school.year)
    for key in ("textbook_provision", "ict_per_classroom", "staff_stability", "support_cases_closed",
                "club_enrolment", "pass_rate", "parent_satisfaction"):
        assert compute(key, school.school.id, period) is None, key


def test_another_schools_registers_never_count(registers, other_school):
    period = Period.of_year(other_school.year)
    assert compute("olympiad_participants", other_school.school.id, period).value == 0
    assert compute("textbook_provision", other_school.school.id, period) is None


def test_manual_value_with_note_and_evidence_is_audited(client, login, school):
    ensure_catalogue(school.school.id)
    db.session.commit()
    ind = db.session.scalar(select(Indicator).where(Indicator.school_id == school.school.id,
                                                    Indicator.key == "catering_coverage"))
    login(school.user("deputy"))
    page = client.get(f"/monitoring/indicators/{ind.id}")
    assert page.status_code == 200 and b"Hot meals coverage" in page.data
    bad = client.post(f"/monitoring/indicators/{ind.id}", data={"value": "many", "term_id": ""})
    assert bad.status_code == 200 and b"Not a valid float value" in bad.data
    assert db.session.scalar(select(func.count(IndicatorValue.id))) == 0
    ok = client.post(f"/monitoring/indicators/{ind.id}", data={
        "value": "92.5", "term_id": "", "note": "Two classes eat at home", "evidence": "Canteen register"})
    assert ok.status_code == 303
    value = db.session.scalar(select(IndicatorValue))
    assert (value.value, value.note, value.evidence) == (92.5, "Two classes eat at home", "Canteen register")
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "indicator_value")) == 1
    page = client.get(f"/monitoring/indicators/{ind.id}")
    assert b"92.5 %" in page.data and b"Canteen register" in page.data
    # automatic indicators take no hand-entered value
    auto = db.session.scalar(select(Indicator).where(Indicator.school_id == school.school.id,
                                                     Indicator.key == "offences"))
    assert client.post(f"/monitoring/indicators/{auto.id}", data={"value": "1"}).status_code == 403


def test_variable_indicator_added_by_the_director(client, login, school):
    login(school.user("admin"))
    response = client.post("/monitoring/indicators/new", data={
        "key": "ma_lab_works", "name_ky": "Лабораториялык иштер", "name_ru": "Лабораторные работы",
        "direction": "2", "unit": "percent", "periodicity": "term", "good": "higher",
        "responsible_role": "mo_head", "target": "90", "threshold": "70", "active": "y", "position": "100"})
    assert response.status_code == 303
    ind = db.session.scalar(select(Indicator).where(Indicator.key == "ma_lab_works"))
    assert not ind.invariant and ind.source == "manual" and ind.target == 90
    again = client.post("/monitoring/indicators/new", data={
        "key": "ma_lab_works", "name_ky": "x", "name_ru": "x", "direction": "2", "unit": "percent",
        "periodicity": "term", "good": "higher", "responsible_role": "mo_head", "position": "1"})
    assert again.status_code == 200 and b"exists already" in again.data
    client.post("/logout")
    login(school.user("deputy"))
    assert client.get("/monitoring/indicators/new").status_code == 403


def test_dashboard_in_kyrgyz_shows_every_direction_target_and_last_year(client, login, registers):
    school = registers
    prev = db.session.scalar(select(AcademicYear).where(AcademicYear.name == "2025-2026"))
    make_indicator_value(school, "safety_drills", 2, year=prev, by=None)
    make_indicator_value(school, "safety_drills", 4, by=None)
    admin = school.user("admin")
    admin.locale = "ky"
    db.session.commit()
    login(admin)
    page = client.get("/monitoring/").get_data(as_text=True)
    for direction in ("Натыйжалардын сапаты", "Ден соолук жана коопсуздук", "Олимпиадалар жана сынактар"):
        assert direction in page
    assert "Окуу китептери менен камсыздоо" in page and "90.0 %" in page and "81.0 %" in page
    assert "2025-2026" in page and "light-ok" in page


def test_dashboard_rows_have_previous_year_and_trend(registers):
    school = registers
    prev = db.session.scalar(select(AcademicYear).where(AcademicYear.name == "2025-2026"))
    db.session.add(Incident(school_id=school.school.id, year_id=prev.id, on_date=date(2026, 1, 1), kind="offence",
                            description="x"))
    db.session.add(Incident(school_id=school.school.id, year_id=prev.id, on_date=date(2026, 1, 2), kind="offence",
                            description="y"))
    db.session.commit()
    rows = {r.indicator.key: r for r in evaluate(school.school.id, school.year, direction=7)}
    assert rows["offences"].value == 1 and rows["offences"].previous == 2
    assert rows["offences"].trend == "up"  # fewer offences is better
    assert rows["offences"].status == "warn"  # target 0, threshold 3


def test_note_and_reports(client, login, registers):
    school = registers
    for role, user in school.users.items():
        user.full_name = f"Zhumabek {role} uulu"
    db.session.add(TeacherAchievement(school_id=school.school.id, year_id=school.year.id, on_date=date(2026, 12, 1),
                                      teacher_id=school.user("teacher").id, kind="publication", title="Article"))
    login(school.user("deputy"))
    ensure_catalogue(school.school.id)
    db.session.commit()
    ind = db.session.scalar(select(Indicator).where(Indicator.key == "textbook_provision"))
    note = client.get(f"/monitoring/note?indicator={ind.id}").get_data(as_text=True)
    assert "Textbook provision" in note and "The target is met." in note and "<svg" in note
    direction = client.get("/monitoring/note?direction=3").get_data(as_text=True)
    assert "Olympiads and competitions" in direction
    assert client.get("/monitoring/note?direction=9").status_code == 404

    staff = client.get("/monitoring/report").get_data(as_text=True)
    winner = school.students[school.classes[0].id][0].full_name
    assert winner in staff  # the staff version names winners
    parents = client.get("/monitoring/report?version=parents").get_data(as_text=True)
    parents = parents[parents.index('<article class="report">'):parents.index("</article>")]
    assert "Public report on the quality of education" in parents
    for students in school.students.values():
        for student in students:
            assert student.full_name not in parents
    for user in school.users.values():
        assert user.full_name not in parents
    # 2 classrooms is below the minimum group size of 5: not shown to parents
    assert "too few to show" in parents


def test_readers_and_other_schools(client, login, school, other_school):
    ensure_catalogue(other_school.school.id)
    db.session.commit()
    foreign = db.session.scalar(select(Indicator).where(Indicator.school_id == other_school.school.id))
    login(school.user("expert"))
    assert client.get("/monitoring/").status_code == 200
    assert client.get(f"/monitoring/indicators/{foreign.id}").status_code == 404
    assert client.get(f"/monitoring/?year_id={other_school.year.id}").status_code == 404
    client.post("/logout")
    login(school.user("teacher"))
    assert client.get("/monitoring/").status_code == 403


def test_profiles_show_olympiads_and_respect_visibility(client, login, registers):
    school = registers
    c7, c8 = school.classes
    db.session.add(TeacherAchievement(school_id=school.school.id, year_id=school.year.id, on_date=date(2026, 12, 1),
                                      teacher_id=school.user("teacher").id, kind="publication", title="Article"))
    db.session.commit()
    login(school.user("class_teacher"))  # class teacher of 7-А
    page = client.get(f"/monitoring/profiles/class/{c7.id}").get_data(as_text=True)
    assert "Olympiads, competitions and projects" in page and "district: winner" in page
    assert "Injuries and offences" in page
    assert client.get(f"/monitoring/profiles/class/{c8.id}").status_code == 403
    client.post("/logout")
    login(school.user("teacher"))  # teaches maths in 7-А only
    own = client.get(f"/monitoring/profiles/teacher/{school.user('teacher').id}").get_data(as_text=True)
    assert "Professional achievements" in own and "publication" in own and "refresher course" in own
    assert client.get(f"/monitoring/profiles/teacher/{school.user('teacher2').id}").status_code == 403
    assert client.get(f"/monitoring/profiles/class/{c8.id}").status_code == 403
    listing = client.get("/monitoring/profiles/").get_data(as_text=True)
    assert "7-А" in listing and "8-Б" not in listing
    client.post("/logout")
    login(school.user("mo_head"))  # heads the MA of maths and physics
    assert client.get(f"/monitoring/profiles/teacher/{school.user('teacher2').id}").status_code == 200
    client.post("/logout")
    login(school.user("psychologist"))
    assert client.get("/monitoring/profiles/").status_code == 403


def test_indicator_pages_link_to_the_data_behind_them(client, login, school):
    ensure_catalogue(school.school.id)
    db.session.commit()
    ids = dict(db.session.execute(select(Indicator.key, Indicator.id)).all())
    login(school.user("admin"))
    for key, target in (("olympiad_winners", "/registers/students/"), ("textbook_provision", "/registers/textbooks/"),
                        ("pass_rate", "/achievement/"), ("lesson_quality", "/observations/summary"),
                        ("psych_climate", "/surveys/"), ("support_cases_closed", "/registers/support/")):
        page = client.get(f"/monitoring/indicators/{ids[key]}").get_data(as_text=True)
        assert f'href="{target}' in page, key
        assert "No data yet" in page or key in ("olympiad_winners",), key
