"""The final session: ranking from recorded outcomes, decisions, the protocol and its hash, the contracts."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from recruit import i18n
from recruit.audit.models import AuditEvent
from recruit.competitions import commission, decisions, interviews, protocols, service
from recruit.competitions.models import Interview
from recruit.db import utcnow
from recruit.notifications import service as inbox
from recruit.statistics import appendices
from recruit.statistics.counts import ASTANA
from recruit.statistics.service import pass_rate_report
from tests.competitions.conftest import apply_eligible
from tests.test_cli import recruit


@pytest.fixture
def decided(db, hr, announce, make_user, sit):
    """Four applicants: three reach the interview (two of them identical in every score), one fails the test."""
    competition = announce(closes_in=timedelta(hours=1), posts=1)
    people = [make_user(email=f"applicant{n}@example.kz") for n in range(4)]
    applications = [apply_eligible(db, hr, person, competition.id) for person in people]
    for person, right in zip(people, (50, 50, 55, 12), strict=True):
        sit(person, "corps-b", right)
    for person in people[:3]:
        sit(person, "competency", 4)
    service.close_testing(db, hr, competition.id, utcnow() + timedelta(hours=2))
    panel = [make_user("commission_member", email=f"member{n}@example.kz") for n in range(4)]
    commission.form_commission(db, hr, competition.id, [(panel[0].id, "chair"), (panel[1].id, "member"),
                                                        (panel[2].id, "member"), (panel[3].id, "secretary")], utcnow())
    for application, level in zip(applications[:3], (4, 4, 3), strict=True):
        with db.read() as session:
            interview = session.exec(select(Interview).where(Interview.application_id == application.id)).one()
        for member in panel[:3]:
            commission.declare(db, member, application.id, False, "", utcnow())
            interviews.submit(db, member, interview.id, {c["code"]: {"level": level, "evidence": "Specific example"}
                                                         for c in interview.rubric["competencies"]}, utcnow())
    return competition, applications, people, panel


def test_the_final_session_ranks_decides_and_issues_a_hashed_protocol(db, decided):
    competition, applications, people, panel = decided
    with pytest.raises(service.CompetitionError):
        protocols.hold_final_session(db, panel[1], competition.id, "Astana, room 301", utcnow())   # not the chair
    digest = protocols.hold_final_session(db, panel[0], competition.id, "Astana, room 301", utcnow())
    ranked = decisions.entries(db, competition.id)
    order = [(e.rank, a.id, e.standing, e.decision) for e, a, _ in ranked]
    # Applicants 0 and 1 tie on every score; the earlier application goes first. Applicant 2 scored lower at the
    # interview, which weighs twice; applicant 3 failed the legislation test.
    assert order == [(1, applications[0].id, "merit", "recommended"), (2, applications[1].id, "reserve", "not_recommended"),
                     (3, applications[2].id, "reserve", "not_recommended"), (None, applications[3].id, "none", "not_recommended")]
    assert ranked[0][0].tie_break and ranked[3][0].failed_hurdle == "legislation"
    assert service.competition(db, competition.id).state == "decided"
    stored = decisions.protocol(db, competition.id)
    assert hashlib.sha256(stored.pdf).hexdigest() == digest
    with db.read() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "competition.protocol")).one()
    assert audit.after["sha256"] == digest
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.pdf)).pages).split())
    for name in [m.full_name for m in panel] + [p.full_name for p in people]:
        assert name in text, name
    assert "recommended" in text and "not recommended" in text and "Astana, room 301" in text
    with i18n.using("ru"):
        news = [inbox.text(n) for n in inbox.inbox(db, people[3])]
    assert "«Chief specialist, legal department»: комиссия вас не рекомендовала (Не прошёл этап: Тестирование на знание законодательства.)." in news
    with i18n.using("en"):
        reliability = appendices.interview_reliability(db, pass_rate_report(db, "legislation", "region"))
    assert [row[0] for row in reliability.rows] == [competition.title]
    closed = str(competition.closes_at.astimezone(ASTANA).year)     # a report of another year leaves it out
    assert appendices.interview_reliability(db, pass_rate_report(db, "legislation", "region", closed))
    assert appendices.interview_reliability(db, pass_rate_report(db, "legislation", "region", "2017")) is None


def test_the_ranking_contract_over_cli_and_api(db, client, database_url, decided, token_for, make_user, hr):
    competition, applications, people, panel = decided
    provisional = decisions.ranking_json(db, competition.id)
    assert not provisional["final"] and {e["decision"] for e in provisional["entries"]} == {None}
    protocols.hold_final_session(db, panel[0], competition.id, "Astana", utcnow())
    result = recruit(database_url, "ranking", str(competition.id), "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["competition_id"] == competition.id
    assert [(e["rank"], e["candidate_id"], e["decision"]) for e in body["entries"]][:2] == [
        (1, people[0].id, "recommended"), (2, people[1].id, "not_recommended")]
    assert all({"rank", "candidate_id", "composite", "decision", "tie_break"} <= set(e) for e in body["entries"])
    assert client.get(f"/api/v1/competitions/{competition.id}/ranking", headers=token_for(hr.email)).json() == body
    assert client.get(f"/api/v1/competitions/{competition.id}/ranking",
                      headers=token_for(panel[2].email)).status_code == 200
    make_user("commission_member", email="outsider@example.kz")
    assert client.get(f"/api/v1/competitions/{competition.id}/ranking",
                      headers=token_for("outsider@example.kz")).status_code == 404
    assert client.get(f"/api/v1/competitions/{competition.id}/ranking",
                      headers=token_for(people[0].email)).status_code == 403


def test_recruit_protocol_writes_the_issued_pdf(db, database_url, decided, tmp_path):
    competition, _, _, panel = decided
    draft = tmp_path / "draft.pdf"
    assert recruit(database_url, "protocol", str(competition.id), "--out", str(draft)).returncode == 0
    assert draft.read_bytes().startswith(b"%PDF")
    digest = protocols.hold_final_session(db, panel[0], competition.id, "Astana", utcnow())
    issued = tmp_path / "issued.pdf"
    result = recruit(database_url, "protocol", str(competition.id), "--out", str(issued))
    assert result.returncode == 0 and digest in result.stdout
    assert hashlib.sha256(issued.read_bytes()).hexdigest() == digest
