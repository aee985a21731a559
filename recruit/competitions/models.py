from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class Competition(SQLModel, table=True):
    """A post announced by a state body. `stages` and `rules` are data (see competitions.rules), fixed when
    the competition is announced so every applicant is judged by the same ones."""

    __tablename__ = "competition"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    state_body_code: str = Field(foreign_key="state_body.code", max_length=40)
    position_category_code: str = Field(foreign_key="position_category.code", max_length=40)
    region_code: str = Field(foreign_key="region.code", max_length=16, index=True)
    kind: str = Field(max_length=20)                    # internal_body, internal_service, general
    posts: int = 1
    requirements: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))   # text per language, checks
    stages: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    rules: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))          # weights, tie keys, reserve, appeals
    closes_at: datetime = Field(sa_type=UTCDateTime)    # applications close
    state: str = Field(default="open", max_length=12, index=True)   # open, testing, interviews, decided
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=320)


class Application(SQLModel, table=True):
    """A candidate's application; `stage` is where they stand in the pipeline."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("competition_id", "candidate_id"),)

    id: int | None = Field(default=None, primary_key=True)
    competition_id: int = Field(foreign_key="competition.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    applied_at: datetime = Field(sa_type=UTCDateTime)
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # education, experience, statement
    status: str = Field(default="submitted", max_length=12, index=True)     # submitted, eligible, ineligible, out, ranked
    stage: str | None = Field(default=None, max_length=40)                   # the stage being waited on
    eligibility_reason: str | None = Field(default=None, max_length=1000)
    checked_by: str | None = Field(default=None, max_length=320)


class StageOutcome(SQLModel, table=True):
    """What a stage decided for an application, and the rule and source that decided it."""

    __tablename__ = "stage_outcome"

    application_id: int = Field(foreign_key="application.id", primary_key=True)
    stage: str = Field(primary_key=True, max_length=40)
    passed: bool
    score: float | None = None
    source: str = Field(max_length=80)          # e.g. "attempt:12", "interview"
    rule: str = Field(max_length=300)           # the hurdle as applied, for the timeline and the audit trail
    decided_at: datetime = Field(sa_type=UTCDateTime)


class ApplicationEvent(SQLModel, table=True):
    """The candidate's timeline: every status change, in order."""

    __tablename__ = "application_event"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=40)
    stage: str | None = Field(default=None, max_length=40)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class CommissionSeat(SQLModel, table=True):
    """A member of a competition's commission: chair, member or (non-voting) secretary."""

    __tablename__ = "commission_seat"
    __table_args__ = (UniqueConstraint("competition_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    competition_id: int = Field(foreign_key="competition.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    role: str = Field(max_length=10)


class ConflictDeclaration(SQLModel, table=True):
    """A member's declaration about one applicant, made before any score for that applicant can be entered."""

    __tablename__ = "conflict_declaration"

    seat_id: int = Field(foreign_key="commission_seat.id", primary_key=True)
    application_id: int = Field(foreign_key="application.id", primary_key=True)
    conflicted: bool
    note: str | None = Field(default=None, max_length=1000)
    declared_at: datetime = Field(sa_type=UTCDateTime)


class Interview(SQLModel, table=True):
    """One applicant's interview (or essay) before the commission. `rubric` is frozen when it is created.
    Scoring -> (moderation, when members disagree by more than 2 points) -> final."""

    __tablename__ = "interview"
    __table_args__ = (UniqueConstraint("application_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    competition_id: int = Field(foreign_key="competition.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    stage: str = Field(max_length=40)
    rubric: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(default="scoring", max_length=12)          # scoring, moderation, final
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, max_length=320)
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # finals per competency, overall
    valid: bool | None = None                                     # None until final; False below quorum
    created_at: datetime = Field(sa_type=UTCDateTime)


class ScoreSheet(SQLModel, table=True):
    """A member's scores for one interview, entered alone and locked once submitted; a moderation revision
    keeps its justification here and the original in the audit trail."""

    __tablename__ = "score_sheet"
    __table_args__ = (UniqueConstraint("interview_id", "seat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    seat_id: int = Field(foreign_key="commission_seat.id", index=True)
    scores: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))   # competency -> {"level", "evidence"}
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    revised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    justification: str | None = Field(default=None, max_length=2000)


class RankingEntry(SQLModel, table=True):
    """One line of a competition's final ranking and the commission's decision on it."""

    __tablename__ = "ranking_entry"

    competition_id: int = Field(foreign_key="competition.id", primary_key=True)
    application_id: int = Field(foreign_key="application.id", primary_key=True)
    rank: int | None = None
    composite: float | None = None
    standing: str = Field(max_length=10)                  # merit, reserve, none
    failed_hurdle: str | None = Field(default=None, max_length=40)
    tie_break: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    decision: str = Field(max_length=20)                  # recommended, not_recommended
    reason: str = Field(max_length=1000)
    decided_at: datetime = Field(sa_type=UTCDateTime)


class Protocol(SQLModel, table=True):
    """The signed record of the commission's final session: the PDF as issued and its SHA-256."""

    __tablename__ = "protocol"

    competition_id: int = Field(foreign_key="competition.id", primary_key=True)
    sha256: str = Field(max_length=64)
    pdf: bytes = Field(sa_type=LargeBinary)
    language: str = Field(max_length=2)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    issued_by: str = Field(max_length=320)
