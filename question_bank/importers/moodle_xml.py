"""Import Moodle XML question files (the `<quiz>` format of Moodle's question bank export).

Supported question types and how they map to Merit's model:

- ``multichoice`` with ``<single>true`` -> single choice: exactly one answer must have fraction 100; other answers
  may carry any allowed grade (partial credit is dropped: Merit scores all-or-nothing);
- ``multichoice`` with ``<single>false`` -> multiple response: the correct options are the answers with a fraction
  above 0, and those fractions must add up to 100 (within 0.01);
- ``truefalse`` -> true/false with the option keys ``"true"`` and ``"false"``.

Every other type (essay, shortanswer, matching, numerical, cloze, description, calculated, ...) is refused, or
listed as skipped when the caller asks to skip unsupported items. Fractions must be grades Moodle allows (100, 90,
83.33333, ... 5, 0 and their negatives; matched as Moodle does, within 0.001). Option keys are ``a``, ``b``,
``c``, ... in source order. Texts are converted to plain text (`common.plain_text`); HTML is never kept.

Languages: a text with Moodle multilang spans (``<span lang="kk" class="multilang">``, the legacy
``<lang lang="kk">`` or ``{mlang kk}...{mlang}``) is split into its kk/ru/en texts (``kk_kz`` counts as ``kk``;
other languages are dropped). Otherwise the whole text is in the language `common.guess_language` gives for the
stem. Answers without spans get the same text in each of the stem's languages. True/false options get Merit's
labels (`TRUE_FALSE_LABELS`) in the stem's languages, or the texts of the tag ``merit:labels``.

Categories (``$course$/Sigma/Tau``, ``$module$/...``, ``$system$/...``) give the topic: the ``$context$/`` prefix
and Moodle's ``top`` category are removed, the first remaining name (lower-cased) is `Topic.act` and the rest,
joined by ``/``, is `Topic.article`. A ``//`` inside a name is Moodle's escape for ``/``. Questions before any
category get the act ``uncategorized``.

Ids: the ``<idnumber>`` when present (XML entities decoded once, as Moodle does), else
``stable_id("moodle", name, questiontext)``; a generated id that repeats within the file gets ``-2``, ``-3``, ...
An explicit idnumber that repeats is a problem. Imported items are drafts.

Merit's own metadata travels in Moodle tags ``<tags><tag><text>merit:NAME=VALUE</text></tag></tags>`` (see
`MERIT_TAGS`; written by `question_bank.exporters.moodle_xml`); the values found there win over what the question
itself says (id, topic, status ...), so an export imports back to the same items.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, tostring

from question_bank.importers.common import (
    ImportResult,
    Problem,
    XmlDocument,
    guess_language,
    local_name,
    parse_xml,
    plain_text,
    stable_id,
    unsupported,
)
from question_bank.items import LANGUAGES, Item, ItemError, ItemType, Option, Source, Status, Topic

SUPPORTED_NOTE = "(Merit delivers single choice, multiple response and true/false)"
UNCATEGORIZED = "uncategorized"

# Moodle's question_bank::fraction_options_full(), in percent; negative grades are these with a minus sign.
ALLOWED_GRADES = (100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333, 30.0, 25.0,
                  20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0, 0.0)
GRADE_TOLERANCE = 0.001   # Moodle's match_grade_options(): |fraction - option| < 0.00001, i.e. 0.001 percent
SUM_TOLERANCE = 0.01

# What a candidate reads for the two options of a true/false item, per language.
TRUE_FALSE_LABELS: Mapping[str, Mapping[str, str]] = {
    "true": {"kk": "Дұрыс", "ru": "Верно", "en": "True"},
    "false": {"kk": "Дұрыс емес", "ru": "Неверно", "en": "False"},
}

MERIT_TAG_PREFIX = "merit:"
MERIT_TAGS = ("id", "version", "type", "keys", "labels", "act", "article", "difficulty", "status", "enemy_group",
              "law_date", "competency", "reverse_keyed")

SUPPORTED_TYPES = ("multichoice", "truefalse")


# ----------------------------------------------------------------------------------------------------------------
# Helpers shared with the GIFT and CSV importers and the Moodle exporter


def match_grade(value: float) -> float | None:
    """The allowed Moodle grade (percent) that `value` stands for, or None."""
    if not math.isfinite(value):
        return None
    for grade in ALLOWED_GRADES:
        if abs(abs(value) - grade) < GRADE_TOLERANCE:
            return -grade if value < 0 and grade else grade
    return None


def format_number(value: float) -> str:
    """100.0 -> '100', 99.66666 -> '99.67' (for messages)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def option_keys(count: int) -> list[str]:
    """a, b, ..., z, aa, ab, ..."""
    keys = []
    for index in range(count):
        key = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, 26)
            key = chr(ord("a") + rest) + key
        keys.append(key)
    return keys


