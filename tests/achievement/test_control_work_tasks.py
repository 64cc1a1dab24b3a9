"""The per-task analysis of a control work (элементный анализ, issue 19 part 3): tasks with
maximum points, points per task from the page and from the marks import, the share of
students who solved each task fully, partly and not at all against a hand computation, the
teacher's analysis whose correction becomes a measure, and who may see and change it."""
import re
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import AssessmentTask, AuditLog, TaskScore
from app.models.monitoring.measures import Measure
from tests.conftest import csrf_of, do_login
from tests.factories.achievement import make_assessment
from tests.xlsx_helpers import make_xlsx

# Points of the six students of 7-А (the sixth did not write the work: blank).
POINTS = {1: ["2", "2", "1", "0", "2", ""],   # max 2: full 3, partly 1, none 1 of 5 -> 60.0 / 20.0 / 20.0
          2: ["3", "1", "0", "0", "2", ""],   # max 3: full 1, partly 2, none 2 of 5 -> 20.0 / 40.0 / 40.0
          3: ["1", "1", "1", "1", "0", ""]}   # max 1: full 4, partly 0, none 1 of 5 -> 80.0 / 0.0 / 20.0


def _work(school):
    return make_assessment(school, marks=(5, 4, 3, 2, 4, "н"), kind="control", on=date(2026, 10, 15),
                           topic="Fractions")


def _define_and_fill(client, school, work):
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    response = client.post(f"/achievement/tasks/{work.id}/tasks", data={
        "csrf_token": csrf_of(page), "tasks": "2; Fractions\n3; Equations\n1; Graphs"})
    assert response.status_code == 303
    tasks = db.session.scalars(select(AssessmentTask).where(AssessmentTask.assessment_id == work.id)
                               .order_by(AssessmentTask.number)).all()
    assert [(t.number, t.topic, t.max_points) for t in tasks] == [(1, "Fractions", 2), (2, "Equations", 3),
                                                                  (3, "Graphs", 1)]
    students = school.students[school.classes[0].id]
    data = {"csrf_token": csrf_of(page)}
    for task in tasks:
        for student, value in zip(students, POINTS[task.number]):
            data[f"p-{task.id}-{student.id}"] = value
            data[f"o-{task.id}-{student.id}"] = ""
    return tasks, data


def _shares(page: str) -> list[list[str]]:
    table = page[page.index('id="task-shares"'):]
    table = table[:table.index("</table>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]


def test_per_task_shares_match_a_hand_computation(client, login, school):
    work = _work(school)
    login(school.user("teacher"))
    tasks, data = _define_and_fill(client, school, work)
    response = client.post(f"/achievement/tasks/{work.id}/points", data=data)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(TaskScore.id))) == 15
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    assert _shares(page) == [["1", "Fractions", "2", "5", "60.0", "20.0", "20.0"],
                             ["2", "Equations", "3", "5", "20.0", "40.0", "40.0"],
                             ["3", "Graphs", "1", "5", "80.0", "0.0", "20.0"]]
    # The quarter report (Q1) shows the same shares.
    report = client.get(f"/achievement/quarter/?term={school.terms[0].id}").get_data(as_text=True)
    assert re.search(r"Equations</td><td class=\"num\">3</td>\s*<td class=\"num\">5</td><td class=\"num\">20.0</td>", report)
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "task_points")).after["2:" + str(
        school.students[school.classes[0].id][0].id)] == 3.0


def test_a_wrong_cell_saves_nothing_and_a_lower_maximum_is_refused(client, login, school):
    work = _work(school)
    login(school.user("teacher"))
    tasks, data = _define_and_fill(client, school, work)
    first = school.students[school.classes[0].id][0]
    data[f"p-{tasks[0].id}-{first.id}"] = "5"  # above the maximum 2
    response = client.post(f"/achievement/tasks/{work.id}/points", data=data)
    assert response.status_code == 422
    assert "outside 0-2" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TaskScore.id))) == 0
    data[f"p-{tasks[0].id}-{first.id}"] = "2"
    assert client.post(f"/achievement/tasks/{work.id}/points", data=data).status_code == 303
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    client.post(f"/achievement/tasks/{work.id}/tasks", data={"csrf_token": csrf_of(page), "tasks": "1\n3\n1"})
    assert db.session.get(AssessmentTask, tasks[0].id).max_points == 2  # a student has 2 points


