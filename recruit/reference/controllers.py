"""Reference data: administration pages and the public JSON listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery

from recruit import i18n
from recruit.accounts.models import Role
from recruit.db import Database
from recruit.errors import FormErrors
from recruit.reference import service
from recruit.web.guards import requires
from recruit.web.pages import DB, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _region_choices(db: DB) -> list[tuple[str, str]]:
    language = i18n.active_language()
    return [(r.code, r.name(language)) for r in service.rows(db, "regions")]


def _kind_or_404(kind: str) -> service.Kind:
    if kind not in service.KINDS:
        raise NotFoundException()
    return service.KINDS[kind]


def _posted(kind: service.Kind, data: dict[str, Any]) -> dict[str, Any]:
    """The form as posted, every field present (a forged or truncated post re-shows an empty field)."""
    return {**dict.fromkeys(("code", *kind.fields), ""), **data}


@dataclass
class RegionOut:
    code: str
    name_en: str
    name_ru: str
    name_kk: str
    valid_from: date | None
    valid_to: date | None


@dataclass
class RegionList:
    regions: list[RegionOut]


@dataclass
class NamedOut:
    code: str
    name_en: str
    name_ru: str
    name_kk: str


class ReferenceAdminController(Controller):
    """Reference data, for administrators."""

    include_in_schema = False
    guards = [requires(Role.ADMIN)]

    @get("/admin/reference", name="admin_reference", sync_to_thread=True)
    def index(self, db: DB, kind: FromQuery[str] = "regions") -> Response:
        chosen = _kind_or_404(kind)
        return page("reference/index.html", kinds=service.KINDS, kind=chosen, rows=service.rows(db, kind))

    @get("/admin/reference/{kind:str}/new", sync_to_thread=True)
    def new(self, db: DB, kind: FromPath[str]) -> Response:
        chosen = _kind_or_404(kind)
        return page("reference/edit.html", kind=chosen, row=None, values=dict.fromkeys(("code", *chosen.fields), ""),
                    errors={}, region_choices=_region_choices(db))

    @post("/admin/reference/{kind:str}/new", sync_to_thread=True)
    def create(self, request: Request, db: DB, kind: FromPath[str], data: Form) -> Response:
        chosen = _kind_or_404(kind)
        try:
            service.create(db, request.user, kind, data)
        except FormErrors as exc:
            return page("reference/edit.html", status_code=400, kind=chosen, row=None,
                        values=_posted(chosen, data), errors=exc.errors, region_choices=_region_choices(db))
        return redirect(f"/admin/reference?kind={kind}", flash="saved")

    @get("/admin/reference/{kind:str}/{code:str}", sync_to_thread=True)
    def edit(self, db: DB, kind: FromPath[str], code: FromPath[str]) -> Response:
        chosen = _kind_or_404(kind)
        row = service.get(db, kind, code)
        if row is None:
            raise NotFoundException()
        return page("reference/edit.html", kind=chosen, row=row, values=row.model_dump(), errors={},
                    region_choices=_region_choices(db))

    @post("/admin/reference/{kind:str}/{code:str}", sync_to_thread=True)
    def update(self, request: Request, db: DB, kind: FromPath[str], code: FromPath[str], data: Form) -> Response:
        chosen = _kind_or_404(kind)
        try:
            service.update(db, request.user, kind, code, data)
        except LookupError as exc:
            raise NotFoundException() from exc
        except FormErrors as exc:
            row = service.get(db, kind, code)
            return page("reference/edit.html", status_code=400, kind=chosen, row=row, values=_posted(chosen, data),
                        errors=exc.errors, region_choices=_region_choices(db))
        return redirect(f"/admin/reference?kind={kind}", flash="saved")


class ReferenceApiController(Controller):
    """Reference data as JSON, open to anyone."""

    tags = ["reference"]

    @get("/api/v1/regions", sync_to_thread=True,
         summary="Administrative units; with ?on=YYYY-MM-DD only those valid that day")
    def regions(self, db: DB, on: FromQuery[date | None] = None) -> RegionList:
        return RegionList([
            RegionOut(r.code, r.name_en, r.name_ru, r.name_kk, r.valid_from, r.valid_to)
            for r in service.regions(db, on=on)
        ])

    @get("/api/v1/position-categories", sync_to_thread=True, summary="Position categories")
    def position_categories(self, db: DB) -> list[NamedOut]:
        return [NamedOut(r.code, r.name_en, r.name_ru, r.name_kk) for r in service.rows(db, "position-categories")]

    @get("/api/v1/state-bodies", sync_to_thread=True, summary="State bodies")
    def state_bodies(self, db: DB) -> list[NamedOut]:
        return [NamedOut(r.code, r.name_en, r.name_ru, r.name_kk) for r in service.rows(db, "state-bodies")]


route_handlers = [ReferenceAdminController, ReferenceApiController]
