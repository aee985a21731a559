"""Import Merit's documented CSV format (also described, with examples, in docs/bank-csv.md).

The file is UTF-8 (a byte-order mark, as Excel writes it, is allowed), comma-separated, with ``"`` quoting as the
``csv`` module writes it (a cell may hold line breaks inside quotes). The first non-empty row is the header; column
names are matched without regard to case or surrounding spaces, in any order.

One row per item per language. Columns:

=============  ========  ==============================================================================
column         required  meaning
=============  ========  ==============================================================================
id             yes       the item's id; rows with the same id are the same item in another language
language       yes       ``kk``, ``ru`` or ``en``; one row per language per item
type           yes       ``single``, ``multiple``, ``true_false`` or ``likert``
act            yes       the topic's act, e.g. ``constitution`` (kept as written)
article        no        the topic's article, e.g. ``art. 33``; empty for none
stem           yes       the question text (plain text, not HTML)
option_a ..    no        the options' texts in this row's language, in order, with no gaps: option_a is
option_f                 key ``a``, and so on (Likert: option_a is scale point ``1``, option_b ``2``, ...);
                         true/false rows leave them empty (the options are Merit's true/false labels)
key            yes       ``b`` (single), ``a;c`` (multiple, separated by ``;``), ``true``/``false``
                         (true/false), empty (Likert)
difficulty     no        the author's facility estimate, 0 to 1; empty for none
status         no        ``draft`` (the default when empty), ``active`` or ``retired``
enemy_group    no        items that give each other away share a group
law_date       no        ``YYYY-MM-DD``: the date of the act's text the item was written against
competency     no        Likert items: the competency measured (required for Likert)
reverse_keyed  no        Likert items: ``true`` if agreement means less of the competency; ``false`` or empty
=============  ========  ==============================================================================

Rows of one item must agree on everything but the texts (stem and options): type, act, article, key, which
option columns are filled, difficulty, status, enemy_group, law_date, competency and reverse_keyed. Texts are
plain text: ``<``, ``&`` and the like are kept as written (never read as HTML); runs of spaces are collapsed and
empty lines dropped. Key letters and keywords are read without regard to case. Items get version 1 and no name.

Every problem names the line where its row starts. Nothing is imported unless the whole file is correct.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from question_bank.importers.common import ImportResult, Problem, plain_text, read_text
from question_bank.importers.moodle_xml import TRUE_FALSE_LABELS
from question_bank.items import LANGUAGES, Item, ItemError, ItemType, Option, Source, Status, Topic

OPTION_COLUMNS = tuple(f"option_{letter}" for letter in "abcdef")
COLUMNS = ("id", "language", "type", "act", "article", "stem", *OPTION_COLUMNS, "key", "difficulty", "status",
           "enemy_group", "law_date", "competency", "reverse_keyed")
REQUIRED = ("id", "language", "type", "act", "stem", "key")
SHARED = ("type", "act", "article", "key", "options", "difficulty", "status", "enemy_group", "law_date",
          "competency", "reverse_keyed")
NOT_UTF8 = "the file is not UTF-8 (save the CSV as UTF-8)"
_LABELS = {"options": "the number of options"}


def text_of(cell: str) -> str:
    """A cell as Merit's plain text: literal characters, spaces collapsed, empty lines dropped."""
    return plain_text(html.escape(cell, quote=False))


@dataclass
class _Row:
    line: int
    id: str
    language: str
    stem: str
    option_texts: list[str]
    shared: dict[str, Any] = field(default_factory=dict)


