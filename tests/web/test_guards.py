"""Role and sign-in checks on every route, found from the app itself so a new route cannot slip through."""

import re

import pytest

from recruit.accounts.models import Role
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD

PUBLIC = {"/open-data", "/open-data/pass-rates/{fmt:str}",
    "/", "/login", "/register", "/logout", "/language", "/health", "/api/v1/tokens", "/api/v1/regions",
    "/api/v1/position-categories", "/api/v1/state-bodies", "/verify/{code:str}",
}
ADMIN = {"/admin/users", "/admin/users/new", "/admin/users/{user_id:int}", "/admin/reference",
         "/admin/reference/{kind:str}/new", "/admin/reference/{kind:str}/{code:str}", "/admin/audit"}
SIGNED_IN = {"/account", "/account/password", "/api/v1/me", "/api/v1/tokens/current", "/inbox", "/inbox/read"}
AUTHORS = {"/bank", "/bank/items", "/bank/items/new", "/bank/items/preview", "/bank/items/{item_id:str}", "/bank/items/{item_id:str}/edit",
           "/bank/items/{item_id:str}/status", "/bank/import", "/bank/programs", "/bank/programs/{code:str}", "/bank/statistics"}
CANDIDATES = {"/exams", "/exams/sittings/{sitting_id:int}/book", "/exams/sittings/{sitting_id:int}/start",
              "/exams/attempts/{attempt_id:int}", "/exams/attempts/{attempt_id:int}/q/{slot:int}",
              "/exams/attempts/{attempt_id:int}/responses/{slot:int}", "/exams/attempts/{attempt_id:int}/state",
              "/exams/attempts/{attempt_id:int}/review", "/exams/attempts/{attempt_id:int}/submit",
              "/exams/attempts/{attempt_id:int}/result", "/exams/attempts/{attempt_id:int}/certificate.pdf",
              "/api/v1/attempts/{attempt_id:int}/certificate.pdf", "/api/v1/sittings", "/api/v1/sittings/{sitting_id:int}/bookings", "/api/v1/attempts",
              "/api/v1/attempts/{attempt_id:int}", "/api/v1/attempts/{attempt_id:int}/responses/{slot:int}",
              "/api/v1/attempts/{attempt_id:int}/submit", "/api/v1/attempts/{attempt_id:int}/result"}
CANDIDATES |= {"/exams/attempts/{attempt_id:int}/events"}
OPERATORS = {"/operator", "/operator/sittings/new", "/operator/sittings/{sitting_id:int}",
             "/operator/sittings/{sitting_id:int}/admit", "/operator/sittings/{sitting_id:int}/pause",
             "/operator/sittings/{sitting_id:int}/resume", "/operator/sittings/{sitting_id:int}/bookings/{booking_id:int}",
             "/operator/attempts/{attempt_id:int}/{action:str}"}
INTEGRITY_READERS = {"/operator/attempts/{attempt_id:int}"}
CANDIDATES |= {"/competitions", "/competitions/{competition_id:int}", "/competitions/{competition_id:int}/apply"}
MANAGERS = {"/hr/competitions", "/hr/competitions/new", "/hr/competitions/{competition_id:int}",
            "/hr/competitions/{competition_id:int}/applications/{application_id:int}/eligibility",
            "/hr/competitions/{competition_id:int}/close-testing", "/hr/competitions/{competition_id:int}/commission",
            "/hr/competitions/{competition_id:int}/protocol.pdf"}
COMMISSION = {"/commission", "/commission/competitions/{competition_id:int}",
              "/commission/competitions/{competition_id:int}/applications/{application_id:int}/declaration",
              "/commission/competitions/{competition_id:int}/final-session",
              "/commission/competitions/{competition_id:int}/protocol.pdf", "/commission/interviews/{interview_id:int}",
              "/commission/interviews/{interview_id:int}/scores", "/commission/interviews/{interview_id:int}/revision",
              "/commission/interviews/{interview_id:int}/{action:str}",
              "/commission/interviews/{interview_id:int}/sheets/{seat_id:int}",
              "/api/v1/interviews/{interview_id:int}/scores", "/api/v1/interviews/{interview_id:int}/sheets/{seat_id:int}"}
