"""Survey results, computed in SQL: per-item statistics, scale means and indices overall
and per class, the free texts, the previous campaign of the same instrument for comparison,
and the raw answers for the workbook. What may be published (small classes, complementary
suppression, open campaigns, percentage bases, rates) is decided by `disclosure`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Answer, Campaign, Instrument, Response
from app.services.surveys import disclosure
from app.services.surveys.public import codes_issued
from surveys import scoring
from surveys.conditions import both, condition_list, conditions_hold


@dataclass
class OptionStat:
    key: str
    label: Any  # schema Text, or a string
    count: int
    pct: Optional[float]
    rank: Optional[float] = None  # 0.0 the worst answer .. 1.0 the best; None: answers not ordered

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
    base: Optional[int] = None  # respondents who saw the item: the base of its option percentages
    blank: Optional[int] = None  # of them, those who chose nothing ("none chosen")

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
    released: bool = True  # the campaign is closed: figures may be shown (disclosure rule 4)

    @property
    def shown(self) -> bool:
        """True when the campaign's figures may be published at all."""
        return self.released and not self.suppressed


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
                    .where(Answer.campaign_id == campaign_id, Response.campaign_id == campaign_id,
                           Response.status == "complete",
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


def respondents_of(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(_complete(campaign_id).subquery())) or 0


def results(campaign: Campaign) -> Results:
    spec = campaign.instrument.spec
    min_n = campaign.min_group_size
    respondents = respondents_of(campaign.id)
    suppressed = respondents < min_n
    released = disclosure.released(campaign)
    scales, classes = scale_indices(campaign, spec)
    if suppressed or not released:  # no figure leaves the database (disclosure rules 3 and 4)
        items = [ItemStat(key=key, item=item, label=label, kind=item.type, n=None)
                 for item, key, label in _item_keys(spec)]
        result = Results(campaign, spec, respondents, suppressed, items, scales, classes, {}, released=released)
        result.previous = previous_results(campaign) if released else None
        return result
    # Answers of complete responses: joined on the response's key, as scale_means does, with the
    # campaign on both sides (so that PostgreSQL reads the campaign's responses by their index,
    # not every school's responses: the growth benchmark at 20 schools). The
    # form `response_id IN (complete responses of the campaign)` was planned by PostgreSQL,
    # before its statistics knew a new campaign's answers, as a nested loop comparing every
    # answer with every response (5,000 responses: 36 s instead of 0.1 s).
    answers = (select().select_from(Answer).join(Response, Response.id == Answer.response_id)
               .where(Answer.campaign_id == campaign.id, Response.campaign_id == campaign.id,
                      Response.status == "complete"))

    # Numeric stats per item: n, mean of the raw value, mean score, top-2 share (one query).
    numeric = {key: (int(n), vm, sm, t2) for key, n, vm, sm, t2 in db.session.execute(
        answers.add_columns(Answer.item_key, func.count(func.distinct(Answer.response_id)), func.avg(Answer.value),
                            func.avg(Answer.score),
                            func.avg(case((Answer.top2, 100.0), (Answer.top2.is_(False), 0.0))))
        .group_by(Answer.item_key)).all()}
    # Distribution per item and option / value (one query).
    dist: dict[str, dict[str, int]] = {}
    for key, option, value, n in db.session.execute(
            answers.add_columns(Answer.item_key, Answer.option, Answer.value, func.count())
            .where(Answer.text.is_(None))
            .group_by(Answer.item_key, Answer.option, Answer.value)).all():
        label = option if option is not None else (f"{value:g}" if value is not None else "")
        dist.setdefault(key, {})
        dist[key][label] = dist[key].get(label, 0) + int(n)

    scored = {key: (scale, reverse, rng) for key, _i, scale, reverse, rng in spec.scored()}
    seen = seen_counts(campaign.id, spec, respondents)
    items: list[ItemStat] = []
    for item, key, label in _item_keys(spec):
        row = label if label is not item else None
        n, vmean, smean, top2 = numeric.get(key, (0, None, None, None))
        stat = ItemStat(key=key, item=item, label=label, kind=item.type, n=n)
        if item.type == "text":
            stat.n = len(texts_of(campaign.id, key))
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
        # Percentages of the respondents who saw the item, not of those who answered it: a
        # multi item that 2 of 10 answered gives 20 %, not 100 % (disclosure rule 6).
        stat.base = max(seen.get(item.key, respondents), n)
        stat.blank = stat.base - n
        reverse = bool(getattr(row, "reverse", False) or getattr(item, "reverse", False))
        for opt_key, opt_label, rank in _options(item, reverse):
            c = counts.get(opt_key, 0)
            stat.options.append(OptionStat(opt_key, opt_label, c, disclosure.share(c, stat.base), rank))
        items.append(stat)

    texts = {item.key: texts_of(campaign.id, item.key) for item in spec.items() if item.type == "text"}
    result = Results(campaign, spec, respondents, suppressed, items, scales, classes, texts, released=released)
    result.previous = previous_results(campaign)
    return result


def _item_keys(spec) -> Iterable[tuple[Any, str, Any]]:
    """(item, answer key, label) of every item, a matrix row as an item of its own."""
    for item in spec.items():
        for row in (item.rows if item.type == "matrix" else [None]):
            yield (item, f"{item.key}.{row.key}", row) if row is not None else (item, item.key, item)


def seen_counts(campaign_id: int, spec, respondents: int) -> dict[str, int]:
    """item key -> complete responses to which the item was shown (its and its section's
    show_if held on the stored answers); items without a condition are not listed (all
    respondents saw them). One query over the answers the conditions read."""
    conditions = {}
    for section in spec.sections:
        for item in section.items:
            show_if = both(section.show_if, item.show_if)
            if show_if is not None:
                conditions[item.key] = show_if
    if not conditions:
        return {}
    keys = {c.item for show_if in conditions.values() for c in condition_list(show_if)}
    given: dict[int, dict[str, Any]] = {}
    for response_id, key, value, option in db.session.execute(
            select(Answer.response_id, Answer.item_key, Answer.value, Answer.option)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.campaign_id == campaign_id, Response.campaign_id == campaign_id,
                   Response.status == "complete", Answer.item_key.in_(keys))):
        answers = given.setdefault(response_id, {})
        shown = option if option is not None else value
        if key in answers:
            previous = answers[key]
            answers[key] = [*(previous if isinstance(previous, list) else [previous]), shown]
        else:
            answers[key] = shown
    unanswered = respondents - len(given)  # respondents who gave none of the answers the conditions read
    out = {}
    for item_key, show_if in conditions.items():
        holds = sum(1 for answers in given.values() if conditions_hold(show_if, answers))
        out[item_key] = holds + (unanswered if conditions_hold(show_if, {}) else 0)
    return out


