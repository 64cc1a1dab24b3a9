"""Class and teacher profiles: achievement, observations, satisfaction, olympiads and
achievements side by side over terms and years.

Each section is built by a provider function (class, viewer) -> Section | None (None when it has
nothing to show, or nothing the viewer may see). This module provides the registers' sections;
the achievement, observations and surveys domains provide theirs in
app/services/<domain>/monitoring.py, and the features declare them all with their order.

Who opens a profile is decided here (`may_see_class`, `may_see_teacher`); what each section
shows is decided by its domain's own rule, the one its lists use (achievement.access.visible,
observations.access.counted, monitoring.registers.may_see_on_profile): an MO head may open any
class's profile, and sees there only their association's results and lessons.
"""
from dataclasses import dataclass
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.features import installed
from app.models import AcademicYear, ClassGroup, Enrollment, TeachingAssignment, User
from app.models.monitoring.registers import Incident, StudentAchievement, TeacherAchievement
from app.security import Principal
from app.services.core import school as school_service
from app.services.monitoring import registers
from app.services.monitoring.labels import LEVEL_LABELS, RESULT_LABELS, TEACHER_KIND_LABELS


@dataclass
class Section:
    title: Any
    columns: list[Any]
    rows: list[list[Any]]
    note: Any = None
    chart: Any = None


def may_see_class(cls: ClassGroup, viewer: Principal) -> bool:
    """The whole-school roles and MO heads (whose sections show their association's part), the
    class teacher, and the teachers of the class."""
    if viewer.everything or "mo_head" in viewer.roles:
        return True
    if cls.class_teacher_id == viewer.user_id:
        return True
    return bool(db.session.scalar(select(func.count(TeachingAssignment.id)).where(
        TeachingAssignment.class_id == cls.id, TeachingAssignment.teacher_id == viewer.user_id)))


def may_see_teacher(teacher: User, viewer: Principal) -> bool:
    """The whole-school roles, the teacher, and the head of an association the teacher teaches in."""
    if viewer.everything or teacher.id == viewer.user_id:
        return True
    if "mo_head" in viewer.roles:
        return teacher.id in set(db.session.scalars(school_service.ma_teachers(viewer.user_id)))
    return False


def visible_classes(viewer: Principal, year_id: int) -> list[ClassGroup]:
    classes = db.session.scalars(select(ClassGroup).where(ClassGroup.school_id == viewer.school_id,
                                                          ClassGroup.year_id == year_id)
                                 .order_by(ClassGroup.grade, ClassGroup.letter)).all()
    return [c for c in classes if may_see_class(c, viewer)]


def visible_teachers(viewer: Principal, year_id: int) -> list[User]:
    teachers = db.session.scalars(select(User).where(User.id.in_(
        select(TeachingAssignment.teacher_id).where(TeachingAssignment.school_id == viewer.school_id,
                                                    TeachingAssignment.year_id == year_id))).order_by(User.full_name)).all()
    return [t for t in teachers if may_see_teacher(t, viewer)]


def _years(school_id: int) -> list[AcademicYear]:
    """The school's years, oldest first (the columns of a profile's tables)."""
    return school_service.years(school_id)[::-1]


def class_students(cls: ClassGroup):
    return select(Enrollment.student_id).where(Enrollment.class_id == cls.id)


def class_olympiads(cls: ClassGroup, viewer: Principal) -> Optional[Section]:
    """Olympiad results of the class's current students, in every year (they move up a grade):
    for the register's readers and the class teacher."""
    if not registers.may_see_on_profile(viewer, "students", own=cls.class_teacher_id == viewer.user_id):
        return None
    rows = db.session.execute(
        select(AcademicYear.name, StudentAchievement.level, StudentAchievement.result, func.count())
        .join(AcademicYear, AcademicYear.id == StudentAchievement.year_id)
        .where(StudentAchievement.school_id == viewer.school_id,
               StudentAchievement.student_id.in_(class_students(cls)))
        .group_by(AcademicYear.name, AcademicYear.starts_on, StudentAchievement.level, StudentAchievement.result)
        .order_by(AcademicYear.starts_on)).all()
    return _level_table(_l("Olympiads, competitions and projects"), rows)


