"""The QTI importers against real third-party files (oat-sa/qti-sdk samples), read in place from
../shared/conformance/qti (see SOURCES.md there); one test per file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from question_bank.importers.common import Problem, Skipped
from question_bank.importers.package import import_package
from question_bank.importers.qti import import_qti
from question_bank.items import ItemType, Status, Topic

QTI = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "qti"
SACHSEN = QTI / "interaction_mix_sachsen"
SKIP_HINT = " (use --skip-unsupported to import the rest)"
NOT_CHOICE = "is not supported (Merit imports choiceInteraction items)"


def load(name: str, folder: Path = QTI):
    return import_qti(name, (folder / name).read_bytes())


def only_item(result):
    assert result.problems == [] and result.skipped == []
    assert len(result.items) == 1
    return result.items[0]


def texts(item, lang="en"):
    return [option.text[lang] for option in item.options]


def assert_unsupported(name: str, line: int, reason: str, folder: Path = QTI) -> None:
    refused = load(name, folder)
    assert refused.items == [] and refused.skipped == []
    assert refused.problems == [Problem(name, line, reason + SKIP_HINT)]
    skipped = import_qti(name, (folder / name).read_bytes(), skip_unsupported=True)
    assert skipped.items == [] and skipped.problems == []
    assert skipped.skipped == [Skipped(name, line, reason)]


# Supported choice items


def test_choice_single_unattended_luggage():
    item = only_item(load("choice.xml"))
    assert item.id == "choice" and item.name == "Unattended Luggage"
    assert item.type is ItemType.SINGLE and item.key == {"a"}
    assert [o.key for o in item.options] == ["a", "b", "c"]
    assert dict(item.stem) == {"en": "Look at the text in the picture.\n[image: NEVER LEAVE LUGGAGE UNATTENDED]\n"
                                     "What does it say?"}
    assert texts(item) == ["You must stay with your luggage at all times.",
                           "Do not let someone else look after your luggage.",
                           "Remember your luggage when you leave."]
    assert item.topic == Topic("uncategorized") and item.status is Status.DRAFT and item.version == 1
    assert (item.source.path, item.source.line) == ("choice.xml", 3)


def test_choice_multiple_composition_of_water():
    item = only_item(load("choice_multiple.xml"))
    assert (item.id, item.name, item.type) == ("choiceMultiple", "Composition of Water", ItemType.MULTIPLE)
    assert texts(item) == ["Hydrogen", "Helium", "Carbon", "Oxygen", "Nitrogen", "Chlorine"]
    assert item.key == {"a", "d"}  # H and O
    assert dict(item.stem) == {"en": "Which of the following elements are used to form water?"}
    assert item.source.line == 2


def test_choice_fixed_keeps_the_fixed_choice_as_last_option():
    item = only_item(load("choice_fixed.xml"))
    assert (item.id, item.type, item.key) == ("choice", ItemType.SINGLE, {"a"})
    assert [o.key for o in item.options] == ["a", "b", "c", "d"]
    assert texts(item)[3] == "None of the above."
    assert item.source.line == 4


def test_modal_feedback_item_imports_from_its_correct_response():
    item = only_item(load("modalFeedback.xml"))
    assert (item.id, item.name) == ("Example01-modalFeedback", "Example 1 - modal feedback")
    assert item.type is ItemType.SINGLE  # True/False choices: not guessed into TRUE_FALSE
    assert texts(item) == ["True", "False"] and item.key == {"a"}
    assert dict(item.stem) == {"en": "Sigmund Freud and Carl Jung both belong to the psychoanalytic school of "
                                     "psychology."}  # feedback is not part of the stem


def test_choice_multiple_chocolade_is_refused_for_its_broken_scoring():
    result = load("choice_multiple_chocolade.xml")
    assert result.items == [] and result.skipped == []
    assert result.problems == [Problem(
        "choice_multiple_chocolade.xml", 37,
        "no usable answer key for item 'choiceMultiple' titled 'Chocolate Milk': there is no correctResponse or "
        "mapping, and the responseProcessing compares the multiple response MR01 with the identifier baseValue "
        "'C01 C02 C03 C04 C05 C06 C07 C08 C09 C10', which is not an identifier (it holds spaces; a multiple "
        "response is matched against <multiple> with one baseValue per choice), so no answer can score")]
    # skipping unsupported items does not hide a broken key
    assert import_qti("c.xml", (QTI / "choice_multiple_chocolade.xml").read_bytes(), skip_unsupported=True).problems


# Unsupported interactions


def test_order():
    assert_unsupported("order.xml", 15, f"item 'order' titled 'Grand Prix of Bahrain': orderInteraction {NOT_CHOICE}")


def test_text_entry():
    assert_unsupported("text_entry.xml", 20,
                       f"item 'textEntry' titled 'Richard III (Take 3)': textEntryInteraction {NOT_CHOICE}")


def test_extended_text():
    assert_unsupported("extended_text.xml", 20,
                       f"item 'extendedText' titled 'Writing a Postcard': extendedTextInteraction {NOT_CHOICE}")


def test_inline_choice():
    assert_unsupported("inline_choice.xml", 16,
                       f"item 'inlineChoice' titled 'Richard III (Take 2)': inlineChoiceInteraction {NOT_CHOICE}")


def test_match():
    assert_unsupported("match.xml", 22, f"item 'match' titled 'Characters and Plays': matchInteraction {NOT_CHOICE}")


def test_associate():
    assert_unsupported("associate.xml", 20,
                       f"item 'associate' titled 'Shakespearian Rivals': associateInteraction {NOT_CHOICE}")


def test_gap_match():
    assert_unsupported("gap_match.xml", 18,
                       f"item 'gapMatch' titled 'Richard III (Take 1)': gapMatchInteraction {NOT_CHOICE}")


def test_hottext():
    assert_unsupported("hottext.xml", 22, "item 'IMS00004_StemError' titled 'Identifying Sentence Errors': "
                                          f"hottextInteraction {NOT_CHOICE}")


# assessmentTest files


def test_empty_test_v2p2_imports_nothing_without_problems():
    result = load("empty_test_v2p2.xml")
    assert (result.items, result.problems, result.skipped) == ([], [], [])


def test_empty_test_missing_namespace_is_read_as_qti_2_1():
    result = load("empty_test_missing_namespace.xml")
    assert (result.items, result.problems, result.skipped) == ([], [], [])


def test_empty_test_wrong_namespace_is_refused_naming_the_namespace():
    result = load("empty_test_wrong_namespace.xml")
    assert result.items == []
    assert result.problems == [Problem(
        "empty_test_wrong_namespace.xml", 2,
        "unknown namespace 'http://www.imsglobal.org/xsd/imsqti_unknown_version' on <assessmentTest>: Merit reads "
        "QTI 2.0, 2.1 and 2.2 (http://www.imsglobal.org/xsd/imsqti_v2p1 or http://www.imsglobal.org/xsd/imsqti_v2p2)")]


def _dangling(path: str, refs: list[tuple[str, int]]) -> list[Problem]:
    return [Problem(path, line, f"assessmentItemRef {ident!r} points to '{ident}.xml', which is not available: a test "
                                "file imported on its own carries no items; import the content package (.zip) that "
                                "holds the item files") for ident, line in refs]


def test_items_arranged_into_sections_reports_every_dangling_reference():
    name = "items_arranged_into_sections_within_tests.xml"
    result = load(name)
    assert result.items == [] and result.skipped == []
    assert result.problems == _dangling(name, [
        ("item820", 9), ("item716", 10), ("item204", 11), ("item034", 19), ("item160", 20), ("item063", 21),
        ("item434", 27), ("item065", 28), ("item365", 29), ("item347", 35), ("item653", 36), ("item656", 38)])


# interaction_mix_sachsen: a package without its zip

SACHSEN_REFS = [("Choicetruefalse_176040516", 20), ("Choicesingle_853928446", 22),
                ("Choicemultiple_2014410822", 24), ("Choicemultiple_871212949", 26), ("Hotspot_278940407", 28),
                ("Order_913967682", 30), ("Matchsingle_143114773", 31), ("Matchmultiple_1038910213", 33),
                ("TextEntry_883368511", 35), ("TextEntrynumeric_2040297025", 37), ("TextEntrynumeric_770468849", 39),
                ("TextEntrysubset_806481421", 41), ("Hottext_801974120", 43)]

# file -> (line, reason) of the unsupported report
SACHSEN_UNSUPPORTED = {
    "Choicesingle_853928446.xml": (52, "item 'Choicesingle_853928446' titled 'choice (single)', choiceInteraction: "
                                       "option a (choice_685440446) is only an image "
                                       "(media/3d92a0b7b7be4480a582f62ce823d908.jpg); Merit shows options as text"),
    "Hotspot_278940407.xml": (37, f"item 'Hotspot_278940407' titled 'hotspot': hotspotInteraction {NOT_CHOICE}"),
    "Hottext_801974120.xml": (42, f"item 'Hottext_801974120' titled 'hottext': hottextInteraction {NOT_CHOICE}"),
    "Matchmultiple_1038910213.xml": (41, "item 'Matchmultiple_1038910213' titled 'match (multiple)': "
                                         f"matchInteraction {NOT_CHOICE}"),
    "Matchsingle_143114773.xml": (40, f"item 'Matchsingle_143114773' titled 'match (single)': matchInteraction "
                                      f"{NOT_CHOICE}"),
    "Order_913967682.xml": (43, f"item 'Order_913967682' titled 'order': orderInteraction {NOT_CHOICE}"),
    "TextEntry_883368511.xml": (38, f"item 'TextEntry_883368511' titled 'textEntry': textEntryInteraction "
                                    f"{NOT_CHOICE}"),
    "TextEntrynumeric_2040297025.xml": (40, "item 'TextEntrynumeric_2040297025' titled 'textEntry (numeric)' has "
                                            "several interactions (textEntryInteraction x2); Merit imports items "
                                            "with one choiceInteraction"),
    "TextEntrynumeric_770468849.xml": (37, "item 'TextEntrynumeric_770468849' titled 'textEntry (numeric, relative)': "
                                           f"textEntryInteraction {NOT_CHOICE}"),
    "TextEntrysubset_806481421.xml": (53, "item 'TextEntrysubset_806481421' titled 'textEntry (subset)' has several "
                                          "interactions (textEntryInteraction x3); Merit imports items with one "
                                          "choiceInteraction"),
}


def test_sachsen_folder_holds_the_files_this_test_expects():
    assert sorted(p.name for p in SACHSEN.glob("*.xml")) == sorted(
        [f"{ident}.xml" for ident, _ in SACHSEN_REFS] + ["interaction_mix_sachsen.xml",
                                                           "interaction_mix_sachsen_2_2.xml"])


def test_sachsen_choicetruefalse():
    item = only_item(load("Choicetruefalse_176040516.xml", SACHSEN))
    assert (item.id, item.name, item.type) == ("Choicetruefalse_176040516", "choice (true-false)", ItemType.SINGLE)
    assert texts(item) == ["Richtig", "Falsch"]
    assert item.key == {"a"}  # correctResponse choice_1164834606 = "Richtig"
    assert dict(item.stem) == {"en": "Das Bundesland Sachsen ist eines der neuen Bundesländer und gehörte damit zur "
                                     "ehemaligen Deutschen Demokratischen Republik (DDR)."}
    assert item.source.line == 3


def test_sachsen_choicemultiple_2014410822():
    item = only_item(load("Choicemultiple_2014410822.xml", SACHSEN))
    assert (item.id, item.name, item.type) == ("Choicemultiple_2014410822", "choice (multiple)", ItemType.MULTIPLE)
    assert texts(item) == ["Leipzig", "Chemnitz", "Dresden", "Zwickau"]
    assert item.key == {"b", "d"}  # choice_693643701 Chemnitz, choice_853818748 Zwickau
    assert dict(item.stem) == {"en": "Welche Städte verfügen nicht über einen Internationalen Flughafen?"}


def test_sachsen_choicemultiple_871212949():
    item = only_item(load("Choicemultiple_871212949.xml", SACHSEN))
    assert (item.id, item.name) == ("Choicemultiple_871212949", "choice (multiple, point per answer)")
    assert item.type is ItemType.MULTIPLE
    assert texts(item) == ["Erzgebirge", "Lausitz", "Vogtland", "Harz", "Alpen"]
    assert item.key == {"a", "b", "c"}  # the correctResponse, also the positive mapEntries
    assert dict(item.stem) == {"en": "Welche Naturräume finden sich im Freistaat Sachsen?"}


@pytest.mark.parametrize("name", sorted(SACHSEN_UNSUPPORTED))
def test_sachsen_unsupported_item(name):
    line, reason = SACHSEN_UNSUPPORTED[name]
    assert_unsupported(name, line, reason, SACHSEN)


@pytest.mark.parametrize("name", ["interaction_mix_sachsen.xml", "interaction_mix_sachsen_2_2.xml"])
def test_sachsen_test_file_alone_reports_its_13_references(name):
    result = load(name, SACHSEN)
    assert result.items == [] and result.skipped == []
    assert result.problems == _dangling(name, SACHSEN_REFS)


def _sachsen_zip(resources: str) -> bytes:
    manifest = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="SACHSEN">
  <organizations/>
  <resources>
{resources}
  </resources>
</manifest>
"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for path in sorted(SACHSEN.glob("*.xml")):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


TEST_RESOURCE = ('    <resource identifier="T21" type="imsqti_test_xmlv2p1" href="interaction_mix_sachsen.xml">\n'
                 '      <file href="interaction_mix_sachsen.xml"/>\n    </resource>')
SACHSEN_IMPORTED = [("Choicetruefalse_176040516", ItemType.SINGLE, {"a"}),
                    ("Choicemultiple_2014410822", ItemType.MULTIPLE, {"b", "d"}),
                    ("Choicemultiple_871212949", ItemType.MULTIPLE, {"a", "b", "c"})]


def test_sachsen_package_resolves_the_test_and_refuses_unsupported_items_by_default():
    result = import_package("sachsen.zip", _sachsen_zip(TEST_RESOURCE))
    assert not result.ok and result.skipped == []
    expected = [(f"sachsen.zip!{ident}.xml", SACHSEN_UNSUPPORTED[f"{ident}.xml"][0],
                 SACHSEN_UNSUPPORTED[f"{ident}.xml"][1] + SKIP_HINT)
                for ident, _ in SACHSEN_REFS if f"{ident}.xml" in SACHSEN_UNSUPPORTED]
    assert [(p.path, p.line, p.reason) for p in result.problems] == expected
    assert len(result.problems) == 10
    assert [(i.id, i.type, set(i.key)) for i in result.items] == SACHSEN_IMPORTED


def test_sachsen_package_with_skip_unsupported_imports_the_choice_items():
    result = import_package("sachsen.zip", _sachsen_zip(TEST_RESOURCE), skip_unsupported=True)
    assert result.ok and result.problems == []
    assert [(i.id, i.type, set(i.key)) for i in result.items] == SACHSEN_IMPORTED
    assert [(i.source.path, i.source.line) for i in result.items] == [
        ("sachsen.zip!Choicetruefalse_176040516.xml", 3), ("sachsen.zip!Choicemultiple_2014410822.xml", 3),
        ("sachsen.zip!Choicemultiple_871212949.xml", 3)]
    assert [(s.path, s.line) for s in result.skipped] == [
        (f"sachsen.zip!{name}", SACHSEN_UNSUPPORTED[name][0])
        for name in [f"{ident}.xml" for ident, _ in SACHSEN_REFS] if name in SACHSEN_UNSUPPORTED]


def test_sachsen_package_with_both_tests_and_item_resources_imports_each_file_once():
    items = "\n".join(
        f'    <resource identifier="I{n}" type="imsqti_item_xmlv2p1" href="{ident}.xml"/>'
        for n, (ident, _) in enumerate(SACHSEN_REFS))
    both = TEST_RESOURCE + '\n    <resource identifier="T22" type="imsqti_test_xmlv2p2" ' \
                           'href="interaction_mix_sachsen_2_2.xml"/>\n' + items
    result = import_package("sachsen.zip", _sachsen_zip(both), skip_unsupported=True)
    assert result.problems == []
    assert [i.id for i in result.items] == [ident for ident, _, _ in SACHSEN_IMPORTED]
    assert len(result.skipped) == 10
