"""Learning results: the marks grid and the standard indicators on the 5-point scale.

Every indicator is computed in SQL from the marks themselves (never by averaging
percentages), for any grouping:

    n       students with a mark (absent pupils are counted apart)
    pass    (n5 + n4 + n3) / n * 100            успеваемость / үлгүрүү
    quality (n5 + n4) / n * 100                 качество знаний / билим сапаты
    SOU     (100 n5 + 64 n4 + 36 n3 + 16 n2 + 7 n1) / n    степень обученности (Симонов)
    mean    the mean mark

With n = 0 the ratios are NULL (shown as a dash), never a division by zero.
"""
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Optional

from flask_babel import gettext as _
from sqlalchemy import (
    Float,
    Integer,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    union_all,
    select,
    true,
)
from sqlalchemy.orm import aliased

from app.extensions import db
from app.security import Principal
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
from app.models.achievement import DEFAULT_MAX_SCORE, INTERNAL_KINDS

METRIC_FIELDS = ("n", "n5", "n4", "n3", "n2", "n1", "absent", "pass_rate", "quality", "sou", "mean")
ABSENT_WORDS = {"н", "n", "нб", "nb", "-", "—"}
DEFAULT_THRESHOLD = 0.5
# What the summary counts: term marks (the usual report) or control works and tests.
BASES = {"term": ("term",), "control": ("control", "test")}  # marks on the 5-point scale; config key ACHIEVEMENT_EXTERNAL_THRESHOLD


# --- who may see what ----------------------------------------------------------------

def visible(principal: Principal, class_col, subject_col):
    """What a principal may see of learning results, as a SQL condition on (class id, subject
    id) columns: the whole school (director, deputy, expert), or the union of their own classes
    (class teacher), their own class x subject pairs (teacher) and the subjects of the
    methodical association they head (MO head)."""
    if principal.everything:
        return true()
    conditions = []
    if principal.has_role("teacher"):
        ta = aliased(TeachingAssignment)
        conditions.append(exists(select(ta.id).where(
            ta.teacher_id == principal.user_id, ta.class_id == class_col, ta.subject_id == subject_col)))
    if principal.has_role("class_teacher"):
        conditions.append(class_col.in_(select(ClassGroup.id).where(ClassGroup.class_teacher_id == principal.user_id)))
    if principal.has_role("mo_head"):
        conditions.append(subject_col.in_(
            select(Subject.id).join(MethodicalAssociation, Subject.ma_id == MethodicalAssociation.id)
            .where(MethodicalAssociation.head_id == principal.user_id)))
    return or_(*conditions) if conditions else false()


def may_enter_marks(user, class_id: int, subject_id: int) -> bool:
    """The teacher of that class and subject, or the director / deputy, may enter marks."""
    if user.has_role("admin", "deputy"):
        return True
    return bool(db.session.scalar(select(func.count(TeachingAssignment.id)).where(
        TeachingAssignment.teacher_id == user.id, TeachingAssignment.class_id == class_id,
        TeachingAssignment.subject_id == subject_id)))


# --- metrics in SQL --------------------------------------------------------------------

@dataclass
class Metrics:
    keys: dict[str, Any]
    n: int = 0
    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0
    n1: int = 0
    absent: int = 0
    pass_rate: Optional[float] = None
    quality: Optional[float] = None
    sou: Optional[float] = None
    mean: Optional[float] = None

    def __getattr__(self, name):  # keys read like attributes: row.class_id
        keys = self.__dict__.get("keys", {})
        if name in keys:
            return keys[name]
        raise AttributeError(name)

    def rounded(self) -> dict[str, Any]:
        """The figures as shown on screen and written to workbooks."""
        return {
            "n": self.n, "n5": self.n5, "n4": self.n4, "n3": self.n3, "n2": self.n2, "n1": self.n1,
            "absent": self.absent,
            "pass_rate": _round(self.pass_rate, 1), "quality": _round(self.quality, 1),
            "sou": _round(self.sou, 1), "mean": _round(self.mean, 2),
        }


COUNT_FIELDS = ("n", "n5", "n4", "n3", "n2", "n1", "absent")


