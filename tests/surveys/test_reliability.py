"""surveys.reliability against cases computed by hand (the arithmetic is written out here)."""
import math

import pytest

from surveys.reliability import (
    Agreement,
    agreement,
    complete_rows,
    cronbach_alpha,
    item_total_correlations,
    weighted_kappa,
)

# Five respondents, three items (scores 1-5).
#
#            item1 item2 item3 | total
#   R1         4     5     4   |  13
#   R2         3     3     2   |   8
#   R3         5     4     5   |  14
#   R4         2     3     3   |   8
#   R5         4     4     3   |  11
#   mean      3.6   3.8   3.4  |  10.8
#
# Sample variances (sum of squared deviations / (n - 1) = / 4):
#   item1: .4² + .6² + 1.4² + 1.6² + .4² = .16 + .36 + 1.96 + 2.56 + .16 = 5.2  -> 1.3
#   item2: 1.2² + .8² + .2² + .8² + .2² = 1.44 + .64 + .04 + .64 + .04 = 2.8    -> 0.7
#   item3: .6² + 1.4² + 1.6² + .4² + .4² = .36 + 1.96 + 2.56 + .16 + .16 = 5.2  -> 1.3
#   total: 2.2² + 2.8² + 3.2² + 2.8² + .2² = 4.84 + 7.84 + 10.24 + 7.84 + .04 = 30.8 -> 7.7
# alpha = 3/2 * (1 - (1.3 + 0.7 + 1.3) / 7.7) = 1.5 * (1 - 3/7) = 1.5 * 4/7 = 6/7 = 0.857142...
MATRIX = [
    [4, 5, 4],
    [3, 3, 2],
    [5, 4, 5],
    [2, 3, 3],
    [4, 4, 3],
]


def test_cronbach_alpha_matches_the_hand_computation():
    assert cronbach_alpha(MATRIX) == pytest.approx(6 / 7, abs=1e-12)


def test_missing_answers_are_excluded_listwise():
    with_gaps = MATRIX + [[1, None, 5], [float("nan"), 2, 2]]
    assert len(complete_rows(with_gaps)) == 5
    assert cronbach_alpha(with_gaps) == pytest.approx(6 / 7, abs=1e-12)


def test_item_total_correlations_match_the_hand_computation():
    # Corrected item-total: each item against the sum of the two OTHER items.
    # item1 vs item2+item3 = 9, 5, 9, 6, 7 (mean 7.2; deviations 1.8, -2.2, 1.8, -1.2, -.2)
    #   cross products with item1's deviations (.4, -.6, 1.4, -1.6, .4):
    #   .72 + 1.32 + 2.52 + 1.92 - .08 = 6.4; rest sum of squares 3.24+4.84+3.24+1.44+.04 = 12.8
    #   r1 = 6.4 / sqrt(5.2 * 12.8) = 6.4 / sqrt(66.56) = 0.78446...
    # item2 vs item1+item3 = 8, 5, 10, 5, 7 (mean 7; deviations 1, -2, 3, -2, 0)
    #   cross products with (1.2, -.8, .2, -.8, .2): 1.2 + 1.6 + .6 + 1.6 + 0 = 5.0; rest SS 18
    #   r2 = 5 / sqrt(2.8 * 18) = 5 / sqrt(50.4) = 0.70430...
    # item3 vs item1+item2 = 9, 6, 9, 5, 8 (mean 7.4; deviations 1.6, -1.4, 1.6, -2.4, .6)
    #   cross products with (.6, -1.4, 1.6, -.4, -.4): .96 + 1.96 + 2.56 + .96 - .24 = 6.2;
    #   rest SS 2.56 + 1.96 + 2.56 + 5.76 + .36 = 13.2
    #   r3 = 6.2 / sqrt(5.2 * 13.2) = 6.2 / sqrt(68.64) = 0.74835...
    r = item_total_correlations(MATRIX)
    assert r == pytest.approx([6.4 / math.sqrt(66.56), 5 / math.sqrt(50.4), 6.2 / math.sqrt(68.64)], abs=1e-12)
    assert [round(x, 3) for x in r] == [0.784, 0.704, 0.748]


