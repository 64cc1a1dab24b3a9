"""Early warning and individual support plans (issue 19 part 2) on a hand-built class.

7-А (6 students; the class teacher is `class_teacher`, maths is `teacher`'s, physics the MO
head's), the second quarter (Q2), the default rules (2 marks of 2 in control works, a mean
below 3.0 of the last 5 marks, a term mark 1 lower than the previous quarter's):

    maths control   Q1 10.10  5 5 2 4 5 5
    maths control   Q2 15.11  2 4 3 4 5 5
    maths control   Q2 29.11  2 4 3 4 5 5
    maths test      Q2 10.12  4 4 2 4 5 5
    maths term      Q1        4 4 3 5 5 5
    maths term      Q2        4 4 3 4 5 5
    physics control Q2 20.11  5 5 5 5 2 5
    physics control Q2 01.12  5 5 5 5 2 5

  s1: two marks of 2 in maths control works (15.11, 29.11); mean 5,2,2,4 = 3.25: no.
  s2: nothing.
  s3: no control 2 in Q2; mean 2,3,3,2 = 2.50 < 3.0 (the Q1 mark counts: the last marks).
  s4: maths term mark 5 -> 4 (fell by 1).
  s5: two marks of 2 in physics control works (and so a mean of 2.0: both reasons show).
  s6: nothing.
and in 8-Б (teacher2's maths) its first student has two control marks of 2 in Q2 (both reasons).
"""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, ParentContact, SupportPlan, SupportStep, WarningRule
from app.security import Principal
from app.services.achievement import warning
from app.services.monitoring.calculators import Period
from tests.conftest import csrf_of, do_login
from tests.factories.achievement import make_assessment


def build(school):
    c7, c8 = school.classes
    maths, physics = school.subjects
    q1, q2 = school.terms[:2]
    make_assessment(school, c7, maths, q1, [5, 5, 2, 4, 5, 5], kind="control", on=date(2026, 10, 10))
    make_assessment(school, c7, maths, q2, [2, 4, 3, 4, 5, 5], kind="control", on=date(2026, 11, 15))
    make_assessment(school, c7, maths, q2, [2, 4, 3, 4, 5, 5], kind="control", on=date(2026, 11, 29))
    make_assessment(school, c7, maths, q2, [4, 4, 2, 4, 5, 5], kind="test", on=date(2026, 12, 10))
    make_assessment(school, c7, maths, q1, [4, 4, 3, 5, 5, 5])
    make_assessment(school, c7, maths, q2, [4, 4, 3, 4, 5, 5])
    make_assessment(school, c7, physics, q2, [5, 5, 5, 5, 2, 5], kind="control", on=date(2026, 11, 20))
    make_assessment(school, c7, physics, q2, [5, 5, 5, 5, 2, 5], kind="control", on=date(2026, 12, 1))
    make_assessment(school, c8, maths, q2, [2, 5, 5, 5, 5, 5], kind="control", on=date(2026, 11, 16))
    make_assessment(school, c8, maths, q2, [2, 5, 5, 5, 5, 5], kind="control", on=date(2026, 11, 30))
    return school.students[c7.id], school.students[c8.id], q2


def reasons_by_name(flags):
    return {f.student.full_name: sorted((r.rule, r.subject.name, [(d.isoformat(), v) for d, v in r.marks], r.figure)
                                        for r in f.reasons) for f in flags}


def test_each_rule_flags_its_students_with_subject_marks_and_dates(school):
    s7, s8, q2 = build(school)
    flags = warning.flags(Principal.system(school.school.id), q2)
    assert reasons_by_name(flags) == {
        s7[0].full_name: [("low_marks", "Математика", [("2026-11-15", 2), ("2026-11-29", 2)], 2.0)],
        s7[2].full_name: [("mean_below", "Математика",
                           [("2026-10-10", 2), ("2026-11-15", 3), ("2026-11-29", 3), ("2026-12-10", 2)], 2.5)],
        s7[3].full_name: [("drop_by", "Математика", [("2026-10-31", 5), ("2026-12-27", 4)], 1.0)],
        s7[4].full_name: [("low_marks", "Физика", [("2026-11-20", 2), ("2026-12-01", 2)], 2.0),
                          ("mean_below", "Физика", [("2026-11-20", 2), ("2026-12-01", 2)], 2.0)],
        s8[0].full_name: [("low_marks", "Математика", [("2026-11-16", 2), ("2026-11-30", 2)], 2.0),
                          ("mean_below", "Математика", [("2026-11-16", 2), ("2026-11-30", 2)], 2.0)],
    }
    assert [f.cls.name for f in flags] == ["7-А"] * 4 + ["8-Б"]
    # The first quarter: one mark of 2 is not two, one mark is not a mean, no previous quarter.
    assert warning.flags(Principal.system(school.school.id), school.terms[0]) == []


