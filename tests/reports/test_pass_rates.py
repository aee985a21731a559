import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.stats import binom, fisher_exact

from reports.pass_rates import (
    MIN_CELL, OVERALL, SUPPRESSION_NOTE, Outcome, SuppressedTable, adverse_impact, differences, funnel,
    funnel_from_counts, holm, proportion_interval, rates, rates_from_counts, suppress, trends, trends_from_counts,
)

STAGES = ("legislation", "competency", "interview")


def outcome(candidate, stage, passed, **groups):
    return Outcome(candidate, stage, passed, groups)


# Intervals


def test_wilson_and_clopper_pearson_match_the_reference_values_for_7_of_20():
    assert np.round(proportion_interval(7, 20), 3).tolist() == [0.181, 0.567]
    assert np.round(proportion_interval(7, 20, "clopper-pearson"), 3).tolist() == [0.154, 0.592]


def test_wilson_bounds_solve_the_score_equation():
    # The Wilson bounds are the proportions pi with |7/20 - pi| = 1.959964 * sqrt(pi (1 - pi) / 20).
    z2, p, n = 1.959963984540054 ** 2, 7 / 20, 20
    roots = sorted(np.roots([1 + z2 / n, -(2 * p + z2 / n), p ** 2]))
    assert np.allclose(proportion_interval(7, 20), roots)


def test_clopper_pearson_bounds_put_2_5_percent_in_each_binomial_tail():
    low, high = proportion_interval(7, 20, "clopper-pearson")
    assert binom.sf(6, 20, low) == pytest.approx(0.025)
    assert binom.cdf(7, 20, high) == pytest.approx(0.025)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_interval_edges_are_exact_and_nobody_has_no_interval(method):
    low, high = proportion_interval([0, 10, 0], [10, 10, 0], method)
    assert (low[0], high[1]) == (0.0, 1.0)
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_unknown_interval_method_is_refused():
    with pytest.raises(ValueError):
        proportion_interval(1, 2, "wald")


