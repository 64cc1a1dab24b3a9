"""Queries and rules about the school's structure, always for one school: its academic years
(the one way to name a year: an id, "2025-2026" or "2025"), classes, staff and what may be
deleted."""
import re
from datetime import date
from typing import Optional, Union

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AcademicYear,
    ClassGroup,
    Enrollment,
    MethodicalAssociation,
    School,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    User,
    UserRole,
)
from app.services.core.text import fold_latin, in_db_range


def get_school_by_code(code: str) -> Optional[School]:
    return db.session.scalar(select(School).where(School.code == code))


def current_year(school_id: int) -> Optional[AcademicYear]:
    """The year marked current, else the latest one."""
    return db.session.scalar(
        select(AcademicYear)
        .where(AcademicYear.school_id == school_id)
        .order_by(AcademicYear.is_current.desc(), AcademicYear.starts_on.desc())
        .limit(1)
    )


def years(school_id: int) -> list[AcademicYear]:
    """The school's academic years, newest first (the choices of every year picker)."""
    return list(db.session.scalars(select(AcademicYear).where(AcademicYear.school_id == school_id)
                                   .order_by(AcademicYear.starts_on.desc())))


def find_year(school_id: int, spec: Union[int, str, None]) -> Optional[AcademicYear]:
    """The school's academic year named by `spec`, or None: an int is the year's id, a text its
    name ("2025-2026") or its first calendar year ("2025"). Another school's year, an id beyond
    the database's integers and any other text are None (never a LIKE pattern: "%" is no
    wildcard here)."""
    if spec is None or isinstance(spec, bool):
        return None
    if isinstance(spec, int):
        if not in_db_range(spec):
            return None
        year = db.session.get(AcademicYear, spec)
        return year if year is not None and year.school_id == school_id else None
    text = str(spec).strip()
    if not text:
        return None
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.school_id == school_id,
                                                        AcademicYear.name == text))
    if year is None and re.fullmatch(r"\d{4}", text):
        year = db.session.scalar(select(AcademicYear).where(
            AcademicYear.school_id == school_id, AcademicYear.name.startswith(f"{text}-"))
            .order_by(AcademicYear.starts_on).limit(1))
    return year


def previous_year(year: AcademicYear) -> Optional[AcademicYear]:
    """The school's academic year before `year` (the latest that starts earlier), or None."""
    return db.session.scalar(select(AcademicYear).where(
        AcademicYear.school_id == year.school_id, AcademicYear.starts_on < year.starts_on)
        .order_by(AcademicYear.starts_on.desc()).limit(1))


def year_of_date(school_id: int, on: date) -> Optional[AcademicYear]:
    """The academic year containing the date (summer dates count to the year just ended); None
    before the school's first year."""
    return db.session.scalar(select(AcademicYear).where(
        AcademicYear.school_id == school_id, AcademicYear.starts_on <= on)
        .order_by(AcademicYear.starts_on.desc()).limit(1))


def keep_one_current(year: AcademicYear) -> None:
    """A year saved as the current one makes the school's other years not current. Nothing is
    flushed here: a new year (no id yet) is not among the others, and a duplicate name is
    refused by the caller's flush, not in the middle of this query."""
    if year.is_current:
        with db.session.no_autoflush:
            for other in db.session.scalars(select(AcademicYear).where(AcademicYear.school_id == year.school_id)):
                if other is not year:
                    other.is_current = False


def set_assignment_year(assignment: TeachingAssignment) -> None:
    """A teaching assignment belongs to the year of its class."""
    with db.session.no_autoflush:
        assignment.year_id = db.session.get(ClassGroup, assignment.class_id).year_id


# --- what may be deleted: None, or why not ------------------------------------------------

def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def year_in_use(year: AcademicYear) -> Optional[str]:
    n = _count(select(func.count(ClassGroup.id)).where(ClassGroup.year_id == year.id))
    return _("This year has %(n)d classes; delete them first.", n=n) if n else None


def class_in_use(cls: ClassGroup) -> Optional[str]:
    n = _count(select(func.count(Enrollment.id)).where(Enrollment.class_id == cls.id))
    return _("This class has %(n)d students; move them to another class first.", n=n) if n else None


