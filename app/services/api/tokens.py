"""Tokens of the read API: made, listed and revoked by their owner, and resolved to a scope.

A token is `sapat_` + 40 random URL-safe characters (secrets.token_urlsafe(30), 240 bits); only
its SHA-256 (hex) and its first 12 characters are stored, so the token is shown once, when it is
made. Who may hold one: a school's director or deputy (scope: their school) and a district's
staff (scope: the district's schools). Making and revoking are audited; using a token sets its
`last_used_at` (at most once a minute, so that reading stays cheap).

Every token expires: its owner chooses its lifetime when making it (LIFETIMES days, default
DEFAULT_LIFETIME) and `expires_at` = made + lifetime is the first instant it opens nothing (read
on app.services.core.clock). An expired token is refused like an unknown one but says why
(Refused.reason "expired"); a revoked one stays revoked; neither counts among the active tokens.

Errors: `TokenError` (a translated message) for a bad name or lifetime or too many active tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import DISTRICT_ROLES, ApiToken, User
from app.services.core import clock
from app.services.core.audit import record as audit_record
from app.services.core.audit import snapshot
from app.services.core.text import is_db_id
from app.services.district import access as district_access

PREFIX = "sapat_"
SCHOOL_HOLDERS = ("admin", "deputy")
HOLDERS = SCHOOL_HOLDERS + DISTRICT_ROLES
MAX_ACTIVE = 10  # active tokens per user
NAME_LENGTH = 80
TOUCH_EVERY = timedelta(minutes=1)
LIFETIMES = (30, 90, 365)  # days a token may be made for
DEFAULT_LIFETIME = 90
ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


class TokenError(ValueError):
    """A refused request to make or revoke a token; str() is the translated message."""


@dataclass(frozen=True)
class Scope:
    """What a token may read: `kind` "school" (one school) or "district" (its schools),
    `school_ids` the schools in it (by name), the token's and its owner's ids."""

    kind: str
    school_ids: tuple[int, ...]
    district_id: Optional[int]
    user_id: int
    token_id: int

    def has(self, school_id: Optional[int]) -> bool:
        return school_id in self.school_ids


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def may_hold(user: User) -> bool:
    """True when the user may make and use tokens (see the module's docstring)."""
    if not user.is_active:
        return False
    if user.school_id is not None:
        return user.has_role(*SCHOOL_HOLDERS)
    return user.district_id is not None and user.has_role(*DISTRICT_ROLES)


def state(row: ApiToken, now: Optional[datetime] = None) -> str:
    """REVOKED, EXPIRED (from its expires_at on) or ACTIVE."""
    if row.revoked_at is not None:
        return REVOKED
    return EXPIRED if row.expires_at <= (now or clock.now()) else ACTIVE


def tokens_of(user_id: int) -> list[tuple[ApiToken, str]]:
    """The user's tokens with their state: active first, then expired, then revoked; newest first."""
    now = clock.now()
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(
        ApiToken.revoked_at.is_not(None), ApiToken.expires_at <= now, ApiToken.created_at.desc(),
        ApiToken.id.desc()))
    return [(row, state(row, now)) for row in rows]


def create(user: User, name: str, *, days: int = DEFAULT_LIFETIME,
           remote_addr: Optional[str] = None) -> tuple[ApiToken, str]:
    """A new token of `user` named `name`, valid for `days` (one of LIFETIMES) from now (flushed
    and audited): (the row, the token in clear, to be shown once)."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise TokenError(_("Give the token a name of at most %(n)d characters.", n=NAME_LENGTH))
    if type(days) is not int or days not in LIFETIMES:
        raise TokenError(lifetime_message())
    if not may_hold(user):
        raise TokenError(_("Your role may not hold API tokens."))
    now = clock.now()
    active = db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)) or 0
    if active >= MAX_ACTIVE:
        raise TokenError(_("You have %(n)d active tokens: revoke one first.", n=active))
    secret = PREFIX + secrets.token_urlsafe(30)
    row = ApiToken(user_id=user.id, name=name, prefix=secret[:12], token_hash=digest(secret), created_at=now,
                   expires_at=now + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    audit_record("create", "api_token", row.id, school_id=user.school_id, user_id=user.id, remote_addr=remote_addr,
                 after=snapshot(row, exclude=("token_hash",)))
    return row, secret


def revoke(user: User, token_id: Optional[int], *, remote_addr: Optional[str] = None) -> Optional[ApiToken]:
    """Revoke one of the user's own tokens (flushed and audited); None when it is not theirs
    (or does not exist); an already revoked token is left as it is."""
    if not is_db_id(token_id):
        return None
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return None
    if row.revoked_at is None:
        before = snapshot(row, exclude=("token_hash",))
        row.revoked_at = clock.now()
        db.session.flush()
        audit_record("revoke", "api_token", row.id, school_id=user.school_id, user_id=user.id,
                     remote_addr=remote_addr, before=before, after=snapshot(row, exclude=("token_hash",)))
    return row


def lifetime_message() -> str:
    return _("Choose how long the token stays valid: %(values)s days.", values=", ".join(map(str, LIFETIMES)))


class Refused(Exception):
    """A request the API refuses: `status` 401 (no valid token) or 403 (its owner may no
    longer read through the API); `reason` EXPIRED when the token was valid until now."""

    def __init__(self, status: int, reason: Optional[str] = None):
        super().__init__(status, reason)
        self.status = status
        self.reason = reason


def authenticate(header: Optional[str]) -> Scope:
    """The scope of the bearer token in an Authorization header; raises Refused(401) for a
    missing, malformed, unknown or revoked token or an inactive owner, Refused(401, EXPIRED)
    for an expired one, Refused(403) when the owner's role no longer allows the API. The token
    is found by one query on its hash (unique index); its expiry is read on that row. Touches
    `last_used_at` (see TOUCH_EVERY)."""
    scheme, _sep, secret = (header or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX) or len(secret) > 100:
        raise Refused(401)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        raise Refused(401)
    now = clock.now()
    if row.expires_at <= now:
        raise Refused(401, EXPIRED)
    user = row.user
    if not may_hold(user):
        raise Refused(403)
    token_id, user_id, school_id, district_id = row.id, user.id, user.school_id, user.district_id
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()  # the ids were read before: no row is loaded again after it
    if school_id is not None:
        return Scope("school", (school_id,), None, user_id, token_id)
    ids = tuple(s.id for s in district_access.schools(district_id))
    return Scope("district", ids, district_id, user_id, token_id)
