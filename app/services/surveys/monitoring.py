"""What the surveys domain gives the monitoring programme: the satisfaction and climate
indicators, the cyclogram status of survey items, and the satisfaction part of class and
teacher profiles.

- parent_satisfaction, student_satisfaction, psych_climate: the mean of the scale indices
  (0-100) of the year's latest non-draft campaign of the instrument; nothing when it has
  fewer respondents than the campaign's minimum group size.
"""
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Campaign, CampaignClass, Instrument, Response, TeachingAssignment
from app.services.monitoring import profiles
from app.services.monitoring.calculators import CalculatorTable, Period, Result
from app.services.monitoring.labels import fmt
from app.services.monitoring.planning import item_window
from app.services.surveys import results
from surveys import scoring

CALCULATORS = CalculatorTable()


SURVEY_INDICATORS = {"parent_satisfaction": "parent_satisfaction", "student_satisfaction": "student_lessons",
                     "psych_climate": "psychological_climate"}


def latest_campaign(school_id: int, instrument_key: str, period: Period):
    stmt = (select(Campaign).join(Instrument, Instrument.id == Campaign.instrument_id)
            .where(Campaign.school_id == school_id, Instrument.key == instrument_key, Campaign.status != "draft"))
    if period.term_id:
        stmt = stmt.where(func.coalesce(Campaign.closes_on, Campaign.opens_on) >= period.starts_on,
                          func.coalesce(Campaign.closes_on, Campaign.opens_on) <= period.ends_on)
    else:
        stmt = stmt.where(or_(Campaign.year_id == period.year_id,
                              and_(Campaign.year_id.is_(None), Campaign.opens_on >= period.starts_on,
                                   Campaign.opens_on <= period.ends_on)))
    return db.session.scalar(stmt.order_by((Campaign.status == "closed").desc(), Campaign.created_at.desc(),
                                           Campaign.id.desc()).limit(1))


def campaign_index(campaign) -> Optional[Result]:
    """The mean of the campaign's scale indices (0-100) and its respondents; None below the minimum group."""
    respondents = db.session.scalar(select(func.count(Response.id)).where(
        Response.campaign_id == campaign.id, Response.status == "complete")) or 0
    if respondents < max(campaign.min_group_size, 1):
        return None
    ranges = scoring.scale_ranges(campaign.instrument.spec)
    indices = [scoring.index(mean, *ranges.get(scale, (1, 5)))
               for scale, (mean, _n) in results.scale_means(campaign.id).items()]
    indices = [i for i in indices if i is not None]
    if not indices:
        return None
    return Result(sum(indices) / len(indices), respondents)


def _survey(instrument_key):
    def calc(school_id: int, period: Period) -> Optional[Result]:
        campaign = latest_campaign(school_id, instrument_key, period)
        return campaign_index(campaign) if campaign is not None else None
    return calc


def campaign_state(item, year) -> Optional[str]:
    """A survey item of the cyclogram: a closed campaign of a linked instrument in the item's
    months -> done, an open one -> in progress. A campaign is in the months when its dates
    (opens_on..closes_on, either alone when the other is empty) meet the item's window
    (planning.item_window); a campaign of another season of the year does not count."""
    if item.method != "survey":
        return None
    keys = [SURVEY_INDICATORS.get(k, k) for k in item.keys] + ([item.instrument] if item.instrument else [])
    if not keys:
        return None
    start, end = item_window(item, year)
    states = set(db.session.scalars(
        select(Campaign.status).join(Instrument, Instrument.id == Campaign.instrument_id)
        .where(Campaign.school_id == item.school_id, Instrument.key.in_(keys), Campaign.status != "draft",
               or_(Campaign.year_id == year.id, Campaign.year_id.is_(None)),
               func.coalesce(Campaign.closes_on, Campaign.opens_on) >= start,
               func.coalesce(Campaign.opens_on, Campaign.closes_on) <= end)))
    if "closed" in states:
        return "done"
    return "in_progress" if "open" in states else None


for _key, _instrument in SURVEY_INDICATORS.items():
    CALCULATORS(_key)(_survey(_instrument))


# --- profile sections (class and teacher) ---------------------------------------------------

PROFILE_INSTRUMENTS = ["parent_satisfaction", "student_lessons"]


def _satisfaction_rows(school_id: int, class_ids) -> Optional[profiles.Section]:
    """Per campaign (parents' and students' surveys) and class: the index, hidden below the campaign's
    minimum group size."""
    if not class_ids:
        return None
    targets = db.session.execute(
        select(Campaign, CampaignClass.id, CampaignClass.label)
        .join(CampaignClass, CampaignClass.campaign_id == Campaign.id)
        .join(Instrument, Instrument.id == Campaign.instrument_id)
        .where(Campaign.school_id == school_id, Campaign.status != "draft", CampaignClass.class_id.in_(class_ids),
               Instrument.key.in_(PROFILE_INSTRUMENTS))
        .order_by(Campaign.created_at, CampaignClass.label)).all()
    if not targets:
        return None
    counts = dict(db.session.execute(
        select(Response.target_id, func.count(Response.id))
        .where(Response.target_id.in_([t for _c, t, _l in targets]), Response.status == "complete")
        .group_by(Response.target_id)).all())
    rows = []
    for campaign, target_id, label in targets:
        n = counts.get(target_id, 0)
        if n < max(campaign.min_group_size, 1):
            rows.append([f"{campaign.title} · {label}", n, _l("too few to show")])
            continue
        ranges = scoring.scale_ranges(campaign.instrument.spec)
        means = results.scale_means(campaign.id, by_target=True)
        indices = [scoring.index(m, *ranges.get(scale, (1, 5))) for (t, scale), (m, _n) in means.items()
                   if t == target_id]
        indices = [i for i in indices if i is not None]
        rows.append([f"{campaign.title} · {label}", n, fmt(sum(indices) / len(indices)) if indices else "—"])
    return profiles.Section(_l("Parents' and students' satisfaction"), [_l("Survey and class"), _l("Respondents"),
                                                                        _l("Index 0-100")], rows)


def class_satisfaction(cls, viewer):
    return _satisfaction_rows(viewer.school_id, [cls.id])


def teacher_satisfaction(teacher, viewer):
    class_ids = db.session.scalars(select(TeachingAssignment.class_id).where(
        TeachingAssignment.teacher_id == teacher.id, TeachingAssignment.school_id == viewer.school_id)).all()
    section = _satisfaction_rows(viewer.school_id, list(set(class_ids)))
    if section is not None:
        section.note = _l("Surveys are anonymous and answered per class: these are the classes this teacher teaches.")
    return section
