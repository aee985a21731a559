"""A candidate's exam day in a real browser: sign in, switch to Russian, book, start, lose the connection while
answering, come back, submit through review and confirmation, and download the certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import (choose, choose_language, chosen, downloaded, logged_kinds, pdf_text, sign_in,
                                 stored_answers)
from tests.factories import PASSWORD, iin_for
from tests.live_server import LiveServer

EMAIL = "aigerim@example.kz"
NAME = "Айгерим Сапарова"


@pytest.fixture
def candidate(site: LiveServer) -> LiveServer:
    """A candidate who reads the site in Kazakh, created with the real command."""
    site.recruit("user", "create", "--email", EMAIL, "--name", NAME, "--role", "candidate", "--iin", iin_for(1),
                 "--region", "KZ-55", "--language", "kk", "--password-stdin", stdin=PASSWORD + "\n")
    return site


def sign_in_in_russian(page: Page, base: str) -> None:
    sign_in(page, base, EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "kk")    # the account's language
    choose_language(page, "ru")
    expect(page.locator("header nav")).to_contain_text("Мои тесты")


@pytest.mark.slow
def test_a_candidate_sits_a_test_in_russian_through_a_lost_connection(candidate: LiveServer, page: Page):
    base = candidate.url
    sign_in_in_russian(page, base)
    page.goto(base + "/exams")
    page.get_by_role("button", name="Записаться").click()
    page.get_by_role("button", name="Начать или продолжить").click()
    expect(page).to_have_url(re.compile(r"/exams/attempts/\d+/q/1$"))
    attempt_id = int(page.url.split("/")[-3])
    status = page.locator("#save-status")
    expect(page.locator(".qnum")).to_have_text("Вопрос 1 из 55")

    choose(page, 0)
    first = chosen(page)
    expect(status).to_have_attribute("data-state", "saved")
    page.get_by_role("button", name=re.compile("Сохранить и далее")).click()
    expect(page).to_have_url(re.compile(r"/q/2$"))

    # The connection drops; the candidate keeps answering: the page keeps the newest unsent save of the question.
    page.context.set_offline(True)
    choose(page, 0)
    choose(page, 1)
    second = chosen(page)
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_contain_text("Связь потеряна")
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('merit:{attempt_id}:queue'))")
    assert [(e["slot"], sorted(e["choice_ids"])) for e in queued] == [(2, second)]
    assert stored_answers(candidate, EMAIL, attempt_id) == {1: first}

    # Back online: the kept save is replayed and acknowledged, and the server holds it.
    page.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_have_text("Все ответы сохранены")
    expect(page.locator('.navigator a[data-slot="2"]')).to_have_class(re.compile(r"\banswered\b"))
    assert page.evaluate(f"JSON.parse(localStorage.getItem('merit:{attempt_id}:queue'))") == []
    assert stored_answers(candidate, EMAIL, attempt_id) == {1: first, 2: second}
    kinds = logged_kinds(candidate.env["RECRUIT_DATABASE_URL"], attempt_id, "reconnected")
    assert "reconnected" in kinds   # shown to the operator
    page.reload()
    expect(page.locator(".qnum")).to_have_text("Вопрос 2 из 55")
    assert chosen(page) == second

    page.get_by_role("link", name="Проверить и отправить").click()
    expect(page.locator("main")).to_contain_text("Отвечено: 2 из 55.")
    page.check("#confirm")
    page.get_by_role("button", name="Отправить тест").click()
    expect(page).to_have_url(re.compile(rf"/exams/attempts/{attempt_id}/result$"))
    expect(page.locator("h1")).to_have_text("Результат")
    expect(page.locator(".verdict")).to_contain_text("Не сдано")      # 2 answers cannot reach 30

    text = pdf_text(downloaded(page, page.get_by_role("link", name="Скачать свидетельство (PDF)")))
    for phrase in (NAME, "Конституция Республики Казахстан", "Русский", "Не сдано"):
        assert phrase in text, phrase
