"""The operator's side of a sitting: the live board, admitting candidates, accommodations set before the
start, pauses with the lost time credited, extra time, termination, and the integrity log.

An operator acts only on the sittings assigned to them (administrators on all); every action states its
reason and is audited in the same transaction as the change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, func, select

from recruit.accounts.models import Role, User, UserRole
from recruit.accounts.service import CurrentUser, current_user
from recruit.audit.service import record
from recruit.competitions.models import Application, CommissionSeat
from recruit.db import Database
from recruit.exams.models import Attempt, AttemptEvent, Booking, Response, Sitting
from recruit.exams.service import (
    IN_PROGRESS, TERMINATED, ExamError, Invalid, NotFound, book, log_event, remaining_seconds,
)
from recruit.i18n import N_

ONLINE_WITHIN = timedelta(seconds=90)  # two missed heartbeats (every 30 s) plus slack
MAX_EXTRA_MINUTES = 240
MAX_EXTRA_PERCENT = 200
REASON_LENGTH = 500
ATTENTION_KINDS = {"focus_lost", "hidden", "reconnected", "client_changed"}


def may_operate(user: CurrentUser, sitting: Sitting) -> bool:
    return user.has(Role.ADMIN) or (user.has(Role.OPERATOR) and sitting.operator_id == user.id)


def _sitting(session: Session, user: CurrentUser, sitting_id: int) -> Sitting:
    """Another operator's sitting is as absent as a missing one, so ids reveal nothing."""
    sitting = session.get(Sitting, sitting_id)
    if sitting is None or not may_operate(user, sitting):
        raise NotFound(N_("No such sitting."))
    return sitting


def _attempt(session: Session, user: CurrentUser, attempt_id: int) -> tuple[Attempt, Sitting]:
    attempt = session.exec(select(Attempt).where(Attempt.id == attempt_id).with_for_update()).first()
    if attempt is None:
        raise NotFound(N_("No such attempt."))
    return attempt, _sitting(session, user, attempt.sitting_id)


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid(N_("State the reason."))
    if len(reason) > REASON_LENGTH:
        raise Invalid(N_("The reason is too long (at most %(n)s characters)."), n=REASON_LENGTH)
    return reason


def _in_progress(attempt: Attempt) -> None:
    if attempt.state != IN_PROGRESS:
        raise ExamError(N_("This attempt is closed."))


# What the operator sees


def operated_sittings(db: Database, user: CurrentUser) -> list[tuple[Sitting, int, int]]:
    """(sitting, booked, in progress), newest first: all for an administrator, the assigned ones otherwise."""
    with db.read() as session:
        query = select(Sitting).order_by(Sitting.opens_at.desc())
        if not user.has(Role.ADMIN):
            query = query.where(Sitting.operator_id == user.id)
        sittings = session.exec(query).all()
        ids = [s.id for s in sittings]
        booked = dict(session.exec(select(Booking.sitting_id, func.count()).where(Booking.sitting_id.in_(ids))
                                   .group_by(Booking.sitting_id)).all())
        running = dict(session.exec(select(Attempt.sitting_id, func.count()).where(
            Attempt.sitting_id.in_(ids), Attempt.state == IN_PROGRESS).group_by(Attempt.sitting_id)).all())
    return [(s, booked.get(s.id, 0), running.get(s.id, 0)) for s in sittings]


@dataclass(frozen=True)
class Seat:
    """One line of the live board."""

    booking_id: int
    candidate: str
    iin: str | None
    admitted_by: str
    extra_minutes: int
    extra_percent: int
    large_text: bool
    accommodation_reason: str | None
    attempt_id: int | None
    state: str                       # not_started, in_progress, paused, submitted, expired, terminated, scored
    started_at: datetime | None
    last_save_at: datetime | None
    remaining_seconds: int | None
    connection: str | None           # online, offline (in progress only)
    answered: int
    takeovers: int
    attention: int                   # focus/visibility losses, reconnects, address or browser changes
    passed: bool | None


@dataclass(frozen=True)
class Board:
    sitting: Sitting
    operator: str | None
    seats: tuple[Seat, ...]

    @property
    def counts(self) -> Counter:
        return Counter(seat.state for seat in self.seats)


