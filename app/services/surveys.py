"""Survey campaigns: creation, state, access codes, anonymous answering, and results in SQL.

No request objects here: views pass plain values (form data, cookie token, today's date).
"""
from __future__ import annotations

import hashlib
import secrets
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Optional

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (AccessCode, Answer, Campaign, CampaignClass, ClassGroup, Enrollment, Instrument,
                        Response)
from surveys import scoring
from surveys.schema import MultiItem, TextItem, conditions_hold

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


class SurveyError(ValueError):
    """A refused action; the message is translated by the caller (views, CLI) from `code`."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


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


def set_status(campaign: Campaign, status: str) -> None:
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
    return db.session.scalar(select(CampaignClass).where(CampaignClass.slug == slug))


def campaigns_of_school(school_id: int) -> list[tuple[Campaign, int]]:
    """Campaigns with their number of complete responses (one grouped query)."""
    counts = (select(Response.campaign_id, func.count(Response.id).label("n"))
              .where(Response.status == "complete").group_by(Response.campaign_id).subquery())
    rows = db.session.execute(
        select(Campaign, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(Campaign.school_id == school_id).order_by(Campaign.created_at.desc(), Campaign.id.desc()))
    return [(c, n) for c, n in rows.all()]


# --- access codes -------------------------------------------------------------------------

def _hash_code(campaign: Campaign, code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{campaign.code_salt}:{normalized}".encode()).hexdigest()


def issue_codes(campaign: Campaign, target: CampaignClass, count: int) -> list[str]:
    """New single-use codes for a class. Only their hashes are stored: print them now."""
    if campaign.access_mode != "codes":
        raise SurveyError("not_codes")
    if not 1 <= count <= 200:
        raise SurveyError("code_count")
    codes: list[str] = []
    hashes: set[str] = set()
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        digest = _hash_code(campaign, code)
        if digest not in hashes:
            hashes.add(digest)
            codes.append(code)
    db.session.execute(insert(AccessCode), [{"campaign_id": campaign.id, "target_id": target.id,
                                             "code_hash": h, "used": False} for h in hashes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def codes_issued(campaign_id: int) -> dict[int, tuple[int, int]]:
    """target id -> (issued, used)."""
    rows = db.session.execute(
        select(AccessCode.target_id, func.count(AccessCode.id), func.sum(case((AccessCode.used, 1), else_=0)))
        .where(AccessCode.campaign_id == campaign_id).group_by(AccessCode.target_id))
    return {t: (int(n), int(u or 0)) for t, n, u in rows.all()}


# --- answering ----------------------------------------------------------------------------

def new_client_uuid() -> str:
    return str(uuid_module.uuid4())


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Started:
    response: Response
    token: Optional[str]  # the resume token for the cookie (None when the response is already complete)
    duplicate: bool = False


def start_response(target: CampaignClass, client_uuid: str, today: date, code: Optional[str] = None,
                   language: Optional[str] = None) -> Started:
    """Create the draft response for `client_uuid`. The UNIQUE client_uuid decides duplicates:
    posting the same UUID again returns the existing response and creates nothing."""
    campaign = target.campaign
    try:
        client_uuid = str(uuid_module.UUID(client_uuid))
    except (ValueError, TypeError, AttributeError):
        raise SurveyError("bad_uuid") from None
    if not accepts_answers(campaign, today):
        raise SurveyError("closed")
    if campaign.access_mode == "codes":
        if not code or not code.strip():
            raise SurveyError("code_required")
        digest = _hash_code(campaign, code)
        used = db.session.execute(
            update(AccessCode).where(AccessCode.campaign_id == campaign.id, AccessCode.target_id == target.id,
                                     AccessCode.code_hash == digest, AccessCode.used.is_(False))
            .values(used=True))
        if used.rowcount != 1:
            existing = _by_uuid(client_uuid)
            if existing is not None and existing.target_id == target.id:
                return _restarted(existing)
            known = db.session.scalar(select(func.count(AccessCode.id)).where(
                AccessCode.campaign_id == campaign.id, AccessCode.target_id == target.id,
                AccessCode.code_hash == digest))
            raise SurveyError("code_used" if known else "code_unknown")
    token = secrets.token_urlsafe(24)
    savepoint = db.session.begin_nested()
    try:
        response = Response(campaign_id=campaign.id, target_id=target.id, client_uuid=client_uuid,
                            resume_hash=_hash_token(token), status="draft", language=language,
                            next_section=0, started_on=today)
        db.session.add(response)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        existing = _by_uuid(client_uuid)
        if existing is None or existing.target_id != target.id:
            raise SurveyError("bad_uuid") from None
        return _restarted(existing)
    return Started(response, token)


def _restarted(existing: Response) -> Started:
    """The start form posted again with the same UUID: a retry on a slow connection whose
    first answer (and cookie) never arrived. A draft gets a fresh resume token, so the
    respondent can go on (the old token stops working); a finished response gets none."""
    if existing.status != "draft":
        return Started(existing, None, duplicate=True)
    token = secrets.token_urlsafe(24)
    existing.resume_hash = _hash_token(token)
    return Started(existing, token, duplicate=True)


def _by_uuid(client_uuid: str) -> Optional[Response]:
    return db.session.scalar(select(Response).where(Response.client_uuid == client_uuid))


def response_by_token(target: CampaignClass, token: Optional[str]) -> Optional[Response]:
    if not token:
        return None
    return db.session.scalar(select(Response).where(Response.resume_hash == _hash_token(token),
                                                    Response.target_id == target.id))


def response_by_uuid(target: CampaignClass, client_uuid: str) -> Optional[Response]:
    response = _by_uuid(client_uuid or "")
    return response if response is not None and response.target_id == target.id else None


def saved_answers(response_id: int) -> dict[str, Any]:
    """{answer key: value} of a response, as the form builder expects (strings, lists, text)."""
    out: dict[str, Any] = {}
    rows = db.session.execute(select(Answer.item_key, Answer.value, Answer.option, Answer.text)
                              .where(Answer.response_id == response_id).order_by(Answer.id))
    for key, value, option, text in rows.all():
        if key in out and option is not None:  # a multi item: one row per option
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [option]
        elif option is not None:
            out[key] = option
        elif text is not None:
            out[key] = text
        elif value is not None:
            out[key] = f"{value:g}"
    return out


def visible_sections(spec, answers: dict) -> list[int]:
    return [i for i, s in enumerate(spec.sections) if conditions_hold(s.show_if, answers)]


def answer_rows(spec, section_keys: Iterable[str], answers: dict[str, Any], response_id: int,
                campaign_id: int) -> list[dict]:
    """Answer rows (dicts for a bulk insert) of the given items, with scores and top-2 flags."""
    wanted = set(section_keys)
    scored = {key: (item, scale, reverse, rng) for key, item, scale, reverse, rng in spec.scored()}
    rows = []
    base = {"response_id": response_id, "campaign_id": campaign_id}
    for item in spec.items():
        for key in item.answer_keys():
            if key not in wanted:
                continue
            given = answers.get(key)
            if given is None or given == "" or given == []:
                continue
            if isinstance(item, MultiItem):
                for option in given:
                    rows.append({**base, "item_key": key, "scale": None, "value": None, "score": None,
                                 "top2": None, "option": str(option), "text": None})
                continue
            if isinstance(item, TextItem):
                rows.append({**base, "item_key": key, "scale": None, "value": None, "score": None, "top2": None,
                             "option": None, "text": str(given).strip()[:item.max_length]})
                continue
            row = {**base, "item_key": key, "scale": None, "value": None, "score": None, "top2": None,
                   "option": None, "text": None}
            if key in scored:
                _item, scale, reverse, (lo, hi) = scored[key]
                value = scoring.raw_value(item, given)
                s = scoring.score(value, lo, hi, reverse)
                row.update(scale=scale, value=value, score=s,
                           top2=None if s is None or hi - lo < 3 else scoring.is_top2(s, hi))
                if item.type in ("single", "yes_no") or (item.type == "criterion" and str(given) == "na"):
                    row["option"] = str(given)
            elif item.type in ("single", "yes_no"):
                row["option"] = str(given)
            else:  # number
                try:
                    row["value"] = float(given)
                except (TypeError, ValueError):
                    continue
            rows.append(row)
        comment = answers.get(f"{item.key}.comment")
        if comment and f"{item.key}.comment" in wanted:
            rows.append({**base, "item_key": f"{item.key}.comment", "scale": None, "value": None, "score": None,
                         "top2": None, "option": None, "text": str(comment)[:2000]})
    return rows


def save_section(response: Response, spec, section_index: int, answers: dict[str, Any], today: date) -> bool:
    """Store the answers of one section (replacing earlier ones) and advance the response.

    Returns True when this was the last visible section and the response is now complete.
    A complete response is never changed: the call returns True and stores nothing."""
    if response.status == "complete":
        return True
    if not accepts_answers(response.target.campaign, today):
        raise SurveyError("closed")
    section = spec.sections[section_index]
    keys = [k for item in section.items for k in item.answer_keys()]
    keys += [f"{item.key}.comment" for item in section.items if item.type == "criterion"]
    db.session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.item_key.in_(keys)))
    rows = answer_rows(spec, keys, answers, response.id, response.campaign_id)
    if rows:
        db.session.execute(insert(Answer), rows)
    merged = saved_answers(response.id)
    visible = visible_sections(spec, merged)
    # Sections that became hidden lose their answers (e.g. "eats in the canteen: no").
    hidden_keys = [k for i, s in enumerate(spec.sections) if i not in visible for it in s.items
                   for k in it.answer_keys()]
    if hidden_keys:
        db.session.execute(delete(Answer).where(Answer.response_id == response.id,
                                                Answer.item_key.in_(hidden_keys)))
    later = [i for i in visible if i > section_index]
    if later:
        response.next_section = later[0]
        return False
    # The conditional UPDATE decides: a second submit of the same response changes nothing.
    db.session.execute(
        update(Response).where(Response.id == response.id, Response.status == "draft")
        .values(status="complete", submitted_on=today, resume_hash=None, next_section=len(spec.sections)))
    db.session.expire(response)
    return True


# --- results ------------------------------------------------------------------------------

@dataclass
class OptionStat:
    key: str
    label: Any  # schema Text, or a string
    count: int
    pct: Optional[float]


@dataclass
class ItemStat:
    key: str
    item: Any
    label: Any
    kind: str
    n: int
    mean: Optional[float] = None
    index: Optional[float] = None
    top2: Optional[float] = None
    options: list[OptionStat] = field(default_factory=list)
    scale: Optional[str] = None
    reverse: bool = False

    def title(self, lang: str) -> str:
        """The item's text; a matrix row as 'row text' or 'left — right'."""
        return label_text(self.label, lang)


