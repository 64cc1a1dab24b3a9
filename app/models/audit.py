"""The audit trail: who changed what, when, from where, with before/after values."""
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, utcnow


class AuditLog(db.Model):
    """Append-only: the application never updates or deletes these rows."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, login, import ...
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[Optional[str]] = mapped_column(String(60))
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, index=True)

    user = relationship("User")


class SpentToken(db.Model):
    """The once-only tokens of forms already sent (app/web/once.py): a second POST of the same
    page (refresh, double click, Back and send) finds its token here and changes nothing.
    Rows older than a token's life are deleted as new ones are spent."""

    __tablename__ = "spent_token"
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    spent_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, index=True)
