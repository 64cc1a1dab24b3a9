"""Staff and programme records (assessment regulation 000 §2.3, §2.5, §2.7).

`StaffRecord`: one per teacher (a User of the school), with the qualification category, the
education, the year pedagogical work began (experience is computed for any year), the last and
the next attestation, and the dates hired and left (staff stability). Personal data: read by the
director, deputies and an MO head (their association's teachers), never on public pages.

`ProgrammeDocument`: the register of the school's programme documents (development programme,
education programme, work programmes per subject and grade, curricula) with the date approved
and who approved it; the 3-year check is computed (app/services/monitoring/staff.py).
"""
from datetime import date
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import SchoolOwned, Timestamped, one_of

# The qualification categories of Kyrgyz teachers: without category, second, first, highest.
CATEGORIES = ("none", "second", "first", "highest")
EDUCATIONS = ("higher_pedagogical", "higher_other", "vocational_pedagogical", "vocational_other", "secondary")
PROGRAMME_KINDS = ("development", "education", "work", "curriculum")


class StaffRecord(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "staff_record"
    __table_args__ = (
        UniqueConstraint("user_id"),
        CheckConstraint(one_of("category", CATEGORIES), name="category"),
        CheckConstraint(one_of("education", EDUCATIONS), name="education"),
        CheckConstraint("teaching_since BETWEEN 1940 AND 2100", name="teaching_since"),
        CheckConstraint("left_on IS NULL OR hired_on IS NULL OR left_on >= hired_on", name="left_after_hired"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(10), default="none")
    education: Mapped[str] = mapped_column(String(24), default="higher_pedagogical")
    teaching_since: Mapped[Optional[int]]
    last_attestation_on: Mapped[Optional[date]] = mapped_column(Date)
    next_attestation_on: Mapped[Optional[date]] = mapped_column(Date)
    hired_on: Mapped[Optional[date]] = mapped_column(Date)
    left_on: Mapped[Optional[date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    user = relationship("User")


class ProgrammeDocument(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "programme_document"
    __table_args__ = (
        CheckConstraint(one_of("kind", PROGRAMME_KINDS), name="kind"),
        CheckConstraint("grade IS NULL OR grade BETWEEN 1 AND 11", name="grade"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(300))
    subject_id: Mapped[Optional[int]] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"), index=True)
    grade: Mapped[Optional[int]]
    approved_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(200))
    notes: Mapped[Optional[str]] = mapped_column(Text)

    subject = relationship("Subject")
