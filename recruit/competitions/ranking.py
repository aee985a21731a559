"""Ranking a competition: multiple hurdles, a weighted composite of standardized stage scores, ordered tie
breaks, and the merit and reserve lists. Pure: data in, data out.

Each decision below can be appealed, so each is written down:
- Scores are compared at 6 decimals everywhere (hurdle minimums, the top-N cut, standardization, composites,
  tie keys), so float noise such as 3.6666666666666665 against 3.666666666666667 never decides a place.
  Composites are reported at full precision.
- A missing score (stage absent, or score None) fails a "minimum" or "top" hurdle, and on a weighted stage
  makes the entrant ineligible with that stage as failed_hurdle (weighted stages checked in code order): whoever
  did not sit a scored stage cannot be placed. On a "stage:" tie key a missing score sorts last.
- z = (score - mean) / population SD over the eligible entrants; 0 when they all score the same (or there is
  one). Weights may sit on stages without a hurdle: a stage can count without being eliminatory.
- Entrants still tied after every key share the rank, as scipy.stats.rankdata(method="min"): 1, 1, 3.
  Everyone with rank <= posts is on the merit list, so a tie left unbroken at the cut lengthens it, and the
  reserve takes ranks up to posts + reserve. Make "lottery" the last tie key to rule that out.
- tie_break holds, for entrants tied on composite, the values of the keys needed to order their group (the
  deepest first difference between neighbours, all keys if some stay tied); empty when not tied.
- Lottery ticket: the first 6 bytes of sha256(f"{seed}:{candidate_id}") as an int (below 2**53, so exact in
  JSON for JavaScript readers too); the lower ticket goes first.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

PLACES = 6
RULES = ("pass", "minimum", "top")
FIXED_KEYS = ("applied_at", "lottery")
Tie = float | str | int | None


@dataclass(frozen=True)
class StageResult:
    passed: bool | None        # the stage's own verdict; None when the stage has none
    score: float | None        # None when absent

    def __post_init__(self) -> None:
        if self.score is not None and not math.isfinite(self.score):
            raise ValueError(f"a stage score must be a finite number, got {self.score}")


MISSING = StageResult(None, None)


@dataclass(frozen=True)
class Entrant:
    candidate_id: int
    applied_at: datetime
    results: Mapping[str, StageResult]   # stage code -> result


@dataclass(frozen=True)
class Hurdle:
    stage: str
    rule: str                  # "pass", "minimum" (score >= minimum) or "top" (top `count`, ties at the cut in)
    minimum: float | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"hurdle {self.stage!r}: unknown rule {self.rule!r}, expected one of {RULES}")
        # A parameter on the wrong rule is a misconfigured competition, not something to ignore.
        if (self.rule == "minimum") != (self.minimum is not None):
            raise ValueError(f"hurdle {self.stage!r}: rule 'minimum' needs a minimum, and only it takes one")
        if (self.rule == "top") != (self.count is not None):
            raise ValueError(f"hurdle {self.stage!r}: rule 'top' needs a count, and only it takes one")
        if self.count is not None and self.count < 1:
            raise ValueError(f"hurdle {self.stage!r}: a top-N hurdle needs N of at least 1")


@dataclass(frozen=True)
class RankingRules:
    hurdles: tuple[Hurdle, ...]
    weights: Mapping[str, float]         # stage code -> weight of its z score in the composite
    tie_keys: tuple[str, ...]            # "stage:<code>" (higher first), "applied_at" (earlier first), "lottery"
    posts: int
    reserve: int = 0
    lottery_seed: str | None = None

    def __post_init__(self) -> None:
        unknown = [k for k in self.tie_keys if k not in FIXED_KEYS and not (k.startswith("stage:") and k[6:])]
        if unknown:
            raise ValueError(f"unknown tie keys {unknown}: use 'stage:<code>', 'applied_at' or 'lottery'")
        if len(set(self.tie_keys)) != len(self.tie_keys):
            raise ValueError(f"tie keys repeat: {self.tie_keys}")
        if "lottery" in self.tie_keys[:-1]:
            raise ValueError("'lottery' can only be the last tie key: after a draw no other key can decide")
        if "lottery" in self.tie_keys and not self.lottery_seed:
            raise ValueError("the 'lottery' tie key needs a lottery_seed, stored so the draw can be repeated")
        if not self.weights:
            raise ValueError("weights: at least one stage must count towards the composite")
        bad = {stage: w for stage, w in self.weights.items() if not (math.isfinite(w) and w > 0)}
        if bad:
            raise ValueError(f"weights must be positive numbers: {bad}")
        if self.posts < 0 or self.reserve < 0:
            raise ValueError(f"posts and reserve cannot be negative: {self.posts}, {self.reserve}")


@dataclass(frozen=True)
class RankEntry:
    rank: int | None            # 1.. for entrants who cleared every hurdle; None for the rest
    candidate_id: int
    composite: float | None     # sum of weight * z over the weighted stages
    eligible: bool
    failed_hurdle: str | None   # the stage that first stopped them
    tie_break: tuple[Tie, ...]  # values of the tie keys used for their group, in key order, JSON-serialisable
    standing: str               # "merit", "reserve" or "none"


@dataclass(frozen=True)
class Ranking:
    entries: tuple[RankEntry, ...]   # eligible in rank order, then the ineligible by candidate_id
    seed: str | None                 # the lottery seed when the lottery is a tie key


def lottery_ticket(seed: str, candidate_id: int) -> int:
    """The entrant's draw: reproducible from the stored seed alone."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{candidate_id}".encode()).digest()[:6], "big")


