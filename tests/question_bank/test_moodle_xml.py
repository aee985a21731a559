"""Moodle XML: the importer's rules on small hand-written files, the exporter, and export -> import round trips."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.exporters.moodle_xml import export_moodle_xml
from question_bank.importers.common import Problem, Skipped, plain_text, stable_id
from question_bank.importers.moodle_xml import (
    TRUE_FALSE_LABELS,
    category_topic,
    import_moodle_xml,
    match_grade,
    option_keys,
    split_languages,
)
from question_bank.items import LANGUAGES, Item, ItemType, Option, Source, Status, Topic, item_to_dict

NOTE = "(Merit delivers single choice, multiple response and true/false)"
HINT = " (use --skip-unsupported to import the rest)"


def quiz(*questions: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n").encode()


def multichoice(name: str, text: str, answers: list[tuple[str, str]], *, single: str = "true",
                extra: str = "") -> str:
    """A multichoice question; each answer is (fraction, text) and sits on one line."""
    lines = [f'<question type="multichoice">', f"<name><text>{name}</text></name>",
             f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>',
             f"<single>{single}</single>", extra]
    lines += [f'<answer fraction="{fraction}" format="html"><text><![CDATA[{answer}]]></text></answer>'
              for fraction, answer in answers]
    lines.append("</question>")
    return "\n".join(line for line in lines if line)


def truefalse(name: str, text: str, right: str = "true", extra: str = "") -> str:
    wrong = "false" if right == "true" else "true"
    return "\n".join(line for line in [
        '<question type="truefalse">', f"<name><text>{name}</text></name>",
        f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>', extra,
        f'<answer fraction="100"><text>{right}</text></answer>', f'<answer fraction="0"><text>{wrong}</text></answer>',
        "</question>"] if line)


def category(path: str) -> str:
    return f'<question type="category"><category><text>{path}</text></category></question>'


def without_source(item: Item) -> dict:
    data = item_to_dict(item)
    data.pop("source")
    return data


def only(result):
    assert result.problems == [] and result.skipped == []
    assert len(result.items) == 1
    return result.items[0]


# ---------------------------------------------------------------------------------------------------------------
# Importer: types, keys, texts


def test_single_choice_item_with_keys_in_source_order_and_plain_texts():
    data = quiz(multichoice("Capital", "<p>Which city is the <b>capital</b> of Kazakhstan?</p>",
                            [("0", "<p>Almaty</p>"), ("100", "Astana &amp; nothing else"), ("0", "Shymkent")]))
    item = only(import_moodle_xml("q.xml", data))
    assert item.type is ItemType.SINGLE
    assert item.name == "Capital"
    assert dict(item.stem) == {"en": "Which city is the capital of Kazakhstan?"}
    assert [(o.key, dict(o.text)) for o in item.options] == [
        ("a", {"en": "Almaty"}), ("b", {"en": "Astana & nothing else"}), ("c", {"en": "Shymkent"})]
    assert item.key == {"b"}
    assert item.status is Status.DRAFT and item.version == 1
    assert item.topic == Topic("uncategorized")
    assert item.source == Source("q.xml", 3)
    assert item.id == stable_id("moodle", "Capital", "<p>Which city is the <b>capital</b> of Kazakhstan?</p>")


def test_partial_credit_on_a_single_choice_question_is_dropped():
    data = quiz(multichoice("Q", "Pick one", [("50", "half"), ("100", "right"), ("-33.33333", "wrong")]))
    assert only(import_moodle_xml("q.xml", data)).key == {"b"}


def test_multiple_response_takes_the_answers_with_positive_fractions():
    data = quiz(multichoice("Primes", "Select the primes", [("33.33333", "2"), ("-100", "4"), ("33.33333", "3"),
                                                            ("33.333333", "5"), ("0", "9")], single="false"))
    item = only(import_moodle_xml("q.xml", data))
    assert item.type is ItemType.MULTIPLE
    assert item.key == {"a", "c", "d"}
    assert [o.key for o in item.options] == ["a", "b", "c", "d", "e"]


def test_single_accepts_1_and_0_as_moodle_does():
    assert only(import_moodle_xml("q.xml", quiz(multichoice("Q", "x", [("100", "a"), ("0", "b")], single="1")))
                ).type is ItemType.SINGLE
    assert only(import_moodle_xml("q.xml", quiz(multichoice("Q", "x", [("50", "a"), ("50", "b")], single="0")))
                ).type is ItemType.MULTIPLE


def test_missing_single_element_means_single_choice():
    question = multichoice("Q", "x", [("100", "a"), ("0", "b")]).replace("<single>true</single>\n", "")
    assert only(import_moodle_xml("q.xml", quiz(question))).type is ItemType.SINGLE


def test_true_false_keys_and_labels_follow_the_answers():
    item = only(import_moodle_xml("q.xml", quiz(truefalse("TF", "Астана — столица Казахстана.", right="false"))))
    assert item.type is ItemType.TRUE_FALSE
    assert item.key == {"false"}
    assert [(o.key, dict(o.text)) for o in item.options] == [("false", {"ru": "Неверно"}), ("true", {"ru": "Верно"})]
    assert dict(item.stem) == {"ru": "Астана — столица Казахстана."}


def test_true_false_in_the_order_of_the_file():
    question = ('<question type="truefalse"><name><text>TF</text></name>'
                '<questiontext><text>Sky is green</text></questiontext>'
                '<answer fraction="0"><text>true</text></answer>'
                '<answer fraction="100"><text>false</text></answer></question>')
    item = only(import_moodle_xml("q.xml", quiz(question)))
    assert [o.key for o in item.options] == ["true", "false"]
    assert item.key == {"false"}


def test_plain_text_format_is_literal_text():
    question = ('<question type="multichoice"><name><text>Q</text></name>'
                '<questiontext format="plain_text"><text>Is x &lt;b&gt; y?</text></questiontext>'
                '<answer fraction="100" format="plain_text"><text>a &lt; b &gt; c</text></answer>'
                '<answer fraction="0" format="html"><text>a &lt; b &gt; c</text></answer></question>')
    item = only(import_moodle_xml("q.xml", quiz(question)))
    assert dict(item.stem) == {"en": "Is x <b> y?"}
    assert [dict(o.text) for o in item.options] == [{"en": "a < b > c"}, {"en": "a c"}]


def test_html_is_never_kept():
    data = quiz(multichoice("Q", '<p onclick="x()">Read <a href="http://e.kz">this</a><br/>and answer</p>',
                            [("100", "<script>alert(1)</script>yes"), ("0", "<img src=x onerror=y>no")]))
    item = only(import_moodle_xml("q.xml", data))
    assert dict(item.stem) == {"en": "Read this\nand answer"}
    assert [o.text["en"] for o in item.options] == ["alert(1)yes", "no"]


def test_raw_xhtml_inside_text_is_read_as_markup():
    question = ('<question type="truefalse"><name><text>Q</text></name><questiontext format="html"><text>'
                '<span lang="kk" class="multilang">Аспан көк</span><span lang="en" class="multilang">Sky is blue</span>'
                '</text></questiontext><answer fraction="100"><text>true</text></answer>'
                '<answer fraction="0"><text>false</text></answer></question>')
    item = only(import_moodle_xml("q.xml", quiz(question)))
    assert dict(item.stem) == {"kk": "Аспан көк", "en": "Sky is blue"}


# ---------------------------------------------------------------------------------------------------------------
# Languages


def test_multilang_spans_split_stem_and_options():
    stem = ('<p><span lang="kk" class="multilang">Мемлекеттік тіл қандай?</span>'
            '<span class="multilang" lang="ru">Какой язык государственный?</span>'
            '<span lang="en" class="multilang">Which language is the state language?</span></p>')
    data = quiz(multichoice("Lang", stem, [
        ("100", '<span lang="kk" class="multilang">қазақ тілі</span><span lang="ru" class="multilang">казахский</span>'
                '<span lang="en" class="multilang">Kazakh</span>'),
        ("0", "42")]))
    item = only(import_moodle_xml("q.xml", data))
    assert dict(item.stem) == {"kk": "Мемлекеттік тіл қандай?", "ru": "Какой язык государственный?",
                               "en": "Which language is the state language?"}
    assert dict(item.options[0].text) == {"kk": "қазақ тілі", "ru": "казахский", "en": "Kazakh"}
    assert dict(item.options[1].text) == {"kk": "42", "ru": "42", "en": "42"}  # no spans: every stem language
    assert item.languages == {"kk", "ru", "en"}


def test_mlang_syntax_regional_codes_and_text_outside_spans():
    stem = "1) {mlang kk_KZ}Сұрақ{mlang}{mlang ru}Вопрос{mlang}{mlang de}Frage{mlang}"
    item = only(import_moodle_xml("q.xml", quiz(truefalse("Q", stem))))
    assert dict(item.stem) == {"kk": "1) Сұрақ", "ru": "1) Вопрос"}
    assert [dict(o.text) for o in item.options] == [
        {"kk": "Дұрыс", "ru": "Верно"}, {"kk": "Дұрыс емес", "ru": "Неверно"}]


def test_legacy_lang_tags():
    assert split_languages('<lang lang="ru">Да</lang><lang lang="en">Yes</lang>') == {"ru": "Да", "en": "Yes"}
    assert split_languages("no spans here") is None
    assert split_languages('<span lang="kk">not multilang</span>') is None


def test_stem_only_in_other_languages_is_a_problem():
    stem = '<span lang="de" class="multilang">Frage</span><span lang="fr" class="multilang">Question</span>'
    result = import_moodle_xml("q.xml", quiz(truefalse("Q", stem)))
    assert result.items == []
    assert result.problems == [Problem("q.xml", 3, 'question "Q": the question text has no kk, ru or en text '
                                                   "(multilang languages: de, fr)")]


def test_language_is_guessed_from_the_stem_for_every_text():
    data = quiz(multichoice("Q", "Қай қала елорда?", [("100", "Astana"), ("0", "Almaty")]))
    item = only(import_moodle_xml("q.xml", data))
    assert dict(item.stem) == {"kk": "Қай қала елорда?"}
    assert [dict(o.text) for o in item.options] == [{"kk": "Astana"}, {"kk": "Almaty"}]


# ---------------------------------------------------------------------------------------------------------------
# Categories and ids


@pytest.mark.parametrize(("path", "topic"), [
    ("$course$/Sigma/Tau", Topic("sigma", "Tau")),
    ("$module$/Delta/Epsilon/Zeta", Topic("delta", "Epsilon/Zeta")),
    ("$system$/top/Constitution/Art. 33", Topic("constitution", "Art. 33")),
    ("$cat$/top", Topic("uncategorized")),
    ("$course$/Civil//Service/Art 1//2", Topic("civil/service", "Art 1/2")),
    ("Plain/Path", Topic("plain", "Path")),
    ("  $course$/  Alpha  /  Beta  ", Topic("alpha", "Beta")),
])
def test_category_paths(path, topic):
    assert category_topic(path) == topic


def test_categories_apply_to_the_questions_after_them():
    data = quiz(truefalse("Before", "Sky is blue"), category("$course$/top/Constitution/Art. 33"),
                truefalse("After", "Grass is green"))
    result = import_moodle_xml("q.xml", data)
    assert [item.topic for item in result.items] == [Topic("uncategorized"), Topic("constitution", "Art. 33")]


def test_idnumber_is_the_id_and_generated_ids_do_not_repeat():
    data = quiz(truefalse("Same", "Same text", extra="<idnumber>  CONST &amp; 1  </idnumber>"),
                truefalse("Same", "Same text"), truefalse("Same", "Same text"),
                truefalse("Same", "Same text", extra="<idnumber></idnumber>"))
    result = import_moodle_xml("q.xml", data)
    base = stable_id("moodle", "Same", "Same text")
    assert result.problems == []
    assert [item.id for item in result.items] == ["CONST & 1", base, f"{base}-2", f"{base}-3"]


def test_a_repeated_idnumber_is_a_problem():
    data = quiz(truefalse("One", "Sky is blue", extra="<idnumber>Q-1</idnumber>"),
                truefalse("Two", "Grass is green", extra="<idnumber>Q-1</idnumber>"))
    result = import_moodle_xml("q.xml", data)
    assert [item.name for item in result.items] == ["One"]
    assert result.problems == [Problem("q.xml", 10, 'question "Two": id "Q-1" repeats (first at line 3)')]


# ---------------------------------------------------------------------------------------------------------------
# Problems


def test_grades_must_be_moodle_grades():
    data = quiz(multichoice("G", "x", [("100", "a"), ("33", "b"), ("abc", "c"), ("-70", "d")]))
    result = import_moodle_xml("q.xml", data)
    assert result.items == []
    assert result.problems == [
        Problem("q.xml", 8, 'question "G": answer 2 has fraction "33", which is not one of the grades Moodle allows'),
        Problem("q.xml", 9, 'question "G": answer 3 has fraction "abc", which is not one of the grades Moodle allows'),
    ]


@pytest.mark.parametrize(("value", "grade"), [
    (100, 100.0), (33.333, 33.33333), (-33.33333, -33.33333), (83.3333333, 83.33333), (14.2857, 14.28571),
    (0, 0.0), (-100, -100.0), (33, None), (101, None), (float("nan"), None), (float("inf"), None), (-0.5, None)])
def test_match_grade(value, grade):
    assert match_grade(value) == grade


def test_single_choice_needs_exactly_one_full_answer():
    data = quiz(multichoice("None", "x", [("50", "a"), ("0", "b")]),
                multichoice("Two", "x", [("100", "a"), ("100", "b")]))
    result = import_moodle_xml("q.xml", data)
    assert result.items == []
    assert result.problems == [
        Problem("q.xml", 3, 'question "None": a single-choice question needs exactly one answer with fraction 100, '
                            "found 0"),
        Problem("q.xml", 10, 'question "Two": a single-choice question needs exactly one answer with fraction 100, '
                             "found 2"),
    ]


def test_multiple_response_fractions_must_add_up_to_100():
    data = quiz(multichoice("M", "x", [("50", "a"), ("25", "b"), ("-100", "c")], single="false"))
    assert import_moodle_xml("q.xml", data).problems == [Problem(
        "q.xml", 3, 'question "M": the positive fractions of a multiple-response question must add up to 100, '
                    "they add up to 75")]


def test_fewer_than_two_answers_and_empty_texts():
    data = quiz(multichoice("One", "x", [("100", "a")]), multichoice("Blank", "", [("100", "a"), ("0", "b")]),
                multichoice("Image", "x", [("100", '<img src="a.png">'), ("0", "b")]))
    result = import_moodle_xml("q.xml", data)
    assert result.items == []
    assert result.problems == [
        Problem("q.xml", 3, 'question "One": at least 2 answers are needed, found 1'),
        Problem("q.xml", 9, 'question "Blank": the question text is empty'),
        Problem("q.xml", 20, 'question "Image": answer 1 has no text'),
    ]


def test_true_false_needs_true_and_false_answers():
    question = ('<question type="truefalse"><name><text>TF</text></name><questiontext><text>x</text></questiontext>'
                '<answer fraction="100"><text>yes</text></answer><answer fraction="0"><text>no</text></answer>'
                "</question>")
    both = truefalse("Both", "y").replace('fraction="0"', 'fraction="100"')
    result = import_moodle_xml("q.xml", quiz(question, both))
    assert result.problems == [
        Problem("q.xml", 3, 'question "TF": a true/false question needs exactly the answers "true" and "false", '
                            'found "yes", "no"'),
        Problem("q.xml", 4, 'question "Both": a true/false question needs one answer with fraction 100 and the '
                            "other with 0"),
    ]


def test_bad_single_value_and_missing_type():
    data = quiz(multichoice("S", "x", [("100", "a"), ("0", "b")], single="maybe"),
                '<question><name><text>Typeless</text></name></question>')
    assert import_moodle_xml("q.xml", data).problems == [
        Problem("q.xml", 6, 'question "S": <single> must be true or false, found "maybe"'),
        Problem("q.xml", 10, 'question "Typeless": the <question> has no type attribute'),
    ]


def test_malformed_and_foreign_xml_become_problems():
    assert import_moodle_xml("q.xml", b"<quiz>\n<question type='truefalse'>\n</quiz>").problems == [
        Problem("q.xml", 3, "not well-formed XML (mismatched tag: line 3, column 2)")]
    assert import_moodle_xml("q.xml", b"").problems[0].reason.startswith("not well-formed XML")
    assert import_moodle_xml("q.xml", b'<?xml version="1.0"?>\n<assessmentItem/>').problems == [
        Problem("q.xml", 2, "expected a Moodle XML <quiz> root element, found <assessmentItem>")]
    assert import_moodle_xml("q.xml", b"<quiz>\n<questions/>\n</quiz>").problems == [
        Problem("q.xml", 2, "unexpected element <questions> in <quiz> (expected <question>)")]
    assert import_moodle_xml("q.xml", b'<?xml version="1.0" encoding="TF-8"?>\n<quiz/>').problems == [
        Problem("q.xml", 1, "the XML declaration names an encoding that cannot be read (unknown encoding: TF-8)")]
    assert import_moodle_xml("q.xml", b'<?xml version="1.0" encoding="shift_jis"?>\n<quiz/>').problems == [
        Problem("q.xml", 1, "the XML declaration names an encoding that cannot be read "
                            "(multi-byte encodings are not supported)")]
    bomb = b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>'
    assert import_moodle_xml("q.xml", bomb).problems == [Problem(
        "q.xml", None, "unsafe XML refused (EntitiesForbidden: entities and external references are not allowed)")]


@pytest.mark.parametrize("skip", [False, True])
def test_unsupported_types_are_refused_or_skipped(skip):
    data = quiz('<question type="essay"><name><text>Sigma essay</text></name></question>',
                truefalse("Fine", "Sky is blue"),
                '<question type="ddwtos"><name><text>Drag</text></name></question>')
    result = import_moodle_xml("q.xml", data, skip_unsupported=skip)
    assert [item.name for item in result.items] == ["Fine"]
    reasons = [(3, 'question "Sigma essay": type essay is not supported ' + NOTE),
               (10, 'question "Drag": type ddwtos is not supported ' + NOTE)]
    if skip:
        assert result.problems == []
        assert result.skipped == [Skipped("q.xml", line, reason) for line, reason in reasons]
    else:
        assert result.skipped == []
        assert result.problems == [Problem("q.xml", line, reason + HINT) for line, reason in reasons]


# ---------------------------------------------------------------------------------------------------------------
# Merit's tags


def tags(*texts: str) -> str:
    return "<tags>" + "".join(f"<tag><text>{text}</text></tag>" for text in texts) + "</tags>"


def test_merit_tags_set_the_fields_moodle_has_no_place_for():
    extra = tags("merit:id=C-1", "merit:version=4", "merit:act=constitution", "merit:article=art. 33",
                 "merit:difficulty=0.35", "merit:status=active", "merit:enemy_group=g-7",
                 "merit:law_date=2023-06-01", "other tag", "merit:competency=integrity")
    data = quiz(category("$course$/Something/Else"),
                truefalse("T", "Sky is blue", extra=extra + "<idnumber>X</idnumber>"))
    item = only(import_moodle_xml("q.xml", data))
    assert (item.id, item.version, item.topic, item.difficulty, item.status, item.enemy_group, item.law_date,
            item.competency) == ("C-1", 4, Topic("constitution", "art. 33"), 0.35, Status.ACTIVE, "g-7",
                                 date(2023, 6, 1), "integrity")


def test_merit_article_alone_keeps_the_category_act():
    data = quiz(category("$course$/Ethics/Old"), truefalse("T", "Sky is blue", extra=tags("merit:article=art. 2")))
    assert only(import_moodle_xml("q.xml", data)).topic == Topic("ethics", "art. 2")


def test_likert_from_tags():
    extra = tags("merit:type=likert", "merit:competency=teamwork", "merit:reverse_keyed=true", "merit:act=competency")
    data = quiz(multichoice("L", "I enjoy working in a team", [("0", "Disagree"), ("0", "Neutral"), ("0", "Agree")],
                            extra=extra))
    item = only(import_moodle_xml("q.xml", data))
    assert (item.type, item.key, item.competency, item.reverse_keyed) == (
        ItemType.LIKERT, frozenset(), "teamwork", True)
    assert [o.key for o in item.options] == ["1", "2", "3"]


def test_bad_merit_tags_are_problems():
    extra = tags("merit:difficulty=1.5", "merit:status=published", "merit:colour=red", "merit:version=0",
                 "merit:law_date=2023-02-30", "merit:reverse_keyed=yes", "merit:nothing", "merit:keys=[1]",
                 "merit:act=", "merit:status=draft", "merit:status=active")
    data = quiz("<question type='truefalse'><name><text>T</text></name><questiontext><text>x</text></questiontext>\n"
                + extra.replace("<tag>", "\n<tag>") + "\n<answer fraction='100'><text>true</text></answer>"
                "<answer fraction='0'><text>false</text></answer></question>")
    result = import_moodle_xml("q.xml", data)
    assert result.items == []
    assert [(p.line, p.reason) for p in result.problems] == [
        (5, 'question "T": tag "merit:difficulty=1.5": difficulty must be a number between 0 and 1'),
        (6, 'question "T": tag "merit:status=published": status must be one of draft, active, retired'),
        (7, 'question "T": tag "merit:colour=red": unknown Merit field "colour" (known: id, version, type, keys, '
            "labels, act, article, difficulty, status, enemy_group, law_date, competency, reverse_keyed)"),
        (8, 'question "T": tag "merit:version=0": version must be a whole number from 1'),
        (9, 'question "T": tag "merit:law_date=2023-02-30": law_date must be a date YYYY-MM-DD'),
        (10, 'question "T": tag "merit:reverse_keyed=yes": reverse_keyed must be "true" or "false"'),
        (11, 'question "T": tag "merit:nothing" has no "=" (expected merit:NAME=VALUE)'),
        (12, 'question "T": tag "merit:keys=[1]": keys must be a JSON list of option keys'),
        (13, 'question "T": tag "merit:act=": act is empty'),
        (15, 'question "T": tag "merit:status" repeats'),
    ]


def test_merit_type_must_fit_the_question():
    data = quiz(truefalse("T", "x", extra=tags("merit:type=single")),
                multichoice("M", "x", [("50", "a"), ("50", "b")], single="false", extra=tags("merit:type=likert")),
                multichoice("L", "x", [("100", "a"), ("0", "b"), ("0", "c")], extra=tags("merit:type=likert")))
    assert [(p.line, p.reason) for p in import_moodle_xml("q.xml", data).problems] == [
        (3, 'question "T": tag merit:type=single does not fit a truefalse question'),
        (10, 'question "M": tag merit:type=likert does not fit a multichoice question with <single>false'),
        (18, 'question "L": a Likert item (merit:type=likert) needs fraction 0 on every answer'),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Exporter


def make(item_id="q-1", item_type=ItemType.SINGLE, stem=None, options=None, key=("a",), **fields) -> Item:
    options = options or (Option("a", {"en": "Yes"}), Option("b", {"en": "No"}))
    return Item(item_id, item_type, stem or {"en": "Is it?"}, options, frozenset(key),
                fields.pop("topic", Topic("ethics")), **fields)


def test_export_writes_categories_only_when_the_topic_changes():
    items = [make("a", topic=Topic("constitution", "art. 1/2")), make("b", topic=Topic("constitution", "art. 1/2")),
             make("c", topic=Topic("ethics"))]
    text = export_moodle_xml(items).decode()
    assert re.findall(r"<category>\s*<text>(.*?)</text>", text) == ["$course$/top/constitution/art. 1//2",
                                                                   "$course$/top/ethics"]
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')


def test_export_fractions_for_multiple_response():
    options = tuple(Option(k, {"en": k.upper()}) for k in "abcd")
    text = export_moodle_xml([make(item_type=ItemType.MULTIPLE, options=options, key="abd")]).decode()
    assert re.findall(r'fraction="([^"]+)"', text) == ["33.33333", "33.33333", "-100", "33.33333"]
    assert "<single>false</single>" in text


@pytest.mark.parametrize(("correct", "shares"), [
    (1, ["100"]), (2, ["50"] * 2), (6, ["16.66667"] * 6), (7, ["14.28571"] * 7), (10, ["10"] * 10),
    (11, ["10"] * 9 + ["5"] * 2), (20, ["5"] * 20)])
def test_export_fractions_are_moodle_grades_that_add_up_to_100(correct, shares):
    options = tuple(Option(k, {"en": k}) for k in option_keys(correct + 1))
    item = make(item_type=ItemType.MULTIPLE, options=options, key=[o.key for o in options[:correct]])
    fractions = re.findall(r'fraction="([^"]+)"', export_moodle_xml([item]).decode())
    assert fractions == shares + ["-100"]
    assert only(import_moodle_xml("x.xml", export_moodle_xml([item]))).key == item.key


def test_export_refuses_what_moodle_cannot_hold():
    options = tuple(Option(k, {"en": k}) for k in option_keys(21))
    with pytest.raises(ValueError, match="Moodle cannot give 21 correct options each a positive grade"):
        export_moodle_xml([make(item_type=ItemType.MULTIPLE, options=options, key=[o.key for o in options])])
    with pytest.raises(ValueError, match="character U\\+0001 cannot be written in XML"):
        export_moodle_xml([make(stem={"en": "bad \x01 text"})])


def test_export_uses_multilang_spans_only_when_needed():
    plain = export_moodle_xml([make(stem={"ru": "Верно ли?"}, options=(Option("a", {"ru": "Да"}),
                                                                        Option("b", {"ru": "Нет"})))]).decode()
    assert "multilang" not in plain
    assert "<text>Верно ли?</text>" in plain
    # Kazakh text without Kazakh-only letters would be guessed as Russian: it is marked
    marked = export_moodle_xml([make(stem={"kk": "Бала мектепке барады ма?"}, options=(
        Option("a", {"kk": "Иә"}), Option("b", {"kk": "Жоқ"})))]).decode()
    assert '&lt;span lang="kk" class="multilang"&gt;Бала мектепке барады ма?&lt;/span&gt;' in marked


def test_export_texts_are_escaped_html():
    item = make(stem={"en": 'x < y & "z" > {mlang kk}\nsecond line'}, name="a <b> & c")
    text = export_moodle_xml([item]).decode()
    assert "<text>x &amp;lt; y &amp;amp; \"z\" &amp;gt; &amp;#123;mlang kk}&lt;br&gt;second line</text>" in text
    assert "<text>a &amp;lt;b&amp;gt; &amp;amp; c</text>" in text
    assert without_source(only(import_moodle_xml("x.xml", export_moodle_xml([item])))) == without_source(item)


def test_export_of_likert_and_true_false():
    likert = make("l-1", ItemType.LIKERT, {"en": "I plan ahead"}, tuple(Option(str(n), {"en": f"level {n}"})
                                                                       for n in range(1, 6)),
                  key=(), competency="planning", reverse_keyed=True)
    tf = make("t-1", ItemType.TRUE_FALSE, {"en": "Sky is blue"},
              (Option("true", {"en": "True"}), Option("false", {"en": "False"})), key=("true",))
    text = export_moodle_xml([likert, tf]).decode()
    assert re.findall(r"<tag><text>(.*?)</text></tag>", text) == [
        "merit:id=l-1", "merit:version=1", "merit:type=likert", "merit:act=ethics", "merit:status=draft",
        "merit:competency=planning", "merit:reverse_keyed=true",
        "merit:id=t-1", "merit:version=1", "merit:act=ethics", "merit:status=draft"]
    assert re.findall(r'<question type="(\w+)">', text) == ["category", "multichoice", "truefalse"]
    assert re.findall(r'<answer fraction="(\S+)" format="\w+">\s*<text>(.*?)</text>', text)[-2:] == [
        ("100", "true"), ("0", "false")]
    result = import_moodle_xml("x.xml", export_moodle_xml([likert, tf]))
    assert [without_source(i) for i in result.items] == [without_source(likert), without_source(tf)]


def test_export_keeps_an_authors_true_false_labels():
    item = make(item_type=ItemType.TRUE_FALSE, stem={"kk": "Аспан көк пе?", "ru": "Небо голубое?"},
                options=(Option("true", {"kk": "Иә", "ru": "Да"}), Option("false", {"kk": "Жоқ", "ru": "Нет"})),
                key=("false",))
    text = export_moodle_xml([item]).decode()
    assert ('<tag><text>merit:labels={"true": {"kk": "Иә", "ru": "Да"}, "false": {"kk": "Жоқ", "ru": "Нет"}}'
            "</text></tag>") in text
    assert without_source(only(import_moodle_xml("x.xml", export_moodle_xml([item])))) == without_source(item)
    standard = make(item_type=ItemType.TRUE_FALSE, stem={"en": "Sky is blue"}, key=("true",),
                    options=(Option("true", {"en": "True"}), Option("false", {"en": "False"})))
    assert "merit:labels" not in export_moodle_xml([standard]).decode()


def test_bad_labels_tag():
    result = import_moodle_xml("q.xml", quiz(truefalse("T", "x", extra=tags('merit:labels={"true": {"de": "Ja"}}')),
                                             multichoice("M", "y", [("100", "a"), ("0", "b")],
                                                         extra=tags('merit:labels={"true": {}, "false": {}}'))))
    assert [(p.line, p.reason) for p in result.problems] == [
        (6, 'question "T": tag "merit:labels={"true": {"de": "Ja"}}": labels must be a JSON object '
            '{"true": {language: text}, "false": {language: text}}'),
        (10, 'question "M": tag merit:labels applies only to a truefalse question')]


def test_export_keeps_non_default_option_keys():
    item = make(options=(Option("b", {"en": "Yes"}), Option("d", {"en": "No"})), key=("d",))
    text = export_moodle_xml([item]).decode()
    assert '<tag><text>merit:keys=["b", "d"]</text></tag>' in text
    assert without_source(only(import_moodle_xml("x.xml", export_moodle_xml([item])))) == without_source(item)


# ---------------------------------------------------------------------------------------------------------------
# Round trips of generated items


def canonical(text: str) -> str:
    """Text as Merit keeps it after any import: what plain_text gives for the text written as HTML."""
    return plain_text(html.escape(text, quote=False))


WORDS = ["Қазақстан", "Конституция", "мемлекеттік", "әділ", "ұлт", "Republic", "x < y > z", "a & b", "&amp;",
         "&lt;b&gt;", "<b>bold</b>", '"quoted"', "it's", "{mlang kk}", "{mlang}", "<br>",
         '<span lang="ru" class="multilang">', "</span>", "50%", "#1", "=", "~", "]]>", "\n"]
ALPHABET = "abcxyzABC әғқңөұүһіӘҒҚ абвгдеёжРСТЯ 0123456789 .,?!-:;()/<>&\"'{}%#=~[]\n"
META_ALPHABET = ALPHABET.replace("\n", "")

texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(ALPHABET, min_size=1, max_size=12)),
                 min_size=1, max_size=6).map(" ".join).map(canonical).filter(bool)
names = st.none() | st.text(META_ALPHABET, min_size=1, max_size=30).map(canonical).filter(bool)
values = st.text(META_ALPHABET, min_size=1, max_size=24).map(str.strip).filter(bool)
ids = st.text("abcdefXYZ0123456789-_.:/ &<>\"'", min_size=1, max_size=20).map(str.strip).filter(bool)


@st.composite
def items(draw, *, csv: bool = False) -> Item:
    """Items of every type in 1-3 languages with 2-6 options and Merit's metadata. With csv=True only what the CSV
    format carries: no name, version 1, default keys, every option in every language."""
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))
    item_type = draw(st.sampled_from(list(ItemType)))
    stem = {lang: draw(texts) for lang in languages}
    if item_type is ItemType.TRUE_FALSE:
        order = ["true", "false"] if csv else draw(st.permutations(["true", "false"]))
        if csv or draw(st.booleans()):
            options = tuple(Option(k, {lang: TRUE_FALSE_LABELS[k][lang] for lang in languages}) for k in order)
        else:  # an author's own labels, in some languages
            options = tuple(Option(k, {lang: draw(texts) for lang in draw(st.lists(
                st.sampled_from(languages), min_size=1, max_size=len(languages), unique=True))}) for k in order)
        key = {draw(st.sampled_from(order))}
    else:
        count = draw(st.integers(3 if item_type is ItemType.LIKERT else 2, 6))
        if item_type is ItemType.LIKERT:
            keys = [str(n) for n in range(1, count + 1)]
            if not csv and draw(st.booleans()):
                keys = [str(n) for n in range(count)]
        else:
            keys = option_keys(count)
            if not csv and draw(st.booleans()):
                keys = draw(st.lists(st.text("abcdefghij", min_size=1, max_size=3), min_size=count,
                                     max_size=count, unique=True))
        options = []
        for k in keys:
            covered = languages if csv else draw(st.just(languages) | st.lists(
                st.sampled_from(languages), min_size=1, max_size=len(languages), unique=True))
            options.append(Option(k, {lang: draw(texts) for lang in covered}))
        if item_type is ItemType.SINGLE:
            key = {draw(st.sampled_from(keys))}
        elif item_type is ItemType.MULTIPLE:
            key = set(draw(st.lists(st.sampled_from(keys), min_size=1, max_size=count, unique=True)))
        else:
            key = set()
    likert = item_type is ItemType.LIKERT
    return Item(
        id=draw(ids), type=item_type, stem=stem, options=tuple(options), key=frozenset(key),
        topic=Topic(draw(values), draw(st.none() | values)),
        version=1 if csv else draw(st.integers(1, 999)),
        difficulty=draw(st.none() | st.floats(0, 1, allow_nan=False)),
        status=draw(st.sampled_from(list(Status))),
        enemy_group=draw(st.none() | values),
        law_date=draw(st.none() | st.dates(date(1990, 1, 1), date(2040, 12, 31))),
        competency=draw(values) if likert else draw(st.none() | values),
        reverse_keyed=draw(st.booleans()),
        name=None if csv else draw(names),
    )


def item_lists(**kwargs):
    return st.lists(items(**kwargs), min_size=1, max_size=4, unique_by=lambda item: item.id)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_lists())
def test_export_then_import_gives_the_same_items(originals):
    data = export_moodle_xml(originals)
    result = import_moodle_xml("bank.xml", data)
    assert result.problems == [] and result.skipped == []
    assert [without_source(item) for item in result.items] == [without_source(item) for item in originals]
    assert export_moodle_xml(result.items) == data


@settings(max_examples=200, deadline=None)
@given(item_lists(), st.data())
def test_damaged_exports_never_raise(originals, data):
    """Truncated or corrupted files become problems, never exceptions."""
    raw = bytearray(export_moodle_xml(originals))
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "delete"]))
        if action == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at:]
            if not raw:
                break
        else:
            del raw[at:at + data.draw(st.integers(1, 40))]
            if not raw:
                break
    result = import_moodle_xml("bank.xml", bytes(raw), skip_unsupported=data.draw(st.booleans()))
    assert all(isinstance(problem, Problem) for problem in result.problems)
    assert all(item.problem() is None for item in result.items)
