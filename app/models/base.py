"""Shared column helpers for Sapat models."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SchoolOwned:
    """Mixin for every table that belongs to one school: queries filter on school_id."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def school(cls):
        return relationship("School")


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def one_of(column: str, values) -> str:
    """The SQL of a CHECK constraint keeping `column` among `values`: "kind IN ('a', 'b')"."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
