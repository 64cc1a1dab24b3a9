"""Automatic indicators: key -> function(school_id, period) returning a Result or None.

None means "no data" and is shown as such; a calculator never invents a number. Every
calculator aggregates in SQL. This module holds the calculators over the registers and the
school's structure (the monitoring feature declares its CALCULATORS); the calculators over other
domains' data live in those domains (app/services/<domain>/monitoring.py) and their features
declare them. `compute` finds a key among the calculators of every installed feature.
"""
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional

from cachetools import TTLCache
from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.features import installed
from app.models import AcademicYear, Enrollment, TeachingAssignment, Term
from app.models.monitoring.registers import (
    Classroom,
    Club,
    ClubMember,
    Incident,
    SelfGovernmentActivity,
    StudentAchievement,
    SupportCase,
    TeacherAchievement,
    TextbookProvision,
)
from app.services.core import clock, data_stamps

DISTRICT_AND_ABOVE = ("district", "city", "region", "national", "international")


@dataclass(frozen=True)
class Period:
    """An academic year, or one term of it."""

    year_id: int
    starts_on: date
    ends_on: date
    term_id: Optional[int] = None

    @classmethod
    def of_year(cls, year: AcademicYear) -> "Period":
        return cls(year.id, year.starts_on, year.ends_on)

    @classmethod
    def of_term(cls, term: Term) -> "Period":
        return cls(term.year_id, term.starts_on, term.ends_on, term.id)


@dataclass(frozen=True)
class Result:
    value: float
    n: Optional[int] = None  # the group the value rests on (students, respondents ...), for suppression
    # Where the value comes from: "computed" (a calculator), "entered" (typed for a manual
    # indicator) or "records" (a manual indicator computed from records, e.g. diagnostics).
    basis: str = "computed"


Calculator = Callable[[int, Period], Optional[Result]]


class CalculatorTable(dict):
    """A module's own calculators, key -> function; `@TABLE("key")` adds one. A feature declares
    the table (Feature.calculators); nothing outside the module is changed by importing it."""

    def __call__(self, key: str):
        def add(fn: Calculator) -> Calculator:
            self[key] = fn
            return fn
        return add


CALCULATORS = CalculatorTable()


_MEMO: ContextVar = ContextVar("monitoring_memo", default=None)


@contextmanager
def shared_queries():
    """Within this block calculators may share one query's result (e.g. the four marks
    indicators of a period come from one metrics row)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memo(key, fn):
    cache = _MEMO.get()
    if cache is None:
        return fn()
    if key not in cache:
        cache[key] = fn()
    return cache[key]


# Values computed from committed data, kept until the school's data stamp changes (a write of
# its rows: core.data_stamps), for at most KEEP_SECONDS, and per quarter hour of the clock (staff
# indicators count to today). A process keeps its own; every node reads the stamp.
KEEP_SECONDS = 600
_KEPT = TTLCache(maxsize=50_000, ttl=KEEP_SECONDS)
_KEPT_LOCK = threading.Lock()
_NONE = object()


def compute(key: str, school_id: int, period: Period) -> Optional[Result]:
    """The calculator `key`'s value for the school and period (rounded to 2 places), or None
    without data. Kept per data stamp: a view after a committed write computes it again."""
    fn = installed().calculators.get(key)
    if fn is None:
        return None
    if data_stamps.pending(db.session()):  # this session's own writes, not committed: compute them
        return _computed(fn, school_id, period)
    stamp = memo(("data_stamp", school_id), lambda: data_stamps.current(school_id))
    moment = clock.now()
    kept_key = (key, school_id, period, stamp, moment.date(), moment.hour, moment.minute // 15, fn)
    with _KEPT_LOCK:
        kept = _KEPT.get(kept_key)
    if kept is not None:
        return None if kept is _NONE else kept
    result = _computed(fn, school_id, period)
    if stamp is not None:
        with _KEPT_LOCK:
            _KEPT[kept_key] = _NONE if result is None else result
    return result


def _computed(fn: Calculator, school_id: int, period: Period) -> Optional[Result]:
    result = fn(school_id, period)
    if result is None or result.value is None:
        return None
    return Result(round(float(result.value), 2), result.n, result.basis)


def forget_kept() -> None:
    """Drop every kept value (a restored backup: the same stamps may now mean other data)."""
    with _KEPT_LOCK:
        _KEPT.clear()


def _in_period(column, period: Period):
    return and_(column >= period.starts_on, column <= period.ends_on)


def students_count(school_id: int, year_id: int) -> int:
    return db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.school_id == school_id, Enrollment.year_id == year_id)) or 0


def teachers_of_year(school_id: int, year_id: int):
    return select(TeachingAssignment.teacher_id).where(
        TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == year_id).distinct()


# --- teachers' register ---------------------------------------------------------------

def _teacher_count(school_id: int, period: Period, kinds, levels=None) -> Result:
    stmt = select(func.count(TeacherAchievement.id)).where(
        TeacherAchievement.school_id == school_id, TeacherAchievement.year_id == period.year_id,
        TeacherAchievement.kind.in_(kinds))
    if period.term_id:
        stmt = stmt.where(_in_period(TeacherAchievement.on_date, period))
    if levels:
        stmt = stmt.where(TeacherAchievement.level.in_(levels))
    return Result(db.session.scalar(stmt) or 0)


for _key, _kinds in {
    "teacher_competitions": ("competition",), "open_lessons": ("open_lesson",), "talks": ("talk",),
    "ma_work": ("ma_work", "creative_group"), "class_teacher_achievements": ("class_teacher",),
    "innovation_work": ("innovation",), "conferences": ("conference",), "publications": ("publication",),
    "content_development": ("content_development",), "technology_use": ("technology",),
}.items():
    CALCULATORS(_key)(lambda school_id, period, _kinds=_kinds: _teacher_count(school_id, period, _kinds))


def _teacher_coverage(school_id: int, period: Period, kind: str, years_back: int) -> Optional[Result]:
    """Share of this year's teachers with an entry of `kind` in the last `years_back` years."""
    teachers = teachers_of_year(school_id, period.year_id).subquery()
    total = db.session.scalar(select(func.count()).select_from(teachers)) or 0
    if not total:
        return None
    since = date(period.ends_on.year - years_back, period.ends_on.month, min(period.ends_on.day, 28))
    covered = db.session.scalar(
        select(func.count(func.distinct(TeacherAchievement.teacher_id))).where(
            TeacherAchievement.school_id == school_id, TeacherAchievement.kind == kind,
            TeacherAchievement.on_date > since, TeacherAchievement.on_date <= period.ends_on,
            TeacherAchievement.teacher_id.in_(select(teachers.c.teacher_id)))) or 0
    return Result(covered * 100.0 / total, total)


