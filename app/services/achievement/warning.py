"""Early warning: students flagged before a term mark of 2, by rules the school sets.

Three rules, each computed in SQL from the marks (per student and subject), each switched off
by leaving its threshold empty on the rules page (`WarningRule`; no row = the defaults):

    low_marks   at least `low_marks` (2) marks of 2 or 1 in the control works of one subject
                in the term
    mean_below  the mean of the student's last `last_n` (5) current marks (control works and
                tests) of one subject, dated in the term's year up to the term's end, is below
                `mean_below` (3.0); counted from two marks on, when one of them is dated in
                the term (a student without new marks is not flagged again term after term)
    drop_by     a subject's term mark fell by `drop_by` (1) or more since the previous quarter

There is no absence rule: Sapat records no lesson attendance (a mark cell may only say that
the student missed that piece of work), so nothing here pretends to count absences.

A flag carries every reason with the subject and the marks (value and date) behind it. What
a principal sees is limited by `access.visible` for `access.student_view` (a class teacher:
their class's subjects; a teacher, an MO head too: their own class x subject pairs; the
director and deputies: the school), as on a student's page.
"""
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional

from sqlalchemy import Float, and_, cast, func, select

from app.extensions import db
from app.models import Assessment, ClassGroup, Enrollment, Mark, Student, Subject, SupportPlan, Term, WarningRule
from app.security import Principal
from app.services.achievement.access import student_view, visible
from app.services.achievement.analysis import previous_quarter

DEFAULTS = {"low_marks": 2, "mean_below": 3.0, "last_n": 5, "drop_by": 1.0}
CURRENT_KINDS = ("control", "test")
MIN_MARKS_FOR_MEAN = 2
EPSILON = 1e-9


@dataclass
class Rules:
    low_marks: Optional[int] = DEFAULTS["low_marks"]
    mean_below: Optional[float] = DEFAULTS["mean_below"]
    last_n: int = DEFAULTS["last_n"]
    drop_by: Optional[float] = DEFAULTS["drop_by"]


@dataclass
class Reason:
    """Why a student is flagged: `rule` (low_marks, mean_below, drop_by), the subject, the
    marks behind it as (date, mark), and the figure (the count, the mean, the fall)."""
    rule: str
    subject: Subject
    marks: list[tuple[date, int]]
    figure: float


@dataclass
class Flag:
    student: Student
    cls: Optional[ClassGroup]
    reasons: list[Reason] = field(default_factory=list)
    plan: Optional[SupportPlan] = None


def rules_of(school_id: int) -> Rules:
    """The school's rules, or the defaults when it has not set any."""
    row = db.session.scalar(select(WarningRule).where(WarningRule.school_id == school_id))
    if row is None:
        return Rules()
    return Rules(row.low_marks, row.mean_below, row.last_n, row.drop_by)


def _where(principal: Principal, a, class_ids, student_ids, m, term_ids):
    """The conditions every rule shares. The school is that of the terms (`term_ids`, a
    select of the school's term ids), so that the planner reads assessments by term; the marks
    are the school's too (without it PostgreSQL read every school's marks at district scale)."""
    conds = [a.term_id.in_(term_ids), m.school_id == principal.school_id,
             visible(principal, a.class_id, a.subject_id)]
    if class_ids is not None:
        conds.append(a.class_id.in_(class_ids))
    if student_ids is not None:
        conds.append(m.student_id.in_(student_ids))
    return conds


def _terms(principal: Principal, term_id: int):
    return select(Term.id).where(Term.school_id == principal.school_id, Term.id == term_id)


def _low_marks(principal, term, rules, class_ids, student_ids) -> list[tuple]:
    """(student, subject, date, mark) of the marks of 2 or 1 in control works of the subjects
    where the student has at least `rules.low_marks` of them in the term (a window count: one
    pass over the term's control works)."""
    conds = _where(principal, Assessment, class_ids, student_ids, Mark, _terms(principal, term.id)) + [
        Assessment.kind == "control", Mark.value <= 2]
    counted = (select(Mark.student_id.label("student_id"), Assessment.subject_id.label("subject_id"),
                      Assessment.date.label("date"), Mark.value.label("value"),
                      func.count().over(partition_by=(Mark.student_id, Assessment.subject_id)).label("n"))
               .join(Assessment, Mark.assessment_id == Assessment.id).where(*conds).subquery())
    return db.session.execute(
        select(counted.c.student_id, counted.c.subject_id, counted.c.date, counted.c.value)
        .where(counted.c.n >= rules.low_marks).order_by(counted.c.date)).all()


