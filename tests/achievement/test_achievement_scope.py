"""Scope of learning results on every page behind the lists (issue 17): a student's page, the
students at risk and the comparison with external results show only the marks
`access.visible` gives the reader, and every figure on them is computed from those marks."""
import re

import pytest

from app.extensions import db
from app.models import Mark
from app.security import Principal
from app.services.achievement import analysis
from tests.factories import make_other_association
from tests.factories.achievement import make_assessment


@pytest.fixture
def world(school):
    """A 7-А student with Q1 term marks in maths 5 (the teacher's), physics 3 (the MO head's)
    and История 2 (another association's teacher's)."""
    other = make_other_association(school)
    c7 = school.classes[0]
    for subject, value in ((school.subjects[0], 5), (school.subjects[1], 3), (other["history"], 2)):
        make_assessment(school, c7, subject, school.terms[0], [value] * 6)
    return {**other, "student": school.students[c7.id][0]}


def _trajectory(client, student):
    page = client.get(f"/achievement/student/{student.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    table = body.split('id="trajectory"', 1)[1].split("</table>", 1)[0]
    subjects = [s for s in ("Математика", "Физика", "История") if s in table]
    mean = re.search(r"<tfoot>.*?<td class=\"num\">([^<]*)</td>", table, re.S).group(1).strip()
    return subjects, mean


@pytest.mark.parametrize("role, subjects, mean", [
    ("teacher", ["Математика"], "5.00"),                         # teaches maths in 7-А: maths only
    ("mo_head", ["Физика"], "3.00"),                             # teaches physics there; heads Science
    ("class_teacher", ["Математика", "Физика", "История"], "3.33"),  # leads 7-А: every subject
    ("admin", ["Математика", "Физика", "История"], "3.33"),
])
def test_a_student_page_shows_only_the_subjects_the_reader_sees(client, login, school, world, role, subjects, mean):
    login(school.user(role))
    assert _trajectory(client, world["student"]) == (subjects, mean)


def test_the_trajectory_counts_only_the_marks_the_reader_sees(school, world):
    """The service, for the named case: maths term mark 5, and the mean of what is seen."""
    teacher = Principal.of(school.user("teacher"))
    data = analysis.student_trajectory(teacher, world["student"].id)
    assert data["term_marks"] == {school.subjects[0].id: {school.terms[0].id: 5}}
    assert data["means"] == {school.terms[0].id: 5.0}
    whole = analysis.student_trajectory(Principal.system(school.school.id), world["student"].id)
    assert set(whole["term_marks"]) == {school.subjects[0].id, school.subjects[1].id, world["history"].id}
    assert whole["means"][school.terms[0].id] == pytest.approx(10 / 3)


def test_control_works_of_other_subjects_stay_off_a_teachers_page(client, login, school, world):
    make_assessment(school, school.classes[0], world["history"], school.terms[0], [4] * 6, kind="control",
                    topic="Silk Road")
    make_assessment(school, school.classes[0], school.subjects[0], school.terms[0], [4] * 6, kind="control",
                    topic="Fractions")
    login(school.user("teacher"))
    body = client.get(f"/achievement/student/{world['student'].id}").get_data(as_text=True)
    assert "Fractions" in body and "Silk Road" not in body


def _moved_student(school):
    """A 7-А student who was in 8-Б until October: a maths term mark 5 in 8-Б's Q1 column
    (teacher2's class), 3 in 7-А's Q1 column and 3 in Q2 in 7-А."""
    c7, c8 = school.classes
    student = school.students[c7.id][0]
    old = make_assessment(school, c8, school.subjects[0], school.terms[0], [4] * 6)
    db.session.add(Mark(school_id=school.school.id, assessment_id=old.id, student_id=student.id, value=5))
    db.session.commit()
    make_assessment(school, c7, school.subjects[0], school.terms[0], [3] * 6)
    make_assessment(school, c7, school.subjects[0], school.terms[1], [3] * 6)
    return student


def test_students_at_risk_fall_only_on_marks_the_reader_sees(client, login, school):
    """With the 8-Б mark the Q1 mean is 4 and Q2's 3 is a fall of 1 (at risk); the class
    teacher of 7-А sees 3 -> 3, no fall. The director sees the whole record."""
    student = _moved_student(school)
    q2 = school.terms[1]
    class_teacher = analysis.at_risk(Principal.of(school.user("class_teacher")), q2, [school.classes[0].id])
    assert class_teacher == []
    director = analysis.at_risk(Principal.system(school.school.id), q2, [school.classes[0].id])
    assert [(r["student"].id, r["fall"]) for r in director] == [(student.id, (4.0, 3.0))]
    login(school.user("class_teacher"))
    assert student.full_name not in client.get(f"/achievement/at-risk?term={q2.id}").get_data(as_text=True)


def test_the_comparison_with_external_results_uses_only_visible_internal_marks(school):
    """ORT maths in 7-А (the teacher's): internal mean of the year over the marks the teacher
    sees, 3 (Q1 and Q2 in 7-А), not (5 + 3 + 3) / 3 for the moved student."""
    _moved_student(school)
    c7 = school.classes[0]
    make_assessment(school, c7, school.subjects[0], school.terms[1], [100.0] * 6, kind="ort", max_score=100.0)
    teacher = analysis.compare_external(Principal.of(school.user("teacher")), school.year.id)
    assert [(r["class"].id, r["n"], r["internal"], r["external"]) for r in teacher] == [(c7.id, 6, 3.0, 5.0)]
    whole = analysis.compare_external(Principal.system(school.school.id), school.year.id)
    assert whole[0]["internal"] == round((11 / 3 + 3 * 5) / 6, 2)
