"""Item analysis checked against independent computations: hand-worked values, scipy, formulas written differently."""

from __future__ import annotations

import dataclasses
import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from question_bank.analysis import (
    AttemptResponses,
    Flag,
    analyse,
    cronbach_alpha,
)


def attempts_from(matrix, item_ids=None, choices=None):
    """Rows of marks -> attempts; None in a row means the item was not presented."""
    rows = np.asarray(matrix, dtype=object)
    ids = item_ids or [f"q{j + 1:02d}" for j in range(rows.shape[1])]
    return [
        AttemptResponses(
            scores={item: float(mark) for item, mark in zip(ids, row) if mark is not None},
            choices=choices[i] if choices else {},
        )
        for i, row in enumerate(rows)
    ]


def alpha_by_covariance(matrix):
    """Alpha written differently: p/(p-1) * (1 - trace(C) / sum(C)), C the item covariance matrix."""
    c = np.cov(np.asarray(matrix, dtype=float), rowvar=False)
    p = c.shape[0]
    return p / (p - 1) * (1 - np.trace(c) / c.sum())


def rasch(seed, persons, difficulties, theta_sd=1.0):
    """0/1 responses from a Rasch model: P(correct) = 1 / (1 + exp(-(theta - b)))."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, theta_sd, size=(persons, 1))
    p = 1.0 / (1.0 + np.exp(-(theta - np.asarray(difficulties)[None, :])))
    return (rng.random(p.shape) < p).astype(int)


# Known textbook example: K. Wuensch, "The Kuder-Richardson 20" (KR20.txt, East Carolina University StatHelp),
# ten students, ten items. p = .7 .7 .6 .7 .6 .8 .7 .7 .5 .6; sum(pq) = 2.18; totals 8 7 7 2 2 9 8 9 7 7,
# mean 6.6, population variance 58.4 / 10 = 5.84. KR-20 = 10/9 * (1 - 2.18/5.84) = 0.69635...
WUENSCH = [
    [1, 1, 1, 1, 1, 1, 0, 1, 1, 0],
    [1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
    [1, 1, 1, 1, 0, 1, 1, 0, 0, 1],
    [0, 0, 1, 0, 0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 1, 0, 0, 1, 0],
    [1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    [1, 1, 0, 1, 1, 1, 0, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 1],
    [0, 1, 0, 1, 1, 1, 1, 1, 0, 1],
    [1, 1, 0, 1, 1, 0, 1, 1, 1, 0],
]
WUENSCH_KR20 = 10 / 9 * (1 - 2.18 / 5.84)


def test_alpha_of_the_textbook_example_is_its_kr20():
    assert WUENSCH_KR20 == pytest.approx(0.69635, abs=1e-5)
    assert cronbach_alpha(WUENSCH) == pytest.approx(WUENSCH_KR20, rel=1e-12)


def test_kr20_with_p_times_q_equals_alpha_on_dichotomous_data():
    data = np.array(WUENSCH)
    p = data.mean(axis=0)
    kr20 = 10 / 9 * (1 - (p * (1 - p)).sum() / data.sum(axis=1).var(ddof=0))
    assert cronbach_alpha(data) == pytest.approx(kr20, rel=1e-12)


def test_alpha_matches_the_covariance_formula_on_partial_marks():
    data = np.random.default_rng(7).choice([0.0, 0.5, 1.0, 2.0], size=(40, 6))
    assert cronbach_alpha(data) == pytest.approx(alpha_by_covariance(data), rel=1e-12)


def test_alpha_is_undefined_for_one_item_or_constant_totals():
    assert cronbach_alpha([[1], [0], [1]]) is None
    assert cronbach_alpha([[1, 0], [0, 1], [1, 0]]) is None


def test_analyse_reports_the_textbook_values_on_the_doubled_class():
    # Every row twice: 20 attempts, one form. Alpha is unchanged by doubling (item and total variances scale alike).
    result = analyse(attempts_from(WUENSCH * 2))
    facilities = [result.item(f"q{j:02d}").facility for j in range(1, 11)]
    assert facilities == pytest.approx([0.7, 0.7, 0.6, 0.7, 0.6, 0.8, 0.7, 0.7, 0.5, 0.6])
    assert result.alpha == pytest.approx(WUENSCH_KR20, rel=1e-12)
    assert result.attempts == 20
    assert result.mean == pytest.approx(6.6)
    assert result.sd == pytest.approx(math.sqrt(2 * 58.4 / 19))
    assert result.sem == pytest.approx(math.sqrt(2 * 58.4 / 19) * math.sqrt(1 - WUENSCH_KR20))
    assert result.band_half_width == pytest.approx(1.96 * result.sem)
    # totals 8 7 7 2 2 9 8 9 7 7, twice
    assert result.histogram == ((0, 0), (1, 0), (2, 4), (3, 0), (4, 0), (5, 0), (6, 0), (7, 8), (8, 4), (9, 4))
    assert result.flags == (Flag.FEW_ATTEMPTS,)  # 0.64 <= alpha <= 0.75: neither reliability flag
    assert len(result.forms) == 1
    assert result.forms[0].alpha == pytest.approx(WUENSCH_KR20, rel=1e-12)


# Hand-worked item: x = 1 1 0 1 0, rest R = 3 2 2 1 0 (items r1..r3 give the rest), each attempt four times.
# Per block of 5: mean x .6, mean R 1.6; sum (x-.6)(R-1.6) = .56+.16-.24-.24+.96 = 1.2; SS(x) = 1.2; SS(R) = 5.2.
# Sorted: x 0 0 1 1 1, R 0 1 2 2 3: sum = .96+.36+.16+.16+.56 = 2.2.
# Repeating the block 4 times multiplies every sum by 4 and the divisor is 19 for all, so
# r = 1.2 / sqrt(1.2 * 5.2) = .48038, efficiency = 1.2 / 2.2 = 54.545%, SD(x) = sqrt(4.8 / 19).
HAND_BLOCK = [
    # q  r1 r2 r3
    [1, 1, 1, 1],
    [1, 1, 1, 0],
    [0, 1, 0, 1],
    [1, 1, 0, 0],
    [0, 0, 0, 0],
]


def test_item_statistics_match_the_hand_worked_values():
    result = analyse(attempts_from(HAND_BLOCK * 4, ["q", "r1", "r2", "r3"]))
    q = result.item("q")
    assert q.n == 20
    assert q.facility == pytest.approx(0.6)
    assert q.sd == pytest.approx(math.sqrt(4.8 / 19))
    assert q.discrimination_index == pytest.approx(100 * 1.2 / math.sqrt(1.2 * 5.2))
    assert q.discrimination_index == pytest.approx(48.038, abs=1e-3)
    assert q.discriminative_efficiency == pytest.approx(100 * 1.2 / 2.2)
    assert q.flags == ()


def test_discrimination_is_the_item_rest_pearson_correlation():
    data = rasch(11, 60, np.linspace(-1, 1, 8))
    result = analyse(attempts_from(data))
    for j in range(8):
        x = data[:, j]
        rest = data.sum(axis=1) - x
        assert result.item(f"q{j + 1:02d}").discrimination_index == pytest.approx(
            100 * stats.pearsonr(x, rest).statistic, rel=1e-9)


def test_efficiency_divides_the_covariance_by_the_sorted_covariance():
    data = rasch(12, 50, np.linspace(-1, 1, 6))
    result = analyse(attempts_from(data))
    for j in range(6):
        x = data[:, j].astype(float)
        rest = data.sum(axis=1) - x
        # covariance written out: sum of cross products of deviations over s - 1
        cov = ((x - x.mean()) * (rest - rest.mean())).sum() / (len(x) - 1)
        xs, rs = np.sort(x), np.sort(rest)
        cov_max = ((xs - xs.mean()) * (rs - rs.mean())).sum() / (len(x) - 1)
        assert result.item(f"q{j + 1:02d}").discriminative_efficiency == pytest.approx(100 * cov / cov_max)


def test_facility_and_sd_are_on_the_max_mark_scale():
    # item "essay" marked out of 2: marks 2,1,0,2 repeated 5 times -> mean 1.25, facility .625
    rows = [[2, 1], [1, 0], [0, 0], [2, 1]] * 5
    result = analyse(attempts_from(rows, ["essay", "mc"]), {"essay": 2})
    essay = result.item("essay")
    assert essay.max_mark == 2.0
    assert essay.facility == pytest.approx(0.625)
    assert essay.sd == pytest.approx(statistics.stdev([2, 1, 0, 2] * 5) / 2)
    assert result.item("mc").max_mark == 1.0
    assert result.item("mc").facility == pytest.approx(0.5)


def test_item_without_variation_has_no_discrimination():
    rows = [[1, 1], [1, 0]] * 10
    easy = analyse(attempts_from(rows)).item("q01")
    assert (easy.facility, easy.discrimination_index, easy.discriminative_efficiency) == (1.0, None, None)
    assert easy.flags == (Flag.TOO_EASY,)


# Distractor analysis. Item q (key a); item r (max 10) sets the totals.
#   attempts 0-3:  q right (a), r 9 -> total 10
#   attempt  4:    q wrong (b), r 6 -> total 6
#   attempts 5-9:  q right (a), r 5 -> total 6
#   attempts 10-14: q wrong (b), r 6 -> total 6
#   attempt  15:   q wrong (c), r 6 -> total 6
#   attempts 16-19: q wrong (c), r 0 -> total 0
# Groups: round(.27 * 20) = 5. Ranking: 0-3, then the ties at 6 in attempt order 4..15, then 16-19.
# Upper = 0,1,2,3,4 -> a 4/5, b 1/5, c 0. Lower = 15..19 -> c 5/5.
# Overall: a 9/20, b 6/20, c 5/20. Distractor b: upper .2 > lower 0 -> flagged.
def distractor_case():
    plan = [("a", 1, 9)] * 4 + [("b", 0, 6)] + [("a", 1, 5)] * 5 + [("b", 0, 6)] * 5 + [("c", 0, 6)] \
        + [("c", 0, 0)] * 4
    return [AttemptResponses({"q": mark, "r": r}, {"q": frozenset({option})}) for option, mark, r in plan]


def test_distractor_shares_overall_and_in_the_27_percent_groups():
    q = analyse(distractor_case(), {"r": 10}).item("q")
    shares = {o.key: (o.share, o.upper_share, o.lower_share, o.is_key) for o in q.options}
    assert shares == {
        "a": (pytest.approx(9 / 20), pytest.approx(4 / 5), 0.0, True),
        "b": (pytest.approx(6 / 20), pytest.approx(1 / 5), 0.0, False),
        "c": (pytest.approx(5 / 20), 0.0, 1.0, False),
    }
    assert Flag.DISTRACTOR_ATTRACTS_STRONG in q.flags
    assert [o.key for o in q.options if o.attracts_strong] == ["b"]


def test_ties_at_the_group_boundary_go_to_the_earlier_attempt():
    # Move attempt 15 (c, total 6) before attempt 4 (b, total 6): now it wins the last upper place.
    responses = distractor_case()
    reordered = responses[:4] + [responses[15]] + responses[4:15] + responses[16:]
    q = analyse(reordered, {"r": 10}).item("q")
    by_key = {o.key: o for o in q.options}
    assert (by_key["b"].upper_share, by_key["c"].upper_share) == (0.0, pytest.approx(1 / 5))
    assert by_key["b"].lower_share == pytest.approx(1 / 5)  # attempt 14 (b) is now the last of the ties
    assert Flag.DISTRACTOR_ATTRACTS_STRONG not in q.flags


def test_given_keys_override_the_inferred_key():
    q = analyse(distractor_case(), {"r": 10}, keys={"q": {"b"}}).item("q")
    assert {o.key: o.is_key for o in q.options} == {"a": False, "b": True, "c": False}
    assert [o.key for o in q.options if o.attracts_strong] == ["a"]


def test_unknown_key_gives_no_distractor_flag():
    plan = [frozenset({"a"})] * 10 + [frozenset({"b"})] * 10
    responses = [AttemptResponses({"q": 0.0, "r": float(i % 3)}, {"q": chosen}) for i, chosen in enumerate(plan)]
    q = analyse(responses).item("q")
    assert [o.is_key for o in q.options] == [None, None]
    assert Flag.DISTRACTOR_ATTRACTS_STRONG not in q.flags


@pytest.mark.parametrize(("right", "option_count", "flags"), [
    (19, None, (Flag.TOO_EASY,)),   # F = .95 > .9
    (18, None, ()),                 # F = .9, not above
    (5, None, (Flag.TOO_HARD,)),    # F = .25 < .3
    (6, None, ()),                  # F = .3
    (9, 2, (Flag.TOO_HARD,)),       # F = .45 < 1/2, the guess score of a true/false item
    (9, 4, ()),                     # F = .45 > 1/4
])
def test_facility_flags(right, option_count, flags):
    # q right exactly when the rest item is right: discrimination +100, efficiency 100, no other flag.
    rows = [[1, 1]] * right + [[0, 0]] * (20 - right)
    counts = {"q01": option_count} if option_count else None
    assert analyse(attempts_from(rows), option_counts=counts).item("q01").flags == flags


def test_flag_explanations_are_short_english_sentences():
    assert Flag.TOO_FEW_EXAMINEES.explanation == "too few examinees (n < 20)"
    assert Flag.TOO_EASY.explanation.startswith("too easy")
    assert Flag.TOO_HARD.explanation.startswith("too hard")
    assert Flag.POSSIBLE_WRONG_KEY.explanation.startswith("possible wrong key")
    assert Flag.DUBIOUS.explanation.startswith("dubious")
    assert Flag.DISTRACTOR_ATTRACTS_STRONG.explanation.startswith("distractor attracts strong candidates")
    assert Flag.RELIABILITY_UNSATISFACTORY.explanation == "reliability unsatisfactory: alpha below 0.64"
    assert Flag.RELIABILITY_SATISFACTORY.explanation == "reliability satisfactory: alpha above 0.75"


def test_statistics_are_refused_under_20_examinees():
    result = analyse(attempts_from(HAND_BLOCK * 4)[:19])
    q = result.item("q01")
    assert q.n == 19
    assert (q.facility, q.sd, q.discrimination_index, q.discriminative_efficiency, q.options) == (None,) * 5
    assert q.flags == (Flag.TOO_FEW_EXAMINEES,)
    assert result.alpha is None and result.sem is None and result.band_half_width is None
    assert result.flags == (Flag.FEW_ATTEMPTS, Flag.NO_RELIABILITY)
    assert result.forms[0].attempts == 19 and result.forms[0].alpha is None


def test_at_20_examinees_statistics_are_given_and_at_100_the_warning_goes():
    assert analyse(attempts_from(HAND_BLOCK * 4)).item("q01").facility == pytest.approx(0.6)
    many = analyse(attempts_from(rasch(3, 100, np.linspace(-1, 1, 10))))
    assert many.attempts == 100
    assert Flag.FEW_ATTEMPTS not in many.flags


def test_reliability_flags_follow_the_thresholds():
    noise = analyse(attempts_from(np.random.default_rng(5).integers(0, 2, size=(200, 10))))
    assert noise.alpha < 0.64
    assert noise.flags == (Flag.RELIABILITY_UNSATISFACTORY,)
    strong = analyse(attempts_from(rasch(6, 200, np.linspace(-2, 2, 20), theta_sd=2.0)))
    assert strong.alpha > 0.75
    assert strong.flags == (Flag.RELIABILITY_SATISFACTORY,)


def test_test_level_statistics_on_a_small_set():
    # totals 0, 1.5, 2, 2, 3.7 (3 items, max marks 1, 1, 2): floors 0 1 2 2 3
    rows = [[0, 0, 0], [1, 0.5, 0], [1, 1, 0], [0, 0, 2], [1, 0.7, 2]]
    result = analyse(attempts_from(rows), {"q03": 2})
    totals = [0, 1.5, 2, 2, 3.7]
    assert result.mean == pytest.approx(statistics.mean(totals))
    assert result.sd == pytest.approx(statistics.stdev(totals))
    assert result.histogram == ((0, 1), (1, 1), (2, 2), (3, 1))
    assert result.alpha is None  # 5 attempts


def test_randomized_forms_use_each_attempts_own_items_and_the_median_alpha():
    data = rasch(21, 120, [-1.0, -0.3, 0.3, 1.0]).astype(object)
    ids = ["A", "B", "C", "D"]
    layout = [(0, 30, 3), (30, 55, 2), (55, 115, 1), (115, 120, 0)]  # rows, the item each form leaves out
    for start, stop, left_out in layout:
        data[start:stop, left_out] = None
    result = analyse(attempts_from(data, ids))

    forms = {form.items: form for form in result.forms}
    assert {items: form.attempts for items, form in forms.items()} == {
        ("A", "B", "C"): 30, ("A", "B", "D"): 25, ("A", "C", "D"): 60, ("B", "C", "D"): 5}
    expected = {}
    for start, stop, left_out in layout[:3]:
        block = np.delete(data[start:stop], left_out, axis=1).astype(float)
        expected[tuple(i for j, i in enumerate(ids) if j != left_out)] = alpha_by_covariance(block)
    for items, alpha in expected.items():
        assert forms[items].alpha == pytest.approx(alpha)
        assert forms[items].sem == pytest.approx(forms[items].sd * math.sqrt(1 - alpha))
    assert forms[("B", "C", "D")].alpha is None
    assert result.alpha == pytest.approx(statistics.median(expected.values()))
    assert result.sem == pytest.approx(result.sd * math.sqrt(1 - result.alpha))

    assert [result.item(i).n for i in ids] == [115, 60, 95, 90]
    seen = np.array([row[0] is not None for row in data])
    x = data[seen, 0].astype(float)
    totals = np.array([sum(m for m in row if m is not None) for row in data[seen]], dtype=float)
    assert result.item("A").facility == pytest.approx(x.mean())
    assert result.item("A").discrimination_index == pytest.approx(100 * stats.pearsonr(x, totals - x).statistic)


def test_a_reversed_key_gives_negative_discrimination_and_the_wrong_key_flag():
    # True/false items from a Rasch model, key "true"; item q08 (b = 0) was keyed "false" by mistake.
    data = rasch(20260, 400, np.linspace(-1.5, 1.5, 15))
    responses = []
    for row in data:
        scores = {f"q{j + 1:02d}": float(right) for j, right in enumerate(row)}
        choices = {f"q{j + 1:02d}": frozenset({"true" if right else "false"}) for j, right in enumerate(row)}
        scores["q08"] = 1.0 - scores["q08"]
        responses.append(AttemptResponses(scores, choices))
    result = analyse(responses)  # no option counts: a guess score of 1/2 would add 'too hard' near F = .5

    wrong = result.item("q08")
    assert wrong.discrimination_index < 0
    assert 0.3 <= wrong.facility <= 0.9
    assert wrong.flags == (Flag.POSSIBLE_WRONG_KEY, Flag.DUBIOUS, Flag.DISTRACTOR_ATTRACTS_STRONG)
    assert {o.key: o.is_key for o in wrong.options} == {"false": True, "true": False}
    assert all(result.item(f"q{j:02d}").discrimination_index > 0 for j in range(1, 16) if j != 8)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_reversed_key_is_caught_whatever_the_sample(seed):
    data = rasch(seed, 300, np.linspace(-1.5, 1.5, 15))
    data[:, 7] = 1 - data[:, 7]
    wrong = analyse(attempts_from(data)).item("q08")
    assert wrong.discrimination_index < 0
    assert Flag.POSSIBLE_WRONG_KEY in wrong.flags


MARK = st.sampled_from([None, 0.0, 0.0, 0.5, 1.0, 1.0])


@st.composite
def response_matrices(draw):
    items = draw(st.integers(2, 5))
    rows = draw(st.lists(st.lists(MARK, min_size=items, max_size=items), min_size=20, max_size=45))
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=response_matrices())
def test_statistics_stay_in_their_ranges(rows):
    result = analyse(attempts_from(rows))
    for item in result.items:
        if item.facility is not None:
            assert 0.0 <= item.facility <= 1.0
        if item.discrimination_index is not None:
            assert -100.0 <= item.discrimination_index <= 100.0
        if item.discriminative_efficiency is not None:
            assert item.discriminative_efficiency <= 100.0 + 1e-9
    for form in result.forms:
        if form.alpha is not None:
            assert form.alpha <= 1.0
    if result.alpha is not None:
        assert result.alpha <= 1.0
        assert result.sem == pytest.approx(result.sd * math.sqrt(1 - result.alpha))
    assert sum(count for _, count in result.histogram) == len(rows)


@settings(max_examples=40, deadline=None)
@given(rows=response_matrices(), data=st.data())
def test_facility_does_not_depend_on_attempt_order(rows, data):
    shuffled = data.draw(st.permutations(rows))
    before, after = analyse(attempts_from(rows)), analyse(attempts_from(shuffled))
    assert [i.facility for i in after.items] == pytest.approx([i.facility for i in before.items], nan_ok=True)
    assert [i.n for i in after.items] == [i.n for i in before.items]


def test_results_are_frozen_and_bad_marks_are_refused():
    result = analyse(attempts_from(HAND_BLOCK * 4))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.alpha = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.items[0].facility = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="finite"):
        AttemptResponses({"q": float("nan")})
    with pytest.raises(ValueError, match="max mark"):
        analyse(attempts_from(HAND_BLOCK), {"q01": 0})


def test_no_attempts_gives_an_empty_analysis():
    result = analyse([])
    assert (result.attempts, result.mean, result.sd, result.alpha, result.items, result.histogram) == (
        0, None, None, None, (), ())
    assert result.flags == (Flag.FEW_ATTEMPTS, Flag.NO_RELIABILITY)


def test_pooled_alpha_matches_alpha_on_a_complete_matrix_and_estimates_randomized_forms():
    """On a complete matrix the average-covariance formula is exactly Cronbach's alpha; on randomized
    forms drawn from the same simulated bank it lands close to the full-length alpha."""
    from question_bank.analysis import cronbach_alpha, pooled_alpha

    rng = np.random.default_rng(7)
    ability = rng.normal(size=600)
    difficulty = rng.normal(size=40)
    marks = (rng.random((600, 40)) < 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))).astype(float)
    assert pooled_alpha(marks, 40) == pytest.approx(cronbach_alpha(marks), rel=1e-9)
    forms = marks.copy()
    for row in forms:
        row[rng.choice(40, size=20, replace=False)] = np.nan  # each candidate saw a random 20 of the 40
    assert pooled_alpha(forms, 20) == pytest.approx(cronbach_alpha(marks[:, :20]), abs=0.05)


def test_randomized_forms_answered_all_right_or_all_wrong_give_a_reliability_of_at_most_1():
    """Pooled over different subsets of candidates, covariances can exceed the variances: the estimate is capped
    at 1 and the SEM is 0 (it had raised a math domain error and failed the pass-rate PDF)."""
    import random

    rng = random.Random(3)
    attempts = [AttemptResponses({f"q{k:02d}": float(n % 2) for k in rng.sample(range(20), 10)}) for n in range(48)]
    test = analyse(attempts)
    assert test.alpha == 1.0 and test.sem == 0.0
