"""The first screen: what needs the signed-in person today, one line per thing with its count
and the page that deals with it.

Each feature declares its parts (`Feature.today`: functions `(principal, year) -> [Item]`,
ordered); every part asks its domain's access rules, so a line counts only rows the person may
open, and its link opens for them. Parts that have nothing to show return no line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from app.features import installed
from app.models import AcademicYear
from app.security import Principal


@dataclass(frozen=True)
class Item:
    """One line of the first screen: `count` things (`label`, translated), `detail` under it,
    a tap opens `endpoint` with `args`; `alert` marks what is late."""

    key: str  # stable name for tests and styling: "campaign", "overdue_measures" ...
    label: str
    count: int
    endpoint: str
    args: dict = field(default_factory=dict)
    detail: Optional[str] = None
    alert: bool = False


def first_screen(principal: Principal, year: Optional[AcademicYear]) -> list[Item]:
    """Every line the installed features give this person for the year (none without a year)."""
    if year is None:
        return []
    items: list[Item] = []
    for part in installed().sorted("today"):
        items.extend(part(principal, year))
    return items
