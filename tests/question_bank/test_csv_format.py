"""Merit's CSV format: the documented examples, the rules, and write -> import round trips of generated items."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from question_bank.importers.common import Problem
from question_bank.importers.csv_format import COLUMNS, import_csv
from question_bank.items import Item, ItemType, Status, Topic, item_to_dict
from tests.question_bank.test_moodle_xml import item_lists

DOC = Path(__file__).resolve().parents[2] / "docs" / "bank-csv.md"
HEADER = ",".join(COLUMNS)


def rows(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def problems(data: bytes) -> list[tuple[int | None, str]]:
    result = import_csv("bank.csv", data)
    assert result.items == [] or result.problems
    return [(p.line, p.reason) for p in result.problems]


def csv_blocks() -> list[str]:
    return re.findall(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_documented_example_imports():
    result = import_csv("bank.csv", csv_blocks()[0].encode())
    assert result.problems == [] and result.skipped == []
    const, cs, eth, comp = result.items
    assert (const.id, const.type, const.key, const.topic, const.difficulty, const.status, const.enemy_group,
            const.law_date) == ("const-001", ItemType.SINGLE, {"a"}, Topic("constitution", "art. 7"), 0.9,
                                Status.ACTIVE, "lang-1", date(1995, 8, 30))
    assert dict(const.stem) == {"kk": "Қазақстан Республикасының мемлекеттік тілі қандай?",
                                "ru": "Какой язык является государственным в Республике Казахстан?"}
    assert [(o.key, dict(o.text)) for o in const.options] == [
        ("a", {"kk": "Қазақ тілі", "ru": "Казахский язык"}), ("b", {"kk": "Орыс тілі", "ru": "Русский язык"}),
        ("c", {"kk": "Ағылшын тілі", "ru": "Английский язык"})]
    assert const.source.line == 2 and const.version == 1 and const.name is None
    assert (cs.type, cs.key, cs.status, cs.source.line) == (ItemType.MULTIPLE, {"a", "c"}, Status.DRAFT, 4)
    assert dict(cs.stem) == {"ru": "Что относится к обязанностям государственного служащего?\n"
                                   "Выберите все верные ответы."}
    assert (eth.type, eth.key, eth.source.line) == (ItemType.TRUE_FALSE, {"false"}, 6)
    assert dict(eth.stem) == {"en": 'A civil servant may accept a gift worth more than 2 MCI if the donor is '
                                    '"a friend".'}
    assert [(o.key, dict(o.text)) for o in eth.options] == [("true", {"en": "True"}), ("false", {"en": "False"})]
    assert (comp.type, comp.key, comp.competency, comp.reverse_keyed, comp.languages) == (
        ItemType.LIKERT, frozenset(), "adaptability", False, {"kk", "en"})
    assert [(o.key, o.text["en"]) for o in comp.options] == [
        ("1", "Strongly disagree"), ("2", "Disagree"), ("3", "Neutral"), ("4", "Agree"), ("5", "Strongly agree")]
    assert comp.options[0].text["kk"] == "Мүлдем келіспеймін"


def test_the_minimal_documented_example_imports():
    result = import_csv("min.csv", csv_blocks()[1].encode())
    assert result.problems == []
    [item] = result.items
    assert (item.id, item.type, item.key, item.topic, dict(item.stem)) == (
        "q1", ItemType.SINGLE, {"a"}, Topic("ethics"), {"en": "Which is a conflict of interest?"})


def test_texts_are_plain_text_and_keywords_ignore_case():
    data = ("ID , Language,TYPE,act,stem,option_a,option_b,option_c,key,status\n"
            'q,EN,Multiple,ethics,"  x < y &amp; <b>z</b>  \n\n  next   line ",A&B,<i>b</i>,c, A ; C ,Active\n'
            ).encode()
    result = import_csv("bank.csv", data)
    assert result.problems == []
    [item] = result.items
    assert dict(item.stem) == {"en": "x < y &amp; <b>z</b>\nnext line"}
    assert [o.text["en"] for o in item.options] == ["A&B", "<i>b</i>", "c"]
    assert (item.key, item.status) == ({"a", "c"}, Status.ACTIVE)


def test_a_bom_and_crlf_are_accepted():
    data = b"\xef\xbb\xbf" + "id,language,type,act,stem,key\r\nq,en,true_false,ethics,Sky is blue,TRUE\r\n".encode()
    [item] = import_csv("bank.csv", data).items
    assert item.key == {"true"}


def test_rows_of_one_item_must_agree():
    data = rows('q,kk,single,ethics,,Сұрақ,Иә,Жоқ,,,,,a,0.5,active,,,,',
                'q,ru,single,ethics,,Вопрос,Да,Нет,Может,,,,b,0.5,draft,g,2020-01-01,,',
                'q,kk,single,ethics,,Тағы,Иә,Жоқ,,,,,a,0.5,active,,,,',
                'q,en,multiple,Ethics,art,Question,Yes,No,,,,,a,,active,,,,true')
    assert problems(data) == [
        (3, 'item "q": key is "b" here but "a" on line 2'),
        (3, 'item "q": the number of options is 3 here but 2 on line 2'),
        (3, 'item "q": status is "draft" here but "active" on line 2'),
        (3, 'item "q": enemy_group is "g" here but empty on line 2'),
        (3, 'item "q": law_date is "2020-01-01" here but empty on line 2'),
        (4, 'item "q": a second kk row (first at line 2)'),
        (5, 'item "q": type is "multiple" here but "single" on line 2'),
        (5, 'item "q": act is "Ethics" here but "ethics" on line 2'),
        (5, 'item "q": article is "art" here but empty on line 2'),
        (5, 'item "q": difficulty is empty here but "0.5" on line 2'),
        (5, 'item "q": reverse_keyed is "true" here but "false" on line 2'),
    ]


def test_cell_problems_name_the_line_where_the_row_starts():
    data = rows('"multi\nline",en,single,ethics,,"a\nb",x,y,,,,,a,,,,,,',
                ',en,single,ethics,,Stem,x,y,,,,,a,,,,,,',
                'q2,de,essay,,,,,,,,,,,2,published,,2020-13-01,,maybe',
                'q3,en,single,ethics,,Stem,x,,z,,,,c,,,,,,',
                'q4,en,single,ethics,,Stem,x,y,,,,,d,,,,,,',
                'q5,en,single,ethics,,Stem,x,y,,,,,a;b,,,,,,',
                'q6,en,multiple,ethics,,Stem,x,y,,,,,a;a,,,,,,',
                'q7,en,multiple,ethics,,Stem,x,y,,,,,,,,,,,',
                'q8,en,true_false,ethics,,Stem,x,,,,,,yes,,,,,,',
                'q9,en,likert,ethics,,Stem,1,2,3,,,,a,,,,,,',
                'q10,en,likert,ethics,,Stem,1,2,3,,,,,,,,,,',
                'q11,en,single,ethics,,Stem,only,,,,,,a,,,,,,')
    assert problems(data) == [
        (5, "the id is empty"),
        (6, 'item "q2": language "de" is not one of kk, ru, en'),
        (6, 'item "q2": type "essay" is not one of single, multiple, true_false, likert'),
        (6, 'item "q2": act is empty'),
        (6, 'item "q2": the stem is empty'),
        (6, 'item "q2": difficulty "2" is not a number from 0 to 1'),
        (6, 'item "q2": status "published" is not one of draft, active, retired'),
        (6, 'item "q2": law_date "2020-13-01" is not a date YYYY-MM-DD'),
        (6, 'item "q2": reverse_keyed "maybe" must be true, false or empty'),
        (7, 'item "q3": option_b is empty but a later option is not'),
        (8, 'item "q4": key "d" names d, which is not a filled option column'),
        (9, 'item "q5": the key of a single item is one option letter, not "a;b"'),
        (10, 'item "q6": key "a;a" names an option twice'),
        (11, 'item "q7": the key of a multiple item names the correct options, e.g. a;c'),
        (12, 'item "q8": a true_false row leaves option_a .. option_f empty'),
        (12, 'item "q8": the key of a true_false item is "true" or "false", not "yes"'),
        (13, 'item "q9": a likert item has no key, found "a"'),
        (14, "item 'q10': a Likert item must name the competency it measures"),
        (15, "item 'q11': at least 2 options are needed"),
    ]


def test_header_problems():
    assert problems(b"id,language,type,stem,optoin_a,key,key\nq,en,single,x,y,a,a\n") == [
        (1, 'unknown column "optoin_a" (known: ' + ", ".join(COLUMNS) + ")"),
        (1, 'column "key" appears twice'),
        (1, "missing column: act"),
    ]
    assert problems(b"\n \n,,\n") == [(1, "the file is empty: expected a header row (id, language, type, act, "
                                          "stem, key, ...)")]


def test_row_shape_and_quoting_problems():
    assert problems(b"id,language,type,act,stem,key\nq,en,single,ethics,x\n") == [
        (2, "the row has 5 cells, the header has 6")]
    assert problems(b'id,language,type,act,stem,key\nq,en,true_false,ethics,"x"y,true\n') == [
        (2, "malformed CSV (',' expected after '\"')")]


def test_not_utf8():
    data = ("id,language,type,act,stem,key\nq,ru,true_false,ethics,Небо,true\n".encode()
            + "q2,ru,true_false,ethics,Трава,false\n".encode("cp1251"))
    assert import_csv("bank.csv", data).problems == [
        Problem("bank.csv", 3, "the file is not UTF-8 (save the CSV as UTF-8)")]


def write_csv(items: list[Item]) -> bytes:
    """Items as Merit's CSV, one row per item per language (what an author's spreadsheet would hold)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in items:
        for lang in item.stem:
            options = [] if item.type is ItemType.TRUE_FALSE else [o.text[lang] for o in item.options]
            writer.writerow([
                item.id, lang, item.type.value, item.topic.act, item.topic.article or "", item.stem[lang],
                *options, *[""] * (6 - len(options)), ";".join(sorted(item.key)),
                "" if item.difficulty is None else repr(item.difficulty), item.status.value,
                item.enemy_group or "", item.law_date.isoformat() if item.law_date else "", item.competency or "",
                "true" if item.reverse_keyed else "false"])
    return out.getvalue().encode()


def without_source(item: Item) -> dict:
    data = item_to_dict(item)
    data.pop("source")
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_lists(csv=True))
def test_written_csv_imports_back_to_the_same_items(originals):
    result = import_csv("bank.csv", write_csv(originals))
    assert result.problems == [] and result.skipped == []
    assert [without_source(item) for item in result.items] == [without_source(item) for item in originals]


@pytest.mark.parametrize("data", [b"", b"\x00\x00", b'"', b'id\n"unterminated', b"\xff\xfe", b"id,id\n"])
def test_junk_gives_problems_not_exceptions(data):
    assert import_csv("bank.csv", data).problems
