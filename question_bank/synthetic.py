"""Synthetic items for benchmarks and load tests: realistic shape, meaningless text."""

from __future__ import annotations

import random

from question_bank.items import LANGUAGES, Item, ItemType, Option, Status, Topic
from question_bank.programs import Program

LIKERT_KEYS = ("1", "2", "3", "4", "5")


def synthetic_pool(program: Program, size: int, seed: int = 0, enemy_share: float = 0.1) -> list[Item]:
    """`size` active items spread over the program's sections in proportion to their counts, in every
    language, with facilities spread over 0.3-0.9 and a share of items in enemy pairs."""
    rng = random.Random(seed)
    items: list[Item] = []
    total = program.item_count
    for section in program.sections:
        share = max(section.count, round(size * section.count / total))
        for n in range(share):
            item_id = f"syn-{section.code}-{n:05d}"
            texts = {lang: f"[{lang}] {section.code} question {n}" for lang in LANGUAGES}
            if program.kind == "competency":
                options = tuple(Option(k, {lang: k for lang in LANGUAGES}) for k in LIKERT_KEYS)
                items.append(Item(item_id, ItemType.LIKERT, texts, options, frozenset(),
                                  Topic(section.act, section.competency), status=Status.ACTIVE,
                                  competency=section.competency, reverse_keyed=rng.random() < 0.3))
                continue
            options = tuple(Option(k, {lang: f"[{lang}] option {k}" for lang in LANGUAGES}) for k in "abcd")
            group = f"{section.code}-pair-{n // 2}" if n < share * enemy_share else None
            items.append(Item(item_id, ItemType.SINGLE, texts, options, frozenset({rng.choice("abcd")}),
                              Topic(section.act, f"art. {n % 90 + 1}"), difficulty=round(rng.uniform(0.3, 0.9), 3),
                              status=Status.ACTIVE, enemy_group=group))
    return items
