"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test on a fresh migrated database.

Fresh databases are cheap copies of one template made by the real migrations (a file copy for SQLite,
CREATE DATABASE ... TEMPLATE for PostgreSQL).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from question_bank.importers import ImportResult
from recruit.accounts.service import CurrentUser, Registration, create_user
from recruit.app import create_app
from recruit.audit.service import SYSTEM
from recruit.bank import service as bank
from recruit.db import Database
from recruit.exams import service as exams
from recruit.migrate import upgrade
from recruit.bootstrap import seed_bundled
from recruit.settings import Settings
from tests.factories import PASSWORD, iin_for

POSTGRES_URL = os.environ.get("RECRUIT_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
TEMPLATE_DB = f"merit_template_{os.getpid()}"


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true but RECRUIT_TEST_POSTGRES_URL is unset: PostgreSQL tests must run in CI")


def pytest_report_header(config: pytest.Config) -> str:
    if POSTGRES_URL:
        return "databases: SQLite and PostgreSQL"
    return "databases: SQLite only (PostgreSQL tests skipped: set RECRUIT_TEST_POSTGRES_URL to run them)"


def _migrated(url: str) -> None:
    upgrade(url)
    db = Database(url)
    seed_bundled(db)
    db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "merit.sqlite3"
    _migrated(f"sqlite:///{path}")
    return path


def _admin_engine():
    return create_engine(Database(POSTGRES_URL).url, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(Database(POSTGRES_URL).url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: set RECRUIT_TEST_POSTGRES_URL to run them")
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"'))
        connection.execute(text(f'CREATE DATABASE "{TEMPLATE_DB}"'))
    _migrated(_pg_url(TEMPLATE_DB))
    yield TEMPLATE_DB
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def fresh_database(request: pytest.FixtureRequest, engine: str, folder: Path | None = None,
                   prefix: str = "merit_test") -> Iterator[str]:
    """A migrated database copied from the session's template: a SQLite file in `folder`, or a PostgreSQL
    database named `prefix_...`, dropped afterwards."""
    if engine == "sqlite":
        target = folder / "merit.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-key-" + "x" * 32, env="test")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["accept-language"] = "en"  # tests read English; i18n tests choose their own
        yield test_client


@pytest.fixture
def demo_bank(db: Database) -> None:
    """The demo question bank: enough approved items to assemble corps-b and competency forms."""
    bank.store_import(db, SYSTEM, ImportResult(items=bank.demo_items()), ["demo"])
    exams._assemblers.clear()


@pytest.fixture
def token_for(client: TestClient):
    """Bearer headers for a user, from the real token endpoint."""
    def token(email: str) -> dict[str, str]:
        answer = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    return token


@pytest.fixture
def make_user(db: Database):
    """Create an account through the real service; returns the CurrentUser."""
    counter = iter(range(1, 10_000))

    def make(*roles: str, email: str | None = None, password: str = PASSWORD, language: str = "en",
             region_code: str = "KZ-55") -> CurrentUser:
        n = next(counter)
        data = Registration(
            full_name=f"Test Person {n}", email=email or f"person{n}@example.kz", roles=roles or ("candidate",),
            language=language, iin=iin_for(n), region_code=region_code, password=password,
            password_confirm=password,
        )
        return create_user(db, data, require_consent=False)

    return make


CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, path: str = "/login") -> str:
    match = CSRF_INPUT.search(client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "_csrf_token": token},
                       follow_redirects=False)


def post_form(client: TestClient, path: str, data: dict, token_page: str = "/"):
    """Post a form the way a browser would: with the CSRF field from a page of the site."""
    return client.post(path, data={**data, "_csrf_token": csrf_token(client, token_page)}, follow_redirects=False)
