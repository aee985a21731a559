"""Reports read through RECRUIT_REPORTS_DATABASE_URL (a read replica) while everything else uses the primary.

The "replica" is a copy of the primary taken at one moment (CREATE DATABASE ... TEMPLATE), reached on a connection
that refuses writes (default_transaction_read_only=on), so the test tells the two apart: results sat after the copy
are in the primary only, and a report that counted them would have read the primary.
"""

import io
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from litestar.testing import TestClient

from recruit.app import create_app
from recruit.db import Database
from recruit.settings import Settings
from tests.conftest import _admin_engine, sign_in
from tests.factories import PASSWORD

READ_ONLY = "?options=" + quote("-c default_transaction_read_only=on")

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def replica(database_url, db, demo_bank, make_user, sit):
    """Astana: 12 sat before the copy; after it, 3 sat in Almaty city (in the primary only)."""
    for n in range(12):
        sit(make_user(region_code="KZ-71"), "corps-b", 50 if n < 6 else 20)
    db.dispose()  # CREATE DATABASE ... TEMPLATE needs the primary without connections
    primary = database_url.rsplit("/", 1)[1].split("?")[0]
    name = f"merit_replica_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{primary}"'))
    for _ in range(3):
        sit(make_user(region_code="KZ-75"), "corps-b", 50)
    url = database_url.replace(f"/{primary}", f"/{name}", 1)
    yield url + ("&" if "?" in url else "?") + READ_ONLY[1:]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_replica_refuses_writes(replica):
    copy = Database(replica)
    try:
        with pytest.raises(DBAPIError, match="read-only"), copy.write() as session:
            session.execute(text("DELETE FROM login_throttle"))
    finally:
        copy.dispose()


def test_reports_read_the_replica_and_sign_in_the_primary(database_url, replica, make_user, token_for_replica):
    """Accounts made after the copy sign in (the primary), and every report counts only the copy's results."""
    client, headers = token_for_replica
    api = client.get("/api/v1/reports/pass-rates?stage=legislation&by=region", headers=headers)
    assert api.status_code == 200, api.text
    assert [row["group"] for row in api.json()["rows"]] == ["KZ-71"]
    public = client.get("/open-data?stage=legislation&by=region")
    assert public.status_code == 200 and "Astana" in public.text and "Almaty" not in public.text
    csv = client.get("/open-data/pass-rates/csv?by=region").text.splitlines()
    assert [line.split(",")[0] for line in csv[1:]] == ["KZ-71"]
    pdf = client.get("/open-data/pass-rates/pdf?by=region")
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Astana" in words and "Almaty" not in words
    assert sign_in(client, "hr-replica@example.kz").status_code == 303  # a session on the primary
    dashboard = client.get("/hr/statistics?by=region")
    assert dashboard.status_code == 200 and "Astana" in dashboard.text and "Almaty" not in dashboard.text


def test_the_report_command_reads_the_replica(database_url, replica, tmp_path):
    out = tmp_path / "rates.csv"
    env = {**os.environ, "RECRUIT_DATABASE_URL": database_url, "RECRUIT_REPORTS_DATABASE_URL": replica}
    done = subprocess.run([sys.executable, "-m", "recruit", "report", "pass-rates", "--by", "region", "--format",
                           "csv", "--out", str(out)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [line.split(",")[0] for line in out.read_text().splitlines()[1:]] == ["KZ-71"]
    primary = subprocess.run([sys.executable, "-m", "recruit", "report", "pass-rates", "--by", "region", "--format",
                              "csv", "--out", str(out)], env={**env, "RECRUIT_REPORTS_DATABASE_URL": ""},
                             capture_output=True, text=True, timeout=120)
    assert primary.returncode == 0, primary.stderr
    assert [line.split(",")[0] for line in out.read_text().splitlines()[1:]] == ["KZ-71", "KZ-75"]


@pytest.fixture
def token_for_replica(database_url, replica, make_user):
    make_user("admin", email="admin-replica@example.kz")
    make_user("hr_analyst", email="hr-replica@example.kz", region_code="")
    settings = Settings(database_url=database_url, secret_key="test-secret-key-" + "x" * 32, env="test",
                        reports_database_url=replica)
    with TestClient(create_app(settings)) as client:
        client.headers["accept-language"] = "en"
        answer = client.post("/api/v1/tokens", json={"email": "admin-replica@example.kz", "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        yield client, {"Authorization": f"Bearer {answer.json()['token']}"}

