"""The commission's final session: the ranking from recorded stage outcomes, the decision per applicant, and
the protocol (a PDF whose SHA-256 goes into the audit trail).

Nothing here is typed in by hand: hurdles and scores come from the stage outcomes, the order from the
competition's rules, and a lottery (only ever the last tie key) from a seed stored before the draw.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from recruit.accounts.service import CurrentUser
from recruit.audit.service import record
from recruit.competitions import ranking, service
from recruit.competitions.commission import CHAIR, seat_of
from recruit.competitions.models import Application, Competition, Interview, Protocol, RankingEntry, StageOutcome
from recruit.db import Database
from recruit.i18n import N_

RECOMMENDED, NOT_RECOMMENDED = "recommended", "not_recommended"
REASONS = {
    "merit": N_("Ranked within the number of posts."),
    "reserve": N_("On the reserve list: ranked after the posts were filled."),
    "none": N_("Ranked after the posts and the reserve."),
    "hurdle": N_("Did not pass the stage: %(stage)s."),
}


def _entrants(session: Session, competition: Competition) -> list[ranking.Entrant]:
    """Applicants who took part in the stages, each with the outcomes the stages recorded."""
    applications = session.exec(select(Application).where(
        Application.competition_id == competition.id, Application.status.in_((service.ELIGIBLE, service.OUT)))).all()
    outcomes = session.exec(select(StageOutcome).where(
        StageOutcome.application_id.in_([a.id for a in applications]))).all()
    results: dict[int, dict[str, ranking.StageResult]] = {}
    for outcome in outcomes:
        results.setdefault(outcome.application_id, {})[outcome.stage] = ranking.StageResult(outcome.passed,
                                                                                             outcome.score)
    # The ranking engine keys entrants by id; the application id keeps two competitions apart.
    return [ranking.Entrant(a.id, a.applied_at, results.get(a.id, {})) for a in applications if a.id in results]


def _rules(competition: Competition, draw: bool = True) -> ranking.RankingRules:
    """The competition's rules for the engine; without `draw` the lottery key is left out (no seed yet)."""
    rules = competition.rules
    keys = tuple(k for k in rules["tie_keys"] if draw or k != "lottery")
    return ranking.RankingRules(
        hurdles=tuple(ranking.Hurdle(stage["code"], "pass") for stage in competition.stages),
        weights=rules["weights"], tie_keys=keys, posts=competition.posts,
        reserve=rules.get("reserve", 0), lottery_seed=rules.get("lottery_seed") if draw else None)


def _ready(session: Session, competition: Competition) -> None:
    pending = session.exec(select(Interview.id).join(Application).where(
        Interview.competition_id == competition.id, Interview.state != "final",
        Application.status == service.ELIGIBLE)).first()
    waiting = session.exec(select(Application.id).where(
        Application.competition_id == competition.id, Application.status == service.ELIGIBLE,
        Application.stage.is_not(None))).first()
    if competition.state != service.INTERVIEWS or pending is not None or waiting is not None:
        raise service.CompetitionError(N_("The final session needs every applicant's stages decided."))


def rank_competition(db: Database, chair: CurrentUser, competition_id: int, now: datetime) -> list[RankingEntry]:
    """The chair opens the final session: the ranking is computed, stored with its decisions, and the
    competition is decided. The lottery seed is drawn and stored first, so the draw can be repeated."""
    with db.write() as session:
        competition = session.exec(select(Competition).where(Competition.id == competition_id)
                                   .with_for_update()).first()
        if competition is None:
            raise service.NotFound(N_("No such competition."))
        if seat_of(session, chair, competition_id).role != CHAIR:
            raise service.CompetitionError(N_("Only the chair can do this."))
        _ready(session, competition)
        if "lottery" in competition.rules["tie_keys"] and not competition.rules.get("lottery_seed"):
            competition.rules = {**competition.rules, "lottery_seed": secrets.token_hex(16)}
            flag_modified(competition, "rules")
        result = ranking.rank(_entrants(session, competition), _rules(competition))
        entries = [_entry(competition, line, now) for line in result.entries]
        applications = {a.id: a for a in session.exec(select(Application).where(
            Application.competition_id == competition_id)).all()}
        for entry in entries:
            session.add(entry)
            service.timeline(session, applications[entry.application_id], competition, entry.decision, now,
                             reason=_reason_id(entry), stage=entry.failed_hurdle)
        for application in session.exec(select(Application).where(
                Application.competition_id == competition_id, Application.status == service.ELIGIBLE)).all():
            application.status = service.RANKED
            session.add(application)
        competition.state = service.DECIDED
        session.add(competition)
        record(session, chair.actor, "competition.ranked", "competition", competition_id, after={
            "seed": result.seed, "rules": competition.rules,
            "entries": [{"application": e.application_id, "rank": e.rank, "composite": e.composite,
                         "standing": e.standing, "decision": e.decision, "tie_break": e.tie_break} for e in entries]},
               at=now)
        return entries


