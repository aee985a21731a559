"""Bearer tokens for the JSON API."""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from recruit.accounts.models import ApiToken
from recruit.audit.models import AuditEvent
from recruit.accounts.service import digest
from recruit.db import utcnow
from tests.conftest import sign_in
from tests.factories import PASSWORD


def test_token_exchange_and_use(client, db, make_user):
    make_user("hr_analyst", email="agency@example.kz")
    response = client.post("/api/v1/tokens", json={"email": "agency@example.kz", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("mrt_")
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - utcnow() <= timedelta(hours=12)
    with db.read() as session:
        stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == digest(body["token"]) and body["token"] not in stored.token_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["email"] == "agency@example.kz"
    assert me.json()["roles"] == ["hr_analyst"]


def test_bad_credentials_get_the_generic_401(client, make_user):
    make_user(email="agency@example.kz")
    for body in ({"email": "agency@example.kz", "password": "wrong wrong"},
                 {"email": "ghost@example.kz", "password": PASSWORD}):
        response = client.post("/api/v1/tokens", json=body)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("The e-mail or password is incorrect")


def test_expired_revoked_and_unknown_tokens_are_refused(client, db, make_user):
    make_user(email="agency@example.kz")
    token = client.post("/api/v1/tokens", json={"email": "agency@example.kz", "password": PASSWORD}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mrt_forged"}).status_code == 401
    assert client.delete("/api/v1/tokens/current", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    other = client.post("/api/v1/tokens", json={"email": "agency@example.kz", "password": PASSWORD}).json()["token"]
    with db.write() as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == digest(other))
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_the_api_ignores_session_cookies(client, make_user):
    """Cookies would make the CSRF-exempt API drivable from another site; only bearer tokens count."""
    make_user(email="browser@example.kz")
    sign_in(client, "browser@example.kz")
    assert client.get("/account").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_a_read_only_token_is_issued_on_request_and_audited(client, db, make_user):
    make_user("hr_analyst", email="agency@example.kz")
    body = client.post("/api/v1/tokens", json={"email": "agency@example.kz", "password": PASSWORD,
                                               "read_only": True}).json()
    plain = client.post("/api/v1/tokens", json={"email": "agency@example.kz", "password": PASSWORD}).json()
    assert body["read_only"] is True and plain["read_only"] is False
    with db.read() as session:
        stored = {row.token_hash: row.read_only for row in session.exec(select(ApiToken))}
        issued = session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.issued")
                              .order_by(AuditEvent.seq)).all()
    assert stored == {digest(body["token"]): True, digest(plain["token"]): False}
    assert [event.after["read_only"] for event in issued] == [True, False]
    reads = client.get("/api/v1/reports/pass-rates?stage=legislation&by=region",
                       headers={"Authorization": f"Bearer {body['token']}"})
    assert reads.status_code == 200 and "rows" in reads.json()
