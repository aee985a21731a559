"""A candidate's exam day in a real browser: sign in, switch to Russian, book, start, lose the connection while
answering, come back, submit through review and confirmation, and download the certificate."""

from __future__ import annotations

import io
import re
import time

import httpx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import select

from recruit.db import Database
from recruit.exams.models import AttemptEvent

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


def choose(page: Page, index: int) -> None:
    """Click the index-th option as a person would, on its label (a radio button or a checkbox)."""
    option = page.locator('input[name="choice"]').nth(index)
    page.locator(f'label[for="{option.get_attribute("id")}"]').click()


def chosen(page: Page) -> list[str]:
    """The opaque ids of the options ticked on the page, sorted."""
    return sorted(page.locator('input[name="choice"]:checked').evaluate_all("inputs => inputs.map(i => i.value)"))


def stored_answers(server: LiveServer, attempt_id: int) -> dict[int, list[str]]:
    """What the server holds, read through the API with the candidate's own token."""
    token = httpx.post(f"{server.url}/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD}).json()["token"]
    state = httpx.get(f"{server.url}/api/v1/attempts/{attempt_id}", headers={"authorization": f"Bearer {token}"})
    return {r["slot"]: sorted(r["choice_ids"]) for r in state.json()["responses"]}


def logged_kinds(database_url: str, attempt_id: int, wait_seconds: float = 5) -> list[str]:
    """The attempt's integrity log; the page reports after the replay is acknowledged, so allow it a moment."""
    db = Database(database_url)
    try:
        for _ in range(int(wait_seconds * 10)):
            with db.read() as session:
                kinds = list(session.exec(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)))
            if "reconnected" in kinds:
                break
            time.sleep(0.1)
        return kinds
    finally:
        db.dispose()


def sign_in_in_russian(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-email", EMAIL)
    page.fill("#f-password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")    # the account's language
    page.select_option("#language-choice", "ru")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
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
    assert stored_answers(candidate, attempt_id) == {1: first}

    # Back online: the kept save is replayed and acknowledged, and the server holds it.
    page.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_have_text("Все ответы сохранены")
    expect(page.locator('.navigator a[data-slot="2"]')).to_have_class(re.compile(r"\banswered\b"))
    assert page.evaluate(f"JSON.parse(localStorage.getItem('merit:{attempt_id}:queue'))") == []
    assert stored_answers(candidate, attempt_id) == {1: first, 2: second}
    assert "reconnected" in logged_kinds(candidate.env["RECRUIT_DATABASE_URL"], attempt_id)  # shown to the operator
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

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать свидетельство (PDF)").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for phrase in (NAME, "Конституция Республики Казахстан", "Русский", "Не сдано"):
        assert phrase in text, phrase