def likert_keys(count: int) -> list[str]:
    return [str(n) for n in range(1, count + 1)]


def default_keys(item_type: ItemType, count: int) -> list[str]:
    if item_type is ItemType.LIKERT:
        return likert_keys(count)
    if item_type is ItemType.TRUE_FALSE:
        return ["true", "false"][:count]
    return option_keys(count)


def true_false_options(languages: Iterable[str], order: Iterable[str] = ("true", "false"),
                       labels: Mapping[str, Mapping[str, str]] | None = None) -> tuple[Option, ...]:
    """The two options of a true/false item: Merit's labels in the given languages, unless `labels` (from the tag
    merit:labels) says otherwise."""
    langs = list(languages)
    if labels is not None:
        return tuple(Option(key, labels[key]) for key in order)
    return tuple(Option(key, {lang: TRUE_FALSE_LABELS[key][lang] for lang in langs}) for key in order)


_LANG_CODE = r"""["']([A-Za-z0-9_-]+)["']"""
_MULTILANG = (
    re.compile(r"""<span\b(?=[^>]*\bclass\s*=\s*["'][^"']*\bmultilang\b)(?=[^>]*\blang\s*=\s*""" + _LANG_CODE
               + r")[^>]*>(.*?)</span\s*>", re.IGNORECASE | re.DOTALL),
    re.compile(r"<lang\b(?=[^>]*\blang\s*=\s*" + _LANG_CODE + r")[^>]*>(.*?)</lang\s*>", re.IGNORECASE | re.DOTALL),
    re.compile(r"\{mlang\s+([A-Za-z0-9_-]+)\s*\}(.*?)\{mlang\s*\}", re.IGNORECASE | re.DOTALL),
)


def _language(code: str) -> str:
    return re.split(r"[_-]", code.lower(), maxsplit=1)[0]


def split_languages(markup: str) -> dict[str, str] | None:
    """Per-language markup of a text with Moodle multilang spans (kk, ru, en only), or None without spans.

    Like Moodle's multilang filter, each span is replaced by its content in its own language and by nothing in
    the others; text outside the spans belongs to every language.
    """
    found: list[str] = []
    for pattern in _MULTILANG:
        for match in pattern.finditer(markup):
            found.append(_language(match.group(1)))
    if not found:
        return None
    result = {}
    for lang in LANGUAGES:
        if lang not in found:
            continue
        text = markup
        for pattern in _MULTILANG:
            text = pattern.sub(lambda m, lang=lang: m.group(2) if _language(m.group(1)) == lang else "", text)
        result[lang] = text
    return result


def other_languages(markup: str) -> list[str]:
    """Multilang languages in the text that Merit does not use (for messages)."""
    codes = {_language(m.group(1)) for pattern in _MULTILANG for m in pattern.finditer(markup)}
    return sorted(codes - set(LANGUAGES))


def to_plain(markup: str, text_format: str | None) -> str:
    """Plain text of a Moodle text in the given format (plain formats are literal text, not HTML)."""
    if text_format in ("plain_text", "plain"):
        return plain_text(html.escape(markup, quote=False))
    return plain_text(markup)


def localized(markup: str, text_format: str | None, languages: Iterable[str] | None) -> dict[str, str]:
    """language -> plain text. Without multilang spans: the text in each of `languages`, or (for a stem, with
    `languages` None) in the language guessed from the text."""
    spans = None if text_format in ("plain_text", "plain") else split_languages(markup)
    if spans is not None:
        texts = {lang: to_plain(part, text_format) for lang, part in spans.items()}
        return {lang: text for lang, text in texts.items() if text}
    text = to_plain(markup, text_format)
    if not text:
        return {}
    if languages is None:
        return {guess_language(text): text}
    return {lang: text for lang in languages}


def parse_merit_tag(text: str) -> tuple[str, Any] | str:
    """'merit:NAME=VALUE' -> (NAME, parsed value), or a message saying what is wrong."""
    body = text[len(MERIT_TAG_PREFIX):]
    name, sep, value = body.partition("=")
    if not sep:
        return f'tag "{text}" has no "=" (expected merit:NAME=VALUE)'
    if name not in MERIT_TAGS:
        return f'tag "{text}": unknown Merit field "{name}" (known: {", ".join(MERIT_TAGS)})'
    try:
        return name, _merit_value(name, value)
    except ValueError as exc:
        return f'tag "{text}": {exc}'


