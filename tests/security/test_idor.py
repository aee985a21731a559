"""Insecure direct object references: every route whose path names an object, asked by a same-role outsider.

The object-bearing routes are found in the app's route table (a path parameter that names a stored object); each
is listed either as OWNED (one person's or one panel's: an outsider gets 404, exactly as for a missing id, and
nothing changes) or as SHARED (open to the whole role by design, with the reason). A new one fails until listed.
"""

from dataclasses import dataclass, field

from tests.security.conftest import snapshot
from tests.security.routes import fill, object_bearing, parameters, routes


@dataclass(frozen=True)
class Case:
    owner: str
    outsiders: tuple[str, ...]
    ids: dict[str, str] = field(default_factory=dict)   # path parameter -> key in World.ids
    fixed: dict[str, object] = field(default_factory=dict)  # parameters that name no object
    body: dict[str, object] | None = None  # what an unsafe request carries (form fields, or JSON for the API)


LIVE = {"attempt_id": "live_attempt"}
SCORED = {"attempt_id": "scored_attempt"}
SLOT = {"slot": 1}
SITTING = {"sitting_id": "sitting"}
CANDIDATE = ("candidate", ("candidate_b",))
APPLICANT = ("applicant", ("candidate_b",))
OPERATOR = ("operator", ("operator_b",))
PANEL = ("chair", ("member_b",))
SCORES = {"scores": {"integrity": {"level": 1, "evidence": "x"}}}

