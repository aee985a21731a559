"""Pass-rate statistics for the HR agencies' reports: rates with confidence intervals, differences between
groups, funnels, trends, adverse impact and small-cell suppression.

Plain data in, plain data out. Every statistic starts from counts, `{group: (n, passed)}`, so the database can
aggregate with a GROUP BY and call the `*_from_counts` functions; the functions over `Outcome` records only
count and delegate. Formulas: shared/reference/psychometrics.md, "Pass-rate statistics". The test-quality
appendix (KR-20/alpha, SEM, score histogram) is `question_bank.analysis.analyse`.

Rules the numbers follow:
- Intervals are 95%, Wilson by default, Clopper-Pearson on request; a group of 0 people has no rate (None).
- Rows are sorted by group code; the overall ("national") row pools every group.
- Differences: Pearson chi-square over groups x (passed, failed), without continuity correction; adjusted
  standardized residuals of the pass counts, |r| > 2 flagged; each group against the rest of the groups with
  the pooled two-proportion z test, or Fisher's exact test when an expected count is under 5; Holm-corrected.
- Adverse impact: against the group with the highest rate (29 CFR 1607.4(D)).
- Suppression: see `suppress`.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike


def _scipy():
    """scipy's stats, linalg and optimize, imported at first use: they are about a third of the server's
    start-up, and a crashed server must be back within seconds."""
    import scipy.linalg
    import scipy.optimize
    import scipy.stats
    return scipy

Method = Literal["wilson", "clopper-pearson"]
Counts = Mapping[str, tuple[int, int]]  # group (or stage) -> (n, passed)
K = TypeVar("K", bound=Hashable)

OVERALL = "overall"
PERIOD = "period"            # the dimension in Outcome.groups that holds the period
CONFIDENCE = 0.95
RESIDUAL_FLAG = 2.0
IMPACT_RATIO_FLAG = 0.8
Z_FLAG = 1.96
MIN_EXPECTED = 5             # below this expected count a comparison uses Fisher's exact test
MIN_CELL = 10                # counts below this are not published

SUPPRESSION_NOTE = (
    f"Counts below {MIN_CELL}, including zero, are not published, nor any total below {MIN_CELL}; "
    f"a rate is published only when its count and its base are, so no rate rests on fewer than {MIN_CELL} "
    "people. Further cells, as few and as small as possible, are then suppressed so that no suppressed value "
    "can be worked out exactly from the published cells and totals. Suppressed values are marked."
)


@dataclass(frozen=True)
class Outcome:
    """One candidate's result at one stage; `groups` maps a dimension ("region", "period", ...) to a code."""

    candidate: int
    stage: str
    passed: bool
    groups: Mapping[str, str]


@dataclass(frozen=True)
class Rate:
    label: str             # the group code; the stage in a funnel, the period in a trend
    n: int
    passed: int
    rate: float | None     # None when n == 0, and so are the bounds
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Rates:
    overall: Rate
    groups: tuple[Rate, ...]   # sorted by group code

    def group(self, code: str) -> Rate:
        return next(rate for rate in self.groups if rate.label == code)


@dataclass(frozen=True)
class GroupDifference:
    group: str
    residual: float | None       # adjusted standardized residual; positive: passes more often than expected
    flagged: bool                # |residual| > 2
    test: Literal["z", "fisher"]  # this group against the rest
    p: float
    p_holm: float
    significant: bool            # p_holm < alpha


@dataclass(frozen=True)
class Differences:
    chi2: float | None           # None when fewer than 2 groups or everyone passed (or failed)
    dof: int
    p: float | None
    groups: tuple[GroupDifference, ...]   # the groups with n > 0


@dataclass(frozen=True)
class Impact:
    group: str
    n: int
    passed: int
    rate: float | None
    impact_ratio: float | None   # rate / the reference group's rate
    ratio_flagged: bool          # below 0.80
    z: float | None              # two-SD test against the reference; None for the reference or no variance
    z_flagged: bool              # |z| > 1.96
    fisher_p: float | None       # against the reference, when an expected count is under 5
    shortfall: float             # n * overall rate - passed: passes missing at the overall rate


@dataclass(frozen=True)
class AdverseImpact:
    reference: str | None        # the group with the highest rate; None when no group qualifies
    groups: tuple[Impact, ...]


@dataclass(frozen=True)
class Funnel:
    group: str                   # OVERALL or a group code
    steps: tuple[Rate, ...]      # one per stage in order: n entered, passed, rate the stage's conversion


