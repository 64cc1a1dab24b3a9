"""Learning results for the pages: terms, the summary of a term, dynamics over the years, a
student's trajectory, internal marks against external results, and students at risk (with
their support actions). Every figure comes from metrics' SQL indicators, limited by
access.visible.
"""
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    EXTERNAL_KINDS,
    AcademicYear,
    Assessment,
    ClassGroup,
    Enrollment,
    Mark,
    MethodicalAssociation,
    Student,
    Subject,
    SupportAction,
    TeachingAssignment,
    Term,
    User,
)
from app.security import Principal
from app.services.achievement.access import student_view, visible
from app.services.achievement.metrics import metrics_select, rollup, run_metrics, teacher_join, term_metrics
from app.services.core import clock
from app.services.core import school as school_service
from app.services.core.text import in_db_range

DEFAULT_THRESHOLD = 0.5  # marks on the 5-point scale; config key ACHIEVEMENT_EXTERNAL_THRESHOLD
# What the summary counts: term marks (the usual report) or control works and tests.
BASES = {"term": ("term",), "control": ("control", "test")}


# --- lookups for pages -------------------------------------------------------------------

def term_or_none(school_id: int, term_id) -> Optional[Term]:
    try:
        term_id = int(term_id) if term_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if term_id is None or not in_db_range(term_id):  # beyond the driver's integers: a 500
        return None
    term = db.session.get(Term, term_id)
    return term if term is not None and term.school_id == school_id else None


def terms(school_id: int) -> list[Term]:
    """Every term of the school, newest year first, quarters before semesters and the year."""
    return list(db.session.scalars(
        select(Term).join(AcademicYear, Term.year_id == AcademicYear.id).where(Term.school_id == school_id)
        .order_by(AcademicYear.starts_on.desc(), case((Term.kind == "quarter", 0), (Term.kind == "semester", 1),
                                                       else_=2), Term.number)))


def default_term(school_id: int, today: Optional[date] = None) -> Optional[Term]:
    """The latest quarter of the current year that has begun (else its first term)."""
    today = today or clock.today(clock.school_zone(school_id))
    year = school_service.current_year(school_id)
    if year is None:
        return None
    quarters = list(db.session.scalars(select(Term).where(Term.year_id == year.id).order_by(
        case((Term.kind == "quarter", 0), else_=1), Term.starts_on)))
    started = [t for t in quarters if t.kind == "quarter" and t.starts_on <= today]
    return started[-1] if started else (quarters[0] if quarters else None)


def names(school_id: int) -> dict[str, dict]:
    """id -> object maps for classes, subjects, MAs and teachers of the school (small tables)."""
    return {
        "classes": {c.id: c for c in db.session.scalars(select(ClassGroup).where(ClassGroup.school_id == school_id))},
        "subjects": {s.id: s for s in db.session.scalars(select(Subject).where(Subject.school_id == school_id))},
        "mas": {m.id: m for m in db.session.scalars(
            select(MethodicalAssociation).where(MethodicalAssociation.school_id == school_id))},
        "users": {u.id: u for u in db.session.scalars(select(User).where(User.school_id == school_id))},
    }


def teachers_by_pair(school_id: int, year_id: int) -> dict[tuple[int, int], list[int]]:
    out: dict[tuple[int, int], list[int]] = {}
    for class_id, subject_id, teacher_id in db.session.execute(
        select(TeachingAssignment.class_id, TeachingAssignment.subject_id, TeachingAssignment.teacher_id)
        .where(TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year_id)
        .order_by(TeachingAssignment.id)
    ):
        out.setdefault((class_id, subject_id), []).append(teacher_id)
    return out


@dataclass
class Summary:
    """The indicators of a term, as on the summary page and in the workbook."""

    term: Term
    rows: list[dict]  # one per class x subject: class, subject, teacher, metrics
    groups: dict[str, list[dict]]  # grade / ma / subject / teacher / school


