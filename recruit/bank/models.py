from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class BankItem(SQLModel, table=True):
    """One version of an item. `content` is the item's native JSON (stem, options, key, metadata);
    the columns beside it are copies for filtering. A version used on a form is frozen: edits make a new one."""

    __tablename__ = "bank_item"

    item_id: str = Field(primary_key=True, max_length=120)
    version: int = Field(primary_key=True)
    type: str = Field(max_length=20)
    act: str = Field(max_length=60, index=True)
    article: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=10, index=True)
    difficulty: float | None = None
    languages: str = Field(max_length=20)          # e.g. "en,kk,ru"
    enemy_group: str | None = Field(default=None, max_length=120)
    law_date: date | None = None
    competency: str | None = Field(default=None, max_length=60)
    name: str | None = Field(default=None, max_length=300)
    search_text: str = ""                           # stems in every language, lowercased
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    frozen: bool = False
    is_current: bool = Field(default=True, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=320)


class ProgramRecord(SQLModel, table=True):
    """A version of a test program (blueprint) with its effective dates."""

    __tablename__ = "test_program"

    code: str = Field(primary_key=True, max_length=60)
    version: int = Field(primary_key=True)
    effective_from: date
    effective_to: date | None = None
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=320)


class AssembledForm(SQLModel, table=True):
    """A frozen form: seed, program version, item versions and option orders, as given to a candidate."""

    __tablename__ = "assembled_form"
    __table_args__ = (UniqueConstraint("program_code", "program_version", "seed", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    program_code: str = Field(max_length=60)
    program_version: int
    seed: str = Field(max_length=120)
    language: str = Field(max_length=2)
    expected_score: float
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
