"""The operator's rules: pauses credit exactly the lost time, extra time and termination need a reason,
accommodations are fixed before the start, operators act only on their own sittings, everything is audited."""

from datetime import timedelta

import pytest
from sqlmodel import select

from recruit.audit.models import AuditEvent
from recruit.db import utcnow
from recruit.exams import operations, service
from recruit.exams.certificates import certificate_pdf
from recruit.exams.models import Attempt, AttemptEvent, Sitting

DURATION = timedelta(minutes=55)


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def run(db, sitting, operator):
    """The sitting assigned to `operator`, and a helper that books and starts a candidate at a given time."""
    with db.write() as session:
        row = session.get(Sitting, sitting.id)
        row.operator_id = operator.id
        session.add(row)

    def start(candidate, at, token="device-a"):
        service.book(db, candidate, sitting.id, at)
        view, _ = service.start(db, candidate, sitting.id, "ru", at, token)
        return view

    return start


def _first_option(view, slot=1):
    return [view.items[slot - 1].options[0][0]]


def _actions(db, subject_type, subject_id):
    with db.read() as session:
        return [e.action for e in session.exec(select(AuditEvent).where(
            AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
            .order_by(AuditEvent.seq)).all()]


def _events(db, attempt_id):
    with db.read() as session:
        return [e for e in session.exec(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id)
                                        .order_by(AttemptEvent.id)).all()]


def test_a_pause_stops_the_clock_and_credits_exactly_the_time_it_took(db, run, operator, make_user):
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)
    operations.pause_attempt(db, operator, view.id, "Power cut in hall 2", t0 + timedelta(minutes=10))
    later = t0 + timedelta(minutes=25)
    frozen = service.view(db, candidate, view.id, later)
    assert frozen.paused and frozen.remaining_seconds == (DURATION - timedelta(minutes=10)).total_seconds()
    with pytest.raises(service.ExamError) as refused:
        service.save(db, candidate, view.id, 1, _first_option(view), 1, later, "device-a")
    assert refused.value.params["reason"] == "paused"
    # Long past the original deadline, the sweeper leaves a paused attempt alone.
    assert service.sweep(db, t0 + timedelta(hours=2)) == 0
    operations.resume_attempt(db, operator, view.id, t0 + timedelta(hours=2))
    resumed = service.view(db, candidate, view.id, t0 + timedelta(hours=2))
    assert not resumed.paused and resumed.remaining_seconds == (DURATION - timedelta(minutes=10)).total_seconds()
    assert resumed.deadline_at == view.deadline_at + timedelta(hours=2, minutes=-10)
    assert service.save(db, candidate, view.id, 1, _first_option(view), 1, t0 + timedelta(hours=2), "device-a").saved
    assert _actions(db, "attempt", view.id)[-2:] == ["attempt.paused", "attempt.resumed"]


def test_a_sitting_pause_stops_every_clock_and_resumes_only_what_it_paused(db, run, sitting, operator, make_user):
    first, second, alone, late = make_user(), make_user(), make_user(), make_user()
    t0 = utcnow()
    a, b, c = run(first, t0), run(second, t0), run(alone, t0)
    operations.pause_attempt(db, operator, c.id, "Candidate unwell", t0 + timedelta(minutes=1))
    assert operations.pause_sitting(db, operator, sitting.id, "Network outage", t0 + timedelta(minutes=5)) == 2
    service.book(db, late, sitting.id, t0)
    with pytest.raises(service.ExamError):
        service.start(db, late, sitting.id, "ru", t0 + timedelta(minutes=6), "device-z")
    assert operations.resume_sitting(db, operator, sitting.id, t0 + timedelta(minutes=20)) == 2
    for view, candidate in ((a, first), (b, second)):
        now = service.view(db, candidate, view.id, t0 + timedelta(minutes=20))
        assert not now.paused and now.remaining_seconds == (DURATION - timedelta(minutes=5)).total_seconds()
    assert service.view(db, alone, c.id, t0 + timedelta(minutes=20)).paused
    assert service.start(db, late, sitting.id, "ru", t0 + timedelta(minutes=21), "device-z")[1]
    assert _actions(db, "sitting", sitting.id)[-2:] == ["sitting.paused", "sitting.resumed"]


