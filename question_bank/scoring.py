"""Scoring a form: per section and total, pass/fail with reasons a candidate understands, annulled items,
and competency scales.

Annulment (neutralisation): an annulled item is dropped from scoring for every candidate who had it. Each
affected minimum is rescaled in proportion to the items that remain and rounded down, so the candidate gets
the benefit of the doubt: minimum' = floor(minimum x remaining / count). Example: 5 of 10 with one item
annulled becomes floor(5 x 9 / 10) = 4 of 9; 30 of 55 with one annulled becomes 29 of 54.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from question_bank.assembly import Form
from question_bank.items import Item, ItemType
from question_bank.programs import Program


@dataclass(frozen=True)
class Reason:
    """Why a candidate did not pass, in data; `str()` gives the English sentence."""

    section: str | None          # None for the overall minimum
    title: Mapping[str, str]     # the section's (or program's) name per language
    correct: float
    minimum: int

    def text(self, language: str = "en") -> str:
        name = self.title.get(language) or self.title.get("en", self.section or "")
        templates = {
            "en": "{name}: {correct} correct, minimum {minimum}",
            "ru": "{name}: правильных ответов {correct}, необходимо не менее {minimum}",
            "kk": "{name}: дұрыс жауап {correct}, кемінде {minimum} қажет",
        }
        total = {"en": "Total", "ru": "Всего", "kk": "Барлығы"}
        label = name if self.section else total.get(language, "Total")
        return templates.get(language, templates["en"]).format(name=label, correct=_number(self.correct),
                                                               minimum=self.minimum)

    def __str__(self) -> str:
        return self.text("en")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


@dataclass(frozen=True)
class SectionResult:
    code: str
    correct: float
    count: int               # items scored (annulled ones excluded)
    minimum: int | None      # after rescaling
    passed: bool


@dataclass(frozen=True)
class Result:
    program: str
    program_version: int
    sections: tuple[SectionResult, ...]
    correct: float
    count: int
    minimum: int | None
    passed: bool
    reasons: tuple[Reason, ...]
    annulled: tuple[str, ...]


def item_score(item: Item, selected: frozenset[str], multiple_response: str = "all_or_nothing") -> float:
    """1 for a right answer, 0 otherwise; multiple response is all-or-nothing unless the program says partial
    (then right picks minus wrong picks over the number of right options, never below 0)."""
    if item.type is ItemType.LIKERT:
        raise ValueError("Likert items are scored on competency scales, not as right or wrong")
    if item.type is ItemType.MULTIPLE and multiple_response == "partial":
        hits = len(selected & item.key)
        misses = len(selected - item.key)
        return max(0.0, (hits - misses) / len(item.key))
    return 1.0 if selected == item.key else 0.0


def rescaled_minimum(minimum: int | None, count: int, remaining: int) -> int | None:
    if minimum is None:
        return None
    return math.floor(minimum * remaining / count) if count else 0


def score_form(program: Program, form: Form, items: Mapping[tuple[str, int], Item],
               responses: Mapping[str, frozenset[str]], annulled: frozenset[str] = frozenset()) -> Result:
    """Score a knowledge test. `items` maps (item id, version) to the exact version on the form;
    `responses` maps item id to the selected option keys (absent = unanswered)."""
    if program.kind != "knowledge":
        raise ValueError(f"program {program.code!r} is a {program.kind} assessment")
    sections, reasons, dropped = [], [], []
    total, total_count = 0.0, 0
    for section, form_section in zip(program.sections, form.sections, strict=True):
        correct, count = 0.0, 0
        for form_item in form_section.items:
            if form_item.item_id in annulled:
                dropped.append(form_item.item_id)
                continue
            item = items[(form_item.item_id, form_item.version)]
            correct += item_score(item, frozenset(responses.get(item.id, ())), program.multiple_response)
            count += 1
        minimum = rescaled_minimum(section.minimum, section.count, count)
        passed = minimum is None or correct >= minimum
        if not passed:
            reasons.append(Reason(section.code, section.title, correct, minimum))
        sections.append(SectionResult(section.code, correct, count, minimum, passed))
        total += correct
        total_count += count
    overall = rescaled_minimum(program.overall_minimum, program.item_count, total_count)
    if overall is not None and total < overall:
        reasons.insert(0, Reason(None, program.title, total, overall))
    return Result(program.code, program.version, tuple(sections), total, total_count, overall, not reasons,
                  tuple(reasons), tuple(dropped))


@dataclass(frozen=True)
class ScaleScore:
    code: str
    answered: int
    raw: float
    score: float | None      # 0-100; None when fewer than half the scale's items were answered
    level: str | None


def score_competencies(program: Program, form: Form, items: Mapping[tuple[str, int], Item],
                       responses: Mapping[str, frozenset[str]]) -> tuple[ScaleScore, ...]:
    """Each section is a scale: agreement values (reverse-keyed items flipped) averaged over answered items
    and mapped from the scale's range onto 0-100; the level is the highest whose minimum the score reaches."""
    if program.kind != "competency":
        raise ValueError(f"program {program.code!r} is a {program.kind} test")
    scales = []
    for section, form_section in zip(program.sections, form.sections, strict=True):
        values, low, high = [], None, None
        for form_item in form_section.items:
            item = items[(form_item.item_id, form_item.version)]
            points = sorted(int(option.key) for option in item.options)
            low, high = points[0], points[-1]
            chosen = responses.get(item.id)
            if chosen and len(chosen) == 1:
                value = int(next(iter(chosen)))
                values.append(low + high - value if item.reverse_keyed else value)
        raw = float(sum(values))
        if len(values) * 2 < len(form_section.items) or low is None or high == low:
            scales.append(ScaleScore(section.code, len(values), raw, None, None))
            continue
        score = (raw / len(values) - low) / (high - low) * 100
        level = next((lv.code for lv in sorted(program.levels, key=lambda lv: -lv.minimum)
                      if score >= lv.minimum), None)
        scales.append(ScaleScore(section.code, len(values), raw, score, level))
    return tuple(scales)