def import_csv(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    result = ImportResult()
    text = read_text(path, data, result, NOT_UTF8)
    if text is None:
        return result
    rows = _read_rows(path, text, result)
    if rows is None:
        return result
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        groups.setdefault(row.id, []).append(row)
    for item_rows in groups.values():
        item = _merge(path, item_rows, result)
        if item is not None:
            result.items.append(item)
    return result


def _read_rows(path: str, text: str, result: ImportResult) -> list[_Row] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[_Row] = []
    previous_end = 0
    try:
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                if not _check_header(path, line, header, result):
                    return None
                continue
            if len(cells) != len(header):
                result.problems.append(Problem(path, line, f"the row has {len(cells)} cells, the header has "
                                                           f"{len(header)}"))
                continue
            row = _parse_row(path, line, dict(zip(header, cells)), result)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        result.problems.append(Problem(path, reader.line_num, f"malformed CSV ({exc})"))
        return None
    if header is None:
        result.problems.append(Problem(path, 1, "the file is empty: expected a header row "
                                                f"({', '.join(REQUIRED)}, ...)"))
        return None
    return rows


def _check_header(path: str, line: int, header: list[str], result: ImportResult) -> bool:
    ok = True
    seen: set[str] = set()
    for name in header:
        if name in seen:
            result.problems.append(Problem(path, line, f'column "{name}" appears twice'))
            ok = False
        seen.add(name)
        if name not in COLUMNS:
            result.problems.append(Problem(path, line, f'unknown column "{name}" (known: {", ".join(COLUMNS)})'))
            ok = False
    missing = [name for name in REQUIRED if name not in seen]
    if missing:
        result.problems.append(Problem(path, line, f"missing column{'s' if len(missing) > 1 else ''}: "
                                                   f"{', '.join(missing)}"))
        ok = False
    return ok


def _parse_row(path: str, line: int, cells: dict[str, str], result: ImportResult) -> _Row | None:
    problems: list[str] = []

    def cell(name: str) -> str:
        return cells.get(name, "").strip()

    item_id = cell("id")
    prefix = f'item "{item_id}": ' if item_id else ""
    if not item_id:
        problems.append("the id is empty")
    language = cell("language").lower()
    if language not in LANGUAGES:
        problems.append(f'language "{cell("language")}" is not one of {", ".join(LANGUAGES)}')
    raw_type = cell("type").lower()
    item_type = ItemType(raw_type) if raw_type in {t.value for t in ItemType} else None
    if item_type is None:
        problems.append(f'type "{cell("type")}" is not one of {", ".join(t.value for t in ItemType)}')
    act = cell("act")
    if not act:
        problems.append("act is empty")
    stem = text_of(cells.get("stem", ""))
    if not stem:
        problems.append("the stem is empty")

    texts = [text_of(cells.get(column, "")) for column in OPTION_COLUMNS]
    while texts and not texts[-1]:
        texts.pop()
    for column, text in zip(OPTION_COLUMNS, texts):
        if not text:
            problems.append(f"{column} is empty but a later option is not")
    shared: dict[str, Any] = {"type": item_type, "act": act, "article": cell("article") or None,
                              "options": len(texts)}
    shared["key"] = _key(item_type, cell("key"), len(texts), problems)
    shared["difficulty"] = _difficulty(cell("difficulty"), problems)
    raw_status = cell("status").lower() or Status.DRAFT.value
    shared["status"] = Status(raw_status) if raw_status in {s.value for s in Status} else None
    if shared["status"] is None:
        problems.append(f'status "{cell("status")}" is not one of {", ".join(s.value for s in Status)}')
    shared["enemy_group"] = cell("enemy_group") or None
    shared["law_date"] = _law_date(cell("law_date"), problems)
    shared["competency"] = cell("competency") or None
    raw_reverse = cell("reverse_keyed").lower()
    if raw_reverse not in ("", "true", "false"):
        problems.append(f'reverse_keyed "{cell("reverse_keyed")}" must be true, false or empty')
    shared["reverse_keyed"] = raw_reverse == "true"
    if problems:
        result.problems.extend(Problem(path, line, prefix + problem) for problem in problems)
        return None
    return _Row(line, item_id, language, stem, texts, shared)


def _key(item_type: ItemType | None, raw: str, option_count: int, problems: list[str]) -> frozenset[str] | None:
    if item_type is None:
        return None
    value = raw.lower()
    letters = "abcdef"[:option_count]
    if item_type is ItemType.TRUE_FALSE:
        if option_count:
            problems.append("a true_false row leaves option_a .. option_f empty")
        if value not in ("true", "false"):
            problems.append(f'the key of a true_false item is "true" or "false", not "{raw}"')
            return None
        return frozenset({value})
    if item_type is ItemType.LIKERT:
        if value:
            problems.append(f'a likert item has no key, found "{raw}"')
            return None
        return frozenset()
    parts = [part.strip() for part in value.split(";")] if value else []
    if item_type is ItemType.SINGLE and len(parts) != 1:
        problems.append(f'the key of a single item is one option letter, not "{raw}"')
        return None
    if item_type is ItemType.MULTIPLE and not parts:
        problems.append("the key of a multiple item names the correct options, e.g. a;c")
        return None
    if len(set(parts)) != len(parts):
        problems.append(f'key "{raw}" names an option twice')
        return None
    missing = [part for part in parts if part not in letters]
    if missing:
        problems.append(f'key "{raw}" names {", ".join(missing)}, which '
                        f"{'is' if len(missing) == 1 else 'are'} not a filled option column")
        return None
    return frozenset(parts)


def _difficulty(raw: str, problems: list[str]) -> float | None:
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        problems.append(f'difficulty "{raw}" is not a number from 0 to 1')
        return None
    return value


def _law_date(raw: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f'law_date "{raw}" is not a date YYYY-MM-DD')
        return None


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "empty"
    if name == "key":
        return '"' + ";".join(sorted(value)) + '"'
    if name == "options":
        return str(value)
    if isinstance(value, (ItemType, Status)):
        return f'"{value.value}"'
    if isinstance(value, bool):
        return f'"{str(value).lower()}"'
    return f'"{value}"'


def _merge(path: str, rows: list[_Row], result: ImportResult) -> Item | None:
    first = rows[0]
    ok = True
    languages: dict[str, int] = {}
    for row in rows:
        if row.language in languages:
            result.problems.append(Problem(path, row.line, f'item "{row.id}": a second {row.language} row '
                                                           f"(first at line {languages[row.language]})"))
            ok = False
            continue
        languages[row.language] = row.line
        if row is first:
            continue
        for name in SHARED:
            if row.shared[name] != first.shared[name]:
                label = _LABELS.get(name, name)
                result.problems.append(Problem(
                    path, row.line, f'item "{row.id}": {label} is {_shown(name, row.shared[name])} here but '
                                    f"{_shown(name, first.shared[name])} on line {first.line}"))
                ok = False
    if not ok:
        return None
    shared = first.shared
    item_type: ItemType = shared["type"]
    stem = {row.language: row.stem for row in rows}
    if item_type is ItemType.TRUE_FALSE:
        options = tuple(Option(key, {row.language: TRUE_FALSE_LABELS[key][row.language] for row in rows})
                        for key in ("true", "false"))
    else:
        keys = ([str(n) for n in range(1, shared["options"] + 1)] if item_type is ItemType.LIKERT
                else list("abcdef"[:shared["options"]]))
        options = tuple(Option(key, {row.language: row.option_texts[index] for row in rows})
                        for index, key in enumerate(keys))
    try:
        return Item(
            id=first.id, type=item_type, stem=stem, options=options, key=shared["key"],
            topic=Topic(shared["act"], shared["article"]), difficulty=shared["difficulty"], status=shared["status"],
            enemy_group=shared["enemy_group"], law_date=shared["law_date"], competency=shared["competency"],
            reverse_keyed=shared["reverse_keyed"], source=Source(path, first.line),
        )
    except ItemError as exc:
        result.problems.append(Problem(path, first.line, str(exc)))
        return None
