"""Export items as an IMS content package of QTI 2.2 assessmentItems that Merit (and other tools) can import.

``export_qti_package(items)`` returns the bytes of a zip with

* ``imsmanifest.xml`` (IMS Content Packaging 1.1, schema "QTIv2.2 Package") with one resource of type
  ``imsqti_item_xmlv2p2`` per item version, in the order given;
* ``items/<id>-v<version>.xml``: one QTI 2.2 assessmentItem per item version (file names are the id with
  characters other than letters, digits, ``_ . -`` replaced by ``_``, plus a counter if two names clash).

The item file is plain QTI that any QTI 2.2 player shows: identifier = Merit id, title = Merit name (the id
when there is none), ``xml:lang`` = the item's language (the first of kk, ru, en in which the stem and every
option have text), the stem as the choiceInteraction's ``<prompt>`` and each option as a ``<simpleChoice>``
(line breaks as ``<br/>``), in that language. Single and true/false items are a single response with one
correctResponse value, multiple-response items a multiple response with every correct value (both with the
match_correct template: all or nothing); Likert items are a single response with no correctResponse and no
responseProcessing. Choice identifiers are the option keys when those are QTI identifiers (``a``, ``true``),
else ``choice_<n>`` (Likert points "1".."5").

Everything QTI has no place for travels in a Merit metadata block inside the resource's ``<metadata>``::

    <merit:item xmlns:merit="urn:merit:qti-metadata:1" format="1" id="..." version="2" type="likert"
                status="active" difficulty="0.62" enemy-group="..." law-date="2024-01-01"
                competency="..." reverse-keyed="true">
      <merit:name>...</merit:name>                           (absent when the item has no name)
      <merit:topic act="constitution" article="art. 33"/>    (article absent when None)
      <merit:stem xml:lang="kk">...</merit:stem>              (one per language, the exact text)
      <merit:option identifier="choice_1" key="1">          (one per option, in order)
        <merit:text xml:lang="kk">...</merit:text>
      </merit:option>
    </merit:item>

Optional attributes are left out when the field is None (reverse-keyed when false). Texts are stored
verbatim (a carriage return as ``&#13;``). The answer key is not repeated there: it is the item file's
correctResponse. On import (``question_bank.importers.package``) the block is checked against the item file
- same identifier, same choices in the same order, the same cardinality, and the item body's text equal to
the block's text in the body language - so an item edited in another tool is refused rather than imported
with stale translations. Imported on its own, an item file gives a plain QTI item (one language, keys a, b,
...; a Likert item has no key and is refused).

``export_qti_package`` raises ValueError for an (id, version) given twice and for text that XML 1.0 cannot
carry (control characters). The output is deterministic: the same items give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping

from question_bank.importers.qti import MERIT_FORMAT, MERIT_NS, QTI_V2P2, body_text
from question_bank.items import LANGUAGES, Item, ItemType

_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_SCHEMA_LOCATION = f"{QTI_V2P2} http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_v2p2.xsd"
_MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct"
CP_NAMESPACE = "http://www.imsglobal.org/xsd/imscp_v1p1"


def _check(item: Item, text: str) -> str:
    bad = _ILLEGAL.search(text)
    if bad:
        raise ValueError(f"item {item.id!r}: text contains U+{ord(bad.group()):04X}, which XML cannot carry")
    return text


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(value: str) -> str:
    return '"' + _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") + '"'


def _lines(value: str) -> str:
    """A text in an item body: escaped, line breaks as <br/> (what the importer's plain_text reads back)."""
    return "<br/>".join(_text(line) for line in value.splitlines())


def body_language(item: Item) -> str:
    candidates = ([lang for lang in LANGUAGES if lang in item.languages] + sorted(item.languages - set(LANGUAGES))
                  + [lang for lang in LANGUAGES if lang in item.stem] + sorted(item.stem))
    return candidates[0]


def choice_identifiers(keys: list[str]) -> list[str]:
    valid = {key for key in keys if _IDENTIFIER.fullmatch(key)}
    identifiers: list[str] = []
    for index, key in enumerate(keys):
        if key in valid and key not in identifiers:
            identifiers.append(key)
            continue
        candidate = f"choice_{index + 1}"
        while candidate in valid or candidate in identifiers:
            candidate += "_"
        identifiers.append(candidate)
    return identifiers


def _all_texts(item: Item) -> list[str]:
    texts = [item.id, item.name or "", item.topic.act, item.topic.article or "", item.enemy_group or "",
             item.competency or ""]
    texts += list(item.stem) + list(item.stem.values())
    for option in item.options:
        texts += [option.key, *option.text, *option.text.values()]
    return texts


def item_xml(item: Item, identifiers: list[str], language: str) -> str:
    by_key = dict(zip((option.key for option in item.options), identifiers))
    multiple = item.type is ItemType.MULTIPLE
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<assessmentItem xmlns="{QTI_V2P2}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        f'    xsi:schemaLocation="{_SCHEMA_LOCATION}"',
        f'    identifier={_attr(item.id)} title={_attr(item.name or item.id)} adaptive="false"'
        f' timeDependent="false" xml:lang={_attr(language)}>',
        f'  <responseDeclaration identifier="RESPONSE" cardinality="{"multiple" if multiple else "single"}"'
        ' baseType="identifier">',
    ]
    if item.key:
        out.append("    <correctResponse>")
        out += [f"      <value>{_text(by_key[option.key])}</value>" for option in item.options
                if option.key in item.key]
        out.append("    </correctResponse>")
    out.append("  </responseDeclaration>")
    if item.type is not ItemType.LIKERT:
        out.append('  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>')
    out += [
        "  <itemBody>",
        f'    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="{0 if multiple else 1}">',
        f"      <prompt>{_lines(body_text(item.stem, language))}</prompt>",
    ]
    out += [f"      <simpleChoice identifier={_attr(identifier)}>{_lines(body_text(option.text, language))}"
            "</simpleChoice>" for option, identifier in zip(item.options, identifiers)]
    out += ["    </choiceInteraction>", "  </itemBody>"]
    if item.type is not ItemType.LIKERT:
        out.append(f'  <responseProcessing template="{_MATCH_CORRECT}"/>')
    out.append("</assessmentItem>")
    return "\n".join(out) + "\n"


