"""A pass-rate report as the reader sees it: numbers in their locale, charts (SVG for pages, drawn for the
PDF) and the PDF itself, in the active language."""

from __future__ import annotations

from recruit import i18n
from recruit.db import utcnow
from recruit.i18n import N_, gettext
from recruit.statistics.service import DIMENSION_NAMES, Report, stage_name
from reports import charts
from reports.pass_rate_report import (
    Appendix, Figures, GroupRow, ImpactRow, PassRateReport, render_pass_rate_report,
)

LABELS = {
    "national": N_("All candidates"), "n": N_("Candidates"), "passed": N_("Passed"), "rate": N_("Pass rate"),
    "ci": N_("95 percent interval"), "code": N_("Code"), "group": N_("Group"), "flag": N_("Difference"),
    "rates": N_("Pass rates"), "suppressed": "—*", "funnel": N_("Funnel"), "stage": N_("Stage"),
    "count": N_("Candidates"), "conversion": N_("Conversion"), "adverse_impact": N_("Adverse impact"),
    "impact_group": N_("Group"), "impact_ratio": N_("Impact ratio"), "methods": N_("Method"),
    "generated": N_("Generated"), "page": N_("Page"), "title": N_("Pass rates"), "legend": N_("Pass rate"),
    "other": N_("Other"),
}
STEP_NAMES = {"applied": N_("Applied"), "eligible": N_("Eligible"), "legislation": N_("Passed the legislation test"),
              "competency": N_("Passed the competency assessment"), "essay": N_("Passed the essay"),
              "interview": N_("Passed the interview")}
FLAGS = {"above": N_("above the rest"), "below": N_("below the rest")}


def labels() -> dict[str, str]:
    return {key: gettext(value) if value != "—*" else value for key, value in LABELS.items()}


def percent(rate: float | None) -> str:
    return "—*" if rate is None else i18n.format_number(round(rate * 100, 1)) + " %"


def _interval(low: float | None, high: float | None) -> str:
    return "—*" if low is None or high is None else f"{percent(low)} – {percent(high)}"


def subtitle(report: Report) -> str:
    parts = [stage_name(report.stage), gettext(DIMENSION_NAMES[report.by])]
    return " · ".join(parts + ([report.period] if report.period else []))


def bar_rows(report: Report) -> list[charts.RateRow]:
    return [(row.group_name, row.rate, row.ci_low, row.ci_high) for row in report.rows]


def rate_bars_svg(report: Report) -> str:
    return charts.rate_bars(bar_rows(report), report.national.rate, labels(), fmt=percent)


def tile_map_svg(report: Report) -> str | None:
    if report.by != "region":
        return None
    return charts.tile_map([(row.group, row.group_name, row.rate) for row in report.rows], labels(), fmt=percent)


def impact_flag(line) -> str:
    flags = ([gettext("below four fifths")] if line.below_four_fifths else []) + (
        [gettext("two-SD difference")] if line.significant else [])
    return ", ".join(flags)


def pdf(report: Report, appendices: tuple[Appendix, ...] = ()) -> bytes:
    shown = labels()
    national = report.national
    figures = Figures(i18n.format_number(national.n or 0), i18n.format_number(national.passed or 0),
                      percent(national.rate), _interval(national.ci_low, national.ci_high))
    rows = tuple(GroupRow(row.group, row.group_name, None if row.n is None else i18n.format_number(row.n),
                          None if row.passed is None else i18n.format_number(row.passed),
                          None if row.rate is None else percent(row.rate),
                          None if row.ci_low is None else percent(row.ci_low),
                          None if row.ci_high is None else percent(row.ci_high), row.suppressed,
                          gettext(FLAGS[row.flag]) if row.flag else "")
                 for row in report.rows)
    drawn = [charts.rate_bars_chart(bar_rows(report), national.rate, shown, fmt=percent)]
    if report.by == "region":
        drawn.append(charts.tile_map_chart([(r.group, r.group_name, r.rate) for r in report.rows], shown,
                                           fmt=percent))
    return render_pass_rate_report(PassRateReport(
        language=i18n.active_language(), labels=shown, title=gettext("Pass rates"), subtitle=subtitle(report),
        generated_on=i18n.format_datetime(utcnow(), "long"), national=figures, rows=rows, charts=tuple(drawn),
        adverse_impact=tuple(ImpactRow(line.group_name, None, None,
                                       None if line.impact_ratio is None else i18n.format_number(line.impact_ratio),
                                       impact_flag(line)) for line in report.impact),
        methods_note=report.method, suppression_note=report.suppression, appendices=appendices))
