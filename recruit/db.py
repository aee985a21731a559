"""Engines and sessions. SQLite is tuned for durability; PostgreSQL goes through psycopg 3.

Services own their transactions: `with db.write() as session:` commits on success and rolls back on error,
so a handler can never answer before the change is durable. The per-request hot paths (token check, answer
save) use `db.write_shared()` / `db.raw_read()` instead: the same guarantees, without SQLAlchemy's per-statement
execution work, which costs more than the queries themselves.
"""

from __future__ import annotations

import threading
from collections import deque, namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

T = TypeVar("T")
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
        # No pre-ping (a round trip on every checkout of the hot save path): a connection that died in the pool
        # (the database restarted) is found by its first statement instead, and replaced (see Raw).
        return create_engine(url, pool_size=10, max_overflow=20)
    # Enough pooled connections for every thread at once: one opened past the pool is closed on return, and
    # opening a SQLite connection (file, WAL, pragmas) costs more than a save.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=64,
                           max_overflow=64)

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


class Prepared:
    """A Core statement compiled once for a dialect, to run on a DB-API cursor with SQLAlchemy's own type
    conversions (UTC datetimes, JSON) on the way in and out."""

    def __init__(self, statement: Executable, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql, self.order = compiled.string, compiled.positiontup  # order is None for named paramstyles
        self.binds = [(name, bind.type.dialect_impl(dialect).bind_processor(dialect))
                      for name, bind in compiled.binds.items()]
        columns = list(getattr(statement, "selected_columns", ()))
        self.results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.row = namedtuple("Row", [c.key for c in columns]) if columns else None

    def params(self, values: dict[str, Any]) -> list[Any] | dict[str, Any]:
        bound = {name: process(values[name]) if process else values[name] for name, process in self.binds}
        return bound if self.order is None else [bound[name] for name in self.order]

    def rows(self, fetched: list[tuple]) -> list[tuple]:
        return [self.row(*(process(value) if process else value for process, value in zip(self.results, raw)))
                for raw in fetched]


class Raw:
    """One transaction on a pooled DB-API connection, running prepared Core statements.

    A lost connection invalidates the whole pool, as SQLAlchemy's own Connection does, so every connection
    opened before the loss is replaced at its next checkout instead of failing a request each. Found at the
    transaction's first statement (it died idle in the pool), it is replaced and the statement sent again:
    nothing of the transaction had reached the database."""

    def __init__(self, db: Database, engine: Engine):
        self.db, self.url, self._engine = db, db.engine.url, engine
        self._connect()

    def _connect(self) -> None:
        self.connection = self._engine.raw_connection()
        self._cursor, self._fresh = self.connection.cursor(), True

    def _send(self, sql: str, *params: Any) -> None:
        try:
            self._cursor.execute(sql, *params)
        except self._engine.dialect.loaded_dbapi.Error as exc:
            if not self._lost(exc) or not self._fresh:
                raise
            self.connection.close()
            self._connect()
            self._cursor.execute(sql, *params)
        self._fresh = False

    def _lost(self, exc: Exception) -> bool:
        """Whether `exc` means the connection is gone; if so, invalidates the pool's connections of its time."""
        if not isinstance(exc, self._engine.dialect.loaded_dbapi.Error) or \
                not self._engine.dialect.is_disconnect(exc, self.connection.dbapi_connection, self._cursor):
            return False
        self._engine.pool._invalidate(self.connection, exc)  # the call SQLAlchemy's Connection makes
        return True

    def commit(self) -> None:
        try:
            self.connection.commit()
        except Exception as exc:
            self._lost(exc)
            raise

    def execute_sql(self, sql: str) -> None:
        self._send(sql)

    def execute(self, statement: Executable, **values: Any) -> list[tuple]:
        """Rows for a select (as named tuples), nothing for a change."""
        prepared = self.db.prepared(statement)
        self._send(prepared.sql, prepared.params(values))
        return prepared.rows(self._cursor.fetchall()) if prepared.row else []


class _Job:
    """One work of a shared write transaction: its result, or the error that refused or undid it."""

    def __init__(self, work: Callable[[Raw], Any]):
        self.work, self.done, self.result, self.error = work, False, None, None

    def run(self, raw: Raw) -> None:
        raw.execute_sql("SAVEPOINT job")
        try:
            self.result = self.work(raw)
        except Exception as exc:
            raw.execute_sql("ROLLBACK TO job")
            self.error = exc
        raw.execute_sql("RELEASE job")

    def fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class Database:
    def __init__(self, url: str):
        self.url = normalize_url(url)
        self.sqlite = is_sqlite(self.url)
        self.engine = _make_engine(self.url, begin="BEGIN IMMEDIATE")
        self.read_engine = _make_engine(self.url, begin="BEGIN") if self.sqlite else self.engine
        self._writer = threading.Lock() if self.sqlite else None
        self._queued: deque[_Job] = deque()  # work waiting for the writer (write_shared)
        self._prepared: dict[Executable, Prepared] = {}

    @contextmanager
    def write(self) -> Iterator[Session]:
        # SQLite has one writer: threads of one process queue on a lock instead of SQLite's busy handler,
        # whose sleeps (up to 100 ms each) would turn contention into long tails.
        with self._one_writer(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def write_shared(self, work: Callable[[Raw], T]) -> T:
        """`work` in a write transaction, for the hot paths. On SQLite, work that queues for the one writer
        meanwhile shares the next transaction and its commit: one fsync for many saves (group commit). Each
        work runs under its own savepoint, so an error undoes only its own changes, and none returns before
        the commit that made it durable. `work` may run in another thread, and must not write through `self`."""
        if not self.sqlite:
            with self._raw_transaction() as raw:
                return work(raw)
        job = _Job(work)
        self._queued.append(job)
        with self._one_writer():
            if not job.done:  # else an earlier writer took it along
                self._run_queued()
        return job.outcome()

    def _run_queued(self) -> None:
        jobs = []
        while self._queued:
            jobs.append(self._queued.popleft())
        try:
            with self._raw_transaction() as raw:
                for job in jobs:
                    job.run(raw)
        except BaseException as exc:  # the commit failed: nothing of this batch is durable
            for job in jobs:
                job.fail(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            for job in jobs:
                job.done = True

    @contextmanager
    def _raw_transaction(self) -> Iterator[Raw]:
        """The pool rolls back whatever an error leaves open."""
        raw = Raw(self, self.engine)
        try:
            if self.sqlite:
                raw.execute_sql("BEGIN IMMEDIATE")
            yield raw
            raw.commit()
        finally:
            raw.connection.close()

    @contextmanager
    def raw_read(self) -> Iterator[Raw]:
        """Single-statement reads. On PostgreSQL in autocommit: no BEGIN before and no ROLLBACK after (the pool's
        reset finds no transaction open), one round trip instead of three on every API request's token check."""
        raw = Raw(self, self.read_engine)
        dbapi = raw.connection.dbapi_connection
        try:
            if not self.sqlite:
                dbapi.autocommit = True
            yield raw
        finally:
            if not self.sqlite and not dbapi.closed:
                dbapi.autocommit = False
            raw.connection.close()

    def prepared(self, statement: Executable) -> Prepared:
        if statement not in self._prepared:
            self._prepared[statement] = Prepared(statement, self.engine.dialect)
        return self._prepared[statement]

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
