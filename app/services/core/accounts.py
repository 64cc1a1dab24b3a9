"""Accounts: authentication under the login throttle, password rules, user creation. No
request objects here."""
import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ROLES, School, User
from app.services.core import audit, passwords
from app.services.core import login_throttle as throttle
from app.services.core.passwords import password_problems
from app.services.core.text import fold_latin


@dataclass
class LoginResult:
    user: Optional[User]
    waiting: bool = False  # the attempt was not checked: too many recent failures (never shown apart)
    device_token: Optional[str] = None  # a new device cookie for the browser that just logged in


_DUMMY_HASH: dict[str, str] = {}  # hash method -> a hash of a random password


def _dummy_hash() -> str:
    """A hash of the same kind as real ones, checked when there is no real one to check, so
    that a missing account costs as much time as an existing one."""
    method = passwords.hash_method()
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASH[method]


def find_user(email: str) -> Optional[User]:
    """The account of an e-mail as typed: case, surrounding spaces and Cyrillic look-alike
    letters ("аdmin@" with a Cyrillic а) do not matter."""
    typed = email.strip().lower()
    return db.session.scalar(select(User).where(func.lower(User.email).in_({typed, fold_latin(typed).lower()}))
                             .order_by(func.lower(User.email) != typed, User.id).limit(1))


def authenticate(email: str, password: str, *, remote_addr: Optional[str] = None,
                 device_token: Optional[str] = None) -> LoginResult:
    """Check a password under the login throttle (services/core/login_throttle.py).

    The attempt is counted first; a waiting attempt is not checked at all. One password hash
    is always checked (a dummy one for missing or inactive accounts and waiting attempts), so
    existing and missing accounts take the same time and get the same answer.
    """
    user = find_user(email)
    nonce = throttle.device_nonce(device_token, user.id if user else None)
    keys = throttle.keys_for(email, remote_addr, nonce)
    numbers = throttle.claim(keys)
    if numbers is None:
        check_password_hash(_dummy_hash(), password)
        return LoginResult(None, waiting=True)
    real = user is not None and user.active
    ok = check_password_hash(user.password_hash if real else _dummy_hash(), password) and real
    started = throttle.settle(keys, numbers, ok)
    if not ok:
        if started and user is not None:
            audit.record("lockout", "user", user.id, school_id=user.school_id, user_id=user.id,
                         remote_addr=remote_addr)
            db.session.commit()
        return LoginResult(None)
    audit.record("login", "user", user.id, school_id=user.school_id, user_id=user.id,
                 remote_addr=remote_addr)
    db.session.commit()
    return LoginResult(user, device_token=device_token if nonce else throttle.new_device_token(user.id))


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
    problems = password_problems(password, [email, full_name, school.name])
    if problems:
        raise AccountError(problems[0])
    user = User(email=fold_latin(email.strip()).lower(), full_name=full_name, school=school, locale=locale,
                password_hash="")
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, school_id=school.id, user_id=None,
                 after={"email": user.email, "roles": sorted(user.roles)})
    return user
