"""Survey campaigns: creation, the status a campaign goes through, and the list of a school's
campaigns. Anonymous answering (links, access codes, response UUIDs) is in public.py, the
results in results.py.

No request objects here: views pass plain values (form data, today's date).
"""
from __future__ import annotations

import secrets
from datetime import date
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import Campaign, CampaignClass, ClassGroup, Enrollment, Instrument, Response
from app.services.core.text import fold_latin


class SurveyError(ValueError):
    """A refused action; the message is translated by the caller (views, CLI) from `code`."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


# --- who manages a campaign ----------------------------------------------------------------

# The director and the deputies manage every campaign of the school (open, close, hand out
# links and codes); the psychologist the campaigns they created (e.g. the climate survey).
ALL_CAMPAIGNS = ("admin", "deputy")
OWN_CAMPAIGNS = ("psychologist",)


def may_manage(principal, campaign: Campaign) -> bool:
    """Whether `principal` (app.security.Principal) may change a campaign's status, print its
    notices and issue its codes: ALL_CAMPAIGNS roles for any campaign of their school,
    OWN_CAMPAIGNS roles for the campaigns they created."""
    if campaign.school_id != principal.school_id:
        return False
    if principal.has_role(*ALL_CAMPAIGNS):
        return True
    return principal.has_role(*OWN_CAMPAIGNS) and campaign.created_by_id == principal.user_id


# --- campaigns ---------------------------------------------------------------------------

def _slug() -> str:
    return secrets.token_urlsafe(6)[:8]


def create_campaign(*, school_id: int, instrument: Instrument, title: str, audience: str, class_ids: list[int],
                    access_mode: str = "link", opens_on: Optional[date] = None, closes_on: Optional[date] = None,
                    min_group_size: int = 5, year_id: Optional[int] = None, created_by_id: Optional[int] = None,
                    whole_school: bool = False) -> Campaign:
    if instrument.kind != "survey":
        raise SurveyError("not_a_survey")
    if opens_on and closes_on and closes_on < opens_on:
        raise SurveyError("dates")
    classes = list(db.session.scalars(select(ClassGroup).where(ClassGroup.school_id == school_id,
                                                                ClassGroup.id.in_(class_ids or [-1]))
                                      .order_by(ClassGroup.grade, ClassGroup.letter)))
    if len(classes) != len(set(class_ids or [])):
        raise SurveyError("unknown_class")
    if not classes and not whole_school:
        raise SurveyError("no_targets")
    campaign = Campaign(school_id=school_id, instrument_id=instrument.id, title=title.strip(), audience=audience,
                        access_mode=access_mode, opens_on=opens_on, closes_on=closes_on,
                        min_group_size=min_group_size, year_id=year_id, created_by_id=created_by_id,
                        code_salt=secrets.token_hex(16), status="draft")
    sizes = class_sizes([c.id for c in classes])
    for cls in classes:
        campaign.targets.append(CampaignClass(class_id=cls.id, label=cls.name, slug=_slug(),
                                              expected=sizes.get(cls.id)))
    if whole_school:
        campaign.targets.append(CampaignClass(class_id=None, label="*", slug=_slug(), expected=None))
    db.session.add(campaign)
    db.session.flush()
    return campaign


def class_sizes(class_ids: list[int]) -> dict[int, int]:
    if not class_ids:
        return {}
    rows = db.session.execute(select(Enrollment.class_id, func.count(Enrollment.id))
                              .where(Enrollment.class_id.in_(class_ids)).group_by(Enrollment.class_id))
    return dict(rows.all())


TRANSITIONS = {"draft": ("open",), "open": ("closed",), "closed": ("open",)}


def set_status(campaign: Campaign, status: str, *, district: bool = False) -> None:
    """Move a campaign along TRANSITIONS. A school's part of a district campaign moves only with
    the district's campaign (`district=True`, app.services.district.campaigns): SurveyError
    "district_part" otherwise."""
    if campaign.district_campaign_id is not None and not district:
        raise SurveyError("district_part")
    if status not in TRANSITIONS.get(campaign.status, ()):
        raise SurveyError("transition", old=campaign.status, new=status)
    campaign.status = status


def accepts_answers(campaign: Campaign, today: date) -> bool:
    if campaign.status != "open":
        return False
    if campaign.opens_on and today < campaign.opens_on:
        return False
    if campaign.closes_on and today > campaign.closes_on:
        return False
    return True


def target_by_slug(slug: str) -> Optional[CampaignClass]:
    return db.session.scalar(select(CampaignClass).where(CampaignClass.slug == fold_latin(slug.strip())))


def campaigns_of_school(school_id: int) -> list[tuple[Campaign, int]]:
    """Campaigns with their number of complete responses (one grouped query, over this school's
    campaigns only: the responses of other schools are not read)."""
    own = select(Campaign.id).where(Campaign.school_id == school_id)
    counts = (select(Response.campaign_id, func.count(Response.id).label("n"))
              .where(Response.campaign_id.in_(own), Response.status == "complete")
              .group_by(Response.campaign_id).subquery())
    rows = db.session.execute(
        select(Campaign, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(Campaign.school_id == school_id).order_by(Campaign.created_at.desc(), Campaign.id.desc()))
    return [(c, n) for c, n in rows.all()]
