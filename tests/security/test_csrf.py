"""Every state-changing page route (forms, htmx and the exam page's JSON saves) needs the CSRF token.

The routes come from the app's table: each unsafe method outside /api/ is sent by someone allowed to use it, on
real objects where the route names one, first without the token and with forged ones (403, and nothing stored
changes), then with the token (no 403: the refusal was the token's). The JSON API is exempt because it accepts
no cookies: tests/security/test_route_matrix.py shows a session cookie does not open it.
"""

from recruit.accounts.models import Role
from tests.conftest import csrf_token, sign_in
from tests.security.conftest import Visitor, snapshot
from tests.security.routes import API_PREFIX, NOTHING, OWNED, UNSAFE, fill, owned_url, routes

FORGED = "0" * 64


def _unsafe_page_routes(app):
    return [(path, method) for path, method in routes(app) if method in UNSAFE and not path.startswith(API_PREFIX)]


def _request(visitor, method, url, body, token):
    """The request a browser would make, carrying `token` (None: none at all) in the field and the header."""
    headers = {"x-csrftoken": token} if token else {}
    if "/responses/" in url or url.endswith("/events"):
        return visitor.browser.request(method, url, json=body or {}, headers=headers, follow_redirects=False)
    data = {**(body or {}), **({"_csrf_token": token} if token else {})}
    return visitor.browser.request(method, url, data=data, headers=headers, follow_redirects=False)


def test_every_unsafe_page_route_refuses_a_missing_or_forged_token(client, db, world, make_user):
    app = client.app
    everyone = make_user(*(role.value for role in Role), email="all-roles@example.kz")
    visitors = {"all": Visitor(app, everyone)}
    table = []
    for path, method in _unsafe_page_routes(app):
        case = OWNED.get(path)
        who = case.owner if case else "all"
        visitors.setdefault(who, world.visitor(app, who) if case else None)
        table.append((visitors[who], method, owned_url(path, case, world.ids) if case else fill(path, NOTHING),
                      case.body if case else {}))
    assert {("/logout", "POST"), ("/exams/attempts/{attempt_id:int}/responses/{slot:int}", "PUT"),
            ("/bank/import", "POST")} <= set(_unsafe_page_routes(app))
    before = snapshot(db)
    for visitor, method, url, body in table:
        for token in (None, FORGED, visitor.token[::-1]):
            response = _request(visitor, method, url, body, token)
            assert response.status_code == 403, (method, url, token, response.status_code)
    assert snapshot(db) == before
    for visitor, method, url, body in table:
        assert _request(visitor, method, url, body, visitor.token).status_code != 403, (method, url)


def test_a_token_works_only_with_its_own_browser(client, db, make_user):
    """The token is bound to the browser's CSRF cookie: one lifted from another browser is refused."""
    from litestar.testing import TestClient

    make_user(email="victim@example.kz", language="en")
    sign_in(client, "victim@example.kz")
    attacker = TestClient(client.app)
    stolen = csrf_token(attacker)
    before = snapshot(db)
    response = client.post("/language", data={"language": "ru", "_csrf_token": stolen},
                           headers={"x-csrftoken": stolen}, follow_redirects=False)
    assert response.status_code == 403 and snapshot(db) == before


def test_htmx_requests_carry_the_token_in_a_header(client, make_user):
    make_user(email="h@example.kz", language="en")
    token = csrf_token(client)
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in client.get("/login").text
    sign_in(client, "h@example.kz")
    token = csrf_token(client, "/account")
    ok = client.post("/language", data={"language": "ru"}, headers={"x-csrftoken": token, "hx-request": "true"},
                     follow_redirects=False)
    assert ok.status_code == 303
    refused = client.post("/language", data={"language": "kk"}, headers={"hx-request": "true"},
                          follow_redirects=False)
    assert refused.status_code == 403
