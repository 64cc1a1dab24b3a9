"""Instruments: immutable versions of questionnaires and observation protocols.

A row is one published version of an instrument file (surveys/instruments/<key>.yaml): its
normalized definition (JSON) and a SHA-256 of that content. A changed definition becomes a new
row with the next version number; rows are never updated, so answers given to a version keep
their meaning. Instruments are shared by every school of the installation.
"""
from datetime import datetime
from functools import cached_property
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import AwareDateTime, one_of, utcnow
from surveys.kinds import KIND_NAMES
from surveys.schema import parse

INSTRUMENT_KINDS = KIND_NAMES  # the kinds of the instrument language (surveys/kinds.py)


class Instrument(db.Model):
    __tablename__ = "instrument"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "content_hash"),
        CheckConstraint(one_of("kind", INSTRUMENT_KINDS), name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))  # Kyrgyz title, for lists and logs
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column(JSON)
    source_file: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    @cached_property
    def spec(self):
        """The definition parsed into surveys.instrument.Instrument (the version stored in the row)."""
        data = dict(self.definition)
        data["version"] = self.version
        return parse(data)

    def title_in(self, lang: str) -> str:
        return self.spec.title.pick(lang)

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
