"""No lost updates in the marks grid (issue 16 §4): a save from a stale page changes only the
cells its user changed; a cell both changed is refused with the other value; a POST without
cells changes nothing. Two clients: the director (admin) and the deputy."""
import html
import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Mark
from tests.factories.achievement import make_assessment
from tests.security.support import login_client

INPUT = re.compile(r'<input[^>]*name="((?:m|o)-\d+-\d+|csrf_token)"[^>]*value="([^"]*)"')


def _url(school):
    return f"/achievement/grid/{school.classes[0].id}/{school.subjects[0].id}?term={school.terms[1].id}"


def _page_form(client, school) -> dict:
    """The grid page as the browser would send it unchanged."""
    return dict(INPUT.findall(client.get(_url(school)).get_data(as_text=True)))


def _marks(assessment) -> list:
    db.session.expire_all()
    rows = {m.student_id: m for m in db.session.scalars(select(Mark).where(Mark.assessment_id == assessment.id))}
    return [None if rows.get(s) is None else ("н" if rows[s].absent else rows[s].value) for s in sorted(rows)]


def _setup(app, school):
    students = school.students[school.classes[0].id]
    term_marks = make_assessment(school, school.classes[0], school.subjects[0], school.terms[1],
                                 [4] * len(students), kind="term", on=date(2026, 12, 25))
    control = make_assessment(school, school.classes[0], school.subjects[0], school.terms[1],
                              [None] * len(students), kind="control", on=date(2026, 12, 1))
    db.session.query(Mark).filter(Mark.assessment_id == control.id).delete()  # a new, empty column
    db.session.commit()
    return students, term_marks, control, login_client(app, school.user("admin")), login_client(
        app, school.user("deputy"))


def test_a_stale_page_does_not_turn_the_directors_fives_into_absent(app, school):
    """The issue's case: the deputy opens the grid; the director types fives in the new control
    column and saves; the deputy changes one term mark on the old page and saves: the fives stay,
    the term mark changes."""
    students, term_marks, control, director, deputy = _setup(app, school)
    stale = _page_form(deputy, school)
    mine = _page_form(director, school)
    for s in students:
        mine[f"m-{control.id}-{s.id}"] = "5"
    assert director.post(_url(school), data=mine).status_code == 303
    assert _marks(control) == [5] * len(students)

    stale[f"m-{term_marks.id}-{students[0].id}"] = "3"
    response = deputy.post(_url(school), data=stale)
    assert response.status_code == 303
    assert _marks(control) == [5] * len(students)
    assert _marks(term_marks) == [3] + [4] * (len(students) - 1)


def test_both_changed_the_same_cell_is_refused_with_the_other_value(app, school):
    students, term_marks, _control, director, deputy = _setup(app, school)
    stale = _page_form(deputy, school)
    mine = _page_form(director, school)
    mine[f"m-{term_marks.id}-{students[1].id}"] = "5"
    assert director.post(_url(school), data=mine).status_code == 303
    stale[f"m-{term_marks.id}-{students[1].id}"] = "2"
    stale[f"m-{term_marks.id}-{students[2].id}"] = "3"
    response = deputy.post(_url(school), data=stale)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and 'changed meanwhile by another user to "5"' in text
    assert _marks(term_marks) == [4, 5] + [4] * (len(students) - 2)  # nothing of the deputy's saved
    again = _page_form(deputy, school)  # the page shown again knows the current values
    again[f"m-{term_marks.id}-{students[1].id}"] = "2"
    assert deputy.post(_url(school), data=again).status_code == 303
    assert _marks(term_marks)[1] == 2


def test_a_post_with_only_the_csrf_token_changes_no_mark(app, school):
    students, term_marks, _control, director, _deputy = _setup(app, school)
    token = _page_form(director, school)["csrf_token"]
    assert director.post(_url(school), data={"csrf_token": token}).status_code == 303
    assert _marks(term_marks) == [4] * len(students)
