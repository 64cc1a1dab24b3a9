"""The district's rating of its schools on indicators it chooses, with weights it sets.

Each component is an indicator of the shipped catalogue, evaluated per school for the year as the
school's own monitoring pages evaluate it (value and n). A component's score is the school's
value min-max normalised over the district's schools that have one (0 the worst, 100 the best,
reversed for indicators where lower is better; 100 for all when every school has the same value;
the OECD/JRC Handbook on Constructing Composite Indicators, 2008, §5). A school's rating is the
weighted mean of its component scores; a school lacking a component has no rating (it is listed
with what is missing), never a rating on fewer components than the others. Pages show every
component with its value, n, score and weight next to the rating."""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.models import RatingWeight, School
from app.services.core.audit import record as audit_record
from app.services.district import figures


class RatingError(ValueError):
    """A refused choice of components (the message is translated)."""


@dataclass
class Component:
    key: str
    weight: float
    value: Optional[float]
    n: Optional[int]
    score: Optional[float]


@dataclass
class Rated:
    school: School
    components: list[Component] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [c.key for c in self.components if c.value is None]

    @property
    def score(self) -> Optional[float]:
        if not self.components or self.missing:
            return None
        total = sum(c.weight for c in self.components)
        return sum(c.weight * c.score for c in self.components) / total


def weights(district_id: int) -> list[RatingWeight]:
    return list(db.session.scalars(select(RatingWeight).where(RatingWeight.district_id == district_id)
                                   .order_by(RatingWeight.id)))


def set_weights(district_id: int, chosen: dict[str, float], *, user_id: Optional[int],
                remote_addr: Optional[str] = None) -> None:
    """Replace the district's components by `chosen` (indicator key -> weight > 0), audited."""
    from flask_babel import gettext as _

    known = {item["key"] for item in figures.catalogue()}
    for key, weight in chosen.items():
        if key not in known:
            raise RatingError(_("Unknown indicator: %(key)s", key=key))
        if not weight or weight <= 0 or weight > 100:
            raise RatingError(_("A weight is a number above 0 and at most 100."))
    before = {w.indicator_key: w.weight for w in weights(district_id)}
    for row in weights(district_id):
        if row.indicator_key not in chosen:
            db.session.delete(row)
        else:
            row.weight = chosen.pop(row.indicator_key)
    for key, weight in chosen.items():
        db.session.add(RatingWeight(district_id=district_id, indicator_key=key, weight=weight))
    db.session.flush()
    after = {w.indicator_key: w.weight for w in weights(district_id)}
    audit_record("update", "district.rating", district_id, school_id=None, user_id=user_id, before=before,
                 after=after, remote_addr=remote_addr)


def _normalise(values: dict[int, float], good: str) -> dict[int, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high == low:
        return {sid: 100.0 for sid in values}
    out = {sid: 100 * (v - low) / (high - low) for sid, v in values.items()}
    return {sid: 100 - s for sid, s in out.items()} if good == "lower" else out


def rating(district_id: int, schools: list[School], years: dict) -> list[Rated]:
    """Every school with its components; rated schools by rating (highest first), then the
    schools without a rating by name."""
    chosen = weights(district_id)
    keys = [w.indicator_key for w in chosen]
    rows = figures.indicator_rows(schools, years, keys)
    goods = {item["key"]: item["good"] for item in figures.catalogue()}
    rated = {school.id: Rated(school) for school in schools}
    for w in chosen:
        by_school = rows.get(w.indicator_key, {})
        values = {sid: row.value for sid, row in by_school.items() if row.value is not None}
        scores = _normalise(values, goods.get(w.indicator_key, "higher"))
        for school in schools:
            row = by_school.get(school.id)
            rated[school.id].components.append(Component(
                w.indicator_key, w.weight, row.value if row else None, row.n if row else None, scores.get(school.id)))
    out = list(rated.values())
    return sorted(out, key=lambda r: (r.score is None, -(r.score or 0), r.school.name))