def admitted(scores: Mapping[int, float | None], count: int) -> frozenset[int]:
    """Top-`count` hurdle: ties at the cut are all admitted; a sole entrant is admitted. A None score is never
    admitted, not even a sole entrant's: it means the stage was not sat."""
    if count < 1:
        raise ValueError(f"a top-N hurdle needs N of at least 1, got {count}")
    scored = {key: _round(score) for key, score in scores.items() if score is not None}
    if not scored:
        return frozenset()
    cut = sorted(scored.values(), reverse=True)[:count][-1]
    return frozenset(key for key, score in scored.items() if score >= cut)


def rank(entrants: Sequence[Entrant], rules: RankingRules) -> Ranking:
    """Hurdles in order, then composite and tie keys, then merit and reserve (see the module notes)."""
    ids = [e.candidate_id for e in entrants]
    if len(set(ids)) != len(ids):
        raise ValueError("an entrant appears twice: candidate ids must be unique")
    # By id first: the input order must not change a floating-point sum, and with it the output.
    eligible, failed = _clear_hurdles(sorted(entrants, key=lambda e: e.candidate_id), rules)
    stopped = tuple(RankEntry(None, cid, None, False, failed[cid], (), "none") for cid in sorted(failed))
    seed = rules.lottery_seed if "lottery" in rules.tie_keys else None
    return Ranking(_place(eligible, _composites(eligible, rules.weights), rules) + stopped, seed)


def _round(score: float) -> float:
    return round(float(score), PLACES)


def _clear_hurdles(entrants: list[Entrant], rules: RankingRules) -> tuple[list[Entrant], dict[int, str]]:
    """Those who clear every hurdle and have every weighted score; for the others, the stage that first stopped them."""
    remaining, failed = entrants, {}
    for hurdle in rules.hurdles:
        cleared = _cleared(hurdle, remaining)
        failed |= {e.candidate_id: hurdle.stage for e in remaining if e.candidate_id not in cleared}
        remaining = [e for e in remaining if e.candidate_id in cleared]
    for stage in sorted(rules.weights):
        failed |= {e.candidate_id: stage for e in remaining if _score(e, stage) is None}
        remaining = [e for e in remaining if _score(e, stage) is not None]
    return remaining, failed


