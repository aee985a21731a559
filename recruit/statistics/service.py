"""Pass-rate reports: database counts, the statistics of `reports.pass_rates`, small-cell suppression, names
in the reader's language, and the rows every output (CSV, JSON, PDF, dashboard, open data) shares.

HR analysts with a region see their region's groups; administrators and unscoped analysts see all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from recruit import i18n
from recruit.accounts.models import Role
from recruit.accounts.service import CurrentUser
from recruit.bank import service as bank
from recruit.competitions.rules import STAGE_NAMES
from recruit.db import Database
from recruit.i18n import N_, gettext
from recruit.reference.service import choices
from recruit.statistics.counts import COMPETITION_STAGES, DIMENSIONS, TEST_STAGES, counts, trend_counts
from reports import pass_rates

CSV_COLUMNS = ("group", "group_name", "n", "passed", "rate", "ci_low", "ci_high", "suppressed")
STAGES = tuple(sorted(TEST_STAGES)) + tuple(sorted(COMPETITION_STAGES))
DIMENSION_NAMES = {"region": N_("Region"), "period": N_("Year"), "sex": N_("Sex"), "age_band": N_("Age"),
                   "language": N_("Language of the test"), "track": N_("Track"), "program": N_("Test"),
                   "category": N_("Position category")}
GROUP_NAMES = {"sex": {"M": N_("men"), "F": N_("women")},
               "track": {"civil": N_("civil service"), "law_enforcement": N_("law enforcement")}}
METHOD = N_("Pass rates with Wilson intervals at 95 percent confidence. Differences between groups: Pearson's chi-square with "
            "adjusted standardized residuals (|r| > 2 flagged), each group against the rest with a two-proportion "
            "z test (Fisher's exact test for small groups), Holm-corrected. Periods are calendar years in Astana "
            "time. Counts come from scored attempts and recorded stage decisions; nothing is entered by hand.")
SUPPRESSION = N_("Counts below 10, including zero, are not published, nor any rate based on fewer than 10 "
                 "people; further cells are then hidden so that no hidden value can be worked out from the "
                 "published cells and totals. Hidden cells are empty and marked suppressed.")


@dataclass(frozen=True)
class Row:
    group: str
    group_name: str
    n: int | None
    passed: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    flag: str = ""          # "above" or "below" when the group differs from the rest (Holm-corrected)


@dataclass(frozen=True)
class Impact:
    """Adverse impact of one published group against the group with the highest rate."""

    group: str
    group_name: str
    impact_ratio: float | None
    below_four_fifths: bool
    z: float | None
    significant: bool                   # |Z| > 1.96 (two-SD test)
    shortfall: float                    # passes missing at the overall rate


@dataclass(frozen=True)
class Report:
    stage: str
    by: str
    period: str | None
    national: Row
    rows: tuple[Row, ...]
    method: str
    suppression: str
    impact: tuple[Impact, ...] = ()


class ReportError(ValueError):
    """An unknown stage, dimension or period; the message says which."""


def scope(user: CurrentUser | None) -> list[str] | None:
    """The regions a user's reports cover: their own for a regional HR analyst, all (None) otherwise."""
    if user is None or user.has(Role.ADMIN) or not user.region_code:
        return None
    return [user.region_code]


def pass_rate_report(db: Database, stage: str, by: str, period: str | None = None,
                     regions: Iterable[str] | None = None) -> Report:
    """Rows in the active language; suppression runs over groups x (passed, failed) with all totals."""
    if stage not in STAGES or by not in DIMENSIONS or (period is not None and not period.isdigit()):
        raise ReportError(f"stage must be one of {STAGES}, by one of {DIMENSIONS}, period a year")
    try:
        found = counts(db, stage, by, period, regions)
    except ValueError as exc:
        raise ReportError(str(exc)) from exc
    rates = pass_rates.rates_from_counts(found)
    names = _names(db, by)
    if not rates.groups:
        return Report(stage, by, period, _row(rates.overall, gettext("All candidates"), False), (),
                      gettext(METHOD), gettext(SUPPRESSION))
    table = pass_rates.suppress([[r.passed, r.n - r.passed] for r in rates.groups])
    flags = _flags(rates)
    rows = tuple(_published(r, names.get(r.label, r.label), table.cells[i][0], table.row_totals[i], flags)
                 for i, r in enumerate(rates.groups))
    national = _published(rates.overall, gettext("All candidates"), table.column_totals[0], table.total, {})
    return Report(stage, by, period, national, rows, gettext(METHOD), gettext(SUPPRESSION), _impact(rates, rows))


