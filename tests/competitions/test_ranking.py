"""The ranking engine: properties checked against independent re-computations, and worked examples by hand."""

import hashlib
import itertools
import json
import math
import statistics
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from recruit.competitions.ranking import (Entrant, Hurdle, RankingRules, StageResult, admitted, lottery_ticket,
                                          rank)

STAGES = ("legislation", "competency", "interview")
STAGE_KEYS = tuple(f"stage:{s}" for s in STAGES)
PROPERTY = settings(deadline=None)
# Few distinct values, so that ties on scores, composites and dates are common.
# Some values not exact in binary, so that a float sum taken in another order would show.
stage_scores = st.sampled_from([None, 0.0, 0.1, 0.7, 1.0, 2.5, 3.0, 4.0, 7.0, 11 / 3])
dates = st.sampled_from([datetime(2024, 3, day, 9, tzinfo=UTC) for day in (1, 2, 3)])
stage_results = st.builds(StageResult, st.sampled_from([True, True, False, None]), stage_scores)


def day(n: int) -> datetime:
    return datetime(2024, 3, n, 9, tzinfo=UTC)


@st.composite
def results(draw) -> dict[str, StageResult]:
    """Every stage usually present; sometimes absent altogether."""
    return {stage: draw(stage_results) for stage in STAGES if draw(st.integers(0, 9))}


@st.composite
def entrant_lists(draw) -> list[Entrant]:
    ids = draw(st.lists(st.integers(1, 500), unique=True, max_size=10))
    return [Entrant(cid, draw(dates), draw(results())) for cid in ids]


individual_hurdles = st.one_of(
    st.builds(Hurdle, st.sampled_from(STAGES), st.just("pass")),
    st.builds(Hurdle, st.sampled_from(STAGES), st.just("minimum"), minimum=st.sampled_from([1.0, 2.5, 3.0])))


@st.composite
def ranking_rules(draw, keys=st.lists(st.sampled_from((*STAGE_KEYS, "applied_at")), unique=True, max_size=4),
                  lottery=st.booleans()) -> RankingRules:
    """A top-N hurdle, if any, comes first: its pool is then everyone, so the tests can check it independently."""
    top = draw(st.lists(st.builds(Hurdle, st.sampled_from(STAGES), st.just("top"), count=st.integers(1, 6)),
                        max_size=1))
    draw_lottery = draw(lottery)
    return RankingRules(
        hurdles=tuple(top + draw(st.lists(individual_hurdles, max_size=3))),
        weights=draw(st.dictionaries(st.sampled_from(STAGES), st.sampled_from([0.5, 1.0, 2.0]), min_size=1)),
        tie_keys=tuple(draw(keys)) + (("lottery",) if draw_lottery else ()),
        posts=draw(st.integers(0, 4)), reserve=draw(st.integers(0, 3)),
        lottery_seed=draw(st.text(min_size=1, max_size=8)) if draw_lottery else None)


# Independent re-computations of the rules, written from the specification rather than the module.

def score(entrant: Entrant, stage: str) -> float | None:
    """The stage score at the documented 6 decimals."""
    result = entrant.results.get(stage)
    return None if result is None or result.score is None else round(result.score, 6)


def clears(entrant: Entrant, hurdle: Hurdle, everyone: list[Entrant]) -> bool:
    own = score(entrant, hurdle.stage)
    if hurdle.rule == "pass":
        return hurdle.stage in entrant.results and entrant.results[hurdle.stage].passed is True
    if hurdle.rule == "minimum":
        return own is not None and own >= hurdle.minimum
    above = [o for o in everyone if (s := score(o, hurdle.stage)) is not None and own is not None and s > own]
    return own is not None and len(above) < hurdle.count


def z(value: float, values: list[float]) -> float:
    sd = statistics.pstdev(values)
    return 0.0 if sd == 0 else (value - statistics.fmean(values)) / sd


def comparison(key: str, a: Entrant, b: Entrant, seed: str | None) -> int:
    """-1 when key puts a first, 1 when b, 0 when it cannot tell them apart."""
    if key == "applied_at":
        x, y = a.applied_at, b.applied_at
    elif key == "lottery":
        x, y = lottery_ticket(seed, a.candidate_id), lottery_ticket(seed, b.candidate_id)
    else:  # higher score first, a missing score last
        sa, sb = score(a, key[6:]), score(b, key[6:])
        x, y = (math.inf if sa is None else -sa), (math.inf if sb is None else -sb)
    return (x > y) - (x < y)


