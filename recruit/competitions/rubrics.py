"""Scoring rubrics for the essay and interview stages, as data.

A rubric is a list of competencies (for the essay: criteria), each scored on levels 1-5 with a behavioural
anchor per level in every interface language, so commission members match an answer to a described behaviour
rather than to a bare number. The bundled rubrics live in rubric_data/<code>.json; this module only reads and
checks them, so it stays pure (stdlib only) and can be used from services, reports and the CLI alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

# Own copy rather than recruit.i18n.LANGUAGES: this module must not import the application.
LANGUAGES = ("kk", "ru", "en")
LEVELS = (1, 2, 3, 4, 5)
_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")  # codes end up as keys in stored scores and ranking rules


@dataclass(frozen=True)
class Competency:
    code: str
    title: Mapping[str, str]
    levels: Mapping[int, Mapping[str, str]]


@dataclass(frozen=True)
class Rubric:
    code: str
    title: Mapping[str, str]
    competencies: tuple[Competency, ...]

    def competency(self, code: str) -> Competency:
        for c in self.competencies:
            if c.code == code:
                return c
        raise KeyError(code)


def _fields(data: Any, where: str, required: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    missing = [k for k in required if k not in data]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(map(repr, missing))}")
    # Unknown keys are refused too: a misspelt key would otherwise be dropped silently.
    extra = sorted(str(k) for k in data if k not in required)
    if extra:
        raise ValueError(f"{where}: unexpected {', '.join(map(repr, extra))}")
    return data


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValueError(f"{where}: code {value!r} must be lower-case letters, digits and '_'")
    return value


def _text(data: Any, where: str) -> Mapping[str, str]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected texts in {', '.join(LANGUAGES)}, got {type(data).__name__}")
    for lang in LANGUAGES:
        if lang not in data:
            raise ValueError(f"{where}: missing language {lang!r}")
        if not isinstance(data[lang], str) or not data[lang].strip():
            raise ValueError(f"{where}: empty text in language {lang!r}")
    extra = sorted(str(k) for k in data if k not in LANGUAGES)
    if extra:
        raise ValueError(f"{where}: unexpected language {', '.join(map(repr, extra))}")
    return MappingProxyType({lang: data[lang] for lang in LANGUAGES})


def _levels(data: Any, where: str) -> Mapping[int, Mapping[str, str]]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: levels must be an object keyed 1-5")
    # JSON keys are strings; dicts built in code may use ints. Accept both, but only the plain digits.
    keyed: dict[int, Any] = {}
    for key, anchor in data.items():
        number = key if isinstance(key, int) and not isinstance(key, bool) else (
            int(key) if isinstance(key, str) and key in {str(n) for n in LEVELS} else None)
        if number not in LEVELS:
            raise ValueError(f"{where}: unexpected level {key!r}; levels are exactly 1-5")
        if number in keyed:
            raise ValueError(f"{where}: level {number} given twice")
        keyed[number] = anchor
    missing = [n for n in LEVELS if n not in keyed]
    if missing:
        raise ValueError(f"{where}: missing level {', '.join(map(str, missing))}; levels are exactly 1-5")
    return MappingProxyType({n: _text(keyed[n], f"{where} level {n}") for n in LEVELS})


def rubric_from_dict(data: Any) -> Rubric:
    """Build and check a rubric; ValueError names the first problem and where it is."""
    top = _fields(data, "rubric", ("code", "title", "competencies"))
    code = _code(top["code"], "rubric")
    where = f"rubric {code!r}"
    items = top["competencies"]
    if not isinstance(items, list) or not items:
        raise ValueError(f"{where}: competencies must be a non-empty list")
    competencies, seen = [], set()
    for i, item in enumerate(items, 1):
        fields = _fields(item, f"{where} competency #{i}", ("code", "title", "levels"))
        c_code = _code(fields["code"], f"{where} competency #{i}")
        if c_code in seen:
            raise ValueError(f"{where}: duplicate competency code {c_code!r}")
        seen.add(c_code)
        c_where = f"{where} competency {c_code!r}"
        competencies.append(Competency(c_code, _text(fields["title"], f"{c_where} title"),
                                       _levels(fields["levels"], c_where)))
    return Rubric(code, _text(top["title"], f"{where} title"), tuple(competencies))


def rubric_to_dict(rubric: Rubric) -> dict[str, Any]:
    """The JSON shape of rubric_data/*.json (level keys as strings); inverse of rubric_from_dict."""
    return {"code": rubric.code, "title": dict(rubric.title), "competencies": [
        {"code": c.code, "title": dict(c.title), "levels": {str(n): dict(t) for n, t in c.levels.items()}}
        for c in rubric.competencies]}


@cache  # rubrics are immutable and the files ship with the package, so read each once
def bundled(code: str) -> Rubric:
    """The rubric shipped as rubric_data/<code>.json (e.g. "interview", "essay")."""
    _code(code, "bundled rubric")  # also keeps the name from reaching outside rubric_data
    source = resources.files(__package__) / "rubric_data" / f"{code}.json"
    if not source.is_file():
        raise ValueError(f"no bundled rubric {code!r}")
    rubric = rubric_from_dict(json.loads(source.read_text(encoding="utf-8")))
    if rubric.code != code:
        raise ValueError(f"rubric_data/{code}.json holds rubric {rubric.code!r}")
    return rubric
