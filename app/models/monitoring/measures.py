"""Measures (решения и мероприятия) and issued documents (monitoring regulation §2.19,
§4.1–4.2; issue 19 parts 1 and 5).

A Measure is what the school decided to do about a figure: what prompted it (an indicator
below its target, a line of a справка, an observation, a survey result, an at-risk student),
what is to be done, by whom and when, its status and evidence, and the indicator to re-check
at the next period. An IssuedDocument is a справка or the annual report as it was issued:
its number, date and author, its figures (JSON) and its rendered HTML, never recomputed.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, SchoolOwned, Timestamped, one_of, utcnow

SOURCES = ("indicator", "note", "observation", "survey", "student", "control_work")
STATUSES = ("planned", "in_progress", "done", "cancelled")
OPEN_STATUSES = ("planned", "in_progress")
DOCUMENT_KINDS = ("note", "report", "quarter", "mo")


class Measure(SchoolOwned, Timestamped, db.Model):
    """One measure of a year. `indicator_id` is the indicator to re-check; `value_before` its
    value (in the indicator's unit) when the measure was decided, for the period `term_id`
    (a quarter) or the whole year (empty)."""

    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[Optional[int]] = mapped_column(ForeignKey("term.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(12), default="indicator")
    source_ref: Mapped[Optional[str]] = mapped_column(String(300))  # the справка's line, the observation ...
    indicator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("indicator.id", ondelete="SET NULL"), index=True)
    value_before: Mapped[Optional[float]] = mapped_column(Float)
    action: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    done_on: Mapped[Optional[date]] = mapped_column(Date)
    evidence_note: Mapped[Optional[str]] = mapped_column(Text)
    evidence_ref: Mapped[Optional[str]] = mapped_column(String(300))  # a file's name or address
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    year = relationship("AcademicYear")
    term = relationship("Term")
    indicator = relationship("Indicator")
    responsible = relationship("User", foreign_keys=[responsible_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class IssuedDocument(SchoolOwned, db.Model):
    """A справка (kind "note", subject "indicator:<id>" or "direction:<n>"), the annual
    report (kind "report", subject "staff" or "parents") or the pedagogical council's quarter
    report (kind "quarter", subject "<term id>:school" or "<term id>:class:<id>") or a methodical
    association's annual report (kind "mo", subject "ma:<id>") of a year as issued: version 1, 2 ...
    of the same subject; `figures` is a list of {indicator_id, key, name, unit, value, n,
    previous, target, status}; `html` the rendered document."""

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("school_id", "year_id", "kind", "subject", "version"),
        CheckConstraint(one_of("kind", DOCUMENT_KINDS), name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200))  # as signed, kept if the account goes
    lang: Mapped[str] = mapped_column(String(5))
    figures: Mapped[list] = mapped_column(JSON)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    year = relationship("AcademicYear")
    author = relationship("User")


PUBLIC_STATUSES = ("published", "withdrawn")


class PublicReport(SchoolOwned, db.Model):
    """The school's public report page (issue 19 part 4): one row per school, made on first
    use, whose random `slug` is the page's stable address (/r/<slug>, printed as a QR code).
    While `status` is "published" the page shows version `version` of the year's issued
    public report (IssuedDocument kind "report", subject "public:<lang>", one per language);
    "withdrawn" answers 410. Without a row or a publication the address is a 404."""

    __tablename__ = "public_report"
    __table_args__ = (
        UniqueConstraint("school_id"),
        CheckConstraint(one_of("status", PUBLIC_STATUSES), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(24), unique=True)
    year_id: Mapped[Optional[int]] = mapped_column(ForeignKey("academic_year.id", ondelete="SET NULL"))
    version: Mapped[Optional[int]] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="withdrawn")
    changed_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    year = relationship("AcademicYear")