def test_the_analysis_becomes_a_measure_and_is_kept_in_step(client, login, school):
    work = _work(school)
    login(school.user("teacher"))
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "analysis": "Task 2 (equations) failed: 40 % solved nothing.",
            "correction": "Revise equations in two lessons; a short test.", "due_on": "2026-11-30"}
    assert client.post(f"/achievement/tasks/{work.id}/analysis", data=data).status_code == 303
    measure = db.session.scalar(select(Measure))
    assert (measure.source, measure.responsible_id, measure.term_id, measure.year_id, measure.due_on) == (
        "control_work", school.user("teacher").id, school.terms[0].id, school.year.id, date(2026, 11, 30))
    assert measure.action == "Revise equations in two lessons; a short test."
    # The work is named from its keys on the measure's page, in each reader's language.
    assert measure.source_ref is None
    url = f"/monitoring/measures/{measure.id}/status"
    assert "7-А, Математика, control work of 15.10.2026: Fractions" in client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "7-А, Математика, 15.10.2026 текшерүү иши: Fractions" in client.get(f"{url}?lang=ky").get_data(as_text=True)
    assert "контрольная работа от 15.10.2026" in client.get(f"{url}?lang=ru").get_data(as_text=True)
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "measure")).action == "create"
    # The measure is in the teacher's register of measures; a new analysis updates it.
    assert "Revise equations" in client.get("/monitoring/measures/").get_data(as_text=True)
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    assert "Task 2 (equations) failed" in page
    client.post(f"/achievement/tasks/{work.id}/analysis", data={**data, "csrf_token": csrf_of(page),
                                                                  "correction": "Three lessons."})
    assert db.session.scalar(select(func.count(Measure.id))) == 1
    db.session.expire_all()
    assert db.session.scalar(select(Measure)).action == "Three lessons."


def _orig(page: str, marker: str) -> str:
    """The originals (_orig) of the form that follows `marker` in the page."""
    form = page[page.index(marker):]
    return re.search(r'name="_orig" value="([^"]*)"', form).group(1).replace("&#34;", '"')


def test_a_stale_analysis_page_keeps_what_the_register_changed_and_a_clash_is_a_409(client, login, school):
    """The correction is a measure of the register, where its deadline and text are edited too.
    A page of the work opened before such an edit and sent with only the analysis changed keeps
    the register's deadline (it used to put its own back); one that changes the correction the
    register changed meanwhile is refused with 409, showing the other text, nothing saved."""
    work = _work(school)
    login(school.user("teacher"))
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "analysis": "Equations failed.", "correction": "Two lessons.",
            "due_on": "2026-11-30"}
    assert client.post(f"/achievement/tasks/{work.id}/analysis", data=data).status_code == 303
    stale = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    originals = _orig(stale, "/analysis")
    measure = db.session.scalar(select(Measure))
    measure.due_on = date(2026, 12, 20)  # meanwhile, in the register of measures
    db.session.commit()
    sent = {**data, "csrf_token": csrf_of(stale), "_orig": originals, "analysis": "Equations and fractions failed."}
    assert client.post(f"/achievement/tasks/{work.id}/analysis", data=sent).status_code == 303
    db.session.expire_all()
    measure = db.session.scalar(select(Measure))
    assert (measure.due_on, measure.action) == (date(2026, 12, 20), "Two lessons.")

    stale = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    originals = _orig(stale, "/analysis")
    measure.action = "Three lessons and a test."  # the register again
    db.session.commit()
    refused = client.post(f"/achievement/tasks/{work.id}/analysis", data={
        **sent, "csrf_token": csrf_of(stale), "_orig": originals, "due_on": "2026-12-20", "correction": "One lesson."})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Three lessons and a test." in body and "One lesson." in body
    db.session.expire_all()
    assert db.session.scalar(select(Measure)).action == "Three lessons and a test."


