"""The district's intervals: the closed-form Wilson interval equals scipy's."""
import pytest
from scipy.stats import binomtest

from app.services.district import stats


@pytest.mark.one_run("sqlite", "arithmetic, no database")
def test_the_wilson_interval_is_scipy_s():
    for n in (1, 2, 3, 7, 10, 29, 100, 1000, 24_317):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            if not 0 <= k <= n:
                continue
            ours = stats.wilson(k, n)
            theirs = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
            assert ours.low == pytest.approx(100 * theirs.low, abs=1e-9), (k, n)
            assert ours.high == pytest.approx(100 * theirs.high, abs=1e-9), (k, n)
    assert stats.wilson(0, 0) is None


@pytest.mark.one_run("sqlite", "arithmetic, no database")
def test_a_school_is_flagged_only_outside_its_interval():
    # 45 of 50 passed (90 %, interval 78.6-95.7 %): a district at 80 % is within noise, at 70 % the
    # school is above it, at 97 % below it.
    interval = stats.wilson(45, 50)
    assert round(interval.low, 1) == 78.6 and round(interval.high, 1) == 95.7
    assert interval.compare(80.0) == "noise" and interval.compare(70.0) == "above"
    assert interval.compare(97.0) == "below"
