"""Staff and programme records: who reads and writes them, and the figures computed from them
(assessment regulation 000 §2.3 staff qualification, §2.5 programme documents, §2.7 staff
stability).

Who (README, security section): the director and deputies read and write both registers; an MO
head reads the staff records of their association's teachers and the programme register;
experts read the programme register (staff records are personal: never public, never the
district's but as counts in indicators). Teachers see neither.

Figures (each a calculator, key -> fn(school_id, period) -> Result or None, declared by the
monitoring feature; aggregation in SQL):
- staff_stability, % = (teachers employed on the period's first day - those of them who left by
  its last day) / teachers employed on its first day · 100, from the dates hired and left; a
  school without staff records: last year's teachers (teaching assignments) still teaching.
- qualification_category, % = teachers with the first or the highest category / teachers
  employed on the reference day · 100.
- attestation_overdue, count = teachers employed on the reference day whose next attestation
  was due before it.
- work_programmes, % = subjects taught in the year with a work programme approved in the 3 years
  up to the reference day / subjects taught · 100.
- programmes_updated, % = programme documents (the latest of each kind, subject and grade)
  approved in the 3 years up to the reference day / such documents · 100.
The reference day is the period's last day, or today when the period has not ended. The last
four have no value without records (the typed value then counts: basis "entered").
"""
from datetime import date
from typing import Optional

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import AcademicYear, School, TeachingAssignment, User, UserRole
from app.models.monitoring.staff import ProgrammeDocument, StaffRecord
from app.security import Principal, RowScope
from app.services.core import clock
from app.services.core import school as school_service
from app.services.monitoring.calculators import CalculatorTable, Period, Result, teachers_of_year

STAFF_READERS = ("admin", "deputy", "mo_head")
PROGRAMME_READERS = ("admin", "deputy", "mo_head", "expert")
WRITERS = ("admin", "deputy")
TEACHING_ROLES = ("teacher", "class_teacher", "mo_head")
UPDATE_YEARS = 3  # programme documents are renewed within 3 years (000 §2.5)
HIGH_CATEGORIES = ("first", "highest")

CALCULATORS = CalculatorTable()


def staff_rows(principal: Principal) -> Optional[RowScope]:
    """The staff records a reader may see when not every one of the school: an MO head (not
    also director or deputy) those of the teachers of their association. None means all."""
    if principal.has_role(*WRITERS):
        return None
    return RowScope(StaffRecord.user_id, school_service.ma_teachers(principal.user_id))


def teacher_choices(school_id: int) -> list[tuple[int, str]]:
    """(user id, name) of the school's active users with a teaching role, and of those who
    already have a staff record (a record stays editable after its teacher's roles change)."""
    teaching = select(UserRole.user_id).where(UserRole.role.in_(TEACHING_ROLES))
    recorded = select(StaffRecord.user_id).where(StaffRecord.school_id == school_id)
    return [(u.id, u.full_name) for u in db.session.scalars(select(User).where(
        User.school_id == school_id, or_(and_(User.active.is_(True), User.id.in_(teaching)), User.id.in_(recorded)))
        .order_by(User.full_name))]


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def experience(record: StaffRecord, on: date) -> Optional[int]:
    """Full years of pedagogical work on a day: its year minus the year work began (never below
    0), or None when the start year is not recorded."""
    if record.teaching_since is None:
        return None
    return max(on.year - record.teaching_since, 0)


def reference_day(school_id: int, period: Period) -> date:
    """The period's last day, or the school's today when the period has not ended yet."""
    return min(period.ends_on, clock.today(db.session.get(School, school_id)))


def _employed_on(day: date):
    return and_(or_(StaffRecord.hired_on.is_(None), StaffRecord.hired_on <= day),
                or_(StaffRecord.left_on.is_(None), StaffRecord.left_on >= day))


def _has_records(school_id: int) -> bool:
    return db.session.scalar(select(StaffRecord.id).where(StaffRecord.school_id == school_id).limit(1)) is not None


@CALCULATORS("staff_stability")
def staff_stability(school_id: int, period: Period) -> Optional[Result]:
    """From the staff records (basis "records"): employed on the first day and not left by the
    last; without records, last year's teachers who also teach this year (basis "computed")."""
    if not _has_records(school_id):
        return _stability_from_assignments(school_id, period)
    at_start, left = db.session.execute(select(
        func.count(StaffRecord.id),
        func.count(StaffRecord.left_on).filter(StaffRecord.left_on <= period.ends_on),
    ).where(StaffRecord.school_id == school_id, _employed_on(period.starts_on))).one()
    if not at_start:
        return None
    return Result((at_start - left) * 100.0 / at_start, at_start, basis="records")


def _stability_from_assignments(school_id: int, period: Period) -> Optional[Result]:
    previous = school_service.previous_year(db.session.get(AcademicYear, period.year_id))
    if previous is None:
        return None
    before = teachers_of_year(school_id, previous.id).subquery()
    total = db.session.scalar(select(func.count()).select_from(before)) or 0
    if not total:
        return None
    stayed = db.session.scalar(select(func.count()).select_from(before).where(
        before.c.teacher_id.in_(teachers_of_year(school_id, period.year_id)))) or 0
    return Result(stayed * 100.0 / total, total)


@CALCULATORS("qualification_category")
def qualification_category(school_id: int, period: Period) -> Optional[Result]:
    day = reference_day(school_id, period)
    total, high = db.session.execute(select(
        func.count(StaffRecord.id), func.count(StaffRecord.id).filter(StaffRecord.category.in_(HIGH_CATEGORIES)),
    ).where(StaffRecord.school_id == school_id, _employed_on(day))).one()
    return Result(high * 100.0 / total, total, basis="records") if total else None


