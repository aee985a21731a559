"""Competition rules: announcing, applying, the eligibility check, the pipeline that advances candidates when
their test results arrive, and closing the testing phase with its top-N hurdle.

Every transition is written with the rule that caused it: to the candidate's timeline and to the audit trail,
in the same transaction. `advance` is idempotent and safe to run from any process at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from recruit.accounts.models import Role
from recruit.accounts.service import CurrentUser
from recruit.audit.service import Actor, record
from recruit.bank import service as bank
from recruit.competitions import rules as competition_rules
from recruit.competitions.models import Application, ApplicationEvent, Competition, Interview, StageOutcome
from recruit.competitions.ranking import admitted
from recruit.competitions.rubrics import bundled as bundled_rubric
from recruit.competitions.rubrics import rubric_to_dict
from recruit.competitions.rules import STAGE_NAMES
from recruit.db import Database
from recruit.errors import FormErrors, Refusal
from recruit.exams.models import Attempt
from recruit.exams.service import months_before
from recruit.i18n import LANGUAGES, N_
from recruit.notifications.service import notify
from recruit.reference.models import PositionCategory, Region, StateBody

OPEN, TESTING, INTERVIEWS, DECIDED = "open", "testing", "interviews", "decided"
SUBMITTED, ELIGIBLE, INELIGIBLE, OUT, RANKED = "submitted", "eligible", "ineligible", "out", "ranked"
PIPELINE = Actor("pipeline")   # transitions made by the rules themselves


class CompetitionError(Refusal):
    """A competition rule refused the action."""


class NotFound(CompetitionError):
    status = 404


# Announcing


@dataclass
class Announcement:
    title: str = ""
    state_body_code: str = ""
    position_category_code: str = ""
    region_code: str = ""
    kind: str = "general"
    posts: int = 1
    requirements: dict[str, str] | None = None     # language -> text of the qualification requirements
    closes_at: datetime | None = None
    essay: bool = False


def announce(db: Database, manager: CurrentUser, form: Announcement, now: datetime) -> Competition:
    stages = competition_rules.standard_stages(essay=form.essay)
    rules = competition_rules.standard_rules(stages)
    with db.write() as session:
        _check_announcement(session, form, now, competition_rules.problems(stages, rules, form.posts))
        competition = Competition(
            title=form.title.strip(), state_body_code=form.state_body_code,
            position_category_code=form.position_category_code, region_code=form.region_code, kind=form.kind,
            posts=form.posts, requirements={"text": {k: v.strip() for k, v in (form.requirements or {}).items()}},
            stages=stages, rules=rules, closes_at=form.closes_at, created_at=now, created_by=manager.email)
        session.add(competition)
        session.flush()
        record(session, manager.actor, "competition.announced", "competition", competition.id, after={
            "title": competition.title, "region": competition.region_code, "kind": competition.kind,
            "posts": competition.posts, "closes_at": form.closes_at.isoformat(), "stages": stages, "rules": rules})
        return competition


def _check_announcement(session: Session, form: Announcement, now: datetime, rule_problems: list[str]) -> None:
    errors = {name: message for name, message, bad in (
        ("title", N_("Enter a title."), not 3 <= len(form.title.strip()) <= 300),
        ("state_body_code", N_("Choose a state body."), session.get(StateBody, form.state_body_code) is None),
        ("position_category_code", N_("Choose a position category."),
         session.get(PositionCategory, form.position_category_code) is None),
        ("region_code", N_("Choose a region."), session.get(Region, form.region_code) is None),
        ("kind", N_("Choose the type of competition."), form.kind not in competition_rules.KINDS),
        ("posts", N_("A competition needs at least one post and a reserve of zero or more."), form.posts < 1),
        ("requirements", N_("State the qualification requirements in every language."),
         any(not (form.requirements or {}).get(lang, "").strip() for lang in LANGUAGES)),
        ("closes_at", N_("Applications must close in the future."), form.closes_at is None or form.closes_at <= now),
    ) if bad}
    if rule_problems:
        errors["stages"] = rule_problems[0]
    if errors:
        raise FormErrors(errors)


# Reading


def competitions(db: Database) -> list[Competition]:
    with db.read() as session:
        return list(session.exec(select(Competition).order_by(Competition.id)).all())


def competition(db: Database, competition_id: int) -> Competition:
    with db.read() as session:
        found = session.get(Competition, competition_id)
    if found is None:
        raise NotFound(N_("No such competition."))
    return found


def open_competitions(db: Database, candidate: CurrentUser, now: datetime) -> list[tuple[Competition, Application | None]]:
    """Competitions still taking applications, each with the caller's own application if any."""
    with db.read() as session:
        shown = session.exec(select(Competition).where(Competition.state == OPEN, Competition.closes_at > now)
                             .order_by(Competition.closes_at)).all()
        mine = {a.competition_id: a for a in session.exec(
            select(Application).where(Application.candidate_id == candidate.id)).all()}
    return [(c, mine.get(c.id)) for c in shown]


