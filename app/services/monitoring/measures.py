"""The register of measures (решения и мероприятия, monitoring regulation §2.19, §4.1–4.2):
who sees and changes which measures, statuses, overdue measures, the measures taken on a
document's figures, and the re-check of a measure's indicator at the next period.

Who (README, "Decisions: measures and issued documents"):
- the director and the deputies create, assign, edit and delete measures, and see all;
- experts see all; an MO head sees the measures assigned to the teachers of their
  association and their own; everyone else sees the measures assigned to them;
- the responsible person (and the director and deputies) sets the status and the evidence.
"""
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from sqlalchemy import select, union

from app.extensions import db
from app.models import AcademicYear, School, Term, User
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import OPEN_STATUSES, Measure
from app.security import Principal, RowScope
from app.services.core import clock
from app.services.core import school as school_service
from app.services.monitoring.indicators import status, value_at

MANAGERS = ("admin", "deputy")
SEE_ALL = ("admin", "deputy", "expert")


def rows(principal: Principal, write: bool = False) -> Optional[RowScope]:
    """The measures a principal may see (write=False) or change (write=True) when not all of
    the school's (None: all). Writing is for MANAGERS, who change any."""
    if principal.has_role(*(MANAGERS if write else SEE_ALL)):
        return None
    own = select(User.id).where(User.id == principal.user_id)
    if principal.has_role("mo_head") and not write:
        return RowScope(Measure.responsible_id, union(school_service.ma_teachers(principal.user_id), own))
    return RowScope(Measure.responsible_id, own)


def may_set_status(principal: Principal, measure: Measure) -> bool:
    """A measure's status and evidence are set by its responsible person or a manager."""
    return principal.has_role(*MANAGERS) or (measure.responsible_id is not None
                                             and measure.responsible_id == principal.user_id)


def mark_status(measure: Measure, new_status: str, today: Optional[date] = None) -> None:
    """A done measure keeps the day it was done (today when it becomes done)."""
    measure.status = new_status
    measure.done_on = (measure.done_on or today or clock.today(measure.school)) if new_status == "done" else None


def overdue(school_id: int, today: Optional[date] = None, scope: Optional[RowScope] = None) -> list[Measure]:
    """Measures planned or in progress whose deadline has passed, oldest deadline first."""
    stmt = select(Measure).where(Measure.school_id == school_id, Measure.status.in_(OPEN_STATUSES),
                                 Measure.due_on < (today or clock.today(db.session.get(School, school_id))))
    if scope is not None:
        stmt = stmt.where(scope.clause())
    return list(db.session.scalars(stmt.order_by(Measure.due_on, Measure.id)))


def taken_on(school_id: int, year_id: int, indicator_ids: Iterable[int]) -> list[Measure]:
    """The measures of a year on the given indicators (a справка's or report's figures), by
    indicator and deadline."""
    ids = list(indicator_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Measure).where(
        Measure.school_id == school_id, Measure.year_id == year_id, Measure.indicator_id.in_(ids))
        .order_by(Measure.indicator_id, Measure.due_on, Measure.id)))


def of_year(school_id: int, year_id: int) -> list[Measure]:
    return list(db.session.scalars(select(Measure).where(Measure.school_id == school_id, Measure.year_id == year_id)
                                   .order_by(Measure.due_on, Measure.id)))


def next_period(measure: Measure) -> Optional[tuple[AcademicYear, Optional[Term]]]:
    """The period at which a measure's indicator is re-checked: the quarter after its quarter
    (measures of a quarter), else the next academic year; None when that period does not
    exist yet in the school's calendar."""
    if measure.term_id is not None and measure.term is not None:
        term = db.session.scalar(select(Term).where(
            Term.school_id == measure.school_id, Term.kind == "quarter", Term.starts_on > measure.term.starts_on)
            .order_by(Term.starts_on).limit(1))
        return (term.year, term) if term is not None else None
    year = db.session.scalar(select(AcademicYear).where(
        AcademicYear.school_id == measure.school_id, AcademicYear.starts_on > measure.year.starts_on)
        .order_by(AcademicYear.starts_on).limit(1))
    return (year, None) if year is not None else None


@dataclass
class Recheck:
    """The re-checked value of a measure's indicator at the next period (`label`: the year's
    or quarter's name): `value` (None: no value yet), its status against the target, and
    `helped`: True when it is better than `value_before`, False when not, None unknown."""

    label: str
    value: Optional[float]
    status: str
    helped: Optional[bool]


def recheck(measure: Measure) -> Optional[Recheck]:
    """The value of the measure's indicator at the next period (next_period), or None when
    there is no indicator or no next period yet."""
    indicator: Optional[Indicator] = measure.indicator
    if indicator is None:
        return None
    found = next_period(measure)
    if found is None:
        return None
    year, term = found
    value = value_at(indicator, year, term)
    helped = None
    if value is not None and measure.value_before is not None and value != measure.value_before:
        helped = value > measure.value_before if indicator.good == "higher" else value < measure.value_before
    return Recheck(term.label if term else year.name, value,
                   status(value, indicator.target, indicator.threshold, indicator.good), helped)
