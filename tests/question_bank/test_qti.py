"""QTI 2.x assessmentItem / assessmentTest import on small hand-written files (real files: test_conformance_qti)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.importers import import_file
from question_bank.importers.common import ImportResult, Problem, Skipped
from question_bank.importers.qti import import_qti, option_keys
from question_bank.items import ItemType, Status, Topic

V2P0 = "http://www.imsglobal.org/xsd/imsqti_v2p0"
V2P1 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
V2P2 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
HINT = " (use --skip-unsupported to import the rest)"
SINGLE_A = ('<responseDeclaration identifier="R" cardinality="single" baseType="identifier">'
            '<correctResponse><value>A</value></correctResponse></responseDeclaration>')
CHOICES = '<simpleChoice identifier="A">Yes</simpleChoice><simpleChoice identifier="B">No</simpleChoice>'
CHOICE = f'<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Which?</prompt>{CHOICES}</choiceInteraction>'
LABEL = "item 'q1' titled 'Q one'"


def qti(body: str = CHOICE, *, decl: str = SINGLE_A, extra: str = "", rp: str = "", ns: str = V2P1,
        attrs: str = 'identifier="q1" title="Q one"') -> bytes:
    """Line 3: declarations, line 4: `extra`, line 5: <itemBody>, body from line 6."""
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem{xmlns} {attrs}>\n{decl}\n{extra}\n'
            f"<itemBody>\n{body}\n</itemBody>\n{rp}\n</assessmentItem>\n").encode()


def one(data: bytes, path: str = "q.xml"):
    result = import_qti(path, data)
    assert result.problems == [] and result.skipped == [], result.problems
    assert len(result.items) == 1
    return result.items[0]


def problems(data: bytes, path: str = "q.xml") -> list[tuple[int | None, str]]:
    result = import_qti(path, data)
    assert result.items == []
    return [(p.line, p.reason) for p in result.problems]


def assert_unsupported(data: bytes, line: int, reason: str) -> None:
    assert import_qti("q.xml", data).problems == [Problem("q.xml", line, reason + HINT)]
    skipped = import_qti("q.xml", data, skip_unsupported=True)
    assert skipped.items == [] and skipped.problems == []
    assert skipped.skipped == [Skipped("q.xml", line, reason)]


# What an imported item looks like


def test_single_choice_item_fields():
    body = ('<p>Before &amp; <b>after</b></p>\n'
            f'<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Which   <i>one</i>\n   is right?</prompt>'
            f'{CHOICES}</choiceInteraction>\n<p>Tail &lt;text&gt;</p>')
    item = one(qti(body))
    assert item.id == "q1" and item.name == "Q one" and item.type is ItemType.SINGLE
    assert dict(item.stem) == {"en": "Before & after\nWhich one is right?\nTail <text>"}
    assert [(o.key, dict(o.text)) for o in item.options] == [("a", {"en": "Yes"}), ("b", {"en": "No"})]
    assert item.key == {"a"}
    assert item.topic == Topic("uncategorized") and item.status is Status.DRAFT and item.version == 1
    assert (item.difficulty, item.enemy_group, item.law_date, item.competency) == (None, None, None, None)
    assert (item.source.path, item.source.line) == ("q.xml", 2)


def test_multiple_choice_key_in_option_order():
    decl = ('<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"><correctResponse>'
            '<value>C</value><value>A</value></correctResponse></responseDeclaration>')
    body = ('<choiceInteraction responseIdentifier="R" maxChoices="0"><prompt>Pick</prompt>'
            '<simpleChoice identifier="A">one</simpleChoice><simpleChoice identifier="B">two</simpleChoice>'
            '<simpleChoice identifier="C">three</simpleChoice></choiceInteraction>')
    item = one(qti(body, decl=decl))
    assert item.type is ItemType.MULTIPLE and item.key == {"a", "c"}


def test_language_from_xml_lang_else_guessed():
    assert set(one(qti(attrs='identifier="q1" title="t" xml:lang="ru-RU"')).stem) == {"ru"}
    assert set(one(qti(attrs='identifier="q1" title="t" xml:lang="KK"')).stem) == {"kk"}
    kazakh = CHOICE.replace("Which?", "Қай жауап дұрыс?")
    assert set(one(qti(kazakh, attrs='identifier="q1" title="t" xml:lang="de"')).stem) == {"kk"}
    russian = CHOICE.replace("Which?", "Какой ответ верный?")
    item = one(qti(russian))
    assert set(item.stem) == {"ru"} and set(item.options[0].text) == {"ru"}


def test_namespaces_2_0_2_2_and_none_are_accepted():
    for ns in (V2P0, V2P2, ""):
        assert one(qti(ns=ns)).key == {"a"}


def test_more_than_26_options_get_spreadsheet_keys():
    assert option_keys(28)[:3] == ["a", "b", "c"] and option_keys(28)[-3:] == ["z", "aa", "ab"]
    assert option_keys(703)[-1] == "aaa"
    choices = "".join(f'<simpleChoice identifier="C{n}">option {n}</simpleChoice>' for n in range(28))
    decl = SINGLE_A.replace("<value>A</value>", "<value>C27</value>")
    item = one(qti(f'<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>?</prompt>{choices}'
                   '</choiceInteraction>', decl=decl))
    assert len(item.options) == 28 and item.key == {"ab"}


def test_text_is_plain_text_markup_never_survives():
    body = ('<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Is &lt;script&gt;alert(1)&lt;/script&gt;'
            ' &amp;amp; safe?</prompt><simpleChoice identifier="A">a &lt; b &amp; "c" \'d\'</simpleChoice>'
            '<simpleChoice identifier="B"><span>No</span><br/>really</simpleChoice></choiceInteraction>')
    item = one(qti(body))
    assert item.stem["en"] == "Is <script>alert(1)</script> &amp; safe?"
    assert [o.text["en"] for o in item.options] == ['a < b & "c" \'d\'', "No\nreally"]


def test_feedback_is_not_part_of_stem_or_options():
    body = ('<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Which?</prompt>'
            '<simpleChoice identifier="A">Yes<feedbackInline outcomeIdentifier="F" identifier="A" showHide="show">'
            'Right!</feedbackInline></simpleChoice><simpleChoice identifier="B">No</simpleChoice></choiceInteraction>'
            '<feedbackBlock outcomeIdentifier="F" identifier="x" showHide="show">Hidden</feedbackBlock>')
    item = one(qti(body, rp='<modalFeedback outcomeIdentifier="F" identifier="y" showHide="show">M</modalFeedback>'))
    assert item.stem["en"] == "Which?" and [o.text["en"] for o in item.options] == ["Yes", "No"]


def test_pictures_become_their_alt_text_in_stem_and_options():
    body = ('<p>See <img src="a.png" alt="the   map"/> and <img src="b.png"/> and <img src=""/></p>'
            '<object type="image/png" data="c.png">fallback</object>'
            '<choiceInteraction responseIdentifier="R" maxChoices="1"><prompt>Which?</prompt>'
            '<simpleChoice identifier="A">Yes <img src="y.png" alt="tick"/></simpleChoice>'
            '<simpleChoice identifier="B">No</simpleChoice></choiceInteraction>')
    item = one(qti(body))
    assert item.stem["en"] == "See [image: the map] and [image: b.png] and [image]\n[image: c.png]\nWhich?"
    assert item.options[0].text["en"] == "Yes [image: tick]"


# Answer keys


def test_key_from_an_unambiguous_mapping():
    single = ('<responseDeclaration identifier="R" cardinality="single" baseType="identifier"><mapping defaultValue="0">'
              '<mapEntry mapKey="A" mappedValue="0"/><mapEntry mapKey="B" mappedValue="1"/></mapping>'
              '</responseDeclaration>')
    rp = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>'
    assert one(qti(decl=single, rp=rp)).key == {"b"}
    assert one(qti(decl=single)).key == {"b"}  # no responseProcessing: the mapping is all there is
    multiple = ('<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier">'
                '<mapping defaultValue="-1" upperBound="2"><mapEntry mapKey="A" mappedValue="1"/>'
                '<mapEntry mapKey="B" mappedValue="1"/></mapping></responseDeclaration>')
    body = CHOICE.replace('maxChoices="1"', 'maxChoices="0"')
    item = one(qti(body, decl=multiple, rp=rp))
    assert item.type is ItemType.MULTIPLE and item.key == {"a", "b"}


def test_ambiguous_mappings_are_refused():
    rp = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p2/rptemplates/map_response"/>'

    def decl(cardinality, mapping):
        return (f'<responseDeclaration identifier="R" cardinality="{cardinality}" baseType="identifier">'
                f'<mapping {mapping}</mapping></responseDeclaration>')

    no_key = f"no usable answer key for {LABEL}"
    two = 'defaultValue="0"><mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="B" mappedValue="0.5"/>'
    assert problems(qti(decl=decl("single", two), rp=rp)) == [
        (3, f"{no_key}: the mapping gives credit to several choices (A, B) of a single response")]
    everyone = 'defaultValue="0.5"><mapEntry mapKey="A" mappedValue="1"/>'
    assert problems(qti(decl=decl("single", everyone), rp=rp)) == [
        (3, f"{no_key}: the mapping's defaultValue 0.5 gives credit to every choice it does not list")]
    nothing = 'defaultValue="0"><mapEntry mapKey="A" mappedValue="-1"/>'
    assert problems(qti(decl=decl("single", nothing), rp=rp)) == [
        (3, f"{no_key}: the mapping gives no choice a positive value")]
    capped = 'upperBound="1"><mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="B" mappedValue="1"/>'
    body = CHOICE.replace('maxChoices="1"', 'maxChoices="0"')
    assert problems(qti(body, decl=decl("multiple", capped), rp=rp)) == [
        (3, f"{no_key}: the mapping's upperBound 1 is reached without choosing every credited choice (A, B), so the "
            "correct answer is not one set")]
    unknown = 'defaultValue="0"><mapEntry mapKey="Z" mappedValue="1"/>'
    assert problems(qti(decl=decl("single", unknown), rp=rp)) == [
        (3, f"{LABEL}: the answer key names 'Z', which is not a choice of this item (A, B)")]
    not_a_number = 'defaultValue="0"><mapEntry mapKey="A" mappedValue="lots"/>'
    assert problems(qti(decl=decl("single", not_a_number), rp=rp)) == [(3, f"{LABEL}: mappedValue='lots' is not a number")]


def test_match_correct_without_correct_response_has_no_key():
    decl = '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"/>'
    rp = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>'
    assert problems(qti(decl=decl, rp=rp)) == [
        (8, f"no usable answer key for {LABEL}: the match_correct template needs a correctResponse and response 'R' "
            "declares none")]
    assert problems(qti(decl=decl)) == [
        (3, f"no usable answer key for {LABEL}: there is no correctResponse, no mapping and no responseProcessing")]


CUSTOM = """<responseProcessing>
<responseCondition>
<responseIf><match><variable identifier="R"/>{first}</match>
<setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue></responseIf>
<responseElseIf><match><variable identifier="R"/>{second}</match>
<setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue></setOutcomeValue></responseElseIf>
</responseCondition>
</responseProcessing>"""


def test_custom_response_processing_reduced_to_a_key():
    single = '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"/>'
    value_b = '<baseValue baseType="identifier">B</baseValue>'
    assert one(qti(decl=single, rp=CUSTOM.format(first=value_b, second=value_b))).key == {"b"}
    multiple = '<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"/>'
    both = ('<multiple><baseValue baseType="identifier">B</baseValue>'
            '<baseValue baseType="identifier">A</baseValue></multiple>')
    body = CHOICE.replace('maxChoices="1"', 'maxChoices="2"')
    item = one(qti(body, decl=multiple, rp=CUSTOM.format(first=both, second=both)))
    assert item.type is ItemType.MULTIPLE and item.key == {"a", "b"}


def test_custom_response_processing_that_does_not_reduce_is_refused():
    single = '<responseDeclaration identifier="R" cardinality="single" baseType="identifier"/>'
    value_a = '<baseValue baseType="identifier">A</baseValue>'
    value_b = '<baseValue baseType="identifier">B</baseValue>'
    no_key = f"no usable answer key for {LABEL}"
    assert problems(qti(decl=single, rp=CUSTOM.format(first=value_a, second=value_b))) == [
        (10, f"{no_key}: the custom responseProcessing scores several different answers (lines 10, 12)")]
    score_anyway = ('<responseProcessing><setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue>'
                    '</setOutcomeValue></responseProcessing>')
    assert problems(qti(decl=single, rp=score_anyway)) == [
        (8, f"{no_key}: there is no correctResponse or mapping, and the custom responseProcessing does not reduce to "
            "one answer (no branch matches R against fixed choices)")]
    # <correct> compares with a correctResponse that is not there
    assert problems(qti(decl=single, rp=CUSTOM.format(first='<correct identifier="R"/>',
                                                      second='<correct identifier="R"/>'))) == [
        (8, f"{no_key}: there is no correctResponse or mapping, and the custom responseProcessing does not reduce to "
            "one answer (no branch matches R against fixed choices)")]
    multiple = '<responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"/>'
    body = CHOICE.replace('maxChoices="1"', 'maxChoices="0"')
    assert problems(qti(body, decl=multiple, rp=CUSTOM.format(first=value_a, second=value_a))) == [
        (10, f"{no_key}: the responseProcessing compares the multiple response R with a single baseValue 'A', so no "
             "answer can score")]


def test_correct_response_contradictions():
    def decl(cardinality, values, mapping=""):
        vals = "".join(f"<value>{v}</value>" for v in values)
        return (f'<responseDeclaration identifier="R" cardinality="{cardinality}" baseType="identifier">'
                f"<correctResponse>{vals}</correctResponse>{mapping}</responseDeclaration>")

    assert problems(qti(decl=decl("single", ["Z"]))) == [
        (3, f"{LABEL}: the answer key names 'Z', which is not a choice of this item (A, B)")]
    assert problems(qti(decl=decl("single", ["A", "B"]))) == [
        (3, f"{LABEL}: response 'R' has cardinality single but the key names 2 choices (A, B)")]
    assert problems(qti(decl=decl("single", ["A"], '<mapping defaultValue="0"><mapEntry mapKey="B" '
                                                   'mappedValue="1"/></mapping>'))) == [
        (3, f"{LABEL}: correctResponse names 'A' but the mapping gives it no credit; the key is contradictory")]
    assert problems(qti(CHOICE.replace('maxChoices="1"', 'maxChoices="0"'), decl=decl("single", ["A"]))) == [
        (6, f"{LABEL}: response 'R' has cardinality single but maxChoices=0")]
    assert problems(qti(CHOICE.replace('maxChoices="1"', 'maxChoices="1"'), decl=decl("multiple", ["A", "B"]))) == [
        (6, f"{LABEL}: the key has 2 correct choices but maxChoices=1")]
    assert problems(qti(CHOICE.replace('maxChoices="1"', 'maxChoices="0" minChoices="2"'),
                        decl=decl("multiple", ["A"]))) == [
        (6, f"{LABEL}: the key has 1 correct choices but minChoices=2")]
    assert problems(qti(CHOICE.replace('maxChoices="1"', 'maxChoices="x"'))) == [
        (6, f"{LABEL}: maxChoices='x' is not a whole number")]
    assert problems(qti(decl=decl("ordered", ["A"]))) == [
        (3, f"{LABEL}: response 'R' has cardinality 'ordered'; a choice item needs 'single' or 'multiple'")]
    assert problems(qti(decl=decl("single", ["A"]).replace('"identifier">', '"string">'))) == [
        (3, f"{LABEL}: response 'R' has baseType 'string'; a choice item needs 'identifier'")]
    assert problems(qti(decl="")) == [
        (6, f"{LABEL}: the choiceInteraction's response 'R' has no responseDeclaration")]


# Unsupported items


def test_several_interactions_are_unsupported():
    body = f'{CHOICE}\n<p><textEntryInteraction responseIdentifier="T"/></p>'
    assert_unsupported(qti(body), 6, f"{LABEL} has several interactions (choiceInteraction, textEntryInteraction); "
                                     "Merit imports items with one choiceInteraction")


def test_no_interaction_is_unsupported():
    assert_unsupported(qti("<p>Just reading</p>"), 5,
                       f"{LABEL} has no interaction (nothing to answer); Merit imports choiceInteraction items")


def test_other_unsupported_choice_items():
    label = f"{LABEL}, choiceInteraction"
    assert_unsupported(qti(extra='<templateDeclaration identifier="T" cardinality="single" baseType="integer"/>'), 4,
                       f"{label}: the item is a template (templateDeclaration generates variants), which Merit does "
                       "not support")
    assert_unsupported(qti(attrs='identifier="q1" title="Q one" adaptive="true"'), 2,
                       f"{label}: adaptive items (several attempts, changing content) are not supported")
    math = '<p xmlns:m="http://www.w3.org/1998/Math/MathML">\n<m:math><m:mi>x</m:mi></m:math></p>\n' + CHOICE
    assert_unsupported(qti(math), 7, f"{label}: <math> in namespace 'http://www.w3.org/1998/Math/MathML' (e.g. "
                                     "MathML) cannot be shown as text")
    assert_unsupported(qti('<p>Value: <printedVariable identifier="T"/></p>\n' + CHOICE), 6,
                       f"{label}: <printedVariable> shows template variables, which Merit does not support")
    assert_unsupported(qti('<p><object type="video/mp4" data="v.mp4"/></p>\n' + CHOICE), 6,
                       f"{label}: embedded media <object> (v.mp4) cannot be shown as text")
    picture = CHOICE.replace('<simpleChoice identifier="B">No</simpleChoice>',
                             '\n<simpleChoice identifier="B"> <img src="no.png" alt="No"/> </simpleChoice>')
    assert_unsupported(qti(picture), 7, f"{label}: option b (B) is only an image (no.png); Merit shows options as text")


# Other problems


def test_option_problems():
    empty = CHOICE.replace('<simpleChoice identifier="B">No</simpleChoice>',
                           '\n<simpleChoice identifier="B"> <b> </b> </simpleChoice>')
    assert problems(qti(empty)) == [(7, f"{LABEL}: option b (B) has no text")]
    same = CHOICE.replace(">No<", ">  Yes <")
    assert problems(qti(same)) == [(6, f"{LABEL}: options a and b have the same text 'Yes'; a candidate could not tell "
                                       "them apart")]
    repeated = CHOICE.replace('identifier="B"', 'identifier="A"')
    assert problems(qti(repeated)) == [(6, f"{LABEL}: choice identifier 'A' repeats")]
    lonely = CHOICE.replace('<simpleChoice identifier="B">No</simpleChoice>', "")
    assert problems(qti(lonely)) == [(6, f"{LABEL}: a choiceInteraction needs at least 2 simpleChoices, it has 1")]
    nameless = CHOICE.replace('identifier="B"', "")
    assert problems(qti(nameless)) == [(6, f"{LABEL}: a simpleChoice has no identifier")]


def test_item_level_problems():
    assert problems(qti(attrs='title="Q one"')) == [(2, "the assessmentItem has no identifier")]
    assert one(qti(attrs='identifier="q1"')).name is None
    no_body = b'<?xml version="1.0"?>\n<assessmentItem xmlns="%s" identifier="q1" title="Q one"/>' % V2P2.encode()
    assert problems(no_body) == [(2, f"{LABEL} has no itemBody")]
    no_stem = CHOICE.replace("<prompt>Which?</prompt>", "")
    assert problems(qti(no_stem)) == [(5, f"{LABEL} has no question text")]


def test_files_that_are_not_qti_2():
    assert problems(b"<assessmentItem identifier='x'>\n<itemBody>\n</assessmentItem>") == [
        (3, "not well-formed XML (mismatched tag: line 3, column 2)")]
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
            b'<assessmentItem identifier="x">&b;</assessmentItem>')
    assert problems(bomb) == [(None, "unsafe XML refused (EntitiesForbidden: entities and external references are "
                                     "not allowed)")]
    assert problems(b'<?xml version="1.0" encoding="UT8"?>\n<assessmentItem/>') == [
        (1, "the XML declaration names an encoding that cannot be read (unknown encoding: UT8)")]
    assert problems(b'<?xml version="1.0" encoding="shift_jis"?>\n<assessmentItem/>') == [
        (1, "the XML declaration names an encoding that cannot be read (multi-byte encodings are not supported)")]
    assert problems(b'<?xml version="1.0"?>\n<quiz/>') == [
        (2, "not a QTI assessmentItem or assessmentTest: the root element is <quiz>")]
    assert problems(b'<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="x"/>') == [
        (1, "<qti-assessment-item> is QTI 3.0, which Merit does not import (QTI 2.0, 2.1 and 2.2 only)")]
    assert problems(b"<questestinterop/>") == [
        (1, "<questestinterop> is QTI 1.x, which Merit does not import (QTI 2.0, 2.1 and 2.2 only)")]
    assert problems(qti(ns="http://example.com/qti")) == [
        (2, "unknown namespace 'http://example.com/qti' on <assessmentItem>: Merit reads QTI 2.0, 2.1 and 2.2 "
            "(http://www.imsglobal.org/xsd/imsqti_v2p1 or http://www.imsglobal.org/xsd/imsqti_v2p2)")]


def test_assessment_test_alone():
    test = (f'<?xml version="1.0"?>\n<assessmentTest xmlns="{V2P1}" identifier="t" title="T">\n'
            '<testPart identifier="p" navigationMode="linear" submissionMode="individual">\n'
            '<assessmentSection identifier="s" title="S" visible="true">\n'
            '<assessmentItemRef identifier="i1" href="items/i1.xml"/>\n'
            '<assessmentItemRef identifier="i2"/>\n'
            '<assessmentSectionRef identifier="s2" href="s2.xml"/>\n'
            "</assessmentSection>\n</testPart>\n</assessmentTest>\n").encode()
    result = import_qti("t.xml", test)
    assert result.items == []
    assert [(p.line, p.reason) for p in result.problems] == [
        (5, "assessmentItemRef 'i1' points to 'items/i1.xml', which is not available: a test file imported on its own "
            "carries no items; import the content package (.zip) that holds the item files"),
        (6, "assessmentItemRef 'i2' has no href"),
        (7, "assessmentSectionRef 's2' (s2.xml) is not supported: put the section's items into the test itself"),
    ]


def test_dispatcher_routes_qti_files_here():
    data = qti(ns=V2P2)
    assert import_file("q.xml", data).items == import_qti("q.xml", data).items
    test = (QTI / "empty_test_v2p2.xml").read_bytes()
    assert import_file("t.xml", test).ok


# Malformed input never raises

QTI = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "qti"
SAMPLES = sorted(QTI.glob("*.xml")) + sorted((QTI / "interaction_mix_sachsen").glob("*.xml"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_never_raise(data):
    original = data.draw(st.sampled_from(SAMPLES)).read_bytes()
    blob = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(blob)))
        end = data.draw(st.integers(start, min(len(blob), start + 40)))
        replacement = data.draw(st.sampled_from([
            b"", b"<", b">", b'"', b"&", b"&amp;", b"</p>", b"<value>X</value>", b"maxChoices=\"0\"",
            b"cardinality=\"multiple\"", b"<img src='x'/>", b"\xff\xfe", b"\x00", b"identifier=\"A\"",
            b"<simpleChoice identifier='Z'/>", b"</simpleChoice>", b"xml:lang=\"kk\"",
        ]) | st.binary(max_size=8))
        blob[start:end] = replacement
    result = import_qti("m.xml", bytes(blob))
    assert isinstance(result, ImportResult)
    assert all(p.path == "m.xml" and isinstance(p.reason, str) for p in result.problems)
    assert all(item.problem() is None for item in result.items)
