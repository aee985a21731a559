"""What every importer shares: problems reported as `path:line: reason`, all-or-nothing results, safe XML."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field

from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from question_bank.items import Item

MAX_FILE_BYTES = 20 * 1024 * 1024       # one uploaded file
MAX_PACKAGE_BYTES = 100 * 1024 * 1024   # the sum of a zip's members once unpacked
MAX_PACKAGE_MEMBERS = 5_000


@dataclass(frozen=True)
class Problem:
    """Why something cannot be imported, where."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line if self.line is not None else 0}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    """An item of a type we do not support, left out because the caller asked to skip such items."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line if self.line is not None else 0}: skipped: {self.reason}"


@dataclass
class ImportResult:
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def extend(self, other: ImportResult) -> None:
        self.items.extend(other.items)
        self.problems.extend(other.problems)
        self.skipped.extend(other.skipped)


def read_text(path: str, data: bytes, result: ImportResult, not_utf8: str) -> str | None:
    """A text file's content (size-capped, UTF-8, BOM dropped), or None with the problem recorded."""
    if len(data) > MAX_FILE_BYTES:
        result.problems.append(Problem(path, None, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        result.problems.append(Problem(path, data[:exc.start].count(b"\n") + 1, not_utf8))
        return None
    return text.removeprefix("\ufeff")


class XmlDocument:
    """A parsed XML file that remembers the line each element starts on."""

    def __init__(self, root: Element, lines: dict[int, int]):
        self.root = root
        self._lines = lines

    def line(self, element: Element) -> int | None:
        return self._lines.get(id(element))


def parse_xml(path: str, data: bytes) -> XmlDocument | Problem:
    """Parse safely: no DTD entities, no external references, a size cap. Returns a Problem on failure."""
    if len(data) > MAX_FILE_BYTES:
        return Problem(path, None, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    lines: dict[int, int] = {}

    class LineBuilder(TreeBuilder):
        def start(self, tag, attrs):
            element = super().start(tag, attrs)
            lines[id(element)] = parser.parser.CurrentLineNumber
            return element

    parser = DefusedXMLParser(target=LineBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        return Problem(path, exc.position[0], f"not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc})")
    except DefusedXmlException as exc:
        return Problem(path, None, f"unsafe XML refused ({type(exc).__name__}: entities and external references are not allowed)")
    except (LookupError, ValueError) as exc:  # an unknown or unusable encoding declaration
        return Problem(path, 1, f"the XML declaration names an encoding that cannot be read ({exc})")
    return XmlDocument(root, lines)


def local_name(tag: str) -> str:
    """'{namespace}choiceInteraction' -> 'choiceInteraction'."""
    return tag.rsplit("}", 1)[-1]


_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def guess_language(text: str) -> str:
    """kk if it has Kazakh-only letters, ru if Cyrillic, otherwise en."""
    if any(ch in _KAZAKH_LETTERS for ch in text):
        return "kk"
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        return "ru"
    return "en"


class UnsupportedItem(Exception):
    """An item type Merit does not deliver (essay, matching, hotspot, ...)."""


def unsupported(result: ImportResult, path: str, line: int | None, reason: str, skip_unsupported: bool) -> None:
    """Unsupported types are an error unless the caller asked to skip them."""
    if skip_unsupported:
        result.skipped.append(Skipped(path, line, reason))
    else:
        result.problems.append(Problem(path, line, f"{reason} (use --skip-unsupported to import the rest)"))


_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


def plain_text(markup: str | None) -> str:
    """Question text as plain text: tags dropped, entities decoded, spaces collapsed.

    Merit shows text, never imported HTML, so nothing from a file can run in a candidate's browser.
    """
    if not markup:
        return ""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", markup)
    text = html.unescape(_TAGS.sub("", text))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def stable_id(prefix: str, *parts: str) -> str:
    """An id for an imported item without one: the same file content gives the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
    return f"{prefix}-{digest}"