@CALCULATORS("refresher_coverage")
def refresher_coverage(school_id, period):
    return _teacher_coverage(school_id, period, "refresher_course", 3)


@CALCULATORS("attestation")
def attestation(school_id, period):
    return _teacher_coverage(school_id, period, "attestation", 5)


# --- students' achievements -----------------------------------------------------------

def _student_stmt(school_id, period, what):
    stmt = select(what).where(StudentAchievement.school_id == school_id,
                              StudentAchievement.year_id == period.year_id)
    if period.term_id:
        stmt = stmt.where(_in_period(StudentAchievement.on_date, period))
    return stmt


@CALCULATORS("olympiad_participants")
def olympiad_participants(school_id, period):
    return Result(db.session.scalar(_student_stmt(
        school_id, period, func.count(func.distinct(StudentAchievement.student_id)))) or 0)


@CALCULATORS("olympiad_prize_winners")
def olympiad_prize_winners(school_id, period):
    return Result(db.session.scalar(_student_stmt(school_id, period, func.count(StudentAchievement.id)).where(
        StudentAchievement.result == "prize_winner", StudentAchievement.level.in_(DISTRICT_AND_ABOVE))) or 0)


@CALCULATORS("olympiad_winners")
def olympiad_winners(school_id, period):
    return Result(db.session.scalar(_student_stmt(school_id, period, func.count(StudentAchievement.id)).where(
        StudentAchievement.result == "winner", StudentAchievement.level.in_(DISTRICT_AND_ABOVE))) or 0)


@CALCULATORS("research_projects")
def research_projects(school_id, period):
    return Result(db.session.scalar(_student_stmt(school_id, period, func.count(StudentAchievement.id)).where(
        StudentAchievement.kind == "project")) or 0)


@CALCULATORS("creative_activity")
def creative_activity(school_id, period):
    total = students_count(school_id, period.year_id)
    if not total:
        return None
    active = db.session.scalar(_student_stmt(
        school_id, period, func.count(func.distinct(StudentAchievement.student_id)))) or 0
    return Result(active * 100.0 / total, total)


def student_breakdown(school_id: int, period: Period):
    """(level, result, entries) rows: olympiad results by level, for drill-down."""
    return db.session.execute(_student_stmt(
        school_id, period, StudentAchievement.level).add_columns(
        StudentAchievement.result, func.count(StudentAchievement.id))
        .group_by(StudentAchievement.level, StudentAchievement.result)).all()


