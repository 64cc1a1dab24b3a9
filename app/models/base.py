"""Shared column helpers for Sapat models."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

DEFAULT_TZ = "Asia/Bishkek"  # a school's time zone unless it sets another (School.timezone)


def utcnow() -> datetime:
    """The system clock, aware, in UTC: the only read of it (app.services.core.clock.now)."""
    return datetime.now(timezone.utc)


class AwareDateTime(TypeDecorator):
    """A datetime stored in UTC and read back time-zone aware on every database (SQLite keeps
    no zone: its values come back naive and are UTC). A naive value written is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class SchoolOwned:
    """Mixin for every table that belongs to one school: queries filter on school_id."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def school(cls):
        return relationship("School")


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


def one_of(column: str, values) -> str:
    """The SQL of a CHECK constraint keeping `column` among `values`: "kind IN ('a', 'b')"."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
