"""The operator console and integrity reports through HTTP, as operators, commission members and candidates."""

import re
from datetime import timedelta

import pytest

from recruit.db import utcnow
from recruit.exams import operations, service
from recruit.exams.models import Sitting
from tests.conftest import csrf_token, post_form, sign_in


@pytest.fixture
def operator(make_user):
    return make_user("operator", email="operator@example.kz")


@pytest.fixture
def own_sitting(db, sitting, operator):
    with db.write() as session:
        row = session.get(Sitting, sitting.id)
        row.operator_id = operator.id
        session.add(row)
    return sitting


@pytest.fixture
def running(db, own_sitting, make_user):
    """A candidate who has started on the operator's sitting: (candidate, attempt view)."""
    candidate = make_user(email="candidate@example.kz")
    service.book(db, candidate, own_sitting.id, utcnow())
    view, _ = service.start(db, candidate, own_sitting.id, "ru", utcnow(), "device-a")
    return candidate, view


def test_the_board_lists_candidates_and_refreshes_itself(client, own_sitting, running, operator):
    candidate, view = running
    sign_in(client, operator.email)
    page = client.get(f"/operator/sittings/{own_sitting.id}")
    assert page.status_code == 200 and candidate.full_name in page.text and "in progress" in page.text
    assert 'hx-trigger="every 5s"' in page.text
    partial = client.get(f"/operator/sittings/{own_sitting.id}", headers={"hx-request": "true"})
    assert partial.text.lstrip().startswith('<div id="board"') and "<html" not in partial.text
    assert f"/operator/attempts/{view.id}" in partial.text
    assert own_sitting.title in client.get("/operator").text


def test_pausing_the_sitting_through_the_console(client, db, own_sitting, running, operator):
    candidate, view = running
    sign_in(client, operator.email)
    page = f"/operator/sittings/{own_sitting.id}"
    refused = post_form(client, f"{page}/pause", {"reason": " "}, token_page=page)
    assert refused.status_code == 422 and "State the reason" in refused.text
    assert post_form(client, f"{page}/pause", {"reason": "Network outage"}, token_page=page).status_code == 303
    assert service.view(db, candidate, view.id, utcnow()).paused
    assert "The sitting is paused since" in client.get(page).text
    assert post_form(client, f"{page}/resume", {}, token_page=page).status_code == 303
    assert not service.view(db, candidate, view.id, utcnow()).paused


def test_attempt_actions_and_the_log_page(client, db, running, operator):
    candidate, view = running
    sign_in(client, operator.email)
    log = f"/operator/attempts/{view.id}"
    assert post_form(client, f"{log}/extend", {"minutes": "7", "reason": "Fire alarm"}, token_page=log).status_code == 303
    assert service.view(db, candidate, view.id, utcnow()).deadline_at == view.deadline_at + timedelta(minutes=7)
    assert post_form(client, f"{log}/terminate", {"reason": "Used a phone"}, token_page=log).status_code == 303
    text = client.get(log).text
    assert "extra time granted" in text and "Fire alarm" in text and "terminated by the operator" in text
    assert post_form(client, f"{log}/explode", {"reason": "x"}, token_page=log).status_code == 404
    closed = post_form(client, f"{log}/pause", {"reason": "Too late"}, token_page=log)
    assert closed.status_code == 409 and "This attempt is closed" in closed.text


def test_commission_members_cannot_act_nor_read_the_log_of_a_candidate_they_do_not_judge(client, make_user, running):
    """(A member seated on a competition the candidate applied to reads it: tests/security/test_idor.py.)"""
    _, view = running
    make_user("commission_member", email="member@example.kz")
    sign_in(client, "member@example.kz")
    assert client.get(f"/operator/attempts/{view.id}").status_code == 404
    response = post_form(client, f"/operator/attempts/{view.id}/pause", {"reason": "x"}, token_page="/account")
    assert response.status_code == 403


