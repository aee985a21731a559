"""Import IMS QTI 2.0 / 2.1 / 2.2 assessmentItem and assessmentTest files.

What is imported
----------------
An assessmentItem with exactly one ``choiceInteraction`` whose response is declared with baseType
``identifier``:

* cardinality ``single`` (maxChoices 1) and one correct choice -> ``ItemType.SINGLE``. A choice item whose
  two choices read "True"/"False" stays SINGLE: nothing is guessed from option wording.
* cardinality ``multiple`` -> ``ItemType.MULTIPLE``; Merit scores it all-or-nothing against the key.

Option keys are "a", "b", "c", ... in document order (after "z": "aa", "ab", ...); the QTI choice identifiers
are only used to translate the answer key. The stem is the itemBody text outside the interaction with the
interaction's prompt in its place, reduced to plain text by ``common.plain_text`` (feedback is left out; an
``<img>`` becomes ``[image: alt text]`` because Merit shows text, never imported pictures). The id is the
assessmentItem identifier, ``Item.name`` its title, the topic ``Topic("uncategorized")``, the status DRAFT and
the language the item's ``xml:lang`` when that is kk, ru or en (a region such as ``ru-RU`` is accepted), else
``common.guess_language(stem)``. Inside an IMS content package the Merit metadata block of the manifest
(see ``question_bank.exporters.qti``) supplies every Merit field instead (``MeritMetadata``).

The answer key
--------------
1. ``correctResponse`` when it has values (whatever the responseProcessing);
2. otherwise a mapping that is unambiguous: the choices with a positive ``mappedValue`` (exactly one for a
   single response; for a multiple response the set must be needed to reach ``upperBound``);
3. otherwise custom responseProcessing that reduces to one answer: branches of the form
   ``match(variable RESPONSE, baseValue | multiple(baseValue...))`` that set SCORE, all naming the same answer.

Anything else is a Problem "no usable answer key" with the reason and line.

Refused
-------
Every other interaction (order, textEntry, extendedText, inlineChoice, match, associate, gapMatch, hottext,
hotspot, ...), items with several interactions or none, adaptive items, template items (templateDeclaration,
printedVariable, ...), MathML or other foreign markup, embedded media other than images, and options that are
only a picture are *unsupported*: ``common.unsupported`` reports them (an error unless the caller asked to skip
unsupported items), naming the item identifier, its title and the interaction. Malformed files, unknown
namespaces, broken keys and contradictions are Problems with the line they were found on.

Namespaces: http://www.imsglobal.org/xsd/imsqti_v2p0, _v2p1 and _v2p2; a document without a namespace is read
as QTI 2.1 (as qti-sdk does). Any other namespace is a Problem naming it.

An assessmentTest imported on its own carries no items: each ``assessmentItemRef`` is reported as a Problem
(its href and line) since the referenced files are not available; an empty test imports nothing, without
problems. ``question_bank.importers.package`` resolves the references inside a content package.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element

from question_bank.importers.common import (
    ImportResult,
    Problem,
    XmlDocument,
    guess_language,
    local_name,
    parse_xml,
    plain_text,
    unsupported,
)
from question_bank.items import LANGUAGES, Item, ItemError, ItemType, Option, Source, Status, Topic

QTI_V2P0 = "http://www.imsglobal.org/xsd/imsqti_v2p0"
QTI_V2P1 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_V2P2 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
QTI_NAMESPACES = {QTI_V2P0: "2.0", QTI_V2P1: "2.1", QTI_V2P2: "2.2", "": "2.1"}
QTI3_NAMESPACE = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# The Merit metadata block that export_qti_package writes into the manifest (format version 1).
MERIT_NS = "urn:merit:qti-metadata:1"
MERIT_FORMAT = "1"

UNCATEGORIZED = "uncategorized"


def namespace_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass(frozen=True)
class QtiDocument:
    """A parsed QTI file: its path (for problems), the tree with line numbers and its QTI namespace."""

    path: str
    xml: XmlDocument
    ns: str
    kind: str  # "item" or "test"

    @property
    def root(self) -> Element:
        return self.xml.root

    def line(self, element: Element | None) -> int | None:
        return None if element is None else self.xml.line(element)

    def is_qti(self, element: Element) -> bool:
        return isinstance(element.tag, str) and namespace_of(element.tag) == self.ns

    def named(self, element: Element, name: str) -> bool:
        return self.is_qti(element) and local_name(element.tag) == name

    def children(self, element: Element, name: str) -> list[Element]:
        return [child for child in element if self.named(child, name)]

    def child(self, element: Element, name: str) -> Element | None:
        return next(iter(self.children(element, name)), None)


def parse(path: str, data: bytes) -> XmlDocument | Problem:
    """common.parse_xml, plus a Problem (not an exception) for an encoding declaration expat cannot use."""
    try:
        return parse_xml(path, data)
    except (LookupError, ValueError) as exc:  # unknown or multi-byte codec named in <?xml encoding=...?>
        return Problem(path, 1, f"the XML declaration names an encoding that cannot be read ({exc})")


def read_document(path: str, data: bytes) -> QtiDocument | Problem:
    """Parse a QTI 2.x assessmentItem or assessmentTest; a Problem for anything else."""
    parsed = parse(path, data)
    if isinstance(parsed, Problem):
        return parsed
    root = parsed.root
    ns, name = namespace_of(root.tag), local_name(root.tag)
    line = parsed.line(root)
    if name in ("assessmentItem", "assessmentTest"):
        if ns not in QTI_NAMESPACES:
            return Problem(path, line, f"unknown namespace {ns!r} on <{name}>: Merit reads QTI 2.0, 2.1 and 2.2 "
                                       f"({QTI_V2P1} or {QTI_V2P2})")
        return QtiDocument(path, parsed, ns, "item" if name == "assessmentItem" else "test")
    if ns == QTI3_NAMESPACE or name.startswith("qti-"):
        return Problem(path, line, f"<{name}> is QTI 3.0, which Merit does not import (QTI 2.0, 2.1 and 2.2 only)")
    if name == "questestinterop":
        return Problem(path, line, "<questestinterop> is QTI 1.x, which Merit does not import (QTI 2.0, 2.1 and 2.2 only)")
    return Problem(path, line, f"not a QTI assessmentItem or assessmentTest: the root element is <{name}>")


def import_qti(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    """Import one QTI 2.x file: an assessmentItem, or an assessmentTest (whose item files are not given)."""
    result = ImportResult()
    document = read_document(path, data)
    if isinstance(document, Problem):
        result.problems.append(document)
        return result
    if document.kind == "test":
        for ref in assessment_item_refs(document, result):
            result.problems.append(Problem(
                path, ref.line,
                f"assessmentItemRef {ref.identifier!r} points to {ref.href!r}, which is not available: a test file "
                f"imported on its own carries no items; import the content package (.zip) that holds the item files"))
        result.problems.sort(key=lambda problem: problem.line or 0)  # document order
        return result
    result.extend(import_item_document(document, skip_unsupported=skip_unsupported))
    return result


# assessmentTest


@dataclass(frozen=True)
class ItemRef:
    identifier: str
    href: str
    line: int | None


def assessment_item_refs(document: QtiDocument, result: ImportResult) -> list[ItemRef]:
    """The assessmentItemRefs of a test in document order; broken references go to result.problems."""
    refs = []
    for element in document.root.iter():
        if document.named(element, "assessmentItemRef"):
            identifier = element.get("identifier") or "?"
            href = (element.get("href") or "").strip()
            if not href:
                result.problems.append(Problem(document.path, document.line(element),
                                               f"assessmentItemRef {identifier!r} has no href"))
                continue
            refs.append(ItemRef(identifier, href, document.line(element)))
        elif document.named(element, "assessmentSectionRef"):
            result.problems.append(Problem(
                document.path, document.line(element),
                f"assessmentSectionRef {element.get('identifier') or '?'!r} ({element.get('href') or 'no href'}) "
                f"is not supported: put the section's items into the test itself"))
    return refs


# Merit metadata (written by question_bank.exporters.qti into the manifest)


@dataclass(frozen=True)
class MeritOption:
    identifier: str           # the simpleChoice identifier in the item file
    key: str                  # the Merit option key
    text: Mapping[str, str]


@dataclass(frozen=True)
class MeritMetadata:
    path: str                 # where the block is (the manifest), for problems
    line: int | None
    id: str
    version: int
    type: ItemType
    name: str | None
    topic: Topic
    difficulty: float | None
    status: Status
    enemy_group: str | None
    law_date: date | None
    competency: str | None
    reverse_keyed: bool
    stem: Mapping[str, str]
    options: tuple[MeritOption, ...]


_MERIT_ATTRIBUTES = {"format", "id", "version", "type", "status", "difficulty", "enemy-group", "law-date",
                     "competency", "reverse-keyed"}


def _merit_texts(path: str, doc: XmlDocument, element: Element, name: str) -> dict[str, str] | Problem:
    texts: dict[str, str] = {}
    for child in element:
        if child.tag != f"{{{MERIT_NS}}}{name}":
            continue
        lang = child.get(XML_LANG)
        if not lang:
            return Problem(path, doc.line(child), f"Merit metadata: <{name}> without xml:lang")
        if lang in texts:
            return Problem(path, doc.line(child), f"Merit metadata: a second <{name}> in language {lang!r}")
        if len(child):
            return Problem(path, doc.line(child), f"Merit metadata: <{name}> must hold text only")
        texts[lang] = child.text or ""
    return texts


def parse_merit_metadata(path: str, doc: XmlDocument, element: Element) -> MeritMetadata | Problem:
    """Read a <merit:item> block; a Problem names the first field that is wrong."""
    line = doc.line(element)

    def bad(reason: str, at: Element = element) -> Problem:
        return Problem(path, doc.line(at), f"Merit metadata: {reason}")

    unknown = sorted(set(element.attrib) - _MERIT_ATTRIBUTES)
    if unknown:
        return bad(f"unknown attribute {unknown[0]!r}")
    if element.get("format") != MERIT_FORMAT:
        return bad(f"format {element.get('format')!r} is not supported (expected {MERIT_FORMAT!r})")
    item_id = element.get("id") or ""
    if not item_id:
        return bad("no item id")
    version_text = element.get("version", "1")
    if not re.fullmatch(r"-?[0-9]{1,18}", version_text):
        return bad(f"version {version_text!r} is not a whole number")
    try:
        item_type = ItemType(element.get("type", ""))
    except ValueError:
        return bad(f"type {element.get('type')!r} is not one of {', '.join(t.value for t in ItemType)}")
    try:
        status = Status(element.get("status", Status.DRAFT.value))
    except ValueError:
        return bad(f"status {element.get('status')!r} is not one of {', '.join(s.value for s in Status)}")
    difficulty = None
    if element.get("difficulty") is not None:
        try:
            difficulty = float(element.get("difficulty", ""))
        except ValueError:
            difficulty = math.nan
        if not math.isfinite(difficulty):
            return bad(f"difficulty {element.get('difficulty')!r} is not a number")
    law_date = None
    if element.get("law-date") is not None:
        try:
            law_date = date.fromisoformat(element.get("law-date", ""))
        except ValueError:
            return bad(f"law-date {element.get('law-date')!r} is not a date (YYYY-MM-DD)")
    reverse = element.get("reverse-keyed", "false")
    if reverse not in ("true", "false"):
        return bad(f"reverse-keyed {reverse!r} must be 'true' or 'false'")

    known = {f"{{{MERIT_NS}}}{name}" for name in ("name", "topic", "stem", "option")}
    for child in element:
        if child.tag not in known:
            return bad(f"unknown element <{local_name(str(child.tag))}>", child)
    names = [child for child in element if child.tag == f"{{{MERIT_NS}}}name"]
    topics = [child for child in element if child.tag == f"{{{MERIT_NS}}}topic"]
    if len(names) > 1:
        return bad("more than one <name>", names[1])
    if len(topics) != 1 or topics[0].get("act") is None:
        return bad("exactly one <topic act=...> is needed")
    stem = _merit_texts(path, doc, element, "stem")
    if isinstance(stem, Problem):
        return stem
    options = []
    for child in element:
        if child.tag != f"{{{MERIT_NS}}}option":
            continue
        identifier, key = child.get("identifier"), child.get("key")
        if not identifier or key is None:
            return bad("<option> needs identifier and key", child)
        texts = _merit_texts(path, doc, child, "text")
        if isinstance(texts, Problem):
            return texts
        options.append(MeritOption(identifier, key, texts))
    return MeritMetadata(
        path=path, line=line, id=item_id, version=int(version_text), type=item_type,
        name=(names[0].text or "") if names else None,
        topic=Topic(topics[0].get("act", ""), topics[0].get("article")),
        difficulty=difficulty, status=status, enemy_group=element.get("enemy-group"), law_date=law_date,
        competency=element.get("competency"), reverse_keyed=reverse == "true", stem=stem, options=tuple(options))


def body_text(texts: Mapping[str, str], language: str) -> str:
    """The text the item file shows for a per-language text: the item's language, else the first one there is."""
    if language in texts:
        return texts[language]
    return texts[sorted(texts)[0]] if texts else ""


