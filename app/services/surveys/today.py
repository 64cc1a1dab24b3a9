"""The surveys' part of the first screen: the open campaigns a person manages (the director and
the deputies every one, the psychologist their own: `campaigns.may_manage`), each with its
response rate so far (complete responses of the expected: codes issued, else the classes' sizes)."""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import AcademicYear, AccessCode, Campaign, CampaignClass, Response
from app.security import Principal
from app.services.core.today import Item
from app.services.surveys import disclosure
from app.services.surveys.campaigns import ALL_CAMPAIGNS, OWN_CAMPAIGNS


def open_campaigns(principal: Principal, year: AcademicYear) -> list[Item]:
    if not principal.has_role(*ALL_CAMPAIGNS, *OWN_CAMPAIGNS):
        return []
    responses = (select(func.count(Response.id)).where(Response.campaign_id == Campaign.id,
                                                       Response.status == "complete").scalar_subquery())
    sizes = (select(func.coalesce(func.sum(CampaignClass.expected), 0))
             .where(CampaignClass.campaign_id == Campaign.id).scalar_subquery())
    codes = select(func.count(AccessCode.id)).where(AccessCode.campaign_id == Campaign.id).scalar_subquery()
    stmt = (select(Campaign.id, Campaign.title, Campaign.access_mode, responses, sizes, codes)
            .where(Campaign.school_id == principal.school_id, Campaign.status == "open",
                   (Campaign.year_id == year.id) | Campaign.year_id.is_(None)))
    if not principal.has_role(*ALL_CAMPAIGNS):
        stmt = stmt.where(Campaign.created_by_id == principal.user_id)
    items = []
    for campaign_id, title, mode, n, size, issued in db.session.execute(stmt.order_by(Campaign.id)):
        expected = issued if mode == "codes" else size
        rate = disclosure.response_rate(n, expected)
        if rate.value is not None:
            detail = _("%(n)s of %(expected)s answered (%(rate)s %%)", n=n, expected=expected,
                       rate=format_decimal(round(rate.value), format="#,##0"))
        elif rate.over:
            detail = _("%(n)s answered: more than expected", n=n)
        else:
            detail = _("%(n)s answered", n=n)
        items.append(Item("campaign", _("Open survey: %(title)s", title=title), n, "surveys.detail",
                          {"campaign_id": campaign_id}, detail))
    return items
