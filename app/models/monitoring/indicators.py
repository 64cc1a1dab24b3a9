"""The monitoring programme's indicators (R3, R4, R5): the catalogue and entered values.

Every school holds its own copy of the shipped invariant catalogue (so that it may set its
own targets) plus its variable, school-specific indicators. Automatic indicators are
computed on demand from Sapat data; IndicatorValue holds what people enter.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped, utcnow

DIRECTIONS = (1, 2, 3, 4, 5, 6, 7)
UNITS = ("percent", "count", "mean", "index", "points", "ratio", "flag")
SOURCES = ("auto", "manual")
PERIODICITIES = ("term", "year", "continuous")
GOOD_DIRECTIONS = ("higher", "lower")


class Indicator(SchoolOwned, Timestamped, db.Model):
    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("school_id", "key"),
        CheckConstraint("direction BETWEEN 1 AND 7", name="direction"),
        CheckConstraint("source IN ('auto', 'manual')", name="source"),
        CheckConstraint("periodicity IN ('term', 'year', 'continuous')", name="periodicity"),
        CheckConstraint("good IN ('higher', 'lower')", name="good"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    name_ky: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    direction: Mapped[int]
    invariant: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str] = mapped_column(String(10))
    method_ky: Mapped[Optional[str]] = mapped_column(Text)
    method_ru: Mapped[Optional[str]] = mapped_column(Text)
    method_en: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    periodicity: Mapped[str] = mapped_column(String(12), default="year")
    responsible_role: Mapped[Optional[str]] = mapped_column(String(20))
    target: Mapped[Optional[float]] = mapped_column(Float)
    threshold: Mapped[Optional[float]] = mapped_column(Float)
    good: Mapped[str] = mapped_column(String(6), default="higher")
    criterion: Mapped[Optional[str]] = mapped_column(String(20))  # e.g. "R3.1", "R4"
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # A variable indicator of one methodical association (§2.17: the variable part of the
    # database), shown on the association's page; empty for the school's own indicators.
    ma_id: Mapped[Optional[int]] = mapped_column(ForeignKey("methodical_association.id", ondelete="CASCADE"),
                                                 index=True)

    values: Mapped[list["IndicatorValue"]] = relationship(back_populates="indicator", cascade="all, delete-orphan",
                                                          passive_deletes=True)

    def name_in(self, lang: str) -> str:
        return {"ky": self.name_ky, "ru": self.name_ru}.get(lang) or self.name_en or self.name_ru

    def method_in(self, lang: str) -> str:
        return {"ky": self.method_ky, "ru": self.method_ru}.get(lang) or self.method_en or self.method_ru or ""


class IndicatorValue(SchoolOwned, db.Model):
    """A value entered for a period: a whole year (term_id empty) or one term."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "year_id", "term_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[Optional[int]] = mapped_column(ForeignKey("term.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[Optional[str]] = mapped_column(Text)
    evidence: Mapped[Optional[str]] = mapped_column(Text)
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    year = relationship("AcademicYear")
    term = relationship("Term")
    entered_by = relationship("User")


class IndicatorTarget(SchoolOwned, db.Model):
    """The target and threshold that held in one academic year. Indicator.target is the one
    in force now; when it changes, every earlier year without a row keeps the old one here,
    so that last year's status stays what it was (services.monitoring.indicators.targets_of)."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    target: Mapped[Optional[float]] = mapped_column(Float)
    threshold: Mapped[Optional[float]] = mapped_column(Float)
