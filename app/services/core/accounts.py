"""Accounts: authentication with lockout, user creation. No request objects here."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import ROLES, School, User
from app.services.core import audit


@dataclass
class LoginResult:
    user: Optional[User]
    locked: bool = False


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    if moment is not None and moment.tzinfo is None:  # SQLite returns naive datetimes
        return moment.replace(tzinfo=timezone.utc)
    return moment


def find_user(email: str) -> Optional[User]:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str, *, max_failures: int, lockout_minutes: int,
                 remote_addr: Optional[str] = None) -> LoginResult:
    """Check a password; after `max_failures` wrong ones the account locks for a while.

    A locked account answers "locked" even to the right password, so guessing stays useless.
    """
    user = find_user(email)
    now = datetime.now(timezone.utc)
    if user is None or not user.active:
        return LoginResult(None)
    locked_until = _aware(user.locked_until)
    if locked_until and locked_until > now:
        return LoginResult(None, locked=True)
    if not user.check_password(password):
        user.failed_logins = (user.failed_logins or 0) + 1
        locked = user.failed_logins >= max_failures
        if locked:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
            audit.record("lockout", "user", user.id, school_id=user.school_id, user_id=user.id,
                         remote_addr=remote_addr)
        db.session.commit()
        return LoginResult(None, locked=locked)
    user.failed_logins = 0
    user.locked_until = None
    audit.record("login", "user", user.id, school_id=user.school_id, user_id=user.id,
                 remote_addr=remote_addr)
    db.session.commit()
    return LoginResult(user)


class AccountError(ValueError):
    """A user-facing problem with account data; the message is already translated."""


def create_user(email: str, *, roles, full_name: str, password: str, school: School,
                locale: str = "ky") -> User:
    from flask_babel import gettext as _

    bad = set(roles) - set(ROLES)
    if bad:
        raise AccountError(_("Unknown role: %(role)s. Known roles: %(roles)s",
                             role=", ".join(sorted(bad)), roles=", ".join(ROLES)))
    if find_user(email):
        raise AccountError(_("A user with the email %(email)s already exists.", email=email))
    if len(password) < 8:
        raise AccountError(_("The password must be at least 8 characters long."))
    user = User(email=email.strip().lower(), full_name=full_name, school=school, locale=locale,
                password_hash="")
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, school_id=school.id, user_id=None,
                 after={"email": user.email, "roles": sorted(user.roles)})
    return user
