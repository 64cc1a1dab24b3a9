"""Individual support plans for students flagged by early warning (issue 19 part 2).

A plan belongs to a student and a term (one per term): the reasons it was opened for (the
warnings at that moment, stored as their rule, subject, figure and marks and described in each
reader's language by `recorded_reasons`), steps with dates and responsible people, contacts with the
parents (date, form, outcome), its status (open, closed, cancelled) and the outcome at the end
of the term. `term_end` tells, from the term marks, whether the student still fails at the end
of the plan's term. The views audit every change in the same transaction.
"""
import json
from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import localized_name
from app.models import Assessment, Mark, ParentContact, Student, Subject, SupportPlan, SupportStep, Term
from app.security import Principal
from app.services.achievement import access, warning
from app.services.achievement.access import student_view, visible


def plan_of(school_id: int, student_id: int, term_id: int) -> Optional[SupportPlan]:
    return db.session.scalar(select(SupportPlan).where(
        SupportPlan.school_id == school_id, SupportPlan.student_id == student_id, SupportPlan.term_id == term_id))


def open_plan(principal: Principal, student: Student, term: Term, user_id: int) -> tuple[SupportPlan, bool]:
    """The student's plan of the term, opened now (with the warnings the principal sees as its
    reasons) unless it exists; (plan, created)."""
    found = plan_of(principal.school_id, student.id, term.id)
    if found is not None:
        return found, False
    reasons = warning.flags(principal, term, student_ids=[student.id])
    kept = [{"rule": r.rule, "subject_id": r.subject.id, "figure": r.figure,
             "marks": [[d.isoformat(), v] for d, v in r.marks]} for f in reasons for r in f.reasons]
    plan = SupportPlan(school_id=principal.school_id, student_id=student.id, term_id=term.id, status="open",
                       reasons=json.dumps(kept, ensure_ascii=False) if kept else None, created_by_id=user_id)
    db.session.add(plan)
    db.session.flush()
    return plan, True


def recorded_reasons(plan: SupportPlan) -> list[str]:
    """The reasons the plan was opened for, one line each in the reader's language (a plan
    written before they were stored as keys keeps its lines of text as they were)."""
    if not plan.reasons:
        return []
    try:
        kept = json.loads(plan.reasons)
    except ValueError:
        return plan.reasons.split("\n")
    subjects = {s.id: s for s in db.session.scalars(select(Subject).where(
        Subject.school_id == plan.school_id, Subject.id.in_({r["subject_id"] for r in kept})))}
    lines = []
    for r in kept:
        subject = subjects.get(r["subject_id"])
        reason = warning.Reason(rule=r["rule"], subject=subject, figure=r["figure"],
                                marks=[(date.fromisoformat(d), v) for d, v in r["marks"]])
        lines.append(warning.describe(reason, localized_name(subject) if subject else "—", _))
    return lines


def add_step(plan: SupportPlan, *, what: str, due_on: date, responsible_id: Optional[int]) -> SupportStep:
    step = SupportStep(school_id=plan.school_id, plan_id=plan.id, what=what.strip(), due_on=due_on,
                       responsible_id=responsible_id)
    db.session.add(step)
    db.session.flush()
    return step


def add_contact(plan: SupportPlan, *, held_on: date, form: str, outcome: str, user_id: int) -> ParentContact:
    contact = ParentContact(school_id=plan.school_id, plan_id=plan.id, held_on=held_on, form=form,
                            outcome=outcome.strip(), recorded_by_id=user_id)
    db.session.add(contact)
    db.session.flush()
    return contact


def mark_step_done(step: SupportStep, on: date) -> None:
    step.done_on = on


@dataclass
class TermEnd:
    """The student's term marks of 2 or 1 in the plan's term (subject, mark), among the marks
    the reader sees; `marked` is False while the term has no term marks of the student."""
    marked: bool
    failing: list[tuple[Subject, int]]


def term_end(principal: Principal, plan: SupportPlan) -> TermEnd:
    rows = db.session.execute(
        select(Subject, Mark.value).join(Assessment, Assessment.subject_id == Subject.id)
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(Assessment.school_id == plan.school_id, Assessment.term_id == plan.term_id,
               Assessment.kind == "term", Mark.student_id == plan.student_id, Mark.value.is_not(None),
               visible(student_view(principal), Assessment.class_id, Assessment.subject_id))
        .order_by(Subject.name)).all()
    return TermEnd(bool(rows), [(s, v) for s, v in rows if v <= 2])


def plans_of_student(school_id: int, student_id: int) -> list[SupportPlan]:
    return list(db.session.scalars(select(SupportPlan).join(Term, Term.id == SupportPlan.term_id).where(
        SupportPlan.school_id == school_id, SupportPlan.student_id == student_id).order_by(Term.starts_on.desc())))


def plans_of_term(school_id: int, term_id: int, student_ids: list[int]) -> dict[int, SupportPlan]:
    """student id -> their plan of the term, for the students given."""
    return {p.student_id: p for p in db.session.scalars(select(SupportPlan).where(
        SupportPlan.school_id == school_id, SupportPlan.term_id == term_id, SupportPlan.student_id.in_(student_ids)))}


def student_support(principal: Principal, student_id: int, term: Optional[Term]) -> Optional[dict]:
    """What a student's page shows of early warning: this term's reasons (within the reader's
    scope) and the student's plans; None for a reader who may not see plans."""
    if not access.may_see_plan(principal, student_id):
        return None
    current = warning.flags(principal, term, student_ids=[student_id]) if term else []
    return {"reasons": current[0].reasons if current else [], "plans": plans_of_student(principal.school_id, student_id)}
