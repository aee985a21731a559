"""Record and verify the audit chain.

hash = SHA-256(prev_hash + canonical JSON of the row). Writers are serialised (an advisory lock on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from recruit.audit.models import AuditEvent
from recruit.db import Database, utcnow

GENESIS = "0" * 64
PAGE_SIZE = 100
_PG_AUDIT_LOCK = 0x4D45524954  # "MERIT"


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or the system itself (CLI, migrations, sweepers)."""

    label: str
    id: int | None = None


SYSTEM = Actor("system")


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _row_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256((event.prev_hash + canonical(_row_payload(event))).encode()).hexdigest()


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Round-trip so what we hash is exactly what the JSON column gives back.
    return None if value is None else json.loads(canonical(value))


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction, so it commits or rolls back with the change."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=at or utcnow(),
        actor_id=actor.id,
        actor=actor.label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify(events: Iterable[AuditEvent]) -> ChainBreak | None:
    """Walk the chain in order and return the first row that does not fit, or None if intact."""
    prev_hash, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"row {expected_seq} is missing (next row is {event.seq})")
        if event.prev_hash != prev_hash:
            return ChainBreak(event.seq, "prev_hash does not match the hash of the row before")
        if compute_hash(event) != event.hash:
            return ChainBreak(event.seq, "hash does not match the row's content (row was edited)")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    return None


def verify_database(session: Session, batch: int = 5000) -> tuple[int, ChainBreak | None]:
    """Stream the table in seq order; returns (rows checked, first break)."""
    checked = 0

    def rows() -> Iterable[AuditEvent]:
        nonlocal checked
        last = 0
        while chunk := session.exec(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all():
            checked += len(chunk)
            yield from chunk
            last = chunk[-1].seq
            session.expunge_all()

    return_break = verify(rows())
    return checked, return_break


def recent(db: Database, *, action: str = "", subject_type: str = "", subject_id: str = "",
           before_seq: int | None = None) -> list[AuditEvent]:
    """Newest first, a page at a time; filters are exact matches (actions may end in '*' as a prefix)."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)
    if action:
        query = query.where(AuditEvent.action.startswith(action[:-1]) if action.endswith("*")
                            else AuditEvent.action == action)
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    with db.read() as session:
        return list(session.exec(query).all())
