"""Exam rules: booking and admission, starting an attempt on a frozen form, per-click saves checked against
the server-held deadline, idempotent submit, a sweeper for overdue attempts, and scoring.

Every function takes `now` so tests can drive a clock; the web layer passes the server's clock, never the
client's. A save is acknowledged only after its transaction commits.
"""

from __future__ import annotations

import calendar
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, func, select

from question_bank.assembly import Assembler, Form, PoolShortage, form_from_json
from question_bank.items import Item, present
from question_bank.programs import Program
from question_bank.scoring import score_competencies, score_form
from recruit.accounts.service import CurrentUser
from recruit.audit.service import SYSTEM, Actor, record
from recruit.bank import service as bank
from recruit.bank.models import AssembledForm
from recruit.db import Database, Raw, utcnow
from recruit.errors import Refusal
from recruit.exams.models import Attempt, AttemptEvent, Booking, NeutralisedItem, Response, Sitting
from recruit.i18n import N_

GRACE = timedelta(seconds=30)
IN_PROGRESS = "in_progress"
TERMINATED = "terminated"
TRACKS = ("civil", "law_enforcement")


class ExamError(Refusal):
    """An exam rule refused the action."""


class NotFound(ExamError):
    status = 404


class Invalid(ExamError):
    status = 422


# Sittings and bookings


