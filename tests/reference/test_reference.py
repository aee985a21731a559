"""Reference data: the two sets of regions, the CLI contract, and administrators' audited edits."""

import json
import os
import subprocess
import sys
from datetime import date

from sqlmodel import select

from recruit.audit.models import AuditEvent
from recruit.reference import service
from recruit.reference.models import Region
from tests.conftest import post_form, sign_in


def test_the_2017_set_and_todays_set(db):
    in_2017 = {r.code for r in service.regions(db, on=date(2017, 6, 1))}
    today = {r.code for r in service.regions(db, on=date(2026, 11, 29))}
    assert len(in_2017) == 16 and len(today) == 20
    assert {"KZ-59", "KZ-19", "KZ-55", "KZ-YUZ", "KZ-71", "KZ-75"} <= in_2017
    assert {"KZ-79", "KZ-61", "KZ-10", "KZ-33", "KZ-62"}.isdisjoint(in_2017)
    assert {"KZ-79", "KZ-10", "KZ-33", "KZ-62"} <= today and "KZ-YUZ" not in today


def test_names_exist_in_three_languages(db):
    for slug in service.KINDS:
        for row in service.rows(db, slug):
            assert row.name_kk and row.name_ru and row.name_en, row.code
            assert row.name_kk != row.name_en and row.name_ru != row.name_en, row.code


def test_regions_json_contract(database_url):
    env = {**os.environ, "RECRUIT_DATABASE_URL": database_url}
    result = subprocess.run([sys.executable, "-m", "recruit", "regions", "--json"], env=env, capture_output=True,
                            text=True, check=True, timeout=120)
    regions = json.loads(result.stdout)["regions"]
    assert {tuple(sorted(r)) for r in regions} == {("code", "name_en", "name_kk", "name_ru", "valid_from", "valid_to")}
    north = next(r for r in regions if r["code"] == "KZ-59")
    assert north["name_en"] == "North Kazakhstan Region" and north["valid_to"] is None
    assert next(r for r in regions if r["code"] == "KZ-YUZ")["valid_to"] == "2018-06-18"


def test_admin_edit_is_audited_and_survives_reseeding(client, db, make_user):
    make_user("admin", email="admin@example.kz")
    sign_in(client, "admin@example.kz")
    region = service.get(db, "regions", "KZ-55")
    form = {**region.model_dump(mode="json"), "name_en": "Pavlodar Region (edited)", "valid_from": "1997-05-03",
            "valid_to": ""}
    response = post_form(client, "/admin/reference/regions/KZ-55", form, token_page="/admin/reference")
    assert response.status_code == 303
    with db.write() as session:
        assert service.seed(session) == 0
    with db.read() as session:
        assert session.get(Region, "KZ-55").name_en == "Pavlodar Region (edited)"
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "reference.updated")).one()
    assert event.before["name_en"] == "Pavlodar Region" and event.after["name_en"] == "Pavlodar Region (edited)"


def test_invalid_edit_is_refused_whole(client, db, make_user):
    make_user("admin", email="admin@example.kz")
    sign_in(client, "admin@example.kz")
    form = {"name_kk": "Жаңа атау", "name_ru": "Новое", "name_en": "New name", "kind": "region",
            "valid_from": "2020-01-01", "valid_to": "2019-01-01"}
    response = post_form(client, "/admin/reference/regions/KZ-55", form, token_page="/admin/reference")
    assert response.status_code == 400 and "must not precede" in response.text
    with db.read() as session:
        assert session.get(Region, "KZ-55").name_en == "Pavlodar Region"


def test_public_api_lists_reference_data(client):
    regions = client.get("/api/v1/regions", params={"on": "2017-01-01"}).json()["regions"]
    assert len(regions) == 16
    assert any(b["code"] == "acsa" for b in client.get("/api/v1/state-bodies").json())
    assert any(c["code"] == "B-4" for c in client.get("/api/v1/position-categories").json())


def test_admin_adds_a_region_once(client, db, make_user):
    make_user("admin", email="admin@example.kz")
    sign_in(client, "admin@example.kz")
    form = {"code": "KZ-99", "name_kk": "Жаңа облыс", "name_ru": "Новая область", "name_en": "New Region",
            "kind": "region", "valid_from": "2027-01-01", "valid_to": ""}
    assert post_form(client, "/admin/reference/regions/new", form, token_page="/admin/reference").status_code == 303
    again = post_form(client, "/admin/reference/regions/new", form, token_page="/admin/reference")
    assert again.status_code == 400 and "This code is already used." in again.text
    with db.read() as session:
        assert session.get(Region, "KZ-99").valid_from == date(2027, 1, 1)
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "reference.created")).one().subject_id == "KZ-99"
