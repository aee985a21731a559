"""The item editor's fields <-> an Item. Kept apart from the controller so the rules are testable."""

from __future__ import annotations

from datetime import date
from typing import Any

from question_bank.items import LANGUAGES, Item, ItemError, ItemType, Option, Status, Topic
from recruit.i18n import N_

MAX_OPTIONS = 6
OPTION_KEYS = "abcdef"
LIKERT_KEYS = ("1", "2", "3", "4", "5")


def editor_values(item: Item | None) -> dict[str, Any]:
    """Field values for the editor form."""
    if item is None:
        return {"id": "", "name": "", "type": "single", "act": "", "article": "", "difficulty": "",
                "status": "draft", "enemy_group": "", "law_date": "", "competency": "", "reverse_keyed": False,
                **{f"stem_{lang}": "" for lang in LANGUAGES}, "options": [{} for _ in range(4)], "key": []}
    return {
        "id": item.id, "name": item.name or "", "type": item.type.value, "act": item.topic.act,
        "article": item.topic.article or "", "difficulty": "" if item.difficulty is None else item.difficulty,
        "status": item.status.value, "enemy_group": item.enemy_group or "",
        "law_date": item.law_date.isoformat() if item.law_date else "", "competency": item.competency or "",
        "reverse_keyed": item.reverse_keyed, **{f"stem_{lang}": item.stem.get(lang, "") for lang in LANGUAGES},
        "options": [dict(option.text) for option in item.options], "key": sorted(item.key),
    }


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return (value[-1] if isinstance(value, list) else value or "").strip()


def item_from_editor(form: dict[str, Any], *, version: int = 1, source=None) -> tuple[Item | None, dict[str, str]]:
    """Build an item from posted fields; returns (item, {}) or (None, field errors)."""
    errors: dict[str, str] = {}
    kind = _text(form, "type")
    if kind not in {t.value for t in ItemType}:
        return None, {"type": N_("Choose a question type.")}
    item_type = ItemType(kind)
    if item_type is ItemType.TRUE_FALSE:
        labels = {"true": {"kk": "Дұрыс", "ru": "Верно", "en": "True"},
                  "false": {"kk": "Дұрыс емес", "ru": "Неверно", "en": "False"}}
        options = tuple(Option(key, labels[key]) for key in ("true", "false"))
    elif item_type is ItemType.LIKERT:
        options = tuple(Option(key, {lang: _text(form, f"option_{n}_{lang}") or key for lang in LANGUAGES})
                        for n, key in enumerate(LIKERT_KEYS))
    else:
        options = tuple(
            Option(OPTION_KEYS[n], {lang: _text(form, f"option_{n}_{lang}") for lang in LANGUAGES})
            for n in range(MAX_OPTIONS) if any(_text(form, f"option_{n}_{lang}") for lang in LANGUAGES)
        )
    raw_key = form.get("key", [])
    key = frozenset(raw_key if isinstance(raw_key, list) else [raw_key]) - {""}
    difficulty = None
    if _text(form, "difficulty"):
        try:
            difficulty = float(_text(form, "difficulty").replace(",", "."))
        except ValueError:
            errors["difficulty"] = N_("Enter the facility as a number between 0 and 1.")
    law_date = None
    if _text(form, "law_date"):
        try:
            law_date = date.fromisoformat(_text(form, "law_date"))
        except ValueError:
            errors["law_date"] = N_("Enter a date as YYYY-MM-DD.")
    if not _text(form, "id"):
        errors["id"] = N_("Give the item an id.")
    if not _text(form, "act"):
        errors["act"] = N_("Name the act (or competency area) the item tests.")
    if errors:
        return None, errors
    try:
        item = Item(
            id=_text(form, "id"), type=item_type, version=version, name=_text(form, "name") or None,
            stem={lang: _text(form, f"stem_{lang}") for lang in LANGUAGES}, options=options,
            key=frozenset() if item_type is ItemType.LIKERT else key,
            topic=Topic(_text(form, "act"), _text(form, "article") or None), difficulty=difficulty,
            status=Status(_text(form, "status") or "draft"), enemy_group=_text(form, "enemy_group") or None,
            law_date=law_date, competency=_text(form, "competency") or None,
            reverse_keyed=_text(form, "reverse_keyed") == "yes", source=source,
        )
    except (ItemError, ValueError) as exc:
        return None, {"item": str(exc).split(": ", 1)[-1]}
    missing = [lang for lang in item.stem if lang not in item.languages]
    if missing:
        return None, {"options": N_("Every option needs text in each language the question has.")}
    return item, {}
