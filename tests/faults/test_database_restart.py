"""PostgreSQL restarts under exam-day load and the server rides it out. On a cluster of the test's own, the real
server takes saves from many candidates; the database is shut down (fast: every connection cut, open transactions
rolled back) and started again while they keep saving. During the outage a save fails cleanly (a 5xx, never an
acknowledgment of what was not committed); once the database is back every candidate saves again with the same
server process, and the database holds every acknowledged save. A restart between saves, which leaves the
server's pool full of dead connections, costs no save at all."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.faults.exam_day import PASSWORD, Candidate, Load, candidates_on, check_stored
from tests.live_server import LiveServer, open_exam_day

CANDIDATES = 24
SAVES_BEFORE_OUTAGE = 10     # acknowledged, per candidate
OUTAGE_SECONDS = 2
RECOVERY_SECONDS = 15        # from the database's start until every candidate has saved again


@pytest.fixture
def exam_day_on_own_postgres(own_postgres, tmp_path):
    server = LiveServer(own_postgres.url, tmp_path / "var")
    server.recruit("db", "upgrade")
    sitting_id = open_exam_day(own_postgres.url, CANDIDATES, PASSWORD)
    server.start()
    try:
        yield own_postgres, server, sitting_id
    finally:
        server.stop()


def _health(server: LiveServer) -> int:
    return httpx.get(server.url + "/health", timeout=10).status_code


def _failures(candidates: list[Candidate]) -> int:
    return sum(len(c.failed_at) for c in candidates)


@pytest.mark.slow
def test_saves_fail_cleanly_while_postgres_is_down_and_resume_when_it_is_back(exam_day_on_own_postgres):
    cluster, server, sitting_id = exam_day_on_own_postgres
    serving = server.process.pid
    with candidates_on(server, CANDIDATES, sitting_id) as candidates:
        load = Load(candidates)
        try:
            load.wait_for(lambda: all(len(c.acks) >= SAVES_BEFORE_OUTAGE for c in candidates), "saves under way")
            cluster.stop()
            down = time.monotonic()
            load.wait_for(lambda: all(c.failed_at and c.failed_at[-1] > down for c in candidates),
                          "failed save of every candidate during the outage")
            assert _health(server) == 503
            time.sleep(OUTAGE_SECONDS)
            # From here on the candidates answer other questions, so a save acknowledged during the outage stays
            # the newest acknowledged one of its question, and check_stored proves it committed.
            for candidate in candidates:
                candidate.slots = range(6, 11)
            starting = time.monotonic()
            cluster.start()
            up = time.monotonic()
            recovery = load.wait_for(lambda: all(c.acked_since(up) for c in candidates),
                                     "save of every candidate after the restart", RECOVERY_SECONDS)
            load.wait_for(lambda: all(c.acked_since(up) >= 5 for c in candidates), "steady saving after the restart")
        finally:
            load.stop()
        print(f"every candidate saved again {recovery:.2f} s after PostgreSQL started; "
              f"{_failures(candidates)} saves failed during the outage")
        check_stored(cluster.url, candidates)
        assert not [ack for c in candidates for ack in c.acks if ack[0] >= down and ack[1] < starting], \
            "saves sent after the database stopped were acknowledged before it started again"
        assert _health(server) == 200

        # Restarted while the server is idle: its pooled connections all died; the first statement finds out.
        cluster.stop()
        cluster.start()
        failed, again = _failures(candidates), time.monotonic()
        load = Load(candidates)
        try:
            load.wait_for(lambda: all(c.acked_since(again) >= 3 for c in candidates), "saves after a quick restart")
        finally:
            load.stop()
        assert _failures(candidates) == failed, "a save failed on a connection that had died in the pool"
        check_stored(cluster.url, candidates)
    assert server.process.pid == serving and server.process.poll() is None, "the server was restarted"
