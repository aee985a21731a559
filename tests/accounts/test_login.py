"""Signing in and out through HTTP."""

from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import update
from sqlmodel import select

from recruit.accounts.models import LoginThrottle, User, WebSession
from recruit.accounts.service import ACCOUNT_FREE_FAILURES, LOGIN_FAILED, digest
from recruit.db import utcnow
from recruit.web.identity import SESSION_COOKIE
from tests.conftest import csrf_token, post_form, sign_in
from tests.factories import PASSWORD


def _message(response) -> str:
    return LOGIN_FAILED.replace("'", "&#39;")


def test_sign_in_creates_a_server_side_session(client, db, make_user):
    user = make_user("candidate", email="aigerim@example.kz")
    response = sign_in(client, "AIGERIM@example.kz ", PASSWORD)
    assert response.status_code == 303
    cookie = response.cookies[SESSION_COOKIE]
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    with db.read() as session:
        stored = session.exec(select(WebSession).where(WebSession.user_id == user.id)).all()
    assert [row.id_hash for row in stored] == [digest(cookie)]
    assert client.get("/account").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="known@example.kz")
    wrong = sign_in(client, "known@example.kz", "not the password at all")
    unknown = sign_in(client, "nobody@example.kz", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "The e-mail or password is incorrect" in wrong.text
    strip = lambda html: html.replace("known@example.kz", "").replace("nobody@example.kz", "")  # noqa: E731
    assert strip(wrong.text).split('name="_csrf_token"')[0] == strip(unknown.text).split('name="_csrf_token"')[0]
    assert SESSION_COOKIE not in wrong.cookies


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, db, make_user):
    make_user(email="target@example.kz")
    for _ in range(ACCOUNT_FREE_FAILURES):
        assert sign_in(client, "target@example.kz", "guess guess guess").status_code == 401
    with db.read() as session:
        row = session.get(LoginThrottle, "account:target@example.kz")
    assert row.failures == ACCOUNT_FREE_FAILURES and row.locked_until > utcnow()
    locked = sign_in(client, "target@example.kz", PASSWORD)
    assert locked.status_code == 401 and SESSION_COOKIE not in locked.cookies
    # The lock is kept in the database, so every worker sees it; once it lapses the right password works.
    with db.write() as session:
        session.execute(update(LoginThrottle).where(LoginThrottle.key == "account:target@example.kz")
                        .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert sign_in(client, "target@example.kz", PASSWORD).status_code == 303
    with db.read() as session:
        assert session.get(LoginThrottle, "account:target@example.kz") is None


def test_a_locked_account_is_refused_without_spending_a_hash(db, make_user, monkeypatch):
    from recruit.accounts import service

    make_user(email="locked@example.kz")
    with db.write() as session:
        session.add(LoginThrottle(key="account:locked@example.kz", failures=9, window_started_at=utcnow(),
                                  locked_until=utcnow() + timedelta(minutes=5)))
    calls = []
    monkeypatch.setattr(service, "verify_password", lambda *args: calls.append(args) or True)
    assert service.authenticate(db, "locked@example.kz", PASSWORD, "10.0.0.1") is None
    assert calls == []


def test_failures_from_one_address_are_throttled_across_accounts(db, make_user):
    from recruit.accounts import service

    make_user(email="victim@example.kz")
    for n in range(service.IP_FREE_FAILURES):
        service.authenticate(db, f"spray{n}@example.kz", "guess guess guess", "203.0.113.9")
    assert service.authenticate(db, "victim@example.kz", PASSWORD, "203.0.113.9") is None
    assert service.authenticate(db, "victim@example.kz", PASSWORD, "198.51.100.1") is not None


def test_session_id_rotates_at_sign_in_and_the_old_one_dies(client, db, make_user):
    make_user(email="first@example.kz")
    make_user(email="second@example.kz")
    first = sign_in(client, "first@example.kz").cookies[SESSION_COOKIE]
    second = sign_in(client, "second@example.kz").cookies[SESSION_COOKIE]
    assert first != second
    with db.read() as session:
        assert session.get(WebSession, digest(first)) is None
        assert session.get(WebSession, digest(second)) is not None


def test_sign_out_invalidates_the_session_on_the_server(client, db, make_user):
    make_user(email="leaving@example.kz")
    cookie = sign_in(client, "leaving@example.kz").cookies[SESSION_COOKIE]
    response = post_form(client, "/logout", {}, token_page="/account")
    assert response.status_code == 303
    with db.read() as session:
        assert session.get(WebSession, digest(cookie)) is None
    # Replaying the old cookie gets nothing.
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/account", follow_redirects=False).headers["location"] == "/login?next=/account"


def test_old_hash_parameters_are_upgraded_at_sign_in(client, db, make_user):
    user = make_user(email="legacy@example.kz")
    legacy = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    with db.write() as session:
        session.execute(update(User).where(User.id == user.id).values(password_hash=legacy))
    assert sign_in(client, "legacy@example.kz").status_code == 303
    with db.read() as session:
        upgraded = session.get(User, user.id).password_hash
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert sign_in(client, "legacy@example.kz").status_code == 303


def test_next_only_goes_to_local_paths(client, make_user):
    make_user(email="nav@example.kz")
    token = csrf_token(client)
    for target, expected in (("/account", "/account"), ("https://evil.example/", "/"), ("//evil.example", "/"),
                             ("/\\evil.example", "/")):
        client.cookies.clear()
        token = csrf_token(client)
        response = client.post("/login", data={"email": "nav@example.kz", "password": PASSWORD, "next": target,
                                               "_csrf_token": token}, follow_redirects=False)
        assert response.headers["location"] == expected


def test_blocked_account_cannot_sign_in(client, db, make_user):
    user = make_user(email="blocked@example.kz")
    with db.write() as session:
        session.execute(update(User).where(User.id == user.id).values(is_active=False))
    assert sign_in(client, "blocked@example.kz").status_code == 401
