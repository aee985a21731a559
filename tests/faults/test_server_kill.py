"""A crash under exam-day load loses nothing acknowledged: the real server takes saves from many candidates at
once, is killed with SIGKILL while saves are in flight (no shutdown code runs, nothing is flushed), and is started
again on the same database. It must answer /health within 10 s, the database must hold every acknowledged save,
and each candidate's clock must run on from the stored deadline."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tests.faults.exam_day import PASSWORD, Candidate, Load, candidates_on, check_stored
from tests.live_server import live_server, open_exam_day

CANDIDATES = 40
SAVES_BEFORE_KILL = 10   # acknowledged, per candidate: every candidate is saving when the kill comes
RESTART_SECONDS = 10


@pytest.fixture
def exam_day(database_url, tmp_path):
    sitting_id = open_exam_day(database_url, CANDIDATES, PASSWORD)
    with live_server(database_url, tmp_path / "var") as server:
        yield server, sitting_id


@pytest.mark.slow
def test_acknowledged_saves_and_the_deadline_survive_a_kill(exam_day, database_url):
    server, sitting_id = exam_day
    with candidates_on(server, CANDIDATES, sitting_id) as candidates:
        load = Load(candidates)
        try:
            load.wait_for(lambda: all(len(c.acks) >= SAVES_BEFORE_KILL for c in candidates), "saves under way")
            server.kill()
        finally:
            load.stop()
        assert any(c.unanswered for c in candidates), "the kill cut no save off in flight"

        restart = server.start()
        print(f"restart to a healthy /health: {restart:.2f} s ({server.cpu_seconds():.2f} s of processor time)")
        checked = check_stored(database_url, candidates)
        print(f"{checked} newest acknowledged saves of {sum(len(c.acks) for c in candidates)} found stored")
        for candidate in candidates:
            _carries_on(candidate)
    assert restart < RESTART_SECONDS


def _carries_on(candidate: Candidate) -> None:
    """The attempt is still running on its stored deadline, and takes the next save."""
    before = candidate.attempt
    after = candidate.client.get(f"/api/v1/attempts/{before['id']}")
    assert after.status_code == 200, after.text
    state = after.json()
    assert state["state"] == "in_progress" and state["deadline_at"] == before["deadline_at"]
    # The clock runs on from the stored deadline: not reset to the full duration, no jump.
    deadline = datetime.fromisoformat(state["deadline_at"])
    assert abs(state["remaining_seconds"] - (deadline - datetime.now(deadline.tzinfo)).total_seconds()) <= 2
    elapsed = time.monotonic() - candidate.started
    assert abs(state["remaining_seconds"] - (before["remaining_seconds"] - elapsed)) <= 2
    item = before["items"][0]
    saved = candidate.client.put(f"/api/v1/attempts/{before['id']}/responses/{item['slot']}",
                                 json={"choice_ids": [item["options"][0]["id"]], "seq": max(candidate.sent) + 1})
    assert saved.status_code == 200 and saved.json()["saved"] is True, saved.text