def label_text(obj, lang: str) -> str:
    if isinstance(obj, str):
        return obj
    text = getattr(obj, "text", None)
    if text is not None and hasattr(text, "pick"):
        return text.pick(lang)
    if hasattr(obj, "pick"):
        return obj.pick(lang)
    left, right = getattr(obj, "left", None), getattr(obj, "right", None)
    if left is not None and right is not None:
        return f"{left.pick(lang)} — {right.pick(lang)}"
    return getattr(obj, "key", "")


@dataclass
class Results:
    campaign: Campaign
    spec: Any
    respondents: int
    suppressed: bool
    items: list[ItemStat]
    scales: dict[str, dict]  # scale key -> {"mean", "index", "n"}
    classes: list[dict]  # per target: label, expected, issued, responses, rate, suppressed, scales
    texts: dict[str, list[str]]
    previous: Optional[dict] = None  # {"campaign": Campaign, "scales": {...}}


def _complete(campaign_id: int, target_id: Optional[int] = None):
    query = select(Response.id).where(Response.campaign_id == campaign_id, Response.status == "complete")
    if target_id is not None:
        query = query.where(Response.target_id == target_id)
    return query


def scale_means(campaign_id: int, by_target: bool = False) -> dict:
    """Per-scale mean of respondents' means: {scale: (mean, n)} or {(target, scale): (mean, n)}."""
    per_response = (select(Response.target_id.label("target"), Answer.response_id, Answer.scale,
                           func.avg(Answer.score).label("m"))
                    .join(Response, Response.id == Answer.response_id)
                    .where(Answer.campaign_id == campaign_id, Response.status == "complete",
                           Answer.scale.is_not(None), Answer.score.is_not(None))
                    .group_by(Response.target_id, Answer.response_id, Answer.scale).subquery())
    cols = [per_response.c.target, per_response.c.scale] if by_target else [per_response.c.scale]
    rows = db.session.execute(select(*cols, func.avg(per_response.c.m), func.count()).group_by(*cols))
    out = {}
    for row in rows.all():
        *key, m, n = row
        out[tuple(key) if by_target else key[0]] = (float(m) if m is not None else None, int(n))
    return out


