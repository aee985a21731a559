"""The candidate's exam API (bearer token): sittings, bookings, attempts, per-click saves, submit, results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post, put
from litestar.exceptions import HTTPException, NotFoundException, SerializationException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import JSONBody
from litestar.serialization import decode_json
from msgspec import Meta

from recruit.accounts.models import Role
from recruit.db import utcnow
from recruit.exams import certificates, service
from recruit.i18n import gettext, using
from recruit.web.errors import MAX_ROW_ID, ROLE, BodyId, PathId, documented, refusals
from recruit.web.guards import requires
from recruit.web.identity import BEARER, IDENTIFIES_ITSELF, identify_here
from recruit.web.pages import DB


CANDIDATES_ONLY = requires(Role.CANDIDATE)
# Saves wait their turn on the event loop rather than in threads: SQLite takes one writer at a time, so threads
# beyond what fills a group commit only contend for the GIL (measured: the default 40 threads cost about 1.3x the
# CPU per save, and twice the p99).
SAVERS = anyio.CapacityLimiter(16)


def refusal(exc: service.ExamError) -> HTTPException:
    message = gettext(exc.message, **exc.params) if exc.params else gettext(exc.message)
    if isinstance(exc, service.NotFound):
        return NotFoundException(message)
    extra = {"reason": exc.params["reason"]} if "reason" in exc.params else None
    return HTTPException(status_code=exc.status, detail=message, extra=extra)


@dataclass
class StartRequest:
    sitting_id: BodyId
    language: str


@dataclass
class SaveRequest:
    choice_ids: list[str]
    seq: Annotated[int, Meta(ge=-MAX_ROW_ID, le=MAX_ROW_ID)]  # stored as a 32-bit integer


SAVE_BODY = 'JSON body: {"choice_ids": [option ids], "seq": the client\'s save counter}.'


@dataclass
class SaveAnswer:
    saved: bool
    remaining_seconds: int


# The shapes below document the JSON the handlers build (as dicts, with times in ISO 8601) for the OpenAPI schema.

@dataclass
class SittingOut:
    id: int
    title: str
    program: str
    program_version: int
    opens_at: datetime
    closes_at: datetime
    mode: str
    venue: str | None
    region_code: str | None
    capacity: int
    seats_left: int
    booked: bool
    booking_id: int | None


@dataclass
class BookingOut:
    booking_id: int
    sitting_id: int


@dataclass
class OptionOut:
    id: str
    text: str


@dataclass
class ItemOut:
    slot: int
    section: str
    stem: str
    multiple: bool
    options: list[OptionOut]


@dataclass
class SavedResponse:
    slot: int
    choice_ids: list[str]
    seq: int


@dataclass
class AttemptOut:
    id: int
    sitting_id: int
    program: str
    state: str
    language: str
    deadline_at: datetime
    remaining_seconds: int
    paused: bool
    responses: list[SavedResponse]


@dataclass
class StartedAttempt(AttemptOut):
    items: list[ItemOut]


@dataclass
class ResultOut:
    """`kind` "knowledge" adds correct, count, minimum, passed, sections, reasons and neutralised; "competency"
    adds scales. A terminated attempt has no kind and no score."""

    attempt_id: int
    state: str
    finish_reason: str
    finished_at: datetime | None
    verification_code: str | None
    kind: str | None = None
    passed: bool | None = None


@dataclass
class SaveOperation(Operation):
    """The save reads its body itself (see `save`), so its request body is declared here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True, content={"application/json": OpenAPIMediaType(schema=Schema(
            type=OpenAPIType.OBJECT, required=["choice_ids", "seq"], properties={
                "choice_ids": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING)),
                "seq": Schema(type=OpenAPIType.INTEGER, minimum=-MAX_ROW_ID, maximum=MAX_ROW_ID)}))})


NO_ATTEMPT = {404: "No such attempt of the caller's"}
NOT_READY = {409: "The attempt is still in progress (or, for the certificate, terminated)"}


def save_answer(request: Request, db: Any, attempt_id: int, slot: int, data: SaveRequest) -> SaveAnswer:
    """One save through the service, for both the API and the exam page (which differ only in how they
    authenticate: bearer token or session cookie with the CSRF header)."""
    try:
        ack = service.save(db, request.user, attempt_id, slot, data.choice_ids, data.seq, utcnow(), request.auth)
    except service.ExamError as exc:
        raise refusal(exc) from exc
    return SaveAnswer(ack.saved, ack.remaining_seconds)


def attempt_json(view: service.AttemptView, with_items: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": view.id, "sitting_id": view.sitting_id, "program": view.program, "state": view.state,
        "language": view.language, "deadline_at": view.deadline_at.isoformat(),
        "remaining_seconds": view.remaining_seconds, "paused": view.paused,
        "responses": [{"slot": slot, "choice_ids": list(ids), "seq": view.seqs[slot]}
                      for slot, ids in sorted(view.responses.items())],
    }
    if with_items:
        body["items"] = [{"slot": i.slot, "section": i.section, "stem": i.stem, "multiple": i.multiple,
                          "options": [{"id": oid, "text": text} for oid, text in i.options]} for i in view.items]
    return body