def board(db: Database, user: CurrentUser, sitting_id: int, now: datetime) -> Board:
    with db.read() as session:
        sitting = _sitting(session, user, sitting_id)
        rows = session.exec(select(Booking, User, Attempt).join(User, User.id == Booking.candidate_id)
                            .join(Attempt, Attempt.booking_id == Booking.id, isouter=True)
                            .where(Booking.sitting_id == sitting_id).order_by(User.full_name)).all()
        attempt_ids = [a.id for _, _, a in rows if a is not None]
        saved = {attempt_id: (count, last) for attempt_id, count, last in session.exec(
            select(Response.attempt_id, func.count(), func.max(Response.saved_at))
            .where(Response.attempt_id.in_(attempt_ids)).group_by(Response.attempt_id)).all()}
        kinds = session.exec(select(AttemptEvent.attempt_id, AttemptEvent.kind, func.count()).where(
            AttemptEvent.attempt_id.in_(attempt_ids)).group_by(AttemptEvent.attempt_id, AttemptEvent.kind)).all()
        operator = session.get(User, sitting.operator_id) if sitting.operator_id else None
    events: dict[int, Counter] = {}
    for attempt_id, kind, count in kinds:
        events.setdefault(attempt_id, Counter())[kind] = count
    seats = tuple(_seat(booking, candidate, attempt, saved.get(attempt.id if attempt else 0, (0, None)),
                        events.get(attempt.id if attempt else 0, Counter()), now)
                  for booking, candidate, attempt in rows)
    return Board(sitting, operator.full_name if operator else None, seats)


def _seat(booking: Booking, candidate: User, attempt: Attempt | None, saved: tuple[int, datetime | None],
          events: Counter, now: datetime) -> Seat:
    """`saved`: the attempt's answers and its latest save (read from the answers, so a save writes nothing else)."""
    (answered, last_save), state, connection = saved, "not_started", None
    if attempt is not None:
        state = "scored" if attempt.scored_at else attempt.state
        if attempt.state == IN_PROGRESS:
            state = "paused" if attempt.paused_at else IN_PROGRESS
            contact = max(filter(None, (attempt.last_seen_at, last_save)), default=None)
            connection = "online" if contact and now - contact <= ONLINE_WITHIN else "offline"
    return Seat(
        booking_id=booking.id, candidate=candidate.full_name, iin=candidate.iin, admitted_by=booking.admitted_by,
        extra_minutes=booking.extra_minutes, extra_percent=booking.extra_percent, large_text=booking.large_text,
        accommodation_reason=booking.accommodation_reason, attempt_id=attempt.id if attempt else None, state=state,
        started_at=attempt.started_at if attempt else None, last_save_at=last_save,
        remaining_seconds=remaining_seconds(attempt, now) if attempt and attempt.state == IN_PROGRESS else None,
        connection=connection, answered=answered,
        takeovers=events["takeover"], attention=sum(events[k] for k in ATTENTION_KINDS),
        passed=attempt.passed if attempt else None)


@dataclass(frozen=True)
class IntegrityLog:
    attempt: Attempt
    sitting: Sitting
    candidate: str
    remaining_seconds: int
    events: tuple[AttemptEvent, ...]


def _on_their_commission(session: Session, user: CurrentUser, candidate_id: int) -> bool:
    """A commission member holds a seat on a competition the candidate applied to."""
    return user.has(Role.COMMISSION_MEMBER) and session.exec(
        select(CommissionSeat.id).join(Application, Application.competition_id == CommissionSeat.competition_id)
        .where(CommissionSeat.user_id == user.id, Application.candidate_id == candidate_id)).first() is not None


def integrity_log(db: Database, user: CurrentUser, attempt_id: int, now: datetime) -> IntegrityLog:
    """The sitting's operator, administrators, and the commission members judging the candidate may read an
    attempt's log; to anyone else it is as absent as a missing one."""
    with db.read() as session:
        attempt = session.get(Attempt, attempt_id)
        sitting = session.get(Sitting, attempt.sitting_id) if attempt else None
        if sitting is None or not (may_operate(user, sitting)
                                   or _on_their_commission(session, user, attempt.candidate_id)):
            raise NotFound(N_("No such attempt."))
        events = session.exec(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id)
                              .order_by(AttemptEvent.at, AttemptEvent.id)).all()
        candidate = session.get(User, attempt.candidate_id).full_name
    return IntegrityLog(attempt, sitting, candidate, remaining_seconds(attempt, now), tuple(events))


