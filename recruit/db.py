"""Engines and sessions. SQLite is tuned for durability; PostgreSQL goes through psycopg 3.

Services own their transactions: `with db.write() as session:` commits on success and rolls back on error,
so a handler can never answer before the change is durable.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

WRITER_WAIT_SECONDS = 30
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: the same instant on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def normalize_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _make_engine(url: str, *, begin: str | None) -> Engine:
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from the sqlite3 module so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the write lock up front: a read-then-write transaction can then never
        # fail half-way with SQLITE_BUSY_SNAPSHOT.
        connection.exec_driver_sql(begin)

    return engine


class Database:
    def __init__(self, url: str):
        self.url = normalize_url(url)
        self.sqlite = is_sqlite(self.url)
        self.engine = _make_engine(self.url, begin="BEGIN IMMEDIATE")
        self.read_engine = _make_engine(self.url, begin="BEGIN") if self.sqlite else self.engine
        self._writer = threading.Lock() if self.sqlite else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        # SQLite has one writer: threads of one process queue on a lock instead of SQLite's busy handler,
        # whose sleeps (up to 100 ms each) would turn contention into long tails.
        with self._one_writer(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """write() as a Core connection, for hot paths where the ORM's per-statement cost shows."""
        with self._one_writer(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        if self._writer is None:
            yield
            return
        if not self._writer.acquire(timeout=WRITER_WAIT_SECONDS):
            raise TimeoutError(f"no database write slot within {WRITER_WAIT_SECONDS} s")
        try:
            yield
        finally:
            self._writer.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    def ping(self) -> None:
        with self.read_engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
