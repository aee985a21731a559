"""Competition pages through HTTP: HR announces and checks, candidates apply and follow, members declare."""

import re

from recruit.competitions import commission, service
from recruit.db import utcnow
from tests.competitions.conftest import DETAILS
from tests.conftest import post_form, sign_in


def test_hr_announces_a_competition_in_astana_time(client, db, hr, demo_bank):
    sign_in(client, hr.email)
    form = "/hr/competitions/new"
    assert client.get(form).status_code == 200
    incomplete = post_form(client, form, {"title": "Chief specialist", "state_body_code": "acsa",
                                          "position_category_code": "B-4", "region_code": "KZ-71", "kind": "general",
                                          "posts": "1", "closes_at": "2030-01-15T18:00", "requirements_ru": "Высшее"},
                           token_page=form)
    assert incomplete.status_code == 422 and service.competitions(db) == []
    created = post_form(client, form, {
        "title": "Chief specialist", "state_body_code": "acsa", "position_category_code": "B-4",
        "region_code": "KZ-71", "kind": "general", "posts": "2", "closes_at": "2030-01-15T18:00", "essay": "yes",
        "requirements_kk": "Жоғары заң білімі", "requirements_ru": "Высшее юридическое", "requirements_en": "Law degree"},
        token_page=form)
    assert created.status_code == 303
    competition = service.competitions(db)[0]
    assert competition.closes_at.hour == 13 and competition.posts == 2
    assert [s["code"] for s in competition.stages] == ["legislation", "competency", "essay", "interview"]
    assert "Chief specialist" in client.get("/hr/competitions").text


def test_a_candidate_applies_and_follows_the_timeline(client, db, announce, make_user):
    competition = announce()
    candidate = make_user(email="applicant@example.kz")
    sign_in(client, candidate.email)
    assert competition.title in client.get("/competitions").text
    page = f"/competitions/{competition.id}"
    assert "Higher education" in client.get(page).text
    missing = post_form(client, f"{page}/apply", {"education": "KazNU", "experience_years": "x"}, token_page=page)
    assert missing.status_code == 422 and "consent" in missing.text
    applied = post_form(client, f"{page}/apply", {"education": "KazNU, law, 2015", "experience_years": "6",
                                                  "consent": "yes"}, token_page=page)
    assert applied.status_code == 303
    text = client.get("/competitions").text
    assert "application submitted" in text and "awaiting the eligibility check" in text


def test_hr_checks_eligibility_and_the_candidate_sees_why(client, db, hr, announce, make_user):
    competition = announce()
    candidate = make_user(email="applicant@example.kz")
    application = service.apply(db, candidate, competition.id, DETAILS, True, utcnow())
    sign_in(client, hr.email)
    page = f"/hr/competitions/{competition.id}"
    url = f"{page}/applications/{application.id}/eligibility"
    assert post_form(client, url, {"eligible": "no", "reason": ""}, token_page=page).status_code == 422
    assert post_form(client, url, {"eligible": "no", "reason": "Experience under 2 years"},
                     token_page=page).status_code == 303
    sign_in(client, candidate.email)
    text = client.get("/competitions").text
    assert "does not meet the requirements" in text and "Experience under 2 years" in text


def test_hr_forms_the_commission_and_a_member_declares(client, db, hr, announce, make_user):
    competition = announce()
    panel = [make_user("commission_member", email=f"member{n}@example.kz") for n in range(4)]
    application = service.apply(db, make_user(), competition.id, DETAILS, True, utcnow())
    service.check_eligibility(db, hr, application.id, True, "Meets the requirements", utcnow())
    sign_in(client, hr.email)
    page = f"/hr/competitions/{competition.id}"
    even = post_form(client, f"{page}/commission", {"user": [str(p.id) for p in panel[:3]],
                                                   "role": ["chair", "member", "secretary"]}, token_page=page)
    assert even.status_code == 422 and commission.commission(db, competition.id) == []
    formed = post_form(client, f"{page}/commission", {"user": [str(p.id) for p in panel],
                                                     "role": ["chair", "member", "member", "secretary"]},
                       token_page=page)
    assert formed.status_code == 303 and len(commission.commission(db, competition.id)) == 4
    sign_in(client, panel[1].email)
    assert competition.title in client.get("/commission").text
    desk = f"/commission/competitions/{competition.id}"
    declared = post_form(client, f"{desk}/applications/{application.id}/declaration",
                         {"conflicted": "yes", "note": "My cousin"}, token_page=desk)
    assert declared.status_code == 303
    assert "Conflict declared" in client.get(desk).text
    assert commission.quorum(db, application.id).excluded == 1


def test_outsiders_learn_nothing_of_a_commission(client, db, hr, announce, make_user):
    competition = announce()
    make_user("commission_member", email="outsider@example.kz")
    sign_in(client, "outsider@example.kz")
    assert client.get(f"/commission/competitions/{competition.id}").status_code == 404
    assert not re.search(re.escape(competition.title), client.get("/commission").text)
