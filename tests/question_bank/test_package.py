"""IMS content packages: manifest and test resolution, zip safety, and the QTI exporter's round trip."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.exporters.qti import export_qti_package
from question_bank.importers import common, import_file
from question_bank.importers.common import Skipped
from question_bank.importers.package import import_package
from question_bank.importers.qti import import_qti
from question_bank.items import LANGUAGES, Item, ItemType, Option, Status, Topic, item_to_dict

V2P1 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
HINT = " (use --skip-unsupported to import the rest)"


def make_zip(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def manifest(resources: str, ns: str = "http://www.imsglobal.org/xsd/imscp_v1p1") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{ns}" identifier="M">\n<resources>\n'
            f"{resources}\n</resources>\n</manifest>\n")


def item_file(identifier: str, stem: str = "Which?", correct: str = "A") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem xmlns="{V2P1}" identifier="{identifier}" '
            f'title="T {identifier}">\n<responseDeclaration identifier="R" cardinality="single" baseType="identifier">'
            f"<correctResponse><value>{correct}</value></correctResponse></responseDeclaration>\n<itemBody>\n"
            f'<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>{stem}</prompt>'
            '<simpleChoice identifier="A">Yes</simpleChoice><simpleChoice identifier="B">No</simpleChoice>'
            "</choiceInteraction>\n</itemBody>\n</assessmentItem>\n")


def assessment_test(*hrefs: str) -> str:
    refs = "\n".join(f'<assessmentItemRef identifier="r{n}" href="{href}"/>' for n, href in enumerate(hrefs))
    return (f'<?xml version="1.0"?>\n<assessmentTest xmlns="{V2P1}" identifier="t" title="T">\n'
            '<testPart identifier="p" navigationMode="linear" submissionMode="individual">\n'
            f'<assessmentSection identifier="s" title="S" visible="true">\n{refs}\n</assessmentSection>\n'
            "</testPart>\n</assessmentTest>\n")


def item_resource(href: str, ident: str = "R1", kind: str = "imsqti_item_xmlv2p1") -> str:
    return f'<resource identifier="{ident}" type="{kind}" href="{href}"><file href="{href}"/></resource>'


def reasons(result) -> list[tuple[str, int | None, str]]:
    return [(p.path, p.line, p.reason) for p in result.problems]


# Manifest and tests


def test_item_resources_import_in_manifest_order():
    data = make_zip({"imsmanifest.xml": manifest(item_resource("items/b.xml", "R1") + "\n"
                                                 + item_resource("items/a.xml", "R2")),
                     "items/a.xml": item_file("a"), "items/b.xml": item_file("b", correct="B")})
    result = import_package("p.zip", data)
    assert result.ok and result.skipped == []
    assert [(i.id, set(i.key), i.source.path, i.source.line) for i in result.items] == [
        ("b", {"b"}, "p.zip!items/b.xml", 2), ("a", {"a"}, "p.zip!items/a.xml", 2)]
    assert import_file("p.zip", data).items == result.items  # the dispatcher recognises the zip


def test_test_resource_resolves_refs_relative_to_the_test_and_imports_each_file_once():
    data = make_zip({
        "imsmanifest.xml": manifest('<resource identifier="T" type="imsqti_test_xmlv2p2" href="tests/t.xml"/>\n'
                                    + item_resource("items/i%201.xml")
                                    + '\n<resource identifier="W" type="webcontent" href="missing.html"/>'),
        "tests/t.xml": assessment_test("../items/i 2.xml", "../items/i%201.xml", "../items/i 2.xml"),
        "items/i 1.xml": item_file("one"), "items/i 2.xml": item_file("two")})
    result = import_package("p.zip", data)
    assert result.ok
    assert [i.id for i in result.items] == ["two", "one"]


def test_dangling_and_escaping_references_are_problems_with_lines():
    data = make_zip({
        "imsmanifest.xml": manifest('<resource identifier="T" type="imsqti_test_xmlv2p1" href="t.xml"/>\n'
                                    + item_resource("gone.xml", "R2") + "\n" + item_resource("../up.xml", "R3")
                                    + '\n<resource identifier="R4" type="imsqti_item_xmlv2p1"/>'),
        "t.xml": assessment_test("nothere.xml", "../../etc/passwd", "http://example.com/i.xml", "ok.xml"),
        "ok.xml": item_file("ok")})
    result = import_package("p.zip", data)
    assert reasons(result) == [
        ("p.zip!t.xml", 5, "assessmentItemRef 'r0' points to 'nothere.xml', which is not in the package"),
        ("p.zip!t.xml", 6, "assessmentItemRef 'r1' points to '../../etc/passwd', outside the package"),
        ("p.zip!t.xml", 7, "assessmentItemRef 'r2' points to 'http://example.com/i.xml', outside the package"),
        ("p.zip!imsmanifest.xml", 5, "resource 'R2' points to 'gone.xml', which is not in the package"),
        ("p.zip!imsmanifest.xml", 6, "resource 'R3' points to '../up.xml', outside the package"),
        ("p.zip!imsmanifest.xml", 7, "resource 'R4' names no file (no href)"),
    ]
    assert [i.id for i in result.items] == ["ok"]


def test_item_problems_are_named_by_zip_member_and_line():
    broken = item_file("x").replace("<itemBody>", "<itemBody><p>")
    data = make_zip({"imsmanifest.xml": manifest(item_resource("x.xml")), "x.xml": broken})
    result = import_package("p.zip", data)
    assert [str(p) for p in result.problems] == [
        "p.zip!x.xml:6: not well-formed XML (mismatched tag: line 6, column 2)"]


def test_unsupported_resources_and_items_follow_skip_unsupported():
    order = item_file("o").replace('<choiceInteraction responseIdentifier="R" maxChoices="1">',
                                   '<orderInteraction responseIdentifier="R">').replace(
        "</choiceInteraction>", "</orderInteraction>")
    data = make_zip({"imsmanifest.xml": manifest(item_resource("q12.xml", "Q1", "imsqti_xmlv1p2") + "\n"
                                                 + item_resource("o.xml", "O") + "\n" + item_resource("ok.xml", "K")),
                     "q12.xml": "<questestinterop/>", "o.xml": order, "ok.xml": item_file("ok")})
    q12 = "resource 'Q1' has type 'imsqti_xmlv1p2': Merit imports QTI 2.0, 2.1 and 2.2 items and tests only"
    o = "item 'o' titled 'T o': orderInteraction is not supported (Merit imports choiceInteraction items)"
    refused = import_package("p.zip", data)
    assert reasons(refused) == [("p.zip!imsmanifest.xml", 4, q12 + HINT), ("p.zip!o.xml", 5, o + HINT)]
    skipped = import_package("p.zip", data, skip_unsupported=True)
    assert skipped.problems == [] and [i.id for i in skipped.items] == ["ok"]
    assert skipped.skipped == [Skipped("p.zip!imsmanifest.xml", 4, q12), Skipped("p.zip!o.xml", 5, o)]


def test_manifest_problems():
    def only(members):
        return reasons(import_package("p.zip", make_zip(members)))

    assert only({"x.xml": item_file("x")}) == [
        ("p.zip", None, "no imsmanifest.xml at the top of the package: not an IMS content package")]
    assert only({"imsmanifest.xml": "<manifest>\n<resources>\n</manifest>"}) == [
        ("p.zip!imsmanifest.xml", 3, "not well-formed XML (mismatched tag: line 3, column 2)")]
    assert only({"imsmanifest.xml": "<package/>"}) == [
        ("p.zip!imsmanifest.xml", 1, "the root element is <package>, not <manifest>")]
    assert only({"imsmanifest.xml": manifest("", ns="urn:other")}) == [
        ("p.zip!imsmanifest.xml", 2, "unknown namespace 'urn:other' on <manifest>: expected IMS Content Packaging "
                                     "(http://www.imsglobal.org/xsd/imscp_v1p1)")]
    assert only({"imsmanifest.xml": '<?xml version="1.0" encoding="UT8"?><manifest/>'}) == [
        ("p.zip!imsmanifest.xml", 1, "the XML declaration names an encoding that cannot be read (unknown encoding: UT8)")]
    assert only({"imsmanifest.xml": manifest(item_resource("t.xml")), "t.xml": assessment_test()}) == [
        ("p.zip!t.xml", 2, "expected an assessmentItem, the file holds an assessmentTest")]
    assert only({"imsmanifest.xml": manifest('<resource identifier="T" type="imsqti_test_xmlv2p1" href="i.xml"/>'),
                 "i.xml": item_file("i")}) == [
        ("p.zip!i.xml", 2, "the manifest declares an assessmentTest but the file holds an assessmentItem")]
    assert only({"imsmanifest.xml": manifest(item_resource("a.xml", "R1") + item_resource("b.xml", "R2")),
                 "a.xml": item_file("same"), "b.xml": item_file("same")}) == [
        ("p.zip!b.xml", 2, "item 'same' version 1 appears twice in the package (first at p.zip!a.xml:2)")]


def test_empty_package_imports_nothing():
    result = import_package("p.zip", make_zip({"imsmanifest.xml": manifest("")}))
    assert (result.items, result.problems, result.skipped) == ([], [], [])


# Zip safety


def test_not_a_zip():
    assert reasons(import_package("p.zip", b"PK\x03\x04 not really")) == [
        ("p.zip", None, "not a readable zip file (File is not a zip file)")]


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/cron.d/evil", "a/../../evil.xml", "..\\evil.xml",
                                  "C:/Windows/evil.xml", "ok/../sneaky.xml"])
def test_zip_slip_members_refuse_the_package(name):
    data = make_zip({"imsmanifest.xml": manifest(item_resource("a.xml")), "a.xml": item_file("a"), name: "x"})
    result = import_package("p.zip", data)
    assert result.items == []
    assert reasons(result) == [(f"p.zip!{name}", None, f"member name {name!r} is absolute or climbs out of the "
                                                       "package with '..'; the package is refused")]


def test_too_many_members(monkeypatch):
    members = {f"m{n}.txt": "" for n in range(common.MAX_PACKAGE_MEMBERS + 1)}
    data = make_zip(members, zipfile.ZIP_STORED)
    limit = common.MAX_PACKAGE_MEMBERS
    too_many = [("p.zip", None, f"the package has {limit + 1} members; at most {limit} are allowed")]
    assert reasons(import_package("p.zip", data)) == too_many
    # an end-of-central-directory record that understates the count is caught once zipfile has read the list
    end = data.rfind(b"PK\x05\x06")
    lying = data[:end + 8] + struct.pack("<HH", 1, 1) + data[end + 12:]
    assert reasons(import_package("p.zip", lying)) == too_many


def test_total_size_over_the_limit(monkeypatch):
    monkeypatch.setattr(common, "MAX_PACKAGE_BYTES", 10_000)
    data = make_zip({"imsmanifest.xml": manifest(item_resource("a.xml")), "a.xml": item_file("a"),
                     "media/big.bin": bytes(range(256)) * 40}, zipfile.ZIP_STORED)
    total = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert total > 10_000
    assert reasons(import_package("p.zip", data)) == [
        ("p.zip", None, f"the members would unpack to {total} bytes; at most 10000 are allowed")]


def _patch_sizes(data: bytes, name: bytes, file_size: int) -> bytes:
    """Rewrite a member's uncompressed size in its local and central headers (a lying zip)."""
    blob = bytearray(data)
    local = blob.find(b"PK\x03\x04" + b"\x14\x00")
    while local >= 0:
        name_len = struct.unpack_from("<H", blob, local + 26)[0]
        if blob[local + 30:local + 30 + name_len] == name:
            struct.pack_into("<L", blob, local + 22, file_size)
        local = blob.find(b"PK\x03\x04", local + 4)
    central = blob.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", blob, central + 28)[0]
        if blob[central + 46:central + 46 + name_len] == name:
            struct.pack_into("<L", blob, central + 24, file_size)
        central = blob.find(b"PK\x01\x02", central + 4)
    return bytes(blob)