def _low_mean(principal, term, rules, class_ids, student_ids) -> list[tuple]:
    """(student, subject, date, mark) of the last `rules.last_n` current marks of the subjects
    whose mean of those marks is below `rules.mean_below`, the latest dated in the term (window
    functions: the marks are numbered from the latest per student and subject, then the mean,
    count and latest date of the last N are taken over the same partition)."""
    year_terms = select(Term.id).where(Term.school_id == principal.school_id, Term.year_id == term.year_id)
    conds = _where(principal, Assessment, class_ids, student_ids, Mark, year_terms) + [
        Assessment.kind.in_(CURRENT_KINDS), Mark.value.is_not(None), Assessment.date <= term.ends_on]
    pair = (Mark.student_id, Assessment.subject_id)
    ranked = (select(Mark.student_id.label("student_id"), Assessment.subject_id.label("subject_id"),
                     Assessment.date.label("date"), Mark.value.label("value"),
                     func.row_number().over(partition_by=pair,
                                            order_by=(Assessment.date.desc(), Assessment.id.desc())).label("rn"))
              .join(Assessment, Mark.assessment_id == Assessment.id).where(*conds).subquery())
    last_pair = (ranked.c.student_id, ranked.c.subject_id)
    last = (select(ranked.c.student_id, ranked.c.subject_id, ranked.c.date, ranked.c.value,
                   cast(func.avg(ranked.c.value).over(partition_by=last_pair), Float).label("mean"),
                   func.count().over(partition_by=last_pair).label("n"),
                   func.max(ranked.c.date).over(partition_by=last_pair).label("latest"))
            .where(ranked.c.rn <= rules.last_n).subquery())
    return db.session.execute(
        select(last.c.student_id, last.c.subject_id, last.c.date, last.c.value)
        .where(last.c.n >= MIN_MARKS_FOR_MEAN, last.c.latest >= term.starts_on,
               last.c.mean < rules.mean_below - EPSILON)
        .order_by(last.c.date)).all()


def _term_marks(principal, term_id, class_ids, student_ids):
    """(student, subject, date, value) of the term marks of a term, one row per student and
    subject (the lower mark if there were two); grouped, so that the two terms are joined as
    two small tables rather than mark by mark."""
    conds = _where(principal, Assessment, class_ids, student_ids, Mark, _terms(principal, term_id)) + [
        Assessment.kind == "term", Mark.value.is_not(None)]
    return (select(Mark.student_id.label("student_id"), Assessment.subject_id.label("subject_id"),
                   func.max(Assessment.date).label("date"), func.min(Mark.value).label("value"))
            .join(Assessment, Mark.assessment_id == Assessment.id).where(*conds)
            .group_by(Mark.student_id, Assessment.subject_id).subquery())


def _drops(principal, term, rules, class_ids, student_ids) -> list[tuple]:
    """(student, subject, previous date, previous mark, date, mark) of the subjects whose term
    mark fell by `rules.drop_by` or more since the previous quarter (the previous quarter's
    marks of the same students, in whichever class they were)."""
    before = previous_quarter(term)
    if before is None:
        return []
    now = _term_marks(principal, term.id, class_ids, student_ids)
    was = _term_marks(principal, before.id, None, student_ids)
    return db.session.execute(
        select(now.c.student_id, now.c.subject_id, was.c.date, was.c.value, now.c.date, now.c.value)
        .join(was, and_(was.c.student_id == now.c.student_id, was.c.subject_id == now.c.subject_id))
        .where(was.c.value - now.c.value >= rules.drop_by - EPSILON)).all()