def test_the_school_sets_the_rules_and_the_flags_follow(school, login, client):
    s7, s8, q2 = build(school)
    login(school.user("deputy"))
    page = client.get("/achievement/warnings/rules").get_data(as_text=True)
    assert 'value="5"' in page and 'value="3.0"' in page  # the defaults
    response = client.post("/achievement/warnings/rules", data={
        "csrf_token": csrf_of(page), "low_marks": "", "mean_below": "3", "last_n": "3", "drop_by": ""})
    assert response.status_code == 303
    rule = db.session.scalar(select(WarningRule))
    assert (rule.low_marks, rule.mean_below, rule.last_n, rule.drop_by) == (None, 3.0, 3, None)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "warning_rule")) == 1
    flags = warning.flags(Principal.system(school.school.id), q2)
    # Low marks and falls are off; the last 3 marks: s1 2,2,4 = 2.67; s3 3,3,2 = 2.67; s4 4,4,4 and
    # s2 4,4,4 are not below; s5's physics 2,2 = 2.0 and 8-Б's 2,2 = 2.0 stay.
    assert reasons_by_name(flags) == {
        s7[0].full_name: [("mean_below", "Математика", [("2026-11-15", 2), ("2026-11-29", 2), ("2026-12-10", 4)],
                           2.67)],
        s7[2].full_name: [("mean_below", "Математика", [("2026-11-15", 3), ("2026-11-29", 3), ("2026-12-10", 2)],
                           2.67)],
        s7[4].full_name: [("mean_below", "Физика", [("2026-11-20", 2), ("2026-12-01", 2)], 2.0)],
        s8[0].full_name: [("mean_below", "Математика", [("2026-11-16", 2), ("2026-11-30", 2)], 2.0)],
    }
    page = client.get(f"/achievement/warnings?term={q2.id}").get_data(as_text=True)
    assert "Sapat does not record lesson attendance" in page
    assert s7[0].full_name in page and s7[3].full_name not in page
    # A refused value is said on its field, nothing saved.
    page = client.get("/achievement/warnings/rules").get_data(as_text=True)
    response = client.post("/achievement/warnings/rules", data={
        "csrf_token": csrf_of(page), "low_marks": "2", "mean_below": "9", "last_n": "3", "drop_by": "1"})
    assert response.status_code == 422 and 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(WarningRule.mean_below)) == 3.0


@pytest.mark.parametrize("role,seen,unseen", [
    ("deputy", (0, 2, 3, 4, "8:0"), ()),
    ("admin", (0, 2, 3, 4, "8:0"), ()),
    ("class_teacher", (0, 2, 3, 4), ("8:0",)),
    ("teacher", (0, 2, 3), (4, "8:0")),        # maths of 7-А only: s5's physics is not theirs
    ("teacher2", ("8:0",), (0, 2, 3, 4)),      # maths of 8-Б
    ("mo_head", (4,), (0, 2, 3)),              # physics of both classes
])
def test_each_role_sees_the_flags_of_its_scope(school, login, client, role, seen, unseen):
    s7, s8, q2 = build(school)

    def name(i):
        return s8[0].full_name if i == "8:0" else s7[i].full_name
    login(school.user(role))
    page = client.get(f"/achievement/warnings?term={q2.id}").get_data(as_text=True)
    for i in seen:
        assert f">{name(i)}</a>" in page, (role, i)
    for i in unseen:
        assert name(i) not in page, (role, i)


