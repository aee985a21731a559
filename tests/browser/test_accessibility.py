"""Accessibility: axe-core (vendored: vendor/README.md) on the main pages of every role, in Kazakh and Russian, on
the full demo data; no violation of impact serious or critical may remain."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from recruit.demo import DEMO_PASSWORD
from recruit.demo_competitions import DECIDED_TITLE
from tests.browser.steps import choose, choose_language, sign_in
from tests.live_server import LiveServer

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def demo_site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server on the demo data (`recruit demo`), so each role's pages have something on them."""
    folder = tmp_path_factory.mktemp("accessibility")
    database = folder / "merit.sqlite3"
    shutil.copyfile(sqlite_template, database)
    server = LiveServer(f"sqlite:///{database}", folder / "var")
    server.recruit("db", "upgrade")
    server.recruit("demo")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Audit:
    """Runs axe on pages as they stand and keeps the blocking violations: (page, rule, description)."""

    def __init__(self, language: str):
        self.language = language
        self.found: list[tuple[str, str, str]] = []
        self.pages = 0

    def __call__(self, page: Page, name: str) -> None:
        page.wait_for_load_state()
        page.add_script_tag(path=AXE)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        self.pages += 1
        for violation in result["violations"]:
            if violation["impact"] in BLOCKING:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                self.found.append((name, violation["id"], f"{self.language} {name} ({page.url}): "
                                   f"{violation['impact']}: {violation['help']} [{targets}]"))

    def report(self) -> str:
        return "\n".join(line for _, _, line in self.found)


def signed_in(new_page: Callable[..., Page], base: str, email: str, language: str) -> Page:
    """A demo account's page for axe, in `language`."""
    # The app's Content-Security-Policy (script-src 'self') would refuse the injected axe script: these contexts
    # bypass the CSP, and only they do (the journeys run under the real policy).
    page = new_page(bypass_csp=True)
    sign_in(page, base, email, DEMO_PASSWORD)
    if page.locator("html").get_attribute("lang") != language:
        choose_language(page, language)
    return page


@pytest.mark.slow
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_main_pages_have_no_serious_accessibility_violations(demo_site: LiveServer, new_page, language: str):
    base, audit = demo_site.url, Audit(language)

    visitor = new_page(bypass_csp=True)
    visitor.goto(base + "/")
    choose_language(visitor, language)
    audit(visitor, "home")
    for path in ("/login", "/register", "/verify/0000000000000000", "/open-data"):
        visitor.goto(base + path)
        audit(visitor, path)
    visitor.goto(base + "/register")
    visitor.locator("main form button[type=submit]").click()           # nothing filled in: every error shown
    expect(visitor.locator(".error-summary")).to_be_visible()
    audit(visitor, "register with errors")

    candidate = signed_in(new_page, base, f"candidate.{language}@merit.demo", language)
    audit(candidate, "home, signed in")
    for path in ("/inbox", "/competitions", "/exams"):
        candidate.goto(base + path)
        audit(candidate, path)
    candidate.locator("form[action$='/start'] button").first.click()
    expect(candidate.locator("#question-form")).to_be_visible()
    audit(candidate, "question")
    candidate.context.set_offline(True)
    choose(candidate, 0)
    expect(candidate.locator("#save-status")).to_have_attribute("data-state", "offline")
    audit(candidate, "question, offline")
    candidate.context.set_offline(False)
    expect(candidate.locator("#save-status")).to_have_attribute("data-state", "saved")
    candidate.locator(".navigator p a").click()
    expect(candidate.locator("#submit-form")).to_be_visible()
    audit(candidate, "review")
    candidate.locator('label[for="confirm"]').click()
    candidate.locator("#submit-form button[type=submit]").click()
    expect(candidate.locator(".verdict")).to_be_visible()
    audit(candidate, "result")
    candidate.goto(f"{base}/verify/{candidate.locator('.code').inner_text()}")
    audit(candidate, "verify")

    operator = signed_in(new_page, base, "operator@merit.demo", language)
    operator.goto(base + "/operator")
    audit(operator, "operator console")
    operator.locator("main a[href^='/operator/sittings/']:not([href$='/new'])").first.click()
    operator.wait_for_url(re.compile(r"/operator/sittings/\d+$"))   # axe needs the new page, not the old one
    audit(operator, "operator sitting")

    chair = signed_in(new_page, base, "commission@merit.demo", language)
    chair.goto(base + "/commission")
    audit(chair, "commission")
    chair.get_by_role("link", name=DECIDED_TITLE).click()           # ranking, agreement and the protocol
    chair.wait_for_url(re.compile(r"/commission/competitions/\d+$"))
    audit(chair, "commission desk")
    chair.locator("main a[href^='/commission/interviews/']").first.click()
    chair.wait_for_url(re.compile(r"/commission/interviews/\d+$"))
    audit(chair, "interview")

    analyst = signed_in(new_page, base, "hr@merit.demo", language)
    analyst.goto(base + "/hr/statistics")
    audit(analyst, "pass-rate dashboard")
    analyst.select_option("#f-by", "sex")
    expect(analyst).to_have_url(re.compile(r"by=sex"))
    audit(analyst, "pass-rate dashboard, filtered")
    analyst.goto(base + "/hr/competitions")
    audit(analyst, "competitions (HR)")

    author = signed_in(new_page, base, "author@merit.demo", language)
    author.goto(base + "/bank/items")
    audit(author, "question bank")

    assert audit.pages >= 20
    assert not audit.found, audit.report()


def test_the_audit_reports_what_it_should(new_page):
    """The audit itself: axe loads under the bypassed CSP and a planted unlabelled field and faint text are caught."""
    page = new_page(bypass_csp=True)
    page.set_content('<html lang="en"><head><title>Planted</title></head><body><main><h1>Planted</h1>'
                     '<input type="text"><p style="color: #bbb">Faint text</p></main></body></html>')
    audit = Audit("en")
    audit(page, "planted")
    assert sorted(rule for _, rule, _ in audit.found) == ["color-contrast", "label"], audit.report()
    version = page.evaluate("axe.version")
    assert f"axe-core {version}" in (AXE.parent / "README.md").read_text()     # the vendored file is the one noted
