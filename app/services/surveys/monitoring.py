"""What the surveys domain gives the monitoring programme: the satisfaction and climate
indicators, the cyclogram status of survey items, and the satisfaction part of class and
teacher profiles.

- parent_satisfaction, student_satisfaction, psych_climate: the mean of the scale indices
  (0-100) of the year's latest non-draft campaign of the instrument (a closed one first);
  nothing when `disclosure` withholds its results (fewer respondents than the campaign's
  minimum group size, or still open).
"""
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Campaign, CampaignClass, Instrument, TeachingAssignment
from app.services.monitoring import profiles
from app.services.monitoring.calculators import CalculatorTable, Period, Result
from app.services.monitoring.labels import fmt
from app.services.monitoring.planning import item_window
from app.services.surveys import disclosure, results

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
    """The mean of the campaign's scale indices (0-100) and its respondents, as `disclosure`
    lets the campaign's results publish them: None below the minimum group or while the
    campaign is open."""
    respondents = results.respondents_of(campaign.id)
    if disclosure.below_minimum(respondents, campaign.min_group_size) or not disclosure.released(campaign):
        return None
    overall, _classes = results.scale_indices(campaign)
    indices = [v["index"] for v in overall.values() if v["index"] is not None]
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
    """Per campaign (parents' and students' surveys) and class: the index as the campaign's
    results publish it (`disclosure`: hidden for a small class, for a class hidden so that a
    small one cannot be worked out, and while the campaign is open)."""
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
    published: dict[int, dict] = {}
    rows = []
    for campaign, target_id, label in targets:
        if campaign.id not in published:
            published[campaign.id] = {c["target"].id: c for c in results.scale_indices(campaign)[1]}
        row = published[campaign.id][target_id]
        indices = [i for i in row["scales"].values() if i is not None]
        title = f"{campaign.title} · {label}"
        if row["suppressed"]:
            rows.append([title, "—", _l("too few to show")])
        elif not disclosure.released(campaign):
            rows.append([title, row["responses"], _l("shown when the survey is closed")])
        else:
            rows.append([title, row["responses"], fmt(sum(indices) / len(indices)) if indices else "—"])
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
