from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One recorded change. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=320)
    action: str = Field(max_length=80, index=True)
    subject_type: str = Field(max_length=60)
    subject_id: str = Field(max_length=120)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