@dataclass(frozen=True)
class Trend:
    group: str                   # OVERALL or a group code
    points: tuple[Rate, ...]     # one per period in order


@dataclass(frozen=True)
class Cell:
    value: int | None            # None when suppressed
    suppressed: bool


@dataclass(frozen=True)
class SuppressedTable:
    cells: tuple[tuple[Cell, ...], ...]   # rows x columns
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell
    note: str


# Intervals and multiple comparisons


def proportion_interval(passed: ArrayLike, n: ArrayLike,
                        method: Method = "wilson") -> tuple[np.ndarray, np.ndarray]:
    """Two-sided 95% interval for passed / n, elementwise; NaN where n == 0."""
    k, n = np.asarray(passed, dtype=float), np.asarray(n, dtype=float)
    if method == "wilson":
        low, high = _wilson(k, n, float(_scipy().stats.norm.ppf(0.5 + CONFIDENCE / 2)))
    elif method == "clopper-pearson":
        tail = (1 - CONFIDENCE) / 2
        with np.errstate(invalid="ignore"):
            low = np.where(k == 0, 0.0, _scipy().stats.beta.ppf(tail, k, n - k + 1))
            high = np.where(k == n, 1.0, _scipy().stats.beta.ppf(1 - tail, k + 1, n - k))
    else:
        raise ValueError(f"unknown method {method!r}")
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def _wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        shrink = 1 + z ** 2 / n
        centre = (p + z ** 2 / (2 * n)) / shrink
        half = z / shrink * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    # At 0 and n the bounds are exactly 0 and 1; the formula gets there only up to rounding.
    return np.where(k == 0, 0.0, centre - half), np.where(k == n, 1.0, centre + half)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values, in the order given."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    steps = (p.size - np.arange(p.size)) * p[order]
    adjusted = np.empty(p.size)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted.tolist()


# Rates


def rates_from_counts(counts: Counts, method: Method = "wilson") -> Rates:
    """Rates per group from {group: (n, passed)}, e.g. the rows of a SQL GROUP BY."""
    labels = sorted(counts)
    n = np.array([counts[label][0] for label in labels], dtype=np.int64)
    passed = np.array([counts[label][1] for label in labels], dtype=np.int64)
    overall = _rate_rows([OVERALL], n.sum(keepdims=True), passed.sum(keepdims=True), method)[0]
    return Rates(overall, _rate_rows(labels, n, passed, method))


def rates(outcomes: Iterable[Outcome], stage: str, by: str, period: str | None = None,
          method: Method = "wilson") -> Rates:
    """Pass rates at `stage` per group of dimension `by` (every outcome must carry it), optionally in one period."""
    chosen = (o for o in outcomes if o.stage == stage and (period is None or o.groups.get(PERIOD) == period))
    return rates_from_counts(_tally((o.groups[by], o.passed) for o in chosen), method)


def _rate_rows(labels: Sequence[str], n: np.ndarray, passed: np.ndarray, method: Method) -> tuple[Rate, ...]:
    if (passed < 0).any() or (passed > n).any():
        raise ValueError("every count needs 0 <= passed <= n")
    low, high = proportion_interval(passed, n, method)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = passed / n
    return tuple(Rate(label, int(n[i]), int(passed[i]), *(_number(v[i]) for v in (rate, low, high)))
                 for i, label in enumerate(labels))


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _tally(keyed: Iterable[tuple[K, bool]]) -> dict[K, tuple[int, int]]:
    """(key, passed) pairs -> {key: (n, passed)}; a Counter is the fastest pure-Python count over 1M records."""
    counter = Counter(keyed)
    keys = {key for key, _ in counter}
    return {key: (counter[key, True] + counter[key, False], counter[key, True]) for key in keys}


# Differences between groups


def differences(rates: Rates, alpha: float = 0.05) -> Differences:
    tested = [rate for rate in rates.groups if rate.n > 0]
    if len(tested) < 2:
        return Differences(None, 0, None, ())
    n = np.array([rate.n for rate in tested])
    k = np.array([rate.passed for rate in tested])
    total, passed = int(n.sum()), int(k.sum())
    chi2 = p = residuals = None
    if 0 < passed < total:
        result = _scipy().stats.chi2_contingency(np.column_stack([k, n - k]), correction=False)
        chi2, p = float(result.statistic), float(result.pvalue)
        residuals = _adjusted_residuals(n, k)
    tests = [_compare(int(n[i]), int(k[i]), total - int(n[i]), passed - int(k[i])) for i in range(len(tested))]
    raw = [fisher if fisher is not None else float(2 * _scipy().stats.norm.sf(abs(z))) for z, fisher in tests]
    adjusted = holm(raw)
    return Differences(chi2, len(tested) - 1, p, tuple(
        _difference(rate.label, None if residuals is None else float(residuals[i]), tests[i][1] is not None,
                    raw[i], adjusted[i], alpha)
        for i, rate in enumerate(tested)))


