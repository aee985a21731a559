"""Blind interview (and essay) scoring by the commission.

Each voting member without a conflict scores alone, per competency, a level 1-5 with an evidence note. A
member sees only their own sheet until every member who may score has submitted or the chair closes scoring;
a submitted sheet is locked. When members differ by more than 2 points on a competency, a moderation round
opens: members may revise with a written justification (the original stays in the audit trail) until the chair
ends it. The final score per competency is the mean (a trimmed mean with five or more raters); the result
counts only with a quorum of two thirds of the members who may score. A valid result then decides the stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from recruit.accounts.models import User
from recruit.accounts.service import CurrentUser
from recruit.audit.service import Actor, record
from recruit.competitions import service
from recruit.competitions.commission import CHAIR, VOTING, quorum_in, seat_of
from recruit.competitions.models import (
    Application, CommissionSeat, ConflictDeclaration, Interview, ScoreSheet,
)
from recruit.db import Database
from recruit.errors import FormErrors
from recruit.i18n import N_
from reports.agreement import final_score, needs_moderation

SCORING, MODERATION, FINAL = "scoring", "moderation", "final"
EVIDENCE_LENGTH = 1000

Scores = dict[str, dict[str, Any]]     # competency code -> {"level": 1..5, "evidence": text}


def _competencies(interview: Interview) -> list[str]:
    return [c["code"] for c in interview.rubric["competencies"]]


def _checked(interview: Interview, scores: Scores) -> Scores:
    """Every competency scored 1-5 with evidence, nothing else; problems are reported per competency."""
    errors, clean = {}, {}
    for code in _competencies(interview):
        entry = scores.get(code) or {}
        level, evidence = entry.get("level"), " ".join(str(entry.get("evidence") or "").split())
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            errors[code] = N_("Choose a level from 1 to 5.")
        elif not evidence or len(evidence) > EVIDENCE_LENGTH:
            errors[code] = N_("Note the evidence for the level (at most 1000 characters).")
        else:
            clean[code] = {"level": level, "evidence": evidence}
    if set(scores) - set(clean) - set(errors):
        errors["scores"] = N_("Score only the rubric's competencies.")
    if errors:
        raise FormErrors(errors)
    return clean


def _interview(session: Session, member: CurrentUser, interview_id: int, lock: bool = False
               ) -> tuple[Interview, CommissionSeat]:
    query = select(Interview).where(Interview.id == interview_id)
    interview = session.exec(query.with_for_update() if lock else query).first()
    if interview is None:
        raise service.NotFound(N_("No such interview."))
    return interview, seat_of(session, member, interview.competition_id)


def _may_score(session: Session, interview: Interview, seat: CommissionSeat) -> None:
    if seat.role not in VOTING:
        raise service.CompetitionError(N_("The secretary does not score and makes no declaration."))
    declaration = session.get(ConflictDeclaration, (seat.id, interview.application_id))
    if declaration is None:
        raise service.CompetitionError(N_("Declare any conflict of interest for this applicant first."))
    if declaration.conflicted:
        raise service.CompetitionError(N_("You declared a conflict of interest and do not score this applicant."))


def submit(db: Database, member: CurrentUser, interview_id: int, scores: Scores, now: datetime) -> ScoreSheet:
    with db.write() as session:
        interview, seat = _interview(session, member, interview_id, lock=True)
        _may_score(session, interview, seat)
        if interview.state != SCORING:
            raise service.CompetitionError(N_("Scoring is closed for this interview."))
        if session.exec(select(ScoreSheet).where(ScoreSheet.interview_id == interview_id,
                                                 ScoreSheet.seat_id == seat.id)).first() is not None:
            raise service.CompetitionError(N_("Your scores are submitted and locked."))
        sheet = ScoreSheet(interview_id=interview_id, seat_id=seat.id, scores=_checked(interview, scores),
                           submitted_at=now)
        session.add(sheet)
        session.flush()
        record(session, member.actor, "interview.scored", "interview", interview_id,
               after={"seat": seat.id, "scores": sheet.scores}, at=now)
        if len(_sheets(session, interview_id)) >= len(_scorers(session, interview)):
            _close(session, interview, now, by=None)
        return sheet


def close(db: Database, chair: CurrentUser, interview_id: int, now: datetime) -> Interview:
    """The chair ends scoring before everyone has scored (a member absent, for example)."""
    with db.write() as session:
        interview, seat = _interview(session, chair, interview_id, lock=True)
        if seat.role != CHAIR:
            raise service.CompetitionError(N_("Only the chair can do this."))
        if interview.state != SCORING:
            raise service.CompetitionError(N_("Scoring is closed for this interview."))
        _close(session, interview, now, by=chair.email)
        return interview


def revise(db: Database, member: CurrentUser, interview_id: int, scores: Scores, justification: str,
           now: datetime) -> ScoreSheet:
    justification = " ".join(justification.split())
    if not justification:
        raise FormErrors({"justification": N_("Justify the revision in writing.")})
    with db.write() as session:
        interview, seat = _interview(session, member, interview_id, lock=True)
        if interview.state != MODERATION:
            raise service.CompetitionError(N_("Scores can be revised only in a moderation round."))
        sheet = session.exec(select(ScoreSheet).where(ScoreSheet.interview_id == interview_id,
                                                      ScoreSheet.seat_id == seat.id)).first()
        if sheet is None:
            raise service.CompetitionError(N_("Only members who scored can revise."))
        before = dict(sheet.scores)
        sheet.scores, sheet.revised_at, sheet.justification = _checked(interview, scores), now, justification
        session.add(sheet)
        record(session, member.actor, "interview.revised", "interview", interview_id, before={"scores": before},
               after={"scores": sheet.scores, "justification": justification}, at=now)
        return sheet


def finish_moderation(db: Database, chair: CurrentUser, interview_id: int, now: datetime) -> Interview:
    with db.write() as session:
        interview, seat = _interview(session, chair, interview_id, lock=True)
        if seat.role != CHAIR:
            raise service.CompetitionError(N_("Only the chair can do this."))
        if interview.state != MODERATION:
            raise service.CompetitionError(N_("There is no moderation round to end."))
        _finalize(session, interview, now)
        return interview


def _scorers(session: Session, interview: Interview) -> list[int]:
    """Seats that may score this applicant: voting members who did not declare a conflict."""
    seats = session.exec(select(CommissionSeat.id).where(CommissionSeat.competition_id == interview.competition_id,
                                                         CommissionSeat.role.in_(VOTING))).all()
    conflicted = set(session.exec(select(ConflictDeclaration.seat_id).where(
        ConflictDeclaration.application_id == interview.application_id, ConflictDeclaration.conflicted.is_(True))))
    return [s for s in seats if s not in conflicted]


def _sheets(session: Session, interview_id: int) -> list[ScoreSheet]:
    return list(session.exec(select(ScoreSheet).where(ScoreSheet.interview_id == interview_id)
                             .order_by(ScoreSheet.seat_id)).all())


def _spread(sheets: list[ScoreSheet], code: str) -> list[int]:
    return [sheet.scores[code]["level"] for sheet in sheets]


def _close(session: Session, interview: Interview, now: datetime, by: str | None) -> None:
    interview.closed_at, interview.closed_by = now, by
    sheets = _sheets(session, interview.id)
    disputed = [c for c in _competencies(interview) if sheets and needs_moderation(_spread(sheets, c))]
    record(session, service.PIPELINE if by is None else Actor(by), "interview.closed", "interview",
           interview.id, after={"sheets": len(sheets), "moderation": disputed}, at=now)
    if disputed:
        interview.state = MODERATION
        session.add(interview)
    else:
        _finalize(session, interview, now)


def _finalize(session: Session, interview: Interview, now: datetime) -> None:
    sheets = _sheets(session, interview.id)
    needed = quorum_in(session, interview.application_id)
    finals = {c: round(final_score(_spread(sheets, c)), 2) for c in _competencies(interview)} if sheets else {}
    overall = round(sum(finals.values()) / len(finals), 2) if finals else None
    interview.state, interview.valid = FINAL, len(sheets) >= needed.required
    interview.result = {"competencies": finals, "overall": overall, "raters": len(sheets),
                        "required": needed.required}
    session.add(interview)
    record(session, service.PIPELINE, "interview.final", "interview", interview.id,
           after={**interview.result, "valid": interview.valid}, at=now)
    if interview.valid:
        service.decide_interview(session, interview.application_id, interview.stage, overall, interview.id, now)


# Reading: one's own sheet always; the others only once scoring has closed


@dataclass(frozen=True)
class OtherSheet:
    member: str
    scores: Scores
    justification: str | None


@dataclass(frozen=True)
class InterviewView:
    interview: Interview
    applicant: str
    seat: CommissionSeat
    may_score: bool
    mine: ScoreSheet | None
    others: tuple[OtherSheet, ...] | None      # None while scoring is blind


def view(db: Database, member: CurrentUser, interview_id: int) -> InterviewView:
    with db.read() as session:
        interview, seat = _interview(session, member, interview_id)
        applicant = session.exec(select(User.full_name).join(Application, Application.candidate_id == User.id)
                                 .where(Application.id == interview.application_id)).one()
        sheets = _sheets(session, interview_id)
        names = dict(session.exec(select(CommissionSeat.id, User.full_name).join(User, User.id == CommissionSeat.user_id)
                                  .where(CommissionSeat.competition_id == interview.competition_id)).all())
        try:
            _may_score(session, interview, seat)
            may_score = True
        except service.CompetitionError:
            may_score = False
    mine = next((s for s in sheets if s.seat_id == seat.id), None)
    others = None if interview.closed_at is None else tuple(
        OtherSheet(names[s.seat_id], s.scores, s.justification) for s in sheets if s.seat_id != seat.id)
    return InterviewView(interview, applicant, seat, may_score, mine, others)


def sheet(db: Database, member: CurrentUser, interview_id: int, seat_id: int) -> ScoreSheet:
    """Another member's sheet is as absent as a missing one until scoring closes."""
    with db.read() as session:
        interview, seat = _interview(session, member, interview_id)
        found = session.exec(select(ScoreSheet).where(ScoreSheet.interview_id == interview_id,
                                                      ScoreSheet.seat_id == seat_id)).first()
    if found is None or (seat_id != seat.id and interview.closed_at is None):
        raise service.NotFound(N_("No such score sheet."))
    return found


def interviews_of(db: Database, member: CurrentUser, competition_id: int) -> list[tuple[Interview, str]]:
    with db.read() as session:
        seat_of(session, member, competition_id)
        return list(session.exec(select(Interview, User.full_name)
                                 .join(Application, Application.id == Interview.application_id)
                                 .join(User, User.id == Application.candidate_id)
                                 .where(Interview.competition_id == competition_id)
                                 .order_by(User.full_name, Interview.stage)).all())