def test_extra_time_needs_a_reason_and_moves_the_deadline(db, run, operator, make_user):
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)
    with pytest.raises(service.Invalid):
        operations.extend(db, operator, view.id, 10, "   ", t0)
    with pytest.raises(service.Invalid):
        operations.extend(db, operator, view.id, 0, "Fire alarm", t0)
    operations.extend(db, operator, view.id, 10, "Fire alarm evacuation", t0 + timedelta(minutes=3))
    assert service.view(db, candidate, view.id, t0).deadline_at == view.deadline_at + timedelta(minutes=10)
    assert _events(db, view.id)[-1].detail == {"minutes": 10, "reason": "Fire alarm evacuation",
                                               "by": operator.email}
    assert "attempt.extra_time" in _actions(db, "attempt", view.id)


def test_termination_ends_the_attempt_without_a_score_or_certificate(db, client, run, operator, make_user):
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)
    service.save(db, candidate, view.id, 1, _first_option(view), 1, t0, "device-a")
    with pytest.raises(service.Invalid):
        operations.terminate(db, operator, view.id, "", t0)
    operations.terminate(db, operator, view.id, "Used a phone", t0 + timedelta(minutes=4))
    with pytest.raises(service.ExamError):
        service.save(db, candidate, view.id, 2, _first_option(view, 2), 2, t0 + timedelta(minutes=5), "device-a")
    outcome = service.submit(db, candidate, view.id, t0 + timedelta(minutes=5))
    assert outcome["state"] == "terminated" and outcome["reason"] == "Used a phone" and "correct" not in outcome
    assert service.result(db, candidate, view.id)["kind"] == "terminated"
    with pytest.raises(service.ExamError):
        certificate_pdf(db, candidate, view.id, "https://merit.test/verify/")
    with pytest.raises(service.ExamError):
        operations.extend(db, operator, view.id, 5, "Too late", t0 + timedelta(minutes=6))
    assert service.sweep(db, t0 + timedelta(hours=3)) == 0


def test_accommodations_are_set_before_the_start_with_a_reason(db, run, sitting, operator, make_user):
    candidate, t0 = make_user(), utcnow()
    booking = service.book(db, candidate, sitting.id, t0)
    with pytest.raises(service.Invalid):
        operations.set_accommodations(db, operator, booking.id, extra_minutes=15, extra_percent=0,
                                      large_text=False, reason="")
    with pytest.raises(service.Invalid):
        operations.set_accommodations(db, operator, booking.id, extra_minutes=500, extra_percent=0,
                                      large_text=False, reason="Disability")
    operations.set_accommodations(db, operator, booking.id, extra_minutes=10, extra_percent=50, large_text=True,
                                  reason="Visual impairment, medical certificate 12/3")
    view, _ = service.start(db, candidate, sitting.id, "kk", t0, "device-a")
    assert view.large_text
    assert view.deadline_at == t0 + DURATION * 1.5 + timedelta(minutes=10)
    with pytest.raises(service.ExamError):
        operations.set_accommodations(db, operator, booking.id, extra_minutes=0, extra_percent=0,
                                      large_text=False, reason="")
    assert _actions(db, "booking", booking.id)[-1] == "booking.accommodations"


def test_operators_act_only_on_their_own_sittings(db, run, sitting, operator, make_user):
    stranger, admin, member = make_user("operator"), make_user("admin"), make_user("commission_member")
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)
    for act in (lambda who: operations.pause_attempt(db, who, view.id, "x", t0),
                lambda who: operations.pause_sitting(db, who, sitting.id, "x", t0),
                lambda who: operations.board(db, who, sitting.id, t0),
                lambda who: operations.integrity_log(db, who, view.id, t0)):
        with pytest.raises(service.NotFound):
            act(stranger)
    assert [s.id for s, _, _ in operations.operated_sittings(db, stranger)] == []
    assert [s.id for s, _, _ in operations.operated_sittings(db, operator)] == [sitting.id]
    operations.extend(db, admin, view.id, 5, "Administrator's decision", t0)
    with pytest.raises(service.NotFound):  # the member judges no competition the candidate applied to
        operations.integrity_log(db, member, view.id, t0)
    with pytest.raises(service.NotFound):
        operations.pause_attempt(db, member, view.id, "x", t0)


