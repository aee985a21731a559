"""The operator console: sittings, the live board (refreshed by htmx), admission, accommodations, pauses,
extra time, termination, and each attempt's integrity log (also open to commission members)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from recruit.accounts.models import Role
from recruit.bank import service as bank
from recruit.db import utcnow
from recruit.exams import operations, service
from recruit.exams.api import refusal
from recruit.i18n import N_, TIMEZONE, active_language, gettext
from recruit.reference.service import choices
from recruit.web.guards import requires
from recruit.web.pages import DB, field, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
LOCAL = ZoneInfo(TIMEZONE)


def _message(exc: service.ExamError) -> str:
    return gettext(exc.message, **exc.params) if exc.params else gettext(exc.message)


def _number(raw: str, default: int = 0) -> int | None:
    raw = raw.strip()
    return default if not raw else int(raw) if raw.isdigit() else None


def _local_time(raw: str) -> datetime | None:
    """A datetime-local field is read in the service's time zone (Astana time)."""
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=LOCAL).astimezone(ZoneInfo("UTC"))
    except ValueError:
        return None


class OperatorConsoleController(Controller):
    path = "/operator"
    include_in_schema = False
    guards = [requires(Role.OPERATOR, Role.ADMIN)]

    @get("", name="operator", sync_to_thread=True)
    def index(self, request: Request, db: DB) -> Response:
        return page("operator/index.html", sittings=operations.operated_sittings(db, request.user), now=utcnow())

    @get("/sittings/new", sync_to_thread=True)
    def new_sitting(self, request: Request, db: DB) -> Response:
        return self._sitting_form(request, db, {}, {})

    @post("/sittings/new", sync_to_thread=True)
    def create_sitting(self, request: Request, db: DB, data: Form) -> Response:
        values = {name: field(data, name) for name in (
            "title", "program", "opens_at", "closes_at", "mode", "venue", "region", "capacity", "operator")}
        opens_at, closes_at = _local_time(values["opens_at"]), _local_time(values["closes_at"])
        capacity = _number(values["capacity"], 100)
        operator_id = _number(values["operator"]) if request.user.has(Role.ADMIN) else request.user.id
        errors = {name: message for name, message, bad in (
            ("title", N_("Enter a title."), not values["title"]),
            ("opens_at", N_("Enter a date and time."), opens_at is None),
            ("closes_at", N_("Enter a date and time."), closes_at is None),
            ("capacity", N_("Enter a whole number."), capacity is None)) if bad}
        if not errors:
            try:
                sitting = service.create_sitting(
                    db, request.user.actor, title=values["title"], program_code=values["program"], opens_at=opens_at,
                    closes_at=closes_at, mode=values["mode"], venue=values["venue"] or None,
                    region_code=values["region"] or None, capacity=capacity, operator_id=operator_id or None)
                return redirect(f"/operator/sittings/{sitting.id}", flash="saved")
            except (service.ExamError, LookupError) as exc:
                errors["title"] = _message(exc) if isinstance(exc, service.ExamError) else N_("No such program.")
        return self._sitting_form(request, db, values, errors, status_code=422)

    def _sitting_form(self, request: Request, db, values: dict, errors: dict, status_code: int = 200) -> Response:
        language = active_language()
        return page("operator/sitting_new.html", status_code=status_code, values=values, errors=errors,
                    programs=[(p.code, p.title.get(language, p.title["en"])) for p in bank.programs(db)],
                    regions=choices(db, "regions", language, on=utcnow().date()),
                    operators=[(str(i), name) for i, name in operations.operators(db)]
                    if request.user.has(Role.ADMIN) else None)

    @get("/sittings/{sitting_id:int}", sync_to_thread=True)
    def sitting(self, request: Request, db: DB, sitting_id: FromPath[int]) -> Response:
        """The live board; htmx asks for the table alone every few seconds."""
        return self._board(request, db, sitting_id)

    def _board(self, request: Request, db, sitting_id: int, error: str | None = None,
               status_code: int = 200) -> Response:
        try:
            shown = operations.board(db, request.user, sitting_id, utcnow())
        except service.ExamError as exc:
            raise refusal(exc) from exc
        partial = request.headers.get("hx-request") == "true" and error is None
        return page("operator/_board.html" if partial else "operator/sitting.html", status_code=status_code,
                    board=shown, error=error)

    def _act(self, request: Request, db, sitting_id: int, action) -> Response:
        """Run an operator action; a refusal re-shows the board with the reason, a success redirects to it."""
        try:
            action()
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.ExamError as exc:
            return self._board(request, db, sitting_id, error=_message(exc), status_code=exc.status)
        return redirect(f"/operator/sittings/{sitting_id}", flash="saved")

    @post("/sittings/{sitting_id:int}/admit", sync_to_thread=True)
    def admit(self, request: Request, db: DB, sitting_id: FromPath[int], data: Form) -> Response:
        return self._act(request, db, sitting_id, lambda: operations.admit(
            db, request.user, sitting_id, field(data, "candidate"), utcnow()))

    @post("/sittings/{sitting_id:int}/pause", sync_to_thread=True)
    def pause_sitting(self, request: Request, db: DB, sitting_id: FromPath[int], data: Form) -> Response:
        return self._act(request, db, sitting_id, lambda: operations.pause_sitting(
            db, request.user, sitting_id, field(data, "reason"), utcnow()))

    @post("/sittings/{sitting_id:int}/resume", sync_to_thread=True)
    def resume_sitting(self, request: Request, db: DB, sitting_id: FromPath[int]) -> Response:
        return self._act(request, db, sitting_id, lambda: operations.resume_sitting(db, request.user, sitting_id,
                                                                                     utcnow()))

    @get("/sittings/{sitting_id:int}/bookings/{booking_id:int}", sync_to_thread=True)
    def booking(self, request: Request, db: DB, sitting_id: FromPath[int], booking_id: FromPath[int]) -> Response:
        return self._booking(request, db, sitting_id, booking_id)

    def _booking(self, request: Request, db, sitting_id: int, booking_id: int, error: str | None = None,
                 status_code: int = 200) -> Response:
        try:
            found, candidate, started = operations.booking(db, request.user, sitting_id, booking_id)
        except service.ExamError as exc:
            raise refusal(exc) from exc
        return page("operator/booking.html", status_code=status_code, booking=found, candidate=candidate,
                    started=started, error=error)

    @post("/sittings/{sitting_id:int}/bookings/{booking_id:int}", sync_to_thread=True)
    def accommodations(self, request: Request, db: DB, sitting_id: FromPath[int], booking_id: FromPath[int],
                       data: Form) -> Response:
        minutes, percent = _number(field(data, "extra_minutes")), _number(field(data, "extra_percent"))
        try:
            operations.set_accommodations(
                db, request.user, booking_id, sitting_id=sitting_id,
                extra_minutes=-1 if minutes is None else minutes, extra_percent=-1 if percent is None else percent,
                large_text=bool(field(data, "large_text")), reason=field(data, "reason"))
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.ExamError as exc:
            return self._booking(request, db, sitting_id, booking_id, _message(exc), exc.status)
        return redirect(f"/operator/sittings/{sitting_id}", flash="saved")

    @post("/attempts/{attempt_id:int}/{action:str}", sync_to_thread=True)
    def attempt_action(self, request: Request, db: DB, attempt_id: FromPath[int], action: FromPath[str],
                       data: Form) -> Response:
        now, reason, user = utcnow(), field(data, "reason"), request.user
        actions = {
            "pause": lambda: operations.pause_attempt(db, user, attempt_id, reason, now),
            "resume": lambda: operations.resume_attempt(db, user, attempt_id, now),
            "extend": lambda: operations.extend(db, user, attempt_id, _number(field(data, "minutes")) or 0, reason, now),
            "terminate": lambda: operations.terminate(db, user, attempt_id, reason, now),
        }
        try:
            if action not in actions:
                raise service.NotFound(N_("No such action."))
            actions[action]()
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.ExamError as exc:
            return _log_page(request, db, attempt_id, _message(exc), exc.status)
        return redirect(f"/operator/attempts/{attempt_id}", flash="saved")


def _log_page(request: Request, db, attempt_id: int, error: str | None = None, status_code: int = 200) -> Response:
    try:
        shown = operations.integrity_log(db, request.user, attempt_id, utcnow())
    except service.ExamError as exc:
        raise refusal(exc) from exc
    return page("operator/attempt.html", status_code=status_code, log=shown, error=error,
                may_operate=operations.may_operate(request.user, shown.sitting))


class IntegrityLogController(Controller):
    include_in_schema = False
    guards = [requires(Role.OPERATOR, Role.ADMIN, Role.COMMISSION_MEMBER)]

    @get("/operator/attempts/{attempt_id:int}", sync_to_thread=True)
    def log(self, request: Request, db: DB, attempt_id: FromPath[int]) -> Response:
        return _log_page(request, db, attempt_id)


route_handlers = [OperatorConsoleController, IntegrityLogController]
