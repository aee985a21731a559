"""Form assembly: content and statistical equivalence, determinism, exposure, shortages."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.assembly import Assembler, PoolShortage, assemble, form_from_json
from question_bank.items import Item, ItemType, Option, Status, Topic
from question_bank.programs import bundled_programs, in_force
from question_bank.synthetic import synthetic_pool

from datetime import date

CORPS_B = in_force(bundled_programs(), "corps-b", date(2026, 11, 29))
COMPETENCY = in_force(bundled_programs(), "competency", date(2026, 11, 29))
ACTS = {s.code: s.act for s in CORPS_B.sections}


def _item(act, n, facility, languages=("kk", "ru", "en"), status=Status.ACTIVE, group=None, version=1):
    texts = {lang: f"{act} {n} {lang}" for lang in languages}
    options = tuple(Option(k, {lang: f"{k} {lang}" for lang in languages}) for k in "abcd")
    return Item(f"{act}-{n}", ItemType.SINGLE, texts, options, frozenset("b"), Topic(act, f"art. {n}"),
                version=version, difficulty=facility, status=status, enemy_group=group)


@st.composite
def pools(draw):
    """A pool that can fill corps-b in Russian, with noise: other languages, drafts, retired items, enemies."""
    items = []
    for section in CORPS_B.sections:
        size = draw(st.integers(section.count + 2, section.count * 3))
        facilities = draw(st.lists(st.integers(30, 90), min_size=size, max_size=size))
        grouped = draw(st.lists(st.booleans(), min_size=size, max_size=size))
        for n, (facility, in_group) in enumerate(zip(facilities, grouped)):
            group = f"{section.act}-g{n % 4}" if in_group and n % 3 == 0 else None
            items.append(_item(section.act, n, facility / 100, group=group))
        for n in range(size, size + draw(st.integers(0, 5))):
            kind = draw(st.sampled_from(["kk-only", "draft", "retired"]))
            items.append(_item(section.act, n, 0.5, languages=("kk",) if kind == "kk-only" else ("kk", "ru", "en"),
                               status={"kk-only": Status.ACTIVE, "draft": Status.DRAFT,
                                       "retired": Status.RETIRED}[kind]))
    return items


def _fits(pool):
    try:
        Assembler(CORPS_B, pool, "ru")
    except PoolShortage:
        return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.integers(0, 2**32))
def test_every_form_honours_the_blueprint(pool, seed):
    if not _fits(pool):
        return
    by_id = {item.id: item for item in pool}
    form = assemble(CORPS_B, pool, seed, "ru")
    assert [(s.code, len(s.items)) for s in form.sections] == [(s.code, s.count) for s in CORPS_B.sections]
    ids = [fi.item_id for fi in form.items]
    assert len(ids) == len(set(ids))
    for section in form.sections:
        for form_item in section.items:
            item = by_id[form_item.item_id]
            assert item.topic.act == ACTS[section.code]
            assert item.status is Status.ACTIVE and "ru" in item.languages
            assert sorted(form_item.option_order) == sorted(o.key for o in item.options)
    groups = [by_id[i].enemy_group for i in ids if by_id[i].enemy_group]
    assert len(groups) == len(set(groups)), "two enemies on one form"
    assert form.expected_score == pytest.approx(sum(by_id[i].facility for i in ids))


@settings(max_examples=30, deadline=None)
@given(pools(), st.one_of(st.integers(0, 2**64), st.text(min_size=1, max_size=20)))
def test_the_same_seed_gives_the_same_form(pool, seed):
    if not _fits(pool):
        return
    first = assemble(CORPS_B, pool, seed, "ru")
    assert assemble(CORPS_B, list(reversed(pool)), seed, "ru") == first
    assert Assembler(CORPS_B, pool, "ru").assemble(seed) == first
    assert form_from_json(first.to_json()) == first


def test_forms_differ_between_seeds_and_stay_within_the_difficulty_tolerance():
    assembler = Assembler(CORPS_B, synthetic_pool(CORPS_B, 2000), "ru")
    forms = [assembler.assemble(seed) for seed in range(400)]
    assert len({tuple(fi.item_id for fi in f.items) for f in forms}) == 400
    assert all(abs(f.expected_score - assembler.target) <= CORPS_B.score_tolerance for f in forms)
    orders = Counter(f.sections[0].items[0].option_order for f in forms)
    assert len(orders) > 12, "option orders must vary between forms"


def test_exposure_is_near_uniform_within_each_cell():
    """Within a cell every item is equally likely: counts stay within 4.5 binomial SDs of the mean.
    (Enemy pairs share one slot by design, so this pool has none.)"""
    assembler = Assembler(CORPS_B, synthetic_pool(CORPS_B, 1000, seed=3, enemy_share=0), "ru")
    used = Counter(fi.item_id for seed in range(3000) for fi in assembler.assemble(seed).items)
    for cell in assembler.cells:
        counts = [used[assembler.items[i].id] for i in cell.items]
        p = cell.count / len(cell.items)
        expected, sd = 3000 * p, (3000 * p * (1 - p)) ** 0.5
        assert expected - 4.5 * sd < min(counts) <= max(counts) < expected + 4.5 * sd, (cell.section, counts)


def test_usage_counts_make_the_least_used_items_come_first():
    pool = synthetic_pool(CORPS_B, 400, seed=5, enemy_share=0)
    assembler = Assembler(CORPS_B, pool, "ru")
    usage: Counter = Counter()
    for seed in range(60):
        form = assembler.assemble(seed, usage=usage)
        usage.update(fi.item_id for fi in form.items)
    for cell in assembler.cells:
        counts = [usage[assembler.items[i].id] for i in cell.items]
        assert max(counts) - min(counts) <= 2, counts


def test_a_shortage_names_the_section_language_and_shortfall():
    pool = [_item(act, n, 0.6) for act in ACTS.values() if act != "ethics" for n in range(15)]
    pool += [_item("ethics", n, 0.6) for n in range(7)]
    pool += [_item("ethics", n, 0.6, languages=("ru",)) for n in range(100, 104)]
    with pytest.raises(PoolShortage) as error:
        assemble(CORPS_B, pool, 1, "kk")
    assert str(error.value) == ("program 'corps-b', section 'ethics', language 'kk': needs 10 active items that "
                                "are not enemies of each other, the pool has 7 (short by 3)")
    assert assemble(CORPS_B, pool, 1, "ru").sections[3].items  # the Russian-only items make up the count


def test_enemies_count_once_towards_what_a_pool_can_give():
    pool = [_item(act, n, 0.6) for act in ACTS.values() for n in range(20)]
    pool = [i for i in pool if i.topic.act != "ethics"]
    pool += [_item("ethics", n, 0.6, group=f"pair-{n // 2}") for n in range(16)]  # 8 usable
    with pytest.raises(PoolShortage) as error:
        assemble(CORPS_B, pool, 1, "ru")
    assert (error.value.section, error.value.available) == ("ethics", 8)


def test_only_the_newest_version_of_an_item_is_drawn():
    pool = [_item(act, n, 0.6) for act in ACTS.values() for n in range(15)]
    pool += [_item("ethics", 0, 0.6, version=2)]
    form = assemble(CORPS_B, pool, 9, "ru")
    ethics = {fi.item_id: fi.version for fi in form.sections[3].items}
    assert ethics["ethics-0"] == 2


def test_competency_scales_keep_the_scale_order():
    pool = synthetic_pool(COMPETENCY, 120, seed=1)
    form = assemble(COMPETENCY, pool, 4, "kk")
    assert [len(s.items) for s in form.sections] == [5] * 6
    assert all(fi.option_order == ("1", "2", "3", "4", "5") for fi in form.items)


def test_true_false_items_keep_their_order_and_languages_outside_the_program_are_refused():
    with pytest.raises(ValueError, match="not given in 'de'"):
        Assembler(CORPS_B, [], "de")