def _level_table(title, rows) -> Optional[Section]:
    if not rows:
        return None
    years = list(dict.fromkeys(r[0] for r in rows))
    cells = {(y, lvl, res): n for y, lvl, res, n in rows}
    table = []
    for lvl, lvl_label in LEVEL_LABELS.items():
        for res, res_label in RESULT_LABELS.items():
            values = [cells.get((y, lvl, res), 0) for y in years]
            if any(values):
                table.append([f"{lvl_label}: {res_label}", *values])
    return Section(title, [_l("Level and result"), *years], table)


def class_incidents(cls: ClassGroup, viewer: Principal) -> Optional[Section]:
    """Injuries and offences in the class: for the register's readers and the class teacher."""
    if not registers.may_see_on_profile(viewer, "incidents", own=cls.class_teacher_id == viewer.user_id):
        return None
    rows = db.session.execute(select(Incident.kind, func.count()).where(
        Incident.school_id == viewer.school_id, Incident.class_id == cls.id).group_by(Incident.kind)).all()
    if not rows:
        return None
    from app.services.monitoring.labels import INCIDENT_LABELS
    return Section(_l("Injuries and offences"), [_l("Kind"), cls.year.name],
                   [[INCIDENT_LABELS[k], n] for k, n in rows])


def teacher_achievements(teacher: User, viewer: Principal) -> Optional[Section]:
    """The teacher's professional achievements: for the register's readers and the teacher."""
    if not registers.may_see_on_profile(viewer, "teachers", own=teacher.id == viewer.user_id):
        return None
    rows = db.session.execute(
        select(AcademicYear.name, TeacherAchievement.kind, func.count())
        .join(AcademicYear, AcademicYear.id == TeacherAchievement.year_id)
        .where(TeacherAchievement.school_id == viewer.school_id, TeacherAchievement.teacher_id == teacher.id)
        .group_by(AcademicYear.name, AcademicYear.starts_on, TeacherAchievement.kind)
        .order_by(AcademicYear.starts_on)).all()
    if not rows:
        return None
    years = list(dict.fromkeys(r[0] for r in rows))
    cells = {(y, k): n for y, k, n in rows}
    table = [[label, *[cells.get((y, k), 0) for y in years]] for k, label in TEACHER_KIND_LABELS.items()
             if any(cells.get((y, k)) for y in years)]
    return Section(_l("Professional achievements"), [_l("Kind"), *years], table)


def teacher_students_olympiads(teacher: User, viewer: Principal) -> Optional[Section]:
    """Olympiad results of the students the teacher mentored: for the register's readers and the teacher."""
    if not registers.may_see_on_profile(viewer, "students", own=teacher.id == viewer.user_id):
        return None
    rows = db.session.execute(
        select(AcademicYear.name, StudentAchievement.level, StudentAchievement.result, func.count())
        .join(AcademicYear, AcademicYear.id == StudentAchievement.year_id)
        .where(StudentAchievement.school_id == viewer.school_id, StudentAchievement.mentor_id == teacher.id)
        .group_by(AcademicYear.name, AcademicYear.starts_on, StudentAchievement.level, StudentAchievement.result)
        .order_by(AcademicYear.starts_on)).all()
    return _level_table(_l("Students' olympiad results (as mentor)"), rows)


def class_profile(cls: ClassGroup, viewer: Principal) -> list[Section]:
    """The sections every installed feature gives a class's profile, in their order."""
    return [s for s in (fn(cls, viewer) for fn in installed().sorted("class_profile")) if s is not None]


def teacher_profile(teacher: User, viewer: Principal) -> list[Section]:
    """The sections every installed feature gives a teacher's profile, in their order."""
    return [s for s in (fn(teacher, viewer) for fn in installed().sorted("teacher_profile")) if s is not None]