class ExamApiController(Controller):
    """Everything a candidate's client needs to sit a test."""

    tags = ["exams"]
    guards = [CANDIDATES_ONLY]
    security = BEARER

    @get("/api/v1/sittings", sync_to_thread=True, summary="Sittings open to the caller",
         responses=documented(200, list[SittingOut], "Open sittings, with the caller's booking", ROLE))
    def sittings(self, request: Request, db: DB) -> list[dict[str, Any]]:
        return [{
            "id": s.id, "title": s.title, "program": s.program_code, "program_version": s.program_version,
            "opens_at": s.opens_at.isoformat(), "closes_at": s.closes_at.isoformat(), "mode": s.mode,
            "venue": s.venue, "region_code": s.region_code, "capacity": s.capacity,
            "seats_left": max(0, s.capacity - taken), "booked": booking is not None,
            "booking_id": booking.id if booking else None,
        } for s, booking, taken in service.open_sittings(db, request.user, utcnow())]

    @post("/api/v1/sittings/{sitting_id:int}/bookings", sync_to_thread=True, summary="Book a seat",
          responses=documented(201, BookingOut, "Booked (booking again gives the same seat)", {
              **ROLE, 404: "No such sitting",
              409: "The sitting has closed or is full, a retake is too soon, or a required test is not passed"}))
    def book(self, request: Request, db: DB, sitting_id: PathId) -> Response[dict[str, Any]]:
        try:
            booking = service.book(db, request.user, sitting_id, utcnow())
        except service.ExamError as exc:
            raise refusal(exc) from exc
        return Response({"booking_id": booking.id, "sitting_id": booking.sitting_id}, status_code=201)

    @post("/api/v1/attempts", sync_to_thread=True, summary="Start (or resume) an attempt",
          responses={**documented(201, StartedAttempt, "Started", {
              **ROLE, 404: "The caller has no booking on this sitting",
              409: "The sitting is not open now or is paused, or the bank cannot fill the form",
              422: "The test is not given in this language"}),
              200: ResponseSpec(StartedAttempt, generate_examples=False, description="Resumed")})
    def start(self, request: Request, db: DB, data: JSONBody[StartRequest]) -> Response[dict[str, Any]]:
        try:
            view, created = service.start(db, request.user, data.sitting_id, data.language, utcnow(), request.auth)
        except service.ExamError as exc:
            raise refusal(exc) from exc
        return Response(attempt_json(view), status_code=201 if created else 200)

    @get("/api/v1/attempts/{attempt_id:int}", sync_to_thread=True, summary="State, time left, own responses",
         responses=documented(200, AttemptOut, "The attempt without its questions", {**ROLE, **NO_ATTEMPT}))
    def attempt(self, request: Request, db: DB, attempt_id: PathId) -> dict[str, Any]:
        try:
            return attempt_json(service.view(db, request.user, attempt_id, utcnow()), with_items=False)
        except service.ExamError as exc:
            raise refusal(exc) from exc

    @post("/api/v1/attempts/{attempt_id:int}/submit", status_code=200, sync_to_thread=True,
          summary="Submit (idempotent)",
          responses=documented(200, ResultOut, "The result (the same on every submit)", {**ROLE, **NO_ATTEMPT}))
    def submit(self, request: Request, db: DB, attempt_id: PathId) -> dict[str, Any]:
        try:
            return _jsonable(service.submit(db, request.user, attempt_id, utcnow()))
        except service.ExamError as exc:
            raise refusal(exc) from exc

    @get("/api/v1/attempts/{attempt_id:int}/certificate.pdf", sync_to_thread=True, summary="Result certificate (PDF)",
         media_type="application/pdf", responses=refusals({**ROLE, **NO_ATTEMPT, **NOT_READY}))
    def certificate(self, request: Request, db: DB, attempt_id: PathId) -> Response[bytes]:
        return certificate_response(request, db, attempt_id)

    @get("/api/v1/attempts/{attempt_id:int}/result", sync_to_thread=True, summary="Scores and reasons",
         responses=documented(200, ResultOut, "The result", {**ROLE, **NO_ATTEMPT, **NOT_READY}))
    def result(self, request: Request, db: DB, attempt_id: PathId) -> dict[str, Any]:
        try:
            return _jsonable(service.result(db, request.user, attempt_id))
        except service.ExamError as exc:
            raise refusal(exc) from exc


@put("/api/v1/attempts/{attempt_id:int}/responses/{slot:int}", tags=["exams"], opt={IDENTIFIES_ITSELF: True},
     summary="Save one answer (acknowledged only after commit)", description=SAVE_BODY, security=BEARER,
     operation_class=SaveOperation,
     responses=refusals({**ROLE, 404: "No such attempt of the caller's, or no such question",
                         409: "The attempt is closed; extra.reason: session_replaced, paused or deadline",
                         422: "Unknown answer option"}))
async def save(request: Request, db: DB, attempt_id: PathId, slot: PathId) -> SaveAnswer:
    """Exam day's hot path takes one thread hop instead of two: the caller is identified in the save's thread."""
    body = await request.body()
    return await anyio.to_thread.run_sync(_save_identified, request, db, attempt_id, slot, body, limiter=SAVERS)


def _save_identified(request: Request, db: Any, attempt_id: int, slot: int, body: bytes) -> SaveAnswer:
    """Token, then role, then body, as the controller's guards would: 401 and 403 come before the body's 400 (ids
    out of range in the path are refused before, by litestar)."""
    user = identify_here(db, request.scope)
    CANDIDATES_ONLY(request, None)
    try:
        data = decode_json(body, target_type=SaveRequest, strict=False)  # lax as litestar's own bodies: 3.0 is 3
    except SerializationException as exc:
        raise ValidationException(str(exc)) from exc
    with using(user.language):
        return save_answer(request, db, attempt_id, slot, data)


def certificate_response(request: Request, db: Any, attempt_id: int) -> Response[bytes]:
    """The PDF is drawn off the event loop (handlers run in threads) in the candidate's language."""
    try:
        pdf = certificates.certificate_pdf(db, request.user, attempt_id, str(request.base_url).rstrip("/") + "/verify/")
    except service.ExamError as exc:
        raise refusal(exc) from exc
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="merit-result-{attempt_id}.pdf"', "cache-control": "no-store"})


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in result.items()}


route_handlers = [ExamApiController, save]
