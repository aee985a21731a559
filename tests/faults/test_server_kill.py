"""A crash mid-exam loses nothing acknowledged: the real server in a subprocess takes concurrent saves, is
killed with SIGKILL while saves are in flight, and is started again on the same database."""

from __future__ import annotations

import itertools
import random
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import pytest

from tests.live_server import LiveServer, live_server, open_exam_day

CANDIDATES = 6
PASSWORD = "load-test-pass-2026"
SLOTS = 5           # each candidate keeps changing a few answers, so newer saves supersede older ones
SAVES_BEFORE_KILL = 15


@dataclass
class Candidate:
    client: httpx.Client
    attempt: dict
    started: float                                               # monotonic time of the start's answer
    sent: dict[int, tuple[int, list[str]]] = field(default_factory=dict)    # seq -> (slot, choice ids)
    acked: dict[int, int] = field(default_factory=dict)          # slot -> newest acknowledged seq
    in_flight: int | None = None                                 # the seq the kill cut off, if any

    def save_until_the_server_dies(self) -> None:
        rng = random.Random(self.attempt["id"])
        with closing(self.client):
            for seq in itertools.count(1):
                if not self.save(seq, rng):
                    return

    def save(self, seq: int, rng: random.Random) -> bool:
        """One save of a random answer to one of the first few questions; False once the server is gone."""
        item = self.attempt["items"][seq % SLOTS]
        choice = [rng.choice(item["options"])["id"]]
        self.sent[seq] = (item["slot"], choice)
        try:
            answer = self.client.put(f"/api/v1/attempts/{self.attempt['id']}/responses/{item['slot']}",
                                     json={"choice_ids": choice, "seq": seq})
        except httpx.ConnectError:
            return False                                         # the server was already gone: never sent
        except httpx.TransportError:
            self.in_flight = seq                                 # sent, the answer lost: stored or not
            return False
        assert answer.status_code == 200 and answer.json()["saved"] is True, answer.text
        self.acked[item["slot"]] = seq
        return True


def begin(server: LiveServer, n: int, sitting_id: int) -> Candidate:
    client = httpx.Client(base_url=server.url, timeout=10)
    token = client.post("/api/v1/tokens", json={"email": f"load{n}@merit.test", "password": PASSWORD})
    assert token.status_code == 201, token.text
    client.headers["authorization"] = f"Bearer {token.json()['token']}"
    started = client.post("/api/v1/attempts", json={"sitting_id": sitting_id, "language": "ru"})
    assert started.status_code == 201, started.text
    return Candidate(client, started.json(), time.monotonic())


@pytest.fixture
def exam_day(database_url, tmp_path):
    sitting_id = open_exam_day(database_url, CANDIDATES, PASSWORD)
    with live_server(database_url, tmp_path / "var") as server:
        yield server, sitting_id


def _saves_under_way(candidates: list[Candidate], saving: list[Future]) -> None:
    deadline = time.monotonic() + 30
    while sum(len(c.sent) for c in candidates) < SAVES_BEFORE_KILL * CANDIDATES:
        assert time.monotonic() < deadline, "saves did not get going"
        for future in saving:
            if future.done():
                future.result()  # a refused save raises here
                raise AssertionError("a candidate stopped saving before the kill")
        time.sleep(0.01)


@pytest.mark.slow
def test_acknowledged_saves_and_the_deadline_survive_a_kill(exam_day):
    server, sitting_id = exam_day
    candidates = [begin(server, n, sitting_id) for n in range(1, CANDIDATES + 1)]
    with ThreadPoolExecutor(CANDIDATES) as pool:
        saving = [pool.submit(c.save_until_the_server_dies) for c in candidates]
        _saves_under_way(candidates, saving)
        server.kill()
        for future in saving:
            future.result(timeout=30)
    assert any(c.in_flight for c in candidates), "the kill cut no save off in flight"

    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as fresh:
        for candidate in candidates:
            _check_after_restart(fresh, candidate)


def _check_after_restart(client: httpx.Client, candidate: Candidate) -> None:
    before = candidate.attempt
    headers = {"authorization": candidate.client.headers["authorization"]}
    after = client.get(f"/api/v1/attempts/{before['id']}", headers=headers)
    assert after.status_code == 200, after.text
    state = after.json()
    stored = {r["slot"]: r for r in state["responses"]}
    for slot, response in stored.items():
        assert candidate.sent.get(response["seq"]) == (slot, response["choice_ids"]), "stored what was not sent"
    assert candidate.acked, "no save was acknowledged before the kill"
    for slot, seq in candidate.acked.items():
        # The newest acknowledged save, or the one the kill cut off if it committed first; never older.
        assert slot in stored, f"the acknowledged save {seq} of slot {slot} is lost"
        assert stored[slot]["seq"] in (seq, candidate.in_flight), (slot, seq, stored[slot])

    # The clock runs on from the stored deadline: not reset to the full duration, no jump.
    assert state["state"] == "in_progress" and state["deadline_at"] == before["deadline_at"]
    deadline = datetime.fromisoformat(state["deadline_at"])
    assert abs(state["remaining_seconds"] - (deadline - datetime.now(deadline.tzinfo)).total_seconds()) <= 2
    elapsed = time.monotonic() - candidate.started
    assert abs(state["remaining_seconds"] - (before["remaining_seconds"] - elapsed)) <= 2
