"""Reliability of instruments and agreement of observers (issue 20, part 3): pure functions.

    cronbach_alpha(matrix) -> float | None                  internal consistency of a sub-scale
    item_total_correlations(matrix) -> list[float | None]   corrected item-total r, per item
    weighted_kappa(rater_a, rater_b, categories) -> float | None   Cohen's kappa, quadratic weights
    agreement(rater_a, rater_b) -> Agreement | None          exact and within-one-level shares
    fleiss_kappa(subjects, categories) -> float | None       Fleiss' kappa, 3 or more raters

A `matrix` is respondents x items: a sequence of rows, one per respondent, each a sequence of
the k item scores (numbers; None, or NaN, for a missing answer), all rows of the same length.
Scores should already be reverse-applied (surveys.scoring.score), as the app stores them.

Missing data: α and the item-total correlations use LISTWISE deletion: a respondent with any
missing item is left out entirely (complete_rows); the raters' functions leave out a pair where
either rating is missing (the N/A of a criterion). Nothing is imputed.

Undefined statistics are None, never a made-up number: fewer than 2 items, fewer than 2
complete respondents, a variance of 0 where the formula divides by it, no rated pair, ...

Libraries: variances and Pearson's r come from Python's `statistics` module (exact rational
arithmetic inside; sample variance with n - 1). Cohen's weighted kappa is scikit-learn's
`cohen_kappa_score(weights="quadratic", labels=...)` (a pinned dependency); the tests check it
against hand computations. Fleiss' kappa is the formula of Fleiss (1971) in numpy (statsmodels'
`fleiss_kappa` computes the same for a constant number of raters, but would bring pandas into the
app for one formula). Used by app/services/surveys/consistency.py (alpha per scale of a
campaign) and app/services/observations/agreement.py (observers' agreement).
"""
from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from sklearn.metrics import cohen_kappa_score

Number = float


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def complete_rows(matrix: Sequence[Sequence[Optional[Number]]]) -> list[list[float]]:
    """The rows of `matrix` without a missing score (listwise deletion), as floats.

    Raises ValueError when rows differ in length."""
    rows = [list(r) for r in matrix]
    if rows and len({len(r) for r in rows}) > 1:
        raise ValueError("every row of the matrix needs the same number of items")
    return [[float(v) for v in r] for r in rows if not any(_missing(v) for v in r)]


