"""What the fuzz found, pinned down: each request here answered 500 (or refused valid input) before. Bad input now
gets a 400 that says what is wrong, and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from recruit.accounts.models import LoginThrottle, User
from recruit.accounts.service import current_user, issue_token
from recruit.audit.service import SYSTEM
from recruit.db import utcnow
from recruit.exams.service import create_sitting
from recruit.web.errors import MAX_ROW_ID
from tests.api.conftest import CANDIDATE, STAFF, World

# Past PostgreSQL's integer, past SQLite's, and far past both.
HUGE = (MAX_ROW_ID + 1, 2**63, 18781583092344381510782839422976)


@pytest.mark.parametrize("path", ["/api/v1/attempts/{}", "/api/v1/attempts/{}/result",
                                  "/api/v1/attempts/{}/certificate.pdf", "/api/v1/sittings/{}/bookings",
                                  "/api/v1/attempts/{}/responses/1", "/api/v1/attempts/1/responses/{}"])
def test_ids_past_the_integer_range_are_bad_input(world: World, path: str):
    method = "put" if "responses" in path else "post" if "bookings" in path else "get"
    for huge in HUGE:
        answer = world.client.request(method, path.format(huge), headers=world.headers(CANDIDATE),
                                      json={"choice_ids": [], "seq": 1})
        assert answer.status_code == 400, (path, huge, answer.text)
        assert f"<= {MAX_ROW_ID}" in answer.json()["extra"][0]["message"]


@pytest.mark.parametrize("path", ["/api/v1/interviews/{}/scores", "/api/v1/interviews/1/sheets/{}",
                                  "/api/v1/competitions/{}/ranking"])
def test_staff_ids_past_the_integer_range_are_bad_input(world: World, path: str):
    for huge in HUGE:
        assert world.client.get(path.format(huge), headers=world.headers(STAFF)).status_code == 400


def test_a_sitting_id_past_the_range_is_bad_input(world: World):
    answer = world.client.post("/api/v1/attempts", json={"sitting_id": HUGE[0], "language": "en"},
                               headers=world.headers(CANDIDATE))
    assert answer.status_code == 400 and "sitting_id" in answer.text


@pytest.fixture
def fresh_attempt(world: World) -> tuple[dict[str, str], dict]:
    """Another demo candidate's attempt in progress on a sitting of its own (the fuzz may close the other one)."""
    with world.db.read() as session:
        user_id = session.exec(select(User.id).where(User.email == "candidate.ru@merit.demo")).one()
    auth = {"Authorization": f"Bearer {issue_token(world.db, current_user(world.db, user_id))[0]}"}
    now = utcnow()
    sitting = create_sitting(world.db, SYSTEM, title="Corps B, for bad input", program_code="corps-b",
                             opens_at=now, closes_at=now.replace(year=now.year + 1), capacity=1)
    assert world.client.post(f"/api/v1/sittings/{sitting.id}/bookings", headers=auth).status_code == 201
    started = world.client.post("/api/v1/attempts", json={"sitting_id": sitting.id, "language": "ru"}, headers=auth)
    assert started.status_code == 201, started.text
    return auth, started.json()


def test_a_save_counter_past_the_stored_range_changes_nothing(world: World, fresh_attempt):
    auth, attempt = fresh_attempt
    option = attempt["items"][0]["options"][0]["id"]
    for seq in (MAX_ROW_ID + 1, -MAX_ROW_ID - 1, 2**64):
        answer = world.client.put(f"/api/v1/attempts/{attempt['id']}/responses/1",
                                  json={"choice_ids": [option], "seq": seq}, headers=auth)
        assert answer.status_code == 400 and "seq" in answer.json()["detail"], answer.text
    assert world.client.get(f"/api/v1/attempts/{attempt['id']}", headers=auth).json()["responses"] == []


def test_a_whole_number_written_with_a_point_is_a_save_counter(world: World, fresh_attempt):
    """JSON does not tell 3 from 3.0; litestar's own bodies take both, and so does the save."""
    auth, attempt = fresh_attempt
    option = attempt["items"][0]["options"][0]["id"]
    answer = world.client.put(f"/api/v1/attempts/{attempt['id']}/responses/1",
                              json={"choice_ids": [option], "seq": 3.0}, headers=auth)
    assert answer.status_code == 200 and answer.json()["saved"] is True
    assert world.client.get(f"/api/v1/attempts/{attempt['id']}", headers=auth).json()["responses"] == [
        {"slot": 1, "choice_ids": [option], "seq": 3}]
    half = world.client.put(f"/api/v1/attempts/{attempt['id']}/responses/1",
                            json={"choice_ids": [option], "seq": 4.5}, headers=auth)
    assert half.status_code == 400


@pytest.mark.parametrize("period", ["0001", "0000", "1899", "3000", "9999"])
def test_a_year_out_of_range_is_bad_input(world: World, period: str):
    answer = world.client.get(f"/api/v1/reports/pass-rates?period={period}", headers=world.headers(STAFF))
    assert answer.status_code == 400
    assert answer.json()["detail"] == "period must be a year from 1900 to 2999"


@pytest.mark.parametrize("email", ["candidate.en@merit.demo\x00", "\x00", "a" * 321 + "@merit.demo",
                                   "\u0130" * 200 + "@merit.demo"])  # lower-cased, İ doubles past 320
def test_an_address_no_database_could_hold_is_a_failed_sign_in_that_writes_nothing(world: World, email: str):
    with world.db.read() as session:
        throttles = session.exec(select(LoginThrottle)).all()
    answer = world.client.post("/api/v1/tokens", json={"email": email, "password": "merit-demo-2026"},
                               headers={"accept-language": "en"})
    assert answer.status_code == 401 and "incorrect" in answer.json()["detail"]
    with world.db.read() as session:
        assert session.exec(select(LoginThrottle)).all() == throttles
