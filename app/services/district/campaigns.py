"""District campaigns: one questionnaire campaign across many of a district's schools.

`create` makes, in the caller's one transaction, the district campaign and in each chosen school
an ordinary campaign of the school (app.services.surveys.campaigns.create_campaign: the school's
own rows, links and answers) linked to it. The parts' status moves only with the district's
(`set_status`); the school cannot change a part's questions (instruments are immutable
versions) nor its status.

`results` computes the figures per school and for the district from all the answers in SQL
(one grouped query over every part), with the disclosure rules of app.services.surveys.disclosure
applied across schools as the school applies them across classes: a school with fewer respondents
than the minimum group is withheld, and while the withheld schools together hold fewer than the
minimum (and more than none) the smallest shown school is withheld too, so that the district
total minus the shown schools never gives a withheld school's figure; the same per scale. No
figure is shown before the campaign is closed (disclosure rule 4).
"""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Campaign, ClassGroup, DistrictCampaign, Instrument, Response, School
from app.services.core import school as school_service
from app.services.core.audit import record, snapshot
from app.services.core.text import is_db_id
from app.services.district import access
from app.services.surveys import campaigns as campaign_service
from app.services.surveys import disclosure
from surveys import scoring

AUDIENCES = ("parents", "students", "teachers")


class DistrictCampaignError(ValueError):
    """A refused action; `code`: no_schools, unknown_school, no_classes (params: school), not_a_survey,
    audience, transition."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def campaigns_of(district_id: int) -> list[DistrictCampaign]:
    return list(db.session.scalars(select(DistrictCampaign).where(DistrictCampaign.district_id == district_id)
                                   .order_by(DistrictCampaign.created_at.desc(), DistrictCampaign.id.desc())))


def get(district_id: int, campaign_id) -> Optional[DistrictCampaign]:
    """The district's campaign with this id, else None (a 404 for the view)."""
    if not is_db_id(campaign_id):
        return None
    found = db.session.get(DistrictCampaign, campaign_id)
    return found if found is not None and found.district_id == district_id else None


def part_of(dc: DistrictCampaign, school_id: int) -> Optional[Campaign]:
    """The school's part of the district campaign, else None."""
    return next((c for c in dc.parts if c.school_id == school_id), None)


def create(district, *, instrument: Instrument, title: str, audience: str, school_ids: list[int],
           min_group_size: int = 5, user_id: Optional[int] = None,
           remote_addr: Optional[str] = None) -> DistrictCampaign:
    """The district campaign (draft) and one part per chosen school, flushed, audited per school.

    A part asks every class of the school's current year (parents, students) or the whole school
    with one link (teachers), by open link. Raises DistrictCampaignError; the caller rolls back."""
    if instrument is None or instrument.kind != "survey":
        raise DistrictCampaignError("not_a_survey")
    if audience not in AUDIENCES:
        raise DistrictCampaignError("audience")
    chosen = [access.school_of(district.id, sid) for sid in dict.fromkeys(school_ids)]
    if not chosen:
        raise DistrictCampaignError("no_schools")
    if any(s is None for s in chosen):
        raise DistrictCampaignError("unknown_school")
    dc = DistrictCampaign(district_id=district.id, instrument_id=instrument.id, title=title.strip(),
                          audience=audience, status="draft", min_group_size=min_group_size, created_by_id=user_id)
    db.session.add(dc)
    db.session.flush()
    record("create", "district_campaign", dc.id, school_id=None, user_id=user_id, after=snapshot(dc),
           remote_addr=remote_addr)
    for school in chosen:
        year = school_service.current_year(school.id)
        class_ids = [] if audience == "teachers" else list(db.session.scalars(select(ClassGroup.id).where(
            ClassGroup.school_id == school.id, ClassGroup.year_id == (year.id if year else -1))))
        if audience != "teachers" and not class_ids:
            raise DistrictCampaignError("no_classes", school=school.name)
        part = campaign_service.create_campaign(
            school_id=school.id, instrument=instrument, title=dc.title, audience=audience, class_ids=class_ids,
            access_mode="link", min_group_size=min_group_size, year_id=year.id if year else None,
            created_by_id=user_id, whole_school=audience == "teachers")
        part.district_campaign_id = dc.id
        db.session.flush()
        record("create", "campaign", part.id, school_id=school.id, user_id=user_id, after=snapshot(part),
               remote_addr=remote_addr)
    db.session.expire(dc, ["parts"])
    return dc