def flagged_ids(principal: Principal, term: Term, class_ids: Optional[Iterable[int]] = None,
                student_ids: Optional[Iterable[int]] = None) -> dict[int, list[tuple]]:
    """student id -> [(rule, subject id, [(date, mark)], figure)] of every flagged student,
    over the marks the principal sees on a student's page (`access.student_view`: an MO head
    sees named students as the teacher they are, not the whole association's pupils)."""
    principal = student_view(principal)
    rules = rules_of(principal.school_id)
    class_ids = None if class_ids is None else list(class_ids)
    student_ids = None if student_ids is None else list(student_ids)
    found: dict[int, dict[tuple, list]] = {}
    if rules.low_marks:
        for student_id, subject_id, on, value in _low_marks(principal, term, rules, class_ids, student_ids):
            found.setdefault(student_id, {}).setdefault(("low_marks", subject_id), []).append((on, value))
    if rules.mean_below:
        for student_id, subject_id, on, value in _low_mean(principal, term, rules, class_ids, student_ids):
            found.setdefault(student_id, {}).setdefault(("mean_below", subject_id), []).append((on, value))
    if rules.drop_by:
        for student_id, subject_id, was_on, was, on, value in _drops(principal, term, rules, class_ids, student_ids):
            found.setdefault(student_id, {})[("drop_by", subject_id)] = [(was_on, was), (on, value)]
    out = {}
    for student_id, reasons in found.items():
        rows = []
        for (rule, subject_id), marks in reasons.items():
            marks.sort(key=lambda m: m[0])
            if rule == "low_marks":
                figure = float(len(marks))
            elif rule == "mean_below":
                figure = round(sum(v for _d, v in marks) / len(marks), 2)
            else:
                figure = float(marks[0][1] - marks[1][1])
            rows.append((rule, subject_id, marks, figure))
        out[student_id] = rows
    return out


RULE_ORDER = {"low_marks": 0, "mean_below": 1, "drop_by": 2}


def flags(principal: Principal, term: Term, class_ids: Optional[Iterable[int]] = None,
          student_ids: Optional[Iterable[int]] = None) -> list[Flag]:
    """The flagged students with their class of the term's year, every reason, and their
    support plan of the term if there is one; by class and name."""
    found = flagged_ids(principal, term, class_ids, student_ids)
    if not found:
        return []
    school_id = principal.school_id
    subjects = {s.id: s for s in db.session.scalars(select(Subject).where(Subject.school_id == school_id))}
    rows = db.session.execute(
        select(Student, ClassGroup).outerjoin(Enrollment, and_(Enrollment.student_id == Student.id,
                                                               Enrollment.year_id == term.year_id))
        .outerjoin(ClassGroup, ClassGroup.id == Enrollment.class_id)
        .where(Student.school_id == school_id, Student.id.in_(list(found)))).all()
    plans = {p.student_id: p for p in db.session.scalars(select(SupportPlan).where(
        SupportPlan.school_id == school_id, SupportPlan.term_id == term.id, SupportPlan.student_id.in_(list(found))))}
    out, seen = [], set()
    for student, cls in rows:
        if student.id in seen:
            continue
        seen.add(student.id)
        reasons = [Reason(rule, subjects[subject_id], marks, figure)
                   for rule, subject_id, marks, figure in found[student.id]]
        reasons.sort(key=lambda r: (r.subject.name, RULE_ORDER[r.rule]))
        out.append(Flag(student, cls, reasons, plans.get(student.id)))
    out.sort(key=lambda f: (f.cls.grade if f.cls else 0, f.cls.letter if f.cls else "", f.student.full_name))
    return out


def describe(reason: Reason, subject_name: str, gettext) -> str:
    """One line of a reason in the page's language, for a plan's record of why it was opened."""
    marks = ", ".join(f"{v} ({d.strftime('%d.%m.%Y')})" for d, v in reason.marks)
    if reason.rule == "low_marks":
        text = gettext("%(subject)s: %(n)d marks of 2 in control works", subject=subject_name, n=int(reason.figure))
    elif reason.rule == "mean_below":
        text = gettext("%(subject)s: mean of the last marks %(mean).2f", subject=subject_name, mean=reason.figure)
    else:
        text = gettext("%(subject)s: term mark fell by %(fall)g", subject=subject_name, fall=reason.figure)
    return f"{text}: {marks}"
