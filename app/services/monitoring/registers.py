"""The registers' access rule and queries: who reads and writes each register and which of its
rows (`rows`, the one rule: the list pages, their forms, edits and deletes, and the registers'
sections of the profiles go through it), and the choices forms need, for one school.

Who (README, security section):
- the director, deputies, MO heads and experts read every register but the support cases;
- the director and deputies write them; an MO head writes the teacher achievements of the
  teachers of their association (and no student's achievements);
- support cases are personal: a psychologist sees and changes the cases they opened, the
  director every case.
"""
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models import ClassGroup, Enrollment, Student, Subject, User
from app.models.monitoring.registers import SupportCase, TeacherAchievement, TextbookProvision
from app.security import Principal, RowScope
from app.services.core import school as school_service

READERS = ("admin", "deputy", "mo_head", "expert")
WRITERS = ("admin", "deputy")
ACHIEVEMENT_WRITERS = ("admin", "deputy", "mo_head")
PSYCHOLOGY = ("admin", "psychologist")
# register key -> (roles that read it, roles that write it); writers may read.
ROLES: dict[str, tuple[tuple, tuple]] = {
    "teachers": (READERS, ACHIEVEMENT_WRITERS),
    "students": (READERS, WRITERS),
    "incidents": (READERS, WRITERS),
    "classrooms": (READERS, WRITERS),
    "textbooks": (READERS, WRITERS),
    "clubs": (READERS, WRITERS),
    "selfgov": (READERS, WRITERS),
    "support": (PSYCHOLOGY, PSYCHOLOGY),
}
ALL_REGISTER_ROLES = tuple(sorted({r for read, write in ROLES.values() for r in (*read, *write)}))


def may_read(principal: Principal, key: str) -> bool:
    read, write = ROLES[key]
    return principal.has_role(*read, *write)


def may_write(principal: Principal, key: str) -> bool:
    return principal.has_role(*ROLES[key][1])


def rows(principal: Principal, key: str, write: bool = False) -> Optional[RowScope]:
    """The rows of register `key` the principal may see (write=False) or add, change and delete
    (write=True), when not every row of the school: None means all. Roles come first
    (`may_read` / `may_write`)."""
    if key == "teachers" and write and not principal.has_role(*WRITERS):
        return RowScope(TeacherAchievement.teacher_id, school_service.ma_teachers(principal.user_id))
    if key == "support" and not principal.has_role("admin"):
        return RowScope(SupportCase.psychologist_id, select(User.id).where(User.id == principal.user_id))
    return None


def may_see_on_profile(principal: Principal, key: str, *, own: bool) -> bool:
    """A register's counts on a profile: for its readers, and for the profile's own person (a
    teacher's own achievements and mentoring; the class teacher's own class, whom R5 makes
    responsible for knowing each student and informing the parents)."""
    return own or may_read(principal, key)


def provision_percent(row: TextbookProvision) -> Optional[float]:
    """The share of the textbooks needed that are available, in %, to 0.1 (more than needed
    counts as 100, as in the textbook-provision indicator); None when none are needed."""
    if not row.needed:
        return None
    return round(min(row.available, row.needed) * 100 / row.needed, 1)


def students_of_year(school_id: int, year_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Student.id, Student.full_name, ClassGroup.grade, ClassGroup.letter)
        .join(Enrollment, Enrollment.student_id == Student.id)
        .join(ClassGroup, Enrollment.class_id == ClassGroup.id)
        .where(Student.school_id == school_id, Enrollment.year_id == year_id)
        .order_by(ClassGroup.grade, ClassGroup.letter, Student.full_name))
    return [(sid, f"{grade}-{letter} · {name}") for sid, name, grade, letter in rows]


def student_in_school(school_id: int, student_id: int) -> bool:
    return db.session.scalar(select(Student.id).where(Student.id == student_id, Student.school_id == school_id)) is not None


def staff_choices(school_id: int, only: Optional[RowScope] = None) -> list[tuple[int, str]]:
    """Active staff (those `only` allows, when given)."""
    stmt = select(User).where(User.school_id == school_id, User.active.is_(True))
    if only is not None:
        stmt = stmt.where(User.id.in_(only.allowed))
    return [(u.id, u.full_name) for u in db.session.scalars(stmt.order_by(User.full_name))]


def subject_choices(school_id: int, name_of) -> list[tuple[int, str]]:
    return [(s.id, name_of(s)) for s in db.session.scalars(
        select(Subject).where(Subject.school_id == school_id).order_by(Subject.name))]


def class_choices(school_id: int, year_id: int) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.scalars(
        select(ClassGroup).where(ClassGroup.school_id == school_id, ClassGroup.year_id == year_id)
        .order_by(ClassGroup.grade, ClassGroup.letter))]
