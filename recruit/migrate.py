"""Alembic driven from code: `recruit db upgrade` is the only way the schema is made outside tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from recruit.db import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "recruit:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def is_current(db: Database) -> bool:
    """True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    with db.read_engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