def my_applications(db: Database, candidate: CurrentUser) -> list[tuple[Application, Competition, list[ApplicationEvent]]]:
    """The candidate's applications with their timelines, newest first."""
    with db.read() as session:
        rows = session.exec(select(Application, Competition).join(Competition)
                            .where(Application.candidate_id == candidate.id)
                            .order_by(Application.applied_at.desc())).all()
        ids = [a.id for a, _ in rows]
        events = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids))
                              .order_by(ApplicationEvent.at, ApplicationEvent.id)).all()
    by_application: dict[int, list[ApplicationEvent]] = {}
    for event in events:
        by_application.setdefault(event.application_id, []).append(event)
    return [(a, c, by_application.get(a.id, [])) for a, c in rows]


def applications(db: Database, competition_id: int) -> list[tuple[Application, str, list[StageOutcome]]]:
    """For HR and the commission: (application, candidate's name, outcomes so far), in order of application."""
    from recruit.accounts.models import User

    with db.read() as session:
        rows = session.exec(select(Application, User.full_name).join(User, User.id == Application.candidate_id)
                            .where(Application.competition_id == competition_id)
                            .order_by(Application.applied_at, Application.id)).all()
        outcomes = session.exec(select(StageOutcome).join(Application).where(
            Application.competition_id == competition_id)).all()
    by_application: dict[int, list[StageOutcome]] = {}
    for outcome in outcomes:
        by_application.setdefault(outcome.application_id, []).append(outcome)
    return [(a, name, by_application.get(a.id, [])) for a, name in rows]


# Applying and the eligibility check


def apply(db: Database, candidate: CurrentUser, competition_id: int, details: dict[str, Any], consent: bool,
          now: datetime) -> Application:
    """Applying twice returns the first application; details are what HR checks against the requirements."""
    if not candidate.has(Role.CANDIDATE):
        raise CompetitionError(N_("Only candidates can apply."))
    problems = {name: message for name, message, bad in (
        ("education", N_("Describe your education."), not str(details.get("education", "")).strip()),
        ("experience_years", N_("Enter a whole number."), not isinstance(details.get("experience_years"), int)
         or not 0 <= details["experience_years"] <= 60),
        ("consent", N_("Your consent is needed to process the application."), not consent),
    ) if bad}
    if problems:
        raise FormErrors(problems)
    with db.write() as session:
        found = session.get(Competition, competition_id)
        if found is None:
            raise NotFound(N_("No such competition."))
        existing = session.exec(select(Application).where(Application.competition_id == competition_id,
                                                          Application.candidate_id == candidate.id)).first()
        if existing is not None:
            return existing
        if found.state != OPEN or now >= found.closes_at:
            raise CompetitionError(N_("Applications for this competition are closed."))
        application = Application(competition_id=competition_id, candidate_id=candidate.id, applied_at=now,
                                  details=dict(details, consent_at=now.isoformat()))
        session.add(application)
        session.flush()
        timeline(session, application, found, "applied", now)
        record(session, candidate.actor, "application.submitted", "application", application.id,
               after={"competition": competition_id, "details": application.details})
        return application


