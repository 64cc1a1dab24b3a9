"""Queries about the school's structure, always for one school."""
from typing import Optional

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
