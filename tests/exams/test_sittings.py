"""Booking rules, the sweeper run by several processes at once, and the demo sitting."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from recruit.audit.models import AuditEvent
from question_bank.programs import program_to_dict
from recruit.audit.service import SYSTEM
from recruit.bank import service as bank
from recruit.db import Database, utcnow
from recruit.exams import service
from recruit.exams.models import Attempt


def _sitting(db, program="corps-b", capacity=50, opens=-1, closes=24):
    now = utcnow()
    return service.create_sitting(db, SYSTEM, title=f"{program} sitting", program_code=program,
                                  opens_at=now + timedelta(hours=opens), closes_at=now + timedelta(hours=closes),
                                  capacity=capacity)


def test_capacity_closed_sittings_and_repeat_bookings(db, demo_bank, make_user):
    full = _sitting(db, capacity=1)
    one, two = make_user("candidate"), make_user("candidate")
    first = service.book(db, one, full.id, utcnow())
    assert service.book(db, one, full.id, utcnow()).id == first.id
    with pytest.raises(service.ExamError, match="full"):
        service.book(db, two, full.id, utcnow())
    closed = _sitting(db, opens=-5, closes=-1)
    with pytest.raises(service.ExamError, match="closed"):
        service.book(db, two, closed.id, utcnow())
    with pytest.raises(service.ExamError, match="Only candidates"):
        service.book(db, make_user("author"), _sitting(db).id, utcnow())


def test_competency_needs_a_valid_pass_and_retakes_wait(db, demo_bank, make_user):
    candidate = make_user("candidate")
    competency = _sitting(db, program="competency")
    with pytest.raises(service.ExamError, match="passed legislation test"):
        service.book(db, candidate, competency.id, utcnow())
    legislation = _sitting(db)
    service.book(db, candidate, legislation.id, utcnow())
    view, _ = service.start(db, candidate, legislation.id, "ru", utcnow())
    service.submit(db, candidate, view.id, utcnow())
    with db.write() as session:  # pretend the candidate passed eleven months ago
        session.execute(update(Attempt).where(Attempt.id == view.id).values(
            passed=True, finished_at=utcnow() - timedelta(days=335)))
    assert service.book(db, candidate, competency.id, utcnow()).sitting_id == competency.id
    with db.write() as session:  # thirteen months ago: no longer valid
        session.execute(update(Attempt).where(Attempt.id == view.id).values(finished_at=utcnow() - timedelta(days=400)))
    with pytest.raises(service.ExamError, match="still valid"):
        service.book(db, candidate, _sitting(db, program="competency").id, utcnow())
    with db.write() as session:  # a fresh failed attempt: the retake waits
        session.execute(update(Attempt).where(Attempt.id == view.id).values(passed=False, finished_at=utcnow()))
    with pytest.raises(service.ExamError, match="again 30 days"):
        service.book(db, candidate, _sitting(db).id, utcnow())


def test_the_retake_wait_is_set_by_the_program(db, demo_bank, make_user):
    candidate = make_user("candidate")
    first = _sitting(db)
    service.book(db, candidate, first.id, utcnow())
    service.submit(db, candidate, service.start(db, candidate, first.id, "ru", utcnow())[0].id, utcnow())
    rules = program_to_dict(bank.program(db, "corps-b"))
    bank.save_program(db, SYSTEM, {**rules, "retake_days": 3, "effective_from": "2000-01-01"})
    with pytest.raises(service.ExamError, match="again 3 days"):
        service.book(db, candidate, _sitting(db).id, utcnow())
    assert service.book(db, candidate, _sitting(db, closes=24 * 5).id, utcnow() + timedelta(days=3, minutes=1))


def test_concurrent_sweepers_close_each_attempt_once(db, database_url, demo_bank, make_user):
    sitting = _sitting(db)
    attempts = []
    for _ in range(6):
        candidate = make_user("candidate")
        service.book(db, candidate, sitting.id, utcnow())
        attempts.append(service.start(db, candidate, sitting.id, "kk", utcnow())[0].id)
    later = utcnow() + timedelta(hours=2)
    closed = []

    def sweep():
        own = Database(database_url)
        closed.append(service.sweep(own, later))
        own.dispose()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(closed) == 6
    with db.read() as session:
        rows = session.exec(select(Attempt).where(Attempt.id.in_(attempts))).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "attempt.expired")).all()
    assert all(r.state == "expired" and r.finished_at == r.deadline_at and r.scored_at for r in rows)
    assert sorted(int(e.subject_id) for e in events) == sorted(attempts)
    assert service.sweep(db, later) == 0


def test_extra_time_moves_the_deadline(db, demo_bank, make_user):
    sitting = _sitting(db)
    candidate = make_user("candidate")
    service.book(db, candidate, sitting.id, utcnow(), actor=SYSTEM,
                 accommodations={"extra_minutes": 10, "extra_percent": 25, "accommodation_reason": "medical"})
    now = utcnow()
    view, _ = service.start(db, candidate, sitting.id, "en", now)
    assert view.deadline_at - now == timedelta(minutes=55 + 10) + timedelta(minutes=55) * 0.25