def teacher_breakdown(school_id: int, period: Period):
    """(kind, level, entries) rows: teacher achievements by type and level."""
    stmt = select(TeacherAchievement.kind, TeacherAchievement.level, func.count(TeacherAchievement.id)).where(
        TeacherAchievement.school_id == school_id, TeacherAchievement.year_id == period.year_id)
    if period.term_id:
        stmt = stmt.where(_in_period(TeacherAchievement.on_date, period))
    return db.session.execute(stmt.group_by(TeacherAchievement.kind, TeacherAchievement.level)).all()


# --- incidents ------------------------------------------------------------------------

def _incidents(school_id, period, kind) -> int:
    stmt = select(func.count(Incident.id)).where(Incident.school_id == school_id, Incident.year_id == period.year_id,
                                                 Incident.kind == kind)
    if period.term_id:
        stmt = stmt.where(_in_period(Incident.on_date, period))
    return db.session.scalar(stmt) or 0


@CALCULATORS("injuries_per_100")
def injuries_per_100(school_id, period):
    total = students_count(school_id, period.year_id)
    if not total:
        return None
    return Result(_incidents(school_id, period, "injury") * 100.0 / total, total)


@CALCULATORS("offences")
def offences(school_id, period):
    return Result(_incidents(school_id, period, "offence"))


# --- provision ------------------------------------------------------------------------

@CALCULATORS("textbook_provision")
def textbook_provision(school_id, period):
    needed, covered = db.session.execute(select(
        func.sum(TextbookProvision.needed),
        func.sum(case((TextbookProvision.available < TextbookProvision.needed, TextbookProvision.available),
                      else_=TextbookProvision.needed)),
    ).where(TextbookProvision.school_id == school_id, TextbookProvision.year_id == period.year_id)).one()
    if not needed:
        return None
    return Result(covered * 100.0 / needed)


def _classrooms(school_id, year_id, *columns):
    """(rooms, *columns) over the classrooms recorded for the year."""
    return db.session.execute(select(func.count(Classroom.id), *columns).where(
        Classroom.school_id == school_id, Classroom.year_id == year_id)).one()


@CALCULATORS("ict_per_classroom")
def ict_per_classroom(school_id, period):
    rooms, units = _classrooms(school_id, period.year_id, func.sum(Classroom.ict_units))
    return Result(units / rooms, rooms) if rooms else None


@CALCULATORS("classrooms_compliant")
def classrooms_compliant(school_id, period):
    rooms, ok = _classrooms(school_id, period.year_id, func.sum(case((Classroom.meets_requirements.is_(True), 1), else_=0)))
    return Result(ok * 100.0 / rooms, rooms) if rooms else None


@CALCULATORS("equipment_completeness")
def equipment_completeness(school_id, period):
    rooms, mean = _classrooms(school_id, period.year_id, func.avg(Classroom.equipment_percent))
    return Result(mean, rooms) if rooms else None


# --- upbringing -----------------------------------------------------------------------

@CALCULATORS("club_enrolment")
def club_enrolment(school_id, period):
    total = students_count(school_id, period.year_id)
    if not total:
        return None
    listed = select(ClubMember.club_id)
    clubs = (Club.school_id == school_id, Club.year_id == period.year_id)
    students = db.session.scalar(select(func.count(func.distinct(ClubMember.student_id))).join(
        Club, Club.id == ClubMember.club_id).where(*clubs)) or 0
    places, n_clubs = db.session.execute(select(func.sum(Club.enrolled), func.count(Club.id)).where(
        *clubs, Club.id.not_in(listed))).one()
    if not n_clubs and not students:
        return None
    # Each listed student once; a club without a list adds its places (it may count a student
    # twice), never beyond the school's students.
    return Result(min(students + (places or 0), total) * 100.0 / total, total)


@CALCULATORS("self_government")
def self_government(school_id, period):
    stmt = select(func.count(SelfGovernmentActivity.id)).where(
        SelfGovernmentActivity.school_id == school_id, SelfGovernmentActivity.year_id == period.year_id)
    if period.term_id:
        stmt = stmt.where(_in_period(SelfGovernmentActivity.on_date, period))
    return Result(db.session.scalar(stmt) or 0)


@CALCULATORS("support_cases_closed")
def support_cases_closed(school_id, period):
    total, closed = db.session.execute(select(
        func.count(SupportCase.id), func.sum(case((SupportCase.status == "closed", 1), else_=0))).where(
        SupportCase.school_id == school_id, SupportCase.year_id == period.year_id)).one()
    return Result((closed or 0) * 100.0 / total, total) if total else None