def _difference(group: str, residual: float | None, fisher: bool, p: float, p_holm: float,
                alpha: float) -> GroupDifference:
    return GroupDifference(group, residual, residual is not None and abs(residual) > RESIDUAL_FLAG,
                           "fisher" if fisher else "z", p, p_holm, p_holm < alpha)


def _adjusted_residuals(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(O - E) / sqrt(E (1 - row share)(1 - column share)) for the pass column; equal to the pooled z of the
    group against the rest, and standard normal under independence, hence the |r| > 2 rule."""
    share = k.sum() / n.sum()
    expected = n * share
    return (k - expected) / np.sqrt(expected * (1 - n / n.sum()) * (1 - share))


def _compare(n1: int, k1: int, n2: int, k2: int) -> tuple[float | None, float | None]:
    """(pooled two-proportion z of group 1 minus group 2, Fisher's exact p when an expected count is under 5).

    z is None when it is undefined (pooled rate 0 or 1); an expected count is then 0, so Fisher's p is given.
    """
    total, passed = n1 + n2, k1 + k2
    pooled = passed / total
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    z = (k1 / n1 - k2 / n2) / np.sqrt(variance) if variance > 0 else None
    small = min(n1, n2) * min(passed, total - passed) / total < MIN_EXPECTED
    fisher = float(_scipy().stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue) if small else None
    return None if z is None else float(z), fisher


# Adverse impact


def adverse_impact(rates: Rates, min_reference_n: int = 1) -> AdverseImpact:
    """Every group against the highest-rate group among those with at least `min_reference_n` people."""
    eligible = [rate for rate in rates.groups if rate.n >= max(1, min_reference_n)]
    reference = max(eligible, key=lambda rate: rate.rate, default=None)  # first code wins a tie
    overall = rates.overall.rate or 0.0
    return AdverseImpact(None if reference is None else reference.label,
                         tuple(_impact(rate, reference, overall) for rate in rates.groups))


def _impact(rate: Rate, reference: Rate | None, overall: float) -> Impact:
    ratio = z = fisher = None
    if reference is not None and rate.rate is not None and reference.rate:
        ratio = rate.rate / reference.rate
    if reference is not None and rate.n and rate is not reference:
        z, fisher = _compare(rate.n, rate.passed, reference.n, reference.passed)
    return Impact(rate.label, rate.n, rate.passed, rate.rate, ratio, ratio is not None and ratio < IMPACT_RATIO_FLAG,
                  z, z is not None and abs(z) > Z_FLAG, fisher, rate.n * overall - rate.passed)


# Funnels and trends


def funnel_from_counts(counts: Counts, stages: Sequence[str], group: str = OVERALL,
                       method: Method = "wilson") -> Funnel:
    """`counts` maps a stage to (entered, passed); a stage without counts has nobody."""
    n = np.array([counts.get(stage, (0, 0))[0] for stage in stages], dtype=np.int64)
    passed = np.array([counts.get(stage, (0, 0))[1] for stage in stages], dtype=np.int64)
    return Funnel(group, _rate_rows(stages, n, passed, method))


def funnel(outcomes: Iterable[Outcome], stages: Sequence[str], by: str | None = None,
           method: Method = "wilson") -> tuple[Funnel, ...]:
    """The overall funnel, then one per group of `by` (sorted by code); outcomes at other stages are ignored."""
    wanted = set(stages)
    per_group = _split(_tally(((o.groups[by] if by else OVERALL, o.stage), o.passed)
                              for o in outcomes if o.stage in wanted))
    overall = funnel_from_counts(_pool(per_group.values()), stages, OVERALL, method)
    if by is None:
        return (overall,)
    return (overall, *(funnel_from_counts(per_group[group], stages, group, method) for group in sorted(per_group)))


def trends_from_counts(counts: Mapping[str, Counts], periods: Sequence[str],
                       method: Method = "wilson") -> tuple[Trend, ...]:
    """`counts` maps a period to {group: (n, passed)}; the overall trend first, then one per group."""
    tables = [rates_from_counts(counts.get(period, {}), method) for period in periods]
    groups = sorted({rate.label for table in tables for rate in table.groups})
    nobody = {period: Rate(period, 0, 0, None, None, None) for period in periods}
    by_group = [{rate.label: replace(rate, label=period) for rate in table.groups}
                for period, table in zip(periods, tables)]
    return (Trend(OVERALL, tuple(replace(t.overall, label=p) for p, t in zip(periods, tables))),
            *(Trend(group, tuple(rows.get(group, nobody[p]) for p, rows in zip(periods, by_group)))
              for group in groups))


def trends(outcomes: Iterable[Outcome], stage: str, by: str, periods: Sequence[str],
           method: Method = "wilson") -> tuple[Trend, ...]:
    wanted = set(periods)
    chosen = (o for o in outcomes if o.stage == stage and o.groups.get(PERIOD) in wanted)
    return trends_from_counts(_split(_tally(((o.groups[PERIOD], o.groups[by]), o.passed) for o in chosen)),
                              periods, method)


def _split(counts: Mapping[tuple[str, str], tuple[int, int]]) -> dict[str, dict[str, tuple[int, int]]]:
    """{(outer, inner): counts} -> {outer: {inner: counts}}"""
    nested: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for (outer, inner), value in counts.items():
        nested[outer][inner] = value
    return dict(nested)


def _pool(tables: Iterable[Counts]) -> dict[str, tuple[int, int]]:
    n: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for table in tables:
        for key, (entered, succeeded) in table.items():
            n[key] += entered
            passed[key] += succeeded
    return {key: (n[key], passed[key]) for key in n}


# Small-cell suppression


def suppress(table: Sequence[Sequence[int]] | Sequence[int]) -> SuppressedTable:
    """Hide small counts, then enough further counts that none of them can be recomputed.

    `table` is rows x columns of counts (a one-dimensional table is one column); its row, column and grand
    totals are published with it. Primary: every cell or total below 10. Secondary: while some hidden value
    is determined by the published ones (given that counts are not negative: hidden zeros in a line whose
    hidden values sum to 0 are disclosed too), hide the cheapest published values that put it on a cycle of
    hidden values along which the table can change: least total value, totals only when cells will not do.
    To publish a rate from a groups x (passed, failed) table, require its row's passed cell and total.
    """
    body = np.asarray(table, dtype=np.int64)
    body = body[:, None] if body.ndim == 1 else body
    if body.ndim != 2 or body.size == 0 or (body < 0).any():
        raise ValueError("expected a non-empty table of non-negative counts")
    rows, columns = body.shape
    full = np.block([[body, body.sum(axis=1, keepdims=True)],
                     [body.sum(axis=0, keepdims=True), np.array([[body.sum()]])]])
    hidden = _protect(full, full < MIN_CELL)
    grid = [[Cell(None, True) if hidden[i, j] else Cell(int(full[i, j]), False) for j in range(columns + 1)]
            for i in range(rows + 1)]
    return SuppressedTable(tuple(tuple(line[:columns]) for line in grid[:rows]),
                           tuple(line[columns] for line in grid[:rows]), tuple(grid[rows][:columns]),
                           grid[rows][columns], SUPPRESSION_NOTE)


def _protect(full: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Secondary suppression over the table with its totals (last row and column).

    Each round frees one disclosed value for good: hiding more never pins a value that was free.
    """
    hidden = hidden.copy()
    equations = _equations(*full.shape)
    while (disclosed := _disclosed(full.ravel(), hidden.ravel(), equations)).any():
        start = np.unravel_index(np.flatnonzero(disclosed)[0], full.shape)
        added = [entry for entry in _cheapest_cycle((int(start[0]), int(start[1])), full, hidden)
                 if not hidden[entry]]
        if not added:
            raise RuntimeError("suppression made no progress")  # would mean the audit and the cycle disagree
        hidden[tuple(np.transpose(added))] = True
    return hidden


def _equations(rows: int, columns: int) -> np.ndarray:
    """Over the flattened table with its totals: each line's entries minus the line's total is 0."""
    equations = []
    for i in range(rows):
        line = np.zeros((rows, columns))
        line[i, :-1], line[i, -1] = 1, -1
        equations.append(line.ravel())
    for j in range(columns):
        line = np.zeros((rows, columns))
        line[:-1, j], line[-1, j] = 1, -1
        equations.append(line.ravel())
    return np.array(equations)


def _disclosed(values: np.ndarray, hidden: np.ndarray, equations: np.ndarray) -> np.ndarray:
    """The hidden values that equal the same number in every non-negative table with the published values.

    The hidden values solve A_H x = b; a value is free when some direction d (A_H d = 0) that keeps the
    hidden zeros non-negative moves it. Zeros that no such direction raises stay 0 (disclosed); the other
    zeros can all be raised at once, so the remaining values are free exactly when the null space of A_H
    without the pinned zeros moves them.
    """
    result = np.zeros(values.size, dtype=bool)
    h = np.flatnonzero(hidden)
    if h.size == 0:
        return result
    a = equations[:, h]
    pinned = _pinned_zeros(a, values[h] == 0)
    fixed = pinned.copy()
    if (~pinned).any():
        basis = _scipy().linalg.null_space(a[:, ~pinned])
        fixed[~pinned] = np.abs(basis).max(axis=1, initial=0.0) < 1e-9
    result[h] = fixed
    return result


def _pinned_zeros(a: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """Hidden zeros that every direction d with a d = 0 and d >= 0 on the zeros leaves at 0.

    One LP: maximize sum(t) with t_k <= d_k, 0 <= t <= 1 over the zeros. The directions form a cone closed
    under addition, so the optimum raises every zero that any direction can raise.
    """
    zeros = np.flatnonzero(zero)
    if zeros.size == 0:
        return zero
    size, m = a.shape[1], zeros.size
    result = _scipy().optimize.linprog(np.r_[np.zeros(size), -np.ones(m)],
                     A_ub=np.hstack([-np.eye(size)[zeros], np.eye(m)]), b_ub=np.zeros(m),
                     A_eq=np.hstack([a, np.zeros((a.shape[0], m))]), b_eq=np.zeros(a.shape[0]),
                     bounds=[(0, None) if z else (None, None) for z in zero] + [(0, 1)] * m)
    if not result.success:
        raise RuntimeError(f"suppression audit failed: {result.message}")
    pinned = np.zeros(size, dtype=bool)
    pinned[zeros] = result.x[size:] < 0.5
    return pinned


Entry = tuple[int, int]


def _cheapest_cycle(start: Entry, full: np.ndarray, hidden: np.ndarray) -> list[Entry]:
    """The entries besides `start` on the cheapest cycle through it along which the table can change.

    Entries are edges between their row and column. Changing them by +e, -e, +e, ... around a cycle keeps
    every line balanced, except that a row or column total moves against its cells (the grand total, a
    total of totals, moves with them). A hidden entry costs nothing; a published one its value, plus more
    than the grand total if it is a total so that cells are preferred.
    """
    total = np.zeros(full.shape, dtype=bool)
    total[-1, :] = total[:, -1] = True
    moves = np.where(total, -1, 1)
    moves[-1, -1] = 1
    cost = np.where(hidden, 0, full + np.where(total, full[-1, -1] + 1, 0))
    paths = [_cheapest_path(start, direction * moves, full, cost) for direction in (1, -1)]
    return min((path for path in paths if path is not None), key=lambda path: path[0])[1]


def _cheapest_path(start: Entry, moves: np.ndarray, full: np.ndarray,
                   cost: np.ndarray) -> tuple[int, list[Entry]] | None:
    """Dijkstra from `start`'s column back to its row; an entry moves by `moves` at even steps (start is
    step 0) and against it at odd ones, and a zero may not move down."""
    if moves[start] < 0 and full[start] == 0:
        return None
    queue: list[tuple[int, tuple[str, int], list[Entry]]] = [(0, ("column", start[1]), [])]
    done: set[tuple[str, int]] = set()
    while queue:
        spent, node, path = heapq.heappop(queue)
        if node == ("row", start[0]):
            return spent, path
        if node in done:
            continue
        done.add(node)
        kind, k = node
        # From a column the path takes an odd step to a row; from a row an even step to a column.
        steps = ([((i, k), ("row", i), -moves[i, k]) for i in range(full.shape[0])] if kind == "column" else
                 [((k, j), ("column", j), moves[k, j]) for j in range(full.shape[1])])
        for entry, target, move in steps:
            if entry != start and target not in done and not (move < 0 and full[entry] == 0):
                heapq.heappush(queue, (spent + int(cost[entry]), target, [*path, entry]))
    return None