def _merit_value(name: str, value: str) -> Any:
    if name in ("id", "act", "enemy_group", "competency", "article"):
        if not value.strip():
            raise ValueError(f"{name} is empty")
        return value
    if name == "version":
        if not re.fullmatch(r"[1-9][0-9]{0,8}", value):
            raise ValueError("version must be a whole number from 1")
        return int(value)
    if name == "type":
        try:
            return ItemType(value)
        except ValueError:
            raise ValueError(f"type must be one of {', '.join(t.value for t in ItemType)}") from None
    if name == "status":
        try:
            return Status(value)
        except ValueError:
            raise ValueError(f"status must be one of {', '.join(s.value for s in Status)}") from None
    if name == "difficulty":
        try:
            number = float(value)
        except ValueError:
            raise ValueError("difficulty must be a number between 0 and 1") from None
        if not math.isfinite(number) or not 0.0 <= number <= 1.0:
            raise ValueError("difficulty must be a number between 0 and 1")
        return number
    if name == "law_date":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError("law_date must be a date YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("law_date must be a date YYYY-MM-DD") from None
    if name == "reverse_keyed":
        if value not in ("true", "false"):
            raise ValueError('reverse_keyed must be "true" or "false"')
        return value == "true"
    if name == "labels":
        try:
            labels = json.loads(value)
        except json.JSONDecodeError:
            labels = None
        if not (isinstance(labels, dict) and set(labels) == {"true", "false"} and all(
                isinstance(texts, dict) and all(lang in LANGUAGES and isinstance(text, str) for lang, text in
                                                texts.items()) for texts in labels.values())):
            raise ValueError('labels must be a JSON object {"true": {language: text}, "false": {language: text}}')
        return labels
    if name == "keys":
        try:
            keys = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("keys must be a JSON list of option keys") from None
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise ValueError("keys must be a JSON list of option keys")
        if len(set(keys)) != len(keys):
            raise ValueError("option keys repeat")
        return keys
    raise ValueError(f"unknown field {name}")  # pragma: no cover - MERIT_TAGS is checked first


def category_topic(path: str) -> Topic:
    """'$course$/top/Sigma/Tau' -> Topic('sigma', 'Tau')."""
    text = re.sub(r"^\$[A-Za-z0-9_]*\$/?", "", " ".join(path.split()))
    names = [name.replace("\x00", "/").strip() for name in text.replace("//", "\x00").split("/")]
    names = [name for name in names if name]
    if names and names[0] == "top":
        names = names[1:]
    if not names:
        return Topic(UNCATEGORIZED)
    return Topic(names[0].lower(), "/".join(names[1:]) or None)


@dataclass
class Metadata:
    """Merit's fields read from tags, and where each came from."""

    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def topic(self, fallback: Topic) -> Topic:
        if "act" not in self.values and "article" not in self.values:
            return fallback
        if "act" in self.values:
            return Topic(self.values["act"], self.values.get("article"))
        return Topic(fallback.act, self.values["article"])


def read_metadata(tags: Iterable[tuple[str, int | None]], report: Callable[[int | None, str], None]) -> Metadata | None:
    """Merit tags (text, line) -> Metadata; None if any was wrong (reported)."""
    metadata = Metadata()
    ok = True
    for text, line in tags:
        if not text.startswith(MERIT_TAG_PREFIX):
            continue
        parsed = parse_merit_tag(text)
        if isinstance(parsed, str):
            report(line, parsed)
            ok = False
            continue
        name, value = parsed
        if name in metadata.values:
            report(line, f'tag "merit:{name}" repeats')
            ok = False
            continue
        metadata.values[name] = value
    return metadata if ok else None


def build_item(*, item_id: str, item_type: ItemType, stem: Mapping[str, str], options: Iterable[Option],
               key: Iterable[str], topic: Topic, metadata: Metadata, source: Source, name: str | None) -> Item:
    """The item, with Merit's metadata (other than the id, which the caller settles) applied; raises ItemError."""
    return Item(
        id=item_id, type=item_type, stem=stem, options=tuple(options), key=frozenset(key),
        topic=metadata.topic(topic), version=metadata.get("version", 1), difficulty=metadata.get("difficulty"),
        status=metadata.get("status", Status.DRAFT), enemy_group=metadata.get("enemy_group"),
        law_date=metadata.get("law_date"), competency=metadata.get("competency"),
        reverse_keyed=metadata.get("reverse_keyed", False), source=source, name=name,
    )


class IdRegistry:
    """Ids given out in one file: explicit ids must not repeat; generated ones get -2, -3, ..."""

    def __init__(self) -> None:
        self.first_line: dict[str, int | None] = {}

    def explicit(self, item_id: str, line: int | None) -> str | None:
        """None if the id is free (and records it), else a message."""
        if item_id in self.first_line:
            return f'id "{item_id}" repeats (first at line {self.first_line[item_id] or 0})'
        self.first_line[item_id] = line
        return None

    def generated(self, base: str, line: int | None) -> str:
        candidate, n = base, 1
        while candidate in self.first_line:
            n += 1
            candidate = f"{base}-{n}"
        self.first_line[candidate] = line
        return candidate


def question_label(name: str | None) -> str:
    return f'question "{name}"' if name else "question (no name)"


# ----------------------------------------------------------------------------------------------------------------
# Moodle XML


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local_name(child.tag) == name]


