from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from recruit.db import UTCDateTime


class Role(StrEnum):
    CANDIDATE = "candidate"
    AUTHOR = "author"
    COMMISSION_MEMBER = "commission_member"
    HR_ANALYST = "hr_analyst"
    OPERATOR = "operator"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=200)
    iin: str | None = Field(default=None, max_length=12, unique=True)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=16)
    language: str = Field(default="kk", max_length=2)
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    password_changed_at: datetime = Field(sa_type=UTCDateTime)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=40)


class WebSession(SQLModel, table=True):
    """Server-side session; only the SHA-256 of the cookie value is stored."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class ApiToken(SQLModel, table=True):
    """Bearer token for the JSON API; only the SHA-256 of the token is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_only: bool = False     # an agency's token for reports: reads only (GET), never a change


class LoginThrottle(SQLModel, table=True):
    """Failure counters per account and per IP, in the database so every worker sees them."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    window_started_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