def _impact(rates: pass_rates.Rates, rows: tuple[Row, ...]) -> tuple[Impact, ...]:
    """Among the published groups only, so the comparison discloses nothing the table hides."""
    shown = {row.group: row for row in rows if not row.suppressed}
    if len(shown) < 2:
        return ()
    published = pass_rates.Rates(rates.overall, tuple(r for r in rates.groups if r.label in shown))
    found = pass_rates.adverse_impact(published, min_reference_n=30)
    return tuple(Impact(i.group, shown[i.group].group_name, None if i.impact_ratio is None else round(i.impact_ratio, 3),
                        i.ratio_flagged, None if i.z is None else round(i.z, 2), i.z_flagged, round(i.shortfall, 1))
                 for i in found.groups)


@dataclass(frozen=True)
class Trend:
    group_name: str
    rates: tuple[float | None, ...]      # one per period; None where suppressed


def trends(db: Database, stage: str, by: str, regions: Iterable[str] | None = None) -> tuple[tuple[str, ...],
                                                                                          tuple[Trend, ...]]:
    """Rates per group across periods, each period's table suppressed on its own (periods, trends)."""
    found = trend_counts(db, stage, by, regions)
    names, shown = _names(db, by), {}
    for period, table in found.items():
        groups = sorted(table)
        protected = pass_rates.suppress([[table[g][1], table[g][0] - table[g][1]] for g in groups])
        for i, group in enumerate(groups):
            hidden = protected.cells[i][0].suppressed or protected.row_totals[i].suppressed
            shown.setdefault(group, {})[period] = None if hidden else table[group][1] / table[group][0]
    periods = tuple(found)
    return periods, tuple(Trend(names.get(g, g), tuple(shown[g].get(p) for p in periods)) for g in sorted(shown))


def _published(rate: pass_rates.Rate, name: str, passed: pass_rates.Cell, n: pass_rates.Cell,
               flags: dict[str, str]) -> Row:
    if passed.suppressed or n.suppressed:
        return Row(rate.label, name, n.value, None, None, None, None, True)
    return _row(rate, name, False, flags.get(rate.label, ""))


def _row(rate: pass_rates.Rate, name: str, suppressed: bool, flag: str = "") -> Row:
    rounded = [None if v is None else round(v, 4) for v in (rate.rate, rate.low, rate.high)]
    return Row(rate.label, name, rate.n, rate.passed, *rounded, suppressed, flag)


def _flags(rates: pass_rates.Rates) -> dict[str, str]:
    """Groups that differ from the rest after Holm's correction, and which way."""
    if len(rates.groups) < 2 or rates.overall.rate is None:
        return {}
    found = pass_rates.differences(rates)
    by_label = {r.label: r for r in rates.groups}
    return {d.group: ("above" if by_label[d.group].rate > rates.overall.rate else "below")
            for d in found.groups if d.significant}


def _names(db: Database, by: str) -> dict[str, str]:
    language = i18n.active_language()
    if by == "region":
        return dict(choices(db, "regions", language))
    if by == "category":
        return dict(choices(db, "position-categories", language))
    if by == "language":
        return dict(i18n.LANGUAGE_NAMES)
    if by == "program":
        return {p.code: p.title.get(language, p.title["en"]) for p in bank.programs(db)}
    return {code: gettext(name) for code, name in GROUP_NAMES.get(by, {}).items()}


def stage_name(stage: str) -> str:
    return gettext(STAGE_NAMES[stage])


def report_json(report: Report) -> dict:
    return {"stage": report.stage, "by": report.by, "period": report.period,
            "national": {k: v for k, v in asdict(report.national).items() if k in CSV_COLUMNS},
            "rows": [{k: v for k, v in asdict(row).items() if k in CSV_COLUMNS} for row in report.rows],
            "flags": {row.group: row.flag for row in report.rows if row.flag},
            "adverse_impact": [asdict(line) for line in report.impact],
            "method": report.method, "suppression": report.suppression}


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow(["" if value is None else ("true" if value is True else "false" if value is False else value)
                         for value in (getattr(row, name) for name in CSV_COLUMNS)])
    return out.getvalue()
