"""Test programs (blueprints) as versioned data with effective dates.

Rules change by decree; they live in question_bank/program_data/*.json (or the database), never in code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from question_bank.items import Item

DATA_DIR = Path(__file__).with_name("program_data")


class ProgramError(ValueError):
    """A program that cannot be used as written."""


@dataclass(frozen=True)
class Section:
    code: str
    title: Mapping[str, str]
    act: str
    count: int
    minimum: int | None = None
    competency: str | None = None

    def takes(self, item: Item) -> bool:
        return item.topic.act == self.act and (self.competency is None or item.competency == self.competency)


@dataclass(frozen=True)
class Level:
    code: str
    minimum: float
    title: Mapping[str, str]


@dataclass(frozen=True)
class Program:
    code: str
    version: int
    effective_from: date
    effective_to: date | None
    kind: str                       # "knowledge" (keyed items) or "competency" (Likert scales)
    title: Mapping[str, str]
    sections: tuple[Section, ...]
    overall_minimum: int | None
    duration_minutes: int
    languages: tuple[str, ...]
    position_categories: tuple[str, ...] = ()
    shuffle_options: bool = True
    difficulty_bands: tuple[float, ...] = ()   # inner edges of facility bands, e.g. (0.5, 0.7)
    score_tolerance: float | None = None       # max distance of a form's expected score from the target
    multiple_response: str = "all_or_nothing"  # or "partial"
    validity_months: int = 12
    retake_days: int = 30                      # how long a candidate waits before sitting the program again
    appeal_days: int = 3                       # how long after a sitting a question can be challenged
    levels: tuple[Level, ...] = ()
    requires: str | None = None                # a program that must be passed (and still valid) first

    @property
    def item_count(self) -> int:
        return sum(section.count for section in self.sections)

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def section(self, code: str) -> Section:
        return next(s for s in self.sections if s.code == code)


def program_from_dict(data: Mapping[str, Any]) -> Program:
    try:
        program = Program(
            code=data["code"], version=int(data["version"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_to=date.fromisoformat(data["effective_to"]) if data.get("effective_to") else None,
            kind=data["kind"], title=MappingProxyType(dict(data["title"])),
            sections=tuple(
                Section(code=s["code"], title=MappingProxyType(dict(s["title"])), act=s["act"], count=int(s["count"]),
                        minimum=s.get("minimum"), competency=s.get("competency"))
                for s in data["sections"]
            ),
            overall_minimum=data.get("overall_minimum"), duration_minutes=int(data["duration_minutes"]),
            languages=tuple(data["languages"]), position_categories=tuple(data.get("position_categories", ())),
            shuffle_options=bool(data.get("shuffle_options", True)),
            difficulty_bands=tuple(float(e) for e in data.get("difficulty_bands", ())),
            score_tolerance=data.get("score_tolerance"),
            multiple_response=data.get("multiple_response", "all_or_nothing"),
            validity_months=int(data.get("validity_months", 12)),
            retake_days=int(data.get("retake_days", 30)), appeal_days=int(data.get("appeal_days", 3)),
            requires=data.get("requires"),
            levels=tuple(Level(lv["code"], float(lv["minimum"]), MappingProxyType(dict(lv["title"])))
                         for lv in data.get("levels", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProgramError(f"program {data.get('code', '?')!r}: malformed field ({exc})") from exc
    problem = _problem(program)
    if problem:
        raise ProgramError(f"program {program.code!r} v{program.version}: {problem}")
    return program


def _problem(program: Program) -> str | None:
    codes = [s.code for s in program.sections]
    if len(set(codes)) != len(codes):
        return "section codes repeat"
    if program.kind not in ("knowledge", "competency"):
        return "kind must be 'knowledge' or 'competency'"
    if any(s.count < 1 for s in program.sections):
        return "every section needs at least one item"
    if any(s.minimum is not None and not 0 <= s.minimum <= s.count for s in program.sections):
        return "a section minimum must lie between 0 and its item count"
    if program.overall_minimum is not None and not 0 <= program.overall_minimum <= program.item_count:
        return "the overall minimum must lie between 0 and the number of items"
    if list(program.difficulty_bands) != sorted(program.difficulty_bands):
        return "difficulty band edges must increase"
    if program.multiple_response not in ("all_or_nothing", "partial"):
        return "multiple_response must be 'all_or_nothing' or 'partial'"
    if program.validity_months < 1 or program.retake_days < 0 or program.appeal_days < 0:
        return "validity must be at least one month, and the retake and appeal windows not negative"
    if program.effective_to is not None and program.effective_to < program.effective_from:
        return "effective_to precedes effective_from"
    return None


def program_to_dict(program: Program) -> dict[str, Any]:
    return {
        "code": program.code, "version": program.version, "effective_from": program.effective_from.isoformat(),
        "effective_to": program.effective_to.isoformat() if program.effective_to else None,
        "kind": program.kind, "title": dict(program.title),
        "sections": [{"code": s.code, "act": s.act, "competency": s.competency, "count": s.count,
                      "minimum": s.minimum, "title": dict(s.title)} for s in program.sections],
        "overall_minimum": program.overall_minimum, "duration_minutes": program.duration_minutes,
        "languages": list(program.languages), "position_categories": list(program.position_categories),
        "shuffle_options": program.shuffle_options, "difficulty_bands": list(program.difficulty_bands),
        "score_tolerance": program.score_tolerance, "multiple_response": program.multiple_response,
        "validity_months": program.validity_months, "retake_days": program.retake_days,
        "appeal_days": program.appeal_days, "requires": program.requires,
        "levels": [{"code": lv.code, "minimum": lv.minimum, "title": dict(lv.title)} for lv in program.levels],
    }


def bundled_programs() -> list[Program]:
    return [program_from_dict(json.loads(path.read_text(encoding="utf-8")))
            for path in sorted(DATA_DIR.glob("*.json"))]


def in_force(programs: Iterable[Program], code: str, day: date) -> Program:
    """The version of a program in force on a day."""
    matching = [p for p in programs if p.code == code and p.in_force(day)]
    if not matching:
        raise ProgramError(f"no version of program {code!r} is in force on {day.isoformat()}")
    return max(matching, key=lambda p: p.version)
