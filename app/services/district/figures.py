"""The district's other figures per school: indicator values with their targets, survey indices
(as the school's own results publish them: `surveys.disclosure` per school and per class) and
measures overdue. Reading changes nothing in a school: a school that has no copy of a shipped
indicator yet is evaluated on an unsaved copy."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import School
from app.models.monitoring.indicators import Indicator
from app.models.monitoring.measures import OPEN_STATUSES, Measure
from app.services.core import clock
from app.services.monitoring import indicators as indicator_service
from app.services.monitoring import measures as measure_service
from app.services.monitoring.calculators import Period
from app.services.monitoring.catalogue import _columns, shipped
from app.services.surveys import disclosure, results
from app.services.surveys.monitoring import SURVEY_INDICATORS, latest_campaign


def catalogue(direction: Optional[int] = None) -> list[dict]:
    """The shipped indicators (the ones every school has), in catalogue order."""
    return [item for item in shipped() if direction is None or item["direction"] == direction]


def school_indicators(school_id: int, keys: list[str]) -> list[Indicator]:
    """The school's copies of the indicators with these keys, an unsaved copy for any it lacks."""
    own = {i.key: i for i in db.session.scalars(select(Indicator).where(
        Indicator.school_id == school_id, Indicator.key.in_(keys)))}
    items = {item["key"]: item for item in shipped()}
    out = []
    for key in keys:
        if key in own:
            out.append(own[key])
        elif key in items:
            item = items[key]
            out.append(Indicator(school_id=school_id, target=item.get("target"), threshold=item.get("threshold"),
                                 active=True, **_columns(item)))
    return out


def indicator_rows(schools: list[School], years: dict, keys: list[str]) -> dict[str, dict[int, indicator_service.Row]]:
    """key -> school id -> the indicator's Row (value, n, target, status) for the school's year
    of the district's year name (`years`: school id -> AcademicYear or None)."""
    out: dict[str, dict[int, indicator_service.Row]] = {key: {} for key in keys}
    for school in schools:
        year = years.get(school.id)
        if year is None:
            continue
        items = school_indicators(school.id, keys)
        with db.session.no_autoflush:
            for row in indicator_service.evaluate(school.id, year, items=items):
                out[row.indicator.key][school.id] = row
    return out


@dataclass
class SurveyFigure:
    campaign: object  # Campaign or None
    shown: bool  # figures may be published (closed, enough respondents)
    respondents: Optional[int]  # None while open
    index: Optional[float]  # the mean of the scale indices, as published
    hidden_classes: int  # classes whose figures disclosure hides


def survey_rows(schools: list[School], years: dict) -> dict[str, dict[int, SurveyFigure]]:
    """indicator key (parent_satisfaction, ...) -> school id -> the year's latest campaign."""
    out: dict[str, dict[int, SurveyFigure]] = {key: {} for key in SURVEY_INDICATORS}
    for school in schools:
        year = years.get(school.id)
        if year is None:
            continue
        for key, instrument in SURVEY_INDICATORS.items():
            campaign = latest_campaign(school.id, instrument, Period.of_year(year))
            if campaign is None:
                continue
            released = disclosure.released(campaign)
            respondents = results.respondents_of(campaign.id)
            shown = released and not disclosure.below_minimum(respondents, campaign.min_group_size)
            _scales, classes = results.scale_indices(campaign)
            index = None
            if shown:
                from_school = [s for s in _scales.values() if s["index"] is not None]
                index = sum(s["index"] for s in from_school) / len(from_school) if from_school else None
            out[key][school.id] = SurveyFigure(campaign, shown, respondents if released else None, index,
                                               sum(1 for c in classes if c["suppressed"]) if shown else 0)
    return out


@dataclass
class MeasureFigure:
    overdue: int
    open: int  # the n: measures planned or in progress


def measure_rows(schools: list[School]) -> dict[int, MeasureFigure]:
    out = {}
    for school in schools:
        overdue = len(measure_service.overdue(school.id, clock.today(school)))
        open_count = db.session.scalar(select(func.count(Measure.id)).where(
            Measure.school_id == school.id, Measure.status.in_(OPEN_STATUSES))) or 0
        out[school.id] = MeasureFigure(overdue, open_count)
    return out


def observation_rows(schools: list[School], years: dict, lang: Optional[str] = None) -> list[dict]:
    """Lesson observations by criterion per school, as each school's own summary computes them
    (observations.aggregates.by_criterion over the counted observations of the school's year, as
    its expert sees them: a joint lesson counts once; percentage = sum(score - min) / sum(max -
    min) * 100 over the lessons where the criterion was scored, n lessons). One dict per criterion
    in the protocols' order: {"protocol", "item", "label", "section", "schools": {school id:
    {"count", "pct", "mean"}}}; criteria no school scored are left out."""
    from app.services.district.access import reader
    from app.services.observations import aggregates
    from app.services.observations.protocols import criterion_labels

    found: dict[tuple[str, str], dict[int, dict]] = {}
    for school in schools:
        year = years.get(school.id)
        if year is None:
            continue
        for row in aggregates.by_criterion(reader(school.id), year.id):
            found.setdefault((row["protocol"], row["item"]), {})[school.id] = row
    labels = criterion_labels(lang)
    order = {key: index for index, key in enumerate(labels)}
    return [{"protocol": key[0], "item": key[1], "label": labels.get(key, (key[1], ""))[0],
             "section": labels.get(key, ("", key[1]))[1], "schools": by_school}
            for key, by_school in sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]