def cronbach_alpha(matrix: Sequence[Sequence[Optional[Number]]]) -> Optional[float]:
    """Cronbach's alpha of k items answered by n respondents (rows with a missing item excluded).

        alpha = k / (k - 1) * (1 - sum_i var(item_i) / var(total))

    where total is each respondent's sum of the k items and var is the sample variance
    (ddof = 1; any common ddof gives the same ratio). Source: Cronbach, L. J. (1951).
    Coefficient alpha and the internal structure of tests. Psychometrika 16(3), 297-334,
    formula (2). Usual reading: >= 0.9 excellent, >= 0.8 good, >= 0.7 acceptable, below 0.7
    questionable (Nunnally 1978; George & Mallery 2003). alpha can be negative when items
    correlate negatively (e.g. a reverse item not reversed).

    Returns None when k < 2, when fewer than 2 complete respondents remain, or when the
    variance of the totals is 0 (everyone has the same total). Raises ValueError for rows of
    different lengths.
    """
    rows = complete_rows(matrix)
    if len(rows) < 2:
        return None
    k = len(rows[0])
    if k < 2:
        return None
    item_variances = [statistics.variance(col) for col in zip(*rows, strict=True)]
    total_variance = statistics.variance([sum(r) for r in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - sum(item_variances) / total_variance)


def _pearson(x: Sequence[float], y: Sequence[float]) -> Optional[float]:
    if len(x) < 2:
        return None
    try:
        return statistics.correlation(x, y)
    except statistics.StatisticsError:  # a constant series: r is undefined
        return None


def item_total_correlations(matrix: Sequence[Sequence[Optional[Number]]]) -> list[Optional[float]]:
    """Corrected item-total correlation of each item (rows with a missing item excluded).

        r_i = Pearson r between item i and the sum of the OTHER k - 1 items

    ("corrected": the item is left out of the total, so it is not correlated with itself).
    Source: e.g. Nunnally, J. C. & Bernstein, I. H. (1994). Psychometric Theory, 3rd ed.,
    ch. 8; values below about 0.3 mark an item that does not measure what the others do.

    Returns a list of k values (k = the matrix's number of items), each None where r is
    undefined: k < 2, fewer than 2 complete respondents, or an item or rest-total that does not
    vary. An empty matrix gives []. Raises ValueError for rows of different lengths.
    """
    rows = complete_rows(matrix)
    k = len(matrix[0]) if len(matrix) else 0
    if k < 2 or len(rows) < 2:
        return [None] * k
    totals = [sum(r) for r in rows]
    return [_pearson([r[i] for r in rows], [t - r[i] for r, t in zip(rows, totals, strict=True)]) for i in range(k)]


def _pairs(rater_a: Sequence, rater_b: Sequence) -> list[tuple]:
    if len(rater_a) != len(rater_b):
        raise ValueError(f"the raters rated {len(rater_a)} and {len(rater_b)} things: they must be paired")
    return [(a, b) for a, b in zip(rater_a, rater_b, strict=True) if not _missing(a) and not _missing(b)]


def weighted_kappa(rater_a: Sequence, rater_b: Sequence, categories: Sequence) -> Optional[float]:
    """Cohen's weighted kappa with quadratic weights for two raters of the same n things.

    rater_a, rater_b  paired ratings (e.g. two observers' levels on each criterion of one lesson
                      or of many); a pair where either is None / NaN (N/A) is left out
    categories        all possible ratings IN ORDER, e.g. [0, 1, 2] or [1, 2, 3, 4]; the weight
                      depends on the distance of positions in this list, so a level that nobody
                      used still counts

    With k categories, o_ij the observed share of pairs rated (i, j), p_i and q_j the two
    raters' marginal shares, and the quadratic disagreement weights w_ij = (i - j)^2 / (k - 1)^2:

        kappa_w = 1 - sum_ij w_ij o_ij / sum_ij w_ij p_i q_j

    (observed over chance-expected weighted disagreement). Source: Cohen, J. (1968). Weighted
    kappa: nominal scale agreement with provision for scaled disagreement or partial credit.
    Psychological Bulletin 70(4), 213-220; quadratic weights as in Fleiss & Cohen (1973). Same
    computed by scikit-learn's cohen_kappa_score(a, b, labels=categories, weights="quadratic").
    1 = perfect agreement, 0 = agreement at chance level, < 0 worse than chance.

    Returns None when no pair is left, when k < 2, or when the expected disagreement is 0
    (both raters gave every thing the same single category: kappa is 0/0). Raises ValueError
    for raters of different lengths or a rating not in `categories`.
    """
    pairs = _pairs(rater_a, rater_b)
    k = len(categories)
    if not pairs or k < 2:
        return None
    if len(set(categories)) != k:
        raise ValueError("categories must be distinct")
    known = set(categories)
    for a, b in pairs:
        if a not in known or b not in known:
            bad = a if a not in known else b
            raise ValueError(f"rating {bad!r} is not one of the categories {list(categories)!r}")
    # Positions in `categories` are what the quadratic weight measures (a level nobody used counts).
    position = {c: i for i, c in enumerate(categories)}
    a = [position[x] for x, _y in pairs]
    b = [position[y] for _x, y in pairs]
    if len(set(a)) == 1 and set(a) == set(b):
        return None  # both raters used one single category: kappa is 0/0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kappa = cohen_kappa_score(a, b, labels=list(range(k)), weights="quadratic")
    return None if math.isnan(kappa) else float(kappa)


@dataclass(frozen=True)
class Agreement:
    """n rated pairs; exact = share (0..1) of pairs with equal ratings; within_one = share whose
    ratings differ by at most one level."""

    n: int
    exact: float
    within_one: float


def agreement(rater_a: Sequence, rater_b: Sequence) -> Optional[Agreement]:
    """Exact agreement and agreement within one level of two raters (numeric levels).

        exact      = #(a == b) / n
        within_one = #(|a - b| <= 1) / n

    over the n pairs where both rated (None / NaN pairs left out). These are the percentages of
    agreement that observation tools such as the World Bank's Teach report for their observers
    (Molina et al. 2020, "Measuring the quality of teaching practices in primary schools",
    Teach manual: exact and within-one agreement).

    Returns None when no pair is left. Raises ValueError for raters of different lengths.
    """
    pairs = _pairs(rater_a, rater_b)
    if not pairs:
        return None
    n = len(pairs)
    exact = sum(1 for a, b in pairs if a == b)
    within = sum(1 for a, b in pairs if abs(a - b) <= 1)
    return Agreement(n=n, exact=exact / n, within_one=within / n)


def fleiss_kappa(subjects: Sequence[Sequence], categories: Sequence) -> Optional[float]:
    """Fleiss' kappa: agreement of several raters (three or more observers of the same lesson)
    on nominal categories, beyond chance.

    subjects    one sequence per rated thing (a criterion of a lesson): every rater's rating of
                it; None / NaN (N/A) is left out, and a thing left with fewer than 2 ratings too
    categories  the possible ratings (their order does not matter: kappa is unweighted)

    With N things, n_i ratings of thing i, n_ij of them in category j:

        P_i  = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1))     agreement on thing i (pairs that agree)
        p_j  = sum_i n_ij / sum_i n_i                       share of all ratings in category j
        P    = mean_i P_i,   P_e = sum_j p_j^2
        kappa = (P - P_e) / (1 - P_e)

    Source: Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5), 378-382, formulas (1)-(9); with a varying number of ratings per
    thing as in Fleiss, Levin & Paik (2003), Statistical Methods for Rates and Proportions, 3rd
    ed., §18.1. With the same number of raters for every thing it equals statsmodels'
    `statsmodels.stats.inter_rater.fleiss_kappa(table, method="fleiss")`. 1 = perfect
    agreement, 0 = chance level, < 0 worse than chance.

    Returns None when no thing has 2 ratings or when P_e = 1 (every rating in one category:
    0/0). Raises ValueError for a rating not in `categories`.
    """
    index = {c: i for i, c in enumerate(categories)}
    table = []
    for ratings in subjects:
        given = [r for r in ratings if not _missing(r)]
        if len(given) < 2:
            continue
        row = np.zeros(len(index))
        for r in given:
            if r not in index:
                raise ValueError(f"rating {r!r} is not one of the categories {list(categories)!r}")
            row[index[r]] += 1
        table.append(row)
    if not table:
        return None
    counts = np.array(table)
    n_i = counts.sum(axis=1)
    agreement_i = (counts * (counts - 1)).sum(axis=1) / (n_i * (n_i - 1))
    p_j = counts.sum(axis=0) / n_i.sum()
    expected = float((p_j ** 2).sum())
    if math.isclose(expected, 1.0):
        return None
    return (float(agreement_i.mean()) - expected) / (1 - expected)