def test_the_plan_lifecycle(school, login, client):
    s7, s8, q2 = build(school)
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/warnings?term={q2.id}").get_data(as_text=True)
    token = re.search(rf'support/open/{s7[0].id}\?term={q2.id}"[^>]*>.*?name="_once" value="([^"]+)"',
                                    page, re.S).group(1)
    data = {"csrf_token": csrf_of(page), "_once": token}
    first = client.post(f"/achievement/support/open/{s7[0].id}?term={q2.id}", data=data)
    again = client.post(f"/achievement/support/open/{s7[0].id}?term={q2.id}", data=data)
    assert first.status_code == 303 and again.status_code == 303
    plan = db.session.scalar(select(SupportPlan))
    assert db.session.scalar(select(func.count(SupportPlan.id))) == 1
    assert plan.status == "open"
    url = f"/achievement/support/{plan.id}"
    # The reasons are kept as their rule, subject and marks: each reader reads them in their language.
    why = {lang: client.get(f"{url}?lang={lang}").get_data(as_text=True).split('id="steps"')[0]
           for lang in ("en", "ru", "ky")}
    assert all("Математика" in text and "15.11.2026" in text for text in why.values())
    assert "marks of 2 in control works" in why["en"] and "двоек за контрольные работы" in why["ru"]
    assert "текшерүү иштеринен «2»" in why["ky"] and "control works" not in why["ru"] + why["ky"]
    page = client.get(url).get_data(as_text=True)
    assert s7[0].full_name in page and "29.11.2026" in page
    csrf = csrf_of(page)
    assert client.post(f"{url}/step", data={"csrf_token": csrf, "step-what": "Extra lessons on fractions",
                                            "step-due_on": "2026-12-15",
                                            "step-responsible_id": str(school.user("teacher").id)}).status_code == 303
    assert client.post(f"{url}/contact", data={"csrf_token": csrf, "contact-held_on": "2026-12-02",
                                               "contact-form": "phone",
                                               "contact-outcome": "Mother will check homework"}).status_code == 303
    step = db.session.scalar(select(SupportStep))
    assert client.post(f"{url}/step/{step.id}/done", data={"csrf_token": csrf}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Extra lessons on fractions" in page and "15.12.2026" in page and school.user("teacher").full_name in page
    assert "Mother will check homework" in page and "02.12.2026" in page
    db.session.expire_all()
    assert db.session.scalar(select(SupportStep.done_on)) is not None
    assert db.session.scalar(select(ParentContact.form)) == "phone"
    # The outcome: the term mark of maths is 4, so no term mark of 2 in this term.
    assert "No term mark of 2 in this term." in page
    response = client.post(url, data={"csrf_token": csrf_of(page), "status": "closed",
                                      "outcome": "Caught up: term mark 4"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SupportPlan.status)) == "closed"
    entities = set(db.session.scalars(select(AuditLog.entity)))
    assert {"support_plan", "support_step", "parent_contact"} <= entities
    # Linked from the warnings list, the students at risk and the student's page.
    assert f"/achievement/support/{plan.id}" in client.get(f"/achievement/warnings?term={q2.id}").get_data(
        as_text=True)
    student_page = client.get(f"/achievement/student/{s7[0].id}").get_data(as_text=True)
    assert f"/achievement/support/{plan.id}" in student_page


def test_a_stale_plan_page_does_not_undo_another_users_change(school, login, client, app):
    s7, _s8, q2 = build(school)
    login(school.user("class_teacher"))
    client.post(f"/achievement/support/open/{s7[0].id}?term={q2.id}",
                data={"csrf_token": csrf_of(client.get(f"/achievement/warnings?term={q2.id}").get_data(as_text=True))})
    plan = db.session.scalar(select(SupportPlan))
    url = f"/achievement/support/{plan.id}"
    stale = client.get(url).get_data(as_text=True)
    orig = re.search(r'name="_orig" value="([^"]+)"', stale).group(1).replace("&#34;", '"')
    deputy = app.test_client()
    do_login(deputy, school.user("deputy"))
    fresh = deputy.get(url).get_data(as_text=True)
    assert deputy.post(url, data={"csrf_token": csrf_of(fresh), "status": "open",
                                  "outcome": "Deputy's note"}).status_code == 303
    # The class teacher's stale page changes only the status: the deputy's outcome stays.
    assert client.post(url, data={"csrf_token": csrf_of(stale), "_orig": orig, "status": "closed",
                                  "outcome": ""}).status_code == 303
    db.session.expire_all()
    assert (plan.status, plan.outcome) == ("closed", "Deputy's note")
    # Both change the outcome: refused, the other value shown.
    stale = client.get(url).get_data(as_text=True)
    orig = re.search(r'name="_orig" value="([^"]+)"', stale).group(1).replace("&#34;", '"')
    fresh = deputy.get(url).get_data(as_text=True)
    deputy.post(url, data={"csrf_token": csrf_of(fresh), "status": "closed", "outcome": "Second note"})
    response = client.post(url, data={"csrf_token": csrf_of(stale), "_orig": orig, "status": "closed",
                                      "outcome": "Mine"})
    assert response.status_code == 409 and "Second note" in response.get_data(as_text=True)
    db.session.expire_all()
    assert plan.outcome == "Second note"


def test_a_teacher_of_another_class_cannot_open_or_see_the_plan(school, login, client, app):
    s7, s8, q2 = build(school)
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/warnings?term={q2.id}").get_data(as_text=True)
    client.post(f"/achievement/support/open/{s7[0].id}?term={q2.id}", data={"csrf_token": csrf_of(page)})
    plan = db.session.scalar(select(SupportPlan))
    # The class teacher of 7-А may not open a plan for an 8-Б student.
    assert client.post(f"/achievement/support/open/{s8[0].id}?term={q2.id}",
                       data={"csrf_token": csrf_of(page)}).status_code == 404
    client.get("/logout")
    other = app.test_client()
    do_login(other, school.user("teacher2"))
    assert other.get(f"/achievement/support/{plan.id}").status_code == 404
    assert other.post(f"/achievement/support/{plan.id}/contact", data={}).status_code in (403, 404)
    # The maths teacher of 7-А reads the plan but may not change it.
    maths = app.test_client()
    do_login(maths, school.user("teacher"))
    page = maths.get(f"/achievement/support/{plan.id}")
    assert page.status_code == 200 and "Add a step" not in page.get_data(as_text=True)
    # s7[0]'s plan was opened for two 2s in maths: the maths teacher reads them (today's, of maths).
    assert "Математика" in page.get_data(as_text=True)
    assert maths.post(f"/achievement/support/{plan.id}", data={"status": "closed"}).status_code == 403
    assert db.session.scalar(select(func.count(SupportPlan.id))) == 1


def test_a_subject_teacher_reads_no_other_subjects_marks_in_a_plan(school, login, client, app):
    """s7[4]'s plan is opened by the class teacher for two marks of 2 in physics (the MO head's
    subject): its recorded reasons name physics with its marks and dates. The maths teacher of the
    class reads the plan (steps, contacts) but no physics mark, as on the student's page."""
    s7, s8, q2 = build(school)
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/warnings?term={q2.id}").get_data(as_text=True)
    client.post(f"/achievement/support/open/{s7[4].id}?term={q2.id}", data={"csrf_token": csrf_of(page)})
    plan = db.session.scalar(select(SupportPlan))
    assert "Физика" in client.get(f"/achievement/support/{plan.id}").get_data(as_text=True)
    maths = app.test_client()
    do_login(maths, school.user("teacher"))
    page = maths.get(f"/achievement/support/{plan.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and s7[4].full_name in body
    assert "Физика" not in body and "20.11" not in body
    deputy = app.test_client()
    do_login(deputy, school.user("deputy"))
    assert "Физика" in deputy.get(f"/achievement/support/{plan.id}").get_data(as_text=True)


def test_prevention_of_academic_failure_is_computed_from_the_flags_and_plans(school):
    from app.services.achievement.monitoring import CALCULATORS
    s7, s8, q2 = build(school)
    calc = CALCULATORS["failure_prevention"]
    sid = school.school.id
    assert calc(sid, Period.of_term(q2)) is None or calc(sid, Period.of_term(q2)).value == 0.0
    for student in (s7[0], s7[2]):
        db.session.add(SupportPlan(school_id=sid, student_id=student.id, term_id=q2.id, status="open"))
    # A plan of a student who is not flagged does not count.
    db.session.add(SupportPlan(school_id=sid, student_id=s7[1].id, term_id=q2.id, status="open"))
    db.session.commit()
    result = calc(sid, Period.of_term(q2))
    assert (result.value, result.n) == (pytest.approx(40.0), 5)  # 2 of the 5 flagged students
    year = calc(sid, Period.of_year(school.year))
    assert (year.value, year.n) == (pytest.approx(40.0), 5)  # Q1, Q3, Q4 flag nobody
    db.session.scalar(select(SupportPlan).where(SupportPlan.student_id == s7[2].id)).status = "cancelled"
    db.session.commit()
    assert calc(sid, Period.of_term(q2)).value == pytest.approx(20.0)
    assert calc(sid, Period.of_term(school.terms[0])) is None  # nobody flagged: no value


def test_the_students_at_risk_link_to_their_plan(school, login, client):
    s7, _s8, q2 = build(school)
    login(school.user("class_teacher"))
    page = client.get(f"/achievement/at-risk?term={q2.id}").get_data(as_text=True)
    # s4's mean term mark fell from 5 to 4: at risk, with a button to open a plan.
    assert s7[3].full_name in page and f"/achievement/support/open/{s7[3].id}?term={q2.id}" in page
    assert client.post(f"/achievement/support/open/{s7[3].id}?term={q2.id}",
                       data={"csrf_token": csrf_of(page)}).status_code == 303
    plan = db.session.scalar(select(SupportPlan))
    page = client.get(f"/achievement/at-risk?term={q2.id}").get_data(as_text=True)
    assert f"/achievement/support/{plan.id}" in page
    why = client.get(f"/achievement/support/{plan.id}").get_data(as_text=True).split('id="steps"')[0]
    assert "Математика" in why and "31.10.2026" in why  # the fall, with its dates
