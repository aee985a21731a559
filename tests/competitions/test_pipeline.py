"""Announcing, applying, the eligibility check and the pipeline that advances candidates on their results."""

from datetime import timedelta

import pytest
from sqlmodel import select

from recruit.audit.models import AuditEvent
from recruit.competitions import service
from recruit.competitions.models import Application, ApplicationEvent
from recruit.db import utcnow
from recruit.errors import FormErrors
from tests.competitions.conftest import DETAILS, REQUIREMENTS, apply_eligible


def _application(db, application_id):
    with db.read() as session:
        return session.get(Application, application_id)


def _timeline(db, application_id):
    with db.read() as session:
        return [(e.kind, e.stage) for e in session.exec(select(ApplicationEvent).where(
            ApplicationEvent.application_id == application_id).order_by(ApplicationEvent.id))]


def test_an_announcement_needs_complete_rules(db, hr, demo_bank):
    form = service.Announcement(title="Specialist", state_body_code="acsa", position_category_code="B-4",
                                region_code="KZ-71", requirements={"ru": "Высшее"}, closes_at=utcnow() - timedelta(days=1))
    with pytest.raises(FormErrors) as refused:
        service.announce(db, hr, form, utcnow())
    assert set(refused.value.errors) == {"requirements", "closes_at"}
    assert service.competitions(db) == []


def test_applying_is_once_with_consent_while_open(db, announce, make_user):
    competition, candidate = announce(), make_user()
    with pytest.raises(FormErrors) as refused:
        service.apply(db, candidate, competition.id, DETAILS, False, utcnow())
    assert "consent" in refused.value.errors
    first = service.apply(db, candidate, competition.id, DETAILS, True, utcnow())
    assert service.apply(db, candidate, competition.id, DETAILS, True, utcnow()).id == first.id
    closed = announce(closes_in=timedelta(seconds=1))
    with pytest.raises(service.CompetitionError):
        service.apply(db, candidate, closed.id, DETAILS, True, utcnow() + timedelta(seconds=2))
    with pytest.raises(service.CompetitionError):
        service.apply(db, make_user("author"), competition.id, DETAILS, True, utcnow())


def test_eligibility_is_decided_with_a_reason(db, hr, announce, make_user):
    competition, candidate = announce(), make_user()
    application = service.apply(db, candidate, competition.id, DETAILS, True, utcnow())
    with pytest.raises(FormErrors):
        service.check_eligibility(db, hr, application.id, False, "  ", utcnow())
    service.check_eligibility(db, hr, application.id, False, "No higher education", utcnow())
    stored = _application(db, application.id)
    assert (stored.status, stored.stage, stored.eligibility_reason) == ("ineligible", None, "No higher education")
    assert _timeline(db, application.id) == [("applied", None), ("ineligible", None)]


def test_a_still_valid_pass_is_reused_and_the_candidate_advances_at_once(db, hr, announce, make_user, sit):
    candidate = make_user()
    sit(candidate, "corps-b", 50, utcnow() - timedelta(days=40))   # passed 40 days ago, elsewhere
    competition = announce()
    application = apply_eligible(db, hr, candidate, competition.id)
    stored = _application(db, application.id)
    assert (stored.status, stored.stage) == ("eligible", "competency")
    assert _timeline(db, application.id)[-1] == ("passed", "legislation")
    with db.read() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "application.advanced")).one()
    assert audit.after["rule"] == "passed the test (a valid result is reused)" and audit.after["score"] == 50


def test_a_fail_after_applying_stops_the_candidate_and_an_older_fail_does_not(db, hr, announce, make_user, sit):
    earlier, later = make_user(), make_user()
    sit(earlier, "corps-b", 10, utcnow() - timedelta(days=60))     # failed before applying
    competition = announce()
    a = apply_eligible(db, hr, earlier, competition.id)
    b = apply_eligible(db, hr, later, competition.id)
    assert _application(db, a.id).stage == "legislation"
    sit(later, "corps-b", 20)
    assert service.advance(db, utcnow()) == 1
    assert (_application(db, b.id).status, _application(db, b.id).stage) == ("out", None)
    assert _application(db, a.id).status == "eligible"


def test_closing_testing_admits_the_top_five_with_ties_and_drops_absentees(db, hr, announce, make_user, sit):
    competition = announce(closes_in=timedelta(hours=1))
    levels = [5, 5, 4, 4, 4, 3, 2, 2]       # agreement levels -> competency scores; the 5th place is tied
    people = [make_user() for _ in range(len(levels) + 1)]
    applications = [apply_eligible(db, hr, p, competition.id) for p in people]
    for person in people:
        sit(person, "corps-b", 50)
    for person, level in zip(people, levels, strict=False):   # the last person never sits the assessment
        sit(person, "competency", level)
    later = utcnow() + timedelta(hours=2)
    with pytest.raises(service.CompetitionError):
        service.close_testing(db, hr, competition.id, utcnow())        # applications are still open
    service.advance(db, later)
    assert service.competition(db, competition.id).state == "testing"
    assert service.close_testing(db, hr, competition.id, later) == len(people)
    stages = [_application(db, a.id).stage for a in applications]
    assert stages == ["interview"] * 5 + [None] * 4
    assert service.competition(db, competition.id).state == "interviews"
    assert _timeline(db, applications[-1].id)[-1] == ("stopped", "competency")


def test_unchecked_applications_block_closing_testing(db, hr, announce, make_user):
    competition = announce(closes_in=timedelta(seconds=1))
    service.apply(db, make_user(), competition.id, DETAILS, True, utcnow())
    later = utcnow() + timedelta(seconds=2)
    service.advance(db, later)
    with pytest.raises(service.CompetitionError, match="eligibility"):
        service.close_testing(db, hr, competition.id, later)


def test_requirements_are_kept_in_every_language(db, announce):
    assert service.competition(db, announce().id).requirements == {"text": REQUIREMENTS}
