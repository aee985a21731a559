"""The commission's JSON API (bearer token): a member's own interview scores, and the blind rule for others'."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody

from recruit.accounts.models import Role
from recruit.competitions import commission, decisions, interviews, service
from recruit.competitions.controllers import refusal
from recruit.db import utcnow
from recruit.errors import FormErrors
from recruit.i18n import gettext
from recruit.web.guards import requires
from recruit.web.pages import DB


@dataclass
class ScoresRequest:
    scores: dict[str, dict[str, Any]]
    justification: str | None = field(default=None)


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

    @post("/api/v1/interviews/{interview_id:int}/scores", sync_to_thread=True,
          summary="Submit one's own scores (or, in a moderation round, revise them with a justification)")
    def submit(self, request: Request, db: DB, interview_id: FromPath[int],
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
         summary="One's own sheet; the other members' only after scoring closes")
    def scores(self, request: Request, db: DB, interview_id: FromPath[int]) -> dict[str, Any]:
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
         summary="One member's sheet (404 while scoring is blind, unless it is one's own)")
    def sheet(self, request: Request, db: DB, interview_id: FromPath[int], seat_id: FromPath[int]) -> dict[str, Any]:
        try:
            return sheet_json(interviews.sheet(db, request.user, interview_id, seat_id))
        except service.CompetitionError as exc:
            raise refusal(exc) from exc


class RankingApiController(Controller):
    tags = ["competitions"]
    guards = [requires(Role.HR_ANALYST, Role.ADMIN, Role.COMMISSION_MEMBER)]

    @get("/api/v1/competitions/{competition_id:int}/ranking", sync_to_thread=True,
         summary="The merit ranking (final after the commission's last session, provisional before)")
    def ranking(self, request: Request, db: DB, competition_id: FromPath[int]) -> dict[str, Any]:
        try:
            if not request.user.has(Role.HR_ANALYST, Role.ADMIN):
                commission.member_of(db, request.user, competition_id)
            return decisions.ranking_json(db, competition_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc


route_handlers = [InterviewApiController, RankingApiController]