def scale_indices(campaign: Campaign, spec=None) -> tuple[dict, list[dict]]:
    """The scale indices of a campaign, overall and per class, with each class's responses
    and response rate, as they may be published (`disclosure`): a hidden class (too small,
    or hidden so that the small ones cannot be derived) has responses, rate and indices
    None; an open campaign or one below the minimum shows no index. The part of `results`
    the annual workbook and the profiles need, without the per-item statistics.

    Returns ({scale: {"mean", "index", "n"}}, [{"target", "label", "responses", "expected",
    "rate", "rate_over", "suppressed", "scales": {scale: index or None}}])."""
    spec = spec or campaign.instrument.spec
    min_n = campaign.min_group_size
    ranges = scoring.scale_ranges(spec)
    by_target = scale_means(campaign.id, by_target=True)
    per_target = dict(db.session.execute(
        select(Response.target_id, func.count(Response.id))
        .where(Response.campaign_id == campaign.id, Response.status == "complete")
        .group_by(Response.target_id)).all())
    counts = {t.id: int(per_target.get(t.id, 0)) for t in campaign.targets}
    shown = disclosure.released(campaign) and sum(counts.values()) >= min_n
    hidden = disclosure.hidden_groups(counts, min_n)
    overall = combine_targets(by_target)
    scales, hidden_in = {}, {}
    for s in spec.scales:
        mean, n = overall.get(s.key, (None, 0))
        visible = shown and n >= min_n
        scales[s.key] = {"mean": mean if visible else None, "n": n if visible else None,
                         "index": scoring.index(mean, *ranges.get(s.key, (1, 5))) if visible else None}
        # Per scale on its own respondents too (a respondent may skip a scale's items).
        hidden_in[s.key] = disclosure.hidden_groups(
            {t: by_target.get((t, s.key), (None, 0))[1] for t in counts}, min_n, also=hidden)

    issued = codes_issued(campaign.id)
    classes = []
    for target in campaign.targets:
        n = counts[target.id]
        expected = issued.get(target.id, (0, 0))[0] if campaign.access_mode == "codes" else target.expected
        is_hidden = target.id in hidden
        rate = disclosure.response_rate(n, expected, hidden=is_hidden)
        classes.append({
            "target": target, "label": target.label, "responses": None if is_hidden else n, "expected": expected,
            "rate": rate.value, "rate_over": rate.over, "suppressed": is_hidden,
            "scales": {s.key: (scoring.index(by_target.get((target.id, s.key), (None, 0))[0], *ranges.get(s.key, (1, 5)))
                               if shown and target.id not in hidden_in[s.key] else None)
                       for s in spec.scales},
        })
    return scales, classes