CANDIDATES |= {"/appeals", "/appeals/items", "/appeals/reviews"}
REVIEWERS = {"/appeals/pending", "/appeals/{appeal_id:int}/decision"}
MANAGERS |= {"/hr/statistics", "/hr/statistics/pass-rates/{fmt:str}", "/api/v1/reports/pass-rates"}
RANKING_READERS = {"/api/v1/competitions/{competition_id:int}/ranking"}
ALLOWED = {**{path: {"admin"} for path in ADMIN}, **{path: {"author", "admin"} for path in AUTHORS},
           **{path: {"candidate"} for path in CANDIDATES}, **{path: {"operator", "admin"} for path in OPERATORS},
           **{path: {"operator", "admin", "commission_member"} for path in INTEGRITY_READERS},
           **{path: {"hr_analyst", "admin"} for path in MANAGERS}, **{path: {"commission_member"} for path in COMMISSION},
           **{path: {"hr_analyst", "admin", "commission_member"} for path in RANKING_READERS},
           **{path: {"author", "hr_analyst", "admin"} for path in REVIEWERS}}


def _routes(app):
    for route in app.routes:
        if route.path.startswith("/schema") or route.path.startswith("/static"):
            continue
        for method in sorted(getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}):
            yield route.path, method


def _concrete(path: str) -> str:
    path = path.replace("{sitting_id:int}", "1").replace("{attempt_id:int}", "1").replace("{slot:int}", "1")
    path = path.replace("{competition_id:int}", "1").replace("{application_id:int}", "1")
    path = path.replace("{appeal_id:int}", "1").replace("{fmt:str}", "csv").replace("{interview_id:int}", "1").replace("{seat_id:int}", "1")
    path = path.replace("{booking_id:int}", "1").replace("{action:str}", "pause")
    path = path.replace("{user_id:int}", "1").replace("{kind:str}", "regions").replace("{item_id:str}", "ethics-001")
    return path.replace("{code:str}", "corps-b" if path.startswith("/bank") else "KZ-55")


def test_every_route_is_classified(client):
    paths = {path for path, _ in _routes(client.app)}
    assert paths == PUBLIC | ADMIN | SIGNED_IN | AUTHORS | CANDIDATES | OPERATORS | INTEGRITY_READERS | MANAGERS \
        | COMMISSION | RANKING_READERS | REVIEWERS, \
        "classify the new route here and guard it"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    token = csrf_token(client)
    for path, method in _routes(client.app):
        if path in PUBLIC:
            continue
        url = _concrete(path)
        if path.startswith("/api/"):
            response = client.request(method, url)
            assert response.status_code == 401, (method, path)
            continue
        response = client.request(method, url, data={"_csrf_token": token} if method == "POST" else None,
                                  headers={"x-csrftoken": token}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), (method, path)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_roles_are_refused_what_is_not_theirs(client, make_user, role):
    make_user(role, email=f"{role}@example.kz")
    bearer = client.post("/api/v1/tokens", json={"email": f"{role}@example.kz", "password": PASSWORD}).json()["token"]
    sign_in(client, f"{role}@example.kz")
    token = csrf_token(client, "/account")
    for path, method in _routes(client.app):
        if path not in ALLOWED or role in ALLOWED[path]:
            continue
        if path.startswith("/api/"):
            response = client.request(method, _concrete(path), headers={"Authorization": f"Bearer {bearer}"})
            assert response.status_code == 403, (role, method, path)
            continue
        response = client.request(method, _concrete(path), data={"_csrf_token": token} if method == "POST" else None,
                                  headers={"x-csrftoken": token}, follow_redirects=False)
        assert response.status_code == 403, (role, method, path)


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


def test_htmx_requests_get_a_client_redirect_to_sign_in(client):
    response = client.get("/account", headers={"hx-request": "true"}, follow_redirects=False)
    assert response.headers["hx-redirect"] == "/login?next=/account"
