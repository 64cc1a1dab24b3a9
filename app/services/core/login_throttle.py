"""Failed-login throttling that slows a guesser without locking the owner out.

Every attempt is counted *before* its password is checked, with one atomic UPDATE on a row of
login_throttle that only succeeds while the row is not blocked, committed on its own
connection. So 40 parallel wrong logins against 4 workers check at most LOGIN_MAX_FAILURES
passwords (the old per-user counter, read and written in Python, checked all 40), and every
worker and process sees the same count.

Keys (HMAC-SHA256 with the app's secret, so the table holds no emails or addresses):
- ("pair", email, address): LOGIN_MAX_FAILURES free attempts, then one attempt per
  LOGIN_BACKOFF_SECONDS × 2^(n − free), at most LOGIN_BACKOFF_MAX_SECONDS (30 s, 60 s, … 15 min);
- ("account", email): the same from every address together, with LOGIN_ACCOUNT_MAX_FAILURES
  free attempts, against guessing from many addresses;
- ("device", nonce): a browser that logged in to this account before carries a signed device
  cookie (OWASP "device cookies"); its attempts are counted on its own key only, so a stranger
  who exhausts the account's and the school Wi-Fi's attempts never locks the owner out.
Missing accounts get the same keys and the same counting, a dummy password hash is checked
when no real one is, and every failure says the same thing: whether an account exists shows
neither in the answer nor in its timing. A counter idle for LOGIN_WINDOW_HOURS starts again.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, delete, insert, literal, or_, update

from app.extensions import db
from app.models import LoginThrottle
from app.services.core import clock

DEVICE_COOKIE = "sapat_device"
DEVICE_COOKIE_DAYS = 365


def _config(name: str, default):
    return current_app.config.get(name, default)


def _key(*parts: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "\x1f".join(("sapat-login", *parts)).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Rule:
    """`free` attempts, then one per base × 2^(n − free) seconds, capped."""

    free: int
    base: float
    cap: float

    def wait_after(self, failures: int) -> Optional[timedelta]:
        if failures < self.free:
            return None
        return timedelta(seconds=min(self.cap, self.base * 2 ** min(failures - self.free, 30)))


def rules() -> tuple[Rule, Rule]:
    """(the rule per account and address or device, the rule per account)."""
    cap = _config("LOGIN_BACKOFF_MAX_SECONDS", 900)
    base = _config("LOGIN_BACKOFF_SECONDS", 30)
    return (Rule(_config("LOGIN_MAX_FAILURES", 5), base, cap),
            Rule(_config("LOGIN_ACCOUNT_MAX_FAILURES", 20), base, cap))


def keys_for(email: str, address: Optional[str], device: Optional[str]) -> list[tuple[str, Rule]]:
    """The throttle keys of an attempt with their rules."""
    normal = email.strip().lower()
    pair_rule, account_rule = rules()
    if device:
        return [(_key("device", device), pair_rule)]
    return [(_key("pair", normal, address or "-"), pair_rule), (_key("account", normal), account_rule)]


def claim(keys: list[tuple[str, Rule]], now: Optional[datetime] = None) -> Optional[list[int]]:
    """Count one attempt on every key, atomically, unless one of them is blocked. Returns the
    attempt's number on each key, or None when the attempt must wait (then nothing is
    counted). Commits the session (call it before anything else is written)."""
    now = now or clock.now()
    stale = now - timedelta(hours=_config("LOGIN_WINDOW_HOURS", 24))
    table = LoginThrottle.__table__
    moment = table.c.blocked_until.type
    numbers = []
    for key, rule in keys:
        db.session.execute(_insert_missing(key, now))
        failures = case((table.c.updated_at < stale, literal(1)), else_=table.c.failures + 1)
        # The attempt that reaches `free` blocks the key until its outcome is known, so that
        # parallel attempts cannot all pass the count before any of them fails.
        blocked = case((failures >= rule.free, literal(now + timedelta(seconds=rule.cap), moment)),
                       else_=literal(None, moment))
        row = db.session.execute(
            update(table).where(table.c.key == key,
                                or_(table.c.blocked_until.is_(None), table.c.blocked_until <= now))
            .values(failures=failures, blocked_until=blocked, updated_at=now)
            .returning(table.c.failures)).first()
        if row is None:
            db.session.rollback()
            return None
        numbers.append(row[0])
    db.session.commit()
    return numbers


def _insert_missing(key: str, now: datetime):
    values = {"key": key, "failures": 0, "blocked_until": None, "updated_at": now}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(LoginThrottle.__table__).values(**values).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(LoginThrottle.__table__).values(**values).on_conflict_do_nothing()
    return insert(LoginThrottle.__table__).values(**values)


def settle(keys: list[tuple[str, Rule]], numbers: list[int], success: bool,
           now: Optional[datetime] = None) -> bool:
    """After the password check: forget the keys on success, else start each key's wait
    (a failure within the free attempts leaves the key as it is: a parallel attempt may have
    blocked it meanwhile). Returns True when this failure started a wait. Commits."""
    now = now or clock.now()
    table = LoginThrottle.__table__
    started = False
    for (key, rule), number in zip(keys, numbers):
        if success:
            db.session.execute(delete(table).where(table.c.key == key))
            continue
        wait = rule.wait_after(number)
        if wait is not None:
            started = started or number == rule.free
            db.session.execute(update(table).where(table.c.key == key).values(blocked_until=now + wait))
    db.session.commit()
    return started


# --- the device cookie -----------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sapat-device")


def new_device_token(user_id: int) -> str:
    return _serializer().dumps({"u": user_id, "n": secrets.token_urlsafe(16)})


def device_nonce(token: Optional[str], user_id: Optional[int]) -> Optional[str]:
    """The nonce of a device cookie signed by this server for this user, else None."""
    if not token or user_id is None:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or not isinstance(data.get("n"), str):
        return None
    return data["n"]
