"""The security suite's shared pieces: a populated world with an owner and an outsider for every kind of object,
one signed-in visitor per person, and a snapshot of everything stored (to show a refused request changed nothing).
Everything is made through the real services and HTTP."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlmodel import SQLModel

from recruit.accounts.service import CurrentUser
from recruit.appeals import service as appeals
from recruit.audit.service import SYSTEM
from recruit.competitions import commission, decisions, interviews, service as competitions
from recruit.competitions.models import Interview
from recruit.db import Database, utcnow
from recruit.exams import service as exams
from tests.competitions.conftest import REQUIREMENTS, apply_eligible, sit_test
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD
from tests.security.routes import API_PREFIX

# Bookkeeping that every request may touch (session last-seen times, sign-in counters): not "a change".
VOLATILE_TABLES = {"web_session", "login_throttle"}


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with db.read() as session:
        return {table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
                for table in SQLModel.metadata.sorted_tables if table.name not in VOLATILE_TABLES}


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "merit.sqlite3"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


class Visitor:
    """One person with their own browser (session cookie and CSRF token) and their own API token."""

    def __init__(self, app, user: CurrentUser | None):
        self.user = user
        self.browser = TestClient(app)
        self.browser.headers["accept-language"] = "en"
        self.bearer: dict[str, str] = {}
        if user is not None:
            assert sign_in(self.browser, user.email).status_code == 303
            answer = self.browser.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
            self.bearer = {"Authorization": f"Bearer {answer.json()['token']}"}
        self.token = csrf_token(self.browser, "/account" if user else "/login")

    def ask(self, method: str, url: str, form: dict | None = None, json: Any = None, headers: dict | None = None):
        """Pages with the session and the CSRF token (field and header), the API with the bearer token."""
        if url.startswith(API_PREFIX):
            return self.browser.request(method, url, json=json, headers={**self.bearer, **(headers or {})})
        headers = {"x-csrftoken": self.token, **(headers or {})}
        if json is not None:
            return self.browser.request(method, url, json=json, headers=headers, follow_redirects=False)
        data = {**(form or {}), "_csrf_token": self.token} if method == "POST" else None
        return self.browser.request(method, url, data=data, headers=headers, follow_redirects=False)


@dataclass
class World:
    """Two of each: the owner of every object and a same-role outsider who must not reach it."""

    people: dict[str, CurrentUser]
    ids: dict[str, int]
    visitors: dict[str, Visitor] = field(default_factory=dict)

    def visitor(self, app, who: str) -> Visitor:
        if who not in self.visitors:
            self.visitors[who] = Visitor(app, self.people[who])
        return self.visitors[who]


def build_world(db: Database, make_user) -> World:
    now = utcnow()
    people = {
        "candidate": make_user("candidate", email="owner@example.kz"),
        "candidate_b": make_user("candidate", email="outsider@example.kz"),
        "applicant": make_user("candidate", email="applicant@example.kz"),
        "operator": make_user("operator", email="operator@example.kz"),
        "operator_b": make_user("operator", email="operator.b@example.kz"),
        "hr": make_user("hr_analyst", email="hr@example.kz"),
        "author": make_user("author", email="author@example.kz"),
        "chair": make_user("commission_member", email="chair@example.kz"),
        "member": make_user("commission_member", email="member@example.kz"),
        "member_2": make_user("commission_member", email="member2@example.kz"),
        "secretary": make_user("commission_member", email="secretary@example.kz"),
        "member_b": make_user("commission_member", email="member.b@example.kz"),
        "admin": make_user("admin", email="admin@example.kz"),
    }
    # A live attempt on the operator's sitting.
    sitting = exams.create_sitting(db, SYSTEM, title="Corps B, hall 1", program_code="corps-b",
                                   opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), capacity=10,
                                   operator_id=people["operator"].id)
    booking = exams.book(db, people["candidate"], sitting.id, now)
    live, _ = exams.start(db, people["candidate"], sitting.id, "en", now, "owner-device")
    # A competition at interviews: the applicant passed both tests; a commission of three voters and a secretary.
    competition = competitions.announce(db, people["hr"], competitions.Announcement(
        title="Chief specialist", state_body_code="acsa", position_category_code="B-4", region_code="KZ-71",
        kind="general", posts=1, requirements=REQUIREMENTS, closes_at=now + timedelta(hours=1)), now)
    application = apply_eligible(db, people["hr"], people["applicant"], competition.id)
    scored = sit_test(db, people["applicant"], "corps-b", 50, now)
    sit_test(db, people["applicant"], "competency", 4, now)
    competitions.close_testing(db, people["hr"], competition.id, now + timedelta(hours=2))
    seats = commission.form_commission(db, people["hr"], competition.id, [
        (people["chair"].id, "chair"), (people["member"].id, "member"), (people["member_2"].id, "member"),
        (people["secretary"].id, "secretary")], now)
    with db.read() as session:
        interview = session.exec(select(Interview).where(Interview.application_id == application.id)).scalar_one()
    commission.declare(db, people["chair"], application.id, False, "", now)
    chair_sheet = interviews.submit(db, people["chair"], interview.id, {
        c["code"]: {"level": 4, "evidence": "Clear, concrete examples"} for c in interview.rubric["competencies"]}, now)
    decisions.store_protocol(db, people["chair"], competition.id, b"%PDF-1.4 protocol", "en", now)
    appeal = appeals.challenge_item(db, people["applicant"], scored["attempt_id"], 1, "The key is wrong", now)
    # The outside operator runs a sitting of their own.
    exams.create_sitting(db, SYSTEM, title="Corps B, hall 2", program_code="corps-b", opens_at=now,
                         closes_at=now + timedelta(days=1), capacity=10, operator_id=people["operator_b"].id)
    return World(people, {
        "sitting": sitting.id, "booking": booking.id, "live_attempt": live.id, "scored_attempt": scored["attempt_id"],
        "competition": competition.id, "application": application.id, "interview": interview.id,
        "seat": chair_sheet.seat_id, "appeal": appeal.id, "chair_seat": next(s.id for s in seats if s.role == "chair")})


@pytest.fixture
def world(db, demo_bank, make_user) -> World:
    return build_world(db, make_user)
