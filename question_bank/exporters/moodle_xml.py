"""Export items as Moodle XML, so that Moodle can use them and Merit can import them back unchanged.

- single choice -> ``multichoice`` with ``<single>true``: fraction 100 on the key, 0 elsewhere;
- multiple response -> ``multichoice`` with ``<single>false``: the correct options share 100 (Moodle grades only:
  100/k for up to 10 correct options, a mix of 10 and 5 for 11 to 20), every wrong option has -100, which is as
  close to Merit's all-or-nothing scoring as Moodle gets;
- true/false -> ``truefalse`` (Moodle's answers are the words "true" and "false"; option texts other than Merit's
  labels travel in the tag ``merit:labels``);
- Likert -> ``multichoice`` single with fraction 0 on every answer and the tag ``merit:type=likert`` (Moodle itself
  will not accept such a question: it is there for Merit-to-Merit transfer).

Texts are written as HTML (escaped, line breaks as ``<br>``). Items with several languages, or whose single language
`guess_language` would not recognise, use Moodle multilang spans ``<span lang="kk" class="multilang">``. Each
topic gets a ``<question type="category">`` (``$course$/top/<act>/<article>``, ``/`` in a name doubled as Moodle
expects). Merit's fields that Moodle XML has no place for travel as tags ``merit:NAME=VALUE``
(see `question_bank.importers.moodle_xml.MERIT_TAGS`). Moodle limits tags to 50 characters, so long values may
not survive a trip through Moodle itself; they do survive export and import by Merit.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping

from question_bank.importers.common import guess_language
from question_bank.importers.moodle_xml import MERIT_TAG_PREFIX, TRUE_FALSE_LABELS, default_keys
from question_bank.items import LANGUAGES, Item, ItemType, Topic

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MLANG = re.compile(r"\{(?=mlang)", re.IGNORECASE)


def _xml(text: str) -> str:
    """Escape for XML element content."""
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueError(f"character U+{ord(bad.group()):04X} cannot be written in XML")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _html(text: str) -> str:
    """Plain text as HTML that `common.plain_text` turns back into the same text."""
    escaped = html.escape(text, quote=False)
    escaped = _MLANG.sub("&#123;", escaped)  # a literal "{mlang" must not read as a multilang span
    return escaped.replace("\n", "<br>")


def _multilang(item: Item) -> bool:
    stem_languages = set(item.stem)
    if len(stem_languages) != 1:
        return True
    (lang, text), = item.stem.items()
    if guess_language(text) != lang:
        return True
    return item.type is not ItemType.TRUE_FALSE and any(set(o.text) != stem_languages for o in item.options)


def _text(texts: Mapping[str, str], multilang: bool) -> str:
    if not multilang:
        return "".join(_html(text) for text in texts.values())
    ordered = sorted(texts, key=lambda lang: LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES))
    return "".join(f'<span lang="{lang}" class="multilang">{_html(texts[lang])}</span>' for lang in ordered)


def _category(topic: Topic) -> str:
    names = [topic.act] + ([topic.article] if topic.article else [])
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in names)


def _fractions(item: Item) -> list[str]:
    keys = [option.key for option in item.options]
    if item.type is ItemType.LIKERT:
        return ["0"] * len(keys)
    if item.type in (ItemType.SINGLE, ItemType.TRUE_FALSE):
        return ["100" if key in item.key else "0" for key in keys]
    count = len(item.key)
    if count <= 10:
        shares = [f"{100 / count:.5f}".rstrip("0").rstrip(".")] * count
    elif count <= 20:  # a * 10 + b * 5 = 100 with a + b = count
        shares = ["10"] * (20 - count) + ["5"] * (2 * count - 20)
    else:
        raise ValueError(f"item {item.id!r}: Moodle cannot give {count} correct options each a positive grade")
    correct = iter(shares)
    return [next(correct) if key in item.key else "-100" for key in keys]


def _tags(item: Item) -> list[str]:
    fields: list[tuple[str, str]] = [("id", item.id), ("version", str(item.version))]
    if item.type is ItemType.LIKERT:
        fields.append(("type", item.type.value))
    keys = [option.key for option in item.options]
    if item.type is not ItemType.TRUE_FALSE and keys != default_keys(item.type, len(keys)):
        fields.append(("keys", json.dumps(keys, ensure_ascii=False)))
    if item.type is ItemType.TRUE_FALSE:
        labels = {option.key: dict(option.text) for option in item.options}
        if labels != {key: {lang: TRUE_FALSE_LABELS[key][lang] for lang in item.stem} for key in labels}:
            ordered = {key: labels[key] for key in ("true", "false")}
            fields.append(("labels", json.dumps(ordered, ensure_ascii=False)))
    fields.append(("act", item.topic.act))
    if item.topic.article is not None:
        fields.append(("article", item.topic.article))
    if item.difficulty is not None:
        fields.append(("difficulty", repr(float(item.difficulty))))
    fields.append(("status", item.status.value))
    for name in ("enemy_group", "competency"):
        if getattr(item, name) is not None:
            fields.append((name, getattr(item, name)))
    if item.law_date is not None:
        fields.append(("law_date", item.law_date.isoformat()))
    if item.reverse_keyed:
        fields.append(("reverse_keyed", "true"))
    return [f"{MERIT_TAG_PREFIX}{name}={value}" for name, value in fields]


def _question(item: Item) -> list[str]:
    multilang = _multilang(item)
    moodle_type = "truefalse" if item.type is ItemType.TRUE_FALSE else "multichoice"
    lines = [
        f'  <question type="{moodle_type}">',
        "    <name>",
        f"      <text>{_xml(html.escape(item.name, quote=False)) if item.name else ''}</text>",
        "    </name>",
        '    <questiontext format="html">',
        f"      <text>{_xml(_text(item.stem, multilang))}</text>",
        "    </questiontext>",
        '    <generalfeedback format="html">',
        "      <text></text>",
        "    </generalfeedback>",
        "    <defaultgrade>1.0000000</defaultgrade>",
        f"    <penalty>{'1.0000000' if item.type is ItemType.TRUE_FALSE else '0.3333333'}</penalty>",
        "    <hidden>0</hidden>",
        f"    <idnumber>{_xml(item.id)}</idnumber>",
    ]
    if item.type is not ItemType.TRUE_FALSE:
        likert = item.type is ItemType.LIKERT
        lines += [
            f"    <single>{'false' if item.type is ItemType.MULTIPLE else 'true'}</single>",
            f"    <shuffleanswers>{'false' if likert else 'true'}</shuffleanswers>",
            f"    <answernumbering>{'none' if likert else 'abc'}</answernumbering>",
            "    <showstandardinstruction>0</showstandardinstruction>",
        ]
        for feedback in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            lines += [f'    <{feedback} format="html">', "      <text></text>", f"    </{feedback}>"]
        lines.append("    <shownumcorrect/>")
    for option, fraction in zip(item.options, _fractions(item)):
        if item.type is ItemType.TRUE_FALSE:
            text, text_format = option.key, "moodle_auto_format"
        else:
            text, text_format = _xml(_text(option.text, multilang)), "html"
        lines += [
            f'    <answer fraction="{fraction}" format="{text_format}">',
            f"      <text>{text}</text>",
            '      <feedback format="html">',
            "        <text></text>",
            "      </feedback>",
            "    </answer>",
        ]
    lines.append("    <tags>")
    lines += [f"      <tag><text>{_xml(tag)}</text></tag>" for tag in _tags(item)]
    lines.append("    </tags>")
    lines.append("  </question>")
    return lines


def export_moodle_xml(items: Iterable[Item]) -> bytes:
    """Moodle XML for the items, in their order; raises ValueError for an item Moodle XML cannot carry."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    topic: Topic | None = None
    for item in items:
        if item.topic != topic:
            topic = item.topic
            lines += [
                '  <question type="category">',
                "    <category>",
                f"      <text>{_xml(_category(topic))}</text>",
                "    </category>",
                "  </question>",
                "",
            ]
        lines += _question(item)
        lines.append("")
    lines.append("</quiz>")
    return ("\n".join(lines) + "\n").encode("utf-8")
