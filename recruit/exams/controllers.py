"""The candidate's exam pages: sittings, the question pages with per-click autosave, review, submit, result.

Pages work without JavaScript (each answer posts and moves on); with it, every click saves at once through
the same rules and unacknowledged saves are kept in the browser and replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Body, FromPath, JSONBody

from question_bank.programs import Program
from recruit.accounts.models import Role
from recruit.bank import service as bank
from recruit.db import utcnow
from recruit.exams import console, service
from recruit.exams.api import SaveAnswer, SaveRequest, certificate_response, refusal, save_answer
from recruit.exams.certificates import verify
from recruit.i18n import active_language, gettext
from recruit.web.guards import requires
from recruit.web.pages import DB, field, fields, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def client_of(request: Request) -> service.Client:
    """Where a request came from, for the integrity log (the address as the server sees it)."""
    return service.Client(request.client.host if request.client else None, request.headers.get("user-agent"))


def _attempt(db, request: Request, attempt_id: int) -> service.AttemptView:
    try:
        return service.resume(db, request.user, attempt_id, utcnow(), request.auth, client_of(request))
    except service.ExamError as exc:
        raise refusal(exc) from exc


@dataclass
class IntegrityReport:
    kind: str
    seconds: int | None = None


def _programs(db) -> dict[tuple[str, int], Program]:
    return {(p.code, p.version): p for p in bank.programs(db)}


class CandidateExamController(Controller):
    include_in_schema = False
    guards = [requires(Role.CANDIDATE)]

    @get("/exams", name="exams", sync_to_thread=True)
    def index(self, request: Request, db: DB) -> Response:
        now = utcnow()
        return page("exams/index.html", sittings=service.open_sittings(db, request.user, now),
                    attempts=service.my_attempts(db, request.user), programs=_programs(db), now=now,
                    error=None)

    @post("/exams/sittings/{sitting_id:int}/book", sync_to_thread=True)
    def book(self, request: Request, db: DB, sitting_id: FromPath[int]) -> Response:
        try:
            service.book(db, request.user, sitting_id, utcnow())
        except service.ExamError as exc:
            return self._index_error(request, db, exc)
        return redirect("/exams", flash="booked")

    @post("/exams/sittings/{sitting_id:int}/start", sync_to_thread=True)
    def start(self, request: Request, db: DB, sitting_id: FromPath[int], data: Form) -> Response:
        language = field(data, "language") or active_language()
        try:
            view, _ = service.start(db, request.user, sitting_id, language, utcnow(), request.auth,
                                    client_of(request))
        except service.ExamError as exc:
            return self._index_error(request, db, exc)
        return redirect(f"/exams/attempts/{view.id}/q/{_first_open_slot(view)}")

    def _index_error(self, request: Request, db, exc: service.ExamError) -> Response:
        now = utcnow()
        return page("exams/index.html", status_code=exc.status, sittings=service.open_sittings(db, request.user, now),
                    attempts=service.my_attempts(db, request.user), programs=_programs(db), now=now,
                    error=gettext(exc.message, **exc.params) if exc.params else gettext(exc.message))

    @get("/exams/attempts/{attempt_id:int}", sync_to_thread=True)
    def attempt(self, request: Request, db: DB, attempt_id: FromPath[int]) -> Response:
        view = _attempt(db, request, attempt_id)
        if view.state != "in_progress":
            return redirect(f"/exams/attempts/{attempt_id}/result")
        return redirect(f"/exams/attempts/{attempt_id}/q/{_first_open_slot(view)}")

    @get("/exams/attempts/{attempt_id:int}/q/{slot:int}", sync_to_thread=True)
    def question(self, request: Request, db: DB, attempt_id: FromPath[int], slot: FromPath[int]) -> Response:
        view = _attempt(db, request, attempt_id)
        if view.state != "in_progress":
            return redirect(f"/exams/attempts/{attempt_id}/result")
        if not 1 <= slot <= len(view.items):
            raise NotFoundException()
        return page("exams/question.html", view=view, item=view.items[slot - 1], slot=slot,
                    max_seq=max(view.seqs.values(), default=0))

    @post("/exams/attempts/{attempt_id:int}/q/{slot:int}", sync_to_thread=True)
    def answer(self, request: Request, db: DB, attempt_id: FromPath[int], slot: FromPath[int], data: Form) -> Response:
        """Without JavaScript: save the answer, then show the next question."""
        view = _attempt(db, request, attempt_id)
        try:
            service.save(db, request.user, attempt_id, slot, [c for c in fields(data, "choice") if c],
                         view.seqs.get(slot, 0) + 1, utcnow(), request.auth)
        except service.ExamError as exc:
            if exc.status == 409:
                return redirect(f"/exams/attempts/{attempt_id}")
            raise refusal(exc) from exc
        following = slot + 1 if slot < len(view.items) else None
        return redirect(f"/exams/attempts/{attempt_id}/q/{following}" if following
                        else f"/exams/attempts/{attempt_id}/review")

    @put("/exams/attempts/{attempt_id:int}/responses/{slot:int}", sync_to_thread=True)
    def save(self, request: Request, db: DB, attempt_id: FromPath[int], slot: FromPath[int],
             data: JSONBody[SaveRequest]) -> Response[SaveAnswer | dict[str, Any]]:
        """The page's autosave: the same rules as the API, authenticated by the session and CSRF header. Refusals
        are JSON here too, not an error page: the page acts on their reason (taken over, paused, time up)."""
        try:
            return Response(save_answer(request, db, attempt_id, slot, data))
        except HTTPException as exc:
            return Response({"status_code": exc.status_code, "detail": exc.detail, "extra": exc.extra},
                            status_code=exc.status_code)

    @get("/exams/attempts/{attempt_id:int}/state", sync_to_thread=True)
    def state(self, request: Request, db: DB, attempt_id: FromPath[int]) -> dict[str, Any]:
        """The page's heartbeat: the server's clock and pause state; it also tells the operator we are here."""
        try:
            status = service.heartbeat(db, request.user, attempt_id, utcnow(), client_of(request), request.auth)
        except service.ExamError as exc:
            raise refusal(exc) from exc
        return {"state": status.state, "remaining_seconds": status.remaining_seconds, "paused": status.paused,
                "replaced": status.replaced}

    @post("/exams/attempts/{attempt_id:int}/events", sync_to_thread=True, status_code=200)
    def report(self, request: Request, db: DB, attempt_id: FromPath[int],
               data: JSONBody[IntegrityReport]) -> dict[str, bool]:
        """What the page noticed (focus or visibility lost, connection back) for the integrity log."""
        try:
            logged = service.report(db, request.user, attempt_id, data.kind, utcnow(), data.seconds)
        except service.ExamError as exc:
            raise refusal(exc) from exc
        return {"logged": logged}

    @get("/exams/attempts/{attempt_id:int}/review", sync_to_thread=True)
    def review(self, request: Request, db: DB, attempt_id: FromPath[int]) -> Response:
        view = _attempt(db, request, attempt_id)
        if view.state != "in_progress":
            return redirect(f"/exams/attempts/{attempt_id}/result")
        return page("exams/review.html", view=view, max_seq=max(view.seqs.values(), default=0))

    @post("/exams/attempts/{attempt_id:int}/submit", sync_to_thread=True)
    def submit(self, request: Request, db: DB, attempt_id: FromPath[int]) -> Response:
        try:
            service.submit(db, request.user, attempt_id, utcnow())
        except service.ExamError as exc:
            raise refusal(exc) from exc
        return redirect(f"/exams/attempts/{attempt_id}/result")

    @get("/exams/attempts/{attempt_id:int}/certificate.pdf", sync_to_thread=True)
    def certificate(self, request: Request, db: DB, attempt_id: FromPath[int]) -> Response:
        return certificate_response(request, db, attempt_id)

    @get("/exams/attempts/{attempt_id:int}/result", sync_to_thread=True)
    def result(self, request: Request, db: DB, attempt_id: FromPath[int]) -> Response:
        try:
            outcome = service.result(db, request.user, attempt_id)
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.ExamError:
            return redirect(f"/exams/attempts/{attempt_id}")
        return page("exams/result.html", result=outcome)


def _first_open_slot(view: service.AttemptView) -> int:
    return next((item.slot for item in view.items if item.slot not in view.responses), 1)


class VerificationController(Controller):
    """Anyone holding a certificate's code can check it; the page shows only initials."""

    include_in_schema = False

    @get("/verify/{code:str}", name="verify", sync_to_thread=True)
    def verify(self, db: DB, code: FromPath[str]) -> Response:
        found = verify(db, code)
        return page("exams/verify.html", status_code=200 if found else 404, found=found, code=code)


route_handlers = [CandidateExamController, VerificationController, *console.route_handlers]
