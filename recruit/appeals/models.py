from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class Appeal(SQLModel, table=True):
    """An item challenge (an attempt and a question) or a review request (an application and a stage)."""

    __tablename__ = "appeal"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"), UniqueConstraint("application_id", "stage"))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)                      # item, review
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id")
    slot: int | None = None
    item_id: str | None = Field(default=None, max_length=120)     # resolved on the server, never shown
    item_version: int | None = None
    application_id: int | None = Field(default=None, foreign_key="application.id")
    stage: str | None = Field(default=None, max_length=40)
    grounds: str = Field(max_length=4000)
    filed_at: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(default="pending", max_length=10, index=True)   # pending, upheld, rejected
    decided_by: str | None = Field(default=None, max_length=320)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, max_length=2000)
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))   # the rescoring report
