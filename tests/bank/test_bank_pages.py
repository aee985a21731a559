"""The author's pages through HTTP."""

import json
from pathlib import Path

import pytest
from sqlmodel import select

from question_bank.importers import ImportResult
from question_bank.items import item_to_dict
from recruit.audit.models import AuditEvent
from recruit.audit.service import SYSTEM
from recruit.bank import service
from recruit.bank.models import BankItem, ProgramRecord
from tests.conftest import csrf_token, post_form, sign_in

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"


@pytest.fixture
def author(client, db, make_user):
    make_user("author", email="author@example.kz")
    service.store_import(db, SYSTEM, ImportResult(items=service.demo_items()), ["demo"])
    with db.write() as session:
        service.seed_programs(session, SYSTEM)
    sign_in(client, "author@example.kz")
    return client


def _editor_form(**changes):
    form = {"id": "ethics-900", "name": "Gifts", "type": "single", "act": "ethics", "article": "para. 9",
            "law_date": "2015-12-29", "difficulty": "0.6", "status": "draft", "enemy_group": "", "competency": "",
            "stem_kk": "Сыйлық туралы сұрақ?", "stem_ru": "Вопрос о подарке?", "stem_en": "A question on gifts?",
            "key": "b"}
    for n, letter in enumerate("abcd"):
        for lang in ("kk", "ru", "en"):
            form[f"option_{n}_{lang}"] = f"{letter} {lang}"
    return {**form, **changes}


def test_list_filters_and_htmx_fragment(author):
    page = author.get("/bank/items", params={"act": "ethics", "language": "kk"}).text
    assert page.count('href="/bank/items/ethics-') == 24 and "constitution-001" not in page
    hard = author.get("/bank/items", params={"difficulty": "hard"}).text
    assert "ethics-" in hard or "constitution-" in hard
    fragment = author.get("/bank/items", params={"q": "ethics-001"}, headers={"hx-request": "true"}).text
    assert "<html" not in fragment and "ethics-001" in fragment


def test_creating_an_item_and_refusing_a_broken_one(author, db):
    bad = post_form(author, "/bank/items/new", _editor_form(key=""), token_page="/bank/items/new")
    assert bad.status_code == 400 and "exactly one option must be correct" in bad.text
    assert service.versions(db, "ethics-900") == []
    ok = post_form(author, "/bank/items/new", _editor_form(), token_page="/bank/items/new")
    assert ok.status_code == 303
    [row] = service.versions(db, "ethics-900")
    assert (row.version, row.status, service.to_item(row).key) == (1, "draft", frozenset("b"))
    page = author.get("/bank/items/ethics-900").text
    assert "Вопрос о подарке?" in page and "Сыйлық туралы сұрақ?" in page


def test_editing_a_used_item_makes_a_new_version_and_the_form_keeps_the_old(author, db):
    form = service.assemble(db, "corps-b", 7, "ru")
    used = form.sections[3].items[0]
    with db.write() as session:
        service.freeze_form(session, form)
    values = service.to_item(service.versions(db, used.item_id)[0])
    edited = {**_editor_form(), **{k: v for k, v in _flatten(values).items()}, "stem_en": "Reworded question?"}
    response = post_form(author, f"/bank/items/{used.item_id}/edit", edited, token_page="/bank/items/new")
    assert response.status_code == 303
    rows = service.versions(db, used.item_id)
    assert [(r.version, r.is_current, r.frozen) for r in rows] == [(used.version + 1, True, False),
                                                                   (used.version, False, True)]
    assert rows[1].content["stem"]["en"] != "Reworded question?"
    with db.read() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "bank.item_new_version")).all()
    assert [e.subject_id for e in events] == [used.item_id]


def _flatten(item):
    data = item_to_dict(item)
    flat = {"id": data["id"], "name": data["name"] or "", "type": data["type"], "act": data["topic"]["act"],
            "article": data["topic"]["article"] or "", "difficulty": str(data["difficulty"] or ""),
            "status": data["status"], "enemy_group": data["enemy_group"] or "", "law_date": data["law_date"] or "",
            "key": data["key"]}
    for lang in ("kk", "ru", "en"):
        flat[f"stem_{lang}"] = data["stem"].get(lang, "")
        for n, option in enumerate(data["options"]):
            flat[f"option_{n}_{lang}"] = option["text"].get(lang, "")
    return flat


