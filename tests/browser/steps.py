"""Steps the browser journeys share: signing in, choosing a language, answering a question as a person would,
asking the server what it holds, and reading what the browser downloaded."""

from __future__ import annotations

import io
import time

import httpx
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from sqlmodel import select

from recruit.db import Database
from recruit.exams.models import AttemptEvent

from tests.factories import PASSWORD
from tests.live_server import LiveServer


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form.logout")).to_be_visible()


def choose_language(page: Page, code: str) -> None:
    """The language switcher in the header, as a visitor uses it (signed in, it is kept on the account)."""
    page.select_option("#language-choice", code)
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def choose(page: Page, index: int) -> None:
    """Click the index-th option as a person would, on its label (a radio button or a checkbox)."""
    option = page.locator('input[name="choice"]').nth(index)
    page.locator(f'label[for="{option.get_attribute("id")}"]').click()


def chosen(page: Page) -> list[str]:
    """The opaque ids of the options ticked on the page, sorted."""
    return sorted(page.locator('input[name="choice"]:checked').evaluate_all("inputs => inputs.map(i => i.value)"))


def attempt_of(page: Page) -> int:
    """The attempt id in a question page's address (/exams/attempts/{id}/q/{slot})."""
    return int(page.url.split("/")[-3])


def stored_answers(server: LiveServer, email: str, attempt_id: int) -> dict[int, list[str]]:
    """What the server holds, read through the API with the candidate's own token (reading takes nothing over)."""
    token = httpx.post(f"{server.url}/api/v1/tokens", json={"email": email, "password": PASSWORD}).json()["token"]
    state = httpx.get(f"{server.url}/api/v1/attempts/{attempt_id}", headers={"authorization": f"Bearer {token}"})
    return {r["slot"]: sorted(r["choice_ids"]) for r in state.json()["responses"]}


def logged_kinds(database_url: str, attempt_id: int, awaited: str, wait_seconds: float = 5) -> list[str]:
    """The attempt's integrity log once `awaited` is in it (pages report without waiting), or as it is after
    `wait_seconds`."""
    db = Database(database_url)
    try:
        for _ in range(int(wait_seconds * 10)):
            with db.read() as session:
                kinds = list(session.exec(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)))
            if awaited in kinds:
                break
            time.sleep(0.1)
        return kinds
    finally:
        db.dispose()


def downloaded(page: Page, link: Locator) -> bytes:
    """Click a download link and return the file the browser saved."""
    with page.expect_download() as download:
        link.click()
    return download.value.path().read_bytes()


def fetched(page: Page, link: Locator) -> bytes:
    """Follow a link's address with the page's own cookies (for files served inline, which a click would open
    rather than save); the body, after checking the answer was 200."""
    answer = page.request.get(link.evaluate("a => a.href"))
    assert answer.ok, f"{answer.url}: {answer.status}"
    return answer.body()


def pdf_text(pdf: bytes) -> str:
    """All pages' text with whitespace collapsed, after checking it is a PDF."""
    assert pdf.startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