counts = st.integers(0, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@given(st.dictionaries(st.sampled_from(["KZ-10", "KZ-59", "KZ-71", "KZ-75"]), counts, min_size=1),
       st.sampled_from(["wilson", "clopper-pearson"]))
def test_rates_lie_in_their_intervals_within_0_and_1(table, method):
    result = rates_from_counts(table, method)
    for rate in (result.overall, *result.groups):
        if rate.n == 0:
            assert (rate.rate, rate.low, rate.high) == (None, None, None)
        else:
            assert 0 <= rate.low <= rate.rate <= rate.high <= 1
    assert result.overall.n == sum(n for n, _ in table.values())
    assert result.overall.passed == sum(k for _, k in table.values())


# Rates


def test_rates_count_one_stage_per_group_with_an_overall_row():
    outcomes = [outcome(1, "legislation", True, region="KZ-59", period="2017"),
                outcome(2, "legislation", False, region="KZ-59", period="2017"),
                outcome(3, "legislation", True, region="KZ-75", period="2018"),
                outcome(1, "competency", False, region="KZ-59", period="2017")]
    result = rates(outcomes, "legislation", "region")
    assert [(r.label, r.n, r.passed, r.rate) for r in result.groups] == [("KZ-59", 2, 1, 0.5), ("KZ-75", 1, 1, 1.0)]
    assert (result.overall.label, result.overall.n, result.overall.passed) == (OVERALL, 3, 2)
    assert result.group("KZ-59") == rates_from_counts({"KZ-59": (2, 1), "KZ-75": (1, 1)}).group("KZ-59")
    assert [r.label for r in rates(outcomes, "legislation", "region", period="2018").groups] == ["KZ-75"]


def test_rates_need_the_dimension_and_sane_counts():
    with pytest.raises(KeyError):
        rates([outcome(1, "legislation", True, region="KZ-59")], "legislation", "sex")
    with pytest.raises(ValueError):
        rates_from_counts({"KZ-59": (5, 6)})


# Differences between groups


TEXTBOOK = {"A": (50, 30), "B": (50, 20), "C": (50, 10)}


def test_chi_square_and_residuals_match_a_hand_calculation():
    # 60 of 150 pass: 20 expected to pass and 30 to fail in each group of 50.
    # chi2 = (10^2 + 0 + 10^2) / 20 + (10^2 + 0 + 10^2) / 30 = 50/3; with 2 df, p = exp(-chi2 / 2).
    # Adjusted residual of A: (30 - 20) / sqrt(20 (1 - 50/150)(1 - 60/150)) = 10 / sqrt(8).
    result = differences(rates_from_counts(TEXTBOOK))
    assert (result.chi2, result.dof) == (pytest.approx(50 / 3), 2)
    assert result.p == pytest.approx(math.exp(-25 / 3))
    assert [g.residual for g in result.groups] == pytest.approx([10 / math.sqrt(8), 0, -10 / math.sqrt(8)], abs=1e-12)
    assert [g.flagged for g in result.groups] == [True, False, True]


def test_each_group_against_the_rest_is_a_pooled_z_test_corrected_by_holm():
    result = differences(rates_from_counts(TEXTBOOK))
    # A (30/50) against B and C together (30/100), pooled rate 60/150.
    z = (30 / 50 - 30 / 100) / math.sqrt(0.4 * 0.6 * (1 / 50 + 1 / 100))
    p = math.erfc(z / math.sqrt(2))
    a, b, c = result.groups
    assert a.test == "z" and a.p == pytest.approx(p)
    assert a.residual == pytest.approx(z)  # the adjusted residual is that z
    # Holm: A and C tie for the smallest p, so both get max(3p, 2p); B gets max(3p, 2p, p_B) = 1.
    assert (a.p_holm, b.p_holm, c.p_holm) == (pytest.approx(3 * p), 1.0, pytest.approx(3 * p))
    assert (a.significant, b.significant, c.significant) == (True, False, True)


def test_two_groups_get_pearsons_chi_square_the_square_of_the_pooled_z():
    # No Yates correction: 2x2 Pearson chi2 = z^2 with z = (0.6 - 0.4) / sqrt(0.5 * 0.5 * (1/50 + 1/50)) = 2.
    result = differences(rates_from_counts({"A": (50, 30), "B": (50, 20)}))
    assert (result.chi2, result.dof) == (pytest.approx(4.0), 1)
    assert [g.residual for g in result.groups] == pytest.approx([2.0, -2.0])
    assert [g.flagged for g in result.groups] == [False, False]  # |r| > 2, strictly


def test_small_groups_are_compared_with_fishers_exact_test():
    result = differences(rates_from_counts({"A": (4, 4), "B": (40, 10), "C": (40, 12)}))
    a = result.groups[0]
    assert a.test == "fisher"
    assert a.p == pytest.approx(fisher_exact([[4, 0], [22, 58]]).pvalue)
    assert result.groups[1].test == "z"


def test_differences_are_undefined_without_variation_or_a_second_group():
    everyone = differences(rates_from_counts({"A": (12, 12), "B": (30, 30), "C": (0, 0)}))
    assert (everyone.chi2, everyone.p) == (None, None)
    assert [(g.group, g.residual, g.test, g.p) for g in everyone.groups] == [("A", None, "fisher", 1.0),
                                                                         ("B", None, "fisher", 1.0)]
    assert differences(rates_from_counts({"A": (12, 5)})).groups == ()


def test_holm_on_a_known_vector():
    # Sorted: 0.005*4, 0.01*3, 0.03*2, 0.04*1 -> 0.02, 0.03, 0.06, max(0.06, 0.04); Bonferroni would differ.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.2, 0.9]) == pytest.approx([0.4, 0.9])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_never_lowers_a_p_value_and_keeps_their_order(p):
    adjusted = holm(p)
    assert all(raw <= a <= 1 for raw, a in zip(p, adjusted))
    order = np.argsort(p, kind="stable")
    assert all(np.diff(np.array(adjusted)[order]) >= 0)


# Adverse impact


def test_adverse_impact_worked_example():
    # A: 60 of 100 (0.6), B: 20 of 50 (0.4); overall 80/150. Ratio 0.4/0.6 = 2/3.
    # Z = (0.4 - 0.6) / sqrt(P (1 - P)(1/50 + 1/100)) with P = 80/150 = -2.3146.
    result = adverse_impact(rates_from_counts({"A": (100, 60), "B": (50, 20)}))
    a, b = result.groups
    assert result.reference == "A"
    assert (a.impact_ratio, a.z, a.ratio_flagged, a.z_flagged) == (1.0, None, False, False)
    assert b.impact_ratio == pytest.approx(2 / 3) and b.ratio_flagged
    assert b.z == pytest.approx(-2.3146, abs=1e-4) and b.z_flagged
    assert b.fisher_p is None
    assert (a.shortfall, b.shortfall) == (pytest.approx(-20 / 3), pytest.approx(20 / 3))


def test_adverse_impact_in_small_groups_adds_fishers_exact_p_and_respects_the_threshold():
    result = adverse_impact(rates_from_counts({"A": (20, 16), "B": (8, 3), "C": (0, 0)}))
    b, c = result.groups[1:]
    assert b.impact_ratio == pytest.approx(0.375 / 0.8) and b.ratio_flagged
    assert b.fisher_p == pytest.approx(fisher_exact([[3, 5], [16, 4]]).pvalue)
    assert (c.rate, c.impact_ratio, c.z, c.shortfall) == (None, None, None, 0.0)
    # A group of 2 who both passed is the reference unless the threshold excludes it.
    tiny = rates_from_counts({"A": (40, 30), "B": (2, 2)})
    assert adverse_impact(tiny).reference == "B"
    assert adverse_impact(tiny, min_reference_n=10).reference == "A"


def test_adverse_impact_when_nobody_passed():
    result = adverse_impact(rates_from_counts({"A": (20, 0), "B": (30, 0)}))
    assert [g.impact_ratio for g in result.groups] == [None, None]
    assert not any(g.ratio_flagged or g.z_flagged for g in result.groups)


# Funnels and trends


def test_funnel_counts_and_conversions():
    result = funnel_from_counts({"legislation": (100, 40), "competency": (40, 30)}, STAGES)
    assert [(s.label, s.n, s.passed, s.rate) for s in result.steps] == [
        ("legislation", 100, 40, 0.4), ("competency", 40, 30, 0.75), ("interview", 0, 0, None)]
    assert (result.steps[0].low, result.steps[0].high) == tuple(proportion_interval(40, 100))
    with pytest.raises(ValueError):
        funnel_from_counts({"legislation": (10, 11)}, STAGES)


histories = st.lists(st.tuples(st.integers(1, len(STAGES)), st.booleans(), st.sampled_from(["F", "M"])),
                     max_size=60)


def _outcomes(history):
    """Each candidate passes every stage before the last one reached."""
    return [outcome(c, STAGES[s], s < reached - 1 or passed_last, sex=sex)
            for c, (reached, passed_last, sex) in enumerate(history) for s in range(reached)]


@given(histories)
def test_funnel_counts_never_grow_down_the_stages(history):
    overall, *groups = funnel(_outcomes(history), STAGES, by="sex")
    for result in (overall, *groups):
        steps = result.steps
        assert all(s.passed <= s.n for s in steps)
        assert all(later.n <= earlier.passed for earlier, later in zip(steps, steps[1:]))
    assert overall.group == OVERALL and [g.group for g in groups] == sorted({sex for *_, sex in history})
    for i, step in enumerate(overall.steps):
        assert step.n == sum(g.steps[i].n for g in groups)
        assert step.passed == sum(g.steps[i].passed for g in groups)


def test_funnel_without_a_dimension_is_the_overall_funnel_only():
    (result,) = funnel([outcome(1, "legislation", True), outcome(1, "other", True)], STAGES)
    assert [s.n for s in result.steps] == [1, 0, 0]


def test_trends_give_a_rate_per_group_per_period():
    outcomes = [outcome(1, "legislation", True, region="KZ-59", period="2016"),
                outcome(2, "legislation", False, region="KZ-59", period="2017"),
                outcome(3, "legislation", True, region="KZ-75", period="2017"),
                outcome(4, "legislation", True, region="KZ-75", period="2019"),
                outcome(5, "interview", True, region="KZ-75", period="2017")]
    overall, kz59, kz75 = trends(outcomes, "legislation", "region", ["2016", "2017", "2018"])
    assert [(p.label, p.n, p.passed) for p in overall.points] == [("2016", 1, 1), ("2017", 2, 1), ("2018", 0, 0)]
    assert kz59.group == "KZ-59" and [p.rate for p in kz59.points] == [1.0, 0.0, None]
    assert [p.rate for p in kz75.points] == [None, 1.0, None]
    assert trends(outcomes, "legislation", "region", ["2016", "2017", "2018"]) == trends_from_counts(
        {"2016": {"KZ-59": (1, 1)}, "2017": {"KZ-59": (1, 0), "KZ-75": (1, 1)}}, ["2016", "2017", "2018"])


# Small-cell suppression


def _grid(result: SuppressedTable):
    rows = [[*cells, total] for cells, total in zip(result.cells, result.row_totals)]
    return [*rows, [*result.column_totals, result.total]]


def _with_totals(body):
    body = np.asarray(body)
    return np.block([[body, body.sum(axis=1, keepdims=True)], [body.sum(axis=0), body.sum()]])


def _recoverable(full, hidden):
    """Hidden entries that have the same value in every non-negative table agreeing with the published values
    and the row, column and grand totals: the LP minimum equals the maximum. The constraints are those of a
    transportation problem (totally unimodular), so a range wider than a point holds two integer tables."""
    rows, columns = full.shape
    index = np.arange(full.size).reshape(full.shape)
    equalities = []
    for i in range(rows):
        equation = np.zeros(full.size)
        equation[index[i, :-1]], equation[index[i, -1]] = 1, -1
        equalities.append(equation)
    for j in range(columns):
        equation = np.zeros(full.size)
        equation[index[:-1, j]], equation[index[-1, j]] = 1, -1
        equalities.append(equation)
    bounds = [(0, None) if h else (v, v) for v, h in zip(full.ravel(), hidden.ravel())]
    found = []
    for entry in np.flatnonzero(hidden.ravel()):
        objective = np.zeros(full.size)
        objective[entry] = 1
        low, high = (linprog(sign * objective, A_eq=np.array(equalities), b_eq=np.zeros(len(equalities)),
                             bounds=bounds) for sign in (1, -1))
        if high.status != 3 and -high.fun - low.fun < 0.5:  # status 3: unbounded, nothing published pins it
            found.append(divmod(int(entry), columns))
    return found


def _check(body):
    result = suppress(body)
    full = _with_totals(np.asarray(body).reshape(len(body), -1))
    grid = _grid(result)
    hidden = np.array([[cell.suppressed for cell in line] for line in grid])
    for line, values in zip(grid, full):
        for cell, value in zip(line, values):
            assert (cell.value is None) == cell.suppressed
            assert cell.suppressed or (cell.value == value and value >= MIN_CELL)
            assert not value < MIN_CELL or cell.suppressed
    assert _recoverable(full, hidden) == []
    assert result.note == SUPPRESSION_NOTE
    return result


tables = st.integers(1, 4).flatmap(lambda columns: st.lists(
    st.lists(st.one_of(st.integers(0, 9), st.integers(10, 60)), min_size=columns, max_size=columns),
    min_size=1, max_size=4))


@settings(max_examples=60, deadline=None)
@given(tables)
def test_suppression_hides_small_counts_and_leaves_nothing_recoverable(body):
    _check(body)


def test_one_hidden_cell_in_a_list_takes_the_next_smallest_with_it():
    result = _check([[3], [50], [60]])
    assert [c.value for (c,) in result.cells] == [None, None, 60]
    assert result.total.value == 113


def test_hidden_zeros_that_must_be_zero_are_protected():
    # Hiding only the zeros leaves 0 + 0 = 50 - 50: counts cannot be negative, so both would be known.
    result = _check([[0], [0], [50]])
    assert [c.suppressed for (c,) in result.cells] == [True, True, True]


def test_secondary_suppression_takes_the_cheapest_cells():
    result = _check([[30, 5], [40, 12], [25, 20]])
    assert [[c.value for c in row] for row in result.cells] == [[None, None], [40, 12], [None, None]]
    assert [c.value for c in result.row_totals] == [35, 52, 45]


def test_two_hidden_cells_per_line_are_not_enough():
    # Two blocks of small cells joined by one more: every line holds 0 or at least 2 small cells,
    # yet the joining cell (0, 2) follows from the totals.
    body = np.full((5, 5), 50)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        body[i, j] = 1
    full = _with_totals(body)
    assert _recoverable(full, full < MIN_CELL) == [(0, 2)]
    _check(body.tolist())


def test_suppression_refuses_bad_tables():
    for table in ([], [[1, -1]], [[[1]]]):
        with pytest.raises(ValueError):
            suppress(table)