def _markup(element: Element | None) -> str:
    """The inner markup of an element (its text, and any child elements written back as markup)."""
    if element is None:
        return ""
    parts = [element.text or ""]
    parts.extend(tostring(child, encoding="unicode") for child in element)
    return "".join(parts)


def _text_of(element: Element | None) -> tuple[str, str | None]:
    """(markup of the <text> child, format attribute) of a Moodle text field such as <questiontext>."""
    if element is None:
        return "", None
    text = _child(element, "text")
    return (_markup(text) if text is not None else (element.text or "")), element.get("format")


class _Question:
    """Reads one <question>; collects problems in the result."""

    def __init__(self, doc: XmlDocument, element: Element, path: str, result: ImportResult):
        self.doc, self.element, self.path, self.result = doc, element, path, result
        self.line = doc.line(element)
        name_markup, _ = _text_of(_child(element, "name"))
        self.name = plain_text(name_markup) or None
        self.label = question_label(self.name)
        self.failed = False

    def problem(self, line: int | None, reason: str) -> None:
        self.result.problems.append(Problem(self.path, line, f"{self.label}: {reason}"))
        self.failed = True

    def metadata(self) -> Metadata | None:
        tags = []
        container = _child(self.element, "tags")
        for tag in _children(container, "tag") if container is not None else []:
            text = _child(tag, "text")
            value = (text.text if text is not None else tag.text) or ""
            tags.append((value.strip(), self.doc.line(tag)))
        return read_metadata(tags, self.problem)


