"""`recruit demo` builds, through the real services, a competition its commission has decided and one in
progress, and a second run adds nothing."""

import hashlib

from sqlmodel import func, select

from recruit.accounts.models import User
from recruit.audit.models import AuditEvent
from recruit.competitions import commission, decisions, service
from recruit.competitions.models import Application, ApplicationEvent, Competition, ConflictDeclaration, ScoreSheet
from recruit.demo_competitions import DECIDED_TITLE, OPEN_TITLE
from tests.test_cli import recruit


def _counts(db):
    with db.read() as session:
        return {model.__name__: session.exec(select(func.count()).select_from(model)).one()
                for model in (User, AuditEvent, Competition, Application, ApplicationEvent, ScoreSheet)}


def test_demo_adds_a_decided_competition_and_one_in_progress_once(database_url, db):
    first = recruit(database_url, "demo")
    assert first.returncode == 0, first.stderr
    assert f"'{DECIDED_TITLE}' decided" in first.stdout and f"'{OPEN_TITLE}' taking applications" in first.stdout
    by_title = {c.title: c for c in service.competitions(db)}
    decided, in_progress = by_title[DECIDED_TITLE], by_title[OPEN_TITLE]

    # Decided: a ranking with every hurdle at work, the protocol kept with its hash on record.
    assert decided.state == "decided"
    ranking = decisions.entries(db, decided.id)
    assert [(e.rank, e.standing, e.decision) for e, _, _ in ranking if e.rank is not None] == [
        (1, "merit", "recommended"), (2, "reserve", "not_recommended"), (3, "reserve", "not_recommended"),
        (4, "none", "not_recommended")]
    assert sorted(e.failed_hurdle for e, _, _ in ranking if e.rank is None) == ["competency", "interview", "legislation"]
    statuses = [a.status for a, _, _ in service.applications(db, decided.id)]
    assert statuses.count("ineligible") == 1 and len(statuses) == 8
    protocol = decisions.protocol(db, decided.id)
    assert protocol is not None and protocol.pdf.startswith(b"%PDF")
    with db.read() as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "competition.protocol",
                                                        AuditEvent.subject_id == str(decided.id))).one()
        revised = session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "interview.revised")).one()
        conflicts = session.exec(select(ConflictDeclaration).where(ConflictDeclaration.conflicted.is_(True))).all()
    assert audited.after["sha256"] == hashlib.sha256(protocol.pdf).hexdigest() == protocol.sha256
    assert revised == 1 and len(conflicts) == 1 and conflicts[0].note

    # In progress: taking applications, some checked and some waiting, the demo candidates among them.
    assert in_progress.state == "open"
    rows = service.applications(db, in_progress.id)
    assert {"eligible", "submitted"} <= {a.status for a, _, _ in rows}
    with db.read() as session:
        emails = set(session.exec(select(User.email).join(Application, Application.candidate_id == User.id).where(
            Application.competition_id == in_progress.id)).all())
    assert {"candidate.kk@merit.demo", "candidate.ru@merit.demo", "candidate.en@merit.demo"} <= emails
    assert [seat.role for seat in commission.commission(db, in_progress.id)] == ["chair", "member", "member",
                                                                                 "secretary"]

    counts = _counts(db)
    second = recruit(database_url, "demo")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert _counts(db) == counts
    assert recruit(database_url, "audit", "verify").returncode == 0
