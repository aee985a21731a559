"""The statistics API (bearer token; HR analysts see their region, administrators all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from recruit.accounts.models import Role
from recruit.statistics import counts, service
from recruit.statistics.controllers import report_or_400
from recruit.web.errors import ROLE, refusals
from recruit.web.guards import requires
from recruit.web.identity import BEARER
from recruit.web.pages import DB


# Documented choices; the service checks them and answers 400 with its own message.
STAGE = Annotated[str, Parameter(schema_extra={"enum": list(service.STAGES)})]
DIMENSION = Annotated[str, Parameter(schema_extra={"enum": list(counts.DIMENSIONS)})]
PERIOD = Annotated[str, Parameter(description="A year from 1900 to 2999; empty for all",
                                  schema_extra={"pattern": "^((19|2[0-9])[0-9]{2})?$"})]


# The shapes below document the JSON `service.report_json` builds, for the OpenAPI schema.

@dataclass
class PassRateRow:
    """A suppressed cell has null counts and rates."""

    group: str
    group_name: str
    n: int | None
    passed: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


@dataclass
class AdverseImpact:
    group: str
    group_name: str
    impact_ratio: float | None
    below_four_fifths: bool
    z: float | None
    significant: bool
    shortfall: float


@dataclass
class PassRates:
    stage: str
    by: str
    period: str | None
    national: PassRateRow
    rows: list[PassRateRow]
    flags: dict[str, str]
    adverse_impact: list[AdverseImpact]
    method: str
    suppression: str


class ReportApiController(Controller):
    tags = ["reports"]
    guards = [requires(Role.HR_ANALYST, Role.ADMIN)]
    security = BEARER

    @get("/api/v1/reports/pass-rates", sync_to_thread=True,
         summary="Pass rates with 95 percent intervals and small-cell suppression",
         responses={200: ResponseSpec(PassRates, generate_examples=False, description="The report"),
                    **refusals({**ROLE, 400: "Unknown stage, dimension or period"})})
    def pass_rates(self, request: Request, reports_db: DB, stage: STAGE = "legislation", by: DIMENSION = "region",
                   period: PERIOD = "") -> dict[str, Any]:
        return service.report_json(report_or_400(reports_db, stage, by, period, service.scope(request.user)))


route_handlers = [ReportApiController]
