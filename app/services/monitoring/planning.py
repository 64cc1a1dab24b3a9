"""The annual monitoring cyclogram: default items from the regulations, derived statuses,
the months × directions grid, "my tasks", approval and copying to the next year."""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.features import installed
from app.models import AcademicYear, User, UserRole
from app.models.monitoring.indicators import Indicator, IndicatorValue
from app.models.monitoring.planning import Cyclogram, CyclogramItem, Interview
from app.services.core import clock
from app.services.core.audit import record as audit_record
from app.services.core.audit import snapshot
from app.services.monitoring import catalogue

DEFAULT_FILE = Path(__file__).with_name("cyclogram.yaml")
ACADEMIC_MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)

# Who plans the cyclogram (adds, edits, deletes and copies items; anyone's item status).
PLANNERS = ("admin", "deputy")


class PlanningError(ValueError):
    pass


def due_window(year: AcademicYear) -> tuple[date, date]:
    """The dates an item of the year may be due: from the year's first day to 31 August after
    its last (the summer closes the year's reports)."""
    return year.starts_on, date(year.ends_on.year, 8, 31)


def may_set_status(principal, item: CyclogramItem) -> bool:
    """An item's progress is marked by its responsible person or a planner."""
    return item.responsible_id == principal.user_id or principal.has_role(*PLANNERS)


def mark_status(item: CyclogramItem, status: str, today: Optional[date] = None) -> None:
    """Set an item's marked status: a done item keeps the day it was done (today when it
    becomes done); an item not done has no such day."""
    item.status = status
    item.done_on = (item.done_on or today or clock.today(clock.school_zone(item.school_id))) if status == "done" else None


@lru_cache(maxsize=1)
def default_items() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))["items"])


@lru_cache(maxsize=1)
def _default_texts() -> dict[str, dict]:
    """Every language's text of the default items' objects and documents -> all its languages."""
    found = {}
    for raw in default_items():
        for field in ("object", "document"):
            for text in raw[field].values():
                found[text] = raw[field]
    return found


def plan_text(text: Optional[str], lang: str) -> str:
    """An item's object or document in the page's language when it is one of the default
    cyclogram's (stored in the language the cyclogram was made in); the school's own text as is."""
    if not text:
        return text or ""
    texts = _default_texts().get(text)
    return (texts.get(lang) or text) if texts else text


def indicator_names(school_id: int, lang: str) -> dict[str, str]:
    """Indicator key -> its name in `lang`, for the items' linked indicators: the school's
    own names, else the shipped catalogue's (a key is never shown as such)."""
    names = {item["key"]: item["name"][lang] for item in catalogue.shipped()}
    names.update({ind.key: ind.name_in(lang) for ind in db.session.scalars(
        select(Indicator).where(Indicator.school_id == school_id))})
    return names


def month_date(year: AcademicYear, month: int, day: int) -> date:
    """A date of the academic year: September-December fall in its first calendar year."""
    calendar_year = year.starts_on.year if month >= year.starts_on.month else year.starts_on.year + 1
    while True:
        try:
            return date(calendar_year, month, day)
        except ValueError:
            day -= 1


def months_of(item: CyclogramItem) -> list[int]:
    """The calendar months an item spans, in academic order (9..12, 1..8)."""
    start, end = ACADEMIC_MONTHS.index(item.month_from), ACADEMIC_MONTHS.index(item.month_to)
    if end < start:
        end = start
    return list(ACADEMIC_MONTHS[start:end + 1])


def get_cyclogram(school_id: int, year_id: int, create: bool = False) -> Optional[Cyclogram]:
    cyc = db.session.scalar(select(Cyclogram).where(Cyclogram.school_id == school_id, Cyclogram.year_id == year_id))
    if cyc is None and create:
        cyc = Cyclogram(school_id=school_id, year_id=year_id)
        db.session.add(cyc)
        db.session.flush()
    return cyc


def _first_user_with_role(school_id: int, role: str) -> Optional[int]:
    return db.session.scalar(select(User.id).join(UserRole).where(
        User.school_id == school_id, User.active.is_(True), UserRole.role == role).order_by(User.id).limit(1))


def create_default(school_id: int, year: AcademicYear, lang: str = "ky") -> Cyclogram:
    """Fill an empty cyclogram of the year with the default items of the regulations."""
    cyc = get_cyclogram(school_id, year.id, create=True)
    if cyc.items:
        raise PlanningError("not_empty")
    for raw in default_items():
        db.session.add(CyclogramItem(
            school_id=school_id, cyclogram=cyc, month_from=raw["months"][0], month_to=raw["months"][1],
            object=raw["object"].get(lang) or raw["object"]["ru"], direction=raw["direction"],
            indicator_keys=" ".join(raw.get("indicators", [])), method=raw["method"], form=raw["form"],
            responsible_id=_first_user_with_role(school_id, raw["responsible"]),
            due_on=month_date(year, *raw["due"]), document=raw["document"].get(lang) or raw["document"]["ru"],
        ))
    db.session.flush()
    return cyc