def from_counts(keys: dict[str, Any], n: int, n5: int, n4: int, n3: int, n2: int, n1: int,
                absent: int) -> Metrics:
    """The indicators of a group from its counts, with metrics_select's formulas: marks are
    1..5 (a CHECK constraint), so the mean is the counts' weighted sum over n."""
    m = Metrics(keys, n, n5, n4, n3, n2, n1, absent)
    if n:
        m.pass_rate = 100 * (n5 + n4 + n3) / n
        m.quality = 100 * (n5 + n4) / n
        m.sou = (100 * n5 + 64 * n4 + 36 * n3 + 16 * n2 + 7 * n1) / n
        m.mean = (5 * n5 + 4 * n4 + 3 * n3 + 2 * n2 + n1) / n
    return m


def rollup(rows: Iterable[Metrics], *names: str,
           groups_of: Optional[Callable[[Metrics], Iterable[tuple]]] = None) -> list[Metrics]:
    """Coarser groups from finer ones (e.g. class x subject -> class) by summing their exact
    counts, never by averaging percentages: every figure equals the one SQL computes from
    the marks of the coarser group. Saves a scan of the marks per grouping.

    A row's group is its own values of `names`, or the tuples `groups_of(row)` gives (none,
    one, or several: a class and subject taught by two teachers counts for both)."""
    sums: dict[tuple, list[int]] = {}
    for m in rows:
        keys = groups_of(m) if groups_of else (tuple(m.keys[name] for name in names),)
        counts = [getattr(m, field_name) for field_name in COUNT_FIELDS]
        for key in keys:
            total = sums.get(key)
            if total is None:
                sums[key] = list(counts)
            else:
                for index, count in enumerate(counts):
                    total[index] += count
    return [from_counts(dict(zip(names, key)), *counts) for key, counts in sums.items()]


def _round(value, digits):
    return None if value is None else round(float(value) + 0.0, digits)


def _count_columns(value, absent):
    def count(v):
        return func.coalesce(func.sum(case((value == v, 1), else_=0)), 0)

    return [
        func.count(value).label("n"), count(5).label("n5"), count(4).label("n4"), count(3).label("n3"),
        count(2).label("n2"), count(1).label("n1"),
        func.coalesce(func.sum(case((absent.is_(True), 1), else_=0)), 0).label("absent"),
        cast(func.avg(value), Float).label("mean"),
    ]


def metrics_select(keys: dict[str, Any], *where, joins: Iterable = (), order_by: Iterable = ()):
    """SELECT keys..., n, n5..n1, absent, pass_rate, quality, sou, mean FROM mark JOIN assessment
    WHERE ... GROUP BY keys. `joins` are (target, onclause) pairs joined after assessment."""
    columns = [col.label(name) for name, col in keys.items()]
    inner = select(*columns, *_count_columns(Mark.value, Mark.absent)).select_from(Mark).join(
        Assessment, Mark.assessment_id == Assessment.id)
    for target, onclause in joins:
        inner = inner.join(target, onclause)
    inner = inner.where(*where)
    if keys:
        inner = inner.group_by(*keys.values())
    sub = inner.subquery()
    c = sub.c
    n = func.nullif(c.n, 0)
    stmt = select(
        *[c[name] for name in keys], c.n, c.n5, c.n4, c.n3, c.n2, c.n1, c.absent,
        (cast(100 * (c.n5 + c.n4 + c.n3), Float) / n).label("pass_rate"),
        (cast(100 * (c.n5 + c.n4), Float) / n).label("quality"),
        (cast(100 * c.n5 + 64 * c.n4 + 36 * c.n3 + 16 * c.n2 + 7 * c.n1, Float) / n).label("sou"),
        c.mean,
    )
    order = [c[name] for name in order_by] if order_by else [c[name] for name in keys]
    return stmt.order_by(*order)


def run_metrics(stmt, keys: Iterable[str]) -> list[Metrics]:
    keys = list(keys)
    out = []
    for row in db.session.execute(stmt).mappings():
        m = Metrics(keys={k: row[k] for k in keys})
        for name in METRIC_FIELDS:
            value = row[name]
            if name in ("pass_rate", "quality", "sou", "mean"):
                value = None if value is None else float(value)
            else:
                value = int(value or 0)
            setattr(m, name, value)
        out.append(m)
    return out


# The groupings of the term-mark indicators; each maps a name to (keys, joins).
def _teacher_join():
    return (TeachingAssignment, and_(TeachingAssignment.class_id == Assessment.class_id,
                                      TeachingAssignment.subject_id == Assessment.subject_id))


