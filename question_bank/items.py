"""Items: what a candidate is shown (stem and options per language) kept apart from the key.

Plain frozen dataclasses; the native JSON form (`item_to_dict` / `item_from_dict`) is what the database
stores and what the demo bank is written in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

LANGUAGES = ("kk", "ru", "en")
DEFAULT_FACILITY = 0.5  # assumed for items with neither statistics nor an author's estimate


def N_(message: str) -> str:
    """Marks a message for translation catalogs; the web layer translates it where it is shown."""
    return message


class ItemType(StrEnum):
    SINGLE = "single"            # one correct option
    MULTIPLE = "multiple"        # several correct options (multiple response)
    TRUE_FALSE = "true_false"    # options "true" and "false"
    LIKERT = "likert"            # agreement scale for competencies; no key, a keying direction


class Status(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class ItemError(ValueError):
    """An item that breaks the model's rules; the message says which rule."""


def _frozen(texts: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType({lang: text for lang, text in (texts or {}).items() if text and text.strip()})


@dataclass(frozen=True)
class Topic:
    act: str                   # e.g. "constitution", "civil-service", "anti-corruption", "ethics", "competency"
    article: str | None = None  # e.g. "art. 33"; for imports, the source category


@dataclass(frozen=True)
class Option:
    key: str                   # stable within the item: "a", "b", ... ; "true"/"false"; "1".."5" for Likert
    text: Mapping[str, str]    # language -> text

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _frozen(self.text))


@dataclass(frozen=True)
class Source:
    path: str
    line: int | None = None


@dataclass(frozen=True)
class Item:
    id: str
    type: ItemType
    stem: Mapping[str, str]
    options: tuple[Option, ...]
    key: frozenset[str]
    topic: Topic
    version: int = 1
    difficulty: float | None = None   # facility 0..1, from statistics or the author's estimate
    status: Status = Status.DRAFT
    enemy_group: str | None = None    # items that give each other away share a group
    law_date: date | None = None      # date of the act's text the item was written against
    competency: str | None = None     # Likert items: the competency measured
    reverse_keyed: bool = False       # Likert items: agreement means less of the competency
    source: Source | None = None
    name: str | None = None           # the author's or source tool's short name

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ItemType(self.type))
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "stem", _frozen(self.stem))
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "key", frozenset(self.key))
        problem = self.problem()
        if problem:
            raise ItemError(f"item {self.id!r}: {problem}")

    def problem(self) -> str | None:
        keys = [option.key for option in self.options]
        if not self.id:
            return N_("an item needs an id")
        if not self.stem:
            return N_("the question text is empty")
        if len(set(keys)) != len(keys):
            return N_("option keys repeat")
        if not self.key <= set(keys):
            return N_("the answer key names an option that does not exist")
        if self.difficulty is not None and not 0.0 <= self.difficulty <= 1.0:
            return N_("difficulty (facility) must lie between 0 and 1")
        if self.type is ItemType.LIKERT:
            if self.key:
                return N_("a Likert item has no answer key")
            if not self.competency:
                return N_("a Likert item must name the competency it measures")
            if not all(k.isdigit() for k in keys) or len(keys) < 3:
                return N_("a Likert item needs at least 3 numbered scale points")
            return None
        if len(self.options) < 2:
            return N_("at least 2 options are needed")
        if self.type is ItemType.TRUE_FALSE and set(keys) != {"true", "false"}:
            return N_("a true/false item has exactly the options 'true' and 'false'")
        if self.type in (ItemType.SINGLE, ItemType.TRUE_FALSE) and len(self.key) != 1:
            return N_("exactly one option must be correct")
        if self.type is ItemType.MULTIPLE and not self.key:
            return N_("at least one option must be correct")
        return None

    @property
    def languages(self) -> frozenset[str]:
        """Languages in which the stem and every option have text."""
        return frozenset(
            lang for lang in self.stem if all(lang in option.text for option in self.options)
        )

    @property
    def facility(self) -> float:
        return DEFAULT_FACILITY if self.difficulty is None else self.difficulty

    def next_version(self, **changes: Any) -> Item:
        """Items that appeared on a form are immutable: an edit is a new version."""
        return replace(self, version=self.version + 1, **changes)


@dataclass(frozen=True)
class PresentedItem:
    """What a candidate's browser receives: no key, options in the form's order."""

    item_id: str
    version: int
    type: ItemType
    stem: str
    options: tuple[tuple[str, str], ...]  # (option key, text)


def present(item: Item, language: str, option_order: Iterable[str] | None = None) -> PresentedItem:
    if language not in item.languages:
        raise ItemError(f"item {item.id!r} has no {language} text")
    order = tuple(option_order) if option_order is not None else tuple(o.key for o in item.options)
    by_key = {option.key: option for option in item.options}
    if sorted(order) != sorted(by_key):
        raise ItemError(f"option order {order!r} does not match item {item.id!r}")
    return PresentedItem(item.id, item.version, item.type, item.stem[language],
                         tuple((key, by_key[key].text[language]) for key in order))


# Native JSON form


def item_to_dict(item: Item) -> dict[str, Any]:
    return {
        "id": item.id, "version": item.version, "type": item.type.value, "name": item.name,
        "topic": {"act": item.topic.act, "article": item.topic.article},
        "difficulty": item.difficulty, "status": item.status.value, "enemy_group": item.enemy_group,
        "law_date": item.law_date.isoformat() if item.law_date else None,
        "competency": item.competency, "reverse_keyed": item.reverse_keyed,
        "stem": dict(item.stem),
        "options": [{"key": o.key, "text": dict(o.text)} for o in item.options],
        "key": sorted(item.key),
        "source": {"path": item.source.path, "line": item.source.line} if item.source else None,
    }


def item_from_dict(data: Mapping[str, Any]) -> Item:
    """Build an item from its native JSON form; raises ItemError naming the problem."""
    try:
        topic = data["topic"]
        source = data.get("source")
        return Item(
            id=str(data["id"]), version=int(data.get("version", 1)), type=ItemType(data["type"]),
            name=data.get("name"),
            stem=data["stem"],
            options=tuple(Option(str(o["key"]), o["text"]) for o in data.get("options", ())),
            key=frozenset(str(k) for k in data.get("key", ())),
            topic=Topic(topic["act"], topic.get("article")),
            difficulty=None if data.get("difficulty") is None else float(data["difficulty"]),
            status=Status(data.get("status", Status.DRAFT)),
            enemy_group=data.get("enemy_group"),
            law_date=date.fromisoformat(data["law_date"]) if data.get("law_date") else None,
            competency=data.get("competency"), reverse_keyed=bool(data.get("reverse_keyed", False)),
            source=Source(source["path"], source.get("line")) if source else None,
        )
    except ItemError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ItemError(f"item {data.get('id', '?')!r}: malformed field ({exc})") from exc


@dataclass(frozen=True)
class Pool:
    """The items a form may be drawn from: the newest version of each id."""

    items: tuple[Item, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, items: Iterable[Item]) -> Pool:
        newest: dict[str, Item] = {}
        for item in items:
            if item.id not in newest or item.version > newest[item.id].version:
                newest[item.id] = item
        return cls(tuple(sorted(newest.values(), key=lambda i: i.id)))
