"""Statistics pages: the HR dashboard (htmx filters, server-rendered SVG), the same report as CSV, JSON and PDF,
and the public open-data page. One view serves the page and each download. All of it reads `reports_db`: the read
replica when RECRUIT_REPORTS_DATABASE_URL names one, else the primary."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery

from recruit.accounts.models import Role
from recruit.i18n import gettext
from recruit.statistics import appendices, presentation, service
from recruit.statistics.counts import DIMENSIONS, funnel_counts
from recruit.web.guards import requires
from recruit.web.pages import DB, page
from reports import charts

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "pdf": "application/pdf"}


def report_or_400(db, stage: str, by: str, period: str, regions) -> service.Report:
    try:
        return service.pass_rate_report(db, stage, by, period or None, regions)
    except service.ReportError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


def download(db, report: service.Report, fmt: str) -> Response:
    if fmt not in MEDIA:
        raise HTTPException(status_code=404)
    if fmt == "pdf":
        body: Any = presentation.pdf(report, appendices.for_report(db, report))
    else:
        body = {"csv": service.report_csv, "json": service.report_json}[fmt](report)
    name = f"pass-rates-{report.stage}-{report.by}{'-' + report.period if report.period else ''}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"content-disposition": f'inline; filename="{name}"'})


def _context(db, report: service.Report, base: str, regions) -> dict[str, Any]:
    periods, lines = service.trends(db, report.stage, report.by, regions)
    steps = funnel_counts(db, report.period, regions)
    stages = [(gettext(presentation.STEP_NAMES.get(name, name)), count if count >= 10 else None,
               None if i == 0 or not steps[i - 1][1] or count < 10 else count / steps[i - 1][1])
              for i, (name, count) in enumerate(steps)]
    return {"report": report, "base": base, "stages": service.STAGES, "dimensions": DIMENSIONS,
            "dimension_names": service.DIMENSION_NAMES, "bars": presentation.rate_bars_svg(report),
            "map": presentation.tile_map_svg(report), "percent": presentation.percent,
            "impact_flag": presentation.impact_flag,
            "trend": charts.trend_lines([(t.group_name, list(t.rates)) for t in lines], list(periods),
                                        presentation.labels() | {"title": gettext("Trends")}, fmt=presentation.percent)
            if len(periods) > 1 else None,
            "funnel": charts.funnel(stages, presentation.labels() | {"title": gettext("Funnel")},
                                    fmt=presentation.percent) if stages else None}


class DashboardController(Controller):
    include_in_schema = False
    guards = [requires(Role.HR_ANALYST, Role.ADMIN)]

    @get("/hr/statistics", sync_to_thread=True)
    def dashboard(self, request: Request, reports_db: DB, stage: FromQuery[str] = "legislation",
                  by: FromQuery[str] = "region", period: FromQuery[str] = "") -> Response:
        regions = service.scope(request.user)
        report = report_or_400(reports_db, stage, by, period, regions)
        partial = request.headers.get("hx-request") == "true"
        return page("statistics/_report.html" if partial else "statistics/dashboard.html",
                    **_context(reports_db, report, "/hr/statistics", regions), public=False)

    @get("/hr/statistics/pass-rates/{fmt:str}", sync_to_thread=True)
    def export(self, request: Request, reports_db: DB, fmt: FromPath[str], stage: FromQuery[str] = "legislation",
               by: FromQuery[str] = "region", period: FromQuery[str] = "") -> Response:
        return download(reports_db, report_or_400(reports_db, stage, by, period, service.scope(request.user)), fmt)


class OpenDataController(Controller):
    """No login: the same suppressed aggregates for everyone."""

    include_in_schema = False

    @get("/open-data", sync_to_thread=True)
    def open_data(self, request: Request, reports_db: DB, stage: FromQuery[str] = "legislation",
                  by: FromQuery[str] = "region", period: FromQuery[str] = "") -> Response:
        report = report_or_400(reports_db, stage, by, period, None)
        partial = request.headers.get("hx-request") == "true"
        return page("statistics/_report.html" if partial else "statistics/dashboard.html",
                    **_context(reports_db, report, "/open-data", None), public=True)

    @get("/open-data/pass-rates/{fmt:str}", sync_to_thread=True)
    def export(self, reports_db: DB, fmt: FromPath[str], stage: FromQuery[str] = "legislation",
               by: FromQuery[str] = "region", period: FromQuery[str] = "") -> Response:
        return download(reports_db, report_or_400(reports_db, stage, by, period, None), fmt)


route_handlers = [DashboardController, OpenDataController]
