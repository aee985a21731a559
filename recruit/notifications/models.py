from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class Notification(SQLModel, table=True):
    """A message id with its parameters (rendered in the reader's language when read), and where to look."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    message: str = Field(max_length=300)
    params: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    translated: list[str] = Field(sa_column=Column(JSON, nullable=False))   # params that are message ids too
    link: str | None = Field(default=None, max_length=300)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
