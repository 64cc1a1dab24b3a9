"""Diagnostics: instruments of kind `diagnostic` filled in by staff about one named student.

A Diagnostic is one student's record of one diagnostic instrument in one academic year (one row
per student, instrument key and year: filling it in again corrects it, audited). `outcome` is
the option the student got on the instrument's outcome item (a level, a health group, a
destination; app/services/diagnostics/instruments.py names the item of each instrument), kept
on the row so that the indicators are one SQL count. Each answered item is one DiagnosticAnswer
row, stored like an observation's (app/services/observations/answers.py maps the columns); the
item kinds are those of the instrument language's diagnostic kind (surveys/kinds.py).
`respondent` says who filled the record in: staff, or the student themself (an instrument with
`respondent: student`, filled in with a personal code; filled_by_id is then NULL).

A DiagnosticRound is a student-filled diagnostic started for one class (by its class teacher,
the psychologist or the administration); it has a public link (`slug`) and one DiagnosticCode
per student: a single-use code stored only as a salted hash, named (it says whose answers
they are), spent when the student sends the questionnaire; the unspent codes are deleted when
the round closes (app/services/diagnostics/student_codes.py).
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped, one_of, utcnow
from surveys.kinds import DIAGNOSTIC

ITEM_KINDS = DIAGNOSTIC.item_types()
RESPONDENTS = ("staff", "student")
ROUND_STATES = ("open", "closed")


class Diagnostic(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "diagnostic"
    __table_args__ = (
        UniqueConstraint("student_id", "year_id", "instrument_key"),
        Index("ix_diagnostic_school_year_key", "school_id", "year_id", "instrument_key"),
        CheckConstraint(one_of("respondent", RESPONDENTS), name="respondent"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(60))
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    # The student's class in that year (the class and grade the figures are counted in).
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), index=True)
    filled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    filled_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[Optional[str]] = mapped_column(String(60))
    confidential: Mapped[bool] = mapped_column(default=False)
    respondent: Mapped[str] = mapped_column(String(10), default="staff", server_default="staff")
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    instrument = relationship("Instrument")
    student = relationship("Student")
    class_group = relationship("ClassGroup")
    year = relationship("AcademicYear")
    filled_by = relationship("User")
    answers: Mapped[list["DiagnosticAnswer"]] = relationship(
        back_populates="diagnostic", cascade="all, delete-orphan", order_by="DiagnosticAnswer.position")


class DiagnosticAnswer(SchoolOwned, db.Model):
    """One answered item of a diagnostic (the columns of an observation's answer)."""

    __tablename__ = "diagnostic_answer"
    __table_args__ = (
        UniqueConstraint("diagnostic_id", "item_key"),
        CheckConstraint(one_of("item_kind", ITEM_KINDS), name="item_kind"),
        CheckConstraint("score IS NULL OR (score >= min_score AND score <= max_score)", name="score_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    diagnostic_id: Mapped[int] = mapped_column(ForeignKey("diagnostic.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str] = mapped_column(String(60))
    item_key: Mapped[str] = mapped_column(String(60))
    item_kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    score: Mapped[Optional[int]]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    min_score: Mapped[Optional[int]]
    max_score: Mapped[Optional[int]]
    number: Mapped[Optional[float]] = mapped_column(Float)
    text: Mapped[Optional[str]] = mapped_column(Text)

    diagnostic: Mapped[Diagnostic] = relationship(back_populates="answers")


class DiagnosticRound(SchoolOwned, Timestamped, db.Model):
    """A diagnostic the students of one class fill in themselves (see the module's docstring)."""

    __tablename__ = "diagnostic_round"
    __table_args__ = (CheckConstraint(one_of("status", ROUND_STATES), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(60))
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(16), unique=True)
    code_salt: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10), default="open")
    started_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    # Counts the batches of codes issued: the issue form carries the number its page saw, so a
    # stale page or a second tab cannot replace (and so void) slips printed meanwhile.
    codes_version: Mapped[int] = mapped_column(default=0, server_default="0")

    instrument = relationship("Instrument")
    class_group = relationship("ClassGroup")
    started_by = relationship("User")


class DiagnosticCode(SchoolOwned, db.Model):
    """One student's single-use code of a round: its salted hash only, and whether it is spent."""

    __tablename__ = "diagnostic_code"
    __table_args__ = (UniqueConstraint("round_id", "code_hash"), UniqueConstraint("round_id", "student_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_round.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used: Mapped[bool] = mapped_column(default=False)
