"""The monitoring programme's part of the first screen:

- cyclogram items due this month and overdue (`planning.effective_status`): every item for the
  planners (director, deputies), else the items the person is responsible for;
- indicators below their target this year (`indicators.evaluate`), for the dashboard's readers;
- overdue measures within what `measures.rows` lets the person see, and the open measures they
  are responsible for.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear
from app.models.monitoring.measures import OPEN_STATUSES, Measure
from app.models.monitoring.planning import Cyclogram, CyclogramItem
from app.security import Principal
from app.services.core import clock
from app.services.core.today import Item
from app.services.monitoring import indicators, measures, planning


def _month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def cyclogram(principal: Principal, year: AcademicYear) -> list[Item]:
    today = clock.today(clock.school_zone(principal.school_id))
    first, following = _month(today)
    stmt = (select(CyclogramItem).join(Cyclogram).where(
        CyclogramItem.school_id == principal.school_id, Cyclogram.year_id == year.id,
        CyclogramItem.status != "done", CyclogramItem.due_on < following))
    planner = principal.has_role(*planning.PLANNERS)
    if not planner:
        stmt = stmt.where(CyclogramItem.responsible_id == principal.user_id)
    due = overdue = 0
    for item in db.session.scalars(stmt):
        status = planning.effective_status(item, today)
        overdue += status == "overdue"
        due += status in ("planned", "in_progress") and item.due_on >= first
    page = ("planning.cyclogram" if planner else "planning.my_tasks", {"year_id": year.id})
    items = []
    if overdue:
        items.append(Item("cyclogram_overdue", _("Cyclogram items overdue") if planner else
                          _("My monitoring tasks overdue"), overdue, *page, alert=True))
    if due:
        items.append(Item("cyclogram_due", _("Cyclogram items due this month") if planner else
                          _("My monitoring tasks due this month"), due, *page))
    return items


def below_target(principal: Principal, year: AcademicYear) -> list[Item]:
    if not principal.has_role(*indicators.READERS):
        return []
    rows = indicators.evaluate(principal.school_id, year)
    below = [row for row in rows if row.status in ("warn", "bad")]
    if not below:
        return []
    bad = sum(1 for row in below if row.status == "bad")
    return [Item("indicators_below", _("Indicators below target"), len(below), "monitoring.dashboard",
                 {"year_id": year.id}, _("%(n)s of them below the threshold", n=bad), alert=bool(bad))]


def open_measures(principal: Principal, year: AcademicYear) -> list[Item]:
    today = clock.today(clock.school_zone(principal.school_id))
    scope = measures.rows(principal)
    late = select(func.count(Measure.id)).where(Measure.school_id == principal.school_id,
                                               Measure.status.in_(OPEN_STATUSES), Measure.due_on < today)
    if scope is not None:
        late = late.where(scope.clause())
    n_late = db.session.scalar(late)
    mine = db.session.scalar(select(func.count(Measure.id)).where(
        Measure.school_id == principal.school_id, Measure.status.in_(OPEN_STATUSES),
        Measure.responsible_id == principal.user_id, Measure.due_on >= today))
    items = []
    if n_late:
        items.append(Item("measures_overdue", _("Overdue measures"), n_late, "measures.index", alert=True))
    if mine:
        items.append(Item("measures_mine", _("Measures assigned to me"), mine, "measures.index"))
    return items
