"""Appeal pages: candidates file and follow their appeals; reviewers decide them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from recruit.accounts.models import Role
from recruit.appeals import service
from recruit.competitions import service as competitions
from recruit.db import utcnow
from recruit.errors import FormErrors
from recruit.exams import service as exams
from recruit.exams.api import refusal
from recruit.i18n import gettext
from recruit.web.guards import requires
from recruit.web.pages import DB, field, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _whole(raw: str) -> int:
    return int(raw) if raw.strip().isdigit() else 0


def _acted(action: Callable[[], Any], again: Callable[[str, int], Response], done: str) -> Response:
    """Run `action`, then back to `done`; a refused form or rule shows the page `again` with the reason, and a
    missing object is a 404."""
    try:
        action()
    except FormErrors as exc:
        return again(gettext(next(iter(exc.errors.values()))), 422)
    except exams.ExamError as exc:
        if exc.status == 404:
            raise refusal(exc) from exc
        return again(gettext(exc.message, **exc.params), exc.status)
    return redirect(done, flash="saved")


class CandidateAppealController(Controller):
    include_in_schema = False
    guards = [requires(Role.CANDIDATE)]

    @get("/appeals", sync_to_thread=True)
    def index(self, request: Request, db: DB) -> Response:
        return self._page(request, db, None)

    def _page(self, request: Request, db, error: str | None, status_code: int = 200) -> Response:
        return page("appeals/index.html", status_code=status_code, appeals=service.mine(db, request.user),
                    attempts=[a for a in exams.my_attempts(db, request.user) if a.state == "scored" and a.passed is not None],
                    applications=competitions.my_applications(db, request.user), error=error)

    @post("/appeals/items", sync_to_thread=True)
    def challenge(self, request: Request, db: DB, data: Form) -> Response:
        return _acted(lambda: service.challenge_item(
            db, request.user, _whole(field(data, "attempt")), _whole(field(data, "slot")), field(data, "grounds"),
            utcnow()), lambda error, status: self._page(request, db, error, status), "/appeals")

    @post("/appeals/reviews", sync_to_thread=True)
    def review(self, request: Request, db: DB, data: Form) -> Response:
        application, _, stage = field(data, "decision").partition(":")
        return _acted(lambda: service.request_review(
            db, request.user, _whole(application), stage, field(data, "grounds"), utcnow()),
            lambda error, status: self._page(request, db, error, status), "/appeals")


class ReviewerAppealController(Controller):
    include_in_schema = False
    guards = [requires(Role.AUTHOR, Role.HR_ANALYST, Role.ADMIN)]

    @get("/appeals/pending", sync_to_thread=True)
    def pending(self, request: Request, db: DB) -> Response:
        return self._page(request, db, None)

    def _page(self, request: Request, db, error: str | None, status_code: int = 200) -> Response:
        return page("appeals/pending.html", status_code=status_code, appeals=service.pending(db, request.user),
                    error=error)

    @post("/appeals/{appeal_id:int}/decision", sync_to_thread=True)
    def decide(self, request: Request, db: DB, appeal_id: FromPath[int], data: Form) -> Response:
        return _acted(lambda: service.decide(db, request.user, appeal_id, field(data, "uphold") == "yes",
                                             field(data, "reason"), utcnow()),
                      lambda error, status: self._page(request, db, error, status), "/appeals/pending")


route_handlers = [CandidateAppealController, ReviewerAppealController]
