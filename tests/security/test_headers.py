"""Security headers on every kind of response, and templates that a strict Content-Security-Policy can serve.

The headers do not depend on the database, so these run on SQLite only.
"""

import re

import pytest
from sqlalchemy import text

from recruit.settings import PROJECT_ROOT
from tests.conftest import sign_in

TEMPLATES = sorted((PROJECT_ROOT / "templates").rglob("*.html"))
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


def _policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def _assert_secured(response, label):
    policy = _policy(response.headers.get("content-security-policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, (label, "no script-src")
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts), (label, scripts)
    assert policy.get("frame-ancestors") == ["'none'"], label
    assert policy.get("object-src", policy.get("default-src")) in (["'none'"], ["'self'"]), label
    assert policy.get("base-uri") == ["'none'"], label
    assert response.headers.get("referrer-policy") in REFERRER_POLICIES, label
    assert response.headers.get("x-content-type-options") == "nosniff", label


def test_every_kind_of_response_carries_the_headers(client, db, make_user):
    anonymous = {
        "page": client.get("/login"),
        "htmx fragment": client.get("/open-data", headers={"hx-request": "true"}),
        "json": client.get("/api/v1/regions"),
        "json 401": client.get("/api/v1/me"),
        "json 404": client.get("/api/v1/no-such-thing"),
        "pdf": client.get("/open-data/pass-rates/pdf"),
        "csv": client.get("/open-data/pass-rates/csv"),
        "static script": client.get("/static/htmx.min.js"),
        "static head": client.head("/static/merit.css"),
        "404 page": client.get("/no-such-page"),
        "405 page": client.put("/login"),
        "redirect": client.get("/account", follow_redirects=False),
        "htmx redirect": client.get("/account", headers={"hx-request": "true"}),
        "options": client.options("/login"),
        "api description": client.get("/schema/swagger"),
    }
    assert anonymous["htmx fragment"].status_code == 200 and "<html" not in anonymous["htmx fragment"].text
    assert anonymous["pdf"].headers["content-type"] == "application/pdf"
    assert [anonymous[k].status_code for k in ("404 page", "405 page", "redirect", "htmx redirect")] == [
        404, 405, 303, 204]
    make_user("candidate", email="c@example.kz")
    sign_in(client, "c@example.kz")
    signed_in = {"403 page": client.get("/admin/users"), "own page": client.get("/account")}
    assert signed_in["403 page"].status_code == 403
    with db.write() as session:  # a broken database: the unexpected-error answers
        session.execute(text("ALTER TABLE region RENAME TO region_gone"))
    client.cookies.clear()
    broken = {"500 json": client.get("/api/v1/regions"), "500 page": client.get("/register")}
    assert [r.status_code for r in broken.values()] == [500, 500]
    assert "region_gone" not in broken["500 page"].text and "Traceback" not in broken["500 page"].text
    for label, response in {**anonymous, **signed_in, **broken}.items():
        _assert_secured(response, label)
    for label, response in signed_in.items():  # personal pages are never kept by a cache
        assert response.headers["cache-control"] == "no-store", label


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT_ROOT / "templates")))
def test_templates_have_no_inline_script(template):
    """What the policy forbids must not be needed: scripts come from /static, handlers from those scripts."""
    source = template.read_text()
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", source, re.S | re.I):
        assert "src=" in attributes and not body.strip(), f"inline script in {template.name}"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", source, re.I), f"inline event handler in {template.name}"
    assert not re.search(r"<[a-z][^>]*\shx-on", source, re.I), f"hx-on (evaluated inline code) in {template.name}"
    assert "javascript:" not in source.lower(), f"javascript: URL in {template.name}"