def check_eligibility(db: Database, manager: CurrentUser, application_id: int, eligible: bool, reason: str,
                      now: datetime, competition_id: int | None = None) -> Application:
    """HR's decision against the qualification requirements, always with the reason on record."""
    reason = " ".join(reason.split())
    if not reason:
        raise FormErrors({"reason": N_("State the reason.")})
    with db.write() as session:
        application = session.exec(select(Application).where(Application.id == application_id)
                                   .with_for_update()).first()
        if application is None or competition_id not in (None, application.competition_id):
            raise NotFound(N_("No such application."))
        competition_row = session.get(Competition, application.competition_id)
        if application.status not in (SUBMITTED, ELIGIBLE, INELIGIBLE) or competition_row.state not in (OPEN, TESTING):
            raise CompetitionError(N_("Eligibility can no longer change for this application."))
        before = {"status": application.status, "reason": application.eligibility_reason}
        application.status = ELIGIBLE if eligible else INELIGIBLE
        application.stage = competition_row.stages[0]["code"] if eligible else None
        application.eligibility_reason, application.checked_by = reason, manager.email
        session.add(application)
        timeline(session, application, competition_row, application.status, now, reason=reason)
        record(session, manager.actor, "application.eligibility", "application", application.id, before=before,
               after={"status": application.status, "reason": reason})
        advance_application(session, application, competition_row, now)   # a valid result moves it on at once
    return application


MESSAGES = {
    "applied": N_("Your application for “%(competition)s” is submitted."),
    "eligible": N_("“%(competition)s”: your application meets the requirements."),
    "ineligible": N_("“%(competition)s”: your application does not meet the requirements (%(reason)s)."),
    "passed": N_("“%(competition)s”: you passed the stage “%(stage)s”."),
    "stopped": N_("“%(competition)s”: you did not pass the stage “%(stage)s”."),
    "recommended": N_("“%(competition)s”: the commission recommends you for appointment."),
    "not_recommended": N_("“%(competition)s”: the commission does not recommend you (%(reason)s)."),
}


def timeline(session: Session, application: Application, competition_row: Competition, kind: str, now: datetime,
             stage: str | None = None, **detail: object) -> None:
    """A step on the candidate's timeline, and the same news in their inbox."""
    session.add(ApplicationEvent(application_id=application.id, at=now, kind=kind, stage=stage,
                                 detail=detail or None))
    reason = detail.get("reason")
    notify(session, application.candidate_id, MESSAGES[kind], now, link="/competitions",
           translated=("stage",) + (("reason",) if kind == "not_recommended" else ()),
           competition=competition_row.title, stage=STAGE_NAMES.get(stage or "", stage or ""), reason=reason or "")


# The pipeline


@dataclass(frozen=True)
class TestResult:
    attempt_id: int
    passed: bool | None
    score: float | None
    finished_at: datetime


def _test_result(session: Session, candidate_id: int, program_code: str, applied_at: datetime,
                 now: datetime) -> TestResult | None:
    """The result a test stage uses: a pass still valid on `now` is reused from any earlier sitting; otherwise
    the newest scored attempt taken since the application (a fail before applying does not count against).
    A competency profile has no verdict: the newest one still valid is used."""
    rows = session.exec(select(Attempt).where(
        Attempt.candidate_id == candidate_id, Attempt.program_code == program_code, Attempt.scored_at.is_not(None))
        .order_by(Attempt.finished_at.desc())).all()

    def valid(attempt: Attempt) -> bool:
        program = bank.program_version(session, attempt.program_code, attempt.program_version)
        return attempt.finished_at >= months_before(now, program.validity_months)

    if rows and (rows[0].result or {}).get("kind") == "competency":
        chosen = next((a for a in rows if valid(a)), None)
    else:
        chosen = next((a for a in rows if a.passed and valid(a)), None) or next(
            (a for a in rows if a.finished_at >= applied_at), None)
    return None if chosen is None else TestResult(chosen.id, chosen.passed, _score(chosen), chosen.finished_at)


def _score(attempt: Attempt) -> float | None:
    result = attempt.result or {}
    if result.get("kind") == "competency":
        scores = [s["score"] for s in result["scales"] if s["score"] is not None]
        return round(sum(scores) / len(scores), 2) if scores else None
    return attempt.correct


def _stage(competition_row: Competition, code: str) -> tuple[int, dict[str, Any]]:
    return next((n, s) for n, s in enumerate(competition_row.stages) if s["code"] == code)


