from litestar.testing import TestClient

from recruit.app import create_app
from recruit.settings import Settings


def test_health_checks_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_health_reports_an_unreachable_database(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}", secret_key="s" * 40)
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_openapi_documents_the_json_api_only(client):
    paths = set(client.get("/schema/openapi.json").json()["paths"])
    assert "/api/v1/tokens" in paths and "/api/v1/regions" in paths and "/health" in paths
    assert not {"/login", "/register", "/admin/users", "/account"} & paths


def test_security_headers(client):
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
