"""The final-session protocol and the chair's agreement view, assembled from what the commission recorded.

Every number in the protocol comes from a stored score sheet, stage outcome or ranking entry; the PDF is
rendered once in the chair's language, kept as issued and its SHA-256 recorded in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from recruit import i18n
from recruit.accounts.models import User
from recruit.accounts.service import CurrentUser
from recruit.competitions import decisions, service
from recruit.competitions.rules import STAGE_NAMES
from recruit.competitions.commission import CHAIR, SECRETARY, commission, seat_of
from recruit.competitions.models import (
    Application, CommissionSeat, ConflictDeclaration, Interview, RankingEntry, ScoreSheet, StageOutcome,
)
from recruit.db import Database
from recruit.i18n import N_, gettext
from recruit.reference.service import choices
from reports import agreement
from reports.protocol import CandidateResult, Declaration, Member, Protocol, RankingRow, ScoreRow, render_protocol

LABELS = {
    "title": N_("Protocol of the competition commission's final session"), "competition": N_("Competition"),
    "state_body": N_("State body"), "position": N_("Position category"), "region": N_("Region"),
    "held_at": N_("Held on"), "place": N_("Place"), "members": N_("Members of the commission"), "name": N_("Name"),
    "role": N_("Role"), "attendance": N_("Attendance"), "present": N_("present"), "absent": N_("absent"),
    "declarations": N_("Conflict-of-interest declarations"), "member": N_("Member"), "candidate": N_("Candidate"),
    "conflicted": N_("Conflict of interest"), "yes": N_("yes"), "no": N_("no"), "note": N_("Note"),
    "results": N_("Results by candidate"), "stage": N_("Stage"), "result": N_("Result"),
    "competency": N_("Competency"), "final": N_("Final"), "overall": N_("Overall"),
    "moderation": N_("Moderation"), "ranking": N_("Ranking and decisions"), "rank": N_("Rank"),
    "composite": N_("Composite"), "standing": N_("List"), "decision": N_("Decision"), "reason": N_("Reason"),
    "signatures": N_("Signatures"), "document": N_("Document"), "page": N_("Page"),
}
ROLES = {CHAIR: N_("chair"), "member": N_("member"), SECRETARY: N_("secretary (does not vote)")}
STANDINGS = {"merit": N_("merit list"), "reserve": N_("reserve list"), "none": N_("not listed")}
DECISIONS = {decisions.RECOMMENDED: N_("recommended"), decisions.NOT_RECOMMENDED: N_("not recommended")}


@dataclass(frozen=True)
class Agreement:
    alpha: float | None
    icc: float | None
    raters: int
    severity: dict[str, float]          # member name -> mean difference from the panel (positive = lenient)


def agreement_of(db: Database, competition_id: int) -> Agreement:
    """Over every final interview: Krippendorff's alpha (interval; members who did not score are missing),
    ICC(2,k) when every member scored every applicant, and each member's severity."""
    seats = [s for s in commission(db, competition_id) if s.role != SECRETARY]
    with db.read() as session:
        sheets = session.exec(select(ScoreSheet, Interview).join(Interview).where(
            Interview.competition_id == competition_id, Interview.state == "final")).all()
    targets: dict[tuple[int, str], dict[int, float]] = {}
    for sheet, interview in sheets:
        for code, entry in sheet.scores.items():
            targets.setdefault((interview.id, code), {})[sheet.seat_id] = entry["level"]
    matrix = [[row.get(seat.id) for seat in seats] for row in targets.values()]
    complete = [r for r in matrix if None not in r]
    by_rater = {seat.name: [(target, row[seat.id]) for target, row in targets.items() if seat.id in row]
                for seat in seats}
    return Agreement(agreement.krippendorff_alpha(matrix) if matrix else None,
                     agreement.icc2k(complete) if complete and len(complete) == len(matrix) else None,
                     len(seats), agreement.rater_severity({k: v for k, v in by_rater.items() if v}))


def issue_protocol(db: Database, chair: CurrentUser, competition_id: int, held_at: datetime, place: str) -> str:
    """Render the protocol in the chair's language, keep it and record its hash; returns the hash."""
    with db.read() as session:
        if seat_of(session, chair, competition_id).role != CHAIR:
            raise service.CompetitionError(N_("Only the chair can do this."))
    with i18n.using(chair.language):
        pdf = render_protocol(build(db, competition_id, held_at, place))
    return decisions.store_protocol(db, chair, competition_id, pdf, chair.language, held_at)