def summary(principal: Principal, term: Term, kinds=("term",)) -> Summary:
    lookup = names(principal.school_id)
    teachers = teachers_by_pair(principal.school_id, term.year_id)
    classes, subjects, users, mas = lookup["classes"], lookup["subjects"], lookup["users"], lookup["mas"]

    def teacher_names(class_id, subject_id):
        return ", ".join(users[t].full_name for t in teachers.get((class_id, subject_id), []) if t in users)

    rows = []
    detail = term_metrics(principal, term.id, "class_subject", kinds)
    for m in detail:
        cls, subject = classes[m.class_id], subjects[m.subject_id]
        rows.append({"class": cls, "subject": subject, "teacher": teacher_names(cls.id, subject.id),
                     "grade": cls.grade, "class_id": cls.id, "subject_id": subject.id, "m": m})
    rows.sort(key=lambda r: (r["class"].grade, r["class"].letter, r["subject"].name))
    # One scan of the marks: the groups are sums of the class x subject counts.
    by_grade = rollup(detail, "grade", groups_of=lambda m: [(classes[m.class_id].grade,)])
    by_ma = rollup(detail, "ma_id", groups_of=lambda m: [(subjects[m.subject_id].ma_id,)])
    by_teacher = rollup(detail, "teacher_id",
                        groups_of=lambda m: [(t,) for t in teachers.get((m.class_id, m.subject_id), [])])
    groups = {}
    groups["grade"] = [{"label": _("Grade %(grade)d", grade=m.grade), "m": m}
                       for m in sorted(by_grade, key=lambda m: m.grade)]
    groups["ma"] = sorted([{"label": mas[m.ma_id].name if m.ma_id in mas else "—", "obj": mas.get(m.ma_id), "m": m}
                           for m in by_ma], key=lambda r: (r["m"].ma_id is None, r["m"].ma_id or 0))
    groups["subject"] = sorted(
        [{"label": subjects[m.subject_id].name, "obj": subjects[m.subject_id], "m": m}
         for m in rollup(detail, "subject_id")], key=lambda r: r["label"])
    groups["teacher"] = sorted(
        [{"label": users[m.teacher_id].full_name if m.teacher_id in users else "—", "id": m.teacher_id, "m": m}
         for m in by_teacher], key=lambda r: r["label"])
    groups["school"] = [{"label": _("Total"), "m": m} for m in rollup(detail) if m.n or m.absent]
    return Summary(term=term, rows=rows, groups=groups)


# --- dynamics and trajectories ------------------------------------------------------------

def dynamics(principal: Principal, *, class_id: Optional[int] = None, subject_id: Optional[int] = None,
             teacher_id: Optional[int] = None) -> list[dict]:
    """Term-mark indicators per quarter over all years for a class (its current students,
    followed back into last year's class), a subject, a teacher, or the school."""
    keys = {"term_id": Assessment.term_id}
    # Mark.school_id too: without it PostgreSQL read every school's marks at district scale.
    where = [Assessment.school_id == principal.school_id, Mark.school_id == principal.school_id,
             Assessment.kind == "term", visible(principal, Assessment.class_id, Assessment.subject_id)]
    if class_id is not None:
        where.append(Mark.student_id.in_(select(Enrollment.student_id).where(Enrollment.class_id == class_id)))
    if subject_id is not None:
        where.append(Assessment.subject_id == subject_id)
    joins = []
    if teacher_id is not None:
        joins.append(teacher_join())
        where.append(TeachingAssignment.teacher_id == teacher_id)
    stmt = metrics_select(keys, *where, schools=principal.school_id, joins=joins)
    by_term = {m.term_id: m for m in run_metrics(stmt, keys)}
    if not by_term:
        return []
    out = []
    for term in db.session.scalars(select(Term).join(AcademicYear, Term.year_id == AcademicYear.id).where(
            Term.id.in_(list(by_term))).order_by(Term.starts_on, Term.kind)):
        out.append({"term": term, "m": by_term[term.id]})
    return out


def year_to_year(rows: list[dict]) -> list[dict]:
    """Rearrange dynamics rows: one row per quarter number, one column per year."""
    years = sorted({r["term"].year for r in rows}, key=lambda y: y.starts_on)
    table = []
    for number in sorted({r["term"].number for r in rows if r["term"].kind == "quarter"}):
        cells = {r["term"].year_id: r["m"] for r in rows if r["term"].kind == "quarter" and r["term"].number == number}
        table.append({"number": number, "cells": [cells.get(y.id) for y in years]})
    return [{"years": years, "rows": table}]


