"""The one classification of the app's route table: who may use each route, and whose object a path names.
Every security test enumerates the routes from the app itself and looks them up here, so a route that is not
listed fails them all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from litestar import Litestar

from recruit.accounts.models import Role

ANYONE = "anyone"          # no sign-in needed
SIGNED_IN = "signed in"    # any role

_PUBLIC = {
    "/", "/login", "/register", "/logout", "/language", "/health", "/verify/{code:str}", "/open-data",
    "/open-data/pass-rates/{fmt:str}", "/api/v1/tokens", "/api/v1/regions", "/api/v1/position-categories",
    "/api/v1/state-bodies", "/static/{file_path:path}",
    # The API's own description (OpenAPI); the API it describes is guarded route by route.
    "/schema", "/schema/openapi.json", "/schema/openapi.yaml", "/schema/openapi.yml", "/schema/redoc",
    "/schema/rapidoc", "/schema/swagger", "/schema/elements", "/schema/oauth2-redirect.html", "/schema/{path:str}",
}
_SIGNED_IN = {"/account", "/account/password", "/api/v1/me", "/api/v1/tokens/current", "/inbox", "/inbox/read"}
_ADMIN = {"/admin/users", "/admin/users/new", "/admin/users/{user_id:int}", "/admin/reference",
          "/admin/reference/{kind:str}/new", "/admin/reference/{kind:str}/{code:str}", "/admin/audit"}
_AUTHORS = {"/bank", "/bank/items", "/bank/items/new", "/bank/items/preview", "/bank/items/{item_id:str}",
            "/bank/items/{item_id:str}/edit", "/bank/items/{item_id:str}/status", "/bank/import", "/bank/programs",
            "/bank/programs/{code:str}", "/bank/statistics"}
_CANDIDATES = {
    "/exams", "/exams/sittings/{sitting_id:int}/book", "/exams/sittings/{sitting_id:int}/start",
    "/exams/attempts/{attempt_id:int}", "/exams/attempts/{attempt_id:int}/q/{slot:int}",
    "/exams/attempts/{attempt_id:int}/responses/{slot:int}", "/exams/attempts/{attempt_id:int}/state",
    "/exams/attempts/{attempt_id:int}/events", "/exams/attempts/{attempt_id:int}/review",
    "/exams/attempts/{attempt_id:int}/submit", "/exams/attempts/{attempt_id:int}/result",
    "/exams/attempts/{attempt_id:int}/certificate.pdf",
    "/api/v1/sittings", "/api/v1/sittings/{sitting_id:int}/bookings", "/api/v1/attempts",
    "/api/v1/attempts/{attempt_id:int}", "/api/v1/attempts/{attempt_id:int}/responses/{slot:int}",
    "/api/v1/attempts/{attempt_id:int}/submit", "/api/v1/attempts/{attempt_id:int}/result",
    "/api/v1/attempts/{attempt_id:int}/certificate.pdf",
    "/competitions", "/competitions/{competition_id:int}", "/competitions/{competition_id:int}/apply",
    "/appeals", "/appeals/items", "/appeals/reviews",
}
_OPERATORS = {"/operator", "/operator/sittings/new", "/operator/sittings/{sitting_id:int}",
              "/operator/sittings/{sitting_id:int}/admit", "/operator/sittings/{sitting_id:int}/pause",
              "/operator/sittings/{sitting_id:int}/resume", "/operator/sittings/{sitting_id:int}/bookings/{booking_id:int}",
              "/operator/attempts/{attempt_id:int}/{action:str}"}
_INTEGRITY_READERS = {"/operator/attempts/{attempt_id:int}"}
_MANAGERS = {"/hr/competitions", "/hr/competitions/new", "/hr/competitions/{competition_id:int}",
             "/hr/competitions/{competition_id:int}/applications/{application_id:int}/eligibility",
             "/hr/competitions/{competition_id:int}/close-testing", "/hr/competitions/{competition_id:int}/commission",
             "/hr/competitions/{competition_id:int}/protocol.pdf",
             "/hr/statistics", "/hr/statistics/pass-rates/{fmt:str}", "/api/v1/reports/pass-rates"}
_COMMISSION = {"/commission", "/commission/competitions/{competition_id:int}",
               "/commission/competitions/{competition_id:int}/applications/{application_id:int}/declaration",
               "/commission/competitions/{competition_id:int}/final-session",
               "/commission/competitions/{competition_id:int}/protocol.pdf", "/commission/interviews/{interview_id:int}",
               "/commission/interviews/{interview_id:int}/scores", "/commission/interviews/{interview_id:int}/revision",
               "/commission/interviews/{interview_id:int}/{action:str}",
               "/commission/interviews/{interview_id:int}/sheets/{seat_id:int}",
               "/api/v1/interviews/{interview_id:int}/scores", "/api/v1/interviews/{interview_id:int}/sheets/{seat_id:int}"}
_RANKING_READERS = {"/api/v1/competitions/{competition_id:int}/ranking"}
_REVIEWERS = {"/appeals/pending", "/appeals/{appeal_id:int}/decision"}

_GROUPS: list[tuple[set[str], frozenset[str]]] = [
    (_PUBLIC, frozenset({ANYONE})),
    (_SIGNED_IN, frozenset({SIGNED_IN})),
    (_ADMIN, frozenset({Role.ADMIN})),
    (_AUTHORS, frozenset({Role.AUTHOR, Role.ADMIN})),
    (_CANDIDATES, frozenset({Role.CANDIDATE})),
    (_OPERATORS, frozenset({Role.OPERATOR, Role.ADMIN})),
    (_INTEGRITY_READERS, frozenset({Role.OPERATOR, Role.ADMIN, Role.COMMISSION_MEMBER})),
    (_MANAGERS, frozenset({Role.HR_ANALYST, Role.ADMIN})),
    (_COMMISSION, frozenset({Role.COMMISSION_MEMBER})),
    (_RANKING_READERS, frozenset({Role.HR_ANALYST, Role.ADMIN, Role.COMMISSION_MEMBER})),
    (_REVIEWERS, frozenset({Role.AUTHOR, Role.HR_ANALYST, Role.ADMIN})),
]
ALLOWED: dict[str, frozenset[str]] = {path: who for paths, who in _GROUPS for path in paths}
assert sum(len(paths) for paths, _ in _GROUPS) == len(ALLOWED), "a path is listed in two groups"

API_PREFIX = "/api/"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PARAMETER = re.compile(r"\{(\w+):\w+\}")
# Path parameters that name no stored object (a position, a format, a verb, a table, a file).
NOT_OBJECTS = {"slot", "fmt", "action", "kind", "file_path", "path"}
# These end the caller's session or token, so a sweep over the table takes them last.
ENDINGS = {("/logout", "POST"), ("/api/v1/tokens/current", "DELETE")}


def routes(app: Litestar) -> Iterator[tuple[str, str]]:
    """Every (path template, method) the app answers, OPTIONS and HEAD included; sessions end last."""
    pairs = sorted((route.path, method) for route in app.routes for method in route.methods)
    yield from (pair for pair in pairs if pair not in ENDINGS)
    yield from (pair for pair in pairs if pair in ENDINGS)


def may_use(path: str, role: str | None) -> bool:
    who = ALLOWED[path]
    return ANYONE in who or (role is not None and (SIGNED_IN in who or role in who))


def parameters(path: str) -> list[str]:
    return PARAMETER.findall(path)


def object_bearing(path: str) -> bool:
    return any(name not in NOT_OBJECTS for name in parameters(path))


def fill(path: str, values: dict[str, object]) -> str:
    """The template with each {name:type} replaced; a parameter without a value is a KeyError (list it)."""
    return PARAMETER.sub(lambda match: str(values[match.group(1)]), path)


# Ids that name nothing stored: an allowed caller gets past the guard to the handler's 404 (or 400), no further.
NOTHING: dict[str, object] = {"user_id": 999999, "kind": "regions", "code": "no-such-code", "item_id": "no-such-item",
           "sitting_id": 999999, "attempt_id": 999999, "slot": 1, "booking_id": 999999, "action": "pause",
           "competition_id": 999999, "application_id": 999999, "interview_id": 999999, "seat_id": 999999,
           "appeal_id": 999999, "fmt": "csv", "file_path": "merit.css", "path": "no-such-page"}


# Object-bearing routes (see object_bearing): each one person's or one panel's (OWNED: a same-role outsider gets
# 404, as for a missing id), or open to the whole role by design (SHARED, with the reason).

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


def owned_url(path: str, case: Case, ids: dict[str, int]) -> str:
    return fill(path, {**{name: ids[key] for name, key in case.ids.items()}, **case.fixed})