def normalized(text: str) -> str:
    """A text as it reads back from an item body: what `plain_text` makes of it."""
    return plain_text(html.escape(text, quote=False))


# assessmentItem


class _Refused(Exception):
    def __init__(self, line: int | None, reason: str, *, is_unsupported: bool = False, path: str | None = None):
        super().__init__(reason)
        self.line, self.reason, self.is_unsupported, self.path = line, reason, is_unsupported, path


def import_item_document(document: QtiDocument, *, skip_unsupported: bool = False,
                         merit: MeritMetadata | None = None) -> ImportResult:
    """Import a parsed assessmentItem; `merit` (from a package manifest) supplies the Merit-only fields."""
    result = ImportResult()
    try:
        result.items.append(_read_item(document, merit))
    except _Refused as refused:
        path = refused.path or document.path
        if refused.is_unsupported:
            unsupported(result, path, refused.line, refused.reason, skip_unsupported)
        else:
            result.problems.append(Problem(path, refused.line, refused.reason))
    return result


def option_keys(count: int) -> list[str]:
    """'a'..'z', then 'aa', 'ab', ... (spreadsheet columns in lower case)."""
    keys = []
    for index in range(count):
        key, n = "", index + 1
        while n:
            n, rest = divmod(n - 1, 26)
            key = chr(ord("a") + rest) + key
        keys.append(key)
    return keys