def combine_targets(by_target: dict) -> dict:
    """Overall {scale: (mean, n)} from per-class means of respondents' means (weighted by n: exact)."""
    sums: dict[str, list[float]] = {}
    for (_target, scale), (m, n) in by_target.items():
        if m is not None:
            acc = sums.setdefault(scale, [0.0, 0])
            acc[0] += m * n
            acc[1] += n
    return {scale: (total / n if n else None, n) for scale, (total, n) in sums.items()}


def results(campaign: Campaign) -> Results:
    spec = campaign.instrument.spec
    min_n = campaign.min_group_size
    respondents = db.session.scalar(select(func.count()).select_from(_complete(campaign.id).subquery())) or 0
    suppressed = respondents < min_n
    complete_ids = _complete(campaign.id)

    # Numeric stats per item: n, mean of the raw value, mean score, top-2 share (one query).
    numeric = {key: (int(n), vm, sm, t2) for key, n, vm, sm, t2 in db.session.execute(
        select(Answer.item_key, func.count(func.distinct(Answer.response_id)), func.avg(Answer.value),
               func.avg(Answer.score), func.avg(case((Answer.top2, 100.0), (Answer.top2.is_(False), 0.0))))
        .where(Answer.campaign_id == campaign.id, Answer.response_id.in_(complete_ids))
        .group_by(Answer.item_key)).all()}
    # Distribution per item and option / value (one query).
    dist: dict[str, dict[str, int]] = {}
    for key, option, value, n in db.session.execute(
            select(Answer.item_key, Answer.option, Answer.value, func.count())
            .where(Answer.campaign_id == campaign.id, Answer.response_id.in_(complete_ids),
                   Answer.text.is_(None))
            .group_by(Answer.item_key, Answer.option, Answer.value)).all():
        label = option if option is not None else (f"{value:g}" if value is not None else "")
        dist.setdefault(key, {})
        dist[key][label] = dist[key].get(label, 0) + int(n)

    scored = {key: (scale, reverse, rng) for key, _i, scale, reverse, rng in spec.scored()}
    items: list[ItemStat] = []
    for item in spec.items():
        rows = item.rows if item.type == "matrix" else [None]
        for row in rows:
            key = f"{item.key}.{row.key}" if row is not None else item.key
            n, vmean, smean, top2 = numeric.get(key, (0, None, None, None))
            stat = ItemStat(key=key, item=item, label=row if row is not None else item, kind=item.type, n=n)
            if item.type == "text":
                stat.n = len(texts_of(campaign.id, key)) if not suppressed else n
                items.append(stat)
                continue
            if key in scored and not (item.type == "yes_no" and scored[key][0] is None):
                scale, reverse, (lo, hi) = scored[key]
                stat.scale, stat.reverse = scale, reverse
                stat.mean = float(smean) if smean is not None else None
                stat.index = scoring.index(stat.mean, lo, hi)
                stat.top2 = float(top2) if top2 is not None else None
            elif item.type == "number" and vmean is not None:
                stat.mean = float(vmean)
            counts = dist.get(key, {})
            total = n if item.type == "multi" else sum(counts.values())
            for opt_key, opt_label in _options(item):
                c = counts.get(opt_key, 0)
                stat.options.append(OptionStat(opt_key, opt_label, c, 100.0 * c / total if total else None))
            items.append(stat)

    ranges = scoring.scale_ranges(spec)
    by_target = scale_means(campaign.id, by_target=True)
    overall = combine_targets(by_target)
    scales = {s.key: {"mean": overall.get(s.key, (None, 0))[0], "n": overall.get(s.key, (None, 0))[1],
                      "index": scoring.index(overall.get(s.key, (None, 0))[0], *ranges.get(s.key, (1, 5)))}
              for s in spec.scales}

    # Per class: responses, expected (codes issued or class size), rate and scale indices.
    per_target = dict(db.session.execute(
        select(Response.target_id, func.count(Response.id))
        .where(Response.campaign_id == campaign.id, Response.status == "complete")
        .group_by(Response.target_id)).all())
    issued = codes_issued(campaign.id)
    classes = []
    for target in campaign.targets:
        n = int(per_target.get(target.id, 0))
        expected = issued.get(target.id, (0, 0))[0] if campaign.access_mode == "codes" else target.expected
        hidden = n < min_n
        classes.append({
            "target": target, "label": target.label, "responses": n, "expected": expected,
            "rate": (100.0 * n / expected) if expected else None, "suppressed": hidden,
            "scales": {s.key: (None if hidden else scoring.index(by_target.get((target.id, s.key), (None, 0))[0],
                                                                   *ranges.get(s.key, (1, 5))))
                       for s in spec.scales},
        })
    texts = {} if suppressed else {item.key: texts_of(campaign.id, item.key)
                                   for item in spec.items() if item.type == "text"}
    result = Results(campaign, spec, respondents, suppressed, items, scales, classes, texts)
    result.previous = previous_results(campaign)
    return result


