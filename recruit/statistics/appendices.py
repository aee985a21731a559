"""The report's appendices: the soundness of the test itself, and the agreement of the commissions.

Test quality is computed on the latest attempts of the period (a fixed-size sample keeps a national report fast;
reliability estimates settle long before that size), interview reliability on every decided competition.
"""

from __future__ import annotations

from sqlmodel import select

from question_bank.analysis import Flag
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
QUALITY = {"good": N_("good"), "tolerable": N_("tolerable"), "poor": N_("poor"), "undefined": N_("undefined")}


def _number(value: float | None, places: int = 2) -> str:
    return "—" if value is None else i18n.format_number(round(value, places))


def test_quality(db: Database, report: Report) -> Appendix | None:
    if report.stage != "legislation":
        return None
    found = item_report(db, "corps-b", between=year_bounds(report.period) if report.period else None, latest=SAMPLE)
    analysis = found.analysis
    if not analysis.attempts:
        return None
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


def interview_reliability(db: Database, report: Report) -> Appendix | None:
    with db.read() as session:
        decided = session.exec(select(Competition).where(Competition.state == "decided")
                               .order_by(Competition.id)).all()
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
    return tuple(a for a in (test_quality(db, report), interview_reliability(db, report)) if a is not None)