_BLOCK = frozenset(
    "p div blockquote ul ol li dl dt dd table caption thead tbody tfoot tr h1 h2 h3 h4 h5 h6 pre address hr "
    "prompt rubricBlock figure figcaption section article aside header footer nav".split())
_FEEDBACK = frozenset({"feedbackInline", "feedbackBlock", "modalFeedback"})
_TEMPLATE = frozenset({"printedVariable", "templateInline", "templateBlock"})
_MEDIA = frozenset({"audio", "video", "iframe", "embed", "object"})
_XML_SPACE = re.compile(r"[ \t\r\n]+")


class _Text:
    """Markup for common.plain_text from a QTI body: text escaped, only <br/> as tags, pictures as [image: alt]."""

    def __init__(self, document: QtiDocument, *, show_images: bool = True, interaction: Element | None = None):
        self.document, self.show_images, self.interaction = document, show_images, interaction
        self.parts: list[str] = []
        self.images: list[str] = []

    def content(self, element: Element, pre: bool = False) -> _Text:
        if element.text:
            self._text(element.text, pre)
        for child in element:
            self._node(child, pre)
            if child.tail:
                self._text(child.tail, pre)
        return self

    def plain(self) -> str:
        return plain_text("".join(self.parts))

    def _text(self, text: str, pre: bool) -> None:
        if pre:
            self.parts.append(html.escape(text, quote=False).replace("\n", "<br/>"))
        else:
            self.parts.append(html.escape(_XML_SPACE.sub(" ", text), quote=False))

    def _node(self, element: Element, pre: bool) -> None:
        if not isinstance(element.tag, str):
            return
        name = local_name(element.tag)
        if element is self.interaction:
            prompt = self.document.child(element, "prompt")
            self.parts.append("<br/>")
            if prompt is not None:
                self.content(prompt)
            self.parts.append("<br/>")
            return
        if name in _FEEDBACK:
            return
        if name in ("img", "object"):
            source = element.get("src") if name == "img" else element.get("data")
            self.images.append(source or "")
            if self.show_images:
                alt = _one_line(element.get("alt")) or _one_line(source)
                self.parts.append(" " + html.escape(f"[image: {alt}]" if alt else "[image]", quote=False) + " ")
            return
        if name == "br":
            self.parts.append("<br/>")
            return
        block = name in _BLOCK
        if block:
            self.parts.append("<br/>")
        self.content(element, pre or name == "pre")
        if block:
            self.parts.append("<br/>")


