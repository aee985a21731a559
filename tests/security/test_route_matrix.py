"""Every method of every route, as every role and as an anonymous visitor, with the exact outcome of the guard.

Routes come from the app's own table and are looked up in tests/security/routes.py, so a new route fails here
until it is classified (and guarded as classified). Ids in the paths name nothing that exists: an allowed caller
gets past the guard to the handler (which then answers 404, 400...), a refused one never reaches it.
"""

import pytest

from recruit.accounts.models import Role
from tests.conftest import csrf_token, sign_in
from tests.security.conftest import snapshot
from tests.factories import PASSWORD
from tests.security.routes import ALLOWED, API_PREFIX, NOTHING, UNSAFE, fill, may_use, routes

# The two credential exchanges answer 401 for wrong credentials: that is their handler, not a guard.
CREDENTIAL_CHECKS = {("/login", "POST"), ("/api/v1/tokens", "POST")}


@pytest.fixture
def database_url(sqlite_url):
    """Guards read only who is asking; one engine is enough (the IDOR and CSRF sweeps run on both)."""
    return sqlite_url


def _ask(client, path, method, bearer=None, token=None):
    url = fill(path, NOTHING)
    if path.startswith(API_PREFIX):
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return client.request(method, url, headers=headers, json={} if method in UNSAFE else None)
    return client.request(method, url, headers={"x-csrftoken": token} if token else {},
                          data={"_csrf_token": token} if token and method == "POST" else None, follow_redirects=False)


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def _bare_options(response) -> bool:
    """The framework's OPTIONS answer names the methods and nothing else. Guards set on a controller stand in
    front of it; a guard set on one handler (or checked inside it, as exam day's save does) does not."""
    return response.status_code == 204 and response.content == b"" and "OPTIONS" in response.headers["allow"]


def _expect_allowed(response, path, method, who):
    if method == "OPTIONS":
        assert _bare_options(response), (who, path, response.status_code)
        return
    assert response.status_code < 500, (who, method, path, response.status_code)
    assert response.status_code != 403 and not _sent_to_sign_in(response), (who, method, path)
    assert response.status_code != 401 or (path, method) in CREDENTIAL_CHECKS, (who, method, path)


def test_every_route_is_classified(client):
    unlisted = {path for path, _ in routes(client.app)} - set(ALLOWED)
    stale = set(ALLOWED) - {path for path, _ in routes(client.app)}
    assert not unlisted, f"classify these routes in tests/security/routes.py and guard them: {sorted(unlisted)}"
    assert not stale, f"these classified routes no longer exist: {sorted(stale)}"


def test_anonymous_visitors(client):
    token = csrf_token(client)
    for path, method in routes(client.app):
        response = _ask(client, path, method, token=token)
        if may_use(path, None):
            _expect_allowed(response, path, method, "anonymous")
        elif method == "OPTIONS" and _bare_options(response):
            continue
        elif path.startswith(API_PREFIX):
            assert response.status_code == 401, (method, path)
        else:
            assert _sent_to_sign_in(response), (method, path, response.status_code)
            assert response.headers["location"] == "/login?next=" + fill(path, NOTHING)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role(client, make_user, role):
    make_user(role, email=f"{role}@example.kz")
    bearer = client.post("/api/v1/tokens", json={"email": f"{role}@example.kz", "password": PASSWORD}).json()["token"]
    sign_in(client, f"{role}@example.kz")
    token = csrf_token(client, "/account")
    for path, method in routes(client.app):
        response = _ask(client, path, method, bearer=bearer, token=token)
        if may_use(path, role):
            _expect_allowed(response, path, method, role)
        else:
            assert response.status_code == 403 or (method == "OPTIONS" and _bare_options(response)), \
                (role, method, path, response.status_code)


def test_a_read_only_token_reads_but_changes_nothing_anywhere(client, db, make_user):
    """An agency's read-only token, on an account holding every role: every unsafe API method is a 403 before
    its handler runs (so nothing is stored), every read gets past the guard, and it may still revoke itself."""
    make_user(*(r.value for r in Role), email="agency@example.kz")
    issued = client.post("/api/v1/tokens", json={"email": "agency@example.kz", "password": PASSWORD,
                                                 "read_only": True}).json()
    assert issued["read_only"] is True
    before = snapshot(db)
    for path, method in routes(client.app):
        if not path.startswith(API_PREFIX) or path == "/api/v1/tokens":
            continue
        response = _ask(client, path, method, bearer=issued["token"])
        if (path, method) == ("/api/v1/tokens/current", "DELETE"):
            assert response.status_code == 204
        elif method in UNSAFE:
            assert response.status_code == 403 and "read-only" in response.text, (method, path)
        else:
            _expect_allowed(response, path, method, "read-only token")
    after = snapshot(db)
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {"api_token", "audit_event"}       # the token's revocation, and its audit event
    assert len(after["audit_event"]) == len(before["audit_event"]) + 1
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401


def test_htmx_requests_get_a_client_redirect_to_sign_in(client):
    response = client.get("/account", headers={"hx-request": "true"}, follow_redirects=False)
    assert response.status_code == 204 and response.headers["hx-redirect"] == "/login?next=/account"


def test_a_session_cookie_does_not_open_the_api_nor_a_token_the_pages(client, make_user, token_for):
    """Pages know only the session cookie and the API only bearer tokens: neither opens the other."""
    make_user("admin", email="admin@example.kz")
    auth = token_for("admin@example.kz")
    assert _sent_to_sign_in(client.get("/admin/users", headers=auth, follow_redirects=False))
    sign_in(client, "admin@example.kz")
    assert client.get("/admin/users").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_administrators_reach_administration(client, make_user):
    make_user("admin", email="admin@example.kz")
    sign_in(client, "admin@example.kz")
    for path in ("/admin/users", "/admin/users/new", "/admin/users/1", "/admin/reference",
                 "/admin/reference/state-bodies/acsa", "/admin/reference?kind=position-categories",
                 "/admin/reference/regions/new", "/admin/audit", "/admin/audit?action=account.*"):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/users/999").status_code == 404
    assert client.get("/admin/reference/regions/KZ-00").status_code == 404
    assert client.get("/admin/reference/planets/KZ-55").status_code == 404
