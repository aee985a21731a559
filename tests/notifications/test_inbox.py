"""The inbox: written with each change, read in the reader's language, marked read."""

from recruit.competitions import service
from recruit.db import utcnow
from recruit.notifications import service as inbox
from tests.competitions.conftest import DETAILS
from tests.conftest import post_form, sign_in


def test_status_changes_reach_the_inbox_in_the_readers_language(client, db, hr, announce, make_user):
    competition = announce(title="Главный специалист")
    candidate = make_user(email="applicant@example.kz", language="ru")
    application = service.apply(db, candidate, competition.id, DETAILS, True, utcnow())
    service.check_eligibility(db, hr, application.id, False, "Стаж менее двух лет", utcnow())
    assert inbox.unread(db, candidate) == 2
    sign_in(client, candidate.email)
    page = client.get("/inbox").text
    assert "«Главный специалист»" in page or "“Главный специалист”" in page
    assert "Стаж менее двух лет" in page and "не соответствует требованиям" in page
    assert post_form(client, "/inbox/read", {}, token_page="/inbox").status_code == 303
    assert inbox.unread(db, candidate) == 0
    assert inbox.unread(db, hr) == 0   # HR's own actions do not notify HR


def test_an_inbox_shows_only_ones_own_messages(client, db, announce, make_user):
    competition = announce()
    service.apply(db, make_user(email="one@example.kz"), competition.id, DETAILS, True, utcnow())
    make_user(email="two@example.kz")
    sign_in(client, "two@example.kz")
    assert competition.title not in client.get("/inbox").text