def test_alpha_and_item_total_are_none_when_undefined():
    assert cronbach_alpha([]) is None
    assert cronbach_alpha([[1, 2, 3]]) is None                      # one respondent
    assert cronbach_alpha([[1, None], [2, 3], [None, 1]]) is None   # one complete respondent
    assert cronbach_alpha([[1], [2], [3]]) is None                  # one item
    assert cronbach_alpha([[3, 3], [3, 3], [3, 3]]) is None         # every total the same
    assert cronbach_alpha([[1, 2], [2, 1]]) is None                 # totals 3 and 3: variance 0
    assert item_total_correlations([]) == []
    assert item_total_correlations([[1], [2]]) == [None]
    assert item_total_correlations([[1, 2, 3], [None, 1, 1]]) == [None, None, None]
    # item 1 never varies: its r is undefined, the others are not
    r = item_total_correlations([[2, 1, 1], [2, 2, 3], [2, 3, 2]])
    assert r[0] is None and r[1] == pytest.approx(0.5) and r[2] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        cronbach_alpha([[1, 2], [1, 2, 3]])


def test_alpha_is_negative_when_items_disagree():
    # item2 = 6 - item1 (a reverse item left unreversed): var(total) = 0 -> undefined ...
    assert cronbach_alpha([[1, 5], [2, 4], [3, 3]]) is None
    # ... and a weaker opposition gives a negative alpha (Cronbach's formula allows it)
    assert cronbach_alpha([[1, 5, 3], [2, 3, 3], [3, 2, 4], [4, 1, 2]]) < 0


# Two observers' levels (0-2) on the 10 criteria of one lesson.
#
#   criterion   1  2  3  4  5  6  7  8  9  10
#   A           2  1  2  0  1  2  1  0  2  1
#   B           2  1  1  0  2  2  1  1  2  0
#   |A - B|     0  0  1  0  1  0  0  1  0  1
#
# Quadratic weights with k = 3 levels: w = (i - j)² / (k - 1)² = 0 (same), 1/4 (one apart), 1 (two).
# Observed weighted disagreement: 4 pairs one apart, none two apart: 4 * 1/4 / 10 = 0.10
# Marginal shares: A: level 0 2/10, level 1 4/10, level 2 4/10;  B: the same, .2 .4 .4
# Expected weighted disagreement  sum w_ij p_i q_j:
#   one apart: (0,1) .2*.4 + (1,0) .4*.2 + (1,2) .4*.4 + (2,1) .4*.4 = .08+.08+.16+.16 = .48, * 1/4 = .12
#   two apart: (0,2) .2*.4 + (2,0) .4*.2 = .16, * 1 = .16
#   total .28
# kappa_w = 1 - .10 / .28 = 1 - 5/14 = 9/14 = 0.642857...
# Exact agreement 6/10 = 0.6; within one level 10/10 = 1.0.
A = [2, 1, 2, 0, 1, 2, 1, 0, 2, 1]
B = [2, 1, 1, 0, 2, 2, 1, 1, 2, 0]


def test_weighted_kappa_matches_the_hand_computation():
    assert weighted_kappa(A, B, [0, 1, 2]) == pytest.approx(9 / 14, abs=1e-12)


