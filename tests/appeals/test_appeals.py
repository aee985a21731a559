"""Appeals: windows, reviewers, and an upheld item challenge that rescores everyone who had the item and
reinstates whoever it takes from fail to pass, changing nothing else."""

from datetime import timedelta

import pytest
from sqlmodel import select

from question_bank.assembly import form_from_json
from recruit import i18n
from recruit.appeals import service
from recruit.bank.models import AssembledForm
from recruit.bank.service import items_by_version
from recruit.competitions import service as competitions
from recruit.competitions.models import Application
from recruit.db import utcnow
from recruit.errors import FormErrors
from recruit.exams import service as exams
from recruit.exams.models import Attempt, Response
from recruit.notifications import service as inbox
from tests.competitions.conftest import apply_eligible
from tests.conftest import post_form, sign_in


def _attempts(db):
    with db.read() as session:
        return {a.id: a for a in session.exec(select(Attempt)).all()}


def _has(db, attempt, item_id, version):
    with db.read() as session:
        form = form_from_json(session.get(AssembledForm, attempt.form_id).content)
    return next((slot for slot, fi in enumerate(form.items, start=1)
                 if (fi.item_id, fi.version) == (item_id, version)), None)


@pytest.fixture
def failed_by_one(db, hr, announce, make_user, sit):
    """An applicant with 4 of 10 ethics questions right (5 needed) and others who sat the same test."""
    competition = announce()
    applicant = make_user(email="applicant@example.kz")
    application = apply_eligible(db, hr, applicant, competition.id)
    outcome = sit(applicant, "corps-b", 49)       # 15 + 15 + 15 + 4: the ethics minimum fails
    others = [make_user() for _ in range(6)]
    for person, right in zip(others, (55, 10, 30, 49, 50, 0), strict=True):
        sit(person, "corps-b", right)
    competitions.advance(db, utcnow())
    return applicant, application, outcome["attempt_id"], others


def test_an_upheld_challenge_rescores_everyone_with_the_item_and_nothing_else(db, failed_by_one, make_user):
    applicant, application, attempt_id, _ = failed_by_one
    with db.read() as session:
        assert session.get(Application, application.id).status == "out"
    appeal = service.challenge_item(db, applicant, attempt_id, 50, "Two options are correct under the Code",
                                    utcnow())
    before = {i: (a.correct, a.passed, dict(a.result)) for i, a in _attempts(db).items()}
    reviewer = make_user("author")
    decided = service.decide(db, reviewer, appeal.id, True, "The key contradicts article 5 of the Code", utcnow())
    after = _attempts(db)
    item = (appeal.item_id, appeal.item_version)
    affected = 0
    for attempt_id_, attempt in after.items():
        slot = _has(db, attempt, *item)
        if slot is None:
            assert (attempt.correct, attempt.passed, attempt.result) == before[attempt_id_], attempt_id_
            continue
        affected += 1
        with db.read() as session:
            response = session.get(Response, (attempt_id_, slot))
            key = items_by_version(session, [item])[item].key
        answered_right = response is not None and set(response.selected) == set(key)
        assert attempt.correct - before[attempt_id_][0] == (0 if answered_right else 1)
        assert attempt.result["neutralised"] == [slot]
    assert decided.report["rescored"] == affected
    flipped = {i for i, a in after.items() if before[i][1] is False and a.passed is True}
    assert {line["attempt"] for line in decided.report["changed"]} == flipped
    assert {"attempt": attempt_id, "candidate": applicant.id, "correct": [49, 50], "passed": [False, True],
            "reinstated_applications": [application.id]} in decided.report["changed"]
    with db.read() as session:
        reinstated = session.get(Application, application.id)
    assert (reinstated.status, reinstated.stage) == ("eligible", "competency")
    with i18n.using("en"):
        assert any("now 50 correct" in inbox.text(n) for n in inbox.inbox(db, applicant))


def test_appeal_windows_and_reviewers(db, failed_by_one, make_user):
    applicant, application, attempt_id, others = failed_by_one
    with pytest.raises(FormErrors):
        service.challenge_item(db, applicant, attempt_id, 3, "  ", utcnow())
    with pytest.raises(exams.ExamError, match="appeal period"):
        service.challenge_item(db, applicant, attempt_id, 3, "Wrong key", utcnow() + timedelta(days=3, minutes=1))
    with pytest.raises(exams.NotFound):
        service.challenge_item(db, others[0], attempt_id, 3, "Not mine", utcnow())
    appeal = service.challenge_item(db, applicant, attempt_id, 3, "Wrong key", utcnow())
    assert service.challenge_item(db, applicant, attempt_id, 3, "Again", utcnow()).id == appeal.id
    with pytest.raises(exams.NotFound):
        service.decide(db, make_user("hr_analyst"), appeal.id, True, "HR does not review items", utcnow())
    service.decide(db, make_user("author"), appeal.id, False, "The key is right: article 12", utcnow())
    with pytest.raises(exams.ExamError, match="decided"):
        service.decide(db, make_user("admin"), appeal.id, True, "Second thoughts", utcnow())
    review = service.request_review(db, applicant, application.id, "legislation", "Please recheck", utcnow())
    with pytest.raises(exams.NotFound):
        service.decide(db, make_user("author"), review.id, True, "Authors do not review stages", utcnow())
    with pytest.raises(exams.ExamError, match="review period"):
        service.request_review(db, applicant, application.id, "legislation", "Late", utcnow() + timedelta(days=11))


def test_candidates_file_and_reviewers_decide_through_the_pages(client, db, failed_by_one, make_user):
    applicant, application, attempt_id, _ = failed_by_one
    sign_in(client, applicant.email)
    assert post_form(client, "/appeals/items", {"attempt": str(attempt_id), "slot": "2", "grounds": "Ambiguous stem"},
                     token_page="/appeals").status_code == 303
    assert "under review" in client.get("/appeals").text
    make_user("author", email="reviewer@example.kz")
    sign_in(client, "reviewer@example.kz")
    appeal = service.mine(db, applicant)[0]
    assert "Ambiguous stem" in client.get("/appeals/pending").text
    assert post_form(client, f"/appeals/{appeal.id}/decision", {"uphold": "no", "reason": "The stem is clear"},
                     token_page="/appeals/pending").status_code == 303
    sign_in(client, applicant.email)
    assert "The stem is clear" in client.get("/appeals").text