def create_sitting(db: Database, actor: Actor, *, title: str, program_code: str, opens_at: datetime,
                   closes_at: datetime, mode: str = "online", venue: str | None = None, region_code: str | None = None,
                   capacity: int = 100, operator_id: int | None = None, track: str = "civil") -> Sitting:
    """A sitting fixes the program version in force when it opens, so every candidate sits the same rules."""
    if closes_at <= opens_at:
        raise Invalid(N_("A sitting must close after it opens."))
    if mode not in ("online", "venue") or capacity < 1 or track not in TRACKS:
        raise Invalid(N_("Choose online or a venue, and a capacity of at least one."))
    program = bank.program(db, program_code, on=opens_at.date())
    with db.write() as session:
        sitting = Sitting(title=title, program_code=program.code, program_version=program.version,
                          opens_at=opens_at, closes_at=closes_at, mode=mode, venue=venue, region_code=region_code,
                          capacity=capacity, operator_id=operator_id, track=track, created_at=utcnow())
        session.add(sitting)
        session.flush()
        record(session, actor, "sitting.created", "sitting", sitting.id, after={
            "title": title, "program": f"{program.code}@v{program.version}", "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(), "mode": mode, "capacity": capacity, "region": region_code})
        return sitting


def open_sittings(db: Database, user: CurrentUser, now: datetime) -> list[tuple[Sitting, Booking | None, int]]:
    """Sittings the caller may see: not yet closed; each with the caller's booking and the seats taken."""
    with db.read() as session:
        sittings = session.exec(select(Sitting).where(Sitting.closes_at > now).order_by(Sitting.opens_at)).all()
        taken = dict(session.exec(select(Booking.sitting_id, func.count()).group_by(Booking.sitting_id)).all())
        mine = {b.sitting_id: b for b in session.exec(select(Booking).where(Booking.candidate_id == user.id)).all()}
    return [(s, mine.get(s.id), taken.get(s.id, 0)) for s in sittings]


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the month's last day where that day does not exist)."""
    year, month = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + year, month + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    sitting_id: int
    program: str
    program_version: int
    state: str
    started_at: datetime
    finished_at: datetime | None
    passed: bool | None
    correct: float | None


def my_attempts(db: Database, candidate: CurrentUser) -> list[AttemptSummary]:
    with db.read() as session:
        rows = session.exec(select(Attempt).where(Attempt.candidate_id == candidate.id)
                            .order_by(Attempt.started_at.desc())).all()
    return [AttemptSummary(a.id, a.sitting_id, a.program_code, a.program_version,
                           "scored" if a.scored_at else a.state, a.started_at, a.finished_at, a.passed, a.correct)
            for a in rows]


def _passed_within(session: Session, candidate_id: int, kind_program: str, since: datetime) -> bool:
    return session.exec(select(Attempt.id).where(
        Attempt.candidate_id == candidate_id, Attempt.program_code == kind_program, Attempt.passed.is_(True),
        Attempt.finished_at >= since)).first() is not None


def book(db: Database, candidate: CurrentUser, sitting_id: int, now: datetime, actor: Actor | None = None,
         accommodations: Mapping[str, object] | None = None) -> Booking:
    """Book a seat (or, with `actor`, an operator admits the candidate). Booking twice returns the same seat."""
    if not candidate.has("candidate"):
        raise ExamError(N_("Only candidates can book a sitting."))
    with db.write() as session:
        sitting = session.get(Sitting, sitting_id)
        if sitting is None:
            raise NotFound(N_("No such sitting."))
        existing = session.exec(select(Booking).where(Booking.sitting_id == sitting_id,
                                                      Booking.candidate_id == candidate.id)).first()
        if existing is not None:
            return existing
        if now >= sitting.closes_at:
            raise ExamError(N_("This sitting has closed."))
        seats = session.exec(select(func.count()).select_from(Booking).where(Booking.sitting_id == sitting_id)).one()
        if seats >= sitting.capacity:
            raise ExamError(N_("This sitting is full."))
        program = bank.program(db, sitting.program_code, version=sitting.program_version)
        required = bank.program(db, program.requires, on=now.date()) if program.requires else None
        _check_admission(session, candidate.id, program, required, now)
        booking = Booking(sitting_id=sitting_id, candidate_id=candidate.id,
                          admitted_by=actor.label if actor else "self", created_at=now,
                          **dict(accommodations or {}))
        session.add(booking)
        session.flush()
        record(session, actor or candidate.actor, "exam.booked", "booking", booking.id,
               after={"sitting": sitting_id, "candidate": candidate.id, "admitted_by": booking.admitted_by})
        return booking


def _check_admission(session: Session, candidate_id: int, program: Program, required: Program | None,
                     now: datetime) -> None:
    """A required test must be passed and still valid (its own validity period); retakes wait a cooldown."""
    if required is not None:
        if not _passed_within(session, candidate_id, required.code, months_before(now, required.validity_months)):
            raise ExamError(N_("The competency assessment needs a passed legislation test that is still valid."))
    recent = session.exec(select(Attempt.finished_at).where(
        Attempt.candidate_id == candidate_id, Attempt.program_code == program.code,
        Attempt.finished_at.is_not(None)).order_by(Attempt.finished_at.desc())).first()
    if recent is not None and now - recent < timedelta(days=program.retake_days):
        raise ExamError(N_("You may sit this test again %(days)s days after your last attempt."),
                        days=program.retake_days)


# Starting and viewing an attempt

_assemblers: dict[tuple[str, int, str], Assembler] = {}


def _assembler(db: Database, sitting: Sitting, language: str) -> Assembler:
    """One per sitting and language, built at this process's first start. Unlike the caches of stored versions
    below, the pool can change: each worker of each node reads the bank when it builds its own, so items approved or
    retired while a sitting runs reach some candidates' forms and not others (docs/deploy.md)."""
    key = (db.url, sitting.id, language)
    if key not in _assemblers:
        program = bank.program(db, sitting.program_code, version=sitting.program_version)
        _assemblers[key] = Assembler(program, bank.pool(db, {s.act for s in program.sections}), language)
    return _assemblers[key]


def option_id(salt: str, slot: int, key: str) -> str:
    """Option ids are opaque and differ per attempt, so nothing a browser sees names an option's key."""
    return hashlib.sha256(f"{salt}:{slot}:{key}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class CandidateItem:
    slot: int
    section: str
    stem: str
    options: tuple[tuple[str, str], ...]  # (opaque option id, text)
    multiple: bool


@dataclass(frozen=True)
class AttemptView:
    id: int
    sitting_id: int
    program: str
    state: str
    language: str
    deadline_at: datetime
    remaining_seconds: int
    paused: bool
    large_text: bool
    items: tuple[CandidateItem, ...]
    responses: Mapping[int, tuple[str, ...]]   # slot -> opaque option ids
    seqs: Mapping[int, int]


def _hash(session_token: str | None) -> str | None:
    return hashlib.sha256(session_token.encode()).hexdigest() if session_token else None


def remaining_seconds(attempt: Attempt, now: datetime) -> int:
    if attempt.state != IN_PROGRESS:
        return 0
    reference = attempt.paused_at or now
    return max(0, int((attempt.deadline_at - reference).total_seconds()))


def log_event(session: Session, attempt_id: int, kind: str, now: datetime, **detail: object) -> None:
    session.add(AttemptEvent(attempt_id=attempt_id, at=now, kind=kind, detail=detail or None))


def start(db: Database, candidate: CurrentUser, sitting_id: int, language: str, now: datetime,
          session_token: str | None = None, client: Client | None = None) -> tuple[AttemptView, bool]:
    """Start (or resume) the candidate's attempt; returns (view, created)."""
    with db.read() as session:
        sitting = session.get(Sitting, sitting_id)
        booking = session.exec(select(Booking).where(Booking.sitting_id == sitting_id,
                                                     Booking.candidate_id == candidate.id)).first()
        existing = session.exec(select(Attempt).where(Attempt.booking_id == booking.id)).first() if booking else None
    if sitting is None or booking is None:
        raise NotFound(N_("You have no booking on this sitting."))
    if existing is not None:
        return resume(db, candidate, existing.id, now, session_token, client), False
    if not sitting.opens_at <= now < sitting.closes_at:
        raise ExamError(N_("This sitting is not open now."))
    if sitting.paused_at is not None:
        raise ExamError(N_("The sitting is paused by the operator. Please wait."))
    program = bank.program(db, sitting.program_code, version=sitting.program_version)
    if language not in program.languages:
        raise Invalid(N_("This test is not given in the chosen language."))
    try:
        form = _assembler(db, sitting, language).assemble(secrets.token_hex(8))
    except PoolShortage as exc:
        raise ExamError(N_("The question bank cannot fill this test in the chosen language.")) from exc
    duration = timedelta(minutes=program.duration_minutes)
    extra = timedelta(minutes=booking.extra_minutes) + duration * booking.extra_percent / 100
    with db.write() as session:
        if session.exec(select(Attempt.id).where(Attempt.booking_id == booking.id)).first() is not None:
            created = None  # a double click raced us: resume the attempt that won
        else:
            stored = bank.freeze_form(session, form)
            created = Attempt(booking_id=booking.id, sitting_id=sitting_id, candidate_id=candidate.id,
                              form_id=stored.id, program_code=program.code, program_version=program.version,
                              language=language, option_salt=secrets.token_hex(8), started_at=now,
                              deadline_at=now + duration + extra, owner_session=_hash(session_token),
                              last_seen_at=now, client_ip=client.ip if client else None,
                              client_agent=(client.agent or "")[:300] or None if client else None)
            session.add(created)
            session.flush()
            log_event(session, created.id, "started", now, language=language)
            record(session, candidate.actor, "attempt.started", "attempt", created.id, after={
                "sitting": sitting_id, "form": stored.id, "seed": form.seed, "language": language,
                "deadline_at": created.deadline_at.isoformat(), "extra_minutes": extra.total_seconds() / 60})
    if created is None:
        attempt_id = _attempt_of(db, booking.id)
        return resume(db, candidate, attempt_id, now, session_token, client), False
    # A new attempt has no answers yet and everything else is at hand: no need to read it back.
    with db.read() as session:
        items = _form_items(session, form)
    return _view_of(created, form, items, booking, (), now), True


def _attempt_of(db: Database, booking_id: int) -> int:
    with db.read() as session:
        return session.exec(select(Attempt.id).where(Attempt.booking_id == booking_id)).one()


def resume(db: Database, candidate: CurrentUser, attempt_id: int, now: datetime,
           session_token: str | None, client: Client | None = None) -> AttemptView:
    """Continue where the candidate left off; a new device takes the attempt over (logged, shown to the
    operator) and the old one is refused from then on."""
    owner = _hash(session_token)
    with db.write() as session:
        attempt = _own_attempt(session, candidate, attempt_id)
        if attempt.state == IN_PROGRESS and owner and attempt.owner_session != owner:
            if attempt.owner_session is not None:
                log_event(session, attempt.id, "takeover", now, **_client_detail(client))
                record(session, candidate.actor, "attempt.takeover", "attempt", attempt.id)
            else:
                log_event(session, attempt.id, "resumed", now)
            attempt.owner_session = owner
        if attempt.state == IN_PROGRESS:
            _seen(session, attempt, client, now)
        session.add(attempt)
    _expire_if_overdue(db, attempt_id, now)
    return view(db, candidate, attempt_id, now)


# The integrity log: who the attempt was seen from, and what the page reported

class Client(NamedTuple):
    ip: str | None
    agent: str | None


HEARTBEAT = timedelta(seconds=45)
CLIENT_EVENTS = {"focus_lost", "hidden", "reconnected"}
CLIENT_EVENTS_KEPT = 1000  # per attempt: a misbehaving page cannot flood the log


def _client_detail(client: Client | None) -> dict[str, str | None]:
    return {"ip": client.ip, "agent": client.agent} if client else {}


def _seen(session: Session, attempt: Attempt, client: Client | None, now: datetime) -> None:
    """Note the contact, and log a change of network address or browser (the first contact sets them)."""
    attempt.last_seen_at = now
    if client is None:
        return
    agent = (client.agent or "")[:300] or None
    changed = {name: [old, new] for name, old, new in (("ip", attempt.client_ip, client.ip),
                                                       ("agent", attempt.client_agent, agent))
               if old is not None and new is not None and old != new}
    if changed:
        log_event(session, attempt.id, "client_changed", now, **changed)
    attempt.client_ip, attempt.client_agent = client.ip or attempt.client_ip, agent or attempt.client_agent


@dataclass(frozen=True)
class Status:
    state: str
    remaining_seconds: int
    paused: bool
    replaced: bool = False       # another device has taken the attempt over: this page must stop


def heartbeat(db: Database, candidate: CurrentUser, attempt_id: int, now: datetime,
              client: Client | None = None, session_token: str | None = None) -> Status:
    """The page's periodic check: the server's remaining time and pause, and whether another device took the
    attempt over (a replaced page neither writes nor counts as contact). It writes only when the last contact
    is old or the client changed, so a hall of polling pages costs reads, not writes."""
    with db.read() as session:
        attempt = _own_attempt(session, candidate, attempt_id)
    owner = _hash(session_token)
    if owner and attempt.owner_session not in (None, owner):
        return Status(attempt.state, remaining_seconds(attempt, now), attempt.paused_at is not None, replaced=True)
    stale = attempt.last_seen_at is None or now - attempt.last_seen_at >= HEARTBEAT
    moved = client is not None and (client.ip, (client.agent or "")[:300] or None) != (
        attempt.client_ip, attempt.client_agent)
    if attempt.state == IN_PROGRESS and (stale or moved):
        with db.write() as session:
            attempt = _own_attempt(session, candidate, attempt_id, lock=True)
            _seen(session, attempt, client, now)
            session.add(attempt)
    return Status("scored" if attempt.scored_at else attempt.state, remaining_seconds(attempt, now),
                  attempt.paused_at is not None)


def report(db: Database, candidate: CurrentUser, attempt_id: int, kind: str, now: datetime,
           seconds: int | None = None) -> bool:
    """A page's own observation (focus or visibility lost, connection back after an outage) for the log.
    Returns False when it is not logged: unknown kind, closed attempt, or the log is full."""
    if kind not in CLIENT_EVENTS:
        raise Invalid(N_("Unknown event."))
    with db.write() as session:
        attempt = _own_attempt(session, candidate, attempt_id)
        kept = session.exec(select(func.count()).select_from(AttemptEvent)
                            .where(AttemptEvent.attempt_id == attempt_id)).one()
        if attempt.state != IN_PROGRESS or kept >= CLIENT_EVENTS_KEPT:
            return False
        detail = {"seconds": max(0, min(int(seconds), 86_400))} if seconds is not None else {}
        log_event(session, attempt_id, kind, now, **detail)
        return True


def _own_attempt(session: Session, candidate: CurrentUser, attempt_id: int, lock: bool = False) -> Attempt:
    query = select(Attempt).where(Attempt.id == attempt_id)
    if lock:
        query = query.with_for_update()
    attempt = session.exec(query).first()
    if attempt is None or attempt.candidate_id != candidate.id:
        raise NotFound(N_("No such attempt."))
    return attempt


_items: dict[tuple[str, str, int], Item] = {}
_ITEMS_KEPT = 100_000


def _form_items(session: Session, form: Form) -> dict[tuple[str, int], Item]:
    """Item versions never change once stored, so each process reads one once (half of a start's time was
    loading them)."""
    url = str(session.get_bind().url)
    missing = [(fi.item_id, fi.version) for fi in form.items if (url, fi.item_id, fi.version) not in _items]
    if missing:
        if len(_items) >= _ITEMS_KEPT:
            _items.clear()
        for (item_id, version), item in bank.items_by_version(session, missing).items():
            _items[(url, item_id, version)] = item
    return {(fi.item_id, fi.version): _items[(url, fi.item_id, fi.version)] for fi in form.items}


_forms: dict[tuple[str, int], Form] = {}
_FORMS_KEPT = 50_000


def _form(session: Session, attempt: Attempt) -> Form:
    return _form_by_id(session, attempt.form_id)


_FORM_CONTENT = select(AssembledForm.content).where(AssembledForm.id == bindparam("form_id"))


def _form_by_id(source: Session | Raw, form_id: int) -> Form:
    """Stored forms never change, so each process parses one once (saves are the hot path)."""
    key = (source.url if isinstance(source, Raw) else source.get_bind().url, form_id)
    form = _forms.get(key)
    if form is None:
        if len(_forms) >= _FORMS_KEPT:
            _forms.clear()
        content = (source.execute(_FORM_CONTENT, form_id=form_id)[0].content if isinstance(source, Raw)
                   else source.get(AssembledForm, form_id).content)
        form = _forms[key] = form_from_json(content)
    return form


def view(db: Database, candidate: CurrentUser, attempt_id: int, now: datetime) -> AttemptView:
    with db.read() as session:
        attempt = _own_attempt(session, candidate, attempt_id)
        form = _form(session, attempt)
        items = _form_items(session, form)
        booking = session.get(Booking, attempt.booking_id)
        stored = session.exec(select(Response).where(Response.attempt_id == attempt.id)).all()
    return _view_of(attempt, form, items, booking, stored, now)


def _view_of(attempt: Attempt, form: Form, items: Mapping[tuple[str, int], Item], booking: Booking,
             stored: Sequence[Response], now: datetime) -> AttemptView:
    shown, slot = [], 0
    for section in form.sections:
        for form_item in section.items:
            slot += 1
            item = items[(form_item.item_id, form_item.version)]
            presented = present(item, attempt.language, form_item.option_order)
            shown.append(CandidateItem(slot, section.code, presented.stem, tuple(
                (option_id(attempt.option_salt, slot, key), text) for key, text in presented.options),
                item.type.value == "multiple"))
    return AttemptView(
        id=attempt.id, sitting_id=attempt.sitting_id, program=attempt.program_code,
        state="scored" if attempt.scored_at else attempt.state, language=attempt.language,
        deadline_at=attempt.deadline_at, remaining_seconds=remaining_seconds(attempt, now),
        paused=attempt.paused_at is not None, large_text=booking.large_text, items=tuple(shown),
        responses={r.slot: tuple(option_id(attempt.option_salt, r.slot, key) for key in r.selected) for r in stored},
        seqs={r.slot: r.seq for r in stored},
    )


# Saving


@dataclass(frozen=True)
class SaveAck:
    saved: bool
    remaining_seconds: int


# The save's statements, prepared once per database (see recruit.db.Raw): SQLAlchemy's per-statement work was
# most of a save's cost.
_SAVE_STATE = (
    select(Attempt.candidate_id, Attempt.state, Attempt.owner_session, Attempt.paused_at, Attempt.deadline_at,
           Attempt.form_id, Attempt.option_salt, Response.seq, Response.selected)
    .outerjoin(Response, (Response.attempt_id == Attempt.id) & (Response.slot == bindparam("slot")))
    .where(Attempt.id == bindparam("attempt_id"))
    .with_for_update(of=Attempt)
)
_INSERT_RESPONSE = insert(Response)
_UPDATE_RESPONSE = (update(Response)
                    .where(Response.attempt_id == bindparam("at_attempt"), Response.slot == bindparam("at_slot"))
                    .values(selected=bindparam("new_selected"), seq=bindparam("new_seq"), saved_at=bindparam("now")))


def save(db: Database, candidate: CurrentUser, attempt_id: int, slot: int, choice_ids: list[str], seq: int,
         now: datetime, session_token: str | None = None) -> SaveAck:
    """One answer change. Checks ownership, state, pause, deadline (+ grace) and sequence in one transaction:
    an older `seq` is ignored (saved=false), an exact repeat is acknowledged again, nothing is half-applied.
    The transaction may be shared with other saves (group commit); either way the answer returns after it
    committed."""

    def apply(raw: Raw) -> SaveAck:
        found = raw.execute(_SAVE_STATE, attempt_id=attempt_id, slot=slot)
        state = found[0] if found else None
        if state is None or state.candidate_id != candidate.id:
            raise NotFound(N_("No such attempt."))
        if state.state != IN_PROGRESS:
            raise ExamError(N_("This attempt is closed."))
        owner = _hash(session_token)
        if owner and state.owner_session and owner != state.owner_session:
            raise ExamError(N_("This attempt continues on another device."), reason="session_replaced")
        if state.paused_at is not None:
            raise ExamError(N_("The attempt is paused by the operator."), reason="paused")
        if now > state.deadline_at + GRACE:
            raise ExamError(N_("Time is up: the answer arrived after the deadline."), reason="deadline")
        items = _form_by_id(raw, state.form_id).items
        if not 1 <= slot <= len(items):
            raise NotFound(N_("No such question."))
        by_id = {option_id(state.option_salt, slot, key): key for key in items[slot - 1].option_order}
        if any(choice not in by_id for choice in choice_ids) or len(set(choice_ids)) != len(choice_ids):
            raise Invalid(N_("Unknown answer option."))
        selected = sorted(by_id[choice] for choice in choice_ids)
        if state.seq is not None and (seq < state.seq or (seq == state.seq and state.selected != selected)):
            return SaveAck(False, remaining_seconds(state, now))
        if state.seq is None:
            raw.execute(_INSERT_RESPONSE, attempt_id=attempt_id, slot=slot, selected=selected, seq=seq, saved_at=now)
        elif seq > state.seq:
            raw.execute(_UPDATE_RESPONSE, at_attempt=attempt_id, at_slot=slot, new_selected=selected, new_seq=seq,
                        now=now)
        return SaveAck(True, remaining_seconds(state, now))

    return db.write_shared(apply)


# Finishing and scoring


def _score(session: Session, attempt: Attempt) -> None:
    form = _form(session, attempt)
    items = _form_items(session, form)
    program = bank.program_version(session, attempt.program_code, attempt.program_version)
    stored = {r.slot: r.selected for r in session.exec(select(Response).where(Response.attempt_id == attempt.id))}
    attempt.correct, attempt.passed, attempt.result = scored(
        program, form, items, [stored.get(slot, ()) for slot in range(1, len(form.items) + 1)],
        _neutralised(session, form))
    attempt.scored_at = attempt.finished_at
    attempt.verification_code = attempt.verification_code or secrets.token_hex(8).upper()


def scored(program: Program, form: Form, items: Mapping[tuple[str, int], Item], selected: Sequence[Iterable[str]],
           neutral: set[tuple[str, int]]) -> tuple[float | None, bool | None, dict]:
    """(correct, passed, the stored result) for the option keys chosen in each slot; a withdrawn question
    (`neutral`: item versions) counts as answered right. Pure: the demo campaign scores with it too."""
    responses = {fi.item_id: frozenset(keys) for fi, keys in zip(form.items, selected, strict=True)}
    for item_id, version in neutral & {(fi.item_id, fi.version) for fi in form.items}:
        responses[item_id] = items[(item_id, version)].key
    if program.kind == "competency":
        return None, None, {"kind": "competency", "scales": [
            {"code": s.code, "title": dict(program.section(s.code).title), "answered": s.answered,
             "score": s.score, "level": s.level,
             "level_title": next((dict(lv.title) for lv in program.levels if lv.code == s.level), None)}
            for s in score_competencies(program, form, items, responses)]}
    result = score_form(program, form, items, responses)
    return result.correct, result.passed, {
        "kind": "knowledge", "correct": result.correct, "count": result.count, "minimum": result.minimum,
        "passed": result.passed,
        "sections": [{"code": s.code, "title": dict(program.section(s.code).title), "correct": s.correct,
                      "count": s.count, "minimum": s.minimum, "passed": s.passed} for s in result.sections],
        "reasons": [{"section": r.section, "title": dict(r.title), "correct": r.correct, "minimum": r.minimum}
                    for r in result.reasons],
        "neutralised": sorted(slot for slot, fi in enumerate(form.items, start=1)
                              if (fi.item_id, fi.version) in neutral),
    }


def _neutralised(session: Session, form: Form) -> set[tuple[str, int]]:
    pairs = {(fi.item_id, fi.version) for fi in form.items}
    rows = session.exec(select(NeutralisedItem.item_id, NeutralisedItem.version).where(
        NeutralisedItem.item_id.in_({item_id for item_id, _ in pairs}))).all()
    return {(item_id, version) for item_id, version in rows if (item_id, version) in pairs}


@dataclass(frozen=True)
class Rescored:
    attempt_id: int
    candidate_id: int
    correct_before: float | None
    correct_after: float | None
    passed_before: bool | None
    passed_after: bool | None


def neutralise(session: Session, actor: Actor, item_id: str, version: int, reason: str,
               now: datetime) -> list[Rescored]:
    """Withdraw an item version from scoring and rescore, in this transaction, every scored attempt whose
    frozen form holds it. Returns what changed for each of them (the rescoring report)."""
    if session.get(NeutralisedItem, (item_id, version)) is None:
        session.add(NeutralisedItem(item_id=item_id, version=version, reason=reason, neutralised_at=now,
                                    neutralised_by=actor.label))
        session.flush()
    report = []
    for attempt in session.exec(select(Attempt).where(Attempt.scored_at.is_not(None))
                                .order_by(Attempt.id).with_for_update()).all():
        form = _form(session, attempt)
        if not any(fi.item_id == item_id and fi.version == version for fi in form.items):
            continue
        before = (attempt.correct, attempt.passed)
        _score(session, attempt)
        session.add(attempt)
        report.append(Rescored(attempt.id, attempt.candidate_id, before[0], attempt.correct, before[1],
                               attempt.passed))
        record(session, actor, "attempt.rescored", "attempt", attempt.id,
               before={"correct": before[0], "passed": before[1]},
               after={"correct": attempt.correct, "passed": attempt.passed, "neutralised": f"{item_id}@v{version}"},
               at=now)
    return report


def _finish(session: Session, attempt: Attempt, state: str, finished_at: datetime, actor: Actor) -> None:
    attempt.state, attempt.finished_at, attempt.owner_session = state, finished_at, None
    _score(session, attempt)
    session.add(attempt)
    log_event(session, attempt.id, state, finished_at)
    record(session, actor, f"attempt.{state}", "attempt", attempt.id, after={
        "finished_at": finished_at.isoformat(), "correct": attempt.correct, "passed": attempt.passed})


def submit(db: Database, candidate: CurrentUser, attempt_id: int, now: datetime) -> dict:
    """Idempotent: the second submit returns the first one's result. Late submits close at the deadline."""
    with db.write() as session:
        attempt = _own_attempt(session, candidate, attempt_id, lock=True)
        if attempt.state == IN_PROGRESS:
            overdue = now > attempt.deadline_at + GRACE and attempt.paused_at is None
            _finish(session, attempt, "expired" if overdue else "submitted",
                    attempt.deadline_at if overdue else min(now, attempt.deadline_at + GRACE), candidate.actor)
        return result_of(attempt)


def result_of(attempt: Attempt) -> dict:
    return {"attempt_id": attempt.id, "state": "scored" if attempt.scored_at else attempt.state,
            "finish_reason": attempt.state, "finished_at": attempt.finished_at,
            "verification_code": attempt.verification_code, **(attempt.result or {})}


def result(db: Database, candidate: CurrentUser, attempt_id: int) -> dict:
    with db.read() as session:
        attempt = _own_attempt(session, candidate, attempt_id)
    if attempt.scored_at is None and attempt.state != TERMINATED:
        raise ExamError(N_("The result is not ready: the attempt is still in progress."))
    return result_of(attempt)


def _expire_if_overdue(db: Database, attempt_id: int, now: datetime) -> bool:
    with db.write() as session:
        attempt = session.exec(select(Attempt).where(Attempt.id == attempt_id).with_for_update()).first()
        if attempt is None or attempt.state != IN_PROGRESS or attempt.paused_at is not None:
            return False
        if now <= attempt.deadline_at + GRACE:
            return False
        _finish(session, attempt, "expired", attempt.deadline_at, SYSTEM)
        return True


def sweep(db: Database, now: datetime) -> int:
    """Close every overdue attempt with finish time = deadline. Safe to run in several processes at once:
    each attempt is closed under a row lock and only while still in progress (a sweeper that meets a locked one
    waits, then finds it closed; tests/faults/test_sweepers.py runs four processes at once)."""
    with db.read() as session:
        overdue = session.exec(select(Attempt.id).where(
            Attempt.state == IN_PROGRESS, Attempt.paused_at.is_(None),
            Attempt.deadline_at < now - GRACE)).all()
    return sum(_expire_if_overdue(db, attempt_id, now) for attempt_id in overdue)
