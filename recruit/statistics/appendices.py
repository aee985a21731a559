"""The report's appendices: the soundness of the test itself, and the agreement of the commissions.

Test quality is computed on the latest attempts of the period (a fixed-size sample keeps a national report fast;
reliability estimates settle long before that size), interview reliability on every decided competition.
"""

from __future__ import annotations

from sqlmodel import select

from question_bank.analysis import Flag, TestAnalysis
from recruit import i18n
from recruit.competitions.models import Competition
from recruit.competitions.protocols import agreement_of
from recruit.db import Database
from recruit.exams.models import NeutralisedItem
from recruit.exams.statistics import item_report
from recruit.i18n import N_, gettext
from recruit.statistics.counts import year_bounds
from recruit.statistics.service import Report
from reports.agreement import interpret_alpha
from reports.pass_rate_report import Appendix

SAMPLE = 500
BAND = 5          # points per band of the score distribution
MIN_CELL = 10     # the report's small-cell rule
QUALITY = {"good": N_("good"), "tolerable": N_("tolerable"), "poor": N_("poor"), "undefined": N_("undefined")}


def _number(value: float | None, places: int = 2) -> str:
    return "—" if value is None else i18n.format_number(round(value, places))


def test_appendices(db: Database, report: Report) -> tuple[Appendix, ...]:
    """Test quality and the score distribution, on one sample of the period's latest attempts."""
    if report.stage != "legislation":
        return ()
    analysis = item_report(db, "corps-b", between=year_bounds(report.period) if report.period else None,
                           latest=SAMPLE).analysis
    if not analysis.attempts:
        return ()
    return test_quality(db, analysis), score_distribution(analysis)


def test_quality(db: Database, analysis: TestAnalysis) -> Appendix:
    flagged = sum(1 for item in analysis.items if set(item.flags) - {Flag.TOO_FEW_EXAMINEES})
    with db.read() as session:
        withdrawn = len(session.exec(select(NeutralisedItem)).all())
    header = (gettext("Attempts analysed"), gettext("Mean score"), gettext("SD"), gettext("Reliability (KR-20)"),
              gettext("SEM"), gettext("Items to review"), gettext("Items withdrawn after appeals"))
    row = (i18n.format_number(analysis.attempts), _number(analysis.mean), _number(analysis.sd),
           _number(analysis.alpha), _number(analysis.sem), i18n.format_number(flagged), i18n.format_number(withdrawn))
    return Appendix(gettext("Test quality"), header, (row,), gettext(
        "Computed on the latest %(n)s attempts of the period; items to review are those the item analysis flags "
        "(too easy or hard, weak or negative discrimination, a distractor chosen by strong candidates).", n=SAMPLE),
        numeric=tuple(range(7)))


def score_distribution(analysis: TestAnalysis) -> Appendix:
    """Attempts per band of five points; a band of fewer than MIN_CELL attempts is not counted out."""
    histogram = analysis.histogram
    total = sum(n for _, n in histogram)
    top = max(score for score, _ in histogram)
    rows = []
    for low in range(0, top + 1, BAND):
        n = sum(count for score, count in histogram if low <= score < low + BAND)
        shown = n >= MIN_CELL
        rows.append((f"{low}–{low + BAND - 1}", i18n.format_number(n) if shown else f"< {MIN_CELL}",
                     _number(100 * n / total, 1) + " %" if shown else "—"))
    return Appendix(gettext("Score distribution"), (gettext("Correct answers"), gettext("Attempts"), gettext("Share")),
                    tuple(rows), gettext("The same attempts as the test quality table; bands of fewer than 10 "
                                         "attempts are not counted out."), numeric=(1, 2))


def interview_reliability(db: Database, report: Report) -> Appendix | None:
    query = select(Competition).where(Competition.state == "decided")
    if report.period:
        start, end = year_bounds(report.period)
        query = query.where(Competition.closes_at >= start, Competition.closes_at < end)
    with db.read() as session:
        decided = session.exec(query.order_by(Competition.id)).all()
    rows = []
    for competition in decided:
        found = agreement_of(db, competition.id)
        rows.append((competition.title, i18n.format_number(found.raters), _number(found.alpha), _number(found.icc),
                     gettext(QUALITY[interpret_alpha(found.alpha)])))
    if not rows:
        return None
    header = (gettext("Competition"), gettext("Raters"), gettext("Krippendorff's alpha"), gettext("ICC(2,k)"),
              gettext("Agreement"))
    return Appendix(gettext("Interview reliability"), tuple(header), tuple(rows), gettext(
        "Alpha of 0.8 or more is reliable, 0.667 the lowest tolerable; ICC(2,k) only when every member scored "
        "every applicant."), numeric=(1, 2, 3))


def for_report(db: Database, report: Report) -> tuple[Appendix, ...]:
    reliability = interview_reliability(db, report)
    return test_appendices(db, report) + ((reliability,) if reliability else ())
