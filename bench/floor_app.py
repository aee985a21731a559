"""The floor for the exam-day benchmark: a bare Litestar endpoint doing one upsert per request with the same
durability as Merit. SQLite (FLOOR_DB, a file): WAL, synchronous=FULL, one writer per process, one transaction per
save. PostgreSQL (FLOOR_DATABASE_URL, a libpq URL): one autocommitted upsert per save, so one commit each with the
server's synchronous_commit, on a connection per thread."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass

from litestar import Litestar, put

_local = threading.local()
_writer = threading.Lock()  # one writer per process, as in Merit on SQLite
POSTGRES = os.environ.get("FLOOR_DATABASE_URL")
UPSERT = ("INSERT INTO floor_response VALUES ({0}, {0}, {0}, {0}) ON CONFLICT (attempt, slot) DO UPDATE SET "
          "choice = excluded.choice, seq = excluded.seq WHERE excluded.seq > floor_response.seq")
TABLE = ("CREATE TABLE IF NOT EXISTS floor_response (attempt INT, slot INT, choice TEXT, seq INT, "
         "PRIMARY KEY (attempt, slot))")


def _sqlite() -> sqlite3.Connection:
    db = sqlite3.connect(os.environ["FLOOR_DB"], isolation_level=None, check_same_thread=False, timeout=10)
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=10000", TABLE):
        db.execute(pragma)
    return db


def _postgres():
    import psycopg

    return psycopg.connect(POSTGRES, autocommit=True)  # the table is made by the benchmark before it starts


def connection():
    if not hasattr(_local, "db"):
        _local.db = _postgres() if POSTGRES else _sqlite()
    return _local.db


@dataclass
class Save:
    choice_ids: list[str]
    seq: int


@put("/floor/{attempt:int}/{slot:int}", sync_to_thread=True)
def save(attempt: int, slot: int, data: Save) -> dict:
    db = connection()
    values = (attempt, slot, data.choice_ids[0], data.seq)
    if POSTGRES:
        db.execute(UPSERT.format("%s"), values)
    else:
        with _writer:
            db.execute("BEGIN IMMEDIATE")
            db.execute(UPSERT.format("?"), values)
            db.execute("COMMIT")
    return {"saved": True, "remaining_seconds": 0}


app = Litestar([save])
