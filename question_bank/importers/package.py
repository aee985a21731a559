"""Import an IMS content package: a zip with imsmanifest.xml whose resources are QTI 2.x items and tests.

Resources of type ``imsqti_item_xmlv2p0/1/2`` are imported as items; resources of type
``imsqti_test_xmlv2p0/1/2`` are read for their ``assessmentItemRef`` hrefs (relative to the test file), and
the referenced item files are imported from the zip. Each item file is imported once, in manifest order, even
when several tests (or a test and an item resource) name it. A Merit metadata block (``<merit:item>``, see
``question_bank.exporters.qti``) in an item resource's ``<metadata>`` supplies the fields QTI has no place for.
Other QTI resource types (QTI 1.x, 3.0) are unsupported; non-QTI resources (images, web content) are ignored:
Merit shows text only, so missing pictures are not looked for.

Zip safety, checked before anything is unpacked: at most MAX_PACKAGE_MEMBERS members (counted from the end
of central directory record before the zip is opened, then again), no absolute or ``..`` member names, no
repeated names, no encrypted members, only stored or deflated members, the declared uncompressed sizes
summing to at most MAX_PACKAGE_BYTES, no member that unpacks more than 100:1 past 1 MB (a zip bomb's
signature). While reading, bytes are counted against the same limits, so a member whose header lies is
stopped too. Problems name ``package.zip!member.xml`` and the line.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from question_bank.importers import common
from question_bank.importers.common import ImportResult, Problem, XmlDocument, local_name, unsupported
from question_bank.importers.qti import (
    MERIT_NS,
    MeritMetadata,
    import_item_document,
    namespace_of,
    parse,
    parse_merit_metadata,
    read_document,
    assessment_item_refs,
)

MANIFEST = "imsmanifest.xml"
CP_NAMESPACES = frozenset({
    "http://www.imsglobal.org/xsd/imscp_v1p1",
    "http://www.imsglobal.org/xsd/imscp_v1p2",
    "http://www.imsglobal.org/xsd/qti/qtiv2p2/imscp_v1p1",
    "",
})
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
MAX_RATIO = 100                 # uncompressed : compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
_CHUNK = 64 * 1024
_ITEM_TYPE = re.compile(r"imsqti_(?:apip)?item_xmlv2p[0-2]")
_TEST_TYPE = re.compile(r"imsqti_(?:apip)?test_xmlv2p[0-2]")


def import_package(path: str, data: bytes, *, skip_unsupported: bool = False) -> ImportResult:
    result = ImportResult()
    if len(data) > common.MAX_FILE_BYTES:
        result.problems.append(Problem(path, None, f"file is larger than {common.MAX_FILE_BYTES // 2**20} MB"))
        return result
    declared = _declared_member_count(data)
    if declared is not None and declared > common.MAX_PACKAGE_MEMBERS:
        result.problems.append(_too_many(path, declared))
        return result
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            UnicodeDecodeError, struct.error) as exc:
        result.problems.append(Problem(path, None, f"not a readable zip file ({exc})"))
        return result
    with archive:
        problems = _unsafe(path, archive.infolist())
        if problems:
            result.problems.extend(problems)
            return result
        _Package(path, archive, result, skip_unsupported).run()
    return result


def _too_many(path: str, count: int) -> Problem:
    return Problem(path, None, f"the package has {count} members; at most {common.MAX_PACKAGE_MEMBERS} are allowed")


def _declared_member_count(data: bytes) -> int | None:
    """The member count of the end of central directory record (zip64 too), before zipfile builds its list."""
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if position < 0 or position + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, position + 10)[0]
    if count == 0xFFFF and position >= 20 and data[position - 20:position - 16] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", data, position - 12)[0]
        if offset + 56 <= len(data) and data[offset:offset + 4] == b"PK\x06\x06":
            count = struct.unpack_from("<Q", data, offset + 32)[0]
    return count


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts
            or "\x00" in name)


def _unsafe(path: str, infos: list[zipfile.ZipInfo]) -> list[Problem]:
    if len(infos) > common.MAX_PACKAGE_MEMBERS:
        return [_too_many(path, len(infos))]
    problems = []
    seen: set[str] = set()
    for info in infos:
        where = f"{path}!{info.filename}"
        if _unsafe_name(info.filename):
            problems.append(Problem(where, None, f"member name {info.filename!r} is absolute or climbs out of the "
                                                 "package with '..'; the package is refused"))
            continue
        if info.filename in seen:
            problems.append(Problem(where, None, f"member name {info.filename!r} appears twice"))
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            problems.append(Problem(where, None, "the member is encrypted; Merit imports unencrypted packages only"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(Problem(where, None, f"the member uses compression method {info.compress_type}; only "
                                                 "stored and deflate are accepted"))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problems.append(Problem(where, None, f"the member unpacks {info.compress_size} bytes to "
                                                 f"{info.file_size} (more than {MAX_RATIO}:1): refused as a "
                                                 "possible zip bomb"))
    total = sum(info.file_size for info in infos)
    if total > common.MAX_PACKAGE_BYTES:
        problems.append(Problem(path, None, f"the members would unpack to {total} bytes; at most "
                                            f"{common.MAX_PACKAGE_BYTES} are allowed"))
    return problems


def _resolve(base: str, href: str) -> str | None:
    """A member path for an href relative to directory `base`; None if it leaves the package."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    target = unquote(parts.path)
    if not target or target.startswith(("/", "\\")) or "\\" in target:
        return None
    joined = posixpath.normpath(posixpath.join(base, target))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


