"""Internal consistency of a closed campaign's sub-scales (issue 20, part 3): Cronbach's alpha
and the corrected item-total correlation of each item, on the results page
(templates/surveys/_reliability.html) and in the campaign workbook (sheet "Reliability").

    campaign_reliability(campaign) -> list[ScaleReliability] | None
    write_sheet(book, campaign, lang)                      the workbook's sheet

The statistics are surveys/reliability.py's (formulas and sources there):

    alpha = k / (k - 1) * (1 - sum_i var(item_i) / var(total))          Cronbach (1951)
    r_i   = Pearson r(item_i, sum of the other k - 1 items)              corrected item-total r

over the respondents x items matrix of one scale: the complete responses, each item's stored
score (reverse items already reversed), respondents with a missing item left out (listwise).
Only for a CLOSED campaign with at least its minimum group of respondents (anonymity, and the
figure does not move any more), and only for scales of at least 2 items.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Campaign, Response
from app.services.exports.core import INT, MEAN, TEXT, Column
from app.services.surveys.results import label_text, respondents_of
from surveys import reliability

ACCEPTABLE = 0.7  # the usual threshold (Nunnally 1978): alpha >= 0.7 acceptable
WEAK_ITEM = 0.3  # an item whose corrected item-total r is below this does not measure what the others do

READINGS = {  # George & Mallery (2003), the usual rule of thumb
    "excellent": _l("excellent"), "good": _l("good"), "acceptable": _l("acceptable"),
    "low": _l("low (below 0.7)"), "undefined": _l("cannot be computed"),
}


def reading(alpha: Optional[float]) -> str:
    """'excellent' (>= 0.9), 'good' (>= 0.8), 'acceptable' (>= 0.7), 'low' (< 0.7) or
    'undefined' (None)."""
    if alpha is None:
        return "undefined"
    if alpha >= 0.9:
        return "excellent"
    if alpha >= 0.8:
        return "good"
    return "acceptable" if alpha >= ACCEPTABLE else "low"


@dataclass
class ItemReliability:
    key: str  # answer key (a matrix row as item.row)
    label: Any  # schema item or matrix row (results.label_text)
    item_total: Optional[float]  # corrected item-total r, None where undefined
    reverse: bool = False

    def title(self, lang: str) -> str:
        return label_text(self.label, lang)

    @property
    def weak(self) -> bool:
        return self.item_total is not None and self.item_total < WEAK_ITEM


@dataclass
class ScaleReliability:
    key: str
    title: Any  # schema Text
    n: int  # respondents with every item of the scale answered (listwise)
    alpha: Optional[float]
    items: list[ItemReliability] = field(default_factory=list)

    @property
    def reading(self) -> str:
        return reading(self.alpha)

    @property
    def reading_label(self) -> str:
        return str(READINGS[self.reading])

    @property
    def low(self) -> bool:
        return self.alpha is not None and self.alpha < ACCEPTABLE

    @property
    def low_note(self) -> str:
        return low_note()


def eligible(campaign: Campaign) -> bool:
    """A closed campaign with at least its minimum group of complete responses."""
    return campaign.status == "closed" and respondents_of(campaign.id) >= campaign.min_group_size


def campaign_reliability(campaign: Campaign) -> Optional[list[ScaleReliability]]:
    """Alpha and item-total r per scale of at least 2 scored items, in the instrument's order of
    scales; None when the campaign is not eligible (not closed, or below the minimum group).
    One query reads the scores of the scales' items of the complete responses."""
    if not eligible(campaign):
        return None
    spec = campaign.instrument.spec
    by_scale: dict[str, list[tuple[str, Any, bool]]] = {}
    for key, item, scale, reverse, _rng in spec.scored():
        if scale is not None:
            row = next((r for r in getattr(item, "rows", None) or [] if f"{item.key}.{r.key}" == key), None)
            by_scale.setdefault(scale, []).append((key, row if row is not None else item, reverse))
    scales = [s for s in spec.scales if len(by_scale.get(s.key, [])) >= 2]
    if not scales:
        return []
    keys = {key for s in scales for key, _i, _r in by_scale[s.key]}
    scores: dict[int, dict[str, float]] = {}
    for response_id, key, score in db.session.execute(
            select(Answer.response_id, Answer.item_key, Answer.score)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.campaign_id == campaign.id, Response.campaign_id == campaign.id, Response.status == "complete",
                   Answer.item_key.in_(keys), Answer.score.is_not(None))):
        scores.setdefault(response_id, {})[key] = float(score)
    out = []
    for s in scales:
        items = by_scale[s.key]
        matrix = [[answers.get(key) for key, _i, _r in items] for answers in scores.values()]
        complete = reliability.complete_rows(matrix)
        correlations = reliability.item_total_correlations(matrix)
        out.append(ScaleReliability(
            s.key, s.title, len(complete), reliability.cronbach_alpha(matrix),
            [ItemReliability(key, label, r, reverse) for (key, label, reverse), r in zip(items, correlations,
                                                                                       strict=True)]))
    return out


def r2(value):
    return None if value is None else round(value, 2)


def write_sheet(book, campaign: Campaign, lang: str) -> None:
    """The workbook's "Reliability" sheet: one row per scale (alpha, reading, n) followed by
    its items' item-total r; a note row when the campaign is not eligible. Values rounded to 2
    decimals, as on the results page."""
    columns = [Column(_("Scale"), TEXT, 28), Column(_("Question"), TEXT, 50), Column(_("Respondents"), INT),
               Column(_("Cronbach's alpha"), MEAN), Column(_("Item-total correlation"), MEAN),
               Column(_("Reading"), TEXT, 40)]
    sheet = book.add_table(_("Reliability"), campaign.title, columns,
                           _("Internal consistency of each scale of at least 2 questions, for a closed campaign "
                             "with at least the minimum group: Cronbach's alpha = k/(k-1) x (1 - sum of item "
                             "variances / variance of the totals) (Cronbach 1951), over respondents who answered "
                             "every question of the scale; 0.7 or more is acceptable. Item-total correlation: "
                             "Pearson r of the question with the sum of the scale's other questions; below 0.3 "
                             "the question does not measure what the others do."))
    scales = campaign_reliability(campaign)
    if scales is None:
        sheet.write_row(["", _("Reliability is computed when the campaign is closed and has at least the "
                               "minimum group of respondents.")])
    for s in scales or []:
        note = s.reading_label
        if s.low:
            note += ". " + low_note()
        sheet.write_row([s.title.pick(lang), "", s.n, r2(s.alpha), None, note])
        for it in s.items:
            sheet.write_row([s.title.pick(lang), it.title(lang), None, None, r2(it.item_total),
                             _("weak item (below 0.3)") if it.weak else ""])
    sheet.finish()


def low_note() -> str:
    return _("Alpha below 0.7: the questions of this scale may not measure one thing; look at the questions "
             "with a low item-total correlation (a reverse question worded the other way, or a different topic) "
             "before reading the scale's index.")
