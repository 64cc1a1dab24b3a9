"""The read API's tokens: a named token of one user (a school's director or deputy, or a
district's staff), kept only as its SHA-256 hash; its scope is its owner's school or district;
it opens nothing from its `expires_at` on (app/services/api/tokens.py)."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import AwareDateTime, Timestamped
from app.models.people import User


class ApiToken(Timestamped, db.Model):
    """A bearer token of the read API (`Authorization: Bearer sapat_...`). `token_hash` is the
    SHA-256 of the whole token (hex); `prefix` its first characters, shown to tell tokens apart.
    `expires_at` (never null: set when it is made, 30, 90 or 365 days on) is the first instant
    it opens nothing. Revoked tokens (revoked_at set) and expired ones are kept for the audit trail."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    last_used_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    user: Mapped[User] = relationship()
