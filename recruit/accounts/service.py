"""Account rules: registration, login with throttling, sessions, API tokens, password change, roles."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from recruit.accounts.iin import is_valid_iin
from recruit.accounts.models import ApiToken, LoginThrottle, Role, User, UserRole, WebSession
from recruit.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from recruit.audit.service import SYSTEM, Actor, record
from recruit.db import Database, utcnow
from recruit.errors import FormErrors
from recruit.i18n import LANGUAGES, N_
from recruit.reference.models import Region

LOGIN_FAILED = N_("The e-mail or password is incorrect, or the account is temporarily locked. Try again later.")
ACCOUNT_FREE_FAILURES = 5
IP_FREE_FAILURES = 30
FAILURE_WINDOW = timedelta(hours=1)
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(hours=1)
SESSION_IDLE = timedelta(hours=2)
SESSION_LIFETIME = timedelta(hours=12)
SESSION_TOUCH_EVERY = timedelta(minutes=1)
TOKEN_LIFETIME = timedelta(hours=12)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class CurrentUser:
    """What a request knows about its user; never an ORM object."""

    id: int
    email: str
    full_name: str
    language: str
    roles: frozenset[str]
    region_code: str | None = None
    iin: str | None = None
    read_only: bool = False        # signed in with a read-only API token

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def actor(self) -> Actor:
        return Actor(self.email, self.id)


@dataclass
class Registration:
    full_name: str = ""
    iin: str = ""
    email: str = ""
    region_code: str = ""
    language: str = "kk"
    password: str = ""
    password_confirm: str = ""
    consent: bool = False
    roles: tuple[str, ...] = field(default=(Role.CANDIDATE.value,))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _roles_of(session: Session, user_id: int) -> frozenset[str]:
    return frozenset(session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all())


def _current(session: Session, user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id, email=user.email, full_name=user.full_name, language=user.language,
        roles=_roles_of(session, user.id), region_code=user.region_code, iin=user.iin,
    )


def current_user(db: Database, user_id: int) -> CurrentUser:
    with db.read() as session:
        return _current(session, session.get(User, user_id))


def user_snapshot(session: Session, user: User) -> dict:
    """What the audit trail records about a user (never the hash)."""
    return {
        "email": user.email, "full_name": user.full_name, "iin": user.iin, "region_code": user.region_code,
        "language": user.language, "is_active": user.is_active, "roles": sorted(_roles_of(session, user.id)),
    }


# Registration and creation


def validate_registration(session: Session, data: Registration, *, require_consent: bool = True) -> dict[str, str]:
    errors: dict[str, str] = {}
    email = normalize_email(data.email)
    if not 2 <= len(data.full_name.strip()) <= 200:
        errors["full_name"] = N_("Enter your full name.")
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        errors["email"] = N_("Enter a valid e-mail address.")
    elif session.exec(select(User.id).where(User.email == email)).first() is not None:
        errors["email"] = N_("An account with this e-mail already exists.")
    unknown_roles = set(data.roles) - {role.value for role in Role}
    if unknown_roles or not data.roles:
        errors["roles"] = N_("Choose at least one known role.")
    needs_identity = Role.CANDIDATE.value in data.roles
    if data.iin or needs_identity:
        if not is_valid_iin(data.iin):
            errors["iin"] = N_("Enter a valid 12-digit IIN.")
        elif session.exec(select(User.id).where(User.iin == data.iin)).first() is not None:
            errors["iin"] = N_("An account with this IIN already exists.")
    if data.region_code or needs_identity:
        region = session.get(Region, data.region_code) if data.region_code else None
        if region is None or not region.valid_on(utcnow().date()):
            errors["region_code"] = N_("Choose your region.")
    if data.language not in LANGUAGES:
        errors["language"] = N_("Choose a language.")
    problem = password_problem(data.password, personal=(email, data.iin))
    if problem:
        errors["password"] = problem
    elif data.password_confirm != data.password:
        errors["password_confirm"] = N_("The passwords do not match.")
    if require_consent and not data.consent:
        errors["consent"] = N_("Consent to the processing of personal data is required.")
    return errors


def create_user(db: Database, data: Registration, actor: Actor | None = None, *, require_consent: bool = True) -> CurrentUser:
    """Validate, hash off the transaction (it is slow on purpose), then insert and audit in one transaction."""
    with db.read() as session:
        errors = validate_registration(session, data, require_consent=require_consent)
    if errors:
        raise FormErrors(errors)
    password_hash = hash_password(data.password)
    now = utcnow()
    with db.write() as session:
        errors = validate_registration(session, data, require_consent=require_consent)  # a racing twin
        if errors:
            raise FormErrors(errors)
        user = User(
            email=normalize_email(data.email), full_name=data.full_name.strip(), iin=data.iin or None,
            region_code=data.region_code or None, language=data.language, password_hash=password_hash,
            created_at=now, password_changed_at=now,
        )
        session.add(user)
        session.flush()
        session.add_all(UserRole(user_id=user.id, role=role) for role in sorted(set(data.roles)))
        session.flush()
        who = actor or Actor(user.email, user.id)
        record(session, who, "account.created", "user", user.id, after=user_snapshot(session, user))
        return _current(session, user)


# Login and throttling


def _upsert_throttle(session: Session, key: str, now: datetime) -> LoginThrottle:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle).values(key=key, failures=0, window_started_at=now).on_conflict_do_nothing()
    )
    return session.exec(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).one()


def _locked(session: Session, keys: list[str], now: datetime) -> bool:
    rows = session.exec(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    return any(row.locked_until is not None and row.locked_until > now for row in rows)


def _register_failure(session: Session, key: str, free: int, now: datetime) -> LoginThrottle:
    row = _upsert_throttle(session, key, now)
    if now - row.window_started_at > FAILURE_WINDOW and not (row.locked_until and row.locked_until > now):
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= free:
        lock = min(FIRST_LOCK * 2 ** (row.failures - free), LONGEST_LOCK)
        row.locked_until = now + lock
    session.add(row)
    return row


def throttle_keys(email: str, ip: str | None) -> tuple[str, str]:
    return f"account:{normalize_email(email)}", f"ip:{ip or 'unknown'}"


def authenticate(db: Database, email: str, password: str, ip: str | None) -> CurrentUser | None:
    """The user, or None for any failure (the caller shows one generic message).

    A locked account or IP is refused before any hash is computed.
    """
    if "\x00" in email or len(normalize_email(email)) > 320:
        return None  # no account has such an address, and no database column could hold it
    now = utcnow()
    account_key, ip_key = throttle_keys(email, ip)
    with db.read() as session:
        locked = _locked(session, [account_key, ip_key], now)
        user = None if locked else session.exec(select(User).where(User.email == normalize_email(email))).first()
    if locked:
        with db.write() as session:
            _register_failure(session, ip_key, IP_FREE_FAILURES, now)
        return None
    ok = verify_password(user.password_hash if user else None, password) and user.is_active
    new_hash = hash_password(password) if ok and needs_rehash(user.password_hash) else None
    with db.write() as session:
        if not ok:
            row = _register_failure(session, account_key, ACCOUNT_FREE_FAILURES, now)
            _register_failure(session, ip_key, IP_FREE_FAILURES, now)
            if row.failures == ACCOUNT_FREE_FAILURES and user is not None:
                record(session, SYSTEM, "account.locked", "user", user.id,
                       after={"failures": row.failures, "locked_until": row.locked_until.isoformat(), "ip": ip})
            return None
        session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
        fresh = session.get(User, user.id)
        if new_hash:
            fresh.password_hash = new_hash
            session.add(fresh)
            record(session, Actor(fresh.email, fresh.id), "account.password_rehashed", "user", fresh.id)
        return _current(session, fresh)


# Sessions


def start_session(db: Database, user: CurrentUser, ip: str | None, user_agent: str | None,
                  replaces: str | None = None) -> str:
    """A new session id at every login (any session the browser had is ended); returns the cookie value."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.write() as session:
        if replaces:
            session.execute(delete(WebSession).where(WebSession.id_hash == digest(replaces)))
        session.add(WebSession(
            id_hash=digest(token), user_id=user.id, created_at=now, last_seen_at=now,
            expires_at=now + SESSION_LIFETIME, ip=ip, user_agent=(user_agent or "")[:300],
        ))
        record(session, user.actor, "session.started", "user", user.id, after={"ip": ip})
    return token