def build(db: Database, competition_id: int, held_at: datetime, place: str) -> Protocol:
    """The protocol's content in the active language."""
    language = i18n.active_language()
    competition = service.competition(db, competition_id)
    seats = commission(db, competition_id)
    ranked = decisions.entries(db, competition_id)
    names = {slug: dict(choices(db, slug, language)) for slug in ("regions", "state-bodies", "position-categories")}
    found = agreement_of(db, competition_id)
    return Protocol(
        language=language, labels={k: gettext(v) for k, v in LABELS.items()},
        document_id=f"MERIT-C{competition_id}-{held_at:%Y%m%d}", competition=competition.title,
        state_body=names["state-bodies"].get(competition.state_body_code, competition.state_body_code),
        position=names["position-categories"].get(competition.position_category_code, ""),
        region=names["regions"].get(competition.region_code, competition.region_code),
        held_at=i18n.format_datetime(held_at, "long"), place=place,
        members=tuple(Member(s.name, gettext(ROLES[s.role]), True) for s in seats),
        declarations=_declarations(db, competition_id),
        candidates=tuple(_candidate(db, application, name, seats, language) for _, application, name in ranked),
        ranking=tuple(RankingRow(e.rank, name, "—" if e.composite is None else i18n.format_number(round(e.composite, 3)),
                                 gettext(STANDINGS[e.standing]), gettext(DECISIONS[e.decision]), reason_text(e))
                      for e, _, name in ranked),
        agreement=_agreement_line(found))


def reason_text(entry: RankingEntry) -> str:
    """The decision's reason in the active language, from the rule that produced it."""
    if entry.failed_hurdle:
        return gettext(decisions.REASONS["hurdle"], stage=gettext(STAGE_NAMES.get(entry.failed_hurdle, entry.failed_hurdle)))
    return gettext(decisions.REASONS[entry.standing])


def _agreement_line(found: Agreement) -> str:
    parts = []
    if found.alpha is not None:
        parts.append(gettext("Krippendorff's alpha (interval) = %(value)s", value=i18n.format_number(round(found.alpha, 2))))
    if found.icc is not None:
        parts.append(gettext("ICC(2,k) = %(value)s", value=i18n.format_number(round(found.icc, 2))))
    return "; ".join(parts) or gettext("Agreement cannot be computed from these scores.")


def _declarations(db: Database, competition_id: int) -> tuple[Declaration, ...]:
    with db.read() as session:
        rows = session.exec(select(ConflictDeclaration, CommissionSeat, Application)
                            .join(CommissionSeat, CommissionSeat.id == ConflictDeclaration.seat_id)
                            .join(Application, Application.id == ConflictDeclaration.application_id)
                            .where(CommissionSeat.competition_id == competition_id)).all()
        people = dict(session.exec(select(User.id, User.full_name)).all())
    return tuple(Declaration(people[seat.user_id], people[application.candidate_id], d.conflicted, d.note or "")
                 for d, seat, application in sorted(rows, key=lambda r: (r[2].id, r[1].id)))


def _candidate(db: Database, application: Application, name: str, seats, language: str) -> CandidateResult:
    with db.read() as session:
        outcomes = session.exec(select(StageOutcome).where(
            StageOutcome.application_id == application.id)).all()
        interview = session.exec(select(Interview).where(Interview.application_id == application.id,
                                                         Interview.state == "final")).first()
        sheets = {s.seat_id: s for s in session.exec(select(ScoreSheet).where(
            ScoreSheet.interview_id == interview.id))} if interview else {}
    order = [stage["code"] for stage in service.competition(db, application.competition_id).stages]
    stages = tuple((gettext(STAGE_NAMES.get(o.stage, o.stage)), _outcome(o))
                   for o in sorted(outcomes, key=lambda o: order.index(o.stage)))
    raters = tuple(s for s in seats if s.id in sheets)
    rows = () if interview is None else tuple(
        ScoreRow(c["title"].get(language, c["title"]["en"]),
                 tuple(str(sheets[s.id].scores[c["code"]]["level"]) for s in raters),
                 i18n.format_number(interview.result["competencies"][c["code"]]))
        for c in interview.rubric["competencies"])
    notes = tuple(f"{s.name}: {sheets[s.id].justification}" for s in raters if sheets[s.id].justification)
    overall = i18n.format_number(interview.result["overall"]) if interview and interview.result["overall"] else "—"
    return CandidateResult(name, stages, tuple(s.name for s in raters), rows, overall, notes)


def _outcome(outcome) -> str:
    verdict = gettext("passed") if outcome.passed else gettext("not passed")
    return verdict if outcome.score is None else f"{verdict}: {i18n.format_number(outcome.score)}"


def hold_final_session(db: Database, chair: CurrentUser, competition_id: int, place: str, now: datetime) -> str:
    """Rank, decide and issue the protocol; returns the protocol's SHA-256."""
    decisions.rank_competition(db, chair, competition_id, now)
    return issue_protocol(db, chair, competition_id, now, place)
