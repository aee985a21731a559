"""Blind interview scoring: declarations first, locked sheets, no peeking before close (HTML and API),
moderation when members differ by more than 2 points, trimmed means, quorum, and the stage it decides."""

from datetime import timedelta

import pytest
from sqlmodel import select

from recruit.audit.models import AuditEvent
from recruit.accounts.service import current_user
from recruit.appeals import service as appeals
from recruit.competitions import commission, interviews, service
from recruit.competitions.models import Application, Interview
from recruit.db import utcnow
from recruit.errors import FormErrors
from tests.competitions.conftest import apply_eligible
from tests.conftest import PASSWORD, csrf_token, sign_in


@pytest.fixture
def hall(db, hr, announce, make_user, sit):
    """A competition at interviews with one applicant at the interview stage and a panel of five voters."""
    competition = announce(closes_in=timedelta(hours=1))
    applicant = make_user(email="applicant@example.kz")
    application = apply_eligible(db, hr, applicant, competition.id)
    sit(applicant, "corps-b", 50)
    sit(applicant, "competency", 4)
    service.close_testing(db, hr, competition.id, utcnow() + timedelta(hours=2))
    panel = [make_user("commission_member", email=f"m{n}@example.kz") for n in range(6)]
    seats = [(panel[0].id, "chair"), *((p.id, "member") for p in panel[1:5]), (panel[5].id, "secretary")]
    commission.form_commission(db, hr, competition.id, seats, utcnow())
    with db.read() as session:
        interview = session.exec(select(Interview).where(Interview.application_id == application.id)).one()
    return interview, application, panel


def scores(interview, level):
    return {c["code"]: {"level": level, "evidence": f"Answer showed level {level}"} for c in interview.rubric["competencies"]}


def declare_all(db, panel, application, conflicted=()):
    for n, member in enumerate(panel[:5]):
        commission.declare(db, member, application.id, n in conflicted, "Relative" if n in conflicted else "", utcnow())


def _seat(db, competition_id, member):
    return next(s for s in commission.commission(db, competition_id) if s.user_id == member.id)


def test_scores_need_a_declaration_and_are_locked_once_submitted(db, hall):
    interview, application, panel = hall
    with pytest.raises(service.CompetitionError, match="Declare"):
        interviews.submit(db, panel[1], interview.id, scores(interview, 3), utcnow())
    declare_all(db, panel, application, conflicted=(4,))
    with pytest.raises(service.CompetitionError, match="conflict"):
        interviews.submit(db, panel[4], interview.id, scores(interview, 3), utcnow())
    with pytest.raises(FormErrors):
        interviews.submit(db, panel[1], interview.id, {**scores(interview, 3), "integrity": {"level": 7}}, utcnow())
    interviews.submit(db, panel[1], interview.id, scores(interview, 3), utcnow())
    with pytest.raises(service.CompetitionError, match="locked"):
        interviews.submit(db, panel[1], interview.id, scores(interview, 5), utcnow())


def test_nobody_sees_another_members_scores_before_close(db, client, hall, token_for):
    interview, application, panel = hall
    declare_all(db, panel, application)
    interviews.submit(db, panel[1], interview.id, scores(interview, 4), utcnow())
    seat = _seat(db, interview.competition_id, panel[1])
    headers = token_for(panel[2].email)
    assert client.get(f"/api/v1/interviews/{interview.id}/sheets/{seat.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/interviews/{interview.id}/scores", headers=headers).json()["others"] is None
    sign_in(client, panel[2].email)
    assert client.get(f"/commission/interviews/{interview.id}/sheets/{seat.id}").status_code == 404
    assert "Answer showed level 4" not in client.get(f"/commission/interviews/{interview.id}").text
    for member in panel[2:5]:
        interviews.submit(db, member, interview.id, scores(interview, 4), utcnow())
    interviews.submit(db, panel[0], interview.id, scores(interview, 5), utcnow())   # the last one closes scoring
    assert client.get(f"/commission/interviews/{interview.id}/sheets/{seat.id}").status_code == 200
    others = client.get(f"/api/v1/interviews/{interview.id}/scores", headers=headers).json()["others"]
    assert len(others) == 4


def test_outsiders_and_candidates_cannot_read_or_score(db, client, hall, token_for, make_user):
    interview, application, panel = hall
    make_user("commission_member", email="outsider@example.kz")
    headers = token_for("outsider@example.kz")
    assert client.get(f"/api/v1/interviews/{interview.id}/scores", headers=headers).status_code == 404
    assert client.post(f"/api/v1/interviews/{interview.id}/scores", headers=headers,
                       json={"scores": scores(interview, 5)}).status_code == 404
    candidate = token_for("applicant@example.kz")
    assert client.get(f"/api/v1/interviews/{interview.id}/scores", headers=candidate).status_code == 403