def student_trajectory(principal: Principal, student_id: int) -> dict:
    """A student's term marks per term and subject, their mean per term, and control works:
    only the marks `access.visible` gives the principal as the page sees them
    (`access.student_view`: a teacher of Algebra sees the student's Algebra marks, and the mean
    of those only; a class teacher the subjects of their class)."""
    seen = visible(student_view(principal), Assessment.class_id, Assessment.subject_id)
    base = (Assessment.school_id == principal.school_id, Mark.student_id == student_id, seen)
    rows = db.session.execute(
        select(Assessment.term_id, Assessment.subject_id, Assessment.kind, Assessment.date, Assessment.topic,
               Assessment.max_score, Mark.value, Mark.score, Mark.absent)
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(*base)
        .order_by(Assessment.date)
    ).all()
    means = {term_id: float(mean) for term_id, mean in db.session.execute(
        select(Assessment.term_id, cast(func.avg(Mark.value), Float))
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(*base, Assessment.kind == "term", Mark.value.is_not(None))
        .group_by(Assessment.term_id))}
    term_objs = {t.id: t for t in db.session.scalars(select(Term).where(Term.id.in_({r.term_id for r in rows})))}
    ordered_terms = sorted(term_objs.values(), key=lambda t: (t.starts_on, t.kind))
    term_marks: dict[int, dict[int, Any]] = {}
    other = []
    for r in rows:
        if r.kind == "term":
            term_marks.setdefault(r.subject_id, {})[r.term_id] = "н" if r.absent else r.value
        else:
            other.append(r)
    return {"terms": [t for t in ordered_terms if t.id in means or any(t.id in v for v in term_marks.values())],
            "means": means, "term_marks": term_marks, "other": other}


# --- internal vs external --------------------------------------------------------------------

def external_equivalent(score, max_score):
    """An external score on the 5-point scale: 2 + 3 * score / max (0 points -> 2, full marks -> 5)."""
    return 2 + 3 * score / max_score


