"""Competition pages: candidates apply and follow their timeline; HR announces, checks eligibility, forms the
commission and closes testing; commission members declare conflicts of interest."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Body, FromPath

from recruit.accounts.models import Role
from recruit.competitions import commission, decisions, interviews, protocols, service
from recruit.competitions.rules import KIND_NAMES, KINDS
from recruit.db import utcnow
from recruit.errors import FormErrors
from recruit.i18n import LANGUAGES, N_, TIMEZONE, active_language, gettext
from recruit.reference.service import choices
from recruit.web.guards import requires
from recruit.web.pages import DB, field, fields, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def refusal(exc: service.CompetitionError) -> HTTPException:
    message = gettext(exc.message, **exc.params) if exc.params else gettext(exc.message)
    return NotFoundException(message) if isinstance(exc, service.NotFound) else HTTPException(
        status_code=exc.status, detail=message)


def _whole(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


class CandidateCompetitionController(Controller):
    include_in_schema = False
    guards = [requires(Role.CANDIDATE)]

    @get("/competitions", name="competitions", sync_to_thread=True)
    def index(self, request: Request, db: DB) -> Response:
        return page("competitions/index.html", open=service.open_competitions(db, request.user, utcnow()),
                    mine=service.my_applications(db, request.user))

    @get("/competitions/{competition_id:int}", sync_to_thread=True)
    def competition(self, request: Request, db: DB, competition_id: FromPath[int]) -> Response:
        return self._page(request, db, competition_id, {}, {})

    def _page(self, request: Request, db, competition_id: int, values: dict, errors: dict,
              status_code: int = 200) -> Response:
        try:
            shown = service.competition(db, competition_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        applied = {c.id: a for c, a in service.open_competitions(db, request.user, utcnow())}
        return page("competitions/competition.html", status_code=status_code, competition=shown,
                    open=competition_id in applied, application=applied.get(competition_id), values=values,
                    errors=errors, names=_names(db), kind_names=KIND_NAMES)

    @post("/competitions/{competition_id:int}/apply", sync_to_thread=True)
    def apply(self, request: Request, db: DB, competition_id: FromPath[int], data: Form) -> Response:
        values = {name: field(data, name) for name in ("education", "experience_years", "statement")}
        details = {"education": values["education"], "experience_years": _whole(values["experience_years"]),
                   "statement": values["statement"]}
        try:
            service.apply(db, request.user, competition_id, details, field(data, "consent") == "yes", utcnow())
        except FormErrors as exc:
            return self._page(request, db, competition_id, values, exc.errors, status_code=422)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return redirect("/competitions", flash="applied")


def _names(db) -> dict[str, dict[str, str]]:
    language = active_language()
    return {slug: dict(choices(db, slug, language)) for slug in ("regions", "state-bodies", "position-categories")}


class ManagerCompetitionController(Controller):
    path = "/hr/competitions"
    include_in_schema = False
    guards = [requires(Role.HR_ANALYST, Role.ADMIN)]

    @get("", sync_to_thread=True)
    def index(self, db: DB) -> Response:
        return page("competitions/manage_index.html", competitions=service.competitions(db), names=_names(db))

    @get("/new", sync_to_thread=True)
    def new(self, db: DB) -> Response:
        return self._form(db, {}, {})

    def _form(self, db, values: dict, errors: dict, status_code: int = 200) -> Response:
        language = active_language()
        return page("competitions/new.html", status_code=status_code, values=values, errors=errors,
                    regions=choices(db, "regions", language, on=utcnow().date()),
                    bodies=choices(db, "state-bodies", language),
                    categories=choices(db, "position-categories", language),
                    kinds=[(kind, gettext(KIND_NAMES[kind])) for kind in KINDS])

    @post("/new", sync_to_thread=True)
    def announce(self, request: Request, db: DB, data: Form) -> Response:
        values = {name: field(data, name) for name in (
            "title", "state_body_code", "position_category_code", "region_code", "kind", "posts", "closes_at",
            *(f"requirements_{lang}" for lang in LANGUAGES))}
        values["essay"] = field(data, "essay") == "yes"
        form = service.Announcement(
            title=values["title"], state_body_code=values["state_body_code"],
            position_category_code=values["position_category_code"], region_code=values["region_code"],
            kind=values["kind"], posts=_whole(values["posts"]) or 0, essay=values["essay"],
            requirements={lang: values[f"requirements_{lang}"] for lang in LANGUAGES},
            closes_at=_local_time(values["closes_at"]))
        try:
            created = service.announce(db, request.user, form, utcnow())
        except FormErrors as exc:
            return self._form(db, values, exc.errors, status_code=422)
        return redirect(f"/hr/competitions/{created.id}", flash="saved")

    @get("/{competition_id:int}", sync_to_thread=True)
    def competition(self, db: DB, competition_id: FromPath[int]) -> Response:
        return self._competition(db, competition_id)

    def _competition(self, db, competition_id: int, error: str | None = None, status_code: int = 200) -> Response:
        try:
            shown = service.competition(db, competition_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return page("competitions/manage.html", status_code=status_code, competition=shown,
                    applications=service.applications(db, competition_id),
                    seats=commission.commission(db, competition_id), names=_names(db), error=error,
                    members=commission.candidates_for_seats(db), ranking=_ranking(db, competition_id),
                    protocol=decisions.protocol(db, competition_id))

    @get("/{competition_id:int}/protocol.pdf", sync_to_thread=True)
    def protocol(self, db: DB, competition_id: FromPath[int]) -> Response:
        return _protocol_pdf(db, competition_id)

    @post("/{competition_id:int}/applications/{application_id:int}/eligibility", sync_to_thread=True)
    def eligibility(self, request: Request, db: DB, competition_id: FromPath[int], application_id: FromPath[int],
                    data: Form) -> Response:
        return self._act(db, competition_id, lambda: service.check_eligibility(
            db, request.user, application_id, field(data, "eligible") == "yes", field(data, "reason"), utcnow(),
            competition_id=competition_id))

    @post("/{competition_id:int}/close-testing", sync_to_thread=True)
    def close_testing(self, request: Request, db: DB, competition_id: FromPath[int]) -> Response:
        return self._act(db, competition_id, lambda: service.close_testing(db, request.user, competition_id,
                                                                            utcnow()))

    @post("/{competition_id:int}/commission", sync_to_thread=True)
    def form_commission(self, request: Request, db: DB, competition_id: FromPath[int], data: Form) -> Response:
        seats = [(_whole(user), role) for user, role in zip(fields(data, "user"), fields(data, "role"), strict=False)
                 if _whole(user) and role]
        return self._act(db, competition_id, lambda: commission.form_commission(
            db, request.user, competition_id, seats, utcnow()))

    def _act(self, db, competition_id: int, action) -> Response:
        try:
            action()
        except FormErrors as exc:
            return self._competition(db, competition_id, gettext(next(iter(exc.errors.values()))), 422)
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.CompetitionError as exc:
            return self._competition(db, competition_id, gettext(exc.message, **exc.params), exc.status)
        return redirect(f"/hr/competitions/{competition_id}", flash="saved")


def _ranking(db, competition_id: int) -> list[tuple[Any, str, str]]:
    """(entry, applicant, reason in the reader's language) once the final session has ranked."""
    return [(entry, name, protocols.reason_text(entry)) for entry, _, name in decisions.entries(db, competition_id)]


def _protocol_pdf(db, competition_id: int) -> Response:
    issued = decisions.protocol(db, competition_id)
    if issued is None:
        raise NotFoundException()
    return Response(issued.pdf, media_type="application/pdf", headers={
        "content-disposition": f'inline; filename="protocol-{competition_id}.pdf"', "x-sha256": issued.sha256})


def _local_time(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(TIMEZONE)).astimezone(ZoneInfo("UTC"))
    except ValueError:
        return None


class CommissionController(Controller):
    path = "/commission"
    include_in_schema = False
    guards = [requires(Role.COMMISSION_MEMBER)]

    @get("", sync_to_thread=True)
    def index(self, request: Request, db: DB) -> Response:
        return page("competitions/commission_index.html", seats=commission.my_seats(db, request.user))

    @get("/competitions/{competition_id:int}", sync_to_thread=True)
    def competition(self, request: Request, db: DB, competition_id: FromPath[int]) -> Response:
        return self._competition(request, db, competition_id)

    def _competition(self, request: Request, db, competition_id: int, error: str | None = None,
                     status_code: int = 200) -> Response:
        try:
            desk = commission.desk(db, request.user, competition_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        chair = desk.seat.role == commission.CHAIR
        return page("competitions/desk.html", status_code=status_code, desk=desk, error=error,
                    interviews=interviews.interviews_of(db, request.user, competition_id),
                    ranking=_ranking(db, competition_id), protocol=decisions.protocol(db, competition_id),
                    agreement=protocols.agreement_of(db, competition_id) if chair else None)

    @post("/competitions/{competition_id:int}/final-session", sync_to_thread=True)
    def final_session(self, request: Request, db: DB, competition_id: FromPath[int], data: Form) -> Response:
        try:
            protocols.hold_final_session(db, request.user, competition_id, field(data, "place"), utcnow())
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.CompetitionError as exc:
            return self._competition(request, db, competition_id, gettext(exc.message), exc.status)
        return redirect(f"/commission/competitions/{competition_id}", flash="saved")

    @get("/competitions/{competition_id:int}/protocol.pdf", sync_to_thread=True)
    def protocol(self, request: Request, db: DB, competition_id: FromPath[int]) -> Response:
        try:
            commission.member_of(db, request.user, competition_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return _protocol_pdf(db, competition_id)

    @post("/competitions/{competition_id:int}/applications/{application_id:int}/declaration", sync_to_thread=True)
    def declare(self, request: Request, db: DB, competition_id: FromPath[int], application_id: FromPath[int],
                data: Form) -> Response:
        try:
            commission.declare(db, request.user, application_id, field(data, "conflicted") == "yes",
                               field(data, "note"), utcnow(), competition_id=competition_id)
        except FormErrors as exc:
            return self._competition(request, db, competition_id, gettext(next(iter(exc.errors.values()))), 422)
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.CompetitionError as exc:
            return self._competition(request, db, competition_id, gettext(exc.message), exc.status)
        return redirect(f"/commission/competitions/{competition_id}", flash="saved")

    @get("/interviews/{interview_id:int}", sync_to_thread=True)
    def interview(self, request: Request, db: DB, interview_id: FromPath[int]) -> Response:
        return self._interview(request, db, interview_id)

    def _interview(self, request: Request, db, interview_id: int, errors: dict | None = None,
                   values: dict | None = None, status_code: int = 200) -> Response:
        try:
            shown = interviews.view(db, request.user, interview_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return page("competitions/interview.html", status_code=status_code, view=shown, errors=errors or {},
                    values=values or {}, language=active_language())

    @post("/interviews/{interview_id:int}/scores", sync_to_thread=True)
    def score(self, request: Request, db: DB, interview_id: FromPath[int], data: Form) -> Response:
        return self._scoring(request, db, interview_id, data, lambda scores: interviews.submit(
            db, request.user, interview_id, scores, utcnow()))

    @post("/interviews/{interview_id:int}/revision", sync_to_thread=True)
    def revise(self, request: Request, db: DB, interview_id: FromPath[int], data: Form) -> Response:
        return self._scoring(request, db, interview_id, data, lambda scores: interviews.revise(
            db, request.user, interview_id, scores, field(data, "justification"), utcnow()))

    def _scoring(self, request: Request, db, interview_id: int, data: dict, action) -> Response:
        scores = {name[6:]: {"level": _whole(field(data, name)), "evidence": field(data, "evidence_" + name[6:])}
                  for name in data if name.startswith("level_")}
        try:
            action(scores)
        except FormErrors as exc:
            return self._interview(request, db, interview_id, exc.errors, dict(data), status_code=422)
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.CompetitionError as exc:
            return self._interview(request, db, interview_id, {"scores": exc.message}, dict(data), exc.status)
        return redirect(f"/commission/interviews/{interview_id}", flash="saved")

    @post("/interviews/{interview_id:int}/{action:str}", sync_to_thread=True)
    def chair_action(self, request: Request, db: DB, interview_id: FromPath[int], action: FromPath[str]) -> Response:
        actions = {"close": interviews.close, "finish-moderation": interviews.finish_moderation}
        try:
            if action not in actions:
                raise service.NotFound(N_("No such action."))
            actions[action](db, request.user, interview_id, utcnow())
        except service.NotFound as exc:
            raise refusal(exc) from exc
        except service.CompetitionError as exc:
            return self._interview(request, db, interview_id, {"scores": exc.message}, status_code=exc.status)
        return redirect(f"/commission/interviews/{interview_id}", flash="saved")

    @get("/interviews/{interview_id:int}/sheets/{seat_id:int}", sync_to_thread=True)
    def sheet(self, request: Request, db: DB, interview_id: FromPath[int], seat_id: FromPath[int]) -> Response:
        try:
            shown = interviews.sheet(db, request.user, interview_id, seat_id)
            context = interviews.view(db, request.user, interview_id)
        except service.CompetitionError as exc:
            raise refusal(exc) from exc
        return page("competitions/sheet.html", sheet=shown, view=context, language=active_language())


route_handlers = [CandidateCompetitionController, ManagerCompetitionController, CommissionController]