def operators(db: Database) -> list[tuple[int, str]]:
    """Who can be assigned to run a sitting."""
    with db.read() as session:
        return [(u.id, u.full_name) for u in session.exec(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.OPERATOR, User.is_active.is_(True)).order_by(User.full_name)).all()]


# Admission and accommodations


def admit(db: Database, user: CurrentUser, sitting_id: int, identifier: str, now: datetime) -> Booking:
    """The operator books a candidate, found by IIN or e-mail, onto their sitting (same admission rules)."""
    identifier = identifier.strip()
    with db.read() as session:
        _sitting(session, user, sitting_id)
        candidate = session.exec(select(User).where(or_(User.iin == identifier,
                                                        func.lower(User.email) == identifier.lower()))).first()
    found = current_user(db, candidate.id) if candidate is not None else None
    if found is None or not found.has(Role.CANDIDATE):
        raise Invalid(N_("No candidate with this IIN or e-mail."))
    return book(db, found, sitting_id, now, actor=user.actor)


def booking(db: Database, user: CurrentUser, sitting_id: int, booking_id: int) -> tuple[Booking, str, bool]:
    """(booking, candidate's name, started) for the accommodations form."""
    with db.read() as session:
        _sitting(session, user, sitting_id)
        found = session.get(Booking, booking_id)
        if found is None or found.sitting_id != sitting_id:
            raise NotFound(N_("No such booking."))
        started = session.exec(select(Attempt.id).where(Attempt.booking_id == booking_id)).first() is not None
        return found, session.get(User, found.candidate_id).full_name, started


def set_accommodations(db: Database, user: CurrentUser, booking_id: int, *, extra_minutes: int, extra_percent: int,
                       large_text: bool, reason: str, sitting_id: int | None = None) -> Booking:
    """Set before the start only: a running attempt's time changes through extra time, with its own reason."""
    if not (0 <= extra_minutes <= MAX_EXTRA_MINUTES and 0 <= extra_percent <= MAX_EXTRA_PERCENT):
        raise Invalid(N_("Extra time is 0 to %(minutes)s minutes and 0 to %(percent)s percent."),
                      minutes=MAX_EXTRA_MINUTES, percent=MAX_EXTRA_PERCENT)
    granted = bool(extra_minutes or extra_percent or large_text)
    reason = _reason(reason) if granted else " ".join(reason.split()) or None
    with db.write() as session:
        booking = session.exec(select(Booking).where(Booking.id == booking_id).with_for_update()).first()
        if booking is None or sitting_id not in (None, booking.sitting_id):
            raise NotFound(N_("No such booking."))
        _sitting(session, user, booking.sitting_id)
        if session.exec(select(Attempt.id).where(Attempt.booking_id == booking_id)).first() is not None:
            raise ExamError(N_("The candidate has started: accommodations are set before the start."))
        before = {"extra_minutes": booking.extra_minutes, "extra_percent": booking.extra_percent,
                  "large_text": booking.large_text, "reason": booking.accommodation_reason}
        booking.extra_minutes, booking.extra_percent, booking.large_text = extra_minutes, extra_percent, large_text
        booking.accommodation_reason = reason
        session.add(booking)
        record(session, user.actor, "booking.accommodations", "booking", booking.id, before=before, after={
            "extra_minutes": extra_minutes, "extra_percent": extra_percent, "large_text": large_text,
            "reason": reason})
        return booking


# Time: pauses with credit, extra time, termination


def pause_attempt(db: Database, user: CurrentUser, attempt_id: int, reason: str, now: datetime) -> None:
    reason = _reason(reason)
    with db.write() as session:
        attempt, _ = _attempt(session, user, attempt_id)
        _in_progress(attempt)
        if attempt.paused_at is None:
            _pause(session, attempt, now, reason, by=user.email)
            record(session, user.actor, "attempt.paused", "attempt", attempt.id, after={"reason": reason})


def resume_attempt(db: Database, user: CurrentUser, attempt_id: int, now: datetime) -> None:
    with db.write() as session:
        attempt, _ = _attempt(session, user, attempt_id)
        _in_progress(attempt)
        if attempt.paused_at is not None:
            credit = _unpause(session, attempt, now, by=user.email)
            record(session, user.actor, "attempt.resumed", "attempt", attempt.id, after={
                "credited_seconds": credit, "deadline_at": attempt.deadline_at.isoformat()})