def test_another_operator_sees_nothing_of_the_sitting(client, make_user, own_sitting, running):
    _, view = running
    make_user("operator", email="other@example.kz")
    sign_in(client, "other@example.kz")
    assert client.get(f"/operator/sittings/{own_sitting.id}").status_code == 404
    assert client.get(f"/operator/attempts/{view.id}").status_code == 404
    assert post_form(client, f"/operator/attempts/{view.id}/pause", {"reason": "x"},
                     token_page="/operator").status_code == 404
    assert own_sitting.title not in client.get("/operator").text


def test_admitting_a_candidate_and_setting_accommodations(client, db, own_sitting, operator, make_user):
    candidate = make_user(email="walk-in@example.kz")
    sign_in(client, operator.email)
    page = f"/operator/sittings/{own_sitting.id}"
    unknown = post_form(client, f"{page}/admit", {"candidate": "000000000000"}, token_page=page)
    assert unknown.status_code == 422
    assert post_form(client, f"{page}/admit", {"candidate": candidate.iin}, token_page=page).status_code == 303
    seat = operations.board(db, operator, own_sitting.id, utcnow()).seats[0]
    assert seat.candidate == candidate.full_name and seat.admitted_by == operator.email
    form = f"{page}/bookings/{seat.booking_id}"
    assert client.get(form).status_code == 200
    missing_reason = post_form(client, form, {"extra_minutes": "20", "extra_percent": "0"}, token_page=form)
    assert missing_reason.status_code == 422
    saved = post_form(client, form, {"extra_minutes": "20", "extra_percent": "0", "large_text": "1",
                                     "reason": "Medical certificate"}, token_page=form)
    assert saved.status_code == 303
    seat = operations.board(db, operator, own_sitting.id, utcnow()).seats[0]
    assert (seat.extra_minutes, seat.large_text, seat.accommodation_reason) == (20, True, "Medical certificate")


def test_operators_create_sittings_in_astana_time(client, db, operator, demo_bank):
    sign_in(client, operator.email)
    form = "/operator/sittings/new"
    assert client.get(form).status_code == 200
    bad = post_form(client, form, {"title": "", "program": "corps-b", "opens_at": "nonsense"}, token_page=form)
    assert bad.status_code == 422
    created = post_form(client, form, {
        "title": "Astana hall 3", "program": "corps-b", "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-03-01T13:00", "mode": "venue", "venue": "Mangilik El 8", "region": "KZ-71",
        "capacity": "40"}, token_page=form)
    assert created.status_code == 303
    sitting_id = int(re.search(r"/operator/sittings/(\d+)", created.headers["location"]).group(1))
    with db.read() as session:
        sitting = session.get(Sitting, sitting_id)
    assert sitting.opens_at.hour == 4 and sitting.operator_id == operator.id and sitting.capacity == 40


def test_the_exam_page_reports_to_the_integrity_log(client, db, own_sitting, running, operator):
    candidate, view = running
    sign_in(client, candidate.email)
    page = f"/exams/attempts/{view.id}/q/1"
    token = csrf_token(client, page)
    report = client.post(f"/exams/attempts/{view.id}/events", json={"kind": "hidden"},
                         headers={"x-csrftoken": token})
    assert report.status_code == 200 and report.json() == {"logged": True}
    assert client.post(f"/exams/attempts/{view.id}/events", json={"kind": "nonsense"},
                       headers={"x-csrftoken": token}).status_code == 422
    assert client.post(f"/exams/attempts/{view.id}/events", json={"kind": "hidden"}).status_code == 403
    state = client.get(f"/exams/attempts/{view.id}/state").json()
    assert state["state"] == "in_progress" and not state["paused"]
    kinds = [e.kind for e in operations.integrity_log(db, operator, view.id, utcnow()).events]
    assert "hidden" in kinds and "takeover" in kinds   # this browser's session took over from "device-a"
