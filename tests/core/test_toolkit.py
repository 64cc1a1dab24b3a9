"""The shared web toolkit: one year lookup and picker, one list / form flow for the admin
tables and the registers, and the rules that moved out of the views into services and form
validators (each case here failed, or had no single place, before)."""
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import AcademicYear, ClassGroup, Enrollment, Student, Term
from app.models.monitoring.planning import CyclogramItem
from app.models.monitoring.registers import TextbookProvision
from app.services.core import clock
from app.services.core import school as school_service
from app.services.monitoring import indicators as ind_service
from tests.factories import make_year
from tests.factories.exports import make_export_job
from tests.factories.monitoring import indicator, make_cyclogram_item

# --- one way to name a year -----------------------------------------------------------------


def test_a_year_is_found_by_id_name_or_first_year_and_only_in_its_school(school, other_school):
    sid, year = school.school.id, school.year
    assert school_service.find_year(sid, year.id) is year
    assert school_service.find_year(sid, "2026-2027") is year
    assert school_service.find_year(sid, " 2026 ") is year
    # Not a pattern, not another school's, not beyond the database's integers, not garbage.
    for spec in ("%", "2026-%", "_026-2027", "20", "2026-2028", "abc", "", None, True, 2**70, -1,
                 other_school.year.id):
        assert school_service.find_year(sid, spec) is None, spec
    previous = make_year(school)
    assert school_service.find_year(sid, "2025") is previous
    assert school_service.previous_year(year) is previous and school_service.previous_year(previous) is None
    assert school_service.years(sid) == [year, previous]
    assert school_service.year_of_date(sid, date(2026, 7, 15)) is previous  # summer: the year just ended
    assert school_service.year_of_date(sid, date(2026, 9, 1)) is year
    assert school_service.year_of_date(sid, date(2020, 1, 1)) is None


def test_the_exports_refuse_a_year_pattern(app, school, tmp_path):
    path = tmp_path / "out.xlsx"
    runner = app.test_cli_runner()
    observations = runner.invoke(args=["export", "observations", "--year", "%", "-o", str(path)])
    assert observations.exit_code == 1 and "No academic year %" in observations.output
    annual = runner.invoke(args=["export", "annual", "--year", "2026-%", "-o", str(path), "--lang", "en"])
    assert annual.exit_code == 1 and "No academic year “2026-%” in this school." in annual.stderr
    assert not path.exists()
    ok = runner.invoke(args=["export", "observations", "--year", "2026", "-o", str(path)])
    assert ok.exit_code == 0 and path.exists()


def test_every_year_picker_reads_the_same_way(client, login, school, other_school):
    previous = make_year(school)
    db.session.commit()
    login(school.user("admin"))
    pages = ["/registers/incidents/", "/cyclogram/", "/cyclogram/interviews", "/monitoring/",
             "/monitoring/profiles/", "/achievement/compare"]
    for url in pages:
        page = client.get(f"{url}?year_id={previous.id}").get_data(as_text=True)
        assert f'<option value="{previous.id}" selected>2025-2026</option>' in page, url
        assert client.get(f"{url}?year_id={other_school.year.id}").status_code == 404, url
        assert client.get(f"{url}?year_id=abc").status_code == 404, url
        assert client.get(f"{url}?year_id=99999999999999999999999").status_code == 404, url
        current = client.get(url).get_data(as_text=True)  # no choice: the current year
        assert f'<option value="{school.year.id}" selected>2026-2027</option>' in current, url
    # Experts' scores name the year (?year=2025-2026), as the upload's redirect does.
    page = client.get("/exports/expert/scores?year=2025-2026").get_data(as_text=True)
    assert '<option value="2025-2026" selected>2025-2026</option>' in page
    assert client.get("/exports/expert/scores?year=1999-2000").status_code == 404
    assert client.get(f"/exports/expert/scores?year={other_school.year.name}x").status_code == 404


# --- the admin tables and the registers: one list / form flow ----------------------------------