def _pause(session: Session, attempt: Attempt, now: datetime, reason: str, by: str) -> None:
    attempt.paused_at = now
    session.add(attempt)
    log_event(session, attempt.id, "paused", now, reason=reason, by=by)


def _unpause(session: Session, attempt: Attempt, now: datetime, by: str) -> int:
    """The candidate gets back exactly the time the pause took: the deadline moves by it."""
    credit = max(timedelta(0), now - attempt.paused_at)
    attempt.deadline_at += credit
    attempt.paused_at = None
    session.add(attempt)
    seconds = int(credit.total_seconds())
    log_event(session, attempt.id, "resumed_by_operator", now, credited_seconds=seconds, by=by)
    return seconds


def _running(session: Session, sitting_id: int) -> list[Attempt]:
    return list(session.exec(select(Attempt).where(Attempt.sitting_id == sitting_id, Attempt.state == IN_PROGRESS)
                             .with_for_update()).all())


def pause_sitting(db: Database, user: CurrentUser, sitting_id: int, reason: str, now: datetime) -> int:
    """An outage: every running attempt stops its clock; nobody can start until the sitting resumes."""
    reason = _reason(reason)
    with db.write() as session:
        sitting = _sitting(session, user, sitting_id)
        if sitting.paused_at is not None:
            return 0
        sitting.paused_at = now
        session.add(sitting)
        paused = [a for a in _running(session, sitting_id) if a.paused_at is None]
        for attempt in paused:
            _pause(session, attempt, now, reason, by=user.email)
        record(session, user.actor, "sitting.paused", "sitting", sitting_id,
               after={"reason": reason, "attempts": len(paused)})
        return len(paused)


def resume_sitting(db: Database, user: CurrentUser, sitting_id: int, now: datetime) -> int:
    """Resumes the attempts the sitting's pause stopped; a candidate paused on their own before stays paused."""
    with db.write() as session:
        sitting = _sitting(session, user, sitting_id)
        if sitting.paused_at is None:
            return 0
        resumed = [a for a in _running(session, sitting_id) if a.paused_at and a.paused_at >= sitting.paused_at]
        for attempt in resumed:
            _unpause(session, attempt, now, by=user.email)
        record(session, user.actor, "sitting.resumed", "sitting", sitting_id, after={
            "paused_seconds": int((now - sitting.paused_at).total_seconds()), "attempts": len(resumed)})
        sitting.paused_at = None
        session.add(sitting)
        return len(resumed)


def extend(db: Database, user: CurrentUser, attempt_id: int, minutes: int, reason: str, now: datetime) -> None:
    if not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise Invalid(N_("Extra time is 1 to %(minutes)s minutes."), minutes=MAX_EXTRA_MINUTES)
    reason = _reason(reason)
    with db.write() as session:
        attempt, _ = _attempt(session, user, attempt_id)
        _in_progress(attempt)
        before = attempt.deadline_at
        attempt.deadline_at += timedelta(minutes=minutes)
        session.add(attempt)
        log_event(session, attempt.id, "extra_time", now, minutes=minutes, reason=reason, by=user.email)
        record(session, user.actor, "attempt.extra_time", "attempt", attempt.id,
               before={"deadline_at": before.isoformat()},
               after={"deadline_at": attempt.deadline_at.isoformat(), "minutes": minutes, "reason": reason})


def terminate(db: Database, user: CurrentUser, attempt_id: int, reason: str, now: datetime) -> None:
    """A violation ends the attempt at once without a score; the stored answers stay for an appeal."""
    reason = _reason(reason)
    with db.write() as session:
        attempt, _ = _attempt(session, user, attempt_id)
        _in_progress(attempt)
        attempt.state, attempt.finished_at, attempt.owner_session = TERMINATED, now, None
        attempt.passed, attempt.result = False, {"kind": "terminated", "reason": reason}
        session.add(attempt)
        log_event(session, attempt.id, TERMINATED, now, reason=reason, by=user.email)
        record(session, user.actor, "attempt.terminated", "attempt", attempt.id, after={"reason": reason})