def shown(entrant: Entrant, key: str, seed: str | None) -> float | str | int | None:
    if key == "applied_at":
        return entrant.applied_at.isoformat()
    return lottery_ticket(seed, entrant.candidate_id) if key == "lottery" else score(entrant, key[6:])


def beats(a, b, by_id, rules) -> bool:
    """Whether entry a must be ranked ahead of entry b."""
    ca, cb = round(a.composite, 6), round(b.composite, 6)
    if ca != cb:
        return ca > cb
    decided = (comparison(k, by_id[a.candidate_id], by_id[b.candidate_id], rules.lottery_seed) for k in rules.tie_keys)
    return next((c for c in decided if c), 0) == -1


@PROPERTY
@given(entrant_lists(), ranking_rules(), st.randoms())
def test_the_same_input_in_any_order_gives_the_same_ranking(entrants, rules, random):
    shuffled = list(entrants)
    random.shuffle(shuffled)
    reordered = replace(rules, weights=dict(reversed(list(rules.weights.items()))))
    assert rank(shuffled, reordered) == rank(entrants, rules)


@PROPERTY
@given(entrant_lists(), ranking_rules())
def test_only_entrants_clearing_every_hurdle_are_ranked_and_the_first_failure_is_named(entrants, rules):
    ranking = rank(entrants, rules)
    by_id = {e.candidate_id: e for e in entrants}
    assert sorted(e.candidate_id for e in ranking.entries) == sorted(by_id)
    for entry in ranking.entries:
        entrant = by_id[entry.candidate_id]
        failing = [h.stage for h in rules.hurdles if not clears(entrant, h, entrants)]
        failing += [stage for stage in sorted(rules.weights) if score(entrant, stage) is None]
        assert entry.failed_hurdle == (failing[0] if failing else None)
        assert entry.eligible is (not failing) is (entry.rank is not None) is (entry.composite is not None)
        if not entry.eligible:
            assert (entry.standing, entry.tie_break) == ("none", ())
    ineligible = [e.candidate_id for e in ranking.entries if not e.eligible]
    assert [e.eligible for e in ranking.entries] == sorted((e.eligible for e in ranking.entries), reverse=True)
    assert ineligible == sorted(ineligible)


@PROPERTY
@given(entrant_lists(), ranking_rules())
def test_the_composite_is_the_weighted_sum_of_z_scores_among_the_eligible(entrants, rules):
    ranked = [e for e in rank(entrants, rules).entries if e.eligible]
    by_id = {e.candidate_id: e for e in entrants}
    pool = [by_id[e.candidate_id] for e in ranked]
    for entry in ranked:
        expected = sum(weight * z(score(by_id[entry.candidate_id], stage), [score(p, stage) for p in pool])
                       for stage, weight in rules.weights.items())
        assert entry.composite == pytest.approx(expected, abs=1e-9)


@PROPERTY
@given(entrant_lists(), ranking_rules())
def test_composite_then_the_first_differing_tie_key_decides_and_full_ties_share_the_rank(entrants, rules):
    ranked = [e for e in rank(entrants, rules).entries if e.eligible]
    by_id = {e.candidate_id: e for e in entrants}
    for a, b in itertools.combinations(ranked, 2):
        assert not beats(b, a, by_id, rules), "listed behind someone it beats"
    for entry in ranked:  # rankdata(method="min"): one more than the number of entrants ahead
        assert entry.rank == 1 + sum(beats(other, entry, by_id, rules) for other in ranked)


