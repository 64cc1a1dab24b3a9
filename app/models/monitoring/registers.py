"""Registers of continuous monitoring (R3.3-R3.7, R4): teacher and student achievements,
incidents, provision, upbringing and psychological support.

Incidents keep no student identity (only the class): the indicators need counts, not names.
Support cases are personal and only the psychologist and the director see them.
"""
from datetime import date
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import SchoolOwned, Timestamped

LEVELS = ("school", "district", "city", "region", "national", "international")
TEACHER_ACHIEVEMENT_KINDS = (
    "attestation", "open_lesson", "talk", "content_development", "publication", "refresher_course",
    "competition", "ma_work", "creative_group", "class_teacher", "technology", "innovation", "conference",
)
STUDENT_ACHIEVEMENT_KINDS = ("olympiad", "competition", "project")
RESULTS = ("participant", "prize_winner", "winner")
INCIDENT_KINDS = ("injury", "offence")
SUPPORT_STATUSES = ("open", "closed")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class TeacherAchievement(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "teacher_achievement"
    __table_args__ = (
        CheckConstraint(_in("kind", TEACHER_ACHIEVEMENT_KINDS), name="kind"),
        CheckConstraint(_in("level", LEVELS) + " OR level IS NULL", name="level"),
        CheckConstraint(_in("result", RESULTS) + " OR result IS NULL", name="result"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[Optional[str]] = mapped_column(String(16))
    result: Mapped[Optional[str]] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    teacher = relationship("User", foreign_keys=[teacher_id])
    year = relationship("AcademicYear")


class StudentAchievement(SchoolOwned, Timestamped, db.Model):
    """Olympiads, competitions and research projects (R3.3)."""

    __tablename__ = "student_achievement"
    __table_args__ = (
        CheckConstraint(_in("kind", STUDENT_ACHIEVEMENT_KINDS), name="kind"),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint(_in("result", RESULTS), name="result"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[Optional[int]] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"), index=True)
    mentor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    student = relationship("Student")
    subject = relationship("Subject")
    mentor = relationship("User", foreign_keys=[mentor_id])
    year = relationship("AcademicYear")


class Incident(SchoolOwned, Timestamped, db.Model):
    """An injury or an offence; only the class is kept about the student."""

    __tablename__ = "incident"
    __table_args__ = (CheckConstraint(_in("kind", INCIDENT_KINDS), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id", ondelete="SET NULL"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(500))
    measures: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    class_group = relationship("ClassGroup")


class Classroom(SchoolOwned, Timestamped, db.Model):
    """A classroom with its equipment (R3.5) in one academic year: each year keeps its own
    state, so that a comparison with last year compares two years (not this year twice)."""

    __tablename__ = "classroom"
    __table_args__ = (
        UniqueConstraint("school_id", "year_id", "name"),
        CheckConstraint("equipment_percent BETWEEN 0 AND 100", name="equipment_percent"),
        CheckConstraint("ict_units >= 0", name="ict_units"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    subject_id: Mapped[Optional[int]] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"))
    equipment_percent: Mapped[int] = mapped_column(default=0)
    ict_units: Mapped[int] = mapped_column(default=0)
    meets_requirements: Mapped[bool] = mapped_column(default=False)
    methodical_materials: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    subject = relationship("Subject")


class TextbookProvision(SchoolOwned, db.Model):
    __tablename__ = "textbook_provision"
    __table_args__ = (
        UniqueConstraint("year_id", "grade", "subject_id"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
        CheckConstraint("needed >= 0 AND available >= 0", name="counts"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int]
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), index=True)
    needed: Mapped[int]
    available: Mapped[int]

    subject = relationship("Subject")


class Club(SchoolOwned, Timestamped, db.Model):
    """An extracurricular club or additional-education group with its enrolment count and,
    where the school lists them, its students (ClubMember): a student in two clubs is one
    student in the coverage, two places in the clubs."""

    __tablename__ = "club"
    __table_args__ = (CheckConstraint("enrolled >= 0", name="enrolled"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="club")  # club, sport, art, additional
    leader: Mapped[Optional[str]] = mapped_column(String(200))
    grades: Mapped[Optional[str]] = mapped_column(String(40))
    enrolled: Mapped[int] = mapped_column(default=0)

    members: Mapped[list["ClubMember"]] = relationship(cascade="all, delete-orphan")

    @property
    def member_ids(self) -> list[int]:
        return [m.student_id for m in self.members]

    @member_ids.setter
    def member_ids(self, ids) -> None:
        wanted = {int(i) for i in ids or ()}
        self.members = [m for m in self.members if m.student_id in wanted] + [
            ClubMember(student_id=i) for i in sorted(wanted - set(self.member_ids))]


class ClubMember(db.Model):
    """A student of a club (one row per student and club)."""

    __tablename__ = "club_member"
    __table_args__ = (UniqueConstraint("club_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("club.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)


class SelfGovernmentActivity(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "self_government_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(String(200))  # student council, children's organisation ...
    title: Mapped[str] = mapped_column(String(300))
    participants: Mapped[int] = mapped_column(default=0)


class SupportCase(SchoolOwned, Timestamped, db.Model):
    """A psychologist's support case (R3.6): personal, seen by the psychologist and the director."""

    __tablename__ = "support_case"
    __table_args__ = (CheckConstraint(_in("status", SUPPORT_STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    psychologist_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    student = relationship("Student")
