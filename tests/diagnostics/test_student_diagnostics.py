"""Diagnostics the students fill in themselves (adaptation of tenth-graders) with personal
single-use codes: the director's rule, the class teacher's round and slips, the public phone
page, the student's record and the grade-10 adaptation indicator. Figures computed by hand in
the comments."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Diagnostic, DiagnosticCode, DiagnosticRound
from app.services.diagnostics import aggregates
from app.services.diagnostics.instruments import RULES, outcome_of, points_of
from app.services.monitoring.calculators import Period, compute
from tests.conftest import csrf_of, do_login
from tests.factories import make_school
from tests.factories.diagnostics import diagnostic_instruments
from tests.form_pages import form_by_id

ROWS = ("like", "workload", "demands", "ask_help", "belong", "friends", "anxious", "mood", "choice", "goals")
REVERSED = ("demands", "anxious")


def _answers(points: dict) -> dict:
    return {f"adapt__{row}": str(points[row]) for row in ROWS}


# Student 1: 4 on every statement, 1 on the two reversed ones (reversed: 4): 30 / 30 -> 100 -> high.
FIRST = {row: (1 if row in REVERSED else 4) for row in ROWS}
# Student 2: 2 on every statement (reversed 2 -> 3): (8 · 1 + 2 · 2) / 30 · 100 = 40.0 -> low.
SECOND = {row: 2 for row in ROWS}


def _grade10(app):
    s = make_school("ten", class_size=3)
    cls = s.classes[0]
    cls.grade = 10  # 10-А, its class teacher `class_teacher`
    db.session.commit()
    diagnostic_instruments()
    return s, cls


def _allow(client, s, on=True):
    do_login(client, s.user("admin"))
    page = client.get("/diagnostics/rule")
    assert page.status_code == 200
    orig = re.search(r'name="_orig" value="([^"]+)"', page.text).group(1).replace("&#34;", '"')
    response = client.post("/diagnostics/rule", data={"csrf_token": csrf_of(page.text), "allow": "yes" if on else "no",
                                                      "_orig": orig})
    assert response.status_code == 303
    client.get("/logout")


def _start_and_print(client, s, cls):
    do_login(client, s.user("class_teacher"))
    sheet = client.get(f"/diagnostics/class/{cls.id}?instrument=adaptation_grade10")
    assert sheet.status_code == 200 and 'id="student-round"' in sheet.text
    start = re.search(r'action="(/diagnostics/class/\d+/adaptation_grade10/start)"', sheet.text).group(1)
    assert client.post(start, data={"csrf_token": csrf_of(sheet.text)}).status_code == 303
    sheet = client.get(f"/diagnostics/class/{cls.id}?instrument=adaptation_grade10").text
    codes_url, form = form_by_id(sheet, "issue-codes")
    response = client.post(codes_url, data=form)
    assert response.status_code == 303
    slips = client.get(response.headers["Location"])
    assert slips.status_code == 200 and slips.text.count('class="slip"') == 3 and slips.text.count("<svg") == 3
    found = re.findall(r'<strong class="slip-name">([^<]+)</strong>.*?Код / Код: <strong>([A-Z0-9-]+)</strong>',
                       slips.text, re.S)
    slug = re.search(r"/d/([A-Za-z0-9_-]+)", slips.text).group(1)
    return slug, dict(found)


def _form_tokens(page: str) -> dict:
    return {"client_uuid": re.search(r'name="client_uuid" value="([^"]+)"', page).group(1),
            "signature": re.search(r'name="signature" value="([^"]+)"', page).group(1)}


def _send(client, slug, code, points, lang="ru"):
    page = client.get(f"/d/{slug}?lang={lang}&code={code}")
    assert page.status_code == 200
    return page, client.post(f"/d/{slug}?lang={lang}", data={**_form_tokens(page.text), "code": code,
                                                              **_answers(points)})


def test_points_and_levels_by_hand(app):
    spec = diagnostic_instruments()["adaptation_grade10"].spec
    first = {f"adapt.{row}": v for row, v in FIRST.items()}
    second = {f"adapt.{row}": v for row, v in SECOND.items()}
    assert (points_of(spec, first), outcome_of(spec, first)) == (100.0, "high")
    assert (points_of(spec, second), outcome_of(spec, second)) == (40.0, "low")
    # 3 on every statement (reversed 3 -> 2): (8 · 2 + 2 · 1) / 30 · 100 = 60.0 -> middle.
    assert outcome_of(spec, {f"adapt.{row}": 3 for row in ROWS}) == "middle"
    assert "adaptation_grade10" in RULES["adaptation"].instruments


def test_students_fill_in_their_own_adaptation(app, client):
    s, cls = _grade10(app)
    _allow(client, s)
    slug, codes = _start_and_print(client, s, cls)
    students = s.students[cls.id]
    assert set(codes) == {st.full_name for st in students}
    # Only hashes are kept: no printed code is in the database.
    stored = set(db.session.scalars(select(DiagnosticCode.code_hash)))
    assert len(stored) == 3 and not any(code.replace("-", "") in h for code in codes.values() for h in stored)

    public = app.test_client()
    page, sent = _send(public, slug, codes[students[0].full_name], FIRST)
    assert "НЕ анонимная" in page.text and "классный руководитель" in page.text
    assert students[0].full_name in page.text  # the slip's QR code carries the code: the page greets its owner
    assert sent.status_code == 303 and sent.headers["Location"].startswith(f"/d/{slug}/done")
    assert _send(public, slug, codes[students[1].full_name], SECOND, lang="ky")[1].status_code == 303

    # The records are the students' (respondent student, no staff filler).
    rows = db.session.scalars(select(Diagnostic).order_by(Diagnostic.student_id)).all()
    assert [(r.student_id, r.outcome, r.respondent, r.filled_by_id) for r in rows] == [
        (students[0].id, "high", "student", None), (students[1].id, "low", "student", None)]
    # Adaptation of grade 10: 1 adapted (high or middle) of 2 diagnosed = 50.0 %.
    grades = dict(aggregates.by_grade(RULES["adaptation"], s.school.id, s.year.id))
    assert (grades[10].value, grades[10].n) == (50.0, 2)
    assert (compute("adaptation", s.school.id, Period.of_year(s.year)).value) == 50.0

    # A reused code is refused kindly and changes nothing.
    used = codes[students[0].full_name]
    again = public.get(f"/d/{slug}?lang=ru&code={used}")  # the slip's QR code again: the page says so at once
    assert again.status_code == 200 and 'id="already-received"' in again.text and "уже получены" in again.text
    _page, again = _send(public, slug, "", SECOND)  # typed on a fresh page
    again = public.post(f"/d/{slug}?lang=ru", data={**_form_tokens(_page.text), "code": used, **_answers(SECOND)})
    assert again.status_code == 409 and 'id="already-received"' in again.text
    assert db.session.scalar(select(Diagnostic.outcome).where(Diagnostic.student_id == students[0].id)) == "high"
    # A wrong code: a translated message on the page, nothing stored.
    _page, wrong = _send(public, slug, "AAAA-AAAA", FIRST)
    assert wrong.status_code == 400 and "Код не подходит" in wrong.text

    # The class teacher sees the record on the student's page and the class sheet.
    student_page = client.get(f"/diagnostics/student/{students[0].id}").text
    assert "Adaptation of a tenth-grader" in student_page and "<td>High</td>" in student_page
    assert "by the student" in student_page
    sheet = client.get(f"/diagnostics/class/{cls.id}?instrument=adaptation_grade10").text
    assert re.search(r"<strong>50\.0 %</strong>", sheet) and "answers received: 2" in sheet
    # Staff do not fill in a student's self-report.
    assert client.get(f"/diagnostics/class/{cls.id}/adaptation_grade10/{students[2].id}").status_code == 403

    # Closing: the third student's unused code stops working.
    close = re.search(r'action="(/diagnostics/rounds/\d+/close)"', sheet).group(1)
    assert client.post(close, data={"csrf_token": csrf_of(sheet)}).status_code == 303
    assert db.session.scalar(select(func.count(DiagnosticCode.id)).where(DiagnosticCode.used.is_(False))) == 0
    closed = public.get(f"/d/{slug}?lang=ru&code={codes[students[2].full_name]}")
    assert closed.status_code == 403 and "закрыта" in closed.text
    actions = sorted(db.session.scalars(select(AuditLog.action).where(
        AuditLog.entity.in_(("diagnostic", "diagnostic_round", "school")))))
    assert actions == ["close", "create", "create", "create", "issue_codes", "update"]


def test_the_schools_rule_and_another_school(app, client):
    s, cls = _grade10(app)
    _allow(client, s)
    slug, codes = _start_and_print(client, s, cls)
    client.get("/logout")
    _allow(client, s, on=False)
    public = app.test_client()
    refused = public.get(f"/d/{slug}?lang=ky")
    assert refused.status_code == 403 and "мектебиң" in refused.text
    # Posting with the rule off stores nothing either.
    posted = public.post(f"/d/{slug}?lang=ru", data={"code": next(iter(codes.values())), **_answers(FIRST)})
    assert posted.status_code == 403 and "не разрешает" in posted.text
    assert db.session.scalar(select(func.count(Diagnostic.id))) == 0

    # Another school's staff: the round's pages are 404; its code does not work on our link.
    other = make_school("other", class_size=3)
    other.classes[0].grade = 10
    other.school.student_diagnostics = True
    s.school.student_diagnostics = True
    db.session.commit()
    rnd = db.session.scalar(select(DiagnosticRound))
    stranger = app.test_client()
    do_login(stranger, other.user("admin"))
    assert stranger.post(f"/diagnostics/rounds/{rnd.id}/close", data={}).status_code == 404
    page = stranger.get(f"/diagnostics/class/{other.classes[0].id}?instrument=adaptation_grade10").text
    stranger.post(re.search(r'action="(/diagnostics/class/\d+/adaptation_grade10/start)"', page).group(1),
                  data={"csrf_token": csrf_of(page)})
    page = stranger.get(f"/diagnostics/class/{other.classes[0].id}?instrument=adaptation_grade10").text
    their_url, their_form = form_by_id(page, "issue-codes")
    slips = stranger.get(stranger.post(their_url, data=their_form).headers["Location"]).text
    their_code = re.search(r"Код / Код: <strong>([A-Z0-9-]+)</strong>", slips).group(1)
    assert stranger.get(f"/diagnostics/rounds/{rnd.id}/slips/x").status_code == 404
    _p, posted = _send(public, slug, their_code, FIRST)
    assert posted.status_code == 400 and db.session.scalar(select(func.count(Diagnostic.id))) == 0
    assert public.get("/d/nosuchslug").status_code == 404


def test_who_starts_a_round_and_where_respondent_may_be_declared():
    from types import SimpleNamespace

    from app.security import Principal
    from app.services.diagnostics.student_codes import may_start
    from surveys.loader import InstrumentError, load_text

    cls = SimpleNamespace(school_id=1, class_teacher_id=5)
    open_one = SimpleNamespace(filled_by_student=True, confidential=None)
    secret = SimpleNamespace(filled_by_student=True, confidential=True)
    staffs = SimpleNamespace(filled_by_student=False, confidential=None)

    def who(spec):
        people = {"class_teacher": Principal(1, 5, frozenset({"class_teacher", "teacher"})),
                  "other_class_teacher": Principal(1, 6, frozenset({"class_teacher"})),
                  "teacher": Principal(1, 7, frozenset({"teacher"})), "deputy": Principal(1, 8, frozenset({"deputy"})),
                  "psychologist": Principal(1, 9, frozenset({"psychologist"})),
                  "admin": Principal(1, 10, frozenset({"admin"})), "other_school": Principal(2, 5, frozenset({"admin"}))}
        return sorted(name for name, p in people.items() if may_start(p, cls, spec))

    assert who(open_one) == ["admin", "class_teacher", "deputy", "psychologist"]
    assert who(secret) == ["admin", "psychologist"]  # psychologist-only: the psychologist and the director
    assert who(staffs) == []
    survey = """
key: x
version: 1
kind: survey
respondent: student
title: {ky: "x", ru: "x", en: "x"}
sections:
  - key: s
    title: {ky: "s", ru: "s", en: "s"}
    items:
      - {key: a, type: text, text: {ky: "a", ru: "a", en: "a"}}
"""
    with pytest.raises(InstrumentError, match="respondent"):
        load_text(survey, "x.yaml")
    assert load_text(survey.replace("respondent: student\n", ""), "x.yaml").respondent is None