def set_status(dc: DistrictCampaign, status: str, *, user_id: Optional[int] = None,
               remote_addr: Optional[str] = None) -> None:
    """Move the district campaign and every part (draft -> open -> closed -> open), audited."""
    if status not in campaign_service.TRANSITIONS.get(dc.status, ()):
        raise DistrictCampaignError("transition")
    record("status", "district_campaign", dc.id, school_id=None, user_id=user_id, before={"status": dc.status},
           after={"status": status}, remote_addr=remote_addr)
    dc.status = status
    for part in dc.parts:
        before = part.status
        if before != status:
            campaign_service.set_status(part, status, district=True)
            record("status", "campaign", part.id, school_id=part.school_id, user_id=user_id,
                   before={"status": before}, after={"status": status}, remote_addr=remote_addr)


@dataclass
class Figure:
    """One row of the results: respondents (None when withheld), each scale's index 0-100 with
    its n (None when withheld) and the satisfaction index (the mean of the scale indices)."""

    respondents: Optional[int]
    withheld: bool
    scales: dict = field(default_factory=dict)  # scale key -> (index or None, n or None)
    index: Optional[float] = None


@dataclass
class DistrictResults:
    campaign: DistrictCampaign
    released: bool  # closed: figures may be shown
    scales: list  # the instrument's scales (key, title)
    schools: list  # [(School, Campaign part, Figure)]
    district: Figure


def _per_part(part_ids: list[int]):
    """(respondents per part, {(part, scale): (sum of respondents' means, n)}): two grouped queries
    over every part's complete responses and answers."""
    counts = dict(db.session.execute(
        select(Response.campaign_id, func.count(Response.id))
        .where(Response.campaign_id.in_(part_ids or [-1]), Response.status == "complete")
        .group_by(Response.campaign_id)).all())
    per_response = (select(Answer.campaign_id.label("part"), Answer.response_id, Answer.scale,
                           func.avg(Answer.score).label("m"))
                    .join(Response, Response.id == Answer.response_id)
                    .where(Answer.campaign_id.in_(part_ids or [-1]), Response.campaign_id.in_(part_ids or [-1]),
                           Response.status == "complete",
                           Answer.scale.is_not(None), Answer.score.is_not(None))
                    .group_by(Answer.campaign_id, Answer.response_id, Answer.scale).subquery())
    sums = {(part, scale): (float(total), int(n)) for part, scale, total, n in db.session.execute(
        select(per_response.c.part, per_response.c.scale, func.sum(per_response.c.m), func.count())
        .group_by(per_response.c.part, per_response.c.scale)).all()}
    return {k: int(v) for k, v in counts.items()}, sums


def _mean_index(scales: dict) -> Optional[float]:
    values = [i for i, _n in scales.values() if i is not None]
    return sum(values) / len(values) if values else None


def results(dc: DistrictCampaign) -> DistrictResults:
    """Per school and for the district: respondents, scale indices with n, the mean index.

    A scale's mean is the mean of respondents' means of their scored answers (as the school's
    results: app.services.surveys.results.scale_means), its index (mean - lo) / (hi - lo) x 100
    (surveys.scoring.index); the district's mean is over every respondent of every part, not an
    average of the schools' indices."""
    spec = dc.instrument.spec
    ranges = scoring.scale_ranges(spec)
    m = dc.min_group_size
    parts = [(db.session.get(School, p.school_id), p) for p in dc.parts]
    parts.sort(key=lambda sp: (sp[0].name, sp[0].id))
    counts, sums = _per_part([p.id for _s, p in parts])
    released = disclosure.released(dc)
    n_of = {p.id: counts.get(p.id, 0) for _s, p in parts}
    hidden = disclosure.hidden_groups(n_of, m)
    total = sum(n_of.values())
    district_shown = released and total >= m
    scale_keys = [s.key for s in spec.scales]
    hidden_in = {k: disclosure.hidden_groups({p: sums.get((p, k), (0, 0))[1] for p in n_of}, m, also=hidden)
                 for k in scale_keys}

    rows = []
    for school, part in parts:
        withheld = part.id in hidden
        figure = Figure(respondents=None if withheld else n_of[part.id], withheld=withheld)
        for k in scale_keys:
            s, n = sums.get((part.id, k), (0.0, 0))
            visible = released and not withheld and part.id not in hidden_in[k] and n >= m
            figure.scales[k] = (scoring.index(s / n, *ranges.get(k, (1, 5))) if visible else None,
                                n if visible else None)
        figure.index = _mean_index(figure.scales)
        rows.append((school, part, figure))

    district = Figure(respondents=total, withheld=not district_shown and released)
    for k in scale_keys:
        s = sum(sums.get((p, k), (0.0, 0))[0] for p in n_of)
        n = sum(sums.get((p, k), (0.0, 0))[1] for p in n_of)
        visible = district_shown and n >= m
        district.scales[k] = (scoring.index(s / n, *ranges.get(k, (1, 5))) if visible else None,
                              n if visible else None)
    district.index = _mean_index(district.scales)
    return DistrictResults(dc, released, [(s.key, s.title) for s in spec.scales], rows, district)
