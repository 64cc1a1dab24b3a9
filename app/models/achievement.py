"""Learning results: assessments (control works, term marks, external tests) and marks,
the class teacher's record of support for students at risk, the school's early-warning rules
and individual support plans (steps, contacts with parents, the outcome at the end of the term)."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped, one_of, utcnow

# Internal kinds carry marks 1-5; external kinds carry a numeric score out of max_score.
INTERNAL_KINDS = ("control", "test", "term", "semester", "annual")
EXTERNAL_KINDS = ("ort", "nts", "external")
ASSESSMENT_KINDS = INTERNAL_KINDS + EXTERNAL_KINDS
# The usual maximum score of an external test when none is given.
DEFAULT_MAX_SCORE = {"ort": 245.0, "nts": 100.0, "external": 100.0}


class Assessment(SchoolOwned, Timestamped, db.Model):
    """One piece of assessed work of a class in a subject: a control work, a term mark, an ORT result."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("class_id", "subject_id", "term_id", "kind", "date"),
        CheckConstraint(
            "kind IN ('control', 'test', 'term', 'semester', 'annual', 'ort', 'nts', 'external')", name="kind"),
        CheckConstraint("max_score IS NULL OR max_score > 0", name="max_score"),
        Index("ix_assessment_term_class_subject", "term_id", "class_id", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id", ondelete="CASCADE"))
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    date: Mapped[date] = mapped_column(Date)
    topic: Mapped[Optional[str]] = mapped_column(String(200))
    max_score: Mapped[Optional[float]] = mapped_column(Float)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    term = relationship("Term")
    class_group = relationship("ClassGroup")
    subject = relationship("Subject")

    @property
    def is_external(self) -> bool:
        return self.kind in EXTERNAL_KINDS


class Mark(SchoolOwned, db.Model):
    """A student's result in an assessment: a mark 1-5, an external score, or absent."""

    __tablename__ = "mark"
    __table_args__ = (
        UniqueConstraint("assessment_id", "student_id"),
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="value"),
        CheckConstraint("score IS NULL OR score >= 0", name="score"),
        CheckConstraint("absent OR value IS NOT NULL OR score IS NOT NULL", name="something"),
        # Covering index: the metrics (assessment, value, absent) and the per-student counts
        # (failing students, internal vs external means) read it without touching the table.
        Index("ix_mark_metrics", "assessment_id", "value", "absent", "student_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    value: Mapped[Optional[int]] = mapped_column(SmallInteger)
    score: Mapped[Optional[float]] = mapped_column(Float)
    absent: Mapped[bool] = mapped_column(default=False)

    assessment: Mapped[Assessment] = relationship()


class SupportAction(SchoolOwned, Timestamped, db.Model):
    """What the class teacher did for a student at risk in a term, and the contact with parents."""

    __tablename__ = "support_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(Text)
    parents_informed: Mapped[bool] = mapped_column(default=False)
    contact_date: Mapped[Optional[date]] = mapped_column(Date)
    contact_note: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    student = relationship("Student")
    created_by = relationship("User")


PLAN_STATUSES = ("open", "closed", "cancelled")
CONTACT_FORMS = ("meeting", "phone", "message", "visit")


class WarningRule(SchoolOwned, db.Model):
    """The school's early-warning rules (one row per school; none = the defaults of
    services/achievement/warning.py). An empty threshold switches its rule off."""

    __tablename__ = "warning_rule"
    __table_args__ = (
        UniqueConstraint("school_id"),
        CheckConstraint("low_marks IS NULL OR low_marks >= 1", name="low_marks"),
        CheckConstraint("last_n >= 1", name="last_n"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    low_marks: Mapped[Optional[int]] = mapped_column(SmallInteger)  # marks of 2 in control works of a subject
    mean_below: Mapped[Optional[float]] = mapped_column(Float)  # the mean of the last `last_n` marks
    last_n: Mapped[int] = mapped_column(SmallInteger, default=5)
    drop_by: Mapped[Optional[float]] = mapped_column(Float)  # a subject's term mark fell by this much
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class SupportPlan(SchoolOwned, Timestamped, db.Model):
    """An individual support plan for a flagged student in a term: `reasons` are the warnings
    as they were when the plan was opened; `outcome` what came of it at the end of the term."""

    __tablename__ = "support_plan"
    __table_args__ = (
        UniqueConstraint("student_id", "term_id"),
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    reasons: Mapped[Optional[str]] = mapped_column(Text)
    outcome: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    student = relationship("Student")
    term = relationship("Term")
    created_by = relationship("User")
    steps = relationship("SupportStep", order_by="SupportStep.due_on", cascade="all, delete-orphan",
                         back_populates="plan")
    contacts = relationship("ParentContact", order_by="ParentContact.held_on", cascade="all, delete-orphan",
                            back_populates="plan")


class SupportStep(SchoolOwned, db.Model):
    """A step of a support plan: what, by when, who is responsible, and when it was done."""

    __tablename__ = "support_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    responsible_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    done_on: Mapped[Optional[date]] = mapped_column(Date)

    plan = relationship("SupportPlan", back_populates="steps")
    responsible = relationship("User")


class ParentContact(SchoolOwned, db.Model):
    """A contact with the student's parents within a support plan: date, form and outcome."""

    __tablename__ = "parent_contact"
    __table_args__ = (CheckConstraint(one_of("form", CONTACT_FORMS), name="form"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    form: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    plan = relationship("SupportPlan", back_populates="contacts")
class AssessmentTask(SchoolOwned, db.Model):
    """A task of a control work with its maximum points (элементный анализ): task 1, 2 ...,
    with the topic it checks."""

    __tablename__ = "assessment_task"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number"),
        CheckConstraint("max_points > 0", name="max_points"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(SmallInteger)
    topic: Mapped[Optional[str]] = mapped_column(String(200))
    max_points: Mapped[float] = mapped_column(Float)


class TaskScore(SchoolOwned, db.Model):
    """A student's points for one task (no row: the student did not write the work)."""

    __tablename__ = "task_score"
    __table_args__ = (
        UniqueConstraint("task_id", "student_id"),
        CheckConstraint("points >= 0", name="points"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("assessment_task.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    points: Mapped[float] = mapped_column(Float)


class ControlWorkAnalysis(SchoolOwned, Timestamped, db.Model):
    """The teacher's analysis of a control work's results and the planned correction; the
    correction is a measure of the register (`measure_id`)."""

    __tablename__ = "control_work_analysis"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), unique=True)
    analysis: Mapped[str] = mapped_column(Text)
    correction: Mapped[str] = mapped_column(Text)
    measure_id: Mapped[Optional[int]] = mapped_column(ForeignKey("measure.id", ondelete="SET NULL"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    measure = relationship("Measure")