def _manual_values_state(item: CyclogramItem, year: AcademicYear) -> Optional[str]:
    """Manual indicators linked to the item: all entered for the year -> done, some -> in progress."""
    keys = item.keys
    if not keys:
        return None
    manual = db.session.execute(select(Indicator.id).where(
        Indicator.school_id == item.school_id, Indicator.key.in_(keys), Indicator.source == "manual")).scalars().all()
    if not manual:
        return None
    entered = db.session.scalar(select(func.count(func.distinct(IndicatorValue.indicator_id))).where(
        IndicatorValue.indicator_id.in_(manual), IndicatorValue.year_id == year.id)) or 0
    if entered == len(manual):
        return "done"
    return "in_progress" if entered else None


def _interviews_state(item: CyclogramItem, year: AcademicYear) -> Optional[str]:
    if item.method != "interview":
        return None
    n = db.session.scalar(select(func.count(Interview.id)).where(Interview.item_id == item.id)) or 0
    return "in_progress" if n else None


def item_window(item: CyclogramItem, year: AcademicYear) -> tuple[date, date]:
    """The first and last day of the item's months in its academic year."""
    months = months_of(item)
    return month_date(year, months[0], 1), month_date(year, months[-1], 31)


# The status rules of this domain: (item, year) -> "done" | "in_progress" | None from linked
# data. Other domains declare theirs in their features (a closed campaign, observations in the
# item's months ...); effective_status asks every installed feature's rules.
DERIVERS = (_manual_values_state, _interviews_state)


def effective_status(item: CyclogramItem, today: Optional[date] = None) -> str:
    """planned | in_progress | done | overdue: what was marked, corrected by the linked data;
    an item not done after its due date is overdue."""
    today = today or clock.today(clock.school_zone(item.school_id))
    if item.status == "done":
        return "done"
    year = item.cyclogram.year
    derived = [d(item, year) for d in installed().derivers]
    if "done" in derived:
        return "done"
    if item.due_on < today:
        return "overdue"
    if item.status == "in_progress" or "in_progress" in derived:
        return "in_progress"
    return "planned"


@dataclass
class ItemView:
    item: CyclogramItem
    status: str


def items_with_status(school_id: int, year_id: int, today: Optional[date] = None, responsible_id: Optional[int] = None,
                      direction: Optional[int] = None, only: Optional[str] = None) -> list[ItemView]:
    stmt = select(CyclogramItem).join(Cyclogram).where(CyclogramItem.school_id == school_id,
                                                       Cyclogram.year_id == year_id)
    if responsible_id:
        stmt = stmt.where(CyclogramItem.responsible_id == responsible_id)
    if direction:
        stmt = stmt.where(CyclogramItem.direction == direction)
    rows = [ItemView(i, effective_status(i, today)) for i in db.session.scalars(
        stmt.order_by(CyclogramItem.due_on, CyclogramItem.id))]
    return [r for r in rows if only is None or r.status == only]


def overdue(school_id: int, year_id: int, today: Optional[date] = None) -> list[ItemView]:
    return items_with_status(school_id, year_id, today, only="overdue")


def grid(views: list[ItemView]) -> dict[tuple[int, int], list[ItemView]]:
    """(month, direction) -> items spanning that month."""
    cells: dict[tuple[int, int], list[ItemView]] = {}
    for view in views:
        for month in months_of(view.item):
            cells.setdefault((month, view.item.direction), []).append(view)
    return cells


def approve(cyc: Cyclogram, order_number: str, order_date: date, user_id: int, remote_addr=None) -> None:
    before = snapshot(cyc)
    cyc.order_number, cyc.order_date = order_number, order_date
    cyc.approved_by_id, cyc.approved_at = user_id, clock.now()
    db.session.flush()
    audit_record("approve", "cyclogram", cyc.id, school_id=cyc.school_id, user_id=user_id, before=before,
                 after=snapshot(cyc), remote_addr=remote_addr)


def copy_to_year(school_id: int, source_year: AcademicYear, target_year: AcademicYear) -> Cyclogram:
    """Copy every item of one year's cyclogram to another year (dates moved, statuses reset,
    not approved). The target must have no items yet."""
    source = get_cyclogram(school_id, source_year.id)
    if source is None or not source.items:
        raise PlanningError("empty_source")
    if source_year.id == target_year.id:
        raise PlanningError("same_year")
    target = get_cyclogram(school_id, target_year.id, create=True)
    if target.items:
        raise PlanningError("not_empty")
    for item in source.items:
        db.session.add(CyclogramItem(
            school_id=school_id, cyclogram=target, month_from=item.month_from, month_to=item.month_to,
            object=item.object, direction=item.direction, indicator_keys=item.indicator_keys,
            instrument=item.instrument, method=item.method, form=item.form, responsible_id=item.responsible_id,
            due_on=month_date(target_year, item.due_on.month, item.due_on.day), document=item.document,
            status="planned",
        ))
    db.session.flush()
    return target
