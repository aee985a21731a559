"""Data every installation starts with: bundled reference data and test programs (missing rows only)."""

from __future__ import annotations

from recruit.audit.service import SYSTEM
from recruit.bank.service import seed_programs
from recruit.db import Database
from recruit.reference.service import seed


def seed_bundled(db: Database) -> tuple[int, int]:
    """Returns (reference rows added, program versions added); administrators' edits are kept."""
    with db.write() as session:
        return seed(session), seed_programs(session, SYSTEM)