@PROPERTY
@given(entrant_lists(), ranking_rules())
def test_tie_break_shows_the_keys_needed_within_a_group_of_equal_composites(entrants, rules):
    ranked = [e for e in rank(entrants, rules).entries if e.eligible]
    by_id = {e.candidate_id: e for e in entrants}
    for entry in ranked:
        group = [o for o in ranked if round(o.composite, 6) == round(entry.composite, 6)]
        full = tuple(shown(by_id[entry.candidate_id], key, rules.lottery_seed) for key in rules.tie_keys)
        assert entry.tie_break == full[:len(entry.tie_break)]
        json.dumps(entry.tie_break)
        needed = max((next((i + 1 for i, k in enumerate(rules.tie_keys)
                            if comparison(k, by_id[a.candidate_id], by_id[b.candidate_id], rules.lottery_seed)),
                           len(rules.tie_keys))
                      for a, b in itertools.combinations(group, 2)), default=0)
        assert len(entry.tie_break) == needed


@PROPERTY
@given(entrant_lists(), ranking_rules(keys=st.just([]), lottery=st.just(False)))
def test_without_tie_keys_ranks_are_scipys_min_ranks_of_the_composite(entrants, rules):
    ranked = [e for e in rank(entrants, rules).entries if e.eligible]
    expected = rankdata([-round(e.composite, 6) for e in ranked], method="min")
    assert [e.rank for e in ranked] == [int(r) for r in expected]


@PROPERTY
@given(entrant_lists(), ranking_rules(lottery=st.just(True)))
def test_a_lottery_last_leaves_no_shared_rank_and_the_seed_is_kept(entrants, rules):
    ranking = rank(entrants, rules)
    ranks = [e.rank for e in ranking.entries if e.eligible]
    assert ranks == list(range(1, len(ranks) + 1))
    assert ranking.seed == rules.lottery_seed


@PROPERTY
@given(entrant_lists(), ranking_rules())
def test_merit_then_reserve_by_rank_overflowing_only_on_a_tie_at_the_cut(entrants, rules):
    ranked = [e for e in rank(entrants, rules).entries if e.eligible]
    standings = [e.standing for e in ranked]
    merit, reserve = standings.count("merit"), standings.count("reserve")
    assert standings == ["merit"] * merit + ["reserve"] * reserve + ["none"] * (len(ranked) - merit - reserve)
    assert merit >= min(rules.posts, len(ranked))
    assert merit + reserve >= min(rules.posts + rules.reserve, len(ranked))
    if merit > rules.posts:
        assert len({e.rank for e in ranked[rules.posts - 1:merit]}) == 1
    if merit + reserve > rules.posts + rules.reserve:
        assert len({e.rank for e in ranked[rules.posts + rules.reserve - 1:merit + reserve]}) == 1


@PROPERTY
@given(st.dictionaries(st.integers(1, 100), stage_scores, max_size=12), st.integers(1, 8))
def test_admitted_takes_the_top_n_and_everyone_tied_at_the_cut(marks, count):
    chosen = admitted(marks, count)
    scored = {k: v for k, v in marks.items() if v is not None}
    assert chosen <= scored.keys()
    assert len(chosen) >= min(count, len(scored))
    assert all(scored[k] > scored[o] for k in chosen for o in scored.keys() - chosen)
    if len(chosen) > count:  # only entrants tied at the cut go beyond the count
        cut = min(scored[k] for k in chosen)
        assert sum(scored[k] > cut for k in chosen) < count


def test_admitted_sole_entrant_missing_scores_and_float_noise():
    assert admitted({7: 0.0}, 1) == admitted({7: 0.0}, 5) == {7}
    assert admitted({7: None}, 1) == frozenset()
    assert admitted({1: 9.0, 2: None, 3: 4.0}, 2) == {1, 3}
    assert admitted({1: 3.6666666666666665, 2: 3.666666666666667, 3: 1.0}, 1) == {1, 2}
    with pytest.raises(ValueError, match="at least 1"):
        admitted({1: 1.0}, 0)


def three(legislation=(40, 30, 20), interview=(3, 4, 5)) -> list[Entrant]:
    return [Entrant(i + 1, day(1), {"legislation": StageResult(True, t), "interview": StageResult(None, s)})
            for i, (t, s) in enumerate(zip(legislation, interview))]


