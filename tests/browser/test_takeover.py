"""One attempt, two devices: the candidate opens the test on a second device (another sign-in, so another
session), which takes the attempt over; the first tab is told so when it next saves, stops saving, and cannot
overwrite the newer answer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import attempt_of, choose, chosen, logged_kinds, sign_in, stored_answers
from tests.factories import PASSWORD, iin_for
from tests.live_server import LiveServer

EMAIL = "nurlan@example.kz"


def open_the_test(page: Page) -> None:
    """Start or continue the booked sitting: the first unanswered question opens."""
    page.locator("header nav").get_by_role("link", name="My tests").click()
    page.get_by_role("button", name="Start or continue").click()
    expect(page).to_have_url(re.compile(r"/exams/attempts/\d+/q/\d+$"))


@pytest.mark.slow
def test_a_second_device_takes_the_attempt_over(site: LiveServer, page: Page, new_page):
    site.recruit("user", "create", "--email", EMAIL, "--name", "Нурлан Ахметов", "--role", "candidate",
                 "--iin", iin_for(3), "--region", "KZ-71", "--language", "en", "--password-stdin",
                 stdin=PASSWORD + "\n")
    base = site.url
    sign_in(page, base, EMAIL)
    page.goto(base + "/exams")
    page.get_by_role("button", name="Book a seat").click()
    open_the_test(page)
    attempt_id = attempt_of(page)
    old_status = page.locator("#save-status")
    choose(page, 0)
    expect(old_status).to_have_attribute("data-state", "saved")
    first = chosen(page)

    # The second device: its question 1 shows the answer given on the first, and its change is saved.
    other = new_page()
    sign_in(other, base, EMAIL)
    open_the_test(other)
    expect(other).to_have_url(re.compile(rf"/exams/attempts/{attempt_id}/q/2$"))     # question 1 is answered
    other.goto(f"{base}/exams/attempts/{attempt_id}/q/1")
    assert chosen(other) == first
    choose(other, 1)
    newer = chosen(other)
    expect(other.locator("#save-status")).to_have_attribute("data-state", "saved")
    assert stored_answers(site, EMAIL, attempt_id) == {1: newer}

    # The first tab, still open on question 1, tries to change the answer back: it is refused and says why.
    choose(page, 2)
    expect(old_status).to_have_attribute("data-state", "replaced")
    expect(old_status).to_have_text("This test continues on another device. This page no longer saves.")
    for control in page.locator("#question-form input, #question-form button").all():
        expect(control).to_be_disabled()
    assert stored_answers(site, EMAIL, attempt_id) == {1: newer}
    assert "takeover" in logged_kinds(site.env["RECRUIT_DATABASE_URL"], attempt_id, "takeover")

    # The second device carries on undisturbed.
    choose(other, 2)
    latest = chosen(other)
    expect(other.locator("#save-status")).to_have_attribute("data-state", "saved")
    assert latest != newer and stored_answers(site, EMAIL, attempt_id) == {1: latest}
