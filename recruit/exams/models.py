from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class Sitting(SQLModel, table=True):
    """A program offered in a window, online or at a venue, with a capacity and an operator."""

    __tablename__ = "sitting"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    program_code: str = Field(max_length=60)
    program_version: int
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    mode: str = Field(default="online", max_length=10)        # "online" or "venue"
    venue: str | None = Field(default=None, max_length=300)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=16)
    capacity: int = 100
    operator_id: int | None = Field(default=None, foreign_key="user_account.id")
    track: str = Field(default="civil", max_length=20)        # "civil" or "law_enforcement", for the statistics
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Booking(SQLModel, table=True):
    """A candidate's place on a sitting, with accommodations decided before the start."""

    __tablename__ = "booking"
    __table_args__ = (UniqueConstraint("sitting_id", "candidate_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sitting_id: int = Field(foreign_key="sitting.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    admitted_by: str = Field(max_length=320)                   # "self" or the operator
    extra_minutes: int = 0
    extra_percent: int = 0
    large_text: bool = False
    accommodation_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Attempt(SQLModel, table=True):
    """One sitting of one candidate: the frozen form, the server-held deadline, the outcome."""

    __tablename__ = "attempt"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    sitting_id: int = Field(foreign_key="sitting.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    form_id: int = Field(foreign_key="assembled_form.id")
    program_code: str = Field(max_length=60)
    program_version: int
    language: str = Field(max_length=2)
    option_salt: str = Field(max_length=32)                    # makes option ids opaque per attempt
    state: str = Field(default="in_progress", max_length=12, index=True)  # in_progress, submitted, expired, terminated
    started_at: datetime = Field(sa_type=UTCDateTime)
    deadline_at: datetime = Field(sa_type=UTCDateTime, index=True)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    scored_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    owner_session: str | None = Field(default=None, max_length=64)  # hash of the session that may save
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the page's heartbeat
    client_ip: str | None = Field(default=None, max_length=45)
    client_agent: str | None = Field(default=None, max_length=300)
    correct: float | None = None
    passed: bool | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    verification_code: str | None = Field(default=None, max_length=32, unique=True)


class Response(SQLModel, table=True):
    """The newest acknowledged answer to one slot; `seq` orders the client's saves."""

    __tablename__ = "response"

    attempt_id: int = Field(foreign_key="attempt.id", primary_key=True)
    slot: int = Field(primary_key=True)
    selected: list[str] = Field(sa_column=Column(JSON, nullable=False))   # option keys (never sent out)
    seq: int
    saved_at: datetime = Field(sa_type=UTCDateTime)


class AttemptEvent(SQLModel, table=True):
    """The integrity log: starts, resumes, takeovers, pauses, focus losses, reconnects."""

    __tablename__ = "attempt_event"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=40)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class NeutralisedItem(SQLModel, table=True):
    """An item version withdrawn from scoring after an upheld challenge: it counts as right for everyone who
    had it, so nobody loses by a flawed question."""

    __tablename__ = "neutralised_item"

    item_id: str = Field(primary_key=True, max_length=120)
    version: int = Field(primary_key=True)
    reason: str = Field(max_length=1000)
    neutralised_at: datetime = Field(sa_type=UTCDateTime)
    neutralised_by: str = Field(max_length=320)