def import_moodle_xml(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    result = ImportResult()
    doc = parse_xml(path, data)
    if isinstance(doc, Problem):
        result.problems.append(doc)
        return result
    root = doc.root
    if local_name(root.tag) != "quiz":
        result.problems.append(Problem(path, doc.line(root), f"expected a Moodle XML <quiz> root element, "
                                                             f"found <{local_name(root.tag)}>"))
        return result
    topic = Topic(UNCATEGORIZED)
    ids = IdRegistry()
    for element in root:
        line = doc.line(element)
        if local_name(element.tag) != "question":
            result.problems.append(Problem(path, line, f"unexpected element <{local_name(element.tag)}> in <quiz> "
                                                       f"(expected <question>)"))
            continue
        qtype = (element.get("type") or "").strip()
        if qtype == "category":
            category = _child(element, "category")
            text, _ = _text_of(category)
            if not text.strip():
                result.problems.append(Problem(path, line, "category without a name"))
                continue
            topic = category_topic(text)
            continue
        question = _Question(doc, element, path, result)
        if not qtype:
            question.problem(line, "the <question> has no type attribute")
            continue
        if qtype not in SUPPORTED_TYPES:
            unsupported(result, path, line, f"{question.label}: type {qtype} is not supported {SUPPORTED_NOTE}",
                        skip_unsupported)
            continue
        item = _read_question(question, qtype, topic, ids)
        if item is not None:
            result.items.append(item)
    return result


def _fraction(question: _Question, answer: Element, number: int) -> float | None:
    raw = answer.get("fraction", "0").strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    grade = match_grade(value)
    if grade is None:
        question.problem(question.doc.line(answer),
                         f'answer {number} has fraction "{raw}", which is not one of the grades Moodle allows')
    return grade


def _read_question(question: _Question, qtype: str, topic: Topic, ids: IdRegistry) -> Item | None:
    element, line = question.element, question.line
    metadata = question.metadata()
    stem_markup, stem_format = _text_of(_child(element, "questiontext"))
    stem = localized(stem_markup, stem_format, None)
    if not stem:
        others = other_languages(stem_markup)
        question.problem(line, f"the question text has no kk, ru or en text (multilang languages: {', '.join(others)})"
                         if others else "the question text is empty")
    languages = list(stem)
    answers = _children(element, "answer")
    fractions = [_fraction(question, answer, n) for n, answer in enumerate(answers, 1)]
    texts = []
    for n, answer in enumerate(answers, 1):
        markup, text_format = _text_of(answer)
        texts.append((markup, text_format))
        if stem and not localized(markup, text_format, languages):
            question.problem(question.doc.line(answer), f"answer {n} has no text")
    if len(answers) < 2:
        question.problem(line, f"at least 2 answers are needed, found {len(answers)}")
    if metadata is None or question.failed:
        return None

    declared = metadata.get("type")
    if qtype == "truefalse":
        item_type = ItemType.TRUE_FALSE
        if declared not in (None, ItemType.TRUE_FALSE):
            question.problem(line, f"tag merit:type={declared.value} does not fit a truefalse question")
            return None
        if "keys" in metadata.values:
            question.problem(line, "tag merit:keys does not apply to a truefalse question")
            return None
        order = [plain_text(markup).lower() for markup, _ in texts]
        if sorted(order) != ["false", "true"]:
            question.problem(line, 'a true/false question needs exactly the answers "true" and "false", found '
                             + ", ".join(f'"{text}"' for text in order))
            return None
        correct = [key for key, fraction in zip(order, fractions) if fraction == 100.0]
        wrong = [key for key, fraction in zip(order, fractions) if fraction == 0.0]
        if len(correct) != 1 or len(wrong) != 1:
            question.problem(line, "a true/false question needs one answer with fraction 100 and the other with 0")
            return None
        options = true_false_options(languages, order, metadata.get("labels"))
        key = set(correct)
    else:
        single_element = _child(element, "single")
        single_text = (single_element.text or "").strip().lower() if single_element is not None else "true"
        if single_text not in ("true", "false", "1", "0"):
            question.problem(question.doc.line(single_element),
                             f'<single> must be true or false, found "{single_text}"')
            return None
        structural = ItemType.SINGLE if single_text in ("true", "1") else ItemType.MULTIPLE
        if declared is None or declared is structural:
            item_type = structural
        elif declared is ItemType.LIKERT and structural is ItemType.SINGLE:
            item_type = ItemType.LIKERT
        else:
            question.problem(line, f"tag merit:type={declared.value} does not fit a multichoice question with "
                             f"<single>{single_text}")
            return None
        if "labels" in metadata.values:
            question.problem(line, "tag merit:labels applies only to a truefalse question")
            return None
        keys = metadata.get("keys") or default_keys(item_type, len(answers))
        if len(keys) != len(answers):
            question.problem(line, f"tag merit:keys names {len(keys)} options but the question has "
                             f"{len(answers)} answers")
            return None
        options = tuple(Option(k, localized(markup, text_format, languages))
                        for k, (markup, text_format) in zip(keys, texts))
        if item_type is ItemType.LIKERT:
            if any(fraction != 0.0 for fraction in fractions):
                question.problem(line, "a Likert item (merit:type=likert) needs fraction 0 on every answer")
                return None
            key = set()
        elif item_type is ItemType.SINGLE:
            correct = [k for k, fraction in zip(keys, fractions) if fraction == 100.0]
            if len(correct) != 1:
                question.problem(line, "a single-choice question needs exactly one answer with fraction 100, "
                                 f"found {len(correct)}")
                return None
            key = set(correct)
        else:
            positive = [(k, fraction) for k, fraction in zip(keys, fractions) if fraction > 0]
            total = sum(fraction for _, fraction in positive)
            if abs(total - 100.0) > SUM_TOLERANCE:
                question.problem(line, "the positive fractions of a multiple-response question must add up to 100, "
                                 f"they add up to {format_number(total)}")
                return None
            key = {k for k, _ in positive}

    idnumber = _child(element, "idnumber")
    explicit = (idnumber.text or "").strip() if idnumber is not None else ""
    chosen = metadata.get("id") or explicit
    if chosen:
        message = ids.explicit(chosen, line)
        if message:
            question.problem(line, message)
            return None
        item_id = chosen
    else:
        item_id = ids.generated(stable_id("moodle", question.name or "", stem_markup.strip()), line)
    try:
        return build_item(item_id=item_id, item_type=item_type, stem=stem, options=options, key=key, topic=topic,
                          metadata=metadata, source=Source(question.path, line), name=question.name)
    except ItemError as exc:
        question.problem(line, str(exc))
        return None