def test_declared_size_over_the_real_limit_is_refused_before_reading():
    data = make_zip({"imsmanifest.xml": manifest(item_resource("a.xml")), "a.xml": item_file("a")})
    huge = _patch_sizes(data, b"a.xml", common.MAX_PACKAGE_BYTES + 1)
    infos = zipfile.ZipFile(io.BytesIO(huge)).infolist()
    total = sum(info.file_size for info in infos)
    assert total > common.MAX_PACKAGE_BYTES
    packed = infos[1].compress_size
    assert reasons(import_package("p.zip", huge)) == [
        ("p.zip!a.xml", None, f"the member unpacks {packed} bytes to {common.MAX_PACKAGE_BYTES + 1} (more than 100:1): "
                              "refused as a possible zip bomb"),
        ("p.zip", None, f"the members would unpack to {total} bytes; at most {common.MAX_PACKAGE_BYTES} are allowed")]


def test_bomb_like_compression_ratio():
    zeros = b"\0" * (2 * 1024 * 1024)
    data = make_zip({"imsmanifest.xml": manifest(item_resource("a.xml")), "a.xml": item_file("a"), "pad.bin": zeros})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("pad.bin")
    assert info.compress_size * 100 < info.file_size
    assert reasons(import_package("p.zip", data)) == [
        ("p.zip!pad.bin", None, f"the member unpacks {info.compress_size} bytes to {info.file_size} (more than "
                                "100:1): refused as a possible zip bomb")]