def test_weighted_kappa_on_levels_one_to_four():
    # Levels 1-4 on 10 criteria; k = 4, w = (i - j)² / 9: one apart 1/9, two apart 4/9.
    #   A  1 2 3 4 4 3 2 1 2 3        B  1 2 4 4 3 3 1 1 4 3
    #   |A-B|: 0 0 1 0 1 0 1 0 2 0  -> observed = (3 * 1/9 + 4/9) / 10 = (7/9) / 10 = 7/90
    # Marginals A: level1 2, 2 3, 3 3, 4 2 (/10);  B: level1 3, 2 1, 3 3, 4 3 (/10)
    # Expected = sum w_ij p_i q_j with p = (.2,.3,.3,.2), q = (.3,.1,.3,.3):
    #   one apart  (1,2) .2*.1 (2,1) .3*.3 (2,3) .3*.3 (3,2) .3*.1 (3,4) .3*.3 (4,3) .2*.3
    #              = .02 + .09 + .09 + .03 + .09 + .06 = .38            -> .38/9
    #   two apart  (1,3) .2*.3 (3,1) .3*.3 (2,4) .3*.3 (4,2) .2*.1 = .06+.09+.09+.02 = .26 -> 4*.26/9
    #   three apart (1,4) .2*.3 (4,1) .2*.3 = .12                      -> 9*.12/9 = .12
    #   expected = (.38 + 1.04 + 1.08) / 9 = 2.5/9
    # kappa_w = 1 - (7/90) / (2.5/9) = 1 - 0.7/2.5 = 1 - 0.28 = 0.72
    a = [1, 2, 3, 4, 4, 3, 2, 1, 2, 3]
    b = [1, 2, 4, 4, 3, 3, 1, 1, 4, 3]
    assert weighted_kappa(a, b, [1, 2, 3, 4]) == pytest.approx(0.72, abs=1e-12)
    assert agreement(a, b) == Agreement(n=10, exact=0.6, within_one=0.9)


def test_agreement_matches_the_hand_computation():
    assert agreement(A, B) == Agreement(n=10, exact=0.6, within_one=1.0)


def test_not_applicable_pairs_are_left_out():
    # Criterion 3 was N/A for observer B: 9 pairs remain, 6 equal (criterion 3 was a disagreement).
    b = list(B)
    b[2] = None
    result = agreement(A, b)
    assert result.n == 9 and result.exact == pytest.approx(6 / 9) and result.within_one == 1.0
    assert weighted_kappa(A, b, [0, 1, 2]) == pytest.approx(weighted_kappa(A[:2] + A[3:], B[:2] + B[3:], [0, 1, 2]))


def test_kappa_and_agreement_edge_cases():
    assert weighted_kappa(A, A, [0, 1, 2]) == pytest.approx(1.0)
    assert weighted_kappa([], [], [0, 1, 2]) is None
    assert weighted_kappa([None, 1], [2, None], [0, 1, 2]) is None
    assert weighted_kappa([1, 1, 1], [1, 1, 1], [0, 1, 2]) is None  # expected disagreement 0: 0/0
    assert weighted_kappa([1, 1], [1, 1], [1]) is None              # one category
    # complete disagreement at the extremes: observed 1, expected .5 -> 1 - 1/.5 = -1
    assert weighted_kappa([0, 2], [2, 0], [0, 1, 2]) == pytest.approx(-1.0)
    assert agreement([], []) is None
    assert agreement([None], [1]) is None
    with pytest.raises(ValueError):
        weighted_kappa([0, 1], [0], [0, 1])
    with pytest.raises(ValueError):
        weighted_kappa([0, 3], [0, 1], [0, 1, 2])
    with pytest.raises(ValueError):
        agreement([1, 2], [1])


def test_weighted_kappa_agrees_with_scikit_learn_on_labels_given_as_values():
    """scikit-learn computes kappa on category positions; called on the values themselves it
    gives the same numbers."""
    from sklearn import metrics as sklearn_metrics

    cases = [(A, B, [0, 1, 2]), ([1, 2, 3, 4, 4, 3, 2, 1, 2, 3], [1, 2, 4, 4, 3, 3, 1, 1, 4, 3], [1, 2, 3, 4]),
             ([0, 0, 1, 2, 2, 1], [0, 1, 1, 2, 0, 1], [0, 1, 2, 3])]
    for a, b, labels in cases:
        expected = sklearn_metrics.cohen_kappa_score(a, b, labels=labels, weights="quadratic")
        assert weighted_kappa(a, b, labels) == pytest.approx(expected, abs=1e-12)
