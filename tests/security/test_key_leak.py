"""No answer key in anything a candidate receives, during the test or after it.

As a candidate: every GET route a candidate may use (from the route table; pages, their htmx variants, API JSON,
the certificate PDF as text, public pages and static files), for every question slot, while the attempt runs and
after it is scored. Each body is scanned for the server's item ids, for key-like JSON fields, and for the key
itself: on a question the candidate left unanswered, the right option's id must appear exactly as often as
every other option's, so no markup, order or data singles it out.
"""

import io
import json
import re
from datetime import timedelta

from pypdf import PdfReader

from question_bank.assembly import form_from_json
from recruit.bank.models import AssembledForm
from recruit.bank.service import items_by_version
from recruit.competitions import service as competitions
from recruit.db import utcnow
from recruit.exams import service as exams
from recruit.exams.models import Attempt
from recruit.settings import PROJECT_ROOT
from tests.competitions.conftest import REQUIREMENTS
from tests.conftest import sign_in
from tests.security.routes import fill, may_use, parameters, routes

STATIC = sorted(path.name for path in (PROJECT_ROOT / "recruit" / "static").iterdir() if path.is_file())
SECRET_FIELDS = re.compile(r"salt|seed|option_order|item_id|item_version", re.I)
COUNT_FIELDS = re.compile(r"correct|key|answer", re.I)  # allowed only as counts (numbers), never ids
KEYED_MARKUP = re.compile(r'(?:class|id|name|data-[\w-]+)="[^"]*(?:correct|answer-key|is-key|right-answer)[^"]*"', re.I)


def _key_of(db, attempt_id):
    """{slot: (all option ids, the key's option ids)} as the server knows them."""
    with db.read() as session:
        attempt = session.get(Attempt, attempt_id)
        form = form_from_json(session.get(AssembledForm, attempt.form_id).content)
        items = items_by_version(session, [(fi.item_id, fi.version) for fi in form.items])
    slots = {}
    for slot, form_item in enumerate(form.items, start=1):
        item = items[(form_item.item_id, form_item.version)]
        ids = {option.key: exams.option_id(attempt.option_salt, slot, option.key) for option in item.options}
        slots[slot] = (set(ids.values()), {ids[key] for key in item.key})
    return slots, {form_item.item_id for form_item in form.items}


def _text(response) -> str:
    if response.headers.get("content-type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.text


def _fields(value, where=""):
    if isinstance(value, dict):
        for name, inner in value.items():
            yield f"{where}.{name}", name, inner
            yield from _fields(inner, f"{where}.{name}")
    elif isinstance(value, list):
        for inner in value:
            yield from _fields(inner, where + "[]")


def _scan(label, body, slots, item_ids, answered):
    for item_id in item_ids:
        assert item_id not in body, (label, "item id", item_id)
    assert not KEYED_MARKUP.search(body), (label, KEYED_MARKUP.search(body).group(0))
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    for where, name, value in _fields(None if label.startswith("/schema") else document):  # schemas name, hold no data
        assert not SECRET_FIELDS.search(name), (label, where)
        if COUNT_FIELDS.search(name):
            assert isinstance(value, (int, float)) and not isinstance(value, bool), (label, where, value)
    for slot, (options, key) in slots.items():
        if slot in answered:
            continue
        counts = {option: body.count(option) for option in options}
        assert len(set(counts.values())) == 1, (label, slot, "the key stands out", counts, key)


def _candidate_gets(app, values, slots):
    """Every GET a candidate may use, filled in (every question slot, every static file), as (route, url)."""
    for path, method in routes(app):
        if method != "GET" or not may_use(path, "candidate"):
            continue
        names = parameters(path)
        if "slot" in names:
            yield from ((path, fill(path, {**values, "slot": slot})) for slot in slots)
        elif "file_path" in names:
            yield from ((path, fill(path, {"file_path": name})) for name in STATIC)
        elif "fmt" in names:
            yield from ((path, fill(path, {"fmt": fmt})) for fmt in ("csv", "json", "pdf"))
        else:
            yield path, fill(path, values)


def test_no_key_reaches_the_candidate(client, db, demo_bank, make_user, token_for):
    now = utcnow()
    hr = make_user("hr_analyst", email="hr@example.kz")
    candidate = make_user("candidate", email="cand@example.kz")
    competition = competitions.announce(db, hr, competitions.Announcement(
        title="Chief specialist", state_body_code="acsa", position_category_code="B-4", region_code="KZ-71",
        kind="general", posts=1, requirements=REQUIREMENTS, closes_at=now + timedelta(days=3)), now)
    sitting = exams.create_sitting(db, hr.actor, title="Corps B", program_code="corps-b",
                                   opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), capacity=5)
    auth = token_for("cand@example.kz")
    sign_in(client, "cand@example.kz")
    assert client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth).status_code == 201
    started = client.post("/api/v1/attempts", json={"sitting_id": sitting.id, "language": "en"}, headers=auth)
    attempt_id = started.json()["id"]
    slots, item_ids = _key_of(db, attempt_id)
    # Wrong answers on odd questions; the even ones stay unanswered, so every option there must look alike.
    answered = {slot for slot in slots if slot % 2}
    for slot in sorted(answered):
        wrong = sorted(slots[slot][0] - slots[slot][1])[0]
        saved = client.put(f"/api/v1/attempts/{attempt_id}/responses/{slot}", json={"choice_ids": [wrong], "seq": 1},
                           headers=auth)
        assert saved.status_code == 200
    values = {"attempt_id": attempt_id, "sitting_id": sitting.id, "competition_id": competition.id,
              "code": "NOTACODE", "path": "openapi.json"}
    seen = [("start", started.text)]
    fragments = set()  # each route once more as htmx asks for it
    for path, url in _candidate_gets(client.app, values, slots):
        variants = ({},) if path in fragments or path.startswith("/api/") else ({}, {"hx-request": "true"})
        fragments.add(path)
        for headers in variants:
            response = client.get(url, headers={**auth, **headers} if url.startswith("/api/") else headers)
            assert response.status_code < 500, url
            seen.append((url, _text(response)))
    assert any("/q/" in url and 'type="radio"' in body for url, body in seen), "no question page was scanned"
    submitted = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
    assert submitted.json()["state"] == "scored"
    seen.append(("submit", submitted.text))
    values["code"] = submitted.json()["verification_code"]
    for _, url in _candidate_gets(client.app, values, slots):
        response = client.get(url, headers=auth if url.startswith("/api/") else {})
        assert response.status_code < 500, url
        seen.append((url, _text(response)))
    scanned = {url for url, _ in seen}
    assert {f"/api/v1/attempts/{attempt_id}/certificate.pdf", f"/exams/attempts/{attempt_id}/result",
            f"/api/v1/attempts/{attempt_id}/result", f"/verify/{values['code']}"} <= scanned
    assert any("%PDF" not in body and values["code"] in body for url, body in seen if url.endswith("certificate.pdf"))
    for label, body in seen:
        _scan(label, body, slots, item_ids, answered)