@dataclass
class _Entry:
    member: str
    merit: MeritMetadata | None = None


class _Package:
    def __init__(self, path: str, archive: zipfile.ZipFile, result: ImportResult, skip_unsupported: bool):
        self.path, self.archive, self.result, self.skip = path, archive, result, skip_unsupported
        self.members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        self.unpacked = 0

    def where(self, member: str) -> str:
        return f"{self.path}!{member}"

    def problem(self, member: str, line: int | None, reason: str) -> None:
        self.result.problems.append(Problem(self.where(member), line, reason))

    def read(self, member: str) -> bytes | Problem:
        """A member's bytes, counted against the file and package limits while they are unpacked."""
        info = self.members[member]
        where = self.where(member)
        if info.file_size > common.MAX_FILE_BYTES:
            return Problem(where, None, f"the member unpacks to {info.file_size} bytes; one file may have at most "
                                        f"{common.MAX_FILE_BYTES}")
        chunks, size = [], 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    self.unpacked += len(chunk)
                    if size > info.file_size or size > common.MAX_FILE_BYTES:
                        return Problem(where, None, f"the member unpacks to more than its declared "
                                                    f"{info.file_size} bytes; refused")
                    if self.unpacked > common.MAX_PACKAGE_BYTES:
                        return Problem(self.path, None, f"the package unpacks to more than "
                                                        f"{common.MAX_PACKAGE_BYTES} bytes; refused")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError,
                NotImplementedError) as exc:
            return Problem(where, None, f"the member cannot be unpacked ({exc})")
        return b"".join(chunks)

    def run(self) -> None:
        if MANIFEST not in self.members:
            self.result.problems.append(Problem(self.path, None, f"no {MANIFEST} at the top of the package: not an "
                                                                 "IMS content package"))
            return
        data = self.read(MANIFEST)
        if isinstance(data, Problem):
            self.result.problems.append(data)
            return
        manifest = parse(self.where(MANIFEST), data)
        if isinstance(manifest, Problem):
            self.result.problems.append(manifest)
            return
        entries = self.entries(manifest)
        seen: dict[tuple[str, int], str] = {}
        for entry in entries:
            imported = self.import_item(entry)
            for item in imported.items:
                where = f"{item.source.path}:{item.source.line or 0}" if item.source else "?"
                if (item.id, item.version) in seen:
                    self.result.problems.append(Problem(
                        item.source.path if item.source else self.path, item.source.line if item.source else None,
                        f"item {item.id!r} version {item.version} appears twice in the package "
                        f"(first at {seen[item.id, item.version]})"))
                seen.setdefault((item.id, item.version), where)
            self.result.extend(imported)

    def entries(self, manifest: XmlDocument) -> list[_Entry]:
        """The item files to import, in manifest order, each once."""
        root = manifest.root
        ns, name = namespace_of(root.tag), local_name(root.tag)
        if name != "manifest":
            self.problem(MANIFEST, manifest.line(root), f"the root element is <{name}>, not <manifest>")
            return []
        if ns not in CP_NAMESPACES:
            self.problem(MANIFEST, manifest.line(root), f"unknown namespace {ns!r} on <manifest>: expected IMS "
                                                        "Content Packaging (http://www.imsglobal.org/xsd/imscp_v1p1)")
            return []

        def children(element: Element, child_name: str) -> list[Element]:
            return [c for c in element if isinstance(c.tag, str) and namespace_of(c.tag) == ns
                    and local_name(c.tag) == child_name]

        base = (root.get(XML_BASE) or "").strip()
        order: list[str] = []          # member paths, manifest order
        merit: dict[str, MeritMetadata] = {}
        for resources in children(root, "resources"):
            resources_base = posixpath.join(base, (resources.get(XML_BASE) or "").strip())
            for resource in children(resources, "resource"):
                self.resource(manifest, resource, resources_base, children, order, merit)
        unique = list(dict.fromkeys(order))
        return [_Entry(member, merit.get(member)) for member in unique]

    def resource(self, manifest: XmlDocument, resource: Element, base: str, children, order: list[str],
                 merit: dict[str, MeritMetadata]) -> None:
        line = manifest.line(resource)
        kind = (resource.get("type") or "").strip()
        identifier = resource.get("identifier") or "?"
        is_item, is_test = _ITEM_TYPE.fullmatch(kind), _TEST_TYPE.fullmatch(kind)
        if not (is_item or is_test):
            if kind.startswith("imsqti_"):
                unsupported(self.result, self.where(MANIFEST), line,
                            f"resource {identifier!r} has type {kind!r}: Merit imports QTI 2.0, 2.1 and 2.2 items "
                            "and tests only", self.skip)
            return
        base = posixpath.join(base, (resource.get(XML_BASE) or "").strip())
        files = children(resource, "file")
        href = (resource.get("href") or (files[0].get("href") if files else None) or "").strip()
        if not href:
            self.problem(MANIFEST, line, f"resource {identifier!r} names no file (no href)")
            return
        member = _resolve(base, href)
        if member is None:
            self.problem(MANIFEST, line, f"resource {identifier!r} points to {href!r}, outside the package")
            return
        if member not in self.members:
            self.problem(MANIFEST, line, f"resource {identifier!r} points to {member!r}, which is not in the package")
            return
        if is_item:
            blocks = [element for metadata in children(resource, "metadata") for element in metadata
                      if element.tag == f"{{{MERIT_NS}}}item"]
            if len(blocks) > 1:
                self.problem(MANIFEST, manifest.line(blocks[1]), f"resource {identifier!r} has several Merit "
                                                                 "metadata blocks")
                return
            if blocks:
                parsed = parse_merit_metadata(self.where(MANIFEST), manifest, blocks[0])
                if isinstance(parsed, Problem):
                    self.result.problems.append(parsed)
                    return
                if member in merit:
                    self.problem(MANIFEST, line, f"resource {identifier!r}: {member!r} already has Merit metadata")
                    return
                merit[member] = parsed
            order.append(member)
            return
        self.test(member, order)

    def test(self, member: str, order: list[str]) -> None:
        data = self.read(member)
        if isinstance(data, Problem):
            self.result.problems.append(data)
            return
        document = read_document(self.where(member), data)
        if isinstance(document, Problem):
            self.result.problems.append(document)
            return
        if document.kind != "test":
            self.problem(member, document.line(document.root), "the manifest declares an assessmentTest but the file "
                                                               "holds an assessmentItem")
            return
        directory = posixpath.dirname(member)
        for ref in assessment_item_refs(document, self.result):
            target = _resolve(directory, ref.href)
            if target is None:
                self.problem(member, ref.line, f"assessmentItemRef {ref.identifier!r} points to {ref.href!r}, "
                                               "outside the package")
            elif target not in self.members:
                self.problem(member, ref.line, f"assessmentItemRef {ref.identifier!r} points to {ref.href!r}, "
                                               "which is not in the package")
            else:
                order.append(target)

    def import_item(self, entry: _Entry) -> ImportResult:
        result = ImportResult()
        data = self.read(entry.member)
        if isinstance(data, Problem):
            result.problems.append(data)
            return result
        document = read_document(self.where(entry.member), data)
        if isinstance(document, Problem):
            result.problems.append(document)
            return result
        if document.kind != "item":
            result.problems.append(Problem(self.where(entry.member), document.line(document.root),
                                           "expected an assessmentItem, the file holds an assessmentTest"))
            return result
        return import_item_document(document, skip_unsupported=self.skip, merit=entry.merit)