GROUPINGS = {
    "class_subject": lambda: ({"class_id": Assessment.class_id, "subject_id": Assessment.subject_id}, []),
    "class": lambda: ({"class_id": Assessment.class_id}, []),
    "grade": lambda: ({"grade": ClassGroup.grade}, [(ClassGroup, ClassGroup.id == Assessment.class_id)]),
    "ma": lambda: ({"ma_id": Subject.ma_id}, [(Subject, Subject.id == Assessment.subject_id)]),
    "subject": lambda: ({"subject_id": Assessment.subject_id}, []),
    "teacher": lambda: ({"teacher_id": TeachingAssignment.teacher_id}, [_teacher_join()]),
    "school": lambda: ({}, []),
}


def term_metrics(principal: Principal, term_id: int, grouping: str, kinds=("term",)) -> list[Metrics]:
    """Indicators of a term's marks of the given kinds (term marks by default), grouped."""
    keys, joins = GROUPINGS[grouping]()
    stmt = metrics_select(
        keys, Assessment.school_id == principal.school_id, Assessment.term_id == term_id,
        Assessment.kind.in_(kinds), visible(principal, Assessment.class_id, Assessment.subject_id), joins=joins)
    return run_metrics(stmt, keys)


def assessment_metrics(school_id: int, assessment_ids: list[int]) -> dict[int, Metrics]:
    if not assessment_ids:
        return {}
    keys = {"assessment_id": Assessment.id}
    stmt = metrics_select(keys, Assessment.school_id == school_id, Assessment.id.in_(assessment_ids))
    return {m.assessment_id: m for m in run_metrics(stmt, keys)}


def all_metrics(school_id: int) -> dict[str, list[Metrics]]:
    """Every indicator of the school in one SQL statement: per assessment, and for every term
    per class x subject, class, grade, MA, subject, teacher and the whole school (term marks).

    The marks are counted once per assessment (the covering index ix_mark_metrics answers
    this without touching the table); class x subject x term counts sum those, and the
    roll-ups sum the class x subject counts. Sums of exact counts, never averages of
    percentages: every figure equals the one computed from the marks directly."""
    count_names = ("n", "n5", "n4", "n3", "n2", "n1", "absent", "total")

    hist = (select(Mark.assessment_id.label("aid"), Mark.value.label("value"), Mark.absent.label("absent"),
                   cast(func.count(), Integer).label("c"))
            .where(Mark.assessment_id.in_(select(Assessment.id).where(Assessment.school_id == school_id)))
            .group_by(Mark.assessment_id, Mark.value, Mark.absent).cte("hist"))
    hc = hist.c

    def count(v):
        return func.sum(case((hc.value == v, hc.c), else_=0))

    per_assessment = (
        select(hc.aid.label("aid"), func.sum(case((hc.value.is_not(None), hc.c), else_=0)).label("n"),
               count(5).label("n5"), count(4).label("n4"), count(3).label("n3"), count(2).label("n2"),
               count(1).label("n1"), func.sum(case((hc.absent.is_(True), hc.c), else_=0)).label("absent"),
               func.sum(func.coalesce(hc.value, 0) * hc.c).label("total"))
        .group_by(hc.aid).cte("per_assessment"))
    pa = per_assessment.c
    per_class_subject = (
        select(Assessment.term_id.label("term_id"), Assessment.class_id.label("class_id"),
               Assessment.subject_id.label("subject_id"), *[func.sum(pa[c]).label(c) for c in count_names])
        .select_from(per_assessment).join(Assessment, Assessment.id == pa.aid).where(Assessment.kind == "term")
        .group_by(Assessment.term_id, Assessment.class_id, Assessment.subject_id).cte("per_class_subject"))
    cs = per_class_subject.c

    def level(name, key_cols, *joins, source=per_class_subject, cols=cs):
        padded = list(key_cols) + [None] * (3 - len(key_cols))
        stmt = select(literal_column(f"'{name}'").label("level"),
                      *[(col if col is not None else null()).label(f"k{i}") for i, col in enumerate(padded)],
                      *[func.sum(cols[c]).label(c) for c in count_names]).select_from(source)
        for target, onclause in joins:
            stmt = stmt.join(target, onclause)
        return stmt.group_by(*key_cols)

    assessment_level = (
        select(literal_column("'assessment'").label("level"), pa.aid.label("k0"), null().label("k1"),
               null().label("k2"), *[pa[c] for c in count_names])
        .select_from(per_assessment).join(Assessment, Assessment.id == pa.aid)
        .where(Assessment.kind.in_(INTERNAL_KINDS)))
    parts = [
        assessment_level,
        level("class_subject", [cs.term_id, cs.class_id, cs.subject_id]),
        level("class", [cs.term_id, cs.class_id]),
        level("grade", [cs.term_id, ClassGroup.grade], (ClassGroup, ClassGroup.id == cs.class_id)),
        level("ma", [cs.term_id, Subject.ma_id], (Subject, Subject.id == cs.subject_id)),
        level("subject", [cs.term_id, cs.subject_id]),
        level("teacher", [cs.term_id, TeachingAssignment.teacher_id],
              (TeachingAssignment, and_(TeachingAssignment.class_id == cs.class_id,
                                        TeachingAssignment.subject_id == cs.subject_id))),
        level("school", [cs.term_id]),
    ]
    u = union_all(*parts).subquery()
    n = func.nullif(u.c.n, 0)
    stmt = select(
        u.c.level, u.c.k0, u.c.k1, u.c.k2,
        *[cast(u.c[c], Integer) for c in ("n", "n5", "n4", "n3", "n2", "n1", "absent")],
        (cast(100 * (u.c.n5 + u.c.n4 + u.c.n3), Float) / n).label("pass_rate"),
        (cast(100 * (u.c.n5 + u.c.n4), Float) / n).label("quality"),
        (cast(100 * u.c.n5 + 64 * u.c.n4 + 36 * u.c.n3 + 16 * u.c.n2 + 7 * u.c.n1, Float) / n).label("sou"),
        (cast(u.c.total, Float) / n).label("mean"),
    )
    names_of = {"assessment": ("assessment_id",), "class_subject": ("term_id", "class_id", "subject_id"),
                "class": ("term_id", "class_id"), "grade": ("term_id", "grade"), "ma": ("term_id", "ma_id"),
                "subject": ("term_id", "subject_id"), "teacher": ("term_id", "teacher_id"), "school": ("term_id",)}
    out: dict[str, list[Metrics]] = {name: [] for name in names_of}
    for row in db.session.execute(stmt):
        name = row[0]
        keys = names_of[name]
        out[name].append(Metrics(dict(zip(keys, row[1:4])), *row[4:]))
    return out


