"""When a school's figure differs from the district's beyond chance.

Rates (pass rate, quality of knowledge): the Wilson score interval (Wilson, E. B. 1927,
"Probable inference, the law of succession, and statistical inference", JASA 22:209-212;
recommended for small n by Brown, Cai & DasGupta 2001, Statistical Science 16:101-133, eq. 4),
in its closed form: scipy's binomtest(k, n).proportion_ci(method="wilson") gives the same interval
(tests/district/test_district_stats.py compares them) but first searches the test's p-value, about
1 ms a call, and the district results page draws some 2,000 intervals at 20 schools. Means of marks (SOU, mean mark): mean +- 1.96 s / sqrt(n) from the marks' counts.
A school is flagged above or below the district only when the district's figure lies outside
the school's 95 % interval (the comparison of a funnel plot: Spiegelhalter, D. J. 2005,
Statistics in Medicine 24:1185-1202); otherwise the difference is within noise and is not
shown as a difference."""
from dataclasses import dataclass
from math import sqrt
from typing import Optional

from scipy.stats import norm

Z95 = float(norm.ppf(0.975))  # 1.959964...

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
    """The 95 % Wilson interval of k successes in n, in percent (None without n):
    (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), p = k/n, z = Z95."""
    if not n:
        return None
    p, z2 = k / n, Z95 * Z95
    centre = p + z2 / (2 * n)
    half = Z95 * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    return Interval(100 * max(0.0, (centre - half) / scale), 100 * min(1.0, (centre + half) / scale))


def mean_interval(counts: dict[int, int], points: dict[int, float]) -> Optional[Interval]:
    """The 95 % interval of the mean of per-mark points (marks 5..1 with `counts`)."""
    n = sum(counts.values())
    if n < 2:
        return None
    mean = sum(points[m] * c for m, c in counts.items()) / n
    variance = sum(c * (points[m] - mean) ** 2 for m, c in counts.items()) / (n - 1)
    half = Z95 * sqrt(variance / n)
    return Interval(mean - half, mean + half)
