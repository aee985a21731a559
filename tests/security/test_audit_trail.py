"""The audit trail for security events, through HTTP: what is recorded, and who may read it.

tests/audit covers the chain itself (append-only triggers, verify naming an edited or deleted row, an event
rolling back with its change, the administrator's page). Added here: the security-relevant actions taken over
HTTP are recorded with who and what (never a secret), and nobody but an administrator reads the trail.
"""

import json

from sqlmodel import select

from recruit.accounts.models import Role
from recruit.accounts.service import ACCOUNT_FREE_FAILURES
from recruit.audit.models import AuditEvent
from recruit.audit.service import verify_database
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD


def _events(db, *actions):
    with db.read() as session:
        return session.exec(select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.seq)).all()


def test_security_events_are_recorded_without_secrets(client, db, make_user):
    admin = make_user("admin", email="admin@example.kz")
    user = make_user("candidate", email="user@example.kz")
    for _ in range(ACCOUNT_FREE_FAILURES):
        sign_in(client, "user@example.kz", "guess guess guess")
    locked = _events(db, "account.locked")
    assert [(e.subject_id, e.after["failures"]) for e in locked] == [(str(user.id), ACCOUNT_FREE_FAILURES)]
    token = client.post("/api/v1/tokens", json={"email": "admin@example.kz", "password": PASSWORD}).json()["token"]
    assert client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    sign_in(client, "admin@example.kz")
    page = f"/admin/users/{user.id}"
    assert post_form(client, page, {"roles": ["candidate", "author"], "is_active": "yes"}, page).status_code == 303
    assert post_form(client, "/logout", {}, "/account").status_code == 303
    trail = _events(db, "api_token.issued", "api_token.revoked", "session.started", "account.access_changed",
                    "session.ended")
    assert [(e.action, e.actor_id) for e in trail] == [
        ("api_token.issued", admin.id), ("api_token.revoked", admin.id), ("session.started", admin.id),
        ("account.access_changed", admin.id), ("session.ended", admin.id)]
    changed = trail[3]
    assert (changed.before["roles"], changed.after["roles"]) == (["candidate"], ["author", "candidate"])
    everything = json.dumps([[e.before, e.after] for e in _events(db, *{e.action for e in trail}, "account.locked")])
    assert PASSWORD not in everything and token not in everything and "argon2" not in everything
    with db.read() as session:
        assert verify_database(session)[1] is None


def test_only_administrators_read_the_trail(client, make_user):
    """Even every other role at once reads nothing of it."""
    make_user(*(r.value for r in Role if r is not Role.ADMIN), email="reader@example.kz")
    sign_in(client, "reader@example.kz")  # itself an audited event: there is something to read
    for query in ("", "?action=session.*", "?subject=user:1"):
        response = client.get(f"/admin/audit{query}", follow_redirects=False)
        assert response.status_code == 403 and "session.started" not in response.text, query