def _decide(session: Session, application: Application, competition_row: Competition, passed: bool,
            score: float | None, source: str, rule: str, now: datetime, **rule_params: object) -> None:
    """Record a stage's outcome and move the application on (or out), with the rule that decided it (a message
    id and its parameters, so the timeline shows it in the reader's language)."""
    stage = application.stage
    stated = rule % rule_params if rule_params else rule
    session.add(StageOutcome(application_id=application.id, stage=stage, passed=passed, score=score, source=source,
                             rule=stated, decided_at=now))
    number, _ = _stage(competition_row, stage)
    following = competition_row.stages[number + 1]["code"] if number + 1 < len(competition_row.stages) else None
    application.status = application.status if passed else OUT
    application.stage = following if passed else None
    session.add(application)
    if passed and following is not None:
        _open_interview(session, application, competition_row, following, now)
    timeline(session, application, competition_row, "passed" if passed else "stopped", now, stage=stage, rule=rule,
              rule_params=rule_params, score=score, next=following if passed else None)
    record(session, PIPELINE, "application.advanced" if passed else "application.stopped", "application",
           application.id, after={"stage": stage, "passed": passed, "score": score, "source": source, "rule": stated,
                                  "next": following if passed else None})


def _open_interview(session: Session, application: Application, competition_row: Competition, stage_code: str,
                    now: datetime) -> None:
    """An interview or essay stage gets its record, with the stage kind's rubric frozen into it."""
    _, stage = _stage(competition_row, stage_code)
    if stage["kind"] in ("interview", "essay"):
        session.add(Interview(competition_id=competition_row.id, application_id=application.id, stage=stage_code,
                              rubric=rubric_to_dict(bundled_rubric(stage["kind"])), created_at=now))


def decide_interview(session: Session, application_id: int, stage_code: str, overall: float | None,
                     interview_id: int, now: datetime) -> None:
    """A valid commission result decides its stage by the stage's minimum."""
    application = session.exec(select(Application).where(Application.id == application_id).with_for_update()).one()
    competition_row = session.get(Competition, application.competition_id)
    if application.status != ELIGIBLE or application.stage != stage_code:
        return
    minimum = _stage(competition_row, stage_code)[1]["hurdle"].get("minimum") or 0
    _decide(session, application, competition_row, overall is not None and overall >= minimum, overall,
            f"interview:{interview_id}", N_("commission score at least %(minimum)s"), now, minimum=minimum)


def advance(db: Database, now: datetime) -> int:
    """Close applications whose window has passed, and move every eligible application waiting on a test stage
    with a pass or minimum hurdle as soon as its result exists. Returns the number of transitions made."""
    moved = 0
    with db.write() as session:
        for row in session.exec(select(Competition).where(Competition.state == OPEN,
                                                          Competition.closes_at <= now)).all():
            row.state = TESTING
            session.add(row)
            record(session, PIPELINE, "competition.testing", "competition", row.id,
                   after={"rule": "applications closed at " + row.closes_at.isoformat()})
            moved += 1
        waiting = session.exec(select(Application, Competition).join(Competition).where(
            Application.status == ELIGIBLE, Application.stage.is_not(None),
            Competition.state.in_((OPEN, TESTING)))).all()
        for application, competition_row in waiting:
            moved += advance_application(session, application, competition_row, now)
    return moved


def advance_application(session: Session, application: Application, competition_row: Competition,
                        now: datetime) -> int:
    """Move one application on as far as the rules allow now; returns the number of stages decided."""
    moved = 0
    while application.status == ELIGIBLE and application.stage is not None:
        _, stage = _stage(competition_row, application.stage)
        hurdle = stage["hurdle"]
        if stage["kind"] != "test" or hurdle["rule"] == "top":
            return moved                       # decided by the commission or when testing closes
        result = _test_result(session, application.candidate_id, stage["program"], application.applied_at, now)
        if result is None:
            return moved
        if hurdle["rule"] == "pass":
            passed, rule = bool(result.passed), N_("passed the test (a valid result is reused)")
        else:
            passed = result.score is not None and result.score >= hurdle["minimum"]
            rule = N_("score at least the minimum")
        _decide(session, application, competition_row, passed, result.score, f"attempt:{result.attempt_id}",
                rule, now)
        moved += 1
    return moved


