"""Learning results: metric formulas, roll-ups, the marks grid, scoping, the analytics pages, the
workbook (imports: test_achievement_imports.py)."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, AuditLog, Mark, SupportAction
from app.security import Principal
from app.services.achievement import analysis, metrics
from tests.conftest import csrf_of
from tests.factories.achievement import make_assessment


def everything(school):
    return Principal.system(school.school.id)


def by_key(rows, key):
    return {getattr(m, key): m for m in rows}


# --- formulas ---------------------------------------------------------------------------------

def test_metrics_match_hand_computed_values(school):
    cls, maths, q1 = school.classes[0], school.subjects[0], school.terms[0]
    make_assessment(school, cls, maths, q1, [5, 4, 4, 3, 2, "н"])
    [m] = metrics.term_metrics(everything(school), q1.id, "class_subject")
    assert (m.n, m.n5, m.n4, m.n3, m.n2, m.n1, m.absent) == (5, 1, 2, 1, 1, 0, 1)
    assert m.pass_rate == pytest.approx(80.0)  # (1+2+1)/5
    assert m.quality == pytest.approx(60.0)  # (1+2)/5
    assert m.sou == pytest.approx(56.0)  # (100 + 2*64 + 36 + 16) / 5
    assert m.mean == pytest.approx(3.6)  # 18 / 5


def test_all_absent_and_single_student_classes_do_not_divide_by_zero(school, login, client):
    physics, q1 = school.subjects[1], school.terms[0]
    make_assessment(school, school.classes[0], physics, q1, ["н"] * 6)
    make_assessment(school, school.classes[1], physics, q1, [3, None, None, None, None, None])
    rows = {m.class_id: m for m in metrics.term_metrics(everything(school), q1.id, "class_subject")}
    absent_only = rows[school.classes[0].id]
    assert (absent_only.n, absent_only.absent) == (0, 6)
    assert absent_only.pass_rate is None and absent_only.quality is None and absent_only.sou is None
    assert absent_only.mean is None
    single = rows[school.classes[1].id]
    assert (single.n, single.pass_rate, single.quality, single.sou, single.mean) == (1, 100.0, 0.0, 36.0, 3.0)
    login(school.user("deputy"))
    page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    row = re.search(r'<tr data-class="7-А" data-subject="Физика">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["0", "0", "0", "0", "0", "0", "6", "—", "—", "—", "—"]


def test_roll_ups_come_from_marks_not_from_averaged_percentages(school):
    maths, q1 = school.subjects[0], school.terms[0]
    make_assessment(school, school.classes[0], maths, q1, [5, 4, 4, 3, 2, "н"])  # pass 80, quality 60
    make_assessment(school, school.classes[1], maths, q1, [5, 5, 5, 5, 5, 5])  # pass 100, quality 100
    scope = everything(school)
    [total] = metrics.term_metrics(scope, q1.id, "school")
    assert (total.n, total.n5, total.absent) == (11, 7, 1)
    assert total.pass_rate == pytest.approx(1000 / 11)  # 90.9, not (80 + 100) / 2 = 90
    assert total.quality == pytest.approx(900 / 11)  # 81.8, not 80
    assert total.sou == pytest.approx((700 + 128 + 36 + 16) / 11)
    grades = by_key(metrics.term_metrics(scope, q1.id, "grade"), "grade")
    assert grades[7].quality == pytest.approx(60.0) and grades[8].quality == pytest.approx(100.0)
    teachers = by_key(metrics.term_metrics(scope, q1.id, "teacher"), "teacher_id")
    assert teachers[school.user("teacher").id].n == 5
    assert teachers[school.user("teacher2").id].n == 6
    [ma] = metrics.term_metrics(scope, q1.id, "ma")
    assert ma.n == 11 and ma.ma_id == school.ma.id
    # Control works do not count in the term indicators.
    make_assessment(school, school.classes[0], maths, q1, [2, 2, 2, 2, 2, 2], kind="control", on=date(2026, 10, 1))
    [total_again] = metrics.term_metrics(scope, q1.id, "school")
    assert total_again.n == 11


def test_sql_metrics_equal_the_python_baseline(school):
    maths, physics = school.subjects
    for term, values in zip(school.terms[:2], ([5, 4, 3, 2, 1, "н"], [4, 4, 3, 5, None, 2])):
        make_assessment(school, school.classes[0], maths, term, values)
        make_assessment(school, school.classes[1], physics, term, list(reversed(values)))
    sql = {(m.term_id, m.class_id, m.subject_id): m for m in metrics.all_metrics(school.school.id)["class_subject"]}
    rows = db.session.execute(select(Assessment.term_id, Assessment.class_id, Assessment.subject_id, Mark.value,
                                     Mark.absent).join(Mark, Mark.assessment_id == Assessment.id)).all()
    baseline = metrics.python_metrics(((t, c, s), v, a) for t, c, s, v, a in rows)
    assert set(sql) == set(baseline)
    for key, expected in baseline.items():
        for name, value in expected.items():
            assert getattr(sql[key], name) == pytest.approx(value), (key, name)


def test_rollup_of_class_subject_counts_equals_the_sql_of_the_coarser_group(school):
    maths, physics = school.subjects
    q1 = school.terms[0]
    make_assessment(school, school.classes[0], maths, q1, [5, 4, 3, 2, 1, "н"])
    make_assessment(school, school.classes[0], physics, q1, [5, 5, 4, 2])
    make_assessment(school, school.classes[1], maths, q1, [3, 3, 4, 5, 5, 2])
    scope = everything(school)
    detail = metrics.term_metrics(scope, q1.id, "class_subject")
    for grouping, key in (("class", "class_id"), ("subject", "subject_id")):
        sql = {m.keys[key]: m.rounded() for m in metrics.term_metrics(scope, q1.id, grouping)}
        rolled = {m.keys[key]: m.rounded() for m in metrics.rollup(detail, key)}
        assert rolled == sql and len(sql) == 2
    [school_total] = metrics.rollup(detail)
    assert school_total.rounded() == metrics.term_metrics(scope, q1.id, "school")[0].rounded()
    assert (school_total.n, school_total.absent, school_total.mean) == (15, 1, pytest.approx(53 / 15))


# --- the marks grid ------------------------------------------------------------------------

def _grid_url(school, cls=None, subject=None, term=None):
    cls, subject, term = cls or school.classes[0], subject or school.subjects[0], term or school.terms[0]
    return f"/achievement/grid/{cls.id}/{subject.id}?term={term.id}"


def test_grid_with_an_invalid_cell_saves_nothing_then_saves_all(school, login, client):
    control = make_assessment(school, school.classes[0], school.subjects[0], school.terms[0], [None] * 6,
                        kind="control", on=date(2026, 10, 15))
    login(school.user("teacher"))
    page = client.get(_grid_url(school)).get_data(as_text=True)
    students = school.students[school.classes[0].id]
    assert all(f'name="m-{control.id}-{s.id}"' in page for s in students)
    data = {"csrf_token": csrf_of(page)}
    typed = ["5", "4", "6", "н", "", "3"]
    for student, value in zip(students, typed):
        data[f"m-{control.id}-{student.id}"] = value
    response = client.post(_grid_url(school), data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "is not a mark" in text and 'class="cell invalid"' in text
    assert 'value="6"' in text  # what the teacher typed stays on the page
    assert db.session.scalar(select(func.count(Mark.id))) == 0

    data[f"m-{control.id}-{students[2].id}"] = "5"
    response = client.post(_grid_url(school), data=data)
    assert response.status_code == 303
    marks = {m.student_id: m for m in db.session.scalars(select(Mark))}
    assert [marks[s.id].value for s in students] == [5, 4, 5, None, None, 3]
    assert marks[students[3].id].absent and marks[students[4].id].absent  # н and blank = absent
    audit = db.session.scalar(select(AuditLog).where(AuditLog.entity == "marks"))
    assert audit is not None and audit.entity_id == str(control.id)
    page = client.get(_grid_url(school)).get_data(as_text=True)
    assert "100.0" in page and "75.0" in page  # pass rate 4/4, quality 3/4


def test_grid_works_as_a_plain_form_to_add_a_column(school, login, client):
    login(school.user("teacher"))
    page = client.get(_grid_url(school)).get_data(as_text=True)
    response = client.post(f"/achievement/grid/{school.classes[0].id}/{school.subjects[0].id}/assessment"
                           f"?term={school.terms[0].id}",
                           data={"csrf_token": csrf_of(page), "kind": "control", "date": "2026-10-20",
                                 "topic": "Fractions"})
    assert response.status_code == 303
    assessment = db.session.scalar(select(Assessment))
    assert (assessment.kind, assessment.date, assessment.topic) == ("control", date(2026, 10, 20), "Fractions")
    page = client.get(_grid_url(school)).get_data(as_text=True)
    assert "Fractions" in page and "<script" in page and "achievement.js" in page


def test_a_teacher_cannot_enter_marks_for_another_teachers_class(school, other_school, login, client):
    login(school.user("teacher"))
    assert client.get(_grid_url(school, cls=school.classes[1])).status_code == 403  # teacher2's maths
    assert client.get(_grid_url(school, subject=school.subjects[1])).status_code == 403  # mo_head's physics
    page = client.get(_grid_url(school)).get_data(as_text=True)
    assessment = make_assessment(school, school.classes[1], school.subjects[0], school.terms[0], [None] * 6,
                           kind="control", on=date(2026, 10, 15))
    student = school.students[school.classes[1].id][0]
    response = client.post(_grid_url(school, cls=school.classes[1]),
                           data={"csrf_token": csrf_of(page), f"m-{assessment.id}-{student.id}": "2"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Mark.id))) == 0
    other = other_school.classes[0]
    assert client.get(f"/achievement/grid/{other.id}/{other_school.subjects[0].id}").status_code == 404


def test_pages_are_scoped_to_the_role(school, login, client):
    q1 = school.terms[0]
    make_assessment(school, school.classes[0], school.subjects[0], q1, [5, 5, 5, 5, 5, 5])
    make_assessment(school, school.classes[1], school.subjects[0], q1, [3, 3, 3, 3, 3, 3])
    login(school.user("teacher"))
    page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    assert 'data-class="7-А"' in page and 'data-class="8-Б"' not in page
    client.post("/logout")
    login(school.user("deputy"))
    page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    assert 'data-class="7-А"' in page and 'data-class="8-Б"' in page
    page = client.get(f"/achievement/?term={q1.id}&grade=8").get_data(as_text=True)
    assert 'data-class="7-А"' not in page and 'data-class="8-Б"' in page
    make_assessment(school, school.classes[1], school.subjects[1], q1, [4, 4, 4, 4, 4, 4])
    client.post("/logout")
    login(school.user("mo_head"))  # heads the MA of both subjects, teaches physics
    page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    assert page.count("<tr data-class=") == 3
    client.post("/logout")
    login(school.user("class_teacher"))  # class teacher of 7-А only
    page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    assert 'data-class="7-А"' in page and 'data-class="8-Б"' not in page
    assert client.get(f"/achievement/export?term={q1.id}").status_code == 200
    client.post("/logout")
    login(school.user("psychologist"))
    assert client.get("/achievement/").status_code == 403


# --- analytics pages ------------------------------------------------------------------------

def test_external_comparison_flags_differences_above_the_threshold(school, login, client):
    cls, maths, q1, q2 = school.classes[0], school.subjects[0], school.terms[0], school.terms[1]
    make_assessment(school, cls, maths, q1, [5, 5, 5, 5, 5, 5])
    make_assessment(school, cls, maths, q2, [5, 5, 5, 5, 5, 5])
    # 49 of 245 -> 2 + 3 * 0.2 = 2.6 on the 5-point scale: 2.4 below the internal 5.0
    make_assessment(school, cls, maths, q2, [49.0] * 6, kind="ort", max_score=245)
    [row] = analysis.compare_external(everything(school), school.year.id, 0.5)
    assert (row["n"], row["internal"], row["external"], row["diff"], row["flag"]) == (6, 5.0, 2.6, 2.4, True)
    [row] = analysis.compare_external(everything(school), school.year.id, 3.0)
    assert row["flag"] is False
    login(school.user("deputy"))
    page = client.get("/achievement/compare?threshold=0.5").get_data(as_text=True)
    assert 'class="flagged"' in page and "+2.40" in page


def test_dynamics_and_student_trajectory(school, login, client):
    cls, maths = school.classes[0], school.subjects[0]
    make_assessment(school, cls, maths, school.terms[0], [5, 5, 4, 4, 3, 3])
    make_assessment(school, cls, maths, school.terms[1], [5, 4, 4, 3, 3, 2])
    login(school.user("deputy"))
    page = client.get(f"/achievement/dynamics?class_id={cls.id}").get_data(as_text=True)
    assert "<svg" in page and "Quarter 1" in page and "Quarter 2" in page
    assert "66.7" in page and "50.0" in page  # quality Q1 4/6, Q2 3/6
    student = school.students[cls.id][5]
    page = client.get(f"/achievement/student/{student.id}").get_data(as_text=True)
    assert "<svg" in page and "3.00" in page and "2.00" in page


def test_at_risk_list_and_recorded_action(school, login, client):
    cls, maths = school.classes[0], school.subjects[0]
    q1, q2 = school.terms[0], school.terms[1]
    make_assessment(school, cls, maths, q1, [5, 5, 4, 4, 3, 3])
    make_assessment(school, cls, maths, q2, [3, 5, 4, 4, 3, 2])  # first falls by 2, last gets a 2
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/at-risk?term={q2.id}").get_data(as_text=True)
    students = school.students[cls.id]
    assert students[0].full_name in page and students[5].full_name in page
    assert students[1].full_name not in page
    p = f"s{students[5].id}-"
    assert f'id="{p}action"' in page and f'id="s{students[0].id}-action"' in page  # one form per student
    response = client.post(f"/achievement/at-risk/{students[5].id}/action?term={q2.id}", data={
        p + "csrf_token": csrf_of(page), p + "action": "Extra lessons on Tuesdays", p + "parents_informed": "y",
        p + "contact_date": "2026-12-01", p + "contact_note": "Phoned the mother"})
    assert response.status_code == 303
    page = client.get(f"/achievement/at-risk?term={q2.id}").get_data(as_text=True)
    assert "Extra lessons on Tuesdays" in page and "Phoned the mother" in page
    assert db.session.scalar(select(func.count(SupportAction.id))) == 1
    client.post("/logout")
    login(school.user("teacher"))
    assert client.get(f"/achievement/at-risk?term={q2.id}").status_code == 403


# --- the workbook ---------------------------------------------------------------------------

def test_export_numbers_equal_the_screen(school, login, client, app, tmp_path):
    q1 = school.terms[0]
    make_assessment(school, school.classes[0], school.subjects[0], q1, [5, 4, 4, 3, 2, "н"])
    make_assessment(school, school.classes[1], school.subjects[0], q1, [5, 5, 4, 3, 3, 3])
    login(school.user("deputy"))
    page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    screen = {}
    for cls, subject, body in re.findall(r'<tr data-class="([^"]+)" data-subject="([^"]+)">(.*?)</tr>', page, re.S):
        screen[(cls, subject)] = re.findall(r'<td class="num">([^<]*)</td>', body)
    response = client.get(f"/achievement/export?term={q1.id}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[7]]
    assert header[:4] == ["class", "subject", "teacher", "n"]
    workbook_rows = {}
    for row in sheet.iter_rows(min_row=8, values_only=True):
        workbook_rows[(row[0], row[1])] = row[3:]
    assert set(workbook_rows) == set(screen)
    for key, cells in screen.items():
        values = workbook_rows[key]
        shown = [f"{v:.2f}" if i == 10 else (f"{v:.1f}" if i >= 7 else str(v)) for i, v in enumerate(values)]
        assert shown == cells, key
        assert all(isinstance(v, (int, float)) for v in values)
    assert workbook_rows[("7-А", "Математика")][7] == 80.0
    names = book.sheetnames
    assert {"By grade", "By teacher", "By subject", "Internal vs external"} <= set(names)
    out = tmp_path / "a.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "achievement", "--term", str(q1.id), "-o", str(out),
                                                "--school", school.school.code])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).worksheets[0]["D8"].value == 5
    bad = app.test_cli_runner().invoke(args=["export", "achievement", "--term", "99999", "-o", str(out),
                                             "--school", school.school.code])
    assert bad.exit_code != 0


def test_summary_of_control_works_and_a_bad_basis(school, login, client):
    q1 = school.terms[0]
    make_assessment(school, school.classes[0], school.subjects[0], q1, [2, 2, 3, 4, 5, 5], kind="control",
              on=date(2026, 10, 10))
    login(school.user("deputy"))
    term_page = client.get(f"/achievement/?term={q1.id}").get_data(as_text=True)
    assert 'data-class="7-А"' not in term_page  # no term marks yet
    page = client.get(f"/achievement/?term={q1.id}&basis=control").get_data(as_text=True)
    row = re.search(r'<tr data-class="7-А" data-subject="Математика">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[7:] == ["66.7", "50.0", "55.3", "3.50"]  # SOU (200+64+36+32)/6
    book = load_workbook(io.BytesIO(client.get(f"/achievement/export?term={q1.id}&basis=control").data))
    assert book.worksheets[0]["K8"].value == 66.7
    assert client.get(f"/achievement/?term={q1.id}&basis=nonsense").status_code == 404
    assert client.get("/achievement/?term=99999").status_code == 404