def test_a_new_current_year_is_the_only_current_one(client, login, school):
    login(school.user("admin"))
    data = {"name": "2027-2028", "starts_on": "2027-09-01", "ends_on": "2028-05-31", "is_current": "y"}
    assert client.post("/admin/years/new", data=data).status_code == 303
    db.session.expire_all()
    current = db.session.scalars(select(AcademicYear.name).where(AcademicYear.is_current.is_(True))).all()
    assert current == ["2027-2028"]
    # The same name again is refused with a message (it was a 500: the duplicate was flushed
    # by the query that unmarks the other years).
    again = client.post("/admin/years/new", data=data)
    assert again.status_code == 200 and "Such a record already exists." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AcademicYear.id))) == 2


def test_list_pages_declare_their_links_filters_and_empty_text(client, login, school):
    login(school.user("admin"))
    classes = client.get("/admin/classes/").get_data(as_text=True)
    assert f'href="/admin/class/{school.classes[0].id}"' in classes and "/admin/classes/new" in classes
    assert 'name="year_id"' not in classes and "entries" not in classes  # the structure has no year picker
    db.session.execute(delete(Term))
    db.session.commit()
    assert "Nothing here yet." in client.get("/admin/terms/").get_data(as_text=True)
    empty = client.get("/registers/clubs/").get_data(as_text=True)
    assert "No entries yet." in empty and "0 entries" in empty and 'name="kind"' in empty
    assert 'name="year_id"' in empty and "css/monitoring.css" in empty
    client.post("/logout")
    login(school.user("deputy"))
    # The deputy reads the structure but does not edit it: no add or edit links, 403 on the form.
    subjects = client.get("/admin/subjects/").get_data(as_text=True)
    assert school.subjects[0].name in subjects and "/admin/subjects/new" not in subjects
    assert client.get("/admin/subjects/new").status_code == 403


