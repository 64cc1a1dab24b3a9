"""Who sees and fills in diagnostics. Diagnostics name a student, so they are narrower than
any anonymous figure:

- the director (admin), the deputies and the psychologist see and fill in the diagnostics of
  every student of the school;
- a teacher, a class teacher or an MO head sees and fills in those of the students of the
  classes they teach or lead (a teaching assignment in the class, or its class teacher);
- the school nurse (`nurse`) sees and fills in the health records only (HEALTH_INSTRUMENTS: the
  health and physical-education groups) of every student of the school, and no other record;
- a confidential instrument (`confidential: true`, e.g. the psychologist's own methods) is
  seen and filled in by the psychologist and the director only (never by a nurse or a deputy);
- the expert sees no diagnostic.

`visible(principal)` is the WHERE clause behind every list, page and figure shown to a person;
the indicators of the monitoring programme are the school's totals (no names). A person with
several roles gets the union of what each role gives.
"""
from sqlalchemy import and_, false, or_, select

from app.extensions import db
from app.models import ClassGroup, Diagnostic, Enrollment, TeachingAssignment
from app.security import Principal

ROLES = ("admin", "deputy", "mo_head", "teacher", "class_teacher", "psychologist", "nurse")
WHOLE_SCHOOL = ("admin", "deputy", "psychologist")
CLASS_STAFF = ("mo_head", "teacher", "class_teacher")
CONFIDENTIAL_READERS = ("admin", "psychologist")
NURSE = "nurse"
# The instruments the nurse fills in and reads (their records only).
HEALTH_INSTRUMENTS = ("health_groups",)


def taught_classes(principal: Principal):
    """SELECT of the ids of the classes (of any year) the principal teaches or leads."""
    return select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == principal.user_id).union(
        select(ClassGroup.id).where(ClassGroup.class_teacher_id == principal.user_id))


def nurse_for(principal: Principal, key: str) -> bool:
    """Is `key` a health instrument and the principal the nurse?"""
    return principal.has_role(NURSE) and key in HEALTH_INSTRUMENTS


def visible(principal: Principal):
    """A WHERE clause on Diagnostic: the records the principal may see (within the school)."""
    conds = [Diagnostic.school_id == principal.school_id]
    if not principal.has_role(*CONFIDENTIAL_READERS):
        conds.append(Diagnostic.confidential.is_(False))
    if principal.has_role(*WHOLE_SCHOOL):
        return and_(*conds)
    branches = []
    if principal.has_role(*CLASS_STAFF):
        branches.append(Diagnostic.class_id.in_(taught_classes(principal)))
    if principal.has_role(NURSE):
        branches.append(Diagnostic.instrument_key.in_(HEALTH_INSTRUMENTS))
    if not branches:
        return false()
    return and_(*conds, or_(*branches))


def _teaches(principal: Principal, cls: ClassGroup) -> bool:
    return principal.has_role(*CLASS_STAFF) and cls.id in set(db.session.scalars(taught_classes(principal)))


def may_see_class(principal: Principal, cls: ClassGroup) -> bool:
    """May the principal open the class's diagnostics (what they show is still `visible`)?"""
    if cls.school_id != principal.school_id or not principal.has_role(*ROLES):
        return False
    if principal.has_role(*WHOLE_SCHOOL, NURSE):
        return True
    return _teaches(principal, cls)


def may_fill(principal: Principal, cls: ClassGroup, spec) -> bool:
    """May the principal fill in `spec` for the students of `cls`? Not an instrument the
    student fills in about themself (`respondent: student`, student_codes)."""
    if cls.school_id != principal.school_id or not may_use(principal, spec) or spec.filled_by_student:
        return False
    if principal.has_role(*WHOLE_SCHOOL) or nurse_for(principal, spec.key):
        return True
    return _teaches(principal, cls)


def may_use(principal: Principal, spec) -> bool:
    """Is the instrument one the principal may open at all? Confidential ones: the psychologist
    and the director; the nurse's: the health instruments (and what their other roles give)."""
    if spec.confidential and not principal.has_role(*CONFIDENTIAL_READERS):
        return False
    return principal.has_role(*WHOLE_SCHOOL, *CLASS_STAFF) or nurse_for(principal, spec.key)


def may_see_student(principal: Principal, student_id: int) -> bool:
    """The whole-school roles and the nurse (who then sees the health records only), and the
    staff who teach or lead a class the student is (or was) in."""
    if not principal.has_role(*ROLES):
        return False
    if principal.has_role(*WHOLE_SCHOOL, NURSE):
        return True
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.student_id == student_id, Enrollment.class_id.in_(taught_classes(principal))).limit(1)) is not None


def enrolled(student_id: int, cls: ClassGroup) -> bool:
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.student_id == student_id, Enrollment.class_id == cls.id).limit(1)) is not None


def fillable_classes(principal: Principal, year_id: int) -> list[ClassGroup]:
    stmt = select(ClassGroup).where(ClassGroup.school_id == principal.school_id, ClassGroup.year_id == year_id)
    if not principal.has_role(*WHOLE_SCHOOL, NURSE):
        stmt = stmt.where(or_(ClassGroup.id.in_(taught_classes(principal))))
    return list(db.session.scalars(stmt.order_by(ClassGroup.grade, ClassGroup.letter)))
