"""Scoring: the corps-b pass rule, reasons, annulment, multiple response, competency scales."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from question_bank.assembly import Assembler
from question_bank.items import Item, ItemType, Option, Status, Topic
from question_bank.programs import bundled_programs, in_force
from question_bank.scoring import Reason, item_score, rescaled_minimum, score_competencies, score_form
from question_bank.synthetic import synthetic_pool

TODAY = date(2026, 11, 29)
CORPS_B = in_force(bundled_programs(), "corps-b", TODAY)
COMPETENCY = in_force(bundled_programs(), "competency", TODAY)
POOL = synthetic_pool(CORPS_B, 600, seed=11, enemy_share=0)
ITEMS = {(i.id, i.version): i for i in POOL}
FORM = Assembler(CORPS_B, POOL, "ru").assemble("appeal-2026-001")


def _answers(correct_per_section):
    """Right answers for the first n items of each section, wrong ones for the rest."""
    responses = {}
    for section, n in zip(FORM.sections, correct_per_section, strict=True):
        for index, form_item in enumerate(section.items):
            key = ITEMS[(form_item.item_id, form_item.version)].key
            wrong = frozenset({next(k for k in "abcd" if k not in key)})
            responses[form_item.item_id] = frozenset(key) if index < n else wrong
    return responses


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15), st.integers(0, 10))
def test_pass_means_30_overall_and_5_in_every_act(c, cs, ac, e):
    result = score_form(CORPS_B, FORM, ITEMS, _answers([c, cs, ac, e]))
    assert [s.correct for s in result.sections] == [c, cs, ac, e]
    assert result.correct == c + cs + ac + e
    assert result.passed == (c + cs + ac + e >= 30 and min(c, cs, ac, e) >= 5)
    failing = {r.section for r in result.reasons}
    assert failing == ({s for s, n in zip(["constitution", "civil-service", "anti-corruption", "ethics"],
                                          [c, cs, ac, e]) if n < 5} | ({None} if c + cs + ac + e < 30 else set()))


def test_reasons_read_as_a_candidate_would_say_them():
    result = score_form(CORPS_B, FORM, ITEMS, _answers([15, 15, 15, 4]))
    assert not result.passed and result.correct == 49
    assert [str(r) for r in result.reasons] == ["Ethics Code of civil servants: 4 correct, minimum 5"]
    assert result.reasons[0].text("ru") == "Этический кодекс государственных служащих: правильных ответов 4, необходимо не менее 5"
    low = score_form(CORPS_B, FORM, ITEMS, _answers([6, 6, 6, 6]))
    assert [str(r) for r in low.reasons] == ["Total: 24 correct, minimum 30"]


def test_unanswered_items_score_zero():
    result = score_form(CORPS_B, FORM, ITEMS, {})
    assert result.correct == 0 and not result.passed and len(result.reasons) == 5


def test_annulled_items_are_dropped_for_everyone_and_minimums_rescaled_in_the_candidates_favour():
    ethics_item = FORM.sections[3].items[0].item_id
    answers = _answers([15, 15, 15, 4])
    result = score_form(CORPS_B, FORM, ITEMS, answers, annulled=frozenset({ethics_item}))
    ethics = result.sections[3]
    # The first ethics item was answered right; annulled, it no longer counts: 3 of 9, minimum floor(5*9/10)=4.
    assert (ethics.correct, ethics.count, ethics.minimum, ethics.passed) == (3, 9, 4, False)
    assert (result.count, result.minimum, result.annulled) == (54, 29, (ethics_item,))
    wrong_one = FORM.sections[3].items[5].item_id  # answered wrong: annulling it leaves 4 of 9, enough
    assert score_form(CORPS_B, FORM, ITEMS, answers, annulled=frozenset({wrong_one})).passed


@given(st.integers(0, 15), st.integers(0, 15))
def test_rescaling_never_raises_a_minimum(minimum, annulled):
    count = 15
    assume_minimum = min(minimum, count)
    remaining = count - min(annulled, count)
    rescaled = rescaled_minimum(assume_minimum, count, remaining)
    assert rescaled <= assume_minimum and rescaled <= remaining
    assert rescaled == (assume_minimum * remaining) // count


def _multiple():
    options = tuple(Option(k, {"en": k}) for k in "abcd")
    return Item("m", ItemType.MULTIPLE, {"en": "Select all"}, options, frozenset("ac"), Topic("ethics"))


def test_multiple_response_is_all_or_nothing_by_default_and_partial_on_request():
    item = _multiple()
    assert item_score(item, frozenset("ac")) == 1.0
    assert item_score(item, frozenset("a")) == 0.0
    assert item_score(item, frozenset("acd")) == 0.0
    assert item_score(item, frozenset("a"), "partial") == 0.5
    assert item_score(item, frozenset("acd"), "partial") == 0.5
    assert item_score(item, frozenset("bd"), "partial") == 0.0


def test_competency_scales_flip_reverse_keys_and_map_to_levels():
    pool = synthetic_pool(COMPETENCY, 120, seed=2)
    items = {(i.id, i.version): i for i in pool}
    form = Assembler(COMPETENCY, pool, "en").assemble(1)
    # Agree fully with positive statements, disagree fully with reversed ones: the top of every scale.
    best = {fi.item_id: frozenset({"1" if items[(fi.item_id, 1)].reverse_keyed else "5"}) for fi in form.items}
    assert [(s.score, s.level) for s in score_competencies(COMPETENCY, form, items, best)] == [(100.0, "high")] * 6
    middle = {fi.item_id: frozenset({"3"}) for fi in form.items}
    assert [(s.score, s.level) for s in score_competencies(COMPETENCY, form, items, middle)] == [(50.0, "developing")] * 6
    sparse = {form.sections[0].items[0].item_id: frozenset({"5"})}
    first = score_competencies(COMPETENCY, form, items, sparse)[0]
    assert (first.answered, first.score, first.level) == (1, None, None)


def test_reason_falls_back_to_english_titles():
    reason = Reason("x", {"en": "Some Act"}, 2, 5)
    assert reason.text("kk") == "Some Act: дұрыс жауап 2, кемінде 5 қажет"