OWNED = {
    "/exams/attempts/{attempt_id:int}": Case(*CANDIDATE, LIVE),
    "/exams/attempts/{attempt_id:int}/q/{slot:int}": Case(*CANDIDATE, LIVE, SLOT, {"choice": "x"}),
    "/exams/attempts/{attempt_id:int}/responses/{slot:int}": Case(*CANDIDATE, LIVE, SLOT, {"choice_ids": [], "seq": 9}),
    "/exams/attempts/{attempt_id:int}/state": Case(*CANDIDATE, LIVE),
    "/exams/attempts/{attempt_id:int}/events": Case(*CANDIDATE, LIVE, body={"kind": "hidden"}),
    "/exams/attempts/{attempt_id:int}/review": Case(*CANDIDATE, LIVE),
    "/exams/attempts/{attempt_id:int}/submit": Case(*CANDIDATE, LIVE),
    "/exams/attempts/{attempt_id:int}/result": Case(*APPLICANT, SCORED),
    "/exams/attempts/{attempt_id:int}/certificate.pdf": Case(*APPLICANT, SCORED),
    "/exams/sittings/{sitting_id:int}/start": Case(*CANDIDATE, SITTING, body={"language": "en"}),
    "/api/v1/attempts/{attempt_id:int}": Case(*CANDIDATE, LIVE),
    "/api/v1/attempts/{attempt_id:int}/responses/{slot:int}": Case(*CANDIDATE, LIVE, SLOT, {"choice_ids": [], "seq": 9}),
    "/api/v1/attempts/{attempt_id:int}/submit": Case(*CANDIDATE, LIVE),
    "/api/v1/attempts/{attempt_id:int}/result": Case(*APPLICANT, SCORED),
    "/api/v1/attempts/{attempt_id:int}/certificate.pdf": Case(*APPLICANT, SCORED),
    "/operator/sittings/{sitting_id:int}": Case(*OPERATOR, SITTING),
    "/operator/sittings/{sitting_id:int}/admit": Case(*OPERATOR, SITTING, body={"candidate": "outsider@example.kz"}),
    "/operator/sittings/{sitting_id:int}/pause": Case(*OPERATOR, SITTING, body={"reason": "Fire alarm"}),
    "/operator/sittings/{sitting_id:int}/resume": Case(*OPERATOR, SITTING),
    "/operator/sittings/{sitting_id:int}/bookings/{booking_id:int}": Case(
        *OPERATOR, {**SITTING, "booking_id": "booking"}, body={"extra_minutes": "15", "reason": "Medical"}),
    "/operator/attempts/{attempt_id:int}/{action:str}": Case(*OPERATOR, LIVE, {"action": "terminate"},
                                                             {"reason": "Used a phone"}),
    # The integrity log: the sitting's operator, and the members of a commission the candidate applied to.
    "/operator/attempts/{attempt_id:int}": Case("operator", ("operator_b", "member_b"), LIVE),
    "/commission/competitions/{competition_id:int}": Case(*PANEL, {"competition_id": "competition"}),
    "/commission/competitions/{competition_id:int}/applications/{application_id:int}/declaration": Case(
        *PANEL, {"competition_id": "competition", "application_id": "application"}, body={"conflicted": "no"}),
    "/commission/competitions/{competition_id:int}/final-session": Case(*PANEL, {"competition_id": "competition"},
                                                                        body={"place": "Astana"}),
    "/commission/competitions/{competition_id:int}/protocol.pdf": Case(*PANEL, {"competition_id": "competition"}),
    "/commission/interviews/{interview_id:int}": Case(*PANEL, {"interview_id": "interview"}),
    "/commission/interviews/{interview_id:int}/scores": Case(*PANEL, {"interview_id": "interview"},
                                                             body={"level_integrity": "1"}),
    "/commission/interviews/{interview_id:int}/revision": Case(*PANEL, {"interview_id": "interview"},
                                                               body={"level_integrity": "1", "justification": "x"}),
    "/commission/interviews/{interview_id:int}/{action:str}": Case(*PANEL, {"interview_id": "interview"},
                                                                   {"action": "close"}),
    "/commission/interviews/{interview_id:int}/sheets/{seat_id:int}": Case(
        *PANEL, {"interview_id": "interview", "seat_id": "seat"}),
    "/api/v1/interviews/{interview_id:int}/scores": Case(*PANEL, {"interview_id": "interview"}, body=SCORES),
    "/api/v1/interviews/{interview_id:int}/sheets/{seat_id:int}": Case(
        *PANEL, {"interview_id": "interview", "seat_id": "seat"}),
    "/api/v1/competitions/{competition_id:int}/ranking": Case(*PANEL, {"competition_id": "competition"}),
    # Item challenges are decided by authors; a reviewer of the other kind (HR: stage reviews) finds none.
    "/appeals/{appeal_id:int}/decision": Case("author", ("hr",), {"appeal_id": "appeal"},
                                              body={"uphold": "yes", "reason": "Upheld"}),
}
SHARED = {
    "/exams/sittings/{sitting_id:int}/book": "sittings are offered to every candidate; booking one is the point",
    "/api/v1/sittings/{sitting_id:int}/bookings": "the same booking, through the API",
    "/competitions/{competition_id:int}": "a competition's announcement is public to candidates",
    "/competitions/{competition_id:int}/apply": "any candidate may apply to an announced competition",
    "/hr/competitions/{competition_id:int}": "HR analysts run competitions together",
    "/hr/competitions/{competition_id:int}/applications/{application_id:int}/eligibility": "as above",
    "/hr/competitions/{competition_id:int}/close-testing": "as above",
    "/hr/competitions/{competition_id:int}/commission": "as above",
    "/hr/competitions/{competition_id:int}/protocol.pdf": "as above",
    "/admin/users/{user_id:int}": "administrators administer every account",
    "/admin/reference/{kind:str}/{code:str}": "reference data is one table for all administrators",
    "/bank/items/{item_id:str}": "the question bank is shared by all authors",
    "/bank/items/{item_id:str}/edit": "as above",
    "/bank/items/{item_id:str}/status": "as above",
    "/bank/programs/{code:str}": "as above",
    "/verify/{code:str}": "public by design: the code printed on the certificate is the permission; initials only",
}
# Objects named in the body rather than the path.
IN_THE_BODY = [
    ("candidate_b", "/appeals/items", lambda ids: {"attempt": ids["scored_attempt"], "slot": "1", "grounds": "x"}),
    ("candidate_b", "/appeals/reviews", lambda ids: {"decision": f"{ids['application']}:legislation", "grounds": "x"}),
    ("candidate_b", "/api/v1/attempts", lambda ids: {"sitting_id": ids["sitting"], "language": "en"}),
]


def _url(path: str, case: Case, ids: dict[str, int]) -> str:
    return fill(path, {**{name: ids[key] for name, key in case.ids.items()}, **case.fixed})


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
            response = world.visitor(app, case.owner).ask("GET", _url(path, case, ids))
            assert response.status_code in (200, 303), (path, response.status_code)
            assert not response.headers.get("location", "").startswith("/login"), path
    outsiders = {who: world.visitor(app, who) for case in OWNED.values() for who in case.outsiders}
    before = snapshot(db)
    for path, method in table:
        case = OWNED[path]
        for outsider in case.outsiders:
            response = _send(outsiders[outsider], method, _url(path, case, ids), case.body)
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