def _texts(tag: str, texts: Mapping[str, str], indent: str) -> list[str]:
    return [f"{indent}<merit:{tag} xml:lang={_attr(lang)}>{_text(text)}</merit:{tag}>" for lang, text in texts.items()]


def merit_block(item: Item, identifiers: list[str], indent: str) -> list[str]:
    attributes = {"format": MERIT_FORMAT, "id": item.id, "version": str(item.version), "type": item.type.value,
                  "status": item.status.value}
    if item.difficulty is not None:
        attributes["difficulty"] = repr(float(item.difficulty))
    if item.enemy_group is not None:
        attributes["enemy-group"] = item.enemy_group
    if item.law_date is not None:
        attributes["law-date"] = item.law_date.isoformat()
    if item.competency is not None:
        attributes["competency"] = item.competency
    if item.reverse_keyed:
        attributes["reverse-keyed"] = "true"
    inner = indent + "  "
    out = [f'{indent}<merit:item xmlns:merit="{MERIT_NS}" '
           + " ".join(f"{name}={_attr(value)}" for name, value in attributes.items()) + ">"]
    if item.name is not None:
        out.append(f"{inner}<merit:name>{_text(item.name)}</merit:name>")
    article = f" article={_attr(item.topic.article)}" if item.topic.article is not None else ""
    out.append(f"{inner}<merit:topic act={_attr(item.topic.act)}{article}/>")
    out += _texts("stem", item.stem, inner)
    for option, identifier in zip(item.options, identifiers):
        out.append(f"{inner}<merit:option identifier={_attr(identifier)} key={_attr(option.key)}>")
        out += _texts("text", option.text, inner + "  ")
        out.append(f"{inner}</merit:option>")
    out.append(f"{indent}</merit:item>")
    return out


def _file_name(item: Item, used: set[str]) -> str:
    stem = f"items/{_UNSAFE_FILE_CHARS.sub('_', item.id)[:100]}-v{item.version}"
    name, counter = f"{stem}.xml", 1
    while name.lower() in used:
        counter += 1
        name = f"{stem}-{counter}.xml"
    used.add(name.lower())
    return name


def export_qti_package(items: Iterable[Item]) -> bytes:
    """A zip IMS content package: imsmanifest.xml plus one QTI 2.2 assessmentItem per item version."""
    files: list[tuple[str, str]] = []
    resources: list[str] = []
    seen: set[tuple[str, int]] = set()
    used: set[str] = set()
    for number, item in enumerate(items, start=1):
        if (item.id, item.version) in seen:
            raise ValueError(f"item {item.id!r} version {item.version} is given twice")
        seen.add((item.id, item.version))
        for text in _all_texts(item):
            _check(item, text)
        identifiers = choice_identifiers([option.key for option in item.options])
        name = _file_name(item, used)
        files.append((name, item_xml(item, identifiers, body_language(item))))
        resources += [f'    <resource identifier="item-{number:05d}" type="imsqti_item_xmlv2p2" href={_attr(name)}>',
                      "      <metadata>",
                      *merit_block(item, identifiers, "        "),
                      "      </metadata>",
                      f"      <file href={_attr(name)}/>",
                      "    </resource>"]
    manifest = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<manifest xmlns="{CP_NAMESPACE}" identifier="MERIT-QTI-EXPORT">',
        "  <metadata>",
        "    <schema>QTIv2.2 Package</schema>",
        "    <schemaversion>1.0.0</schemaversion>",
        "  </metadata>",
        "  <organizations/>",
        "  <resources>",
        *resources,
        "  </resources>",
        "</manifest>",
    ]) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in [("imsmanifest.xml", manifest), *files]:
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
