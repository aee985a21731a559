"""Exam-day load for the fault tests: candidates on their own threads keep changing answers through the real API
of a real server (tests/live_server.py) while the test breaks something, and record what they sent and which
saves the server acknowledged. Afterwards `check_stored` compares the database with those records."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from sqlmodel import select

from recruit.db import Database
from recruit.exams.models import Attempt, Response
from recruit.exams.service import option_id
from tests.live_server import LiveServer

PASSWORD = "load-test-pass-2026"
ACKED, FAILED, GONE = "acked", "failed", "gone"


@dataclass
class Candidate:
    client: httpx.Client
    attempt: dict
    started: float                                              # monotonic time of the start's answer
    slots: Sequence[int] = range(1, 6)                          # the questions it keeps changing; the test may move it on
    sent: dict[int, tuple[int, list[str]]] = field(default_factory=dict)   # seq -> (slot, choice ids)
    acked: dict[int, int] = field(default_factory=dict)         # slot -> newest acknowledged seq
    unanswered: set[int] = field(default_factory=set)           # sent, then a 5xx or a cut connection: stored or not
    acks: list[tuple[float, float]] = field(default_factory=list)   # monotonic (sent, answered) of each acknowledgment
    failed_at: list[float] = field(default_factory=list)        # monotonic times of the 5xx answers

    def save_until(self, stop: Callable[[], bool]) -> None:
        """Save a new answer after each answer until `stop()`, or until the server is gone. A 5xx is no
        acknowledgment: the page keeps the answer and tries again after a pause; this candidate saves on."""
        rng = random.Random(self.attempt["id"])
        for seq in itertools.count(max(self.sent, default=0) + 1):
            if stop():
                return
            outcome = self.save(seq, rng)
            if outcome == GONE:
                return
            if outcome == FAILED:
                time.sleep(0.05)

    def save(self, seq: int, rng: random.Random) -> str:
        """One save of a random answer to one of `slots`."""
        slot = self.slots[seq % len(self.slots)]
        choice = [rng.choice(self.attempt["items"][slot - 1]["options"])["id"]]
        self.sent[seq], sent = (slot, choice), time.monotonic()
        try:
            answer = self.client.put(f"/api/v1/attempts/{self.attempt['id']}/responses/{slot}",
                                     json={"choice_ids": choice, "seq": seq})
        except httpx.ConnectError:
            del self.sent[seq]                                  # the server was already gone: never sent
            return GONE
        except httpx.TransportError:
            self.unanswered.add(seq)                            # sent, the answer lost
            return GONE
        if answer.status_code >= 500:
            assert "saved" not in answer.text, f"a failure that looks like an acknowledgment: {answer.text}"
            self.unanswered.add(seq)
            self.failed_at.append(time.monotonic())
            return FAILED
        assert answer.status_code == 200 and answer.json()["saved"] is True, (answer.status_code, answer.text)
        self.acked[slot] = seq
        self.acks.append((sent, time.monotonic()))
        return ACKED

    def acked_since(self, moment: float) -> int:
        """Acknowledged saves sent at `moment` or later."""
        return sum(1 for sent, _ in self.acks if sent >= moment)


def begin(server: LiveServer, n: int, sitting_id: int) -> Candidate:
    """Candidate load{n}@merit.test takes a token and starts the attempt, as the page does."""
    client = httpx.Client(base_url=server.url, timeout=30)
    token = client.post("/api/v1/tokens", json={"email": f"load{n}@merit.test", "password": PASSWORD})
    assert token.status_code == 201, token.text
    client.headers["authorization"] = f"Bearer {token.json()['token']}"
    started = client.post("/api/v1/attempts", json={"sitting_id": sitting_id, "language": "ru"})
    assert started.status_code == 201, started.text
    return Candidate(client, started.json(), time.monotonic())


@contextmanager
def candidates_on(server: LiveServer, count: int, sitting_id: int) -> Iterator[list[Candidate]]:
    with ThreadPoolExecutor(8) as pool:
        candidates = list(pool.map(lambda n: begin(server, n, sitting_id), range(1, count + 1)))
    try:
        yield candidates
    finally:
        for candidate in candidates:
            candidate.client.close()


class Load:
    """Every candidate saving on its own thread until `stop()` or until the server is gone."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates, self._stopping = candidates, threading.Event()
        self._pool = ThreadPoolExecutor(len(candidates))
        self._saving = [self._pool.submit(c.save_until, self._stopping.is_set) for c in candidates]

    def wait_for(self, condition: Callable[[], bool], what: str, seconds: float = 60) -> float:
        """Seconds until `condition()` holds; fails if a candidate's thread failed or it takes too long."""
        began = time.monotonic()
        while not condition():
            assert time.monotonic() - began < seconds, f"no {what} within {seconds} s"
            for future in self._saving:
                if future.done():
                    future.result()  # a refused save raises here
            time.sleep(0.01)
        return time.monotonic() - began

    def stop(self) -> None:
        """Ends the saving, or collects it after the server died."""
        self._stopping.set()
        try:
            for future in self._saving:
                future.result(timeout=60)
        finally:
            self._pool.shutdown()


def check_stored(database_url: str, candidates: list[Candidate]) -> int:
    """What the database holds against what the candidates saw: the newest acknowledged save of every slot is
    stored, or a newer one whose answer never came; nothing stored that was not sent (a refused save already
    failed the test). Returns the number of acknowledged saves checked this way."""
    db = Database(database_url)
    try:
        with db.read() as session:
            salts = dict(session.exec(select(Attempt.id, Attempt.option_salt).where(
                Attempt.id.in_([c.attempt["id"] for c in candidates]))).all())
            rows = session.exec(select(Response).where(Response.attempt_id.in_(list(salts)))).all()
    finally:
        db.dispose()
    stored = {(r.attempt_id, r.slot): r for r in rows}
    checked = 0
    for candidate in candidates:
        attempt_id = candidate.attempt["id"]
        assert candidate.acked, f"attempt {attempt_id}: no save was ever acknowledged"
        for slot, seq in candidate.acked.items():
            row = stored.get((attempt_id, slot))
            assert row is not None, f"attempt {attempt_id}: the acknowledged save {seq} of slot {slot} is lost"
            assert row.seq == seq or (row.seq > seq and row.seq in candidate.unanswered), \
                f"attempt {attempt_id} slot {slot}: stored seq {row.seq}, newest acknowledged {seq}"
            checked += 1
        for (owner, slot), row in stored.items():
            if owner == attempt_id:
                choice = sorted(option_id(salts[attempt_id], slot, key) for key in row.selected)
                assert candidate.sent.get(row.seq) == (slot, choice), f"attempt {attempt_id}: stored what was not sent"
    return checked
