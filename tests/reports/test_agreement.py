import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.stats import spearmanr

from reports.agreement import (
    final_score, icc2k, icc21, interpret_alpha, interpret_icc, kendall_w, krippendorff_alpha, needs_moderation,
    rater_severity,
)

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders x 12 units; here units x coders.
_CODERS = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
           [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
           [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
           [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
KRIPPENDORFF = [list(unit) for unit in zip(*_CODERS)]

scores = st.integers(min_value=1, max_value=5)


@st.composite
def matrices(draw):
    n = draw(st.integers(2, 8))
    k = draw(st.integers(2, 6))
    return np.array(draw(st.lists(st.lists(scores, min_size=k, max_size=k), min_size=n, max_size=n)), dtype=float)


def test_final_score_is_the_mean_below_five_raters():
    assert final_score([3, 4, 5, 1]) == 3.25


def test_final_score_drops_the_top_and_bottom_rating_of_five():
    assert final_score([1, 4, 4, 5, 5]) == pytest.approx(13 / 3)
    assert final_score([1, 2, 3, 4, 5, 5, 5, 5, 5, 1]) == pytest.approx(np.mean([2, 3, 4, 5, 5, 5]))


def test_final_score_needs_ratings():
    with pytest.raises(ValueError):
        final_score([])


@given(st.lists(st.floats(1, 5), min_size=1, max_size=12))
def test_final_score_lies_within_the_ratings(ratings):
    assert min(ratings) - 1e-9 <= final_score(ratings) <= max(ratings) + 1e-9


def test_moderation_when_the_spread_exceeds_two_points():
    assert needs_moderation([1, 4, 3])
    assert not needs_moderation([1, 3, 3])
    assert needs_moderation([2, 4], max_spread=1)
    assert not needs_moderation([])


def test_icc_matches_shrout_and_fleiss_table_2():
    assert round(icc21(SHROUT_FLEISS), 2) == 0.29
    assert round(icc2k(SHROUT_FLEISS), 2) == 0.62


def test_icc_is_undefined_without_two_targets_and_two_raters_or_any_variance():
    assert icc2k([[3, 4, 5]]) is None
    assert icc2k([[3], [4]]) is None
    assert icc2k([]) is None
    assert icc21([[3, 3], [3, 3]]) is None


def test_icc_needs_a_complete_matrix():
    with pytest.raises(ValueError):
        icc2k([[3, None], [4, 5]])


@given(st.lists(scores, min_size=2, max_size=8), st.integers(2, 6))
def test_identical_raters_agree_perfectly(column, raters):
    assume(len(set(column)) > 1)
    same = [[score] * raters for score in column]
    assert icc2k(same) == pytest.approx(1)
    assert icc21(same) == pytest.approx(1)


@given(matrices(), st.floats(0.5, 3))
def test_a_uniformly_lenient_rater_lowers_absolute_agreement(matrix, shift):
    """Adding a constant to the most lenient rater widens the rater means; ICC(2,k) measures absolute agreement."""
    before = icc2k(matrix)
    assume(before is not None and before > 0.01)  # not merely rounding noise around zero
    shifted = matrix.copy()
    shifted[:, shifted.mean(axis=0).argmax()] += shift
    assert icc2k(shifted) < before


@given(matrices(), st.randoms())
def test_the_order_of_raters_does_not_matter(matrix, rnd):
    order = list(range(matrix.shape[1]))
    rnd.shuffle(order)
    for icc in (icc2k, icc21):
        before, after = icc(matrix), icc(matrix[:, order])
        assert before == after or before == pytest.approx(after)


def test_alpha_matches_krippendorffs_worked_example():
    assert round(krippendorff_alpha(KRIPPENDORFF, "interval"), 3) == 0.849
    assert round(krippendorff_alpha(KRIPPENDORFF, "nominal"), 3) == 0.743
    assert round(krippendorff_alpha(KRIPPENDORFF, "ordinal"), 3) == 0.815


def test_alpha_by_hand():
    # Two raters, units (1, 1) and (1, 2): coincidences o11=2, o12=o21=1; Do = 2/4, De = 2*3*1/(4*3) = 1/2.
    assert krippendorff_alpha([[1, 1], [1, 2]], "nominal") == pytest.approx(0)
    assert krippendorff_alpha([[1, 1, None], [3, 3, 3], [5, None, 5]]) == pytest.approx(1)


def test_alpha_is_undefined_without_pairable_variation():
    assert krippendorff_alpha([[4, 4], [4, 4]]) is None
    assert krippendorff_alpha([[1, None], [None, 5]]) is None
    assert krippendorff_alpha([]) is None


def test_kendall_w_by_hand():
    # Rank sums 6, 7, 8, 9 around 7.5: S = 5; W = 12 * 5 / (3**2 * (4**3 - 4)) = 1/9.
    assert kendall_w([[1, 1, 4], [2, 2, 3], [3, 3, 2], [4, 4, 1]]) == pytest.approx(1 / 9)
    assert kendall_w([[1, 2], [2, 1]]) == pytest.approx(0)
    assert kendall_w([[5, 5], [5, 5]]) is None


@given(st.integers(3, 7).flatmap(lambda n: st.lists(st.permutations(range(n)), min_size=2, max_size=5)))
def test_kendall_w_is_the_mean_spearman_correlation_rescaled(rankings):
    """Without ties, mean pairwise Spearman rho = (mW - 1) / (m - 1)."""
    m = len(rankings)
    rho = np.mean([spearmanr(a, b).statistic for a, b in itertools.combinations(rankings, 2)])
    assert kendall_w(np.array(rankings).T) == pytest.approx(rho * (m - 1) / m + 1 / m)


def test_severity_compares_raters_over_the_targets_they_rated():
    severity = rater_severity({
        "Айгүл": [("A", 4), ("B", 2)],
        "Иванов": [("A", 2), ("B", 2)],
        "Серік": [("A", 3)],            # conflicted on B; compared on A alone
    })
    assert severity == pytest.approx({"Айгүл": 0.5, "Иванов": -0.5, "Серік": 0})


@given(matrices())
def test_severity_sums_to_zero_on_complete_data(matrix):
    by_rater = {f"r{j}": [(i, matrix[i, j]) for i in range(matrix.shape[0])] for j in range(matrix.shape[1])}
    assert sum(rater_severity(by_rater).values()) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize(("icc", "code"), [(0.9, "good"), (0.75, "tolerable"), (0.5, "tolerable"), (0.49, "poor"),
                                           (None, "undefined")])
def test_interpret_icc(icc, code):
    assert interpret_icc(icc) == code


@pytest.mark.parametrize(("alpha", "code"), [(0.8, "good"), (0.79, "tolerable"), (0.667, "tolerable"),
                                             (0.66, "poor"), (None, "undefined")])
def test_interpret_alpha(alpha, code):
    assert interpret_alpha(alpha) == code