def resolve_session(db: Database, token: str) -> CurrentUser | None:
    now = utcnow()
    with db.read() as session:
        row = session.get(WebSession, digest(token))
        if row is None or row.expires_at <= now or now - row.last_seen_at > SESSION_IDLE:
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        current = _current(session, user)
        stale = now - row.last_seen_at > SESSION_TOUCH_EVERY
    if stale:
        with db.write() as session:
            row = session.get(WebSession, digest(token))
            if row is not None:
                row.last_seen_at = now
                session.add(row)
    return current


def end_session(db: Database, token: str, user: CurrentUser | None) -> None:
    with db.write() as session:
        session.execute(delete(WebSession).where(WebSession.id_hash == digest(token)))
        if user is not None:
            record(session, user.actor, "session.ended", "user", user.id)


# API tokens


def issue_token(db: Database, user: CurrentUser, read_only: bool = False) -> tuple[str, datetime]:
    """A bearer token; a read-only one (for an agency's report pulls) can read but never change anything."""
    token = "mrt_" + secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + TOKEN_LIFETIME
    with db.write() as session:
        row = ApiToken(token_hash=digest(token), user_id=user.id, created_at=now, expires_at=expires_at,
                       read_only=read_only)
        session.add(row)
        session.flush()
        record(session, user.actor, "api_token.issued", "api_token", row.id,
               after={"expires_at": expires_at.isoformat(), "read_only": read_only})
    return token, expires_at