def _reason_id(entry: RankingEntry) -> str:
    return REASONS["hurdle"] if entry.failed_hurdle else REASONS[entry.standing]


def _entry(competition: Competition, line: ranking.RankEntry, now: datetime) -> RankingEntry:
    if line.eligible:
        decision = RECOMMENDED if line.standing == "merit" else NOT_RECOMMENDED
        reason = REASONS[line.standing]
    else:
        decision, reason = NOT_RECOMMENDED, REASONS["hurdle"] % {"stage": line.failed_hurdle}
    return RankingEntry(competition_id=competition.id, application_id=line.candidate_id, rank=line.rank,
                        composite=line.composite, standing=line.standing, failed_hurdle=line.failed_hurdle,
                        tie_break=list(line.tie_break), decision=decision, reason=reason, decided_at=now)


def provisional(db: Database, competition_id: int) -> ranking.Ranking:
    """The ranking as it would stand now, before the final session (no lottery: no seed is drawn yet)."""
    with db.read() as session:
        competition = session.get(Competition, competition_id)
        if competition is None:
            raise service.NotFound(N_("No such competition."))
        return ranking.rank(_entrants(session, competition), _rules(competition, draw=False))


def entries(db: Database, competition_id: int) -> list[tuple[RankingEntry, Application, str]]:
    """The stored ranking in rank order (ranked first), with each applicant's name."""
    from recruit.accounts.models import User

    with db.read() as session:
        rows = session.exec(select(RankingEntry, Application, User.full_name)
                            .join(Application, Application.id == RankingEntry.application_id)
                            .join(User, User.id == Application.candidate_id)
                            .where(RankingEntry.competition_id == competition_id)).all()
    return sorted(rows, key=lambda row: (row[0].rank is None, row[0].rank or 0, row[1].id))


def store_protocol(db: Database, actor: CurrentUser, competition_id: int, pdf: bytes, language: str,
                   now: datetime) -> str:
    """Keep the protocol as issued; its hash goes into the audit trail so any later copy can be checked."""
    digest = hashlib.sha256(pdf).hexdigest()
    with db.write() as session:
        existing = session.get(Protocol, competition_id)
        if existing is not None:
            return existing.sha256
        session.add(Protocol(competition_id=competition_id, sha256=digest, pdf=pdf, language=language,
                             issued_at=now, issued_by=actor.email))
        record(session, actor.actor, "competition.protocol", "competition", competition_id,
               after={"sha256": digest, "language": language, "bytes": len(pdf)}, at=now)
    return digest


def protocol(db: Database, competition_id: int) -> Protocol | None:
    with db.read() as session:
        return session.get(Protocol, competition_id)


def ranking_json(db: Database, competition_id: int) -> dict:
    """The ranking in rank order, as the API and `recruit ranking --json` give it: the stored one after the
    final session, else the provisional one (decision null)."""
    competition = service.competition(db, competition_id)
    stored = entries(db, competition_id)
    if stored:
        rows = [{"rank": e.rank, "candidate_id": a.candidate_id, "application_id": a.id, "composite": e.composite,
                 "standing": e.standing, "decision": e.decision, "tie_break": e.tie_break} for e, a, _ in stored]
    else:
        with db.read() as session:
            candidates = dict(session.exec(select(Application.id, Application.candidate_id).where(
                Application.competition_id == competition_id)).all())
        rows = [{"rank": e.rank, "candidate_id": candidates[e.candidate_id], "application_id": e.candidate_id,
                 "composite": e.composite, "standing": e.standing, "decision": None, "tie_break": list(e.tie_break)}
                for e in provisional(db, competition_id).entries]
    return {"competition_id": competition_id, "final": bool(stored), "state": competition.state,
            "lottery_seed": competition.rules.get("lottery_seed"), "entries": rows}
