"""The school's clock: every "now" and "today" of Sapat comes from here.

Datetimes are stored in UTC and time-zone aware (app.models.base.AwareDateTime); what a user
sees or what decides something (campaign windows, submitted day, observation dates, due dates,
overdue lists, generated-at stamps, the audit log) is read on the school's wall clock, in the
zone of `School.timezone` (IANA name, default DEFAULT_TZ). A server running on UTC therefore
closes a campaign at midnight in Bishkek, not at 06:00 of the next day.

- now() -> aware datetime in UTC (the one call to the system clock, through models.base.utcnow)
- zone(school_or_name) -> ZoneInfo (a School, anything with .timezone, an IANA name or None)
- today(school) -> date on the school's wall clock
- local(dt, school) -> the aware datetime on the school's wall clock (naive values are UTC)
- school_zone(school_id) -> ZoneInfo of a school by id
"""
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.models.base import DEFAULT_TZ, utcnow


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def valid_zone(name: str) -> bool:
    """True when `name` is an IANA time zone this machine knows ("Asia/Bishkek")."""
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(school: Any = None) -> ZoneInfo:
    """The school's ZoneInfo: from a School (its .timezone), an IANA name, or DEFAULT_TZ."""
    name = school if isinstance(school, str) else getattr(school, "timezone", None)
    return _zone(name if name and valid_zone(name) else DEFAULT_TZ)


def school_zone(school_id: Optional[int]) -> ZoneInfo:
    """The ZoneInfo of the school with this id (DEFAULT_TZ when there is none)."""
    from app.extensions import db
    from app.models import School

    return zone(db.session.get(School, school_id) if school_id else None)


def now() -> datetime:
    """This instant, aware, in UTC."""
    return utcnow()


def local(value: Optional[datetime], school: Any = None) -> Optional[datetime]:
    """`value` on the school's wall clock (a naive value is read as UTC); None stays None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone(school))


def local_now(school: Any = None) -> datetime:
    """Now on the school's wall clock."""
    return now().astimezone(zone(school))


def today(school: Any = None) -> date:
    """Today's date on the school's wall clock (at 00:30 in Bishkek it is already the new day
    even where the server's clock, in UTC, still shows yesterday)."""
    return local_now(school).date()


def day_start(day: date, school: Any = None) -> datetime:
    """The UTC instant at which `day` begins on the school's wall clock."""
    return datetime.combine(day, datetime.min.time(), tzinfo=zone(school)).astimezone(timezone.utc)
