"""The dates Sapat keeps: from DATE_MIN to DATE_MAX (1900-01-01 to 2199-12-31), whichever way a
date comes in.

No school date lies outside these years, and dates at the edges of what Python and the databases
hold break later: 9999-12-31 is a valid date, but the day after it or its midnight in UTC is not
(a 500 once, in the audit log's filter), and the year 1 prints as "1" with %Y. Every way a date
enters is bounded here: the forms (forms.base.SapatForm), the spreadsheet imports
(xlsx_input.parse_date for marks and rosters, the class journal's headers) and the district's
packages (their made_at). Narrower rules stay where they belong: a mark within its term, a birth
date in the last 25 years.

- in_range(day): day (a date or a datetime's date) lies within DATE_RANGE.
- shown(day): day as 31.12.2026, the year always with four digits (01.01.0001, not 01.01.1).
- DateOutOfRange(day, value): a ValueError whose text says, translated, which date is refused
  (`value` as the user wrote it, else `shown(day)`) and the range; check(day, value) raises it.
"""
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _

DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)
DATE_RANGE = (DATE_MIN, DATE_MAX)


def in_range(day: date) -> bool:
    if isinstance(day, datetime):
        day = day.date()
    return DATE_MIN <= day <= DATE_MAX


def shown(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


class DateOutOfRange(ValueError):
    """A date outside DATE_RANGE; str() is the user's message."""

    def __init__(self, day: date, value: Optional[str] = None):
        self.day = day
        super().__init__(_("the date %(value)s lies outside %(min)s-%(max)s: check the year",
                           value=value or shown(day), min=shown(DATE_MIN), max=shown(DATE_MAX)))


def check(day: date, value: Optional[str] = None) -> date:
    """`day` when it lies within DATE_RANGE; else DateOutOfRange (`value`: the date as written)."""
    if not in_range(day):
        raise DateOutOfRange(day, value)
    return day