def test_editing_an_unused_item_changes_it_in_place(author, db):
    item = service.to_item(service.versions(db, "ethics-002")[0])
    response = post_form(author, "/bank/items/ethics-002/edit", {**_flatten(item), "difficulty": "0.42"},
                         token_page="/bank/items/new")
    assert response.status_code == 303
    [row] = service.versions(db, "ethics-002")
    assert (row.version, row.difficulty) == (1, 0.42)


def test_status_change_is_audited(author, db):
    post_form(author, "/bank/items/ethics-003/status", {"status": "retired"}, token_page="/bank/items/new")
    [row] = service.versions(db, "ethics-003")
    assert row.status == "retired"
    with db.read() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "bank.item_status")).one()
    assert (event.before["status"], event.after["status"]) == ("active", "retired")


def test_import_page_reports_every_problem_and_stores_nothing(author, db):
    before = len(service.current_items(db))
    token = csrf_token(author, "/bank/import")
    broken = (CONFORMANCE / "moodle_xml" / "error_invalid_grades.xml").read_bytes()
    response = author.post("/bank/import", data={"_csrf_token": token},
                           files=[("files", ("error_invalid_grades.xml", broken, "text/xml"))])
    assert response.status_code == 400 and "Nothing was imported" in response.text and "33" in response.text
    assert len(service.current_items(db)) == before
    good = json.dumps([{**item_to_dict(service.demo_items()[0]), "id": "imported-1"}], ensure_ascii=False)
    response = author.post("/bank/import", data={"_csrf_token": token},
                           files=[("files", ("one.json", good.encode(), "application/json"))])
    assert response.status_code == 200 and "Imported 1 items: 1 new" in response.text
    assert len(service.current_items(db)) == before + 1


def test_program_editor_makes_versions_and_refuses_impossible_rules(author, db):
    program = service.program(db, "corps-b")
    form = {"effective_from": "2027-01-01", "effective_to": "", "duration_minutes": "60", "overall_minimum": "31",
            "score_tolerance": "1.5", "validity_months": "12", "retake_days": "14", "languages": ["kk", "ru"],
            **{f"{s.code}_count": str(s.count) for s in program.sections},
            **{f"{s.code}_minimum": "5" for s in program.sections}}
    assert post_form(author, "/bank/programs/corps-b", form, token_page="/bank/programs").status_code == 303
    with db.read() as session:
        versions = session.exec(select(ProgramRecord).where(ProgramRecord.code == "corps-b")).all()
    assert sorted(v.version for v in versions) == [1, 2]
    newest = service.program(db, "corps-b", version=2)
    assert (newest.duration_minutes, newest.overall_minimum, newest.languages) == (60, 31, ("kk", "ru"))
    assert newest.retake_days == 14
    bad = post_form(author, "/bank/programs/corps-b", {**form, "ethics_minimum": "11"}, token_page="/bank/programs")
    assert bad.status_code == 400 and "section minimum" in bad.text


def test_trial_assembly_shows_a_form_or_the_shortage(author, db):
    page = author.get("/bank/programs/corps-b", params={"seed": "5", "language": "kk"}).text
    assert page.count('href="/bank/items/') >= 55
    service.set_status(db, SYSTEM, "ethics-001", "retired")
    for n in range(2, 16):
        service.set_status(db, SYSTEM, f"ethics-{n:03d}", "retired")
    short = author.get("/bank/programs/corps-b", params={"seed": "5", "language": "kk"}).text
    assert "short by" in short


def test_editor_preview_shows_each_language_without_saving(author, db):
    token = csrf_token(author, "/bank/items/new")
    response = author.post("/bank/items/preview", data=_editor_form(), headers={"x-csrftoken": token, "hx-request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "Вопрос о подарке?" in response.text and "A question on gifts?" in response.text
    assert service.versions(db, "ethics-900") == []
    broken = author.post("/bank/items/preview", data=_editor_form(key=""), headers={"x-csrftoken": token})
    assert "exactly one option must be correct" in broken.text
