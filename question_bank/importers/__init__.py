"""Import items from the tools authors already use. All-or-nothing: the caller stores items only if
`result.ok`; every problem is reported as `path:line: reason`.

Formats: Moodle XML, GIFT, QTI 2.1/2.2 items and assessmentTests, IMS content packages (zip with
imsmanifest.xml), Merit's documented CSV, and Merit's native JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from question_bank.importers.common import MAX_FILE_BYTES, ImportResult, Problem
from question_bank.items import ItemError, item_from_dict


def detect_format(path: str, data: bytes) -> str | None:
    lowered = path.lower()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] == b"PK\x03\x04":
        return "package"
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".gift", ".gift.txt")) or (lowered.endswith(".txt") and not head.startswith(b"<")):
        return "gift"
    if head.startswith(b"<"):
        if b"<quiz" in head:
            return "moodle-xml"
        if b"imsqti" in head or b"assessmentItem" in head or b"assessmentTest" in head:
            return "qti"
        return "moodle-xml" if lowered.endswith(".xml") and b"<question" in head else None
    return None


def import_native_json(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    result = ImportResult()
    try:
        records = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.problems.append(Problem(path, getattr(exc, "lineno", None), f"not valid UTF-8 JSON ({exc})"))
        return result
    for index, record in enumerate(records if isinstance(records, list) else [records]):
        try:
            result.items.append(item_from_dict(record))
        except ItemError as exc:
            result.problems.append(Problem(path, None, f"item #{index + 1}: {exc}"))
    return result


def import_file(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    """Import one file of any supported format."""
    if len(data) > MAX_FILE_BYTES:
        return ImportResult(problems=[Problem(path, None, f"file is larger than {MAX_FILE_BYTES // 2**20} MB")])
    kind = detect_format(path, data)
    if kind is None:
        return ImportResult(problems=[Problem(path, 1, "unknown format: expected Moodle XML, GIFT, QTI, an IMS "
                                                       "content package (.zip), CSV or JSON")])
    from question_bank.importers import csv_format, gift, moodle_xml, package, qti

    importer = {
        "moodle-xml": moodle_xml.import_moodle_xml, "gift": gift.import_gift, "qti": qti.import_qti,
        "package": package.import_package, "csv": csv_format.import_csv, "json": import_native_json,
    }[kind]
    return importer(path, data, skip_unsupported=skip_unsupported)


def import_files(files: Iterable[tuple[str, bytes]], *, skip_unsupported: bool = False) -> ImportResult:
    """Import several files as one batch; ids must be unique across the batch."""
    result = ImportResult()
    for path, data in files:
        result.extend(import_file(path, data, skip_unsupported=skip_unsupported))
    seen: dict[str, str] = {}
    for item in result.items:
        where = f"{item.source.path}:{item.source.line or 0}" if item.source else "?"
        if item.id in seen:
            result.problems.append(Problem(item.source.path if item.source else "?",
                                           item.source.line if item.source else None,
                                           f"item id {item.id!r} repeats (first at {seen[item.id]})"))
        seen.setdefault(item.id, where)
    return result