def codes_shown(campaign: Campaign) -> dict[int, tuple[int, Optional[int]]]:
    """target id -> (codes issued, codes used), the used ones None for a class that
    `disclosure` hides (codes used are that class's responses)."""
    issued = codes_issued(campaign.id)
    hidden = disclosure.hidden_groups({t.id: issued.get(t.id, (0, 0))[1] for t in campaign.targets},
                                      campaign.min_group_size)
    return {t: (n, None if t in hidden else used) for t, (n, used) in issued.items()}


def texts_of(campaign_id: int, key: str) -> list[str]:
    return list(db.session.scalars(
        select(Answer.text).join(Response, Response.id == Answer.response_id)
        .where(Answer.campaign_id == campaign_id, Response.campaign_id == campaign_id, Answer.item_key == key,
               Response.status == "complete", Answer.text.is_not(None)).order_by(func.lower(Answer.text))))


def _options(item, reverse: bool = False) -> list[tuple[str, Any, Optional[float]]]:
    """(key, label, rank) of each answer an item offers (the item type knows them)."""
    return item.summary_options(reverse)


def previous_campaign(campaign: Campaign) -> Optional[Campaign]:
    """The latest earlier closed campaign of the same school and instrument key (an open one
    moves with each response: disclosure rule 4)."""
    return db.session.scalar(
        select(Campaign).join(Instrument, Instrument.id == Campaign.instrument_id)
        .where(Campaign.school_id == campaign.school_id, Campaign.id != campaign.id,
               Instrument.key == campaign.instrument.key, Campaign.status == "closed",
               Campaign.created_at <= campaign.created_at)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(1))


def previous_results(campaign: Campaign) -> Optional[dict]:
    prev = previous_campaign(campaign)
    if prev is None:
        return None
    overall, _classes = scale_indices(prev)
    n = respondents_of(prev.id)
    return {"campaign": prev, "respondents": n, "suppressed": n < prev.min_group_size,
            "scales": {k: v["index"] for k, v in overall.items()}}


def raw_rows(campaign: Campaign, suppressed_targets: set[int]) -> Iterable[tuple[int, Optional[int], dict]]:
    """(row number, target id or None when its class is hidden, {answer key: value}), one per
    complete response in a random order (disclosure rule 5: the order of arrival is not kept),
    read with one query over the Answer rows."""
    query = (select(Answer.response_id, Response.target_id, Answer.item_key, Answer.value, Answer.option, Answer.text)
             .join(Response, Response.id == Answer.response_id)
             .where(Answer.campaign_id == campaign.id, Response.campaign_id == campaign.id, Response.status == "complete")
             .order_by(Answer.response_id, Answer.item_key, Answer.option))
    responses: list[tuple[Optional[int], dict]] = []
    current, values = None, {}
    # Core execution: these are plain columns, and the ORM's row processing tripled the time
    # of this loop (5,000 responses: 0.53 -> 0.17 s).
    # (yield_per per statement: set on the connection it stayed, and PostgreSQL then ran the
    # transaction's next INSERT as a server-side cursor.)
    rows = db.session.connection().execute(query, execution_options={"yield_per": 5000})
    for response_id, target_id, key, value, option, text in rows:
        if response_id != current:
            current, values = response_id, {}
            responses.append((None if target_id in suppressed_targets else target_id, values))
        shown = text if text is not None else (option if option is not None else value)
        if key in values and option is not None:
            values[key] = f"{values[key]}, {option}"
        else:
            values[key] = shown
    for number, (target, values) in enumerate(disclosure.shuffled(responses), start=1):
        yield number, target, values
