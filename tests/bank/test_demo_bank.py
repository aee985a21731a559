"""The demo bank: real items in three languages, enough for corps-b forms in each with room to spare."""

from collections import Counter
from datetime import date

from question_bank.assembly import Assembler
from question_bank.items import ItemType
from question_bank.programs import bundled_programs, in_force
from recruit.bank.service import demo_items

ITEMS = demo_items()


def test_every_demo_item_speaks_kazakh_russian_and_english():
    assert all(item.languages == {"kk", "ru", "en"} for item in ITEMS)
    assert len({item.id for item in ITEMS}) == len(ITEMS)


def test_at_least_twice_the_program_count_per_act():
    program = in_force(bundled_programs(), "corps-b", date(2026, 11, 29))
    per_act = Counter(item.topic.act for item in ITEMS)
    for section in program.sections:
        assert per_act[section.act] >= 2 * section.count, section.act


def test_forms_assemble_in_every_language():
    program = in_force(bundled_programs(), "corps-b", date(2026, 11, 29))
    for language in ("kk", "ru", "en"):
        form = Assembler(program, ITEMS, language).assemble(f"demo-{language}")
        assert len(form.items) == 55


def test_competency_items_cover_six_scales_with_reverse_keys():
    likert = [item for item in ITEMS if item.type is ItemType.LIKERT]
    per_scale = Counter(item.competency for item in likert)
    assert len(per_scale) >= 6 and min(per_scale.values()) >= 5
    assert all(0 < sum(i.reverse_keyed for i in likert if i.competency == c) < n for c, n in per_scale.items())
    program = in_force(bundled_programs(), "competency", date(2026, 11, 29))
    assert len(Assembler(program, ITEMS, "kk").assemble(1).items) == program.item_count
