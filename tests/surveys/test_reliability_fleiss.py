"""Fleiss' kappa (surveys/reliability.py) against hand computations."""
import pytest

from surveys.reliability import fleiss_kappa

# Three observers' levels (1-3) on four criteria of one lesson.
THREE_OBSERVERS = [[1, 1, 1], [2, 2, 3], [3, 3, 3], [1, 2, 3]]


def test_fleiss_kappa_matches_the_hand_computation():
    # Per criterion, agreeing pairs / all pairs: P = 6/6, 2/6, 6/6, 0/6; mean P = 7/12.
    # Ratings per level: 4, 3, 5 of 12, so P_e = (16 + 9 + 25) / 144 = 25/72.
    # kappa = (7/12 - 25/72) / (1 - 25/72) = (17/72) / (47/72) = 17/47 = 0.3617.
    assert fleiss_kappa(THREE_OBSERVERS, [1, 2, 3]) == pytest.approx(17 / 47)
    # A level nobody used changes nothing (p_j = 0), nor does the order of the categories.
    assert fleiss_kappa(THREE_OBSERVERS, [0, 1, 2, 3]) == pytest.approx(17 / 47)
    assert fleiss_kappa(THREE_OBSERVERS, [3, 1, 2]) == pytest.approx(17 / 47)


def test_fleiss_kappa_of_fleiss_table_of_14_raters():
    # The worked example of 10 things rated by 14 raters into 5 categories (counts per
    # category): P = 0.378, P_e = 0.213, kappa = 0.210 (to 3 decimals).
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    subjects = [[c for c, n in enumerate(row, start=1) for _ in range(n)] for row in counts]
    assert round(fleiss_kappa(subjects, [1, 2, 3, 4, 5]), 3) == 0.210


def test_not_applicable_ratings_and_undefined_kappa():
    # An N/A leaves 2 ratings on the criterion: P = 2·1 / (2·1) = 1 for (2, 2); the others as above.
    with_na = [[1, 1, 1], [2, 2, None], [3, 3, 3], [1, 2, 3]]
    # P = 1, 1, 1, 0 -> mean 3/4; ratings per level 4, 3, 4 of 11: P_e = (16 + 9 + 16) / 121 = 41/121.
    # kappa = (3/4 - 41/121) / (1 - 41/121) = (363 - 164) / 484 / (80/121) = 199/320.
    assert fleiss_kappa(with_na, [1, 2, 3]) == pytest.approx(199 / 320)
    assert fleiss_kappa([[2, 2, 2], [2, 2, 2]], [1, 2, 3]) is None  # one level only: 0/0
    assert fleiss_kappa([[1], [None, 2]], [1, 2, 3]) is None  # no thing with 2 ratings
    assert fleiss_kappa([[1, 2, 3], [1, 2, 3]], [1, 2, 3]) == pytest.approx(-0.5)  # P = 0, P_e = 1/3
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 9, 1]], [1, 2, 3])