def compare_external(principal: Principal, year_id: int, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """Per class and subject, for students with both: the mean of their term marks of the year
    against their external result converted to the 5-point scale; flagged when the difference
    exceeds `threshold`. Both sides are limited by `access.visible` (a student who changed
    class brings no marks from a class the principal does not see)."""
    ext_a = aliased(Assessment)
    ext_m = aliased(Mark)
    external = (
        select(ext_m.student_id.label("student_id"), ext_a.subject_id.label("subject_id"),
               ext_a.class_id.label("class_id"),
               func.avg(2 + 3 * ext_m.score / func.coalesce(ext_a.max_score, 100.0)).label("ext"),
               func.avg(ext_m.score).label("raw"))
        .join(ext_a, ext_m.assessment_id == ext_a.id).join(Term, Term.id == ext_a.term_id)
        .where(ext_a.school_id == principal.school_id, Term.year_id == year_id, ext_a.kind.in_(EXTERNAL_KINDS),
               ext_m.score.is_not(None), visible(principal, ext_a.class_id, ext_a.subject_id))
        .group_by(ext_m.student_id, ext_a.subject_id, ext_a.class_id).subquery()
    )
    # Only the students and subjects with an external result: a few classes and subjects, not
    # the whole school's marks.
    tested = select(external.c.student_id)
    tested_subjects = select(external.c.subject_id)
    internal = (
        select(Mark.student_id.label("student_id"), Assessment.subject_id.label("subject_id"),
               func.avg(Mark.value).label("internal"))
        .join(Assessment, Mark.assessment_id == Assessment.id).join(Term, Term.id == Assessment.term_id)
        .where(Assessment.school_id == principal.school_id, Term.year_id == year_id, Assessment.kind == "term",
               Assessment.subject_id.in_(tested_subjects), Mark.value.is_not(None), Mark.student_id.in_(tested),
               visible(principal, Assessment.class_id, Assessment.subject_id))
        .group_by(Mark.student_id, Assessment.subject_id).subquery()
    )
    stmt = (
        select(external.c.class_id, external.c.subject_id, func.count().label("n"),
               cast(func.avg(internal.c.internal), Float).label("internal"),
               cast(func.avg(external.c.ext), Float).label("external"),
               cast(func.avg(external.c.raw), Float).label("raw"))
        .join(internal, and_(internal.c.student_id == external.c.student_id,
                             internal.c.subject_id == external.c.subject_id))
        .group_by(external.c.class_id, external.c.subject_id)
    )
    rows = db.session.execute(stmt).all()
    lookup = names(principal.school_id) if rows else {}
    out = []
    for class_id, subject_id, n, internal_mean, external_mean, raw in rows:
        diff = internal_mean - external_mean
        out.append({"class": lookup["classes"][class_id], "subject": lookup["subjects"][subject_id], "n": n,
                    "internal": round(internal_mean, 2), "external": round(external_mean, 2),
                    "raw": round(raw, 1), "diff": round(diff, 2), "flag": abs(diff) > threshold})
    out.sort(key=lambda r: (r["class"].grade, r["class"].letter, r["subject"].name))
    return out


# --- students at risk -------------------------------------------------------------------------

def previous_quarter(term: Term) -> Optional[Term]:
    if term.kind != "quarter":
        return None
    return db.session.scalar(
        select(Term).where(Term.school_id == term.school_id, Term.kind == "quarter", Term.starts_on < term.starts_on)
        .order_by(Term.starts_on.desc()).limit(1))


def at_risk(principal: Principal, term: Term, class_ids: list[int]) -> list[dict]:
    """Students of the classes with a term mark of 2 (or 1) in the term, or whose mean term
    mark fell by 1 or more since the previous quarter, over the marks `access.visible` gives
    the principal (a student who changed class brings no marks of a class they do not see)."""
    if not class_ids:
        return []
    school_id = principal.school_id
    seen = visible(principal, Assessment.class_id, Assessment.subject_id)
    lookup_subjects = {s.id: s for s in db.session.scalars(select(Subject).where(Subject.school_id == school_id))}
    low = db.session.execute(
        select(Mark.student_id, Assessment.subject_id, Mark.value)
        .join(Assessment, Mark.assessment_id == Assessment.id)
        .where(Assessment.school_id == school_id, Assessment.term_id == term.id, Assessment.kind == "term",
               Assessment.class_id.in_(class_ids), Mark.value <= 2, seen)
    ).all()
    prev = previous_quarter(term)

    def term_means(term_id):
        return (select(Mark.student_id.label("student_id"), cast(func.avg(Mark.value), Float).label("mean"))
                .join(Assessment, Mark.assessment_id == Assessment.id)
                .where(Assessment.school_id == school_id, Assessment.term_id == term_id, Assessment.kind == "term",
                       seen)
                .group_by(Mark.student_id).subquery())

    falls = {}
    if prev is not None:
        cur, before = term_means(term.id), term_means(prev.id)
        students_here = select(Enrollment.student_id).where(Enrollment.class_id.in_(class_ids))
        for student_id, was, now in db.session.execute(
            select(cur.c.student_id, before.c.mean, cur.c.mean)
            .join(before, before.c.student_id == cur.c.student_id)
            .where(before.c.mean - cur.c.mean >= 1.0 - 1e-9, cur.c.student_id.in_(students_here))
        ):
            falls[student_id] = (round(was, 2), round(now, 2))
    flagged: dict[int, dict] = {}
    for student_id, subject_id, value in low:
        flagged.setdefault(student_id, {"low": [], "fall": None})["low"].append((lookup_subjects[subject_id], value))
    for student_id, fall in falls.items():
        flagged.setdefault(student_id, {"low": [], "fall": None})["fall"] = fall
    if not flagged:
        return []
    students = db.session.execute(
        select(Student, Enrollment.class_id).join(Enrollment, Enrollment.student_id == Student.id)
        .where(Student.id.in_(list(flagged)), Enrollment.class_id.in_(class_ids))).all()
    actions: dict[int, list[SupportAction]] = {}
    for action in db.session.scalars(select(SupportAction).where(
            SupportAction.school_id == school_id, SupportAction.term_id == term.id,
            SupportAction.student_id.in_(list(flagged))).order_by(SupportAction.created_at)):
        actions.setdefault(action.student_id, []).append(action)
    classes = {c.id: c for c in db.session.scalars(select(ClassGroup).where(ClassGroup.id.in_(class_ids)))}
    out = []
    for student, class_id in students:
        info = flagged[student.id]
        info["low"].sort(key=lambda item: item[0].name)
        out.append({"student": student, "class": classes[class_id], "low": info["low"], "fall": info["fall"],
                    "actions": actions.get(student.id, [])})
    out.sort(key=lambda r: (r["class"].grade, r["class"].letter, r["student"].full_name))
    return out


def add_support_action(school_id: int, student_id: int, term_id: int, user_id: int, *, action: str,
                       parents_informed: bool, contact_date: Optional[date], contact_note: str) -> SupportAction:
    row = SupportAction(school_id=school_id, student_id=student_id, term_id=term_id, created_by_id=user_id,
                        action=action.strip(), parents_informed=parents_informed, contact_date=contact_date,
                        contact_note=(contact_note or "").strip() or None)
    db.session.add(row)
    db.session.flush()
    return row