def texts_of(campaign_id: int, key: str) -> list[str]:
    return list(db.session.scalars(
        select(Answer.text).join(Response, Response.id == Answer.response_id)
        .where(Answer.campaign_id == campaign_id, Answer.item_key == key, Response.status == "complete",
               Answer.text.is_not(None)).order_by(func.lower(Answer.text))))


def _options(item) -> list[tuple[str, Any]]:
    from surveys.schema import NO, YES

    if item.type in ("single", "multi"):
        return [(o.key, o.text) for o in item.options]
    if item.type == "yes_no":
        return [("yes", YES), ("no", NO)]
    if item.type in ("likert", "matrix"):
        labels = item.labels or []
        return [(str(i + 1), labels[i] if labels else str(i + 1)) for i in range(item.points)]
    if item.type == "criterion":
        return [(str(lv.score), lv.label) for lv in item.levels]
    return []


def previous_campaign(campaign: Campaign) -> Optional[Campaign]:
    """The latest earlier campaign of the same school and instrument key."""
    return db.session.scalar(
        select(Campaign).join(Instrument, Instrument.id == Campaign.instrument_id)
        .where(Campaign.school_id == campaign.school_id, Campaign.id != campaign.id,
               Instrument.key == campaign.instrument.key, Campaign.status != "draft",
               Campaign.created_at <= campaign.created_at)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(1))


