"""A newcomer's whole exam day in Kazakh, in a real browser: switch the site to Kazakh, register with an IIN, book,
sit the test through a lost connection, submit, download the certificate and check it on the public page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import attempt_of, choose, choose_language, chosen, downloaded, pdf_text, stored_answers
from tests.factories import PASSWORD, iin_for
from tests.live_server import LiveServer

EMAIL = "dana.omarova@example.kz"
NAME = "Дана Омарова"


def register_in_kazakh(page: Page, base: str) -> None:
    page.goto(base + "/register")
    choose_language(page, "kk")
    expect(page.locator("h1")).to_have_text("Кандидат ретінде тіркелу")
    expect(page.locator("#f-language")).to_have_value("kk")        # the chosen language is the account's default
    page.fill("#f-full_name", NAME)
    page.fill("#f-iin", iin_for(7))
    page.fill("#f-email", EMAIL)
    page.select_option("#f-region_code", "KZ-55")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.locator('label[for="f-consent"]').click()
    page.get_by_role("button", name="Тіркелгі құру").click()
    expect(page.locator(".flash")).to_have_text("Қош келдіңіз! Тіркелгіңіз дайын.")
    expect(page.locator("form.logout .who")).to_have_text(NAME)


@pytest.mark.slow
def test_a_newcomer_registers_sits_and_verifies_a_certificate_in_kazakh(site: LiveServer, page: Page, new_page):
    base = site.url
    register_in_kazakh(page, base)
    page.locator("header nav").get_by_role("link", name="Менің тесттерім").click()
    page.get_by_role("button", name="Жазылу").click()
    page.get_by_role("button", name="Бастау немесе жалғастыру").click()
    expect(page).to_have_url(re.compile(r"/exams/attempts/\d+/q/1$"))
    attempt_id = attempt_of(page)
    expect(page.locator(".qnum")).to_have_text("55 сұрақтың 1-сі")
    status = page.locator("#save-status")

    choose(page, 1)
    first = chosen(page)
    expect(status).to_have_text("Барлық жауап сақталды")
    page.get_by_role("button", name=re.compile("Сақтау және келесі")).click()
    expect(page).to_have_url(re.compile(r"/q/2$"))

    # Offline, the candidate answers and changes her mind; the page says so in Kazakh and the server has nothing yet.
    page.context.set_offline(True)
    choose(page, 0)
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_contain_text("Байланыс үзілді")
    choose(page, 2)
    second = chosen(page)
    assert stored_answers(site, EMAIL, attempt_id) == {1: first}

    page.context.set_offline(False)
    expect(status).to_have_text("Барлық жауап сақталды")
    expect(page.locator('.navigator a[data-slot="2"]')).to_have_class(re.compile(r"\banswered\b"))
    assert stored_answers(site, EMAIL, attempt_id) == {1: first, 2: second}   # the last choice, not the first

    page.get_by_role("link", name="Тексеру және жіберу").click()
    expect(page.locator("main")).to_contain_text("Жауап берілді: 55 сұрақтың 2.")
    page.locator('label[for="confirm"]').click()
    page.get_by_role("button", name="Тестті жіберу").click()
    expect(page).to_have_url(re.compile(rf"/exams/attempts/{attempt_id}/result$"))
    expect(page.locator("h1")).to_have_text("Нәтиже")
    expect(page.locator(".verdict")).to_contain_text("Тапсырылмады")
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"[0-9A-F]{16}", code)

    certificate = pdf_text(downloaded(page, page.get_by_role("link", name="Куәлікті жүктеп алу (PDF)")))
    for phrase in (NAME, code, "Тапсырылмады"):
        assert phrase in certificate, phrase

    # Anyone holding the certificate checks its code without signing in, and sees initials only.
    public = new_page()
    public.goto(f"{base}/verify/{code}")
    expect(public.locator(".verdict")).to_have_text("This code belongs to a genuine result.")
    facts = public.locator("dl.facts")
    expect(facts).to_contain_text("Д*** О***")
    expect(facts).to_contain_text(re.compile(r"not passed \(\d+ / 55\)"))
    expect(facts).not_to_contain_text(NAME)
    public.goto(f"{base}/verify/{code[:-1]}")     # a character short
    expect(public.locator(".error-summary")).to_contain_text("No result has this code")