def test_worked_example_weighted_z_scores():
    """legislation 40/30/20: mean 30, SD sqrt(200/3), z = +-sqrt(3/2); interview 3/4/5: z = -+sqrt(3/2).
    Composite 1*z + 2*z: #1 -sqrt(3/2), #2 0, #3 +sqrt(3/2)."""
    rules = RankingRules((Hurdle("legislation", "pass"),), {"legislation": 1.0, "interview": 2.0}, (), posts=1,
                         reserve=1)
    entries = rank(three(), rules).entries
    assert [(e.rank, e.candidate_id, e.standing) for e in entries] == [(1, 3, "merit"), (2, 2, "reserve"),
                                                                        (3, 1, "none")]
    assert [e.composite for e in entries] == pytest.approx([math.sqrt(1.5), 0.0, -math.sqrt(1.5)])


def test_worked_example_the_ineligible_are_left_out_of_the_standardization():
    failed = Entrant(4, day(1), {"legislation": StageResult(False, 10), "interview": StageResult(None, 100)})
    absent = Entrant(5, day(1), {"legislation": StageResult(True, 50)})
    rules = RankingRules((Hurdle("legislation", "pass"),), {"legislation": 1.0, "interview": 2.0}, (), posts=1)
    entries = rank([absent, failed, *three()], rules).entries
    assert [(e.candidate_id, e.rank, e.failed_hurdle) for e in entries] == [
        (3, 1, None), (2, 2, None), (1, 3, None), (4, None, "legislation"), (5, None, "interview")]
    assert [e.composite for e in entries[:3]] == pytest.approx([math.sqrt(1.5), 0.0, -math.sqrt(1.5)])


def test_worked_example_a_top_hurdle_ranks_only_those_still_in_the_running():
    """The 12 of an entrant stopped by the test would lift the cut to 10 and leave out both 8s."""
    marks = {1: (False, 12), 2: (True, 10), 3: (True, 8), 4: (True, 8), 5: (True, 7)}
    entrants = [Entrant(cid, day(1), {"legislation": StageResult(p, 30), "competency": StageResult(None, s)})
                for cid, (p, s) in marks.items()]
    rules = RankingRules((Hurdle("legislation", "pass"), Hurdle("competency", "top", count=2)),
                         {"competency": 1.0}, (), posts=1)
    failed = {e.candidate_id: e.failed_hurdle for e in rank(entrants, rules).entries}
    assert failed == {1: "legislation", 2: None, 3: None, 4: None, 5: "competency"}


def test_worked_example_tie_keys_in_order_then_a_shared_rank_that_lengthens_the_merit_list():
    """legislation 30/30/30/30/20: mean 28, SD 4, z = 0.5 for the 30s and -2 for the 20.
    Among the 30s #2 wins on interview; #1 and #3 are equal on every key and share rank 2, both within 2 posts;
    #5, without an interview score, comes last of them."""
    def entrant(cid, test, interview, applied):
        stages = {"legislation": StageResult(True, test)} | ({"interview": StageResult(None, interview)}
                                                              if interview is not None else {})
        return Entrant(cid, day(applied), stages)
    entrants = [entrant(1, 30, 4, 1), entrant(2, 30, 5, 2), entrant(3, 30, 4, 1), entrant(4, 20, 5, 1),
                entrant(5, 30, None, 1)]
    rules = RankingRules((), {"legislation": 1.0}, ("stage:interview", "applied_at"), posts=2, reserve=2)
    entries = rank(entrants, rules).entries
    assert [(e.candidate_id, e.rank, e.composite, e.standing) for e in entries] == [
        (2, 1, 0.5, "merit"), (1, 2, 0.5, "merit"), (3, 2, 0.5, "merit"), (5, 4, 0.5, "reserve"), (4, 5, -2.0, "none")]
    assert [e.tie_break for e in entries] == [(5.0, day(2).isoformat()), (4.0, day(1).isoformat()),
                                              (4.0, day(1).isoformat()), (None, day(1).isoformat()), ()]


def test_worked_example_float_noise_does_not_decide_a_place():
    """Two spellings of the mean 11/3: unrounded they would standardize to -1 and +1."""
    entrants = [Entrant(1, day(2), {"competency": StageResult(None, 3.6666666666666665)}),
                Entrant(2, day(1), {"competency": StageResult(None, 3.666666666666667)})]
    rules = RankingRules((), {"competency": 1.0}, ("applied_at",), posts=1)
    entries = rank(entrants, rules).entries
    assert [(e.candidate_id, e.rank, e.composite) for e in entries] == [(2, 1, 0.0), (1, 2, 0.0)]