def test_member_whose_header_understates_its_size_is_stopped():
    data = make_zip({"imsmanifest.xml": manifest(item_resource("a.xml")), "a.xml": item_file("a")})
    lying = _patch_sizes(data, b"a.xml", 100)
    assert reasons(import_package("p.zip", lying)) == [
        ("p.zip!a.xml", None, "the member cannot be unpacked (Bad CRC-32 for file 'a.xml')")]


def test_member_larger_than_one_file_may_be(monkeypatch):
    padding = "<!-- " + bytes(range(256)).hex() * 20 + " -->"  # 10 kB that deflate only halves
    data = make_zip({"imsmanifest.xml": manifest(item_resource("a.xml")) + padding, "a.xml": item_file("a")})
    size = zipfile.ZipFile(io.BytesIO(data)).getinfo("imsmanifest.xml").file_size
    assert len(data) < size - 1000
    monkeypatch.setattr(common, "MAX_FILE_BYTES", size - 1000)
    assert reasons(import_package("p.zip", data)) == [
        ("p.zip!imsmanifest.xml", None, f"the member unpacks to {size} bytes; one file may have at most {size - 1000}")]


def test_encrypted_member_is_refused():
    data = bytearray(make_zip({"imsmanifest.xml": manifest(""), "secret.xml": "x"}))
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)  # second entry: secret.xml
    data[central + 8] |= 0x1
    assert reasons(import_package("p.zip", bytes(data))) == [
        ("p.zip!secret.xml", None, "the member is encrypted; Merit imports unencrypted packages only")]