def _cleared(hurdle: Hurdle, entrants: list[Entrant]) -> frozenset[int]:
    # A top-N hurdle ranks only those still in the running, not those stopped by an earlier hurdle.
    if hurdle.rule == "top":
        return admitted({e.candidate_id: _score(e, hurdle.stage) for e in entrants}, hurdle.count)
    if hurdle.rule == "pass":
        return frozenset(e.candidate_id for e in entrants if e.results.get(hurdle.stage, MISSING).passed is True)
    return frozenset(e.candidate_id for e in entrants
                     if (score := _score(e, hurdle.stage)) is not None and _round(score) >= _round(hurdle.minimum))


def _score(entrant: Entrant, stage: str) -> float | None:
    return entrant.results.get(stage, MISSING).score


def _composites(eligible: list[Entrant], weights: Mapping[str, float]) -> dict[int, float]:
    if not eligible:
        return {}
    total = np.zeros(len(eligible))
    for stage in sorted(weights):          # the float sum must not depend on the mapping's order
        total += weights[stage] * _z(np.array([_round(_score(e, stage)) for e in eligible]))
    return {e.candidate_id: float(c) for e, c in zip(eligible, total, strict=True)}


def _z(scores: np.ndarray) -> np.ndarray:
    # Equal scores are tested exactly: their SD can come out as float noise, and noise / noise is not 0.
    if scores.max() == scores.min():
        return np.zeros_like(scores)
    return (scores - scores.mean()) / scores.std()


def _place(eligible: list[Entrant], composites: dict[int, float], rules: RankingRules) -> tuple[RankEntry, ...]:
    ties = {e.candidate_id: [_tie(e, key, rules.lottery_seed) for key in rules.tie_keys] for e in eligible}
    order = {cid: (-_round(c), tuple(sort for sort, _ in ties[cid])) for cid, c in composites.items()}
    ids = sorted(order, key=lambda cid: (order[cid], cid))
    ranks = _min_ranks([order[cid] for cid in ids])
    used = _keys_used(ids, order)
    return tuple(RankEntry(r, cid, composites[cid], True, None, tuple(shown for _, shown in ties[cid][:used[cid]]),
                           _standing(r, rules))
                 for cid, r in zip(ids, ranks, strict=True))


def _tie(entrant: Entrant, key: str, seed: str | None) -> tuple[object, Tie]:
    """What sorts (best first) and what is shown, for one tie key."""
    if key == "applied_at":
        return entrant.applied_at, entrant.applied_at.isoformat()
    if key == "lottery":
        ticket = lottery_ticket(seed, entrant.candidate_id)
        return ticket, ticket
    score = _score(entrant, key.removeprefix("stage:"))
    return ((1, 0.0), None) if score is None else ((0, -_round(score)), _round(score))


def _min_ranks(keys: list[tuple]) -> list[int]:
    """Ranks of sorted keys, equal keys sharing the lowest: rankdata(method="min")."""
    ranks: list[int] = []
    for position, key in enumerate(keys):
        ranks.append(ranks[-1] if position and key == keys[position - 1] else position + 1)
    return ranks


def _keys_used(ids: list[int], order: dict[int, tuple]) -> dict[int, int]:
    """Per entrant, how many tie keys its group of equal composites needed: in sorted order the deepest first
    difference is found between neighbours."""
    used: dict[int, int] = {}
    for _, group in itertools.groupby(ids, key=lambda cid: order[cid][0]):
        members = list(group)
        depth = max((_first_difference(order[a][1], order[b][1]) for a, b in itertools.pairwise(members)), default=0)
        used |= dict.fromkeys(members, depth)
    return used


def _first_difference(a: tuple, b: tuple) -> int:
    """How many keys it takes to tell a from b: all of them if none can."""
    return next((i + 1 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y), len(a))


def _standing(place: int, rules: RankingRules) -> str:
    if place <= rules.posts:
        return "merit"
    return "reserve" if place <= rules.posts + rules.reserve else "none"
