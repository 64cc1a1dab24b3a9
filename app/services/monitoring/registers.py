"""Queries of the registers: filtered lists and the choices forms need, for one school."""
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models import ClassGroup, Enrollment, Student, Subject, User
from app.models.monitoring.registers import TextbookProvision


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


def staff_choices(school_id: int) -> list[tuple[int, str]]:
    return [(u.id, u.full_name) for u in db.session.scalars(
        select(User).where(User.school_id == school_id, User.active.is_(True)).order_by(User.full_name))]


def subject_choices(school_id: int, name_of) -> list[tuple[int, str]]:
    return [(s.id, name_of(s)) for s in db.session.scalars(
        select(Subject).where(Subject.school_id == school_id).order_by(Subject.name))]


def class_choices(school_id: int, year_id: int) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.scalars(
        select(ClassGroup).where(ClassGroup.school_id == school_id, ClassGroup.year_id == year_id)
        .order_by(ClassGroup.grade, ClassGroup.letter))]