def test_the_board_shows_progress_contact_and_device_changes(db, run, sitting, operator, make_user):
    waiting, working, silent = make_user(), make_user(), make_user()
    t0 = utcnow()
    service.book(db, waiting, sitting.id, t0)
    a = run(working, t0)
    run(silent, t0)
    service.save(db, working, a.id, 1, _first_option(a), 1, t0 + timedelta(minutes=3), "device-a")
    service.resume(db, working, a.id, t0 + timedelta(minutes=4), "device-b")   # a second device takes over
    seats = {s.candidate: s for s in operations.board(db, operator, sitting.id, t0 + timedelta(minutes=5)).seats}
    assert seats[waiting.full_name].state == "not_started" and seats[waiting.full_name].connection is None
    assert seats[working.full_name].state == "in_progress" and seats[working.full_name].connection == "online"
    assert seats[working.full_name].answered == 1 and seats[working.full_name].takeovers == 1
    assert seats[silent.full_name].connection == "offline"
    assert seats[working.full_name].remaining_seconds == (DURATION - timedelta(minutes=5)).total_seconds()
    assert seats[working.full_name].last_save_at == t0 + timedelta(minutes=3) and seats[silent.full_name].last_save_at is None


def test_the_integrity_log_records_client_changes_and_page_reports(db, run, operator, make_user):
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)
    service.resume(db, candidate, view.id, t0, "device-a", service.Client("10.0.0.5", "Firefox"))
    service.resume(db, candidate, view.id, t0, "device-a", service.Client("10.0.0.9", "Firefox"))
    assert service.report(db, candidate, view.id, "hidden", t0)
    assert service.report(db, candidate, view.id, "reconnected", t0, seconds=42)
    with pytest.raises(service.Invalid):
        service.report(db, candidate, view.id, "rm -rf", t0)
    kinds = [(e.kind, e.detail) for e in operations.integrity_log(db, operator, view.id, t0).events]
    assert ("client_changed", {"ip": ["10.0.0.5", "10.0.0.9"]}) in kinds
    assert ("hidden", None) in kinds and ("reconnected", {"seconds": 42}) in kinds


def test_the_heartbeat_writes_only_when_contact_is_old(db, run, make_user):
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)
    client = service.Client("10.0.0.5", "Firefox")
    service.heartbeat(db, candidate, view.id, t0 + timedelta(minutes=1), client)
    service.heartbeat(db, candidate, view.id, t0 + timedelta(minutes=1, seconds=30), client)
    with db.read() as session:
        assert session.get(Attempt, view.id).last_seen_at == t0 + timedelta(minutes=1)
    status = service.heartbeat(db, candidate, view.id, t0 + timedelta(minutes=2), client)
    assert status.state == "in_progress" and status.remaining_seconds == (DURATION - timedelta(minutes=2)).total_seconds()


def test_the_heartbeat_tells_a_replaced_page_to_stop_without_counting_it_as_contact(db, run, make_user):
    candidate, t0 = make_user(), utcnow()
    view = run(candidate, t0)                                            # started on device-a
    assert not service.heartbeat(db, candidate, view.id, t0, session_token="device-a").replaced
    service.resume(db, candidate, view.id, t0 + timedelta(minutes=1), "device-b")     # taken over
    late = t0 + timedelta(minutes=5)
    old = service.heartbeat(db, candidate, view.id, late, service.Client("10.0.0.5", "Firefox"), "device-a")
    assert old.replaced and old.state == "in_progress"
    with db.read() as session:
        assert session.get(Attempt, view.id).last_seen_at == t0 + timedelta(minutes=1)
    assert not service.heartbeat(db, candidate, view.id, late, session_token="device-b").replaced
