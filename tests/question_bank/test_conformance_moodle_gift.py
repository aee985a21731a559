"""The Moodle XML and GIFT importers against Moodle's own fixture files, read in place from
../shared/conformance/{moodle_xml,gift} (see SOURCES.md there); one test per file.

Moodle imports cloze, essay, shortanswer, matching and numerical questions; Merit does not deliver those types, so
files containing them are refused by default, and with skip_unsupported the supported questions import and the
rest are listed as skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from question_bank.importers.common import Problem, Skipped, stable_id
from question_bank.importers.gift import import_gift
from question_bank.importers.moodle_xml import category_topic, import_moodle_xml
from question_bank.items import ItemType, Status, Topic

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
MOODLE = CONFORMANCE / "moodle_xml"
GIFT = CONFORMANCE / "gift"
NOTE = "(Merit delivers single choice, multiple response and true/false)"
HINT = " (use --skip-unsupported to import the rest)"

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir() and os.environ.get("CI", "").lower() != "true",
                                reason=f"conformance corpus not found at {CONFORMANCE}")

TESTED = {
    "moodle_xml": {"broken_cloze_questions.xml", "categories_reverse_order.xml", "category_with_description.xml",
                   "deprecated_category.xml", "error_invalid_grades.xml", "export_category.xml",
                   "html_chars_in_idnumbers.xml", "multianswer.xml", "multichoice.xml", "nested_categories.xml",
                   "nested_categories_with_questions.xml", "old_format_file.xml",
                   "sample_questions_with_old_image_tag.xml", "truefalse.xml"},
    "gift": {"questions.gift.txt", "questions_in_category.gift.txt", "questions_encoding_windows-1252.gift.txt"},
}


def moodle(name: str, skip: bool = False):
    return import_moodle_xml(name, (MOODLE / name).read_bytes(), skip_unsupported=skip)


def gift(name: str, skip: bool = False):
    return import_gift(name, (GIFT / name).read_bytes(), skip_unsupported=skip)


def unsupported(name: str, cases: list[tuple[int, str, str]]) -> tuple[list[Problem], list[Skipped]]:
    """The problems (default) and skipped entries (skip_unsupported) for (line, question name, type) cases."""
    reasons = [(line, f'question "{question}": type {kind} is not supported {NOTE}') for line, question, kind in cases]
    return ([Problem(name, line, reason + HINT) for line, reason in reasons],
            [Skipped(name, line, reason) for line, reason in reasons])


def summary(item):
    return (item.id, item.type, sorted(item.key), item.topic, item.name, item.source.line)


TRUE_FALSE_EN = [("true", {"en": "True"}), ("false", {"en": "False"})]


def assert_true_false_alpha(name: str, line: int):
    for skip in (False, True):
        result = moodle(name, skip)
        assert result.problems == [] and result.skipped == []
        [item] = result.items
        assert summary(item) == (stable_id("moodle", "Alpha Question", "<p>Testing Alpha Question</p>"),
                                 ItemType.TRUE_FALSE, ["true"], Topic("alpha"), "Alpha Question", line)
        assert dict(item.stem) == {"en": "Testing Alpha Question"}
        assert [(o.key, dict(o.text)) for o in item.options] == TRUE_FALSE_EN
        assert item.status is Status.DRAFT


def test_every_conformance_file_has_a_test():
    for folder, names in TESTED.items():
        assert {path.name for path in (CONFORMANCE / folder).iterdir()} == names


# ---------------------------------------------------------------------------------------------------------------
# Moodle XML


def test_broken_cloze_questions():
    name = "broken_cloze_questions.xml"
    problems, skipped = unsupported(name, [
        (4, "Multianswer question without subquestions", "cloze"),
        (20, "Multichoice subquestion without choices", "cloze"),
        (36, "Multichoice subquestion with only one choice", "cloze"),
        (52, "Multichoice subquestion with no completely correct answer", "cloze"),
        (68, "Numerical subquestion with buggy answer", "cloze")])
    refused = moodle(name)
    assert (refused.items, refused.problems, refused.skipped) == ([], problems, [])
    result = moodle(name, skip=True)
    assert (result.items, result.problems, result.skipped) == ([], [], skipped)
    assert (len(result.items), len(result.skipped)) == (0, 5)


def test_categories_reverse_order():
    name = "categories_reverse_order.xml"
    problems, skipped = unsupported(name, [(14, "Tau Question", "essay"), (51, "Sigma Question", "shortanswer")])
    refused = moodle(name)
    assert (refused.items, refused.problems, refused.skipped) == ([], problems, [])
    result = moodle(name, skip=True)
    assert (result.items, result.problems, result.skipped) == ([], [], skipped)
    # the categories themselves (child before parent) are read as topics
    assert [category_topic(p) for p in ("$course$/Sigma/Tau", "$course$/Sigma")] == [
        Topic("sigma", "Tau"), Topic("sigma")]


def test_category_with_description():
    assert_true_false_alpha("category_with_description.xml", 15)


def test_deprecated_category():
    assert_true_false_alpha("deprecated_category.xml", 14)


def test_error_invalid_grades():
    name = "error_invalid_grades.xml"
    problem = Problem(name, 38, 'question "Question with invalid grades : x > 1 & x < 2": answer 2 has fraction '
                                '"33", which is not one of the grades Moodle allows')
    for skip in (False, True):
        result = moodle(name, skip)
        assert (result.items, result.problems, result.skipped) == ([], [problem], [])
        assert not result.ok


def test_export_category():
    assert_true_false_alpha("export_category.xml", 15)


def test_html_chars_in_idnumbers():
    for skip in (False, True):
        result = moodle("html_chars_in_idnumbers.xml", skip)
        assert result.problems == [] and result.skipped == []
        [item] = result.items
        assert summary(item) == ("T & F", ItemType.TRUE_FALSE, ["true"], Topic("alpha"), "Alpha Question", 15)
        assert dict(item.stem) == {"en": "Testing Alpha Question"}


def test_multianswer():
    name = "multianswer.xml"
    problems, skipped = unsupported(name, [(12, "cloze with images", "cloze")])
    refused = moodle(name)
    assert (refused.items, refused.problems, refused.skipped) == ([], problems, [])
    result = moodle(name, skip=True)
    assert (result.items, result.problems, result.skipped) == ([], [], skipped)


def test_multichoice():
    for skip in (False, True):
        result = moodle("multichoice.xml", skip)
        assert result.problems == [] and result.skipped == []
        [item] = result.items
        # the id is stable_id("moodle", "Greeting", <the questiontext markup>), pinned here
        assert summary(item) == ("moodle-0b9896a45158", ItemType.SINGLE, ["b"],
                                 Topic("default for testhead", "Multichoice"), "Greeting", 12)
        assert dict(item.stem) == {"en": "Listen to this greeting:\nWhat language is being spoken?"}
        assert [(o.key, dict(o.text)) for o in item.options] == [
            ("a", {"en": "English"}), ("b", {"en": "French"}), ("c", {"en": "German"}), ("d", {"en": "Danish"})]


def test_nested_categories():
    for skip in (False, True):
        result = moodle("nested_categories.xml", skip)
        assert result.problems == [] and result.skipped == []
        [item] = result.items
        assert summary(item) == (stable_id("moodle", "Zeta Question", "<p>Testing Zeta Question</p>"),
                                 ItemType.TRUE_FALSE, ["true"], Topic("delta", "Epsilon/Zeta"), "Zeta Question", 37)
        assert dict(item.stem) == {"en": "Testing Zeta Question"}


def test_nested_categories_with_questions():
    name = "nested_categories_with_questions.xml"
    problems, skipped = unsupported(name, [(55, "Kappa Essay Question", "essay")])
    expected = [
        (stable_id("moodle", f"{q} Question", f"<p>Testing {q} Question</p>"), ItemType.TRUE_FALSE, ["true"], topic,
         f"{q} Question", line)
        for q, topic, line in [("Iota", Topic("iota"), 15), ("Kappa", Topic("iota", "Kappa"), 83),
                               ("Lambda", Topic("iota", "Kappa/Lambda"), 123), ("Mu", Topic("iota", "Mu"), 163)]]
    refused = moodle(name)
    assert (refused.problems, refused.skipped) == (problems, [])
    assert not refused.ok
    result = moodle(name, skip=True)
    assert (result.problems, result.skipped) == ([], skipped)
    assert [summary(item) for item in result.items] == expected
    assert (len(result.items), len(result.skipped)) == (4, 1)
    assert dict(result.items[2].stem) == {"en": "Testing Lambda Question"}


def test_old_format_file():
    for skip in (False, True):
        result = moodle("old_format_file.xml", skip)
        assert result.problems == [] and result.skipped == []
        assert [summary(item) for item in result.items] == [
            (stable_id("moodle", "Pi Question", "<p>Testing Pi Question</p>"), ItemType.TRUE_FALSE, ["true"],
             Topic("pi"), "Pi Question", 11),
            (stable_id("moodle", "Rho Question", "<p>Testing Rho Question</p>"), ItemType.TRUE_FALSE, ["true"],
             Topic("pi", "Rho"), "Rho Question", 46)]
        assert dict(result.items[1].stem) == {"en": "Testing Rho Question"}


def test_sample_questions_with_old_image_tag():
    name = "sample_questions_with_old_image_tag.xml"
    problems, skipped = unsupported(name, [(16, "cloze question with image", "cloze")])
    refused = moodle(name)
    assert (refused.problems, refused.skipped) == (problems, [])
    result = moodle(name, skip=True)
    assert (result.problems, result.skipped) == ([], skipped)
    [item] = result.items
    assert summary(item) == ("moodle-9ce994b03b4c", ItemType.SINGLE, ["c"],
                             Topic("default for test images in backup"), "mcq with image", 36)
    assert dict(item.stem) == {"en": 'This is a multichoice question with an image in the old "image" field that was '
                                     "used in Moodle 1.9"}
    assert [(o.key, o.text["en"]) for o in item.options] == [
        ("a", "wrong answer"), ("b", "another wrong answer"), ("c", "right answer")]


def test_truefalse():
    for skip in (False, True):
        result = moodle("truefalse.xml", skip)
        assert result.problems == [] and result.skipped == []
        topic = Topic("default for testhead", "TrueFalse")
        assert [summary(item) for item in result.items] == [
            ("moodle-b8b9e4e239c4", ItemType.TRUE_FALSE, ["false"], topic, "Moodle acronym (False)", 12),
            ("moodle-0db83b2c2bee", ItemType.TRUE_FALSE, ["true"], topic, "Moodle acronym (True)", 40)]
        assert dict(result.items[0].stem) == {
            "en": "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Education."}
        assert [(o.key, dict(o.text)) for o in result.items[1].options] == TRUE_FALSE_EN


# ---------------------------------------------------------------------------------------------------------------
# GIFT


def test_questions_gift():
    name = "questions.gift.txt"
    problems, skipped = unsupported(name, [(2, "Q8", "essay"), (5, "Moodle activities", "matching"),
                                           (31, "Q5", "numerical"), (34, "Shortanswer", "shortanswer")])
    spectrum = "What's between orange and green in the spectrum?"
    tsl = stable_id("gift", "2-08 TSL", "TSL is blablabla.")
    expected = [
        (stable_id("gift", "Q2", spectrum), ItemType.SINGLE, ["a"], Topic("uncategorized"), "Q2", 14),
        (stable_id("gift", "colours", spectrum), ItemType.MULTIPLE, ["a", "c"], Topic("uncategorized"), "colours", 22),
        (stable_id("gift", "Q1", "42 is the Absolute Answer to everything."), ItemType.TRUE_FALSE, ["false"],
         Topic("uncategorized"), "Q1", 41),
        (tsl, ItemType.TRUE_FALSE, ["true"], Topic("uncategorized"), "2-08 TSL", 46),
        (f"{tsl}-2", ItemType.TRUE_FALSE, ["true"], Topic("uncategorized"), "2-08 TSL", 49),
    ]
    refused = gift(name)
    assert (refused.problems, refused.skipped) == (problems, [])
    assert not refused.ok
    result = gift(name, skip=True)
    assert (result.problems, result.skipped) == ([], skipped)
    assert [summary(item) for item in result.items] == expected
    assert (len(result.items), len(result.skipped)) == (5, 4)  # Moodle's 9 questions
    q2, colours, q1, _, _ = result.items
    assert dict(q2.stem) == {"en": spectrum}
    assert [o.text["en"] for o in q2.options] == ["yellow", "red", "blue"]
    assert [o.text["en"] for o in colours.options] == ["yellow", "red", "off-beige", "blue"]
    assert dict(q1.stem) == {"en": "42 is the Absolute Answer to everything."}  # the stray `";` is dropped


def test_questions_in_category_gift():
    name = "questions_in_category.gift.txt"
    problems, skipped = unsupported(name, [(5, "Moodle activities", "matching"), (22, "Moodle user", "shortanswer")])
    topic = Topic("default for new features")
    greeting_text = ('<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
                     "<br /><br />What language is being spoken?")
    acronym_text = ('Moodle is an acronym for <span style="font-style: italic;">Modular Object-Oriented Dynamic '
                    "Learning Environment</span>.")
    refused = gift(name)
    assert (refused.problems, refused.skipped) == (problems, [])
    result = gift(name, skip=True)
    assert (result.problems, result.skipped) == ([], skipped)
    assert [summary(item) for item in result.items] == [
        (stable_id("gift", "Greeting", greeting_text), ItemType.SINGLE, ["b"], topic, "Greeting", 14),
        (stable_id("gift", "Moodle acronym", acronym_text), ItemType.TRUE_FALSE, ["true"], topic, "Moodle acronym",
         27)]
    greeting, acronym = result.items
    assert dict(greeting.stem) == {"en": "Listen to this greeting:\nWhat language is being spoken?"}
    assert [o.text["en"] for o in greeting.options] == ["English", "French", "German", "Spanish"]
    assert dict(acronym.stem) == {"en": "Moodle is an acronym for Modular Object-Oriented Dynamic Learning "
                                        "Environment."}


def test_questions_encoding_windows_1252_gift():
    name = "questions_encoding_windows-1252.gift.txt"
    for skip in (False, True):
        result = gift(name, skip)
        assert (result.items, result.skipped) == ([], [])
        assert result.problems == [Problem(name, 15, "the file is not UTF-8 (GIFT files must be UTF-8)")]
