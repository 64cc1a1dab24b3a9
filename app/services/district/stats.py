"""When a school's figure differs from the district's beyond chance.

Rates (pass rate, quality of knowledge): the Wilson score interval (Wilson, E. B. 1927,
"Probable inference, the law of succession, and statistical inference", JASA 22:209-212;
recommended for small n by Brown, Cai & DasGupta 2001, Statistical Science 16:101-133), from
scipy. Means of marks (SOU, mean mark): mean +- 1.96 s / sqrt(n) from the marks' counts.
A school is flagged above or below the district only when the district's figure lies outside
the school's 95 % interval (the comparison of a funnel plot: Spiegelhalter, D. J. 2005,
Statistics in Medicine 24:1185-1202); otherwise the difference is within noise and is not
shown as a difference."""
from dataclasses import dataclass
from math import sqrt
from typing import Optional

from scipy.stats import binomtest

Z95 = 1.959964

SOU_POINTS = {5: 100, 4: 64, 3: 36, 2: 16, 1: 7}
MARK_POINTS = {5: 5, 4: 4, 3: 3, 2: 2, 1: 1}


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def compare(self, reference: Optional[float]) -> str:
        """'above' or 'below' when `reference` lies outside the interval, else 'noise'."""
        if reference is None:
            return "noise"
        if reference < self.low:
            return "above"
        if reference > self.high:
            return "below"
        return "noise"


def wilson(k: int, n: int) -> Optional[Interval]:
    """The 95 % Wilson interval of k successes in n, in percent (None without n)."""
    if not n:
        return None
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Interval(100 * float(ci.low), 100 * float(ci.high))


def mean_interval(counts: dict[int, int], points: dict[int, float]) -> Optional[Interval]:
    """The 95 % interval of the mean of per-mark points (marks 5..1 with `counts`)."""
    n = sum(counts.values())
    if n < 2:
        return None
    mean = sum(points[m] * c for m, c in counts.items()) / n
    variance = sum(c * (points[m] - mean) ** 2 for m, c in counts.items()) / (n - 1)
    half = Z95 * sqrt(variance / n)
    return Interval(mean - half, mean + half)