def reinstate(session: Session, candidate_id: int, program_code: str, now: datetime) -> list[int]:
    """After a rescoring: applications stopped at a test stage of `program_code` are taken back to that stage
    and moved on by the rules, as if the corrected result had been there. A decided competition is left as
    decided. Returns the ids of the applications reinstated."""
    rows = session.exec(select(Application, Competition, StageOutcome).join(Competition)
                        .join(StageOutcome, StageOutcome.application_id == Application.id)
                        .where(Application.candidate_id == candidate_id, Application.status == OUT,
                               StageOutcome.passed.is_(False), Competition.state != DECIDED)).all()
    reinstated = []
    for application, competition_row, outcome in rows:
        _, stage = _stage(competition_row, outcome.stage)
        if stage["kind"] != "test" or stage.get("program") != program_code:
            continue
        result = _test_result(session, candidate_id, program_code, application.applied_at, now)
        if result is None or (stage["hurdle"]["rule"] == "pass" and not result.passed):
            continue
        session.delete(outcome)
        application.status, application.stage = ELIGIBLE, outcome.stage
        session.add(application)
        session.flush()
        record(session, PIPELINE, "application.reinstated", "application", application.id,
               before={"stage": outcome.stage, "passed": False, "score": outcome.score, "rule": outcome.rule},
               after={"stage": outcome.stage, "score": result.score, "source": f"attempt:{result.attempt_id}"})
        advance_application(session, application, competition_row, now)
        if application.status == ELIGIBLE and competition_row.state != OPEN:
            _late_top_hurdle(session, application, competition_row, now)
        reinstated.append(application.id)
    return reinstated


def _late_top_hurdle(session: Session, application: Application, competition_row: Competition,
                     now: datetime) -> None:
    """A top-N stage already decided: a late entrant is admitted when their score reaches the lowest admitted
    score (the ties-at-the-cut rule); nobody admitted earlier is put out."""
    _, stage = _stage(competition_row, application.stage)
    if stage["kind"] != "test" or stage["hurdle"]["rule"] != "top":
        return
    result = _test_result(session, application.candidate_id, stage["program"], application.applied_at, now)
    admitted_scores = session.exec(select(StageOutcome.score).join(Application).where(
        Application.competition_id == competition_row.id, StageOutcome.stage == stage["code"],
        StageOutcome.passed.is_(True))).all()
    cut = min((s for s in admitted_scores if s is not None), default=None)
    passed = result is not None and result.score is not None and (cut is None or result.score >= cut)
    _decide(session, application, competition_row, passed, result.score if result else None,
            f"attempt:{result.attempt_id}" if result else "absent",
            N_("at or above the lowest score admitted to the top %(count)s"), now, count=stage["hurdle"]["count"])


def close_testing(db: Database, manager: CurrentUser, competition_id: int, now: datetime) -> int:
    """End the testing phase: apply the top-N hurdle (ties at the cut admitted, a sole candidate admitted);
    whoever has not sat a required test by now goes out. The competition moves on to interviews."""
    advance(db, now)
    with db.write() as session:
        competition_row = session.exec(select(Competition).where(Competition.id == competition_id)
                                       .with_for_update()).first()
        if competition_row is None:
            raise NotFound(N_("No such competition."))
        if competition_row.state != TESTING:
            raise CompetitionError(N_("Testing can be closed only after applications close, and only once."))
        rows = session.exec(select(Application).where(Application.competition_id == competition_id)).all()
        if any(a.status == SUBMITTED for a in rows):
            raise CompetitionError(N_("Check every application's eligibility before closing the testing phase."))
        decided = _apply_top_hurdles(session, competition_row, [a for a in rows if a.status == ELIGIBLE], now)
        competition_row.state = INTERVIEWS
        session.add(competition_row)
        record(session, manager.actor, "competition.interviews", "competition", competition_id,
               after={"decided": decided})
        return decided


def _apply_top_hurdles(session: Session, competition_row: Competition, waiting: list[Application],
                       now: datetime) -> int:
    decided = 0
    for stage in competition_row.stages:
        if stage["kind"] != "test":
            break
        at_stage = [a for a in waiting if a.status == ELIGIBLE and a.stage == stage["code"]]
        results = {a.id: _test_result(session, a.candidate_id, stage["program"], a.applied_at, now) for a in at_stage}
        count = stage["hurdle"].get("count")
        chosen = admitted({i: r.score for i, r in results.items() if r is not None}, count) if count else frozenset()
        for application in at_stage:
            result = results[application.id]
            if result is None:
                _decide(session, application, competition_row, False, None, "absent",
                        N_("did not sit the test before testing closed"), now)
            else:
                _decide(session, application, competition_row, application.id in chosen, result.score,
                        f"attempt:{result.attempt_id}", N_("among the top %(count)s (ties at the cut admitted)"), now,
                        count=count)
            decided += 1
    return decided
