"""The essay and interview rubrics: the bundled data is complete and really in three languages, and the
loader refuses malformed rubrics with a message that says what is wrong."""

import ast
import copy
import json
import sys
from pathlib import Path
from string import ascii_lowercase

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruit.competitions import rubrics
from recruit.competitions.rubrics import LANGUAGES, Rubric, bundled, rubric_from_dict, rubric_to_dict

DATA = Path(rubrics.__file__).with_name("rubric_data")
EXPECTED = {"interview": ["decision_making", "service_orientation", "cooperation", "responsibility", "integrity"],
            "essay": ["structure_argument", "knowledge", "proposals", "language_style"]}
KAZAKH_ONLY = set("әіңғүұқөһӘІҢҒҮҰҚӨҺ")
RUSSIAN = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
KAZAKH = RUSSIAN | KAZAKH_ONLY  # lower-cased; a Latin look-alike ('a', 'c', 'o') in either fails the test


def _letters(text: str) -> set[str]:
    return {ch for ch in text.lower() if ch.isalpha()}


def texts(rubric: Rubric):
    """(where, text mapping) for every text of the rubric."""
    yield "title", rubric.title
    for c in rubric.competencies:
        yield f"{c.code} title", c.title
        for n, anchor in c.levels.items():
            yield f"{c.code} level {n}", anchor


@pytest.mark.parametrize("code", EXPECTED)
def test_bundled_rubrics_load_and_have_the_expected_competencies(code):
    rubric = bundled(code)
    assert rubric.code == code
    assert [c.code for c in rubric.competencies] == EXPECTED[code]
    assert all(list(c.levels) == [1, 2, 3, 4, 5] for c in rubric.competencies)


@pytest.mark.parametrize("code", EXPECTED)
def test_bundled_file_is_in_canonical_form_and_round_trips(code):
    raw = json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))
    rubric = rubric_from_dict(raw)
    assert rubric_to_dict(rubric) == raw
    assert rubric_from_dict(json.loads(json.dumps(rubric_to_dict(rubric)))) == rubric


@pytest.mark.parametrize("code", EXPECTED)
def test_every_text_is_in_its_language(code):
    for where, text in texts(bundled(code)):
        kk, ru, en = (text[lang] for lang in LANGUAGES)
        assert KAZAKH_ONLY & set(kk), f"{code} {where}: Kazakh text has no Kazakh letter: {kk}"
        assert _letters(kk) <= KAZAKH, f"{code} {where}: non-Kazakh letters {_letters(kk) - KAZAKH}"
        assert _letters(ru) <= RUSSIAN, f"{code} {where}: non-Russian letters {_letters(ru) - RUSSIAN}"
        assert _letters(en) <= set(ascii_lowercase), f"{code} {where}: non-Latin letters in English: {en}"
        assert len({kk, ru, en}) == 3, f"{code} {where}: a text is copied between languages"


@pytest.mark.parametrize("code", EXPECTED)
def test_anchors_are_distinct_sentences(code):
    # Five levels with the same wording would give the commission nothing to match an answer against.
    for c in bundled(code).competencies:
        for lang in LANGUAGES:
            anchors = [c.levels[n][lang] for n in range(1, 6)]
            assert len(set(anchors)) == 5, f"{code} {c.code} {lang}: repeated anchor"
            assert all(a.endswith(".") and len(a) > 40 for a in anchors), f"{code} {c.code} {lang}: not a sentence"


def test_rubric_is_immutable():
    rubric = bundled("interview")
    with pytest.raises(TypeError):
        rubric.competencies[0].levels[1]["en"] = "changed"  # type: ignore[index]
    assert rubric.competency("integrity").title["ru"] == "Добропорядочность"


def _broken(change):
    data = rubric_to_dict(bundled("interview"))
    change(data)
    return data


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["competencies"][1]["levels"]["3"].pop("kk"),
     r"competency 'service_orientation' level 3: missing language 'kk'"),
    (lambda d: d["competencies"][0]["title"].update(en="  "),
     r"'decision_making' title: empty text in language 'en'"),
    (lambda d: d["title"].update(de="Vorstellungsgespräch"), r"title: unexpected language 'de'"),
    (lambda d: d["competencies"][2]["levels"].pop("5"), r"competency 'cooperation': missing level 5"),
    (lambda d: d["competencies"][2]["levels"].update({"6": d["competencies"][2]["levels"]["5"]}),
     r"competency 'cooperation': unexpected level '6'"),
    (lambda d: d["competencies"][2]["levels"].update({3: d["competencies"][2]["levels"]["3"]}),
     r"competency 'cooperation': level 3 given twice"),
    (lambda d: d["competencies"].append(copy.deepcopy(d["competencies"][0])),
     r"duplicate competency code 'decision_making'"),
    (lambda d: d["competencies"].clear(), r"competencies must be a non-empty list"),
    (lambda d: d["competencies"][0].update(code="Decision Making"), r"code 'Decision Making' must be lower-case"),
    (lambda d: d.update(competences=d.pop("competencies")), r"missing 'competencies'"),
])
def test_malformed_rubrics_are_refused_with_a_message_naming_the_problem(change, message):
    with pytest.raises(ValueError, match=message):
        rubric_from_dict(_broken(change))


def test_unknown_bundled_rubric_is_refused():
    with pytest.raises(ValueError, match="no bundled rubric 'panel'"):
        bundled("panel")
    with pytest.raises(ValueError, match="must be lower-case"):
        bundled("../rubric_data/interview")


codes = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
words = st.text(min_size=1, max_size=20).filter(str.strip)
text_maps = st.fixed_dictionaries({lang: words for lang in LANGUAGES})
competency_dicts = st.fixed_dictionaries({
    "code": codes, "title": text_maps,
    "levels": st.fixed_dictionaries({str(n): text_maps for n in range(1, 6)})})


@settings(deadline=None)
@given(codes, text_maps, st.lists(competency_dicts, min_size=1, max_size=6, unique_by=lambda c: c["code"]))
def test_round_trip(code, title, competencies):
    data = {"code": code, "title": title, "competencies": competencies}
    rubric = rubric_from_dict(data)
    assert rubric_to_dict(rubric) == data
    assert rubric_from_dict(json.loads(json.dumps(rubric_to_dict(rubric)))) == rubric


def test_module_is_pure():
    tree = ast.parse(Path(rubrics.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names)