def _count_names(elements: list[Element]) -> str:
    counts: dict[str, int] = {}
    for element in elements:
        counts[local_name(element.tag)] = counts.get(local_name(element.tag), 0) + 1
    return ", ".join(name if n == 1 else f"{name} x{n}" for name, n in counts.items())


def _read_item(document: QtiDocument, merit: MeritMetadata | None) -> Item:
    root = document.root
    identifier = (root.get("identifier") or "").strip()
    item_line = document.line(root)
    if not identifier:
        raise _Refused(item_line, "the assessmentItem has no identifier")
    title = root.get("title")
    label = f"item {identifier!r} titled {title!r}" if title else f"item {identifier!r} (no title)"

    body = document.child(root, "itemBody")
    if body is None:
        raise _Refused(item_line, f"{label} has no itemBody")
    interactions = [element for element in body.iter()
                    if document.is_qti(element) and local_name(element.tag).endswith("Interaction")]
    if not interactions:
        raise _Refused(document.line(body), f"{label} has no interaction (nothing to answer); "
                                            "Merit imports choiceInteraction items", is_unsupported=True)
    if len(interactions) > 1:
        raise _Refused(document.line(interactions[0]),
                       f"{label} has several interactions ({_count_names(interactions)}); "
                       "Merit imports items with one choiceInteraction", is_unsupported=True)
    interaction = interactions[0]
    kind = local_name(interaction.tag)
    if kind != "choiceInteraction":
        raise _Refused(document.line(interaction),
                       f"{label}: {kind} is not supported (Merit imports choiceInteraction items)",
                       is_unsupported=True)
    label_choice = f"{label}, choiceInteraction"

    template = document.child(root, "templateDeclaration")
    if template is not None:
        raise _Refused(document.line(template), f"{label_choice}: the item is a template (templateDeclaration "
                                                "generates variants), which Merit does not support",
                       is_unsupported=True)
    if (root.get("adaptive") or "false").strip() == "true":
        raise _Refused(item_line, f"{label_choice}: adaptive items (several attempts, changing content) are not "
                                  "supported", is_unsupported=True)
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        name = local_name(element.tag)
        if not document.is_qti(element):
            raise _Refused(document.line(element),
                           f"{label_choice}: <{name}> in namespace {namespace_of(element.tag)!r} (e.g. MathML) "
                           "cannot be shown as text", is_unsupported=True)
        if name in _TEMPLATE:
            raise _Refused(document.line(element), f"{label_choice}: <{name}> shows template variables, which "
                                                   "Merit does not support", is_unsupported=True)
        if name in _MEDIA and not (name == "object" and (element.get("type") or "").startswith("image/")):
            raise _Refused(document.line(element),
                           f"{label_choice}: embedded media <{name}> "
                           f"({element.get('data') or element.get('src') or 'no source'}) cannot be shown as text",
                           is_unsupported=True)

    # Choices
    choices = document.children(interaction, "simpleChoice")
    choice_ids: list[str] = []
    for choice in choices:
        choice_id = (choice.get("identifier") or "").strip()
        if not choice_id:
            raise _Refused(document.line(choice), f"{label}: a simpleChoice has no identifier")
        if choice_id in choice_ids:
            raise _Refused(document.line(choice), f"{label}: choice identifier {choice_id!r} repeats")
        choice_ids.append(choice_id)
    if len(choices) < 2:
        raise _Refused(document.line(interaction), f"{label}: a choiceInteraction needs at least 2 simpleChoices, "
                                                   f"it has {len(choices)}")

    # Response declaration
    response_id = (interaction.get("responseIdentifier") or "").strip()
    declaration = next((d for d in document.children(root, "responseDeclaration")
                        if (d.get("identifier") or "").strip() == response_id), None)
    if declaration is None:
        raise _Refused(document.line(interaction), f"{label}: the choiceInteraction's response {response_id!r} "
                                                   "has no responseDeclaration")
    cardinality = (declaration.get("cardinality") or "").strip()
    if cardinality not in ("single", "multiple"):
        raise _Refused(document.line(declaration), f"{label}: response {response_id!r} has cardinality "
                                                   f"{cardinality!r}; a choice item needs 'single' or 'multiple'")
    if (declaration.get("baseType") or "").strip() != "identifier":
        raise _Refused(document.line(declaration), f"{label}: response {response_id!r} has baseType "
                                                   f"{declaration.get('baseType')!r}; a choice item needs 'identifier'")
    max_choices = _whole(document, interaction, "maxChoices", 1, label)
    min_choices = _whole(document, interaction, "minChoices", 0, label)
    if cardinality == "single" and max_choices != 1:
        raise _Refused(document.line(interaction), f"{label}: response {response_id!r} has cardinality single but "
                                                   f"maxChoices={max_choices}")

    # Answer key
    correct = document.child(declaration, "correctResponse")
    correct_values = [] if correct is None else [
        (value.text or "").strip() for value in document.children(correct, "value") if (value.text or "").strip()]
    if merit is not None and merit.type is ItemType.LIKERT:
        if correct_values:
            raise _Refused(document.line(correct), f"{label}: the Merit metadata says Likert (no answer key) but "
                                                   "the item declares a correctResponse")
        key_ids: list[str] = []
    else:
        key_ids = _answer_key(document, root, declaration, correct, correct_values, response_id, cardinality,
                              choice_ids, label)
        if cardinality == "single" and len(key_ids) != 1:
            raise _Refused(document.line(correct if correct is not None else declaration),
                           f"{label}: response {response_id!r} has cardinality single but the key names "
                           f"{len(key_ids)} choices ({', '.join(key_ids)})")
        if cardinality == "multiple":
            if max_choices and max_choices < len(key_ids):
                raise _Refused(document.line(interaction),
                               f"{label}: the key has {len(key_ids)} correct choices but maxChoices={max_choices}")
            if min_choices > len(key_ids):
                raise _Refused(document.line(interaction),
                               f"{label}: the key has {len(key_ids)} correct choices but minChoices={min_choices}")

    # Texts
    stem_text = _Text(document, interaction=interaction).content(body).plain()
    option_texts = [_Text(document).content(choice).plain() for choice in choices]
    body_lang = (root.get(XML_LANG) or "").strip()

    if merit is not None:
        return _merit_item(document, merit, identifier, label, choices, choice_ids, key_ids, cardinality,
                           body_lang, body, stem_text, option_texts)

    keys = option_keys(len(choices))
    for choice, key, text in zip(choices, keys, option_texts):
        own = _Text(document, show_images=False).content(choice)
        if not own.plain():
            if own.images:
                raise _Refused(document.line(choice),
                               f"{label_choice}: option {key} ({choice.get('identifier')}) is only an image "
                               f"({', '.join(own.images)}); Merit shows options as text", is_unsupported=True)
            raise _Refused(document.line(choice), f"{label}: option {key} ({choice.get('identifier')}) has no text")
    seen: dict[str, str] = {}
    for choice, key, text in zip(choices, keys, option_texts):
        if text in seen:
            raise _Refused(document.line(choice), f"{label}: options {seen[text]} and {key} have the same text "
                                                  f"{text!r}; a candidate could not tell them apart")
        seen[text] = key
    if not stem_text:
        raise _Refused(document.line(body), f"{label} has no question text")
    primary = body_lang.split("-")[0].split("_")[0].lower()
    language = primary if primary in LANGUAGES else guess_language(stem_text)
    by_id = dict(zip(choice_ids, keys))
    try:
        return Item(
            id=identifier, type=ItemType.MULTIPLE if cardinality == "multiple" else ItemType.SINGLE,
            stem={language: stem_text},
            options=tuple(Option(key, {language: text}) for key, text in zip(keys, option_texts)),
            key=frozenset(by_id[choice_id] for choice_id in key_ids), topic=Topic(UNCATEGORIZED),
            source=Source(document.path, item_line), name=title)
    except ItemError as exc:
        raise _Refused(item_line, str(exc)) from exc