def python_metrics(rows: Iterable[tuple]) -> dict:
    """The baseline: the same counts by a plain Python loop over (group key, value, absent) rows,
    and the indicators from them with from_counts."""
    groups: dict = {}
    for key, value, absent in rows:
        g = groups.get(key)
        if g is None:
            g = groups[key] = [0, 0, 0, 0, 0, 0, 0]  # n, n1..n5, absent
        if absent:
            g[6] += 1
        if value is not None:
            g[0] += 1
            g[value] += 1
    out = {}
    for key, (n, n1, n2, n3, n4, n5, absent) in groups.items():
        m = from_counts({}, n, n5, n4, n3, n2, n1, absent)
        out[key] = {name: getattr(m, name) for name in ("n", "absent", "pass_rate", "quality", "sou", "mean")}
    return out


# --- lookups for pages -------------------------------------------------------------------

def term_or_none(school_id: int, term_id) -> Optional[Term]:
    try:
        term_id = int(term_id) if term_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if term_id is None or not -2**63 <= term_id < 2**63:  # beyond the driver's integers: a 500
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
    today = today or date.today()
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.school_id == school_id).order_by(
        AcademicYear.is_current.desc(), AcademicYear.starts_on.desc()).limit(1))
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


def visible_pairs(principal: Principal, year_id: int) -> list[tuple[int, int]]:
    """(class id, subject id) pairs of the year's teaching assignments the scope may see."""
    return [(r[0], r[1]) for r in db.session.execute(
        select(TeachingAssignment.class_id, TeachingAssignment.subject_id, ClassGroup.grade, ClassGroup.letter)
        .distinct()
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(TeachingAssignment.school_id == principal.school_id, TeachingAssignment.year_id == year_id,
               visible(principal, TeachingAssignment.class_id, TeachingAssignment.subject_id))
        .order_by(ClassGroup.grade, ClassGroup.letter, TeachingAssignment.subject_id)
    )]


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
    where = [Assessment.school_id == principal.school_id, Assessment.kind == "term",
             visible(principal, Assessment.class_id, Assessment.subject_id)]
    if class_id is not None:
        where.append(Mark.student_id.in_(select(Enrollment.student_id).where(Enrollment.class_id == class_id)))
    if subject_id is not None:
        where.append(Assessment.subject_id == subject_id)
    joins = []
    if teacher_id is not None:
        joins.append(_teacher_join())
        where.append(TeachingAssignment.teacher_id == teacher_id)
    stmt = metrics_select(keys, *where, joins=joins)
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


