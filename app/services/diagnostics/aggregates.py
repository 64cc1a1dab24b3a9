"""Figures from diagnostics, all SQL aggregates over `diagnostic` (one row per student,
instrument and year):

    value = favourable records / records · 100   (percent rules: instruments.RULES)
    value = records                               (count rules: the gifted-children programme)

per school, grade, class and methodical association (MA, MO) of a year, with last year's value
beside it (dynamics). An MA's figure counts the records of the students of the classes in which
one of its subjects is taught that year (a teaching assignment of a subject of the MA in the
record's class): the students its teachers teach. A class taught by several MAs counts in each of
them, so the MAs' figures do not add up to the school's. Every
function takes the conditions of whose records count: `access.visible(principal)` for a page,
the whole school for the monitoring programme's indicators.
"""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import (
    AcademicYear,
    ClassGroup,
    Diagnostic,
    Instrument,
    MethodicalAssociation,
    Subject,
    TeachingAssignment,
)
from app.services.diagnostics.instruments import Rule


@dataclass(frozen=True)
class Figure:
    n: int  # records (students diagnosed)
    favourable: int  # records with a favourable outcome (percent rules)
    value: Optional[float]  # percent or count; None without records


def _favourable(rule: Rule):
    if rule.favourable is None:
        return func.count(Diagnostic.id)
    return func.coalesce(func.sum(case((Diagnostic.outcome.in_(rule.favourable), 1), else_=0)), 0)


def figure(rule: Rule, n: int, favourable: int) -> Figure:
    if not n:
        return Figure(0, 0, None)
    value = float(n) if rule.favourable is None else 100.0 * favourable / n
    return Figure(n, favourable, value)


def school_figure(rule: Rule, school_id: int, year_id: int, conds=()) -> Figure:
    """The rule's value over the school's records of the year (limited by `conds`)."""
    n, fav = db.session.execute(
        select(func.count(Diagnostic.id), _favourable(rule)).where(
            Diagnostic.school_id == school_id, Diagnostic.year_id == year_id,
            Diagnostic.instrument_key.in_(rule.instruments), *conds)).one()
    return figure(rule, n or 0, int(fav or 0))


def by_class(rule: Rule, school_id: int, year_id: int, conds=()) -> list[tuple[ClassGroup, Figure]]:
    """(class, figure) for every class of the year with records, by grade and letter."""
    rows = db.session.execute(
        select(ClassGroup, func.count(Diagnostic.id), _favourable(rule))
        .join(Diagnostic, Diagnostic.class_id == ClassGroup.id)
        .where(Diagnostic.school_id == school_id, Diagnostic.year_id == year_id,
               Diagnostic.instrument_key.in_(rule.instruments), *conds)
        .group_by(ClassGroup.id).order_by(ClassGroup.grade, ClassGroup.letter)).all()
    return [(cls, figure(rule, n, int(fav or 0))) for cls, n, fav in rows]


def by_grade(rule: Rule, school_id: int, year_id: int, conds=()) -> list[tuple[int, Figure]]:
    rows = db.session.execute(
        select(ClassGroup.grade, func.count(Diagnostic.id), _favourable(rule))
        .join(Diagnostic, Diagnostic.class_id == ClassGroup.id)
        .where(Diagnostic.school_id == school_id, Diagnostic.year_id == year_id,
               Diagnostic.instrument_key.in_(rule.instruments), *conds)
        .group_by(ClassGroup.grade).order_by(ClassGroup.grade)).all()
    return [(grade, figure(rule, n, int(fav or 0))) for grade, n, fav in rows]


def by_ma(rule: Rule, school_id: int, year_id: int, conds=(), lang: Optional[str] = None) -> list[tuple[str, Figure]]:
    """(MA name in `lang`, figure) for every MA of the school with records of the year, by name.
    An MA's records: those of the classes where a subject of the MA is taught (see the module)."""
    taught = (select(TeachingAssignment.class_id.label("class_id"), Subject.ma_id.label("ma_id"))
              .join(Subject, Subject.id == TeachingAssignment.subject_id)
              .where(TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year_id,
                     Subject.ma_id.is_not(None))
              .distinct().subquery())
    rows = db.session.execute(
        select(MethodicalAssociation, func.count(Diagnostic.id), _favourable(rule))
        .join(taught, taught.c.ma_id == MethodicalAssociation.id)
        .join(Diagnostic, Diagnostic.class_id == taught.c.class_id)
        .where(Diagnostic.school_id == school_id, Diagnostic.year_id == year_id,
               Diagnostic.instrument_key.in_(rule.instruments), *conds)
        .group_by(MethodicalAssociation.id).order_by(MethodicalAssociation.name)).all()
    return [((ma.name_ru if lang == "ru" and ma.name_ru else ma.name), figure(rule, n, int(fav or 0)))
            for ma, n, fav in rows]


def outcomes(class_id: int, key: str, conds=()) -> dict[str, int]:
    """{outcome: records} of one instrument in one class."""
    rows = db.session.execute(
        select(Diagnostic.outcome, func.count(Diagnostic.id)).where(
            Diagnostic.class_id == class_id, Diagnostic.instrument_key == key, *conds)
        .group_by(Diagnostic.outcome)).all()
    return {outcome or "": n for outcome, n in rows}


def student_records(student_id: int, conds=()) -> list[Diagnostic]:
    """A student's records over the years, oldest year first."""
    return list(db.session.scalars(
        select(Diagnostic).join(AcademicYear, AcademicYear.id == Diagnostic.year_id)
        .join(Instrument, Instrument.id == Diagnostic.instrument_id)
        .where(Diagnostic.student_id == student_id, *conds)
        .order_by(AcademicYear.starts_on, Diagnostic.instrument_key)))


def item_points(record: Diagnostic) -> Optional[float]:
    """Points / maximum · 100 over the record's scored criteria (the observation formula), or None."""
    rows = [(a.score, a.min_score, a.max_score) for a in record.answers
            if a.item_kind == "criterion" and a.score is not None and a.max_score is not None]
    maximum = sum(hi - lo for _s, lo, hi in rows)
    return 100.0 * sum(s - lo for s, lo, _hi in rows) / maximum if maximum else None




def outcome_counts(school_id: int, year_id: int, conds=()) -> list[tuple[str, str, int]]:
    """(instrument key, outcome, records) of the school's year, by key and outcome."""
    rows = db.session.execute(
        select(Diagnostic.instrument_key, Diagnostic.outcome, func.count(Diagnostic.id))
        .where(Diagnostic.school_id == school_id, Diagnostic.year_id == year_id, *conds)
        .group_by(Diagnostic.instrument_key, Diagnostic.outcome)
        .order_by(Diagnostic.instrument_key, Diagnostic.outcome)).all()
    return [(key, outcome or "", n) for key, outcome, n in rows]
