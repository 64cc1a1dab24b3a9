"""The school's structure: schools, years, terms, methodical associations, subjects, classes."""
import secrets
from datetime import date
from typing import Optional

from flask_babel import gettext
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import DEFAULT_TZ, SchoolOwned, Timestamped

TERM_KINDS = ("quarter", "semester", "year")


def term_label(kind: str, number: int) -> str:
    """A term's name in the current language, made from its kind and number ("2-чейрек",
    "2-я четверть", "Quarter 2"); stored names are the school's own and are not shown."""
    if kind == "quarter":
        return gettext("Quarter %(n)d", n=number)
    if kind == "semester":
        return gettext("Half-year %(n)d", n=number)
    return gettext("School year")


class School(Timestamped, db.Model):
    __tablename__ = "school"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[Optional[str]] = mapped_column(String(200))
    address: Mapped[Optional[str]] = mapped_column(String(300))
    # IANA zone of the school's wall clock: campaign windows, due dates, shown times (core.clock)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TZ, server_default=DEFAULT_TZ)
    # The district (education department) the school belongs to, if any (app/models/district.py).
    district_id: Mapped[Optional[int]] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"), index=True)
    # The school's rule (the director's switch): may students fill in named, non-anonymous
    # diagnostics themselves with personal codes (app/services/diagnostics/student_codes.py)?
    student_diagnostics: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # A random token renewed by every committed write of the school's rows: figures computed
    # from them are kept until it changes (app/services/core/data_stamps.py).
    data_stamp: Mapped[Optional[str]] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    def __repr__(self) -> str:
        return f"<School {self.code}>"


class AcademicYear(SchoolOwned, db.Model):
    __tablename__ = "academic_year"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))  # "2025-2026"
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(default=False)

    terms: Mapped[list["Term"]] = relationship(
        back_populates="year", order_by="Term.starts_on", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class Term(SchoolOwned, db.Model):
    __tablename__ = "term"
    __table_args__ = (
        UniqueConstraint("year_id", "kind", "number"),
        CheckConstraint("kind IN ('quarter', 'semester', 'year')", name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    year: Mapped[AcademicYear] = relationship(back_populates="terms")

    @property
    def label(self) -> str:
        """The term's name in the page's language (`term_label`)."""
        return term_label(self.kind, self.number)

    def __str__(self) -> str:
        return f"{self.label} ({self.year.name})"


class MethodicalAssociation(SchoolOwned, db.Model):
    __tablename__ = "methodical_association"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[Optional[str]] = mapped_column(String(200))
    head_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    head = relationship("User", foreign_keys=[head_id])
    subjects: Mapped[list["Subject"]] = relationship(back_populates="ma", order_by="Subject.name")

    def __str__(self) -> str:
        return self.name


class Subject(SchoolOwned, db.Model):
    __tablename__ = "subject"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[Optional[str]] = mapped_column(String(120))
    ma_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("methodical_association.id", ondelete="SET NULL"), index=True
    )

    ma: Mapped[Optional[MethodicalAssociation]] = relationship(back_populates="subjects")

    def __str__(self) -> str:
        return self.name


class ClassGroup(SchoolOwned, db.Model):
    """A class of one academic year, e.g. 7-Б of 2025-2026."""

    __tablename__ = "class_group"
    __table_args__ = (
        UniqueConstraint("year_id", "grade", "letter"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int]
    letter: Mapped[str] = mapped_column(String(4))
    class_teacher_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )

    year: Mapped[AcademicYear] = relationship()
    class_teacher = relationship("User", foreign_keys=[class_teacher_id])

    @property
    def name(self) -> str:
        return f"{self.grade}-{self.letter}"

    def __str__(self) -> str:
        return self.name