def revoke_token(db: Database, token: str, user: CurrentUser) -> None:
    with db.write() as session:
        row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
        if row is not None and row.user_id == user.id and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
            record(session, user.actor, "api_token.revoked", "api_token", row.id)


# Own account


def set_language(db: Database, user: CurrentUser, language: str) -> None:
    if language not in LANGUAGES:
        raise FormErrors({"language": N_("Choose a language.")})
    with db.write() as session:
        row = session.get(User, user.id)
        if row.language != language:
            before = row.language
            row.language = language
            session.add(row)
            record(session, user.actor, "account.language_changed", "user", user.id,
                   before={"language": before}, after={"language": language})


def change_password(db: Database, user: CurrentUser, current: str, new: str, confirm: str,
                    keep_session: str | None) -> None:
    """Other sessions are ended, so a stolen session does not outlive a password change."""
    with db.read() as session:
        stored = session.get(User, user.id).password_hash
    errors: dict[str, str] = {}
    if not verify_password(stored, current):
        errors["current_password"] = N_("The current password is incorrect.")
    problem = password_problem(new, personal=(user.email, user.iin or ""))
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["new_password_confirm"] = N_("The passwords do not match.")
    if errors:
        raise FormErrors(errors)
    new_hash = hash_password(new)
    with db.write() as session:
        row = session.get(User, user.id)
        row.password_hash, row.password_changed_at = new_hash, utcnow()
        session.add(row)
        others = delete(WebSession).where(WebSession.user_id == user.id)
        if keep_session:
            others = others.where(WebSession.id_hash != digest(keep_session))
        session.execute(others)
        record(session, user.actor, "account.password_changed", "user", user.id)


# Administration


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    full_name: str
    region_code: str | None
    language: str
    is_active: bool
    roles: tuple[str, ...]
    created_at: datetime


def list_users(db: Database, search: str = "", role: str = "", limit: int = 200) -> list[UserRow]:
    with db.read() as session:
        query = select(User).order_by(User.id).limit(limit)
        if search:
            pattern = f"%{search.strip().lower()}%"
            query = query.where(func.lower(User.email).like(pattern) | func.lower(User.full_name).like(pattern)
                                | (User.iin == search.strip()))
        if role:
            query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
        users = session.exec(query).all()
        roles: dict[int, list[str]] = {}
        for user_id, name in session.exec(
            select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_([u.id for u in users]))
        ).all():
            roles.setdefault(user_id, []).append(name)
        return [
            UserRow(u.id, u.email, u.full_name, u.region_code, u.language, u.is_active,
                    tuple(sorted(roles.get(u.id, []))), u.created_at)
            for u in users
        ]


def get_user(db: Database, user_id: int) -> UserRow | None:
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return UserRow(user.id, user.email, user.full_name, user.region_code, user.language, user.is_active,
                       tuple(sorted(_roles_of(session, user.id))), user.created_at)


def update_user_access(db: Database, admin: CurrentUser, user_id: int, roles: set[str], is_active: bool) -> None:
    """Set a user's roles and whether the account may log in. An administrator cannot lock themself out."""
    if not roles or roles - {role.value for role in Role}:
        raise FormErrors({"roles": N_("Choose at least one known role.")})
    if user_id == admin.id and (Role.ADMIN.value not in roles or not is_active):
        raise FormErrors({"roles": N_("You cannot remove your own administrator access.")})
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            raise LookupError(user_id)
        before = user_snapshot(session, user)
        session.execute(delete(UserRole).where(UserRole.user_id == user_id))
        session.add_all(UserRole(user_id=user_id, role=role) for role in sorted(roles))
        user.is_active = is_active
        session.add(user)
        if not is_active:
            session.execute(delete(WebSession).where(WebSession.user_id == user_id))
        session.flush()
        after = user_snapshot(session, user)
        if after != before:
            record(session, admin.actor, "account.access_changed", "user", user_id, before=before, after=after)