def test_the_textbook_check_is_a_form_error_and_nothing_is_saved(client, login, school):
    login(school.user("deputy"))
    response = client.post("/registers/textbooks/new", data={
        "grade": "7", "subject_id": str(school.subjects[0].id), "needed": "10", "available": "900"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The number available looks wrong" in page
    assert db.session.scalar(select(func.count(TextbookProvision.id))) == 0


def test_the_summary_by_level_counts_the_years_entries(client, login, school):
    login(school.user("deputy"))  # students' achievements are written by the director and deputies
    for level, result in (("district", "winner"), ("district", "winner"), ("school", "participant")):
        assert client.post("/registers/students/new", data={
            "student_id": str(school.students[school.classes[0].id][0].id), "kind": "olympiad", "subject_id": "",
            "level": level, "result": result, "title": "Olympiad", "on_date": "2026-12-05",
            "mentor_id": ""}).status_code == 303
    page = client.get("/registers/students/").get_data(as_text=True)
    summary = page[page.index("Summary by level"):page.index("</table>", page.index("Summary by level"))]
    winners = summary[summary.index("<th>winner</th>"):].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in winners.split('<td class="num">')[1:]]
    assert cells[:2] == ["", "2"]  # school: none, district: 2
    assert "3 entries" in page


# --- rules that left the views ----------------------------------------------------------------


def test_the_cyclogram_due_date_and_done_date_rules(client, login, school):
    login(school.user("deputy"))
    item = {"object": "Survey", "direction": "7", "month_from": "10", "month_to": "10", "method": "survey",
            "form": "periodic", "responsible_id": "", "status": "done"}
    late = client.post("/cyclogram/items/new", data={**item, "due_on": "2027-09-01"})
    assert "must fall within the academic year 2026-2027" in late.get_data(as_text=True)
    assert client.post("/cyclogram/items/new", data={**item, "due_on": "2027-08-31"}).status_code == 303
    row = db.session.scalar(select(CyclogramItem))
    assert row.status == "done" and row.done_on == clock.today(school.school)
    client.post(f"/cyclogram/items/{row.id}", data={**item, "due_on": "2027-08-31", "status": "planned"})
    db.session.expire_all()
    assert db.session.get(CyclogramItem, row.id).done_on is None  # not done: no done date


def test_marking_progress_never_redirects_to_another_site(client, login, school):
    item = make_cyclogram_item(school, responsible_id=school.user("teacher").id)
    db.session.commit()
    login(school.user("teacher"))
    for target in ("//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)"):
        response = client.post(f"/cyclogram/items/{item.id}/status", data={"status": "in_progress", "next": target})
        assert response.status_code == 303 and response.headers["Location"].endswith("/cyclogram/mine"), target
    response = client.post(f"/cyclogram/items/{item.id}/status", data={"status": "done", "next": "/cyclogram/"})
    assert response.headers["Location"].endswith("/cyclogram/")
    client.post("/logout")
    login(school.user("teacher2"))  # neither responsible nor a planner
    assert client.post(f"/cyclogram/items/{item.id}/status", data={"status": "done"}).status_code == 403


@pytest.fixture
def class_without_lessons(school):
    """A 9-В class led by `class_teacher` with one student and no teaching assignments."""
    cls = ClassGroup(school=school.school, year=school.year, grade=9, letter="В",
                     class_teacher=school.user("class_teacher"))
    student = Student(school=school.school, code="9V-1", full_name="Pupil 9-В", gender="f")
    db.session.add_all([cls, student])
    db.session.flush()
    db.session.add(Enrollment(school=school.school, student_id=student.id, class_id=cls.id, year_id=school.year.id))
    db.session.commit()
    return student


def test_a_students_page_follows_the_achievement_access_rule(client, login, school, class_without_lessons):
    s7 = school.students[school.classes[0].id][0]
    s8 = school.students[school.classes[1].id][0]
    expected = {
        # role: (7-А pupil, 8-Б pupil, 9-В pupil without lessons)
        "admin": (200, 200, 200), "expert": (200, 200, 200),
        "teacher": (200, 404, 404),        # maths in 7-А
        "teacher2": (404, 200, 404),       # maths in 8-Б
        "mo_head": (200, 200, 404),        # physics in both; the MA's results do not open pupils' pages
        "class_teacher": (200, 404, 200),  # leads 7-А and 9-В
    }
    for role, statuses in expected.items():
        login(school.user(role))
        got = tuple(client.get(f"/achievement/student/{s.id}").status_code for s in (s7, s8, class_without_lessons))
        assert got == statuses, role
        client.post("/logout")


def test_an_indicator_value_belongs_to_a_term_of_its_year(school):
    item = indicator(school, "catering_coverage")
    other_year = make_year(school)
    foreign_term = Term(school=school.school, year=other_year, kind="quarter", number=1, name="Q1",
                        starts_on=date(2025, 9, 1), ends_on=date(2025, 10, 31))
    db.session.add(foreign_term)
    db.session.flush()
    with pytest.raises(ValueError):
        ind_service.set_value(item, school.year.id, foreign_term.id, 50, None, None, school.user("deputy").id)
    with pytest.raises(ValueError):
        ind_service.set_value(indicator(school, "pass_rate"), school.year.id, None, 50, None, None,
                              school.user("deputy").id)
    row = ind_service.set_value(item, school.year.id, school.terms[0].id, 50, None, None, school.user("deputy").id)
    assert row.term_id == school.terms[0].id


def test_the_data_behind_an_indicator_is_linked_for_those_who_may_read_it(client, login, school):
    item = indicator(school, "support_cases_closed")
    db.session.commit()
    login(school.user("deputy"))
    assert "/registers/support/" not in client.get(f"/monitoring/indicators/{item.id}").get_data(as_text=True)
    client.post("/logout")
    login(school.user("admin"))
    assert "/registers/support/" in client.get(f"/monitoring/indicators/{item.id}").get_data(as_text=True)


def test_a_job_is_ready_once_built_and_until_downloaded(school):
    job = make_export_job(school)
    assert not job.ready
    job.status, job.file_path = "done", "/tmp/x.xlsx"
    assert job.ready
    job.file_path = None
    assert not job.ready
