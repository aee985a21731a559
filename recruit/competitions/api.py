"""The commission's JSON API (bearer token): a member's own interview scores, and the blind rule for others'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody

from recruit.accounts.models import Role
from recruit.competitions import commission, decisions, interviews, service
from recruit.competitions.controllers import refusal
from recruit.db import utcnow
from recruit.errors import FormErrors
from recruit.i18n import gettext
from recruit.web.errors import ROLE, PathId, documented
from recruit.web.guards import requires
from recruit.web.identity import BEARER
from recruit.web.pages import DB


@dataclass
class ScoresRequest:
    scores: dict[str, dict[str, Any]]
    justification: str | None = field(default=None)


# The shapes below document the JSON the handlers build (as dicts, with times in ISO 8601) for the OpenAPI schema.

@dataclass
class SheetOut:
    interview_id: int
    seat_id: int
    scores: dict[str, dict[str, Any]]
    submitted_at: datetime
    revised_at: datetime | None
    justification: str | None


@dataclass
class OthersSheet:
    member: str
    scores: dict[str, dict[str, Any]]
    justification: str | None


@dataclass
class InterviewScores:
    """`others` is null while scoring is blind; `result` and `valid` are null until the interview is final."""

    interview_id: int
    state: str
    mine: SheetOut | None
    others: list[OthersSheet] | None
    result: dict[str, Any] | None
    valid: bool | None


@dataclass
class RankingLine:
    rank: int | None
    candidate_id: int
    application_id: int
    composite: float | None
    standing: str
    decision: str | None
    tie_break: list[Any]


@dataclass
class Ranking:
    competition_id: int
    final: bool
    state: str
    lottery_seed: str | None
    entries: list[RankingLine]


NO_INTERVIEW = {404: "No such interview on a commission the caller sits on"}


def sheet_json(sheet) -> dict[str, Any]:
    return {"interview_id": sheet.interview_id, "seat_id": sheet.seat_id, "scores": sheet.scores,
            "submitted_at": sheet.submitted_at.isoformat(),
            "revised_at": sheet.revised_at.isoformat() if sheet.revised_at else None,
            "justification": sheet.justification}


def _invalid(exc: FormErrors) -> HTTPException:
    return HTTPException(status_code=422, detail=gettext("Please correct the following"),
                         extra={name: gettext(message) for name, message in exc.errors.items()})


class InterviewApiController(Controller):
    tags = ["commission"]
    guards = [requires(Role.COMMISSION_MEMBER)]
    security = BEARER

    @post("/api/v1/interviews/{interview_id:int}/scores", sync_to_thread=True,
          summary="Submit one's own scores (or, in a moderation round, revise them with a justification)",
          responses={**documented(201, SheetOut, "Submitted", {
              **ROLE, **NO_INTERVIEW,
              409: "The caller may not score (secretary, conflict, no declaration yet), scoring is closed, the sheet "
                   "is locked, or there is no moderation round to revise in",
              422: "Scores missing or out of range, or a revision without a justification; extra names each"}),
              200: ResponseSpec(SheetOut, generate_examples=False, description="Revised in a moderation round")})
    def submit(self, request: Request, db: DB, interview_id: PathId,
               data: JSONBody[ScoresRequest]) -> Response[dict[str, Any]]:
        try:
            if data.justification is not None:
                sheet = interviews.revise(db, request.user, interview_id, data.scores, data.justification, utcnow())
            else:
                sheet = interviews.submit(db, request.user, interview_id, data.scores, utcnow())
        except FormErrors as exc:
            raise _invalid(exc) from exc
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return Response(sheet_json(sheet), status_code=200 if data.justification is not None else 201)

    @get("/api/v1/interviews/{interview_id:int}/scores", sync_to_thread=True,
         summary="One's own sheet; the other members' only after scoring closes",
         responses=documented(200, InterviewScores, "The interview's state and sheets", {**ROLE, **NO_INTERVIEW}))
    def scores(self, request: Request, db: DB, interview_id: PathId) -> dict[str, Any]:
        try:
            shown = interviews.view(db, request.user, interview_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return {"interview_id": interview_id, "state": shown.interview.state,
                "mine": sheet_json(shown.mine) if shown.mine else None,
                "others": None if shown.others is None else [
                    {"member": o.member, "scores": o.scores, "justification": o.justification} for o in shown.others],
                "result": shown.interview.result, "valid": shown.interview.valid}

    @get("/api/v1/interviews/{interview_id:int}/sheets/{seat_id:int}", sync_to_thread=True,
         summary="One member's sheet (404 while scoring is blind, unless it is one's own)",
         responses=documented(200, SheetOut, "The sheet", {
             **ROLE, 404: "No such interview or sheet, or another member's while scoring is blind"}))
    def sheet(self, request: Request, db: DB, interview_id: PathId, seat_id: PathId) -> dict[str, Any]:
        try:
            return sheet_json(interviews.sheet(db, request.user, interview_id, seat_id))
        except service.CompetitionError as exc:
            raise refusal(exc) from exc


class RankingApiController(Controller):
    tags = ["competitions"]
    guards = [requires(Role.HR_ANALYST, Role.ADMIN, Role.COMMISSION_MEMBER)]
    security = BEARER

    @get("/api/v1/competitions/{competition_id:int}/ranking", sync_to_thread=True,
         summary="The merit ranking (final after the commission's last session, provisional before)",
         responses=documented(200, Ranking, "Entries in rank order (decision null while provisional)", {
             **ROLE, 404: "No such competition (for a member: none whose commission they sit on)"}))
    def ranking(self, request: Request, db: DB, competition_id: PathId) -> dict[str, Any]:
        try:
            if not request.user.has(Role.HR_ANALYST, Role.ADMIN):
                commission.member_of(db, request.user, competition_id)
            return decisions.ranking_json(db, competition_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc


route_handlers = [InterviewApiController, RankingApiController]
