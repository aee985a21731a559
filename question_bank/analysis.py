"""Item analysis (classical test theory) over a response matrix, as Moodle computes it.

Plain data in (one `AttemptResponses` per attempt), plain data out (frozen dataclasses). Floats are never
rounded here; round them where they are shown. Formulas: shared/reference/psychometrics.md, "Item analysis".

Rules the numbers follow:
- Randomized forms: an item's statistics use only the attempts it was presented to (the attempts whose
  `scores` name it). x is the item's mark, X the attempt's total over the items that attempt saw, R = X - x.
  Variances and covariances divide by s - 1. A presented but unanswered item must be given a mark of 0.
- An item seen by fewer than 20 examinees gets no statistics (all None) and only the flag TOO_FEW_EXAMINEES.
- Standard deviation of an item is reported on the facility scale (SD of x divided by the max mark).
- Discrimination index and discriminative efficiency are None when x or R does not vary.
- Distractor analysis: the item's examinees are ranked by total X, highest first; ties are broken by attempt
  order (an attempt earlier in `responses` ranks higher). The upper group is the first round(0.27 n) of that
  ranking, the lower group the last round(0.27 n). A share is the fraction of a group whose chosen options
  include the option (multiple-response items may sum past 1). The key is `keys[item]` when given, else the
  options chosen by every full-mark attempt; when neither is known, `is_key` is None and no distractor flag.
- Reliability: a form is the set of items an attempt saw. Cronbach alpha (= KR-20 for 0/1 marks) is computed
  per distinct form that has at least 20 attempts, on that form's complete matrix. The reported alpha is that
  form's alpha when every attempt saw the same items, otherwise the median over the forms that have one.
  SEM = SD(X over all attempts) * sqrt(1 - alpha); a score is reported as X +- 1.96 SEM.
- Score distribution: counts per integer score; a fractional total counts toward its floor (7.5 -> 7).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from question_bank.items import N_

ItemId = str

MIN_EXAMINEES = 20            # refuse item statistics and alpha below this
WARN_ATTEMPTS = 100           # warn below this many attempts
GROUP_FRACTION = 0.27         # upper and lower groups for distractor analysis
TOO_EASY_ABOVE = 0.9
TOO_HARD_BELOW = 0.3
DUBIOUS_EFFICIENCY_BELOW = 15.0
ALPHA_UNSATISFACTORY_BELOW = 0.64
ALPHA_SATISFACTORY_ABOVE = 0.75
BAND_Z = 1.96


class Flag(StrEnum):
    """Review triggers, not verdicts; `explanation` says why in a short English sentence."""

    TOO_FEW_EXAMINEES = "too_few_examinees"
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    POSSIBLE_WRONG_KEY = "possible_wrong_key"
    DUBIOUS = "dubious"
    DISTRACTOR_ATTRACTS_STRONG = "distractor_attracts_strong"
    FEW_ATTEMPTS = "few_attempts"
    NO_RELIABILITY = "no_reliability"
    RELIABILITY_UNSATISFACTORY = "reliability_unsatisfactory"
    RELIABILITY_SATISFACTORY = "reliability_satisfactory"

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    Flag.TOO_FEW_EXAMINEES: N_("too few examinees (n < 20)"),
    Flag.TOO_EASY: N_("too easy: facility above 0.9"),
    Flag.TOO_HARD: N_("too hard: facility below 0.3 or below the random-guess score"),
    Flag.POSSIBLE_WRONG_KEY: N_("possible wrong key: negative discrimination on an item of normal difficulty"),
    Flag.DUBIOUS: N_("dubious: discriminative efficiency below 15 per cent"),
    Flag.DISTRACTOR_ATTRACTS_STRONG:
        N_("distractor attracts strong candidates: chosen more by the strongest 27 per cent than the weakest 27 per cent"),
    Flag.FEW_ATTEMPTS: N_("fewer than 100 attempts: treat the statistics as provisional"),
    Flag.NO_RELIABILITY: N_("reliability not computed: fewer than 20 attempts, or totals that do not vary"),
    Flag.RELIABILITY_UNSATISFACTORY: N_("reliability unsatisfactory: alpha below 0.64"),
    Flag.RELIABILITY_SATISFACTORY: N_("reliability satisfactory: alpha above 0.75"),
}


@dataclass(frozen=True)
class AttemptResponses:
    """One attempt: the mark per presented item, and the option keys chosen per item."""

    scores: Mapping[ItemId, float]
    choices: Mapping[ItemId, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        scores = {item: float(mark) for item, mark in self.scores.items()}
        if not all(math.isfinite(mark) for mark in scores.values()):
            raise ValueError("every mark must be a finite number")
        object.__setattr__(self, "scores", MappingProxyType(scores))
        object.__setattr__(self, "choices", MappingProxyType(
            {item: frozenset(chosen) for item, chosen in self.choices.items()}))


@dataclass(frozen=True)
class OptionStatistics:
    key: str
    share: float          # of all the item's examinees
    upper_share: float    # of the upper 27%
    lower_share: float    # of the lower 27%
    is_key: bool | None   # None when the key is unknown

    @property
    def attracts_strong(self) -> bool:
        return self.is_key is False and self.upper_share > self.lower_share


@dataclass(frozen=True)
class ItemStatistics:
    item_id: ItemId
    n: int
    max_mark: float
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    options: tuple[OptionStatistics, ...] | None
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class FormReliability:
    items: tuple[ItemId, ...]
    attempts: int
    sd: float | None
    alpha: float | None   # None under 20 attempts, with fewer than 2 items, or when totals do not vary
    sem: float | None


@dataclass(frozen=True)
class TestAnalysis:
    __test__ = False  # not a pytest test class

    attempts: int
    mean: float | None
    sd: float | None
    alpha: float | None
    sem: float | None
    band_half_width: float | None           # 1.96 * SEM
    histogram: tuple[tuple[int, int], ...]  # (integer score, attempts)
    forms: tuple[FormReliability, ...]
    items: tuple[ItemStatistics, ...]
    flags: tuple[Flag, ...]

    def item(self, item_id: ItemId) -> ItemStatistics:
        return next(stats for stats in self.items if stats.item_id == item_id)


def analyse(
    responses: Sequence[AttemptResponses],
    max_marks: Mapping[ItemId, float] | None = None,
    *,
    option_counts: Mapping[ItemId, int] | None = None,
    keys: Mapping[ItemId, Collection[str]] | None = None,
) -> TestAnalysis:
    """Item and test statistics; see the module docstring for the rules."""
    attempts = tuple(responses)
    item_ids = tuple(sorted({item for attempt in attempts for item in attempt.scores}))
    maxima = {item: _max_mark(item, max_marks) for item in item_ids}
    marks = _matrix(attempts, item_ids)
    totals = marks.sum(axis=1, where=~np.isnan(marks))
    items = tuple(
        _item(item, marks[:, j], totals, attempts, maxima[item],
              (option_counts or {}).get(item), (keys or {}).get(item))
        for j, item in enumerate(item_ids))
    return _test(attempts, marks, item_ids, totals, items)


def cronbach_alpha(matrix: Sequence[Sequence[float]] | np.ndarray) -> float | None:
    """Alpha of a complete matrix (rows attempts, columns items); None with < 2 of either or constant totals."""
    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] < 2 or a.shape[1] < 2:
        return None
    if np.isnan(a).any():
        raise ValueError("alpha needs a complete matrix")
    totals = a.sum(axis=1)
    if np.ptp(totals) == 0:
        return None
    p = a.shape[1]
    ratio = np.var(a, axis=0, ddof=1).sum() / np.var(totals, ddof=1)
    return min(1.0, float(p / (p - 1) * (1.0 - ratio)))  # min: alpha <= 1 holds up to float noise


# Items


def _max_mark(item: ItemId, max_marks: Mapping[ItemId, float] | None) -> float:
    mark = float((max_marks or {}).get(item, 1.0))
    if not (math.isfinite(mark) and mark > 0):
        raise ValueError(f"item {item!r}: the max mark must be positive")
    return mark


def _matrix(attempts: tuple[AttemptResponses, ...], item_ids: tuple[ItemId, ...]) -> np.ndarray:
    """Attempts x items; NaN where the item was not presented."""
    column = {item: j for j, item in enumerate(item_ids)}
    marks = np.full((len(attempts), len(item_ids)), np.nan)
    for i, attempt in enumerate(attempts):
        for item, mark in attempt.scores.items():
            marks[i, column[item]] = mark
    return marks


def _item(item_id: ItemId, column: np.ndarray, totals: np.ndarray, attempts: tuple[AttemptResponses, ...],
          max_mark: float, option_count: int | None, key: Collection[str] | None) -> ItemStatistics:
    seen = np.flatnonzero(~np.isnan(column))
    if seen.size < MIN_EXAMINEES:
        return ItemStatistics(item_id, int(seen.size), max_mark, None, None, None, None, None,
                              (Flag.TOO_FEW_EXAMINEES,))
    x, total = column[seen], totals[seen]
    rest = total - x
    chosen = [attempts[i].choices.get(item_id, frozenset()) for i in seen]
    facility = float(np.mean(x)) / max_mark
    discrimination, efficiency = _discrimination(x, rest), _efficiency(x, rest)
    options = _options(chosen, total, _key(chosen, x, max_mark, key))
    flags = _item_flags(facility, discrimination, efficiency, options, option_count)
    return ItemStatistics(item_id, int(seen.size), max_mark, facility, float(np.std(x, ddof=1)) / max_mark,
                          discrimination, efficiency, options, flags)


def _discrimination(x: np.ndarray, rest: np.ndarray) -> float | None:
    """100 * the corrected item-rest (Pearson) correlation."""
    if np.ptp(x) == 0 or np.ptp(rest) == 0:
        return None
    cov = np.cov(x, rest)
    r = cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1])
    return 100.0 * float(np.clip(r, -1.0, 1.0))


def _efficiency(x: np.ndarray, rest: np.ndarray) -> float | None:
    """100 * Cov(x, R) / Cov(sort(x), sort(R)): the discrimination as a share of the most the marks allow."""
    if np.ptp(x) == 0 or np.ptp(rest) == 0:
        return None
    cov_max = np.cov(np.sort(x), np.sort(rest))[0, 1]
    return 100.0 * float(np.cov(x, rest)[0, 1] / cov_max)


def _key(chosen: list[frozenset[str]], x: np.ndarray, max_mark: float,
         given: Collection[str] | None) -> frozenset[str] | None:
    if given is not None:
        return frozenset(given)
    full = [options for options, mark in zip(chosen, x) if mark >= max_mark]
    return (frozenset.intersection(*full) or None) if full else None


def _options(chosen: list[frozenset[str]], total: np.ndarray,
             key: frozenset[str] | None) -> tuple[OptionStatistics, ...]:
    n = len(chosen)
    ranking = np.lexsort((np.arange(n), -total))  # highest total first; earlier attempt first among ties
    size = math.floor(GROUP_FRACTION * n + 0.5)
    upper, lower = ranking[:size], ranking[n - size:]
    everyone = np.arange(n)
    return tuple(
        OptionStatistics(option, _share(chosen, everyone, option), _share(chosen, upper, option),
                         _share(chosen, lower, option), None if key is None else option in key)
        for option in sorted(set().union(*chosen, key or ())))


def _share(chosen: list[frozenset[str]], group: np.ndarray, option: str) -> float:
    return float(np.mean([option in chosen[i] for i in group]))


def _item_flags(facility: float, discrimination: float | None, efficiency: float | None,
                options: tuple[OptionStatistics, ...], option_count: int | None) -> tuple[Flag, ...]:
    guess = 1.0 / option_count if option_count else 0.0
    rules = (
        (Flag.TOO_EASY, facility > TOO_EASY_ABOVE),
        (Flag.TOO_HARD, facility < max(TOO_HARD_BELOW, guess)),
        (Flag.POSSIBLE_WRONG_KEY, discrimination is not None and discrimination < 0
         and TOO_HARD_BELOW <= facility <= TOO_EASY_ABOVE),
        (Flag.DUBIOUS, efficiency is not None and efficiency < DUBIOUS_EFFICIENCY_BELOW),
        (Flag.DISTRACTOR_ATTRACTS_STRONG, any(option.attracts_strong for option in options)),
    )
    return tuple(flag for flag, raised in rules if raised)


# Test level


def _test(attempts: tuple[AttemptResponses, ...], marks: np.ndarray, item_ids: tuple[ItemId, ...],
          totals: np.ndarray, items: tuple[ItemStatistics, ...]) -> TestAnalysis:
    forms = _forms(attempts, marks, item_ids)
    alphas = [form.alpha for form in forms if form.alpha is not None]
    alpha = float(np.median(alphas)) if alphas else None
    if alpha is None and len(attempts) >= MIN_EXAMINEES:
        alpha = pooled_alpha(marks, int(np.median([len(a.scores) for a in attempts])))
    sd = float(np.std(totals, ddof=1)) if totals.size >= 2 else None
    sem = _sem(sd, alpha)
    return TestAnalysis(
        attempts=len(attempts), mean=float(np.mean(totals)) if totals.size else None, sd=sd, alpha=alpha,
        sem=sem, band_half_width=None if sem is None else BAND_Z * sem, histogram=_histogram(totals),
        forms=forms, items=items, flags=_test_flags(len(attempts), alpha))


def _forms(attempts: tuple[AttemptResponses, ...], marks: np.ndarray,
           item_ids: tuple[ItemId, ...]) -> tuple[FormReliability, ...]:
    rows: dict[tuple[ItemId, ...], list[int]] = {}
    for i, attempt in enumerate(attempts):
        rows.setdefault(tuple(sorted(attempt.scores)), []).append(i)
    column = {item: j for j, item in enumerate(item_ids)}
    return tuple(_form(form, marks[np.ix_(rows[form], [column[item] for item in form])])
                 for form in sorted(rows))


def _form(items: tuple[ItemId, ...], matrix: np.ndarray) -> FormReliability:
    attempts = matrix.shape[0]
    sd = float(np.std(matrix.sum(axis=1), ddof=1)) if attempts >= 2 else None
    alpha = cronbach_alpha(matrix) if attempts >= MIN_EXAMINEES else None
    return FormReliability(items, attempts, sd, alpha, _sem(sd, alpha))


def pooled_alpha(marks: np.ndarray, length: int) -> float | None:
    """Alpha for randomized forms, where no two candidates may share a form: the alpha of a test of `length`
    items whose item variance and inter-item covariance are the bank's averages,
    alpha = k c / (v + (k - 1) c), with each covariance taken over the candidates who saw both items."""
    if length < 2:
        return None
    seen = ~np.isnan(marks)
    centred = np.where(seen, marks - np.nanmean(np.where(seen, marks, np.nan), axis=0), 0.0)
    together = seen.T.astype(float) @ seen.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = (centred.T @ centred) / (together - 1)
    usable = together >= MIN_EXAMINEES
    diagonal = np.diag(usable)
    off = usable & ~np.eye(len(usable), dtype=bool)
    if not diagonal.any() or not off.any():
        return None
    variance, shared = float(np.mean(np.diag(covariance)[diagonal])), float(np.mean(covariance[off]))
    denominator = variance + (length - 1) * shared
    # Covariances over different subsets of candidates can put the estimate above 1, which no reliability is.
    return None if denominator <= 0 else min(1.0, length * shared / denominator)


def _sem(sd: float | None, alpha: float | None) -> float | None:
    return None if sd is None or alpha is None else sd * math.sqrt(max(0.0, 1.0 - alpha))  # alpha 1 + rounding


def _histogram(totals: np.ndarray) -> tuple[tuple[int, int], ...]:
    if totals.size == 0:
        return ()
    scores = np.floor(totals).astype(int)
    low = min(0, int(scores.min()))
    counts = np.bincount(scores - low)
    return tuple((low + i, int(count)) for i, count in enumerate(counts))


def _test_flags(attempts: int, alpha: float | None) -> tuple[Flag, ...]:
    rules = (
        (Flag.FEW_ATTEMPTS, attempts < WARN_ATTEMPTS),
        (Flag.NO_RELIABILITY, alpha is None),
        (Flag.RELIABILITY_UNSATISFACTORY, alpha is not None and alpha < ALPHA_UNSATISFACTORY_BELOW),
        (Flag.RELIABILITY_SATISFACTORY, alpha is not None and alpha > ALPHA_SATISFACTORY_ABOVE),
    )
    return tuple(flag for flag, raised in rules if raised)