def test_other_compression_methods_and_repeated_names_are_refused():
    data = make_zip({"imsmanifest.xml": manifest("")}, zipfile.ZIP_BZIP2)
    assert reasons(import_package("p.zip", data)) == [
        ("p.zip!imsmanifest.xml", None, "the member uses compression method 12; only stored and deflate are accepted")]
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("imsmanifest.xml", manifest(""))
        archive.writestr("imsmanifest.xml", manifest(item_resource("evil.xml")))
    assert reasons(import_package("p.zip", buffer.getvalue())) == [
        ("p.zip!imsmanifest.xml", None, "member name 'imsmanifest.xml' appears twice")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_packages_never_raise(data):
    blob = bytearray(export_qti_package([SAMPLE_ITEMS[0], SAMPLE_ITEMS[1]]))
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(blob) - 1))
        blob[start:start + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    result = import_package("m.zip", bytes(blob))
    assert all(p.path.startswith("m.zip") for p in result.problems)


# Export and round trip

SAMPLE_ITEMS = [
    Item("const-033", ItemType.SINGLE,
         {"kk": "Қазақстан Республикасының  Конституциясы <33-бап> & \"сайлау\" 'құқығы'\nекінші жол",
          "ru": "Статья 33 Конституции:\r\nправо & <обязанность>"},
         (Option("a", {"kk": "Иә", "ru": "Да"}), Option("b", {"kk": "Жоқ", "ru": "Нет"}),
          Option("c", {"kk": "Белгісіз", "ru": "Неизвестно"})),
         frozenset({"a"}), Topic("constitution", "art. 33"), version=3, difficulty=0.62, status=Status.ACTIVE,
         enemy_group="const-33-group", law_date=date(2023, 6, 8), name="Сайлау құқығы\tv3"),
    Item("integrity-07", ItemType.LIKERT, {"ru": "Я соблюдаю правила, даже когда никто не видит"},
         tuple(Option(str(n), {"ru": text}) for n, text in enumerate(
             ["Совсем нет", "Скорее нет", "Не знаю", "Скорее да", "Полностью"], start=1)),
         frozenset(), Topic("competency"), competency="integrity", reverse_keyed=True),
    Item("tf-1", ItemType.TRUE_FALSE, {"en": "The Akimat is elected."},
         (Option("true", {"en": "True"}), Option("false", {"en": "False"})), frozenset({"false"}),
         Topic("civil-service", "art. 1"), status=Status.RETIRED),
    Item("multi 1/x", ItemType.MULTIPLE, {"en": "Pick two", "ru": "Выберите два"},
         (Option("a", {"en": "one", "ru": "один"}), Option("b", {"ru": "только по-русски"}),
          Option("c", {"en": "three"}), Option("d", {"en": "four", "ru": "четыре"})),
         frozenset({"a", "d"}), Topic("anti-corruption"), name=""),
]


def comparable(item: Item) -> dict:
    data = item_to_dict(item)
    del data["source"]
    return data


def test_round_trip_of_sample_items():
    data = export_qti_package(SAMPLE_ITEMS)
    result = import_package("export.zip", data)
    assert result.ok and result.skipped == []
    assert [comparable(i) for i in result.items] == [comparable(i) for i in SAMPLE_ITEMS]
    assert [i.source.path for i in result.items] == [
        "export.zip!items/const-033-v3.xml", "export.zip!items/integrity-07-v1.xml", "export.zip!items/tf-1-v1.xml",
        "export.zip!items/multi_1_x-v1.xml"]
    assert export_qti_package(SAMPLE_ITEMS) == data  # deterministic


def test_versions_of_one_item_are_separate_files():
    first = SAMPLE_ITEMS[2]
    second = first.next_version(stem={"en": "The Akimat is appointed."}, key=frozenset({"true"}))
    data = export_qti_package([first, second])
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == [
        "imsmanifest.xml", "items/tf-1-v1.xml", "items/tf-1-v2.xml"]
    assert [comparable(i) for i in import_package("e.zip", data).items] == [comparable(first), comparable(second)]
    with pytest.raises(ValueError, match="item 'tf-1' version 1 is given twice"):
        export_qti_package([first, first])


def test_text_xml_cannot_carry_is_refused_by_the_exporter():
    bad = Item("x", ItemType.SINGLE, {"en": "bell\x07"}, (Option("a", {"en": "1"}), Option("b", {"en": "2"})),
               frozenset({"a"}), Topic("ethics"))
    with pytest.raises(ValueError, match=r"item 'x': text contains U\+0007, which XML cannot carry"):
        export_qti_package([bad])


def test_an_exported_item_file_is_plain_qti_on_its_own():
    archive = zipfile.ZipFile(io.BytesIO(export_qti_package(SAMPLE_ITEMS)))
    single = import_qti("const.xml", archive.read("items/const-033-v3.xml"))
    item = single.items[0]
    assert single.ok and (item.id, item.name, item.type, set(item.key)) == (
        "const-033", "Сайлау құқығы\tv3", ItemType.SINGLE, {"a"})
    assert dict(item.stem) == {"kk": "Қазақстан Республикасының Конституциясы <33-бап> & \"сайлау\" 'құқығы'\n"
                                     "екінші жол"}
    assert [dict(o.text) for o in item.options] == [{"kk": "Иә"}, {"kk": "Жоқ"}, {"kk": "Белгісіз"}]
    assert (item.version, item.topic, item.status) == (1, Topic("uncategorized"), Status.DRAFT)
    likert = import_qti("l.xml", archive.read("items/integrity-07-v1.xml"))
    assert [(p.line, p.reason) for p in likert.problems] == [
        (5, "no usable answer key for item 'integrity-07' titled 'integrity-07': there is no correctResponse, no "
            "mapping and no responseProcessing")]


def _rezip(data: bytes, name: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    return make_zip({info.filename: change(source.read(info.filename).decode()) if info.filename == name
                     else source.read(info.filename) for info in source.infolist()})


def test_an_item_edited_outside_merit_no_longer_matches_its_metadata():
    data = export_qti_package(SAMPLE_ITEMS[2:3])
    edited = _rezip(data, "items/tf-1-v1.xml", lambda text: text.replace("The Akimat is elected.", "Edited."))
    assert reasons(import_package("e.zip", edited)) == [
        ("e.zip!items/tf-1-v1.xml", 11, "the Merit metadata does not match item 'tf-1' titled 'tf-1': the question "
                                        "text in the item file differs (was it edited outside Merit?)")]
    option = _rezip(data, "items/tf-1-v1.xml", lambda text: text.replace(">False<", ">Nope<"))
    assert reasons(import_package("e.zip", option)) == [
        ("e.zip!items/tf-1-v1.xml", 15, "the Merit metadata does not match item 'tf-1' titled 'tf-1': the text of "
                                        "option 'false' (false) in the item file differs (was it edited outside "
                                        "Merit?)")]
    renamed = _rezip(data, "imsmanifest.xml", lambda text: text.replace('id="tf-1"', 'id="tf-2"'))
    assert reasons(import_package("e.zip", renamed)) == [
        ("e.zip!imsmanifest.xml", 11, "the Merit metadata does not match item 'tf-1' titled 'tf-1': it is for item "
                                      "'tf-2'")]
    multiple = _rezip(data, "imsmanifest.xml", lambda text: text.replace('type="true_false"', 'type="multiple"'))
    assert reasons(import_package("e.zip", multiple)) == [
        ("e.zip!imsmanifest.xml", 11, "the Merit metadata does not match item 'tf-1' titled 'tf-1': a multiple item "
                                      "needs cardinality multiple, the file declares single")]
    choices = _rezip(data, "imsmanifest.xml", lambda text: text.replace('identifier="false"', 'identifier="no"'))
    assert reasons(import_package("e.zip", choices))[0][2].endswith(
        "it lists choices (true, no), the file has (true, false)")


@pytest.mark.parametrize(("old", "new", "reason"), [
    ('version="1"', 'version="one"', "Merit metadata: version 'one' is not a whole number"),
    ('type="true_false"', 'type="essay"', "Merit metadata: type 'essay' is not one of single, multiple, true_false, "
                                          "likert"),
    ('status="retired"', 'status="gone"', "Merit metadata: status 'gone' is not one of draft, active, retired"),
    ('format="1"', 'format="2"', "Merit metadata: format '2' is not supported (expected '1')"),
    ('format="1"', 'format="1" colour="red"', "Merit metadata: unknown attribute 'colour'"),
    ('format="1"', 'format="1" difficulty="hard"', "Merit metadata: difficulty 'hard' is not a number"),
    ('format="1"', 'format="1" difficulty="1.5"', "item 'tf-1': difficulty (facility) must lie between 0 and 1"),
    ('format="1"', 'format="1" law-date="2024-13-01"', "Merit metadata: law-date '2024-13-01' is not a date "
                                                       "(YYYY-MM-DD)"),
    ('format="1"', 'format="1" reverse-keyed="yes"', "Merit metadata: reverse-keyed 'yes' must be 'true' or 'false'"),
])
def test_broken_merit_metadata_is_a_problem_at_its_line(old, new, reason):
    data = _rezip(export_qti_package(SAMPLE_ITEMS[2:3]), "imsmanifest.xml", lambda text: text.replace(old, new))
    assert reasons(import_package("e.zip", data)) == [("e.zip!imsmanifest.xml", 11, reason)]


# Hypothesis: export -> import gives the items back

LETTERS = "abcxyzABCXYZ0123456789 абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЖЯ әғқңөұүһіӘҒҚҢӨҰҮҺІ<&>\"'\n\t.,;:?!-"
TEXT = st.text(alphabet=LETTERS, min_size=1, max_size=40).filter(lambda s: s.strip())
OPTIONAL_TEXT = st.none() | TEXT


@st.composite
def items(draw, item_id: str) -> Item:
    item_type = draw(st.sampled_from(list(ItemType)))
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))
    if item_type is ItemType.TRUE_FALSE:
        keys = ["true", "false"]
    elif item_type is ItemType.LIKERT:
        keys = [str(n) for n in range(1, draw(st.integers(3, 6)) + 1)]
    else:
        keys = [chr(ord("a") + n) for n in range(draw(st.integers(2, 6)))]

    def texts():
        return {lang: draw(TEXT) for lang in languages}

    options = tuple(Option(key, texts()) for key in keys)
    if item_type is ItemType.LIKERT:
        key = frozenset()
    elif item_type is ItemType.MULTIPLE:
        key = frozenset(draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)))
    else:
        key = frozenset({draw(st.sampled_from(keys))})
    return Item(
        id=item_id, type=item_type, stem=texts(), options=options, key=key,
        topic=Topic(draw(TEXT), draw(OPTIONAL_TEXT)), version=draw(st.integers(1, 5)),
        difficulty=draw(st.none() | st.floats(0, 1)), status=draw(st.sampled_from(list(Status))),
        enemy_group=draw(OPTIONAL_TEXT), law_date=draw(st.none() | st.dates()),
        competency=draw(TEXT) if item_type is ItemType.LIKERT else draw(OPTIONAL_TEXT),
        reverse_keyed=draw(st.booleans()), name=draw(OPTIONAL_TEXT))


@st.composite
def item_lists(draw) -> list[Item]:
    ids = draw(st.lists(st.text(alphabet="abc-_./ 1Ә", min_size=1, max_size=6).filter(str.strip),
                        min_size=0, max_size=4, unique=True))
    result, seen = [], set()
    for item_id in ids:
        for _ in range(draw(st.integers(1, 2))):
            item = draw(items(item_id))
            if (item.id, item.version) not in seen:
                seen.add((item.id, item.version))
                result.append(item)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_lists())
def test_export_then_import_gives_the_items_back(originals):
    result = import_package("roundtrip.zip", export_qti_package(originals))
    assert result.problems == [] and result.skipped == []
    assert [comparable(i) for i in result.items] == [comparable(i) for i in originals]