def test_composites_equal_but_for_the_last_bit_share_a_rank():
    """#3 and #4 have the same two scores on swapped stages; the float sums leave their composites a bit apart."""
    pairs = {1: (0.3, 0.3), 2: (3.3, 3.3), 3: (4.4, 0.7), 4: (0.7, 4.4)}
    entrants = [Entrant(cid, day(1), {"legislation": StageResult(True, t), "interview": StageResult(None, i)})
                for cid, (t, i) in pairs.items()]
    rules = RankingRules((), {"legislation": 1.0, "interview": 1.0}, (), posts=2)
    entries = rank(entrants, rules).entries
    assert [(e.candidate_id, e.rank, e.standing) for e in entries] == [
        (2, 1, "merit"), (3, 2, "merit"), (4, 2, "merit"), (1, 4, "none")]


def test_a_sole_entrant_is_ranked_first_with_composite_zero():
    entrants = [Entrant(9, day(1), {"interview": StageResult(None, 2.0)})]
    [entry] = rank(entrants, RankingRules((), {"interview": 1.0}, (), posts=1)).entries
    assert (entry.rank, entry.composite, entry.standing) == (1, 0.0, "merit")


def test_the_lottery_is_the_documented_hash_and_follows_its_seed():
    assert lottery_ticket("2024-03-seed", 42) == int(hashlib.sha256(b"2024-03-seed:42").hexdigest()[:12], 16)
    entrants = [Entrant(cid, day(1), {"interview": StageResult(None, 4.0)}) for cid in range(1, 13)]

    def order(seed):
        rules = RankingRules((), {"interview": 1.0}, ("applied_at", "lottery"), posts=1, lottery_seed=seed)
        ranking = rank(entrants, rules)
        assert ranking.seed == seed
        return [e.candidate_id for e in ranking.entries]

    assert order("alpha") == order("alpha")
    assert order("alpha") != order("beta")
    assert order("alpha") == sorted(range(1, 13), key=lambda cid: lottery_ticket("alpha", cid))


def test_the_seed_is_not_reported_when_no_lottery_was_drawn():
    rules = RankingRules((), {"interview": 1.0}, ("applied_at",), posts=1, lottery_seed="unused")
    assert rank(three(), rules).seed is None


def test_duplicate_entrants_are_refused():
    entrant = three()[0]
    with pytest.raises(ValueError, match="twice"):
        rank([entrant, entrant], RankingRules((), {"interview": 1.0}, (), posts=1))


@pytest.mark.parametrize(("changes", "message"), [
    ({"tie_keys": ("lottery", "applied_at")}, "last"),
    ({"tie_keys": ("lottery",)}, "lottery_seed"),
    ({"tie_keys": ("interview",)}, "unknown tie keys"),
    ({"tie_keys": ("stage:",)}, "unknown tie keys"),
    ({"tie_keys": ("applied_at", "applied_at")}, "repeat"),
    ({"weights": {}}, "at least one stage"),
    ({"weights": {"interview": -1.0}}, "positive"),
    ({"weights": {"interview": math.nan}}, "positive"),
    ({"posts": -1}, "negative"),
    ({"reserve": -1}, "negative"),
])
def test_incoherent_rules_are_refused(changes, message):
    arguments = {"hurdles": (), "weights": {"interview": 1.0}, "tie_keys": (), "posts": 1} | changes
    with pytest.raises(ValueError, match=message):
        RankingRules(**arguments)


@pytest.mark.parametrize(("arguments", "message"), [
    (("interview", "best"), "unknown rule"),
    (("interview", "minimum"), "needs a minimum"),
    (("interview", "pass", 3.0), "needs a minimum"),
    (("interview", "top"), "needs a count"),
    (("interview", "minimum", 3.0, 2), "needs a count"),
    (("interview", "top", None, 0), "at least 1"),
])
def test_incoherent_hurdles_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        Hurdle(*arguments)


def test_a_score_must_be_a_number():
    with pytest.raises(ValueError, match="finite"):
        StageResult(True, math.nan)