@CALCULATORS("attestation_overdue")
def attestation_overdue(school_id: int, period: Period) -> Optional[Result]:
    day = reference_day(school_id, period)
    total, overdue = db.session.execute(select(
        func.count(StaffRecord.id), func.count(StaffRecord.id).filter(StaffRecord.next_attestation_on < day),
    ).where(StaffRecord.school_id == school_id, _employed_on(day))).one()
    return Result(overdue, total, basis="records") if total else None


def _latest_documents(school_id: int, day: date, kind: Optional[str] = None):
    """(kind, subject_id, grade, latest approval) of the documents approved by `day`."""
    stmt = select(ProgrammeDocument.kind, ProgrammeDocument.subject_id, ProgrammeDocument.grade,
                  func.max(ProgrammeDocument.approved_on).label("approved_on")).where(
        ProgrammeDocument.school_id == school_id, ProgrammeDocument.approved_on <= day)
    if kind:
        stmt = stmt.where(ProgrammeDocument.kind == kind)
    return stmt.group_by(ProgrammeDocument.kind, ProgrammeDocument.subject_id, ProgrammeDocument.grade).subquery()


@CALCULATORS("programmes_updated")
def programmes_updated(school_id: int, period: Period) -> Optional[Result]:
    day = reference_day(school_id, period)
    latest = _latest_documents(school_id, day)
    total, current = db.session.execute(select(
        func.count(), func.count().filter(latest.c.approved_on > years_before(day, UPDATE_YEARS)))
        .select_from(latest)).one()
    return Result(current * 100.0 / total, total, basis="records") if total else None


@CALCULATORS("work_programmes")
def work_programmes(school_id: int, period: Period) -> Optional[Result]:
    day = reference_day(school_id, period)
    if db.session.scalar(select(ProgrammeDocument.id).where(
            ProgrammeDocument.school_id == school_id, ProgrammeDocument.kind == "work").limit(1)) is None:
        return None
    taught = select(TeachingAssignment.subject_id).where(
        TeachingAssignment.school_id == school_id, TeachingAssignment.year_id == period.year_id).distinct().subquery()
    total = db.session.scalar(select(func.count()).select_from(taught)) or 0
    if not total:
        return None
    covered = db.session.scalar(select(func.count(func.distinct(ProgrammeDocument.subject_id))).where(
        ProgrammeDocument.school_id == school_id, ProgrammeDocument.kind == "work",
        ProgrammeDocument.approved_on <= day, ProgrammeDocument.approved_on > years_before(day, UPDATE_YEARS),
        ProgrammeDocument.subject_id.in_(select(taught.c.subject_id)))) or 0
    return Result(covered * 100.0 / total, total, basis="records")


def document_status(doc: ProgrammeDocument, today: date) -> str:
    """'current' (approved in the last 3 years), 'overdue' (older, and no later document of its
    kind, subject and grade replaces it), 'replaced' or 'future' (approval date after today)."""
    if doc.approved_on > today:
        return "future"
    if doc.approved_on > years_before(today, UPDATE_YEARS):
        return "current"
    later = db.session.scalar(select(ProgrammeDocument.id).where(
        ProgrammeDocument.school_id == doc.school_id, ProgrammeDocument.kind == doc.kind,
        ProgrammeDocument.subject_id.is_(None) if doc.subject_id is None else ProgrammeDocument.subject_id == doc.subject_id,
        ProgrammeDocument.grade.is_(None) if doc.grade is None else ProgrammeDocument.grade == doc.grade,
        ProgrammeDocument.approved_on > doc.approved_on, ProgrammeDocument.approved_on <= today).limit(1))
    return "replaced" if later is not None else "overdue"


def renew_by(doc: ProgrammeDocument) -> date:
    """The day by which the document is to be renewed: its approval plus 3 years."""
    return years_before(doc.approved_on, -UPDATE_YEARS)


def figures(school_id: int, year: AcademicYear) -> list[tuple[str, Optional[Result]]]:
    """(indicator key, result) of the staff and programme figures for a year, for the pages'
    summaries."""
    period = Period.of_year(year)
    return [(key, CALCULATORS[key](school_id, period)) for key in
            ("staff_stability", "qualification_category", "attestation_overdue", "programmes_updated",
             "work_programmes")]


def category_counts(school_id: int, day: date, only: Optional[RowScope] = None) -> dict[str, int]:
    """category -> teachers employed on `day` (within `only` when given)."""
    stmt = select(StaffRecord.category, func.count(StaffRecord.id)).where(
        StaffRecord.school_id == school_id, _employed_on(day))
    if only is not None:
        stmt = stmt.where(only.clause())
    return dict(db.session.execute(stmt.group_by(StaffRecord.category)).all())


def year_counts(school_id: int, year: AcademicYear) -> list[tuple[str, int]]:
    """(what, count) of a year for the annual workbook's registers sheet, counts only (staff
    records are personal): teachers by category on the reference day, teachers with an overdue
    attestation, and the programme documents (latest of each) current and older than 3 years."""
    period = Period.of_year(year)
    day = reference_day(school_id, period)
    categories = category_counts(school_id, day)
    overdue = attestation_overdue(school_id, period)
    latest = _latest_documents(school_id, day)
    total, current = db.session.execute(select(
        func.count(), func.count().filter(latest.c.approved_on > years_before(day, UPDATE_YEARS)))
        .select_from(latest)).one()
    return ([(f"category:{key}", categories.get(key, 0)) for key in ("none", "second", "first", "highest")]
            + [("attestation_overdue", int(overdue.value) if overdue else 0),
               ("programmes_current", current), ("programmes_overdue", total - current)])
