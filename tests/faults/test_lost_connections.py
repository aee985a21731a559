"""The hot paths' DB-API connections (recruit.db.Raw) on PostgreSQL when the server ends them, as a restart or an
administrator does: a connection that died idle in the pool is replaced without failing the work, and with it
every other connection of its time; one lost mid-transaction fails the work, which is never replayed, and leaves
nothing behind."""

from __future__ import annotations

from contextlib import ExitStack

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text

from recruit.db import Database

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
_BACKEND = select(func.pg_backend_pid().label("pid"))
_COUNT = select(func.count().label("n")).select_from(text("fault_probe"))


@pytest.fixture
def admin(database_url):
    """A connection of its own that can end the server's other connections to the test database."""
    engine = create_engine(Database(database_url).url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE fault_probe (n integer NOT NULL)"))
        yield connection
    engine.dispose()


def _end_connections(admin, pid: int | None = None) -> int:
    """Ends the given backend, or every other one of this database; how many were ended."""
    ended = admin.execute(text(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND (CAST(:pid AS integer) IS NULL OR pid = :pid)"),
        {"pid": pid}).scalar_one()
    return ended


def _insert(n: int):
    def work(raw):
        raw.execute_sql(f"INSERT INTO fault_probe VALUES ({n})")
        return n
    return work


def _stored(admin) -> list[int]:
    return sorted(admin.execute(text("SELECT n FROM fault_probe")).scalars())


def _fill_the_pool(db: Database, count: int) -> None:
    held = [db.engine.raw_connection() for _ in range(count)]
    for connection in held:
        connection.cursor().execute("SELECT 1")
        connection.close()


def test_connections_that_died_in_the_pool_cost_no_work(db, admin):
    _fill_the_pool(db, 5)
    assert _end_connections(admin) == 5
    assert [db.write_shared(_insert(n)) for n in range(5)] == list(range(5))
    with db.raw_read() as raw:
        assert raw.execute(_COUNT)[0][0] == 5
    assert _stored(admin) == list(range(5))


def test_one_lost_connection_replaces_every_connection_of_its_time(db, admin):
    _fill_the_pool(db, 5)
    _end_connections(admin)
    db.write_shared(_insert(1))
    # The ORM's sessions never replay a statement: each of these fails if it is handed a dead connection.
    with ExitStack() as stack:
        sessions = [stack.enter_context(db.read()) for _ in range(5)]
        assert [session.execute(text("SELECT 1")).scalar_one() for session in sessions] == [1] * 5


def test_a_connection_lost_mid_transaction_fails_the_work_and_leaves_nothing(db, admin):
    runs = []

    def work(raw):
        runs.append(1)
        raw.execute_sql("INSERT INTO fault_probe VALUES (1)")
        _end_connections(admin, raw.execute(_BACKEND)[0][0])
        raw.execute_sql("INSERT INTO fault_probe VALUES (2)")

    with pytest.raises(psycopg.OperationalError):
        db.write_shared(work)
    assert len(runs) == 1, "the work was run again"
    assert _stored(admin) == []
    assert db.write_shared(_insert(3)) == 3
    assert _stored(admin) == [3]