def subject_in_use(subject: Subject) -> Optional[str]:
    n = _count(select(func.count(TeachingAssignment.id)).where(TeachingAssignment.subject_id == subject.id))
    return _("This subject is taught in %(n)d classes; remove those assignments first.", n=n) if n else None


def school_counts(school_id: int, year_id: Optional[int]) -> dict[str, int]:
    def count(stmt):
        return db.session.scalar(stmt) or 0

    return {
        "classes": count(select(func.count(ClassGroup.id)).where(
            ClassGroup.school_id == school_id, ClassGroup.year_id == year_id)),
        "students": count(select(func.count(Enrollment.id)).where(
            Enrollment.school_id == school_id, Enrollment.year_id == year_id)),
        "teachers": count(select(func.count(func.distinct(User.id))).join(UserRole).where(
            User.school_id == school_id, User.active.is_(True),
            UserRole.role.in_(("teacher", "class_teacher")))),
        "subjects": count(select(func.count(Subject.id)).where(Subject.school_id == school_id)),
    }


def classes_of_year(school_id: int, year_id: int) -> list[ClassGroup]:
    return list(db.session.scalars(
        select(ClassGroup).where(ClassGroup.school_id == school_id, ClassGroup.year_id == year_id)
        .order_by(ClassGroup.grade, ClassGroup.letter)
    ))


def class_sizes(school_id: int, year_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(Enrollment.class_id, func.count(Enrollment.id))
        .where(Enrollment.school_id == school_id, Enrollment.year_id == year_id)
        .group_by(Enrollment.class_id)
    )
    return {class_id: n for class_id, n in rows}


def classes_of_class_teacher(user_id: int, year_id: int) -> list[ClassGroup]:
    return list(db.session.scalars(
        select(ClassGroup).where(ClassGroup.class_teacher_id == user_id, ClassGroup.year_id == year_id)
        .order_by(ClassGroup.grade, ClassGroup.letter)
    ))


def assignments_of_teacher(user_id: int, year_id: int) -> list[TeachingAssignment]:
    return list(db.session.scalars(
        select(TeachingAssignment)
        .join(ClassGroup, TeachingAssignment.class_id == ClassGroup.id)
        .join(Subject, TeachingAssignment.subject_id == Subject.id)
        .where(TeachingAssignment.teacher_id == user_id, TeachingAssignment.year_id == year_id)
        .order_by(ClassGroup.grade, ClassGroup.letter, Subject.name)
    ))


def students_of_class(class_id: int) -> list[Student]:
    return list(db.session.scalars(
        select(Student).join(Enrollment, Enrollment.student_id == Student.id)
        .where(Enrollment.class_id == class_id).order_by(Student.full_name)
    ))


def user_by_email(email: str) -> Optional[User]:
    """The account with this email in any school (emails are logins: unique, any case)."""
    return db.session.scalar(select(User).where(func.lower(User.email) == fold_latin(email.strip()).lower()))


def staff(school_id: int, role: Optional[str] = None) -> list[User]:
    stmt = select(User).where(User.school_id == school_id).order_by(User.full_name)
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return list(db.session.scalars(stmt))


def terms_of_year(year_id: int) -> list[Term]:
    return list(db.session.scalars(select(Term).where(Term.year_id == year_id).order_by(Term.starts_on, Term.kind)))


def methodical_associations(school_id: int) -> list[MethodicalAssociation]:
    return list(db.session.scalars(
        select(MethodicalAssociation).where(MethodicalAssociation.school_id == school_id)
        .order_by(MethodicalAssociation.name)
    ))


def ma_subjects(head_id: int):
    """SELECT of the ids of the subjects of the methodical associations a user heads."""
    return (select(Subject.id).join(MethodicalAssociation, Subject.ma_id == MethodicalAssociation.id)
            .where(MethodicalAssociation.head_id == head_id))


def ma_teachers(head_id: int):
    """SELECT of the ids of the teachers of the methodical associations a user heads: those
    who teach (in any year) one of their subjects."""
    return select(TeachingAssignment.teacher_id).where(TeachingAssignment.subject_id.in_(ma_subjects(head_id)))
