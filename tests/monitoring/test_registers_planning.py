"""Registers (validation, visibility, scoping) and the monitoring cyclogram (default items,
derived statuses, overdue, approval, copying to the next year), interviews."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, AuditLog
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.planning import Cyclogram, CyclogramItem, Interview
from app.models.monitoring.registers import Incident, StudentAchievement, SupportCase
from app.services.monitoring import planning
from app.services.monitoring.catalogue import ensure_catalogue
from tests.factories.monitoring import make_cyclogram_item


def _relogin(client, login, user):
    client.post("/logout")
    return login(user)


def test_incident_register_validation_and_no_student_name(client, login, school):
    login(school.user("deputy"))
    form = client.get("/registers/incidents/new").get_data(as_text=True)
    assert "Do not write the student" in form and 'name="student_id"' not in form
    bad = client.post("/registers/incidents/new", data={"kind": "injury", "on_date": "2026-10-01",
                                                        "class_id": "", "description": ""})
    assert bad.status_code == 200 and "This field is required." in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Incident.id))) == 0
    early = client.post("/registers/incidents/new", data={"kind": "injury", "on_date": "2001-10-01",
                                                          "description": "Fell"})
    assert "before the first academic year" in early.get_data(as_text=True)
    ok = client.post("/registers/incidents/new", data={"kind": "injury", "on_date": "2026-10-01",
                                                       "class_id": str(school.classes[0].id), "description": "Fell"})
    assert ok.status_code == 303
    incident = db.session.scalar(select(Incident))
    assert incident.year_id == school.year.id and incident.recorded_by_id == school.user("deputy").id
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "incident")) == 1
    listing = client.get("/registers/incidents/?kind=injury").get_data(as_text=True)
    assert "Fell" in listing and "7-А" in listing
    assert "Fell" not in client.get("/registers/incidents/?kind=offence").get_data(as_text=True)


def test_olympiad_register_with_breakdown_by_level(client, login, school):
    student = school.students[school.classes[0].id][0]
    login(school.user("deputy"))  # students' achievements: the director and deputies (not MO heads)
    response = client.post("/registers/students/new", data={
        "student_id": str(student.id), "kind": "olympiad", "subject_id": str(school.subjects[0].id),
        "level": "district", "result": "winner", "title": "Maths olympiad", "on_date": "2026-12-05",
        "mentor_id": ""})
    assert response.status_code == 303
    page = client.get("/registers/students/").get_data(as_text=True)
    assert student.full_name in page and "Maths olympiad" in page and "Summary by level" in page


def test_student_from_another_school_is_refused(client, login, school, other_school):
    foreign = other_school.students[other_school.classes[0].id][0]
    login(school.user("deputy"))
    response = client.post("/registers/students/new", data={
        "student_id": str(foreign.id), "kind": "olympiad", "level": "school", "result": "participant",
        "title": "x", "on_date": "2026-12-05", "subject_id": "", "mentor_id": ""})
    assert response.status_code in (200, 404)
    assert db.session.scalar(select(func.count(StudentAchievement.id))) == 0


def test_support_cases_are_seen_only_by_the_psychologist_and_the_director(client, login, school, other_school):
    student = school.students[school.classes[0].id][0]
    login(school.user("psychologist"))
    bad = client.post("/registers/support/new", data={"student_id": str(student.id), "opened_on": "2026-10-01",
                                                      "reason": "Anxiety", "status": "closed"})
    assert "Enter the date the case was closed." in bad.get_data(as_text=True)
    ok = client.post("/registers/support/new", data={"student_id": str(student.id), "opened_on": "2026-10-01",
                                                     "reason": "Anxiety", "status": "open"})
    assert ok.status_code == 303
    assert student.full_name in client.get("/registers/support/").get_data(as_text=True)
    case = db.session.scalar(select(SupportCase))
    for role in ("deputy", "mo_head", "expert", "teacher", "class_teacher"):
        _relogin(client, login, school.user(role))
        assert client.get("/registers/support/").status_code == 403, role
        assert client.get(f"/registers/support/{case.id}").status_code == 403, role
    _relogin(client, login, school.user("deputy"))
    assert "Psychological support cases" not in client.get("/registers/").get_data(as_text=True)
    _relogin(client, login, school.user("admin"))
    assert student.full_name in client.get("/registers/support/").get_data(as_text=True)
    _relogin(client, login, other_school.user("admin"))
    assert client.get(f"/registers/support/{case.id}").status_code == 404


def test_textbook_register_refuses_a_duplicate_and_computes_provision(client, login, school):
    login(school.user("admin"))
    data = {"grade": "7", "subject_id": str(school.subjects[0].id), "needed": "20", "available": "15"}
    assert client.post("/registers/textbooks/new", data=data).status_code == 303
    again = client.post("/registers/textbooks/new", data=data)
    assert "Such a record already exists." in again.get_data(as_text=True)
    assert "75.0" in client.get("/registers/textbooks/").get_data(as_text=True)
    negative = client.post("/registers/textbooks/new", data={**data, "grade": "8", "needed": "-1"})
    assert "Number must be between" in negative.get_data(as_text=True)


def test_cyclogram_status_is_derived_and_overdue(school):
    ensure_catalogue(school.school.id)
    plain = make_cyclogram_item(school)
    manual = make_cyclogram_item(school, object="Catering", indicator_keys="catering_coverage medical_checkups",
                   method="statistics", due_on=date(2027, 5, 1))
    interview = make_cyclogram_item(school, object="Talks with teachers", method="interview", due_on=date(2027, 1, 31))
    db.session.commit()
    before, after = date(2026, 10, 1), date(2026, 11, 15)
    assert planning.effective_status(plain, before) == "planned"
    assert planning.effective_status(plain, after) == "overdue"
    plain.status = "in_progress"
    assert planning.effective_status(plain, before) == "in_progress"
    assert planning.effective_status(plain, after) == "overdue"
    plain.status = "done"
    assert planning.effective_status(plain, after) == "done"
    # linked manual indicators: one of two entered -> in progress, both -> done
    ids = dict(db.session.execute(select(Indicator.key, Indicator.id).where(Indicator.school_id == school.school.id)).all())
    db.session.add(IndicatorValue(school_id=school.school.id, indicator_id=ids["catering_coverage"],
                                  year_id=school.year.id, value=95))
    db.session.flush()
    assert planning.effective_status(manual, before) == "in_progress"
    db.session.add(IndicatorValue(school_id=school.school.id, indicator_id=ids["medical_checkups"],
                                  year_id=school.year.id, value=100))
    db.session.flush()
    assert planning.effective_status(manual, date(2027, 6, 1)) == "done"
    # a recorded interview puts an interview item in progress
    db.session.add(Interview(school_id=school.school.id, year_id=school.year.id, item_id=interview.id,
                             on_date=date(2026, 12, 1), participant_role="teacher", topic="ICT"))
    db.session.flush()
    assert planning.effective_status(interview, before) == "in_progress"
    assert [v.item.id for v in planning.overdue(school.school.id, school.year.id, date(2027, 2, 15))] == [interview.id]


def test_default_cyclogram_grid_approval_and_copy(client, login, school):
    login(school.user("admin"))
    assert "The cyclogram of this year is empty." in client.get("/cyclogram/").get_data(as_text=True)
    assert client.post("/cyclogram/default").status_code == 303
    cyc = db.session.scalar(select(Cyclogram))
    n = len(cyc.items)
    assert n >= 15
    assert {i.method for i in cyc.items} >= {"survey", "observation", "control_work", "statistics", "interview"}
    climate = next(i for i in cyc.items if "psych_climate" in i.keys)
    assert (climate.month_from, climate.due_on) == (10, date(2026, 10, 31))
    assert climate.responsible_id == school.user("psychologist").id
    page = client.get("/cyclogram/").get_data(as_text=True)
    assert "Not approved yet." in page and "Months and directions" in page
    assert client.post("/cyclogram/default").status_code == 303  # refused, nothing doubled
    assert len(db.session.scalar(select(Cyclogram)).items) == n

    missing = client.post("/cyclogram/approve", data={"order_number": "", "order_date": "2026-09-01"},
                          follow_redirects=True)
    assert "This field is required." in missing.get_data(as_text=True)
    client.post("/cyclogram/approve", data={"order_number": "45-Б", "order_date": "2026-09-01"})
    cyc = db.session.scalar(select(Cyclogram))
    assert (cyc.order_number, cyc.order_date) == ("45-Б", date(2026, 9, 1))
    assert "No. 45-Б" in client.get("/cyclogram/").get_data(as_text=True)

    nxt = AcademicYear(school_id=school.school.id, name="2027-2028", starts_on=date(2027, 9, 1),
                       ends_on=date(2028, 5, 31))
    db.session.add(nxt)
    db.session.commit()
    climate.status = "done"
    db.session.commit()
    response = client.post(f"/cyclogram/copy?year_id={nxt.id}", data={"source_year_id": str(school.year.id)},
                           follow_redirects=True)
    assert f"Copied {n} items" in response.get_data(as_text=True)
    copied = db.session.scalar(select(Cyclogram).where(Cyclogram.year_id == nxt.id))
    assert len(copied.items) == n and copied.order_number is None
    assert {i.status for i in copied.items} == {"planned"}
    new_climate = next(i for i in copied.items if "psych_climate" in i.keys)
    assert new_climate.due_on == date(2027, 10, 31)
    again = client.post(f"/cyclogram/copy?year_id={nxt.id}", data={"source_year_id": str(school.year.id)},
                        follow_redirects=True)
    assert "already has items" in again.get_data(as_text=True)


def test_my_tasks_and_status_by_the_responsible_person(client, login, school):
    mine = make_cyclogram_item(school, responsible_id=school.user("psychologist").id, due_on=date(2099, 1, 1))
    other = make_cyclogram_item(school, object="Not mine", responsible_id=school.user("deputy").id)
    db.session.commit()
    login(school.user("psychologist"))
    page = client.get("/cyclogram/mine").get_data(as_text=True)
    assert "Climate survey" in page and "Not mine" not in page
    assert client.post(f"/cyclogram/items/{mine.id}/status", data={"status": "done"}).status_code == 303
    assert db.session.get(CyclogramItem, mine.id).status == "done"
    assert client.post(f"/cyclogram/items/{other.id}/status", data={"status": "done"}).status_code == 403


def test_interviews_register(client, login, school):
    item = make_cyclogram_item(school, method="interview", object="Teachers on ICT")
    db.session.commit()
    login(school.user("deputy"))
    response = client.post("/cyclogram/interviews", data={
        "on_date": "2026-11-12", "participant_role": "parent", "participants": "6", "topic": "Homework load",
        "outcome": "Agreed to coordinate", "item_id": str(item.id)})
    assert response.status_code == 303
    page = client.get("/cyclogram/interviews").get_data(as_text=True)
    assert "Homework load" in page and "Teachers on ICT" in page
    _relogin(client, login, school.user("expert"))
    assert client.get("/cyclogram/interviews").status_code == 200
    assert client.post("/cyclogram/interviews", data={"topic": "x"}).status_code == 403


def test_cyclogram_item_form_creates_and_refuses_a_date_outside_the_year(client, login, school):
    login(school.user("deputy"))
    data = {"object": "Catering check", "direction": "7", "month_from": "11", "month_to": "12",
            "indicator_keys": "catering_coverage", "method": "expert", "form": "continuous",
            "responsible_id": str(school.user("admin").id), "due_on": "2030-12-20", "document": "Act",
            "status": "planned"}
    bad = client.post("/cyclogram/items/new", data=data)
    assert "must fall within the academic year 2026-2027" in bad.get_data(as_text=True)
    assert client.post("/cyclogram/items/new", data={**data, "due_on": "2026-12-20"}).status_code == 303
    item = db.session.scalar(select(CyclogramItem))
    assert (item.form, item.method, item.month_from, item.responsible_id) == (
        "continuous", "expert", 11, school.user("admin").id)
    grid = client.get("/cyclogram/").get_data(as_text=True)
    assert "Catering check" in grid
    _relogin(client, login, school.user("expert"))
    page = client.get(f"/cyclogram/items/{item.id}").get_data(as_text=True)
    assert "Catering check" in page and "<form" not in page.split("<main")[1].split("</main>")[0].replace(
        'class="lang"', "")
    assert client.post(f"/cyclogram/items/{item.id}/delete").status_code == 403
