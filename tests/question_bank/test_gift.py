"""GIFT: the importer's rules on small hand-written files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from question_bank.importers.common import Problem, Skipped, stable_id
from question_bank.importers.gift import import_gift
from question_bank.items import ItemType, Status, Topic

NOTE = "(Merit delivers single choice, multiple response and true/false)"
HINT = " (use --skip-unsupported to import the rest)"


def gift(text: str, **kwargs):
    return import_gift("q.gift", text.encode("utf-8"), **kwargs)


def only(result):
    assert result.problems == [] and result.skipped == []
    assert len(result.items) == 1
    return result.items[0]


def test_single_choice_with_feedback_title_and_id():
    item = only(gift("// a comment\n::Capital:: Which city is the capital?\n{\n  =Astana # right\n  ~Almaty # no\n"
                     "  ~[plain]Shymkent\n}\n"))
    assert item.type is ItemType.SINGLE
    assert item.name == "Capital"
    assert dict(item.stem) == {"en": "Which city is the capital?"}
    assert [(o.key, o.text["en"]) for o in item.options] == [("a", "Astana"), ("b", "Almaty"), ("c", "Shymkent")]
    assert item.key == {"a"}
    assert item.id == stable_id("gift", "Capital", "Which city is the capital?")
    assert item.topic == Topic("uncategorized")
    assert item.status is Status.DRAFT
    assert (item.source.path, item.source.line) == ("q.gift", 2)


def test_multiple_response_by_weights():
    item = only(gift("Pick the primes {~%50%2 ~%-100%4 ~%50%3 ~%0%9}"))
    assert item.type is ItemType.MULTIPLE
    assert item.key == {"a", "c"}
    assert [o.text["en"] for o in item.options] == ["2", "4", "3", "9"]
    assert only(gift("Pick {~%33.33333%a ~%33.333%b ~%33.33333%c ~%-50%d}")).key == {"a", "b", "c"}


@pytest.mark.parametrize(("answer", "key"), [("T", "true"), ("TRUE", "true"), ("F", "false"), ("FALSE", "false"),
                                             ("FALSE#wrong#right", "false"), ("T####general", "true")])
def test_true_false_short_and_long_forms(answer, key):
    item = only(gift("Бала мектепке барады. {" + answer + "}"))
    assert item.type is ItemType.TRUE_FALSE
    assert item.key == {key}
    assert [(o.key, dict(o.text)) for o in item.options] == [("true", {"ru": "Верно"}), ("false", {"ru": "Неверно"})]


def test_escapes_are_literal_characters():
    item = only(gift("::A\\:B:: 1 \\= 1\\, \\{ok\\} \\~ \\# x\\\\y {=a\\=b ~c\\~d ~e\\#f # feedback}"))
    assert item.name == "A:B"
    assert dict(item.stem) == {"en": "1 = 1\\, {ok} ~ # x\\y"}
    assert [o.text["en"] for o in item.options] == ["a=b", "c~d", "e#f"]


def test_format_tags_and_html():
    item = only(gift("::F::[html]<p>Read <b>this</b></p>{=[plain]<b>kept</b> ~[markdown]*md* ~[moodle]x<br>y}"))
    assert dict(item.stem) == {"en": "Read this"}
    assert [o.text["en"] for o in item.options] == ["<b>kept</b>", "*md*", "x\ny"]
    plain = only(gift("[plain]Is a<b>b? {T}"))
    assert dict(plain.stem) == {"en": "Is a<b>b?"}


def test_missing_word_and_stray_text():
    assert dict(only(gift("Astana is the {=capital ~largest city} of Kazakhstan.")).stem) == {
        "en": "Astana is the _____ of Kazakhstan."}
    assert dict(only(gift("The capital is {=Astana ~Almaty}.")).stem) == {"en": "The capital is _____."}
    assert dict(only(gift("42 is the answer.{T}\";")).stem) == {"en": "42 is the answer."}
    assert dict(only(gift("Is 42 the answer?{T} ;")).stem) == {"en": "Is 42 the answer?"}


def test_blank_lines_separate_questions_and_crlf_counts_lines():
    result = gift("\ufeff// header\r\n\r\n::One:: Sky is blue {T}\r\n\r\n\r\n// c\r\n::Two:: Grass is red {F}\r\n")
    assert result.problems == []
    assert [(i.name, i.source.line, sorted(i.key)) for i in result.items] == [("One", 3, ["true"]),
                                                                              ("Two", 7, ["false"])]


def test_category_sets_the_topic():
    result = gift("::A:: x {T}\n\n$CATEGORY: $course$/top/Конституция/art. 33\n\n::B:: y {F}\n\n"
                  "$CATEGORY: Ethics\n\n::C:: z {T}")
    assert [(i.name, i.topic) for i in result.items] == [
        ("A", Topic("uncategorized")), ("B", Topic("конституция", "art. 33")), ("C", Topic("ethics"))]


def test_ids_from_comments_and_repeated_questions():
    result = gift("// [id:CONST-1] [tag:merit:status=active] [tag:merit:act=constitution] [tag:other]\n"
                  "::Q:: Same {T}\n\n::Q:: Same {T}\n\n::Q:: Same {T}\n\n// [id:CONST-1]\n::R:: other {T}")
    base = stable_id("gift", "Q", "Same")
    assert [(i.id, i.status, i.topic.act) for i in result.items] == [
        ("CONST-1", Status.ACTIVE, "constitution"), (base, Status.DRAFT, "uncategorized"),
        (f"{base}-2", Status.DRAFT, "uncategorized")]
    assert result.problems == [Problem("q.gift", 9, 'question "R": id "CONST-1" repeats (first at line 2)')]


def test_multilang_in_gift():
    item = only(gift('::L::[html]<span lang="kk" class="multilang">Аспан көк пе?</span>'
                     '<span lang="ru" class="multilang">Небо голубое?</span>{TRUE}'))
    assert dict(item.stem) == {"kk": "Аспан көк пе?", "ru": "Небо голубое?"}
    assert [dict(o.text) for o in item.options] == [{"kk": "Дұрыс", "ru": "Верно"},
                                                     {"kk": "Дұрыс емес", "ru": "Неверно"}]


@pytest.mark.parametrize("skip", [False, True])
def test_unsupported_types(skip):
    text = ("::E:: essay {}\n\n::N:: number {#3:1}\n\n::M:: match {=a -> b =c -> d =e -> f}\n\n"
            "::S:: short {=yes =%50%maybe}\n\n::D:: just a description\n\n::L:: lowercase {true}\n\n::OK:: fine {T}")
    result = gift(text, skip_unsupported=skip)
    assert [item.name for item in result.items] == ["OK"]
    reasons = [(1, "E", "essay"), (3, "N", "numerical"), (5, "M", "matching"), (7, "S", "shortanswer"),
               (9, "D", "description"), (11, "L", "shortanswer")]
    expected = [(line, f'question "{name}": type {kind} is not supported {NOTE}') for line, name, kind in reasons]
    if skip:
        assert result.skipped == [Skipped("q.gift", line, reason) for line, reason in expected]
        assert result.problems == []
    else:
        assert result.problems == [Problem("q.gift", line, reason + HINT) for line, reason in expected]
        assert result.skipped == []


def test_problems_name_the_question_and_its_line():
    text = "\n\n".join([
        "::Braces:: open {=a ~b", "::Close:: a } b", "::Back:: a } b { =c ~d }", "::Two:: a {=b ~c}\n::Three:: d {T}",
        "::Grade:: g {~%33%a ~%67%b}", "::Weight:: w {~%abc%a =b}", "::Sum:: s {~%50%a ~%25%b ~c}",
        "::Double:: d {=a =b ~c}", "::None:: n {~%50%a ~b =%50%c}", "::Lonely:: l {~a}", "::Nested:: {=a {b} ~c}",
        "::Empty:: e {=a ~ ~c}", "::NoText:: {T}"])
    result = gift(text)
    assert result.items == []
    assert [(p.line, p.reason) for p in result.problems] == [
        (1, 'question "Braces": the answers have no closing "}"'),
        (3, 'question "Close": a "}" without an opening "{" (write \\} for a literal brace)'),
        (5, 'question "Back": a "}" comes before the answers\' "{" (write \\} for a literal brace)'),
        (7, 'question "Two": more text with braces after the answers: separate questions with a blank line'),
        (10, 'question "Grade": answer 1 has weight "33%", which is not one of the grades Moodle allows'),
        (10, 'question "Grade": answer 2 has weight "67%", which is not one of the grades Moodle allows'),
        (12, 'question "Weight": answer 1 has a malformed weight (expected %NUMBER%): "%abc%a"'),
        (14, 'question "Sum": the positive weights of a multiple-response question must add up to 100%, '
             "they add up to 75%"),
        (16, 'question "Double": a single-choice question needs exactly one answer worth 100%, found 2'),
        (18, 'question "None": a single-choice question needs exactly one answer worth 100%, found 0'),
        (20, 'question "Lonely": at least 2 answers are needed, found 1'),
        (22, 'question "Nested": an unescaped "{" inside the answers (write \\{ for a literal brace)'),
        (24, 'question "Empty": answer 2 has no text'),
        (26, 'question "NoText": the question text is empty'),
    ]


def test_not_utf8_is_refused_at_the_line_of_the_first_bad_byte():
    data = "::A:: Sky is blue {T}\n\n::B:: Caf".encode() + b"\xe9 {T}\n"
    assert import_gift("q.gift", data).problems == [
        Problem("q.gift", 3, "the file is not UTF-8 (GIFT files must be UTF-8)")]
    assert import_gift("q.gift", data, skip_unsupported=True).items == []


def test_bad_merit_tags_in_comments():
    result = gift("// [tag:merit:status=gone]\n::T:: x {T}")
    assert result.problems == [Problem("q.gift", 2, 'question "T": tag "merit:status=gone": status must be one of '
                                                    "draft, active, retired")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("{}=~#%:\\/[]$-> \n\tabcTRUEFALSEhtmlplain01235.әқ") + [
    "::", "//", "$CATEGORY:", "[html]", "[plain]", "####", "%50%", "%-100%", "->", "{T}", "\n\n"]), max_size=80)
       .map("".join))
def test_any_text_gives_problems_not_exceptions(text):
    for skip in (False, True):
        result = gift(text, skip_unsupported=skip)
        assert all(item.problem() is None for item in result.items)
        assert all(isinstance(problem.line, int) for problem in result.problems)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_problems_not_exceptions(data):
    import_gift("q.gift", data)
