"""The signed-in user's own account: language and password."""

from sqlmodel import select

from recruit.accounts.models import User, WebSession
from recruit.audit.models import AuditEvent
from recruit.web.identity import SESSION_COOKIE
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD


def test_language_choice_persists_on_the_account(client, db, make_user):
    user = make_user(email="lang@example.kz", language="en")
    sign_in(client, "lang@example.kz")
    assert post_form(client, "/language", {"language": "ru", "next": "/account"}).headers["location"] == "/account"
    client.cookies.delete("merit_lang")
    assert '<html lang="ru">' in client.get("/account").text
    with db.read() as session:
        assert session.get(User, user.id).language == "ru"
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "account.language_changed")).one()
    assert (event.before, event.after) == ({"language": "en"}, {"language": "ru"})


def test_password_change_ends_other_sessions_and_keeps_this_one(client, db, make_user, settings):
    from litestar.testing import TestClient

    from recruit.app import create_app

    user = make_user(email="pw@example.kz")
    with TestClient(create_app(settings)) as other:
        sign_in(other, "pw@example.kz")
    sign_in(client, "pw@example.kz")
    new = "a brand new steppe passphrase"
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": new, "new_password_confirm": new}, token_page="/account")
    assert response.status_code == 303
    with db.read() as session:
        sessions = session.exec(select(WebSession).where(WebSession.user_id == user.id)).all()
    assert len(sessions) == 1
    assert client.get("/account").status_code == 200
    client.cookies.clear()
    assert sign_in(client, "pw@example.kz", PASSWORD).status_code == 401
    assert sign_in(client, "pw@example.kz", new).status_code == 303


def test_wrong_current_password_changes_nothing(client, db, make_user):
    user = make_user(email="pw2@example.kz")
    sign_in(client, "pw2@example.kz")
    with db.read() as session:
        before = session.get(User, user.id).password_hash
    response = post_form(client, "/account/password", {
        "current_password": "wrong wrong wrong", "new_password": "another good phrase", 
        "new_password_confirm": "another good phrase"}, token_page="/account")
    assert response.status_code == 400 and "The current password is incorrect." in response.text
    with db.read() as session:
        assert session.get(User, user.id).password_hash == before
    assert SESSION_COOKIE in client.cookies
