"""Observations of lessons, extracurricular events and parent meetings.

An Observation is filled in with a protocol (an Instrument of kind `observation`); each
answered item is one ObservationScore row so that totals and percentages are SQL
aggregates. The CHECK constraints are written from the constants below; the item kinds are
those of the instrument language's observation kind (surveys/kinds.py), so they follow its
registry of item types. A final observation is never edited: an amendment is a new row with
version + 1 that points at the one it corrects (`amends_id`); only the newest final
version of a chain counts (`is_current`).
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped, one_of, utcnow
from surveys.kinds import OBSERVATION

OBSERVATION_KINDS = ("lesson", "event", "parent_meeting")
OBSERVATION_STATUSES = ("draft", "final")
PURPOSES = ("control", "methodical_help", "attestation", "open_school", "open_district", "open_city",
            "mentoring")
ITEM_KINDS = OBSERVATION.item_types()


class Observation(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "observation"
    __table_args__ = (
        CheckConstraint(one_of("kind", OBSERVATION_KINDS), name="kind"),
        CheckConstraint(one_of("status", OBSERVATION_STATUSES), name="status"),
        CheckConstraint(one_of("purpose", PURPOSES), name="purpose"),
        Index("ix_observation_school_year_current", "school_id", "year_id", "is_current"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    observer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("class_group.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[Optional[int]] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"), index=True)
    observed_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[Optional[str]] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Amendments: version 1 is the original; a correction is a new row pointing at the one it amends.
    version: Mapped[int] = mapped_column(default=1)
    amends_id: Mapped[Optional[int]] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"), index=True)
    # True for the version that counts: the newest final one of its chain (or a draft not amending anything).
    is_current: Mapped[bool] = mapped_column(default=True)
    amendment_reason: Mapped[Optional[str]] = mapped_column(Text)
    # A joint observation: the observation whose lesson this one observed too (the two count as
    # one lesson, app/services/observations/joint.py). Amendments keep it.
    joint_with_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("observation.id", ondelete="SET NULL"), index=True)
    strengths: Mapped[Optional[str]] = mapped_column(Text)
    recommendations: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)
    finalized_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    # Bumped on every saved change; the browser's offline draft compares against it.
    revision: Mapped[int] = mapped_column(default=0)
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    teacher_comment: Mapped[Optional[str]] = mapped_column(Text)

    instrument = relationship("Instrument")
    observer = relationship("User", foreign_keys=[observer_id])
    teacher = relationship("User", foreign_keys=[teacher_id])
    class_group = relationship("ClassGroup")
    subject = relationship("Subject")
    year = relationship("AcademicYear")
    amends = relationship("Observation", remote_side=[id], foreign_keys=[amends_id])
    joint_with = relationship("Observation", remote_side=[id], foreign_keys=[joint_with_id])
    scores: Mapped[list["ObservationScore"]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="ObservationScore.position")

    @property
    def is_final(self) -> bool:
        return self.status == "final"


class ObservationScore(SchoolOwned, db.Model):
    """One answered item of an observation: a rubric score (or "not applicable"), a yes/no, a
    number or a text; app/services/observations/answers.py maps every item type to these columns."""

    __tablename__ = "observation_score"
    __table_args__ = (
        UniqueConstraint("observation_id", "item_key"),
        CheckConstraint(one_of("item_kind", ITEM_KINDS), name="item_kind"),
        CheckConstraint("score IS NULL OR (score >= min_score AND score <= max_score)", name="score_range"),
        CheckConstraint("NOT not_applicable OR score IS NULL", name="not_applicable"),
        Index("ix_observation_score_item", "school_id", "item_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str] = mapped_column(String(60))
    item_key: Mapped[str] = mapped_column(String(60))
    item_kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    # Criterion scores (and yes_no as 1/0) with the rubric range they were given on.
    score: Mapped[Optional[int]]
    # A criterion answered "not applicable" (allow_na): no score, and not counted anywhere;
    # unlike a criterion not scored yet, it lets the observation be finished.
    not_applicable: Mapped[bool] = mapped_column(default=False, server_default=false())
    min_score: Mapped[Optional[int]]
    max_score: Mapped[Optional[int]]
    number: Mapped[Optional[float]] = mapped_column(Float)
    text: Mapped[Optional[str]] = mapped_column(Text)  # a note on a criterion, or a text answer

    observation: Mapped[Observation] = relationship(back_populates="scores")


class ObservationPlan(SchoolOwned, db.Model):
    """How many observations an observer plans in a year (from the monitoring cyclogram)."""

    __tablename__ = "observation_plan"
    __table_args__ = (
        UniqueConstraint("year_id", "observer_id"),
        CheckConstraint("planned >= 0", name="planned"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    observer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    planned: Mapped[int] = mapped_column(default=0)

    observer = relationship("User")
