"""The audit trail is append-only in the database and its hash chain exposes any edit."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from recruit.audit.models import AuditEvent
from recruit.audit.service import GENESIS, SYSTEM, Actor, compute_hash, record, verify_database


def _events(db, n=3):
    with db.write() as session:
        for i in range(n):
            record(session, Actor("tester@example.kz", 7), "test.happened", "thing", i,
                   before={"value": i}, after={"value": i + 1, "note": "Қазақша"})


def _recruit(database_url, *args):
    env = {**os.environ, "RECRUIT_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "recruit", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_rows_form_a_chain(db):
    _events(db)
    with db.read() as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
        checked, broken = verify_database(session)
    assert broken is None and checked == len(rows) >= 3
    assert rows[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
    assert all(compute_hash(row) == row.hash for row in rows)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'forged' WHERE seq = 1",
    "DELETE FROM audit_event WHERE seq = 1",
])
def test_the_database_refuses_update_and_delete(db, statement):
    _events(db)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.write() as session:
            session.execute(text(statement))
    with db.read() as session:
        assert session.get(AuditEvent, 1).action != "forged"


def test_postgresql_refuses_truncate(db):
    if not db.url.startswith("postgresql"):
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _events(db)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.write() as session:
            session.execute(text("TRUNCATE audit_event"))


def _drop_guards(db):
    with db.write() as session:
        if db.sqlite:
            session.execute(text("DROP TRIGGER audit_event_no_update"))
            session.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            session.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))


def test_verify_names_the_first_edited_row(db, database_url):
    _events(db, 5)
    assert _recruit(database_url, "audit", "verify").returncode == 0
    _drop_guards(db)
    with db.write() as session:
        # An after-the-fact edit that keeps valid JSON: only the chain can tell.
        session.execute(text("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 4"))
    result = _recruit(database_url, "audit", "verify")
    assert result.returncode == 1
    assert "row 4" in result.stderr and "edited" in result.stderr


def test_verify_names_a_deleted_row(db, database_url):
    _events(db, 5)
    _drop_guards(db)
    with db.write() as session:
        session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    result = _recruit(database_url, "audit", "verify")
    assert result.returncode == 1 and "row 3" in result.stderr


def test_an_event_rolls_back_with_its_change(db):
    with pytest.raises(RuntimeError):
        with db.write() as session:
            record(session, SYSTEM, "test.doomed", "thing", 1)
            raise RuntimeError("the change failed")
    with db.read() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "test.doomed")).all() == []


def test_administrators_read_the_trail_newest_first(client, db, make_user):
    from tests.conftest import sign_in

    make_user("admin", email="admin@example.kz")
    _events(db, 3)
    sign_in(client, "admin@example.kz")
    page = client.get("/admin/audit", params={"action": "test.*"}).text
    assert page.count("<code>test.happened</code>") == 3
    assert page.index("thing:2") < page.index("thing:0")
    only = client.get("/admin/audit", params={"subject": "thing:1"}).text
    assert only.count("<code>test.happened</code>") == 1
