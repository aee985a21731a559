"""An app full of the demo data for the API tests, one per database for the whole package.

Two identities drive every operation: a candidate in the middle of one attempt with another already scored, and
a staff member (the demo commission's chair, made an HR analyst too). The fuzzer aims at the real ids they can
reach as well as at made-up ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from schemathesis.python.asgi import ASGIClient, shutdown_lifespans
from sqlmodel import select

from question_bank.importers import ImportResult
from recruit import demo, demo_competitions
from recruit.accounts.models import Role, User
from recruit.accounts.service import Registration, create_user, current_user, issue_token, update_user_access
from recruit.app import create_app
from recruit.audit.service import SYSTEM
from recruit.bank.service import demo_items, store_import
from recruit.competitions.models import CommissionSeat, Competition, Interview
from recruit.db import Database, utcnow
from recruit.exams.models import Attempt, Sitting
from recruit.exams.service import create_sitting
from recruit.settings import Settings
from tests.conftest import fresh_database

CANDIDATE, STAFF = "candidate.en@merit.demo", "commission@merit.demo"


@dataclass
class World:
    """The app under test and the real things in it the fuzzer may aim at."""

    app: Litestar
    client: ASGIClient                     # in-process, like schemathesis's own calls
    db: Database
    tokens: dict[str, str]                 # e-mail -> bearer token
    user_ids: dict[str, int]
    path_ids: dict[str, list[int]]         # path parameter -> ids that exist
    option_ids: list[str]                  # of the attempt in progress
    competencies: list[str]                # of the demo interviews' rubric

    def headers(self, identity: str | None, spare: bool = False) -> dict[str, str]:
        """Bearer headers; a spare token for a call that revokes the one it came with."""
        if identity is None:
            return {}
        if not spare:
            return {"Authorization": f"Bearer {self.tokens[identity]}"}
        return {"Authorization": f"Bearer {issue_token(self.db, current_user(self.db, self.user_ids[identity]))[0]}"}


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def api_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh migrated database for the package (the function-scoped `database_url` would reload the demo for
    every operation)."""
    with fresh_database(request, request.param, tmp_path_factory.mktemp("api"), "merit_api") as url:
        yield url


def _token(client: ASGIClient, email: str) -> str:
    answer = client.post("/api/v1/tokens", json={"email": email, "password": demo.DEMO_PASSWORD})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def _start(client: ASGIClient, auth: dict[str, str], sitting_id: int) -> dict[str, Any]:
    answer = client.post("/api/v1/attempts", json={"sitting_id": sitting_id, "language": "en"}, headers=auth)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _load_demo(db: Database) -> None:
    """The demo's accounts, question bank and competitions (interviews, sheets, rankings). Its practice round and
    exam hall, which cost most of its time and would only give the API more of the same, are left out."""
    for person in demo.DEMO_USERS:
        create_user(db, Registration(
            full_name=person.full_name, email=person.email, roles=person.roles, language=person.language,
            iin=person.iin, region_code=person.region_code, password=demo.DEMO_PASSWORD,
            password_confirm=demo.DEMO_PASSWORD), actor=SYSTEM, require_consent=False)
    store_import(db, SYSTEM, ImportResult(items=demo_items()), ["recruit/demo_bank"])
    for _line in demo_competitions.load(db):
        pass


def _corps_b(db: Database, title: str, closes_in: timedelta):
    now = utcnow()
    return create_sitting(db, SYSTEM, title=title, program_code="corps-b", opens_at=now - timedelta(hours=1),
                          closes_at=now + closes_in, capacity=5)


@pytest.fixture(scope="package")
def world(api_database_url: str) -> Iterator[World]:
    db = Database(api_database_url)
    _load_demo(db)
    with db.read() as session:
        user_ids = {email: session.exec(select(User.id).where(User.email == email)).one()
                    for email in (CANDIDATE, STAFF, "admin@merit.demo")}
    update_user_access(db, current_user(db, user_ids.pop("admin@merit.demo")), user_ids[STAFF],
                       {Role.COMMISSION_MEMBER.value, Role.HR_ANALYST.value}, True)
    current = _corps_b(db, "Corps B, online", timedelta(days=7))
    earlier = _corps_b(db, "Corps B, an earlier round", timedelta(hours=1))
    app = create_app(Settings(database_url=api_database_url, secret_key="api-fuzz-secret-" + "x" * 32, env="test"))
    with ASGIClient(app) as client:  # runs the app's lifespan, as a server would
        tokens = {CANDIDATE: _token(client, CANDIDATE), STAFF: _token(client, STAFF)}
        auth = {"Authorization": f"Bearer {tokens[CANDIDATE]}"}
        # Both seats are booked before a finished attempt would make the next one a retake too soon. Then a scored
        # attempt on the earlier round (result, certificate) and one in progress on the current sitting.
        for sitting in (current, earlier):
            assert client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth).status_code == 201
        scored = _start(client, auth, earlier.id)
        assert client.post(f"/api/v1/attempts/{scored['id']}/submit", headers=auth).status_code == 200
        running = _start(client, auth, current.id)
        with db.read() as session:
            sitting_ids = session.exec(select(Sitting.id)).all()
            someone_elses = session.exec(select(Attempt.id).order_by(Attempt.id)).first()
            interviews = session.exec(select(Interview).order_by(Interview.id)).all()
            seats = session.exec(select(CommissionSeat.id)).all()
            competitions = session.exec(select(Competition.id)).all()
        yield World(
            app=app, client=client, db=db, tokens=tokens, user_ids=user_ids,
            path_ids={"attempt_id": [running["id"], scored["id"], someone_elses],
                      "sitting_id": list(sitting_ids), "slot": [1, 2, len(running["items"])],
                      "interview_id": [i.id for i in interviews], "seat_id": list(seats),
                      "competition_id": list(competitions)},
            option_ids=[o["id"] for item in running["items"][:3] for o in item["options"]],
            competencies=[c["code"] for c in interviews[0].rubric["competencies"]],
        )
    shutdown_lifespans()
    db.dispose()