def student_trajectory(school_id: int, student_id: int) -> dict:
    """A student's term marks per term and subject, their mean per term, and control works."""
    rows = db.session.execute(
        select(Assessment.term_id, Assessment.subject_id, Assessment.kind, Assessment.date, Assessment.topic,
               Assessment.max_score, Mark.value, Mark.score, Mark.absent)
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(Assessment.school_id == school_id, Mark.student_id == student_id)
        .order_by(Assessment.date)
    ).all()
    means = {term_id: float(mean) for term_id, mean in db.session.execute(
        select(Assessment.term_id, cast(func.avg(Mark.value), Float))
        .join(Mark, Mark.assessment_id == Assessment.id)
        .where(Assessment.school_id == school_id, Mark.student_id == student_id, Assessment.kind == "term",
               Mark.value.is_not(None))
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
    exceeds `threshold`."""
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
               Assessment.subject_id.in_(tested_subjects), Mark.value.is_not(None), Mark.student_id.in_(tested))
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


def at_risk(school_id: int, term: Term, class_ids: list[int]) -> list[dict]:
    """Students of the classes with a term mark of 2 (or 1) in the term, or whose mean term
    mark fell by 1 or more since the previous quarter."""
    if not class_ids:
        return []
    lookup_subjects = {s.id: s for s in db.session.scalars(select(Subject).where(Subject.school_id == school_id))}
    low = db.session.execute(
        select(Mark.student_id, Assessment.subject_id, Mark.value)
        .join(Assessment, Mark.assessment_id == Assessment.id)
        .where(Assessment.school_id == school_id, Assessment.term_id == term.id, Assessment.kind == "term",
               Assessment.class_id.in_(class_ids), Mark.value <= 2)
    ).all()
    prev = previous_quarter(term)

    def term_means(term_id):
        return (select(Mark.student_id.label("student_id"), cast(func.avg(Mark.value), Float).label("mean"))
                .join(Assessment, Mark.assessment_id == Assessment.id)
                .where(Assessment.school_id == school_id, Assessment.term_id == term_id, Assessment.kind == "term")
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


# --- the marks grid ---------------------------------------------------------------------------

@dataclass
class Grid:
    cls: ClassGroup
    subject: Subject
    term: Term
    students: list[Student]
    assessments: list[Assessment]
    marks: dict[tuple[int, int], Mark]
    metrics: dict[int, Metrics] = field(default_factory=dict)

    def shown(self, assessment: Assessment, student: Student) -> str:
        mark = self.marks.get((assessment.id, student.id))
        if mark is None:
            return ""
        if mark.absent:
            return "н"
        if mark.score is not None:
            return f"{mark.score:g}"
        return str(mark.value)


def load_grid(school_id: int, cls: ClassGroup, subject: Subject, term: Term) -> Grid:
    students = list(db.session.scalars(
        select(Student).join(Enrollment, Enrollment.student_id == Student.id)
        .where(Enrollment.class_id == cls.id, Student.school_id == school_id).order_by(Student.full_name)))
    assessments = list(db.session.scalars(
        select(Assessment).where(Assessment.school_id == school_id, Assessment.class_id == cls.id,
                                 Assessment.subject_id == subject.id, Assessment.term_id == term.id)
        .order_by(case((Assessment.kind == "term", 1), else_=0), Assessment.date, Assessment.id)))
    marks = {}
    if assessments:
        for mark in db.session.scalars(select(Mark).where(Mark.assessment_id.in_([a.id for a in assessments]))):
            marks[(mark.assessment_id, mark.student_id)] = mark
    grid = Grid(cls, subject, term, students, assessments, marks)
    grid.metrics = assessment_metrics(school_id, [a.id for a in assessments if not a.is_external])
    return grid


class CellError(ValueError):
    pass


def parse_cell(raw: Any, assessment_kind: str, max_score: Optional[float]):
    """A typed value -> (value, score, absent). Blank, н, n mean absent. Raises CellError."""
    text_value = "" if raw is None else str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text_value = str(int(raw))
    if text_value.lower() in ABSENT_WORDS or text_value == "":
        return None, None, True
    if assessment_kind in EXTERNAL_KINDS:
        try:
            score = float(text_value.replace(",", "."))
        except ValueError:
            raise CellError(_("'%(value)s' is not a score: type a number or н for absent", value=text_value[:20]))
        top = max_score or DEFAULT_MAX_SCORE.get(assessment_kind, 100.0)
        if not 0 <= score <= top:
            raise CellError(_("the score %(value)s is outside 0-%(max)s", value=f"{score:g}", max=f"{top:g}"))
        return None, score, False
    if text_value in ("1", "2", "3", "4", "5"):
        return int(text_value), None, False
    raise CellError(_("'%(value)s' is not a mark: type 1-5, or н for absent", value=text_value[:20]))


@dataclass
class GridSave:
    errors: dict[tuple[int, int], str]
    changes: dict[int, dict]  # assessment id -> {"before": {...}, "after": {...}}

    @property
    def ok(self) -> bool:
        return not self.errors


def save_grid(grid: Grid, cells: dict[tuple[int, int], str]) -> GridSave:
    """Check every cell; write nothing if any is invalid, else upsert all marks in the caller's
    transaction. A column left entirely blank stays without marks; a blank cell in a column
    with marks means absent."""
    errors: dict[tuple[int, int], str] = {}
    parsed: dict[tuple[int, int], tuple] = {}
    for assessment in grid.assessments:
        column = {s.id: cells.get((assessment.id, s.id), "") for s in grid.students}
        has_existing = any((assessment.id, s.id) in grid.marks for s in grid.students)
        if not has_existing and all(str(v or "").strip() == "" for v in column.values()):
            continue
        for student_id, raw in column.items():
            try:
                parsed[(assessment.id, student_id)] = parse_cell(raw, assessment.kind, assessment.max_score)
            except CellError as error:
                errors[(assessment.id, student_id)] = str(error)
    if errors:
        return GridSave(errors, {})
    changes: dict[int, dict] = {}
    for (assessment_id, student_id), (value, score, absent) in parsed.items():
        mark = grid.marks.get((assessment_id, student_id))
        new = {"value": value, "score": score, "absent": absent}
        if mark is not None:
            old = {"value": mark.value, "score": mark.score, "absent": mark.absent}
            if old == new:
                continue
            mark.value, mark.score, mark.absent = value, score, absent
        else:
            old = None
            mark = Mark(school_id=grid.cls.school_id, assessment_id=assessment_id, student_id=student_id, **new)
            db.session.add(mark)
            grid.marks[(assessment_id, student_id)] = mark
        change = changes.setdefault(assessment_id, {"before": {}, "after": {}})
        change["before"][str(student_id)] = old
        change["after"][str(student_id)] = new
    db.session.flush()
    return GridSave({}, changes)


def create_assessment(school_id: int, cls: ClassGroup, subject: Subject, term: Term, *, kind: str,
                      on: Optional[date], topic: str, max_score: Optional[float], user_id: Optional[int]):
    """Create (or find, when the same class, subject, term, kind and date exist) an assessment."""
    on = on or term.ends_on
    existing = db.session.scalar(select(Assessment).where(
        Assessment.class_id == cls.id, Assessment.subject_id == subject.id, Assessment.term_id == term.id,
        Assessment.kind == kind, Assessment.date == on))
    if existing is not None:
        return existing, False
    if kind in EXTERNAL_KINDS and not max_score:
        max_score = DEFAULT_MAX_SCORE[kind]
    assessment = Assessment(school_id=school_id, class_id=cls.id, subject_id=subject.id, term_id=term.id,
                            kind=kind, date=on, topic=(topic or "").strip() or None,
                            max_score=max_score if kind in EXTERNAL_KINDS or kind == "test" else None,
                            created_by_id=user_id)
    db.session.add(assessment)
    db.session.flush()
    return assessment, True

