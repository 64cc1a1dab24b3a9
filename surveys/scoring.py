"""Scoring of instruments: score ranges, reverse items, per-scale means, index 0-100, top-2 share.

The same formulas are used by the SQL aggregates of campaign results (app/services/surveys/
campaigns.py stores the reverse-applied score of every answer, so SQL only averages and counts).
This module reads items through their own methods (score_range, value) and imports none of
them:

    score      = value, or (min + max - value) for a reverse item
    scale mean = mean of a respondent's scores on the scale's items (then averaged over respondents)
    index      = (mean - min) / (max - min) * 100
    top-2      = share of answers whose score is in the two highest boxes (score >= max - 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional


def item_range(item) -> Optional[tuple[float, float]]:
    """(min, max) of a scored item, None for items without a score (text, number, multi); the
    item type knows it (surveys/items/)."""
    return item.score_range()


def raw_value(item, answer: Any) -> Optional[float]:
    """The numeric value of an answer before reversing (option key -> its score, yes -> 1)."""
    if answer is None or answer == "":
        return None
    return item.value(answer)


def reverse_score(value: float, lo: float, hi: float) -> float:
    return lo + hi - value


def score(value: Optional[float], lo: float, hi: float, reverse: bool = False) -> Optional[float]:
    if value is None:
        return None
    return reverse_score(value, lo, hi) if reverse else value


def index(mean: Optional[float], lo: float, hi: float) -> Optional[float]:
    """Index 0-100 of a mean on the range [lo, hi]."""
    if mean is None or hi == lo:
        return None
    return (mean - lo) / (hi - lo) * 100.0


def is_top2(score_value: float, hi: float) -> bool:
    return score_value >= hi - 1


def top2_share(scores: Iterable[Optional[float]], hi: float) -> Optional[float]:
    """Percentage of (already reverse-applied) scores in the two highest boxes."""
    values = [s for s in scores if s is not None]
    if not values:
        return None
    return 100.0 * sum(1 for s in values if is_top2(s, hi)) / len(values)


def mean(values: Iterable[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


@dataclass(frozen=True)
class ScaleScore:
    key: str
    n_items: int
    mean: Optional[float]
    index: Optional[float]
    lo: float
    hi: float


def item_scores(instrument, answers: dict[str, Any]) -> dict[str, tuple[Optional[str], float, float, float]]:
    """answer key -> (scale, score, lo, hi) for every answered scored item of one response."""
    out = {}
    for key, item, scale, reverse, (lo, hi) in instrument.scored():
        value = raw_value(item, answers.get(key))
        if value is not None:
            out[key] = (scale, score(value, lo, hi, reverse), lo, hi)
    return out


def scale_scores(instrument, answers: dict[str, Any]) -> dict[str, ScaleScore]:
    """Per-scale mean (reverse items reversed) and index 0-100 of one response."""
    scored = item_scores(instrument, answers)
    result = {}
    for scale in instrument.scales:
        values = [(s, lo, hi) for sc, s, lo, hi in scored.values() if sc == scale.key]
        rng = next(((lo, hi) for _k, _i, sc, _r, (lo, hi) in instrument.scored() if sc == scale.key), (1.0, 5.0))
        m = mean(s for s, _lo, _hi in values)
        result[scale.key] = ScaleScore(scale.key, len(values), m, index(m, *rng), *rng)
    return result


def scale_ranges(instrument) -> dict[str, tuple[float, float]]:
    """scale key -> (min, max) shared by its items."""
    out: dict[str, tuple[float, float]] = {}
    for _key, _item, scale, _reverse, rng in instrument.scored():
        if scale and scale not in out:
            out[scale] = rng
    return out
