"""Appeal rules: who may appeal what and until when, who decides, and what an upheld appeal sets in motion.

An item challenge names a question of the candidate's own scored test, within the program's `appeal_days` of
the sitting. A review request names a stage decision of the candidate's own application, within the
competition's `review_days`. Reviewers (test authors for items, HR for stage decisions; administrators for
both) uphold or reject with a reason. An upheld item challenge neutralises the item version for everyone who
had it and rescores their attempts in the same transaction; applicants a rescoring takes from fail to pass
are reinstated in their competitions. An upheld review sends the stage back to be decided again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from recruit.accounts.models import Role
from recruit.accounts.service import CurrentUser
from recruit.appeals.models import Appeal
from recruit.audit.service import record
from recruit.bank import service as bank
from recruit.competitions import service as competitions
from recruit.competitions.models import Application, Competition, Interview, ScoreSheet, StageOutcome
from recruit.db import Database
from recruit.errors import FormErrors
from recruit.exams import service as exams
from recruit.exams.models import Attempt
from recruit.i18n import N_
from recruit.notifications.service import notify

ITEM, REVIEW = "item", "review"
PENDING, UPHELD, REJECTED = "pending", "upheld", "rejected"
REVIEWERS = {ITEM: (Role.AUTHOR, Role.ADMIN), REVIEW: (Role.HR_ANALYST, Role.ADMIN)}
OUTCOMES = {
    UPHELD: N_("Your appeal was upheld: %(reason)s"),
    REJECTED: N_("Your appeal was rejected: %(reason)s"),
}


class AppealError(exams.ExamError):
    """Refusals share the exam errors' shape (status and message id)."""