def test_a_wide_spread_opens_moderation_and_revisions_keep_the_original(db, client, hall, token_for):
    interview, application, panel = hall
    declare_all(db, panel, application)
    levels = [5, 4, 4, 4, 1]
    for member, level in zip(panel[:5], levels, strict=True):
        interviews.submit(db, member, interview.id, scores(interview, level), utcnow())
    assert interviews.view(db, panel[0], interview.id).interview.state == "moderation"
    with pytest.raises(FormErrors):
        interviews.revise(db, panel[4], interview.id, scores(interview, 3), " ", utcnow())
    revised = client.post(f"/api/v1/interviews/{interview.id}/scores", headers=token_for(panel[4].email),
                          json={"scores": scores(interview, 3), "justification": "Misread the answer on ethics"})
    assert revised.status_code == 200 and revised.json()["justification"] == "Misread the answer on ethics"
    with db.read() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "interview.revised")).one()
    assert {c["level"] for c in audit.before["scores"].values()} == {1}
    with pytest.raises(service.CompetitionError, match="chair"):
        interviews.finish_moderation(db, panel[1], interview.id, utcnow())
    final = interviews.finish_moderation(db, panel[0], interview.id, utcnow())
    # Five raters: the trimmed mean drops the highest (5) and the lowest (3) of 5, 4, 4, 4, 3.
    assert final.valid and final.result["overall"] == 4.0
    with db.read() as session:
        assert session.get(Application, application.id).stage is None   # the interview stage is passed


def test_below_quorum_there_is_no_result_and_no_decision(db, hall):
    interview, application, panel = hall
    declare_all(db, panel, application)
    interviews.submit(db, panel[1], interview.id, scores(interview, 5), utcnow())
    with pytest.raises(service.CompetitionError):
        interviews.close(db, panel[1], interview.id, utcnow())             # only the chair closes
    closed = interviews.close(db, panel[0], interview.id, utcnow())
    assert closed.state == "final" and closed.valid is False and closed.result["required"] == 4
    with db.read() as session:
        assert session.get(Application, application.id).stage == "interview"


def test_a_low_final_score_stops_the_applicant(db, hall):
    interview, application, panel = hall
    declare_all(db, panel, application, conflicted=(1, 2))     # three may score; the quorum is two
    for member in (panel[0], panel[3], panel[4]):
        interviews.submit(db, member, interview.id, scores(interview, 2), utcnow())
    with db.read() as session:
        stored = session.get(Application, application.id)
    assert (stored.status, stored.stage) == ("out", None)


def test_a_member_scores_through_the_page(db, client, hall):
    interview, application, panel = hall
    declare_all(db, panel, application)
    sign_in(client, panel[1].email, PASSWORD)
    page = f"/commission/interviews/{interview.id}"
    text = client.get(page).text
    assert interview.rubric["competencies"][0]["levels"]["5"]["en"] in text
    form = {f"level_{c['code']}": "4" for c in interview.rubric["competencies"]}
    form |= {f"evidence_{c['code']}": "Concrete example given" for c in interview.rubric["competencies"]}
    missing = client.post(f"{page}/scores", data={**form, f"evidence_{interview.rubric['competencies'][0]['code']}": "",
                                                 "_csrf_token": csrf_token(client, page)}, follow_redirects=False)
    assert missing.status_code == 422
    done = client.post(f"{page}/scores", data={**form, "_csrf_token": csrf_token(client, page)}, follow_redirects=False)
    assert done.status_code == 303
    assert interviews.view(db, panel[1], interview.id).mine.scores[interview.rubric["competencies"][0]["code"]]["level"] == 4


def test_an_upheld_review_sends_the_interview_back_for_a_fresh_round(db, hall, hr):
    interview, application, panel = hall
    declare_all(db, panel, application)
    for member in panel[:5]:
        interviews.submit(db, member, interview.id, scores(interview, 2), utcnow())
    with db.read() as session:
        candidate = current_user(db, session.get(Application, application.id).candidate_id)
    review = appeals.request_review(db, candidate, application.id, "interview", "A member slept through it", utcnow())
    appeals.decide(db, hr, review.id, True, "Two members arrived late; the interview is repeated", utcnow())
    reopened = interviews.view(db, panel[1], interview.id)
    assert reopened.interview.state == "scoring" and reopened.mine is None and reopened.others is None
    for member in panel[:5]:
        interviews.submit(db, member, interview.id, scores(interview, 4), utcnow())
    with db.read() as session:
        stored = session.get(Application, application.id)
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "appeal.upheld")).one()
    assert (stored.status, stored.stage) == ("eligible", None)
    assert len(audit.after["report"]["withdrawn"]["sheets"]) == 5
