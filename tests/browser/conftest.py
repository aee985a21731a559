"""A headless Chromium (Debian's, never a downloaded one) driving the real server on a SQLite copy."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import IN_CI
from tests.live_server import LiveServer, live_server, open_exam_day

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000  # generous: CI machines run the server, the browser and the suite at once
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (install Debian's chromium package)"
        if IN_CI:
            pytest.fail(f"CI=true but {missing}: browser tests must run in CI")
        pytest.skip(f"browser tests skipped: {missing}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(sqlite_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server on a fresh SQLite database holding the demo bank and an open corps-b sitting."""
    database = tmp_path / "merit.sqlite3"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite:///{database}"
    open_exam_day(url)
    with live_server(url, tmp_path / "var") as server:
        yield server


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A page in a fresh context: its own cookies and storage, as another device or another person."""
    contexts: list[BrowserContext] = []

    def make(**options) -> Page:
        context = browser.new_context(**{"locale": "en-US", "accept_downloads": True, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    expect.set_options(timeout=TIMEOUT_MS)
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
