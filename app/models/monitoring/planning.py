"""The annual monitoring cyclogram (R5) and the interviews register (R2)."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped

METHODS = ("survey", "observation", "control_work", "statistics", "interview", "expert")
FORMS = ("continuous", "periodic")
STATUSES = ("planned", "in_progress", "done")  # "overdue" is derived, never stored
PARTICIPANT_ROLES = ("teacher", "parent", "student", "staff")


class Cyclogram(SchoolOwned, Timestamped, db.Model):
    """One academic year's cyclogram and its approval by the director's order."""

    __tablename__ = "cyclogram"
    __table_args__ = (UniqueConstraint("year_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"))
    order_number: Mapped[Optional[str]] = mapped_column(String(40))
    order_date: Mapped[Optional[date]] = mapped_column(Date)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    year = relationship("AcademicYear")
    items: Mapped[list["CyclogramItem"]] = relationship(
        back_populates="cyclogram", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(CyclogramItem.month_from, CyclogramItem.direction, CyclogramItem.id)")


class CyclogramItem(SchoolOwned, db.Model):
    __tablename__ = "cyclogram_item"
    __table_args__ = (
        CheckConstraint("direction BETWEEN 1 AND 7", name="direction"),
        CheckConstraint("month_from BETWEEN 1 AND 12 AND month_to BETWEEN 1 AND 12", name="months"),
        CheckConstraint("method IN ('survey', 'observation', 'control_work', 'statistics', 'interview', 'expert')",
                        name="method"),
        CheckConstraint("form IN ('continuous', 'periodic')", name="form"),
        CheckConstraint("status IN ('planned', 'in_progress', 'done')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cyclogram_id: Mapped[int] = mapped_column(ForeignKey("cyclogram.id", ondelete="CASCADE"), index=True)
    month_from: Mapped[int]
    month_to: Mapped[int]
    object: Mapped[str] = mapped_column(String(300))
    direction: Mapped[int]
    indicator_keys: Mapped[Optional[str]] = mapped_column(String(300))  # space-separated keys
    instrument: Mapped[Optional[str]] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(16))
    form: Mapped[str] = mapped_column(String(12), default="periodic")
    responsible_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    document: Mapped[Optional[str]] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="planned")
    done_on: Mapped[Optional[date]] = mapped_column(Date)

    cyclogram: Mapped[Cyclogram] = relationship(back_populates="items")
    responsible = relationship("User")

    @property
    def keys(self) -> list[str]:
        return (self.indicator_keys or "").split()


class Interview(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "interview"
    __table_args__ = (
        CheckConstraint("participant_role IN ('teacher', 'parent', 'student', 'staff')", name="participant_role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cyclogram_item.id", ondelete="SET NULL"), index=True)
    on_date: Mapped[date] = mapped_column(Date)
    participant_role: Mapped[str] = mapped_column(String(10))
    participants: Mapped[int] = mapped_column(default=1)
    topic: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[Optional[str]] = mapped_column(Text)
    interviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    item = relationship("CyclogramItem")
    interviewer = relationship("User")