def _text(value: str, name: str, message: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise FormErrors({name: message})
    return value[:4000]


def challenge_item(db: Database, candidate: CurrentUser, attempt_id: int, slot: int, grounds: str,
                   now: datetime) -> Appeal:
    grounds = _text(grounds, "grounds", N_("State the grounds of the appeal."))
    with db.write() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.candidate_id != candidate.id:
            raise exams.NotFound(N_("No such attempt."))
        if attempt.scored_at is None or (attempt.result or {}).get("kind") != "knowledge":
            raise AppealError(N_("Only a scored knowledge test can be appealed."))
        program = bank.program_version(session, attempt.program_code, attempt.program_version)
        if now > attempt.finished_at + timedelta(days=program.appeal_days):
            raise AppealError(N_("The appeal period (%(days)s days after the test) has ended."), days=program.appeal_days)
        form = exams._form(session, attempt)
        if not 1 <= slot <= len(form.items):
            raise exams.NotFound(N_("No such question."))
        existing = session.exec(select(Appeal).where(Appeal.attempt_id == attempt_id, Appeal.slot == slot)).first()
        if existing is not None:
            return existing
        item = form.items[slot - 1]
        appeal = Appeal(kind=ITEM, candidate_id=candidate.id, attempt_id=attempt_id, slot=slot, item_id=item.item_id,
                        item_version=item.version, grounds=grounds, filed_at=now)
        return _filed(session, candidate, appeal, now)


def request_review(db: Database, candidate: CurrentUser, application_id: int, stage: str, grounds: str,
                   now: datetime) -> Appeal:
    grounds = _text(grounds, "grounds", N_("State the grounds of the appeal."))
    with db.write() as session:
        application = session.get(Application, application_id)
        if application is None or application.candidate_id != candidate.id:
            raise exams.NotFound(N_("No such application."))
        outcome = session.get(StageOutcome, (application_id, stage))
        if outcome is None:
            raise AppealError(N_("This stage has not been decided."))
        days = session.get(Competition, application.competition_id).rules.get("review_days", 10)
        if now > outcome.decided_at + timedelta(days=days):
            raise AppealError(N_("The review period (%(days)s days after the decision) has ended."), days=days)
        existing = session.exec(select(Appeal).where(Appeal.application_id == application_id,
                                                     Appeal.stage == stage)).first()
        if existing is not None:
            return existing
        appeal = Appeal(kind=REVIEW, candidate_id=candidate.id, application_id=application_id, stage=stage,
                        grounds=grounds, filed_at=now)
        return _filed(session, candidate, appeal, now)


def _filed(session: Session, candidate: CurrentUser, appeal: Appeal, now: datetime) -> Appeal:
    session.add(appeal)
    session.flush()
    record(session, candidate.actor, "appeal.filed", "appeal", appeal.id, after={
        "kind": appeal.kind, "attempt": appeal.attempt_id, "slot": appeal.slot, "item": appeal.item_id,
        "version": appeal.item_version, "application": appeal.application_id, "stage": appeal.stage,
        "grounds": appeal.grounds}, at=now)
    notify(session, candidate.id, N_("Your appeal is registered and will be reviewed."), now, link="/appeals")
    return appeal


def decide(db: Database, reviewer: CurrentUser, appeal_id: int, uphold: bool, reason: str,
           now: datetime) -> Appeal:
    reason = _text(reason, "reason", N_("State the reason."))
    with db.write() as session:
        appeal = session.exec(select(Appeal).where(Appeal.id == appeal_id).with_for_update()).first()
        if appeal is None or not reviewer.has(*REVIEWERS[appeal.kind]):
            raise exams.NotFound(N_("No such appeal."))
        if appeal.state != PENDING:
            raise AppealError(N_("This appeal has been decided."))
        appeal.state, appeal.decided_by, appeal.decided_at = UPHELD if uphold else REJECTED, reviewer.email, now
        appeal.decision_reason = reason
        if uphold:
            appeal.report = (_neutralise(session, reviewer, appeal, now) if appeal.kind == ITEM
                             else _reopen(session, appeal, now))
        session.add(appeal)
        record(session, reviewer.actor, f"appeal.{appeal.state}", "appeal", appeal.id,
               after={"reason": reason, "report": appeal.report}, at=now)
        notify(session, appeal.candidate_id, OUTCOMES[appeal.state], now, link="/appeals", reason=reason)
        return appeal


def _neutralise(session: Session, reviewer: CurrentUser, appeal: Appeal, now: datetime) -> dict:
    """The rescoring report: every attempt that had the item, and who changed from fail to pass."""
    rescored = exams.neutralise(session, reviewer.actor, appeal.item_id, appeal.item_version,
                                f"appeal {appeal.id}: {appeal.decision_reason}", now)
    changed = []
    for line in rescored:
        if line.passed_before == line.passed_after:
            continue
        program = session.get(Attempt, line.attempt_id).program_code
        reinstated = competitions.reinstate(session, line.candidate_id, program, now)
        notify(session, line.candidate_id, N_("Your test result was rescored after an upheld appeal: now %(correct)s correct."),
               now, link=f"/exams/attempts/{line.attempt_id}/result", correct=line.correct_after)
        changed.append({"attempt": line.attempt_id, "candidate": line.candidate_id, "correct": [line.correct_before,
                        line.correct_after], "passed": [line.passed_before, line.passed_after],
                        "reinstated_applications": reinstated})
    return {"item": f"{appeal.item_id}@v{appeal.item_version}", "rescored": len(rescored), "changed": changed}


def _reopen(session: Session, appeal: Appeal, now: datetime) -> dict:
    """Send the stage back: its outcome is withdrawn (kept in the audit trail) and the stage decided again,
    by the test rules or, for an interview or essay, by a fresh round of scoring."""
    application = session.get(Application, appeal.application_id)
    competition = session.get(Competition, application.competition_id)
    outcome = session.get(StageOutcome, (application.id, appeal.stage))
    withdrawn = {"stage": outcome.stage, "passed": outcome.passed, "score": outcome.score, "rule": outcome.rule}
    session.delete(outcome)
    interview = session.exec(select(Interview).where(Interview.application_id == application.id,
                                                     Interview.stage == appeal.stage)).first()
    if interview is not None:
        sheets = session.exec(select(ScoreSheet).where(ScoreSheet.interview_id == interview.id)).all()
        withdrawn["sheets"] = [{"seat": s.seat_id, "scores": s.scores} for s in sheets]
        for sheet in sheets:
            session.delete(sheet)
        interview.state, interview.closed_at, interview.result, interview.valid = "scoring", None, None, None
        session.add(interview)
    application.status, application.stage = competitions.ELIGIBLE, appeal.stage
    session.add(application)
    session.flush()
    competitions.advance_application(session, application, competition, now)
    return {"withdrawn": withdrawn}


def mine(db: Database, candidate: CurrentUser) -> list[Appeal]:
    with db.read() as session:
        return list(session.exec(select(Appeal).where(Appeal.candidate_id == candidate.id)
                                 .order_by(Appeal.filed_at.desc())).all())


def pending(db: Database, reviewer: CurrentUser) -> list[Appeal]:
    kinds = [kind for kind, roles in REVIEWERS.items() if reviewer.has(*roles)]
    with db.read() as session:
        return list(session.exec(select(Appeal).where(Appeal.kind.in_(kinds))
                                 .order_by(Appeal.state != PENDING, Appeal.filed_at)).all())
