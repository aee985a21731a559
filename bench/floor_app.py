"""The floor for the exam-day benchmark: a bare Litestar endpoint doing one SQLite upsert per request with
the same durability as Merit (WAL, synchronous=FULL, one transaction per save)."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass

from litestar import Litestar, put

_local = threading.local()
_writer = threading.Lock()  # one writer per process, as in Merit


def connection() -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        db = sqlite3.connect(os.environ["FLOOR_DB"], isolation_level=None, check_same_thread=False, timeout=10)
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=10000"):
            db.execute(pragma)
        db.execute("CREATE TABLE IF NOT EXISTS response (attempt INT, slot INT, choice TEXT, seq INT, "
                   "PRIMARY KEY (attempt, slot))")
        _local.db = db
    return _local.db


@dataclass
class Save:
    choice_ids: list[str]
    seq: int


@put("/floor/{attempt:int}/{slot:int}", sync_to_thread=True)
def save(attempt: int, slot: int, data: Save) -> dict:
    db = connection()
    with _writer:
        _upsert(db, attempt, slot, data)
    return {"saved": True, "remaining_seconds": 0}


def _upsert(db: sqlite3.Connection, attempt: int, slot: int, data: Save) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO response VALUES (?, ?, ?, ?) ON CONFLICT (attempt, slot) DO UPDATE SET "
               "choice = excluded.choice, seq = excluded.seq WHERE excluded.seq > response.seq",
               (attempt, slot, data.choice_ids[0], data.seq))
    db.execute("COMMIT")


app = Litestar([save])
