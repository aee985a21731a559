import pytest

from recruit import settings as settings_module
from recruit.db import Database
from recruit.settings import SettingsError, load_settings


def test_production_refuses_to_start_without_a_secret():
    with pytest.raises(SettingsError, match="RECRUIT_SECRET_KEY"):
        load_settings({"RECRUIT_ENV": "production"})
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({"RECRUIT_ENV": "production", "RECRUIT_SECRET_KEY": "short"})
    ok = load_settings({"RECRUIT_ENV": "production", "RECRUIT_SECRET_KEY": "k" * 40,
                        "RECRUIT_DATABASE_URL": "postgresql://db.example/merit"})
    assert ok.production and ok.secret_key == "k" * 40


def test_development_secret_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    first, second = load_settings({}), load_settings({})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{tmp_path / 'merit.sqlite3'}"


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError):
        load_settings({"RECRUIT_ENV": "staging", "RECRUIT_SECRET_KEY": "x" * 40})


def test_sqlite_runs_durable_and_strict(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with db.engine.connect() as connection:
        pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    db.dispose()
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 10000, "foreign_keys": 1}


def test_postgresql_urls_use_psycopg3():
    assert Database("postgresql://u@h/merit").url.startswith("postgresql+psycopg://")
