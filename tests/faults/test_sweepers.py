"""Sweepers in several processes at once (every server worker runs one, and `recruit exams sweep` may run beside
them) finalize each overdue attempt exactly once: one finish at the deadline, one score, one integrity-log entry
and one audit event each, an intact audit chain; attempts with time left, or paused, are left alone."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from recruit.audit.models import AuditEvent
from recruit.audit.service import SYSTEM, verify_database
from recruit.db import Database, utcnow
from recruit.exams import operations, service
from recruit.exams.models import Attempt, AttemptEvent

OVERDUE = 40
SWEEPERS = 4


def sweep_in_a_process(database_url: str, now: datetime, ready, results) -> None:
    """One sweeper process: everyone starts sweeping at the same moment (the barrier)."""
    db = Database(database_url)
    try:
        ready.wait(timeout=120)
        began = time.time()
        closed = service.sweep(db, now)
        results.put((closed, began, time.time()))
    finally:
        db.dispose()


def _sweep_in_parallel(database_url: str, now: datetime) -> list[tuple[int, float, float]]:
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters: nothing of this process's pools is shared
    ready, results = spawn.Barrier(SWEEPERS), spawn.Queue()
    sweepers = [spawn.Process(target=sweep_in_a_process, args=(database_url, now, ready, results))
                for _ in range(SWEEPERS)]
    for sweeper in sweepers:
        sweeper.start()
    outcomes = [results.get(timeout=180) for _ in sweepers]
    for sweeper in sweepers:
        sweeper.join(timeout=30)
        assert sweeper.exitcode == 0
    return outcomes


@pytest.mark.slow
def test_parallel_sweeper_processes_finalize_each_overdue_attempt_once(db, database_url, demo_bank, make_user):
    now = utcnow()
    sitting = service.create_sitting(db, SYSTEM, title="Corps B", program_code="corps-b",
                                     opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                                     capacity=OVERDUE + 2)

    def started(**accommodations) -> int:
        candidate = make_user("candidate")
        service.book(db, candidate, sitting.id, now, actor=SYSTEM, accommodations=accommodations or None)
        return service.start(db, candidate, sitting.id, "ru", now)[0].id

    overdue = [started() for _ in range(OVERDUE)]
    time_left = started(extra_minutes=10, accommodation_reason="medical")
    paused = started()
    operations.pause_attempt(db, make_user("admin"), paused, "fire alarm", now)
    later = now + timedelta(minutes=55) + service.GRACE + timedelta(seconds=1)

    began = time.monotonic()
    outcomes = _sweep_in_parallel(database_url, later)
    print(f"attempts closed by each sweeper: {[closed for closed, _, _ in outcomes]}, "
          f"{time.monotonic() - began:.1f} s with the processes' start")

    assert sum(closed for closed, _, _ in outcomes) == OVERDUE
    assert max(began for _, began, _ in outcomes) < min(ended for _, _, ended in outcomes), "the sweeps did not overlap"
    with db.read() as session:
        attempts = {a.id: a for a in session.exec(select(Attempt)).all()}
        finished = Counter(e.attempt_id for e in session.exec(select(AttemptEvent).where(
            AttemptEvent.kind == "expired")).all())
        audited = Counter(int(e.subject_id) for e in session.exec(select(AuditEvent).where(
            AuditEvent.action == "attempt.expired")).all())
        checked, chain_break = verify_database(session)
    for attempt_id in overdue:
        attempt = attempts[attempt_id]
        assert attempt.state == "expired" and attempt.finished_at == attempt.deadline_at
        assert attempt.scored_at is not None and attempt.result is not None and attempt.verification_code
    assert finished == Counter(overdue) and audited == Counter(overdue)
    assert chain_break is None and checked > OVERDUE
    assert attempts[time_left].state == attempts[paused].state == "in_progress"
    assert attempts[time_left].finished_at is None and attempts[paused].finished_at is None
    assert service.sweep(db, later) == 0