def _whole(document: QtiDocument, element: Element, attribute: str, default: int, label: str) -> int:
    text = (element.get(attribute) or "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise _Refused(document.line(element), f"{label}: {attribute}={text!r} is not a whole number")
    return int(text)


def _number(document: QtiDocument, element: Element, attribute: str, label: str, default: str | None = None) -> float:
    text = element.get(attribute, default)
    try:
        value = float(text or "")
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _Refused(document.line(element), f"{label}: {attribute}={text!r} is not a number")
    return value


def _answer_key(document: QtiDocument, root: Element, declaration: Element, correct: Element | None,
                correct_values: list[str], response_id: str, cardinality: str, choice_ids: list[str],
                label: str) -> list[str]:
    """QTI identifiers of the correct choices; refuses what cannot be reduced to one unambiguous key."""
    no_key = f"no usable answer key for {label}"
    mapping = document.child(declaration, "mapping")
    processing = document.child(root, "responseProcessing")
    template = (processing.get("template") or "").strip() if processing is not None else ""

    def known(identifiers: list[str], where: Element | None) -> list[str]:
        unique = list(dict.fromkeys(identifiers))
        for identifier in unique:
            if identifier not in choice_ids:
                raise _Refused(document.line(where), f"{label}: the answer key names {identifier!r}, which is not a "
                                                     f"choice of this item ({', '.join(choice_ids)})")
        return unique

    if correct_values:
        key_ids = known(correct_values, correct)
        if mapping is not None:
            credit = _mapping_credit(document, mapping, label)
            default = _number(document, mapping, "defaultValue", label, "0")
            for identifier in key_ids:
                if credit.get(identifier, default) <= 0:
                    raise _Refused(document.line(mapping),
                                   f"{label}: correctResponse names {identifier!r} but the mapping gives it no "
                                   "credit; the key is contradictory")
        return key_ids

    if template.endswith("/match_correct"):
        raise _Refused(document.line(processing), f"{no_key}: the match_correct template needs a correctResponse and "
                                                  f"response {response_id!r} declares none")
    uses_mapping = template.endswith(("/map_response", "/map_response_point")) or not template and (
        processing is None or any(document.named(e, "mapResponse") for e in processing.iter()))
    if mapping is not None and uses_mapping:
        credit = _mapping_credit(document, mapping, label)
        default = _number(document, mapping, "defaultValue", label, "0")
        if default > 0:
            raise _Refused(document.line(mapping), f"{no_key}: the mapping's defaultValue {default:g} gives credit to "
                                                   "every choice it does not list")
        positive = {identifier: value for identifier, value in credit.items() if value > 0}
        if not positive:
            raise _Refused(document.line(mapping), f"{no_key}: the mapping gives no choice a positive value")
        key_ids = known(list(positive), mapping)
        if cardinality == "single" and len(key_ids) > 1:
            raise _Refused(document.line(mapping), f"{no_key}: the mapping gives credit to several choices "
                                                   f"({', '.join(key_ids)}) of a single response")
        if mapping.get("upperBound") is not None:
            upper = _number(document, mapping, "upperBound", label)
            total = sum(positive.values())
            if upper < total and len(key_ids) > 1:
                raise _Refused(document.line(mapping),
                               f"{no_key}: the mapping's upperBound {upper:g} is reached without choosing every "
                               f"credited choice ({', '.join(key_ids)}), so the correct answer is not one set")
        return key_ids

    if processing is not None and not template and len(processing):
        return _custom_key(document, processing, response_id, cardinality, choice_ids, label, no_key, known)

    if processing is None:
        reason = "there is no correctResponse, no mapping and no responseProcessing"
    elif template:
        reason = f"there is no correctResponse and the responseProcessing template {template!r} gives nothing to derive one from"
    else:
        reason = "there is no correctResponse, no mapping and the responseProcessing is empty"
    raise _Refused(document.line(declaration), f"{no_key}: {reason}")


def _mapping_credit(document: QtiDocument, mapping: Element, label: str) -> dict[str, float]:
    credit: dict[str, float] = {}
    for entry in document.children(mapping, "mapEntry"):
        key = (entry.get("mapKey") or "").strip()
        credit[key] = _number(document, entry, "mappedValue", label)
    return credit


def _custom_key(document: QtiDocument, processing: Element, response_id: str, cardinality: str,
                choice_ids: list[str], label: str, no_key: str,
                known: Callable[[list[str], Element | None], list[str]]) -> list[str]:
    """Reduce custom responseProcessing to a key: branches `match(RESPONSE, constant)` that set SCORE."""
    answers: list[tuple[tuple[str, ...], Element]] = []
    for branch in processing.iter():
        if not (document.named(branch, "responseIf") or document.named(branch, "responseElseIf")):
            continue
        condition = next(iter(branch), None)
        if condition is None or not document.named(condition, "match") or len(condition) != 2:
            continue
        operands = list(condition)
        variable = next((o for o in operands if document.named(o, "variable")
                         and (o.get("identifier") or "").strip() == response_id), None)
        if variable is None:
            continue
        constant = operands[1] if operands[0] is variable else operands[0]
        if not any(document.named(action, "setOutcomeValue") and action.get("identifier") == "SCORE"
                   for action in branch):
            continue
        if document.named(constant, "baseValue"):
            value = _one_line(constant.text)
            if (constant.get("baseType") or "").strip() == "identifier" and " " in value:
                raise _Refused(document.line(constant),
                               f"{no_key}: there is no correctResponse or mapping, and the responseProcessing "
                               f"compares the {cardinality} response {response_id} with the identifier baseValue "
                               f"{value!r}, which is not an identifier (it holds spaces; a multiple response is "
                               "matched against <multiple> with one baseValue per choice), so no answer can score")
            if cardinality == "multiple":
                raise _Refused(document.line(constant),
                               f"{no_key}: the responseProcessing compares the multiple response {response_id} with "
                               f"a single baseValue {value!r}, so no answer can score")
            values = (value,)
        elif document.named(constant, "multiple"):
            values = tuple(_one_line(v.text) for v in constant if document.named(v, "baseValue"))
            if cardinality == "single":
                raise _Refused(document.line(constant), f"{no_key}: the responseProcessing compares the single "
                                                        f"response {response_id} with a <multiple> container")
        else:
            continue
        answers.append((values, constant))
    distinct = {frozenset(values) for values, _ in answers}
    if not answers:
        raise _Refused(document.line(processing),
                       f"{no_key}: there is no correctResponse or mapping, and the custom responseProcessing does not "
                       f"reduce to one answer (no branch matches {response_id} against fixed choices)")
    if len(distinct) > 1:
        lines = ", ".join(str(document.line(constant)) for _, constant in answers)
        raise _Refused(document.line(answers[0][1]),
                       f"{no_key}: the custom responseProcessing scores several different answers (lines {lines})")
    values, constant = answers[0]
    return known(list(values), constant)


def _merit_item(document: QtiDocument, merit: MeritMetadata, identifier: str, label: str,
                choices: list[Element], choice_ids: list[str], key_ids: list[str], cardinality: str,
                body_lang: str, body: Element, stem_text: str, option_texts: list[str]) -> Item:
    """Build the item from the manifest's Merit metadata, after checking it describes this very item file."""

    def mismatch(reason: str, line: int | None = None, path: str | None = None) -> _Refused:
        return _Refused(merit.line if line is None else line,
                        f"the Merit metadata does not match {label}: {reason}", path=path or merit.path)

    if merit.id != document.root.get("identifier"):
        raise mismatch(f"it is for item {merit.id!r}")
    if [option.identifier for option in merit.options] != choice_ids:
        raise mismatch(f"it lists choices ({', '.join(o.identifier for o in merit.options)}), the file has "
                       f"({', '.join(choice_ids)})")
    expected = "multiple" if merit.type is ItemType.MULTIPLE else "single"
    if cardinality != expected:
        raise mismatch(f"a {merit.type.value} item needs cardinality {expected}, the file declares {cardinality}")
    if normalized(body_text(merit.stem, body_lang)) != stem_text:
        raise mismatch("the question text in the item file differs (was it edited outside Merit?)",
                       document.line(body), document.path)
    for option, choice, text in zip(merit.options, choices, option_texts):
        if normalized(body_text(option.text, body_lang)) != text:
            raise mismatch(f"the text of option {option.key!r} ({option.identifier}) in the item file differs "
                           "(was it edited outside Merit?)", document.line(choice), document.path)
    by_id = {option.identifier: option.key for option in merit.options}
    try:
        return Item(
            id=merit.id, version=merit.version, type=merit.type, name=merit.name, topic=merit.topic,
            stem=merit.stem, options=tuple(Option(option.key, option.text) for option in merit.options),
            key=frozenset(by_id[choice_id] for choice_id in key_ids), difficulty=merit.difficulty,
            status=merit.status, enemy_group=merit.enemy_group, law_date=merit.law_date,
            competency=merit.competency, reverse_keyed=merit.reverse_keyed,
            source=Source(document.path, document.line(document.root)))
    except ItemError as exc:
        raise _Refused(merit.line, str(exc), path=merit.path) from exc
