"""Insecure direct object references: every route whose path names an object, asked by a same-role outsider.

The object-bearing routes are found in the app's route table (a path parameter that names a stored object); each
is listed either as OWNED (one person's or one panel's: an outsider gets 404, exactly as for a missing id, and
nothing changes) or as SHARED (open to the whole role by design, with the reason). A new one fails until listed.
"""

from tests.security.conftest import snapshot
from tests.security.routes import OWNED, SHARED, object_bearing, owned_url, parameters, routes

# Objects named in the body rather than the path.
IN_THE_BODY = [
    ("candidate_b", "/appeals/items", lambda ids: {"attempt": ids["scored_attempt"], "slot": "1", "grounds": "x"}),
    ("candidate_b", "/appeals/reviews", lambda ids: {"decision": f"{ids['application']}:legislation", "grounds": "x"}),
    ("candidate_b", "/api/v1/attempts", lambda ids: {"sitting_id": ids["sitting"], "language": "en"}),
]


def _send(visitor, method: str, url: str, body):
    if method in ("GET", "HEAD"):
        return visitor.ask(method, url)
    as_json = url.startswith("/api/") or "/responses/" in url or url.endswith("/events")
    return visitor.ask(method, url, json=body or {}) if as_json else visitor.ask(method, url, form=body)


def test_every_object_bearing_route_is_listed(client):
    found = {path for path, _ in routes(client.app) if object_bearing(path)}
    assert found - OWNED.keys() - SHARED.keys() == set(), "list the new route in OWNED (with its outsider) or SHARED"
    assert (OWNED.keys() | SHARED.keys()) - found == set(), "these listed routes no longer exist"
    for path, case in OWNED.items():
        assert set(parameters(path)) == case.ids.keys() | case.fixed.keys(), path


def test_outsiders_find_nothing_and_change_nothing(client, db, world):
    app, ids = client.app, world.ids
    table = [(path, method) for path, method in routes(app) if path in OWNED and method != "OPTIONS"]
    for path, method in table:
        if method == "GET":  # the owner reaches it: the URL is right, and only ownership stands in the way
            case = OWNED[path]
            response = world.visitor(app, case.owner).ask("GET", owned_url(path, case, ids))
            assert response.status_code in (200, 303), (path, response.status_code)
            assert not response.headers.get("location", "").startswith("/login"), path
    outsiders = {who: world.visitor(app, who) for case in OWNED.values() for who in case.outsiders}
    before = snapshot(db)
    for path, method in table:
        case = OWNED[path]
        for outsider in case.outsiders:
            response = _send(outsiders[outsider], method, owned_url(path, case, ids), case.body)
            assert response.status_code == 404, (outsider, method, path, response.status_code, response.text[:300])
    for outsider, path, body in IN_THE_BODY:
        response = _send(outsiders[outsider], "POST", path, body(ids))
        assert response.status_code == 404, (outsider, path, response.status_code, response.text[:300])
    assert snapshot(db) == before
    # One world serves the two checks below too: it takes seconds to build.
    _refusals_look_like_missing_ids(app, world)
    _integrity_logs_follow_the_commission(app, world)


def _refusals_look_like_missing_ids(app, world):
    """404 for another's object and for a missing one look the same, so ids reveal nothing."""
    outsider = world.visitor(app, "candidate_b")
    theirs = outsider.ask("GET", f"/api/v1/attempts/{world.ids['live_attempt']}")
    missing = outsider.ask("GET", "/api/v1/attempts/999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    pages = [outsider.ask("GET", f"/exams/attempts/{n}/review") for n in (world.ids["live_attempt"], 999999)]
    assert [page.status_code for page in pages] == [404, 404]
    theirs, missing = (page.text.replace(f"/attempts/{n}/", "/attempts/N/")  # the page links back to itself
                       for page, n in zip(pages, (world.ids["live_attempt"], 999999)))
    assert theirs == missing


def _integrity_logs_follow_the_commission(app, world):
    """The integrity log is open to a commission member only for a candidate who applied to their competition."""
    url = f"/operator/attempts/{world.ids['scored_attempt']}"
    assert world.visitor(app, "member").ask("GET", url).status_code == 200
    assert world.visitor(app, "member_b").ask("GET", url).status_code == 404
    assert world.visitor(app, "member").ask("GET", f"/operator/attempts/{world.ids['live_attempt']}").status_code == 404