def previous_results(campaign: Campaign) -> Optional[dict]:
    prev = previous_campaign(campaign)
    if prev is None:
        return None
    n = db.session.scalar(select(func.count()).select_from(_complete(prev.id).subquery())) or 0
    ranges = scoring.scale_ranges(prev.instrument.spec)
    means = scale_means(prev.id)
    suppressed = n < prev.min_group_size
    return {"campaign": prev, "respondents": n, "suppressed": suppressed,
            "scales": {k: (None if suppressed else scoring.index(m, *ranges.get(k, (1, 5))))
                       for k, (m, _n) in means.items()}}


def raw_rows(campaign: Campaign, suppressed_targets: set[int]) -> Iterable[tuple[int, Optional[int], dict]]:
    """(response number, target id or None when its class is suppressed, {answer key: value}),
    streamed in response order from one query over the Answer rows."""
    query = (select(Answer.response_id, Response.target_id, Answer.item_key, Answer.value, Answer.option, Answer.text)
             .join(Response, Response.id == Answer.response_id)
             .where(Answer.campaign_id == campaign.id, Response.status == "complete")
             .order_by(Answer.response_id, Answer.id))
    current, target, values, number = None, None, {}, 0
    for response_id, target_id, key, value, option, text in db.session.execute(query).yield_per(5000):
        if response_id != current:
            if current is not None:
                yield number, target, values
            number += 1
            current, target, values = response_id, (None if target_id in suppressed_targets else target_id), {}
        shown = text if text is not None else (option if option is not None else value)
        if key in values and option is not None:
            values[key] = f"{values[key]}, {option}"
        else:
            values[key] = shown
    if current is not None:
        yield number, target, values