def test_a_stale_page_of_the_tasks_deletes_no_task_and_no_points(client, login, school):
    """A page of the work opened before its tasks were defined (another tab, a colleague) and
    sent with its empty list changes nothing (it used to delete every task with its points);
    one that changes the list another user changed meanwhile is refused with 409, both shown."""
    work = _work(school)
    login(school.user("teacher"))
    stale = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    tasks, data = _define_and_fill(client, school, work)
    assert client.post(f"/achievement/tasks/{work.id}/points", data=data).status_code == 303
    points = db.session.scalar(select(func.count(TaskScore.id)))
    assert points == 15  # 3 tasks x 5 students (the sixth was absent)
    sent = {"csrf_token": csrf_of(stale), "_orig": _orig(stale, 'id="tasks-form"'), "tasks": ""}
    assert client.post(f"/achievement/tasks/{work.id}/tasks", data=sent).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentTask.id))) == 3
    assert db.session.scalar(select(func.count(TaskScore.id))) == points
    refused = client.post(f"/achievement/tasks/{work.id}/tasks", data={**sent, "tasks": "5; Everything"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "changed meanwhile by another user" in body
    assert "2; Fractions" in body and "5; Everything" in body
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentTask.id))) == 3
    # The page as served now, sent back unchanged with a browser's CR LF lines, changes nothing.
    page = client.get(f"/achievement/tasks/{work.id}").get_data(as_text=True)
    same = {"csrf_token": csrf_of(page), "_orig": _orig(page, 'id="tasks-form"'),
            "tasks": "2; Fractions\r\n3; Equations\r\n1; Graphs"}
    assert client.post(f"/achievement/tasks/{work.id}/tasks", data=same).status_code == 303
    assert db.session.scalar(select(func.count(TaskScore.id))) == points


def test_who_may_see_and_change_a_works_tasks(app, school):
    work = _work(school)
    url = f"/achievement/tasks/{work.id}"
    # The MO head (maths is in their association), the class teacher of 7-А and the expert see
    # it without forms; teacher2 (maths in 8-Б) gets a 404; the psychologist has no results.
    for role, see, change in (("mo_head", 200, 403), ("class_teacher", 200, 403), ("expert", 200, 403),
                              ("teacher2", 404, 404), ("psychologist", 403, 403), ("deputy", 200, 303)):
        client = app.test_client()
        do_login(client, school.user(role))
        page = client.get(url)
        assert page.status_code == see, role
        token = csrf_of(client.get("/").get_data(as_text=True))
        response = client.post(f"{url}/tasks", data={"csrf_token": token, "tasks": "1"})
        assert response.status_code == change, role
        assert ('id="tasks-form"' in page.get_data(as_text=True)) == (change == 303), role


def test_the_marks_import_accepts_points_per_task(client, login, school):
    header = ["class", "student_code", "subject", "term", "kind", "date", "mark", "tasks"]
    students = school.students[school.classes[0].id]
    rows = [["7-А", s.code, "Математика", "1", "control", "15.10.2026", mark, tasks]
            for s, mark, tasks in zip(students, [5, 4, 3, 2, 4],
                                      ["2/2; 3/3; 1/1", "2/2; 1/3; 1/1", "1/2; 0/3; 1/1", "0/2; 0/3; 1/1",
                                       "2/2; 2/3; 0/1"])]
    login(school.user("teacher"))
    page = client.get("/achievement/import").get_data(as_text=True)
    bad = rows + [["7-А", students[5].code, "Математика", "1", "control", "15.10.2026", 3, "1/2; 1/3"]]
    response = client.post("/achievement/import", data={"csrf_token": csrf_of(page),
                           "file": (make_xlsx([header] + bad), "marks.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "row 7, tasks: the work&#39;s tasks have the maxima 2; 3; 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TaskScore.id))) == 0
    page = client.get("/achievement/import").get_data(as_text=True)
    response = client.post("/achievement/import", data={"csrf_token": csrf_of(page),
                           "file": (make_xlsx([header] + rows), "marks.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303
    work_id = db.session.scalar(select(AssessmentTask.assessment_id))
    report = client.get(f"/achievement/tasks/{work_id}").get_data(as_text=True)
    assert _shares(report) == [["1", "", "2", "5", "60.0", "20.0", "20.0"],
                               ["2", "", "3", "5", "20.0", "40.0", "40.0"],
                               ["3", "", "1", "5", "80.0", "0.0", "20.0"]]
