"""Commission scoring statistics: final scores, moderation, inter-rater agreement and rater severity.

Matrices are targets x raters (a row per candidate or candidate-competency, a column per commission member),
the layout of a scoring sheet. Every agreement measure returns None when it is undefined for the data
(too few targets or raters, or no variance to apportion) rather than a misleading number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from statistics import fmean
from typing import Literal, NamedTuple, TypeVar

import numpy as np


def _stats():
    """scipy.stats, imported at first use: it is about a third of the server's start-up, and a crashed server
    must be back within seconds."""
    import scipy.stats
    return scipy.stats

Matrix = Sequence[Sequence[float]]
Level = Literal["good", "tolerable", "poor", "undefined"]
T = TypeVar("T", bound=Hashable)
R = TypeVar("R", bound=Hashable)

TRIM_FROM_PANEL = 5
# scipy cuts int(0.2 * n) ratings from each end: one with 5-9 raters (the top and bottom one), two with 10-14.
TRIM_PROPORTION = 0.2


def final_score(ratings: Sequence[float]) -> float:
    """The mean rating; for panels of 5 or more a 20% trimmed mean, so one outlying member cannot move it."""
    if not ratings:
        raise ValueError("no ratings")
    if len(ratings) >= TRIM_FROM_PANEL:
        return float(_stats().trim_mean(ratings, TRIM_PROPORTION))
    return fmean(ratings)


def needs_moderation(ratings: Sequence[float], max_spread: float = 2) -> bool:
    """True when the ratings spread more than max_spread points (on the 1-5 scale: e.g. a 1 next to a 4)."""
    return bool(ratings) and max(ratings) - min(ratings) > max_spread


class _MeanSquares(NamedTuple):
    targets: float    # MSR: between targets
    raters: float     # MSC: between raters
    error: float      # MSE: residual
    n: int            # number of targets
    k: int            # number of raters


def _complete(matrix: Matrix) -> np.ndarray | None:
    """The matrix as an array; None with fewer than 2 targets or raters."""
    x = np.asarray(matrix, dtype=float)
    if x.size and x.ndim != 2:
        raise ValueError("expected a targets x raters matrix")
    if np.isnan(x).any():
        raise ValueError("a complete matrix is required; use krippendorff_alpha for missing ratings")
    return x if x.ndim == 2 and min(x.shape) >= 2 else None


def _mean_squares(matrix: Matrix) -> _MeanSquares | None:
    """Two-way ANOVA without replication (Shrout & Fleiss 1979)."""
    x = _complete(matrix)
    if x is None:
        return None
    n, k = x.shape
    grand = x.mean()
    ss_targets = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_raters = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((x - grand) ** 2).sum() - ss_targets - ss_raters
    return _MeanSquares(ss_targets / (n - 1), ss_raters / (k - 1), ss_error / ((n - 1) * (k - 1)), n, k)


def _ratio(numerator: float, denominator: float) -> float | None:
    # A non-positive denominator is a negative estimate of total variance: the coefficient means nothing.
    return float(numerator / denominator) if denominator > 1e-12 else None


def icc21(matrix: Matrix) -> float | None:
    """ICC(2,1): absolute agreement of a single rater, raters a random sample of possible commission members."""
    ms = _mean_squares(matrix)
    if ms is None:
        return None
    return _ratio(ms.targets - ms.error,
                  ms.targets + (ms.k - 1) * ms.error + ms.k * (ms.raters - ms.error) / ms.n)


def icc2k(matrix: Matrix) -> float | None:
    """ICC(2,k): absolute agreement of the panel's mean rating, the reliability of the score actually used.

    Absolute agreement: a member who is uniformly harsher than the others lowers it (consistency ICC would not).
    """
    ms = _mean_squares(matrix)
    if ms is None:
        return None
    return _ratio(ms.targets - ms.error, ms.targets + (ms.raters - ms.error) / ms.n)


def krippendorff_alpha(matrix: Sequence[Sequence[float | None]],
                       level: Literal["nominal", "ordinal", "interval"] = "interval") -> float | None:
    """Krippendorff's alpha over a targets x raters matrix in which None marks a missing rating.

    None when undefined: no target rated twice, or every pairable rating identical (no expected disagreement).
    """
    x = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    if x.ndim != 2:
        return None
    pairable = x[(~np.isnan(x)).sum(axis=1) >= 2]
    if np.unique(pairable[~np.isnan(pairable)]).size < 2:
        return None
    import krippendorff  # scipy underneath: imported at first use like it

    return float(krippendorff.alpha(reliability_data=x.T, level_of_measurement=level))


def kendall_w(matrix: Matrix) -> float | None:
    """Kendall's coefficient of concordance of the raters' rankings of the targets, corrected for ties."""
    x = _complete(matrix)
    if x is None:
        return None
    n, m = x.shape
    ranks = _stats().rankdata(x, axis=0)
    spread = ((ranks.sum(axis=1) - m * (n + 1) / 2) ** 2).sum()
    ties = sum((t ** 3 - t).sum() for t in (np.unique(column, return_counts=True)[1] for column in x.T))
    return _ratio(12 * spread, m ** 2 * (n ** 3 - n) - m * ties)


def rater_severity(ratings_by_rater: Mapping[R, Sequence[tuple[T, float]]]) -> dict[R, float]:
    """Each rater's mean deviation from the panel mean of the targets they rated (positive = lenient).

    The panel mean of a target is the mean over every rater who rated it, the rater included, so on complete
    data the severities sum to zero. Comparing over the same targets keeps a member who only sat for strong
    candidates from looking lenient. A target is any hashable, e.g. (candidate, competency).
    """
    by_target: dict[T, list[float]] = defaultdict(list)
    for ratings in ratings_by_rater.values():
        for target, score in ratings:
            by_target[target].append(score)
    panel = {target: fmean(scores) for target, scores in by_target.items()}
    return {rater: fmean(score - panel[target] for target, score in ratings)
            for rater, ratings in ratings_by_rater.items() if ratings}


def interpret_icc(icc: float | None) -> Level:
    """Above 0.75 good; 0.5 to 0.75 tolerable (Koo & Li's "moderate"); below 0.5 poor."""
    if icc is None:
        return "undefined"
    return "good" if icc > 0.75 else "tolerable" if icc >= 0.5 else "poor"


def interpret_alpha(alpha: float | None) -> Level:
    """Krippendorff: 0.8 or more reliable; 0.667 the lowest tolerable for tentative conclusions; below that poor."""
    if alpha is None:
        return "undefined"
    return "good" if alpha >= 0.8 else "tolerable" if alpha >= 0.667 else "poor"
