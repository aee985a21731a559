"""Session cookies and sign-in throttling through HTTP.

Already covered elsewhere and not repeated here (tests/accounts/test_login.py): the server-side session and its
hash, rotation between two users, sign-out killing the session, the account lock and its lapse, the per-IP
counter in the service, a locked account costing no hash, the generic message. Added here: the cookie flags in
production, rotation for the same user and against a planted id, and the throttle on the API's token endpoint.
"""

from http.cookies import SimpleCookie

import pytest
from litestar.testing import TestClient

from recruit.accounts.service import ACCOUNT_FREE_FAILURES, IP_FREE_FAILURES, SESSION_LIFETIME
from recruit.app import create_app
from recruit.settings import Settings
from recruit.web.identity import SESSION_COOKIE
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD


def _cookies(response) -> dict[str, dict[str, str]]:
    """name -> {attribute: value} for every Set-Cookie header of the response."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {key: str(value) for key, value in morsel.items() if value} | {"raw": header.lower()}
    return found


@pytest.mark.parametrize("env,secure", [("production", True), ("test", False)])
def test_session_and_csrf_cookie_flags(database_url, make_user, env, secure):
    make_user(email="flags@example.kz")
    settings = Settings(database_url=database_url, secret_key="s" * 48, env=env)
    with TestClient(create_app(settings), base_url="https://merit.example") as browser:
        page = browser.get("/login")
        token = csrf_token(browser)
        signed_in = browser.post("/login", data={"email": "flags@example.kz", "password": PASSWORD,
                                                 "_csrf_token": token}, follow_redirects=False)
        language = browser.post("/language", data={"language": "ru", "_csrf_token": token}, follow_redirects=False)
        signed_out = browser.post("/logout", data={"_csrf_token": csrf_token(browser, "/account")},
                                  follow_redirects=False)
        flash_read = browser.get("/")
    assert signed_in.status_code == 303
    session = _cookies(signed_in)[SESSION_COOKIE]
    assert session["path"] == "/" and session["samesite"].lower() == "lax"
    assert "httponly" in session["raw"] and ("; secure" in session["raw"]) is secure
    assert int(session["max-age"]) == SESSION_LIFETIME.total_seconds()
    assert "domain" not in session  # host-only: never sent to other subdomains
    for cookie in (_cookies(page)["csrftoken"], _cookies(language)["merit_lang"], _cookies(signed_out)["merit_flash"],
                   _cookies(flash_read)["merit_flash"]):
        assert "httponly" in cookie["raw"] and cookie["samesite"].lower() == "lax"
        assert ("; secure" in cookie["raw"]) is secure


def test_a_planted_session_id_is_replaced_at_sign_in(client, db, make_user):
    """Session fixation: whatever id the browser brought (planted, or its own from before) dies at sign-in."""
    make_user(email="fixed@example.kz")
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
    first = sign_in(client, "fixed@example.kz").cookies[SESSION_COOKIE]
    assert first != "planted-by-an-attacker"
    second = sign_in(client, "fixed@example.kz").cookies[SESSION_COOKIE]
    assert second != first
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, first)
    assert client.get("/account", follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, second)
    assert client.get("/account", follow_redirects=False).status_code == 200


def _token(client, email, password):
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def test_the_token_endpoint_shares_the_account_lock_with_the_sign_in_form(client, make_user):
    make_user(email="target@example.kz")
    wrong = _token(client, "target@example.kz", "guess guess guess")
    for _ in range(ACCOUNT_FREE_FAILURES - 2):
        assert _token(client, "target@example.kz", "guess guess guess").status_code == 401
    assert sign_in(client, "target@example.kz", "guess guess guess").status_code == 401  # the last free failure
    locked = _token(client, "target@example.kz", PASSWORD)
    assert locked.status_code == 401 and locked.json() == wrong.json()  # the same generic answer
    assert sign_in(client, "target@example.kz", PASSWORD).status_code == 401


def test_one_address_is_throttled_across_accounts_and_cannot_hide_behind_forwarded_headers(client, make_user):
    make_user(email="victim@example.kz")
    for n in range(IP_FREE_FAILURES):
        assert _token(client, f"spray{n}@example.kz", "guess guess guess").status_code == 401
    refused = client.post("/api/v1/tokens", json={"email": "victim@example.kz", "password": PASSWORD},
                          headers={"x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.7"})
    assert refused.status_code == 401
    assert sign_in(client, "victim@example.kz").status_code == 401
