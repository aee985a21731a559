"""The statistics API (bearer token; HR analysts see their region, administrators all)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery

from recruit.accounts.models import Role
from recruit.statistics import service
from recruit.statistics.controllers import report_or_400
from recruit.web.guards import requires
from recruit.web.pages import DB


class ReportApiController(Controller):
    tags = ["reports"]
    guards = [requires(Role.HR_ANALYST, Role.ADMIN)]

    @get("/api/v1/reports/pass-rates", sync_to_thread=True,
         summary="Pass rates with 95 percent intervals and small-cell suppression")
    def pass_rates(self, request: Request, reports_db: DB, stage: FromQuery[str] = "legislation",
                   by: FromQuery[str] = "region", period: FromQuery[str] = "") -> dict[str, Any]:
        return service.report_json(report_or_400(reports_db, stage, by, period, service.scope(request.user)))


route_handlers = [ReportApiController]
