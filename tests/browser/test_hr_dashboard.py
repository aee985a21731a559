"""The HR analyst's pass-rate dashboard in a real browser: filters swap the report in place (htmx) and keep the
address, and the CSV and PDF behind the download links hold the figures the page shows."""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from recruit.accounts.service import CurrentUser, Registration, create_user
from recruit.db import Database, utcnow
from recruit.i18n import TIMEZONE
from tests.browser.steps import fetched, pdf_text, sign_in
from tests.competitions.conftest import sit_test
from tests.factories import PASSWORD, iin_for
from tests.live_server import LiveServer

# Sex: (sat, passed). Every count is at least 10, so the report publishes them all (smaller ones are suppressed).
SAT = {"F": (24, 14), "M": (24, 10)}
HEADER = ["group", "group_name", "n", "passed", "rate", "ci_low", "ci_high", "suppressed"]


def account(db: Database, n: int, region: str, *roles: str) -> CurrentUser:
    return create_user(db, Registration(
        full_name=f"Person {n}", email=f"person{n}@example.kz", roles=roles, language="en", iin=iin_for(n),
        region_code=region, password=PASSWORD, password_confirm=PASSWORD), require_consent=False)


def results(database_url: str) -> None:
    """Legislation tests sat through the exam service by women (even n, see iin_for) and men in Astana and
    Almaty, a few at a time as in a hall; and an analyst without a region, who reads the national report."""
    db = Database(database_url)
    people = [(n, "F" if n % 2 == 0 else "M") for n in range(1, 1 + sum(sat for sat, _ in SAT.values()))]
    rank = {sex: [n for n, s in people if s == sex] for sex in SAT}

    def sit(n: int, sex: str) -> None:
        candidate = account(db, n, "KZ-71" if n % 4 < 2 else "KZ-75", "candidate")
        sit_test(db, candidate, "corps-b", 55 if rank[sex].index(n) < SAT[sex][1] else 0, utcnow())

    try:
        with ThreadPoolExecutor(max_workers=4) as hall:
            list(hall.map(lambda person: sit(*person), people))
        account(db, 999, "", "hr_analyst")
    finally:
        db.dispose()


def table(page: Page) -> dict[str, list[str]]:
    """The pass-rate table as shown: group name -> [candidates, passed, rate, interval]."""
    rows = page.locator("#report table").first.locator("tbody tr")
    return {cells[0]: cells[1:5] for cells in (r.locator("td").all_inner_texts() for r in rows.all())}


@pytest.mark.slow
def test_an_analyst_filters_the_dashboard_and_downloads_what_it_shows(site: LiveServer, page: Page):
    results(site.env["RECRUIT_DATABASE_URL"])
    sign_in(page, site.url, "person999@example.kz")
    page.locator("header nav").get_by_role("link", name="Pass rates").click()
    expect(page.locator("h1")).to_have_text("Pass rates")
    assert set(table(page)) == {"Astana", "Almaty"}
    expect(page.locator(".key-figures")).to_contain_text("All candidates: 48")
    page.evaluate("window.stillThisPage = true")      # a full page load would drop it

    page.select_option("#f-by", "sex")
    expect(page).to_have_url(re.compile(r"/hr/statistics\?stage=legislation&by=sex"))
    expect(page.locator("#report table").first).to_contain_text("women")
    year = datetime.now(ZoneInfo(TIMEZONE)).year        # periods are years in Astana time
    page.fill("#f-period", str(year))
    page.locator("#f-period").press("Tab")                 # leaving the field is a change: htmx asks again
    expect(page).to_have_url(re.compile(rf"&period={year}$"))
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile(rf"by=sex&period={year}$"))
    assert page.evaluate("window.stillThisPage") is True
    shown = table(page)
    assert {name: cells[:2] for name, cells in shown.items()} == {"women": ["24", "14"], "men": ["24", "10"]}

    rows = list(csv.reader(io.StringIO(fetched(page, page.get_by_role("link", name="CSV")).decode())))
    assert rows[0] == HEADER
    downloaded = {row[1]: row for row in rows[1:]}
    assert set(downloaded) == {"women", "men"}
    for name, row in downloaded.items():
        group, n, passed, rate, suppressed = row[0], row[2], row[3], float(row[4]), row[7]
        assert (group, [n, passed], suppressed) == ({"women": "F", "men": "M"}[name], shown[name][:2], "false")
        assert rate == pytest.approx(SAT[group][1] / SAT[group][0], abs=1e-4)
        assert shown[name][2] == f"{round(rate * 100, 1)} %"

    text = pdf_text(fetched(page, page.get_by_role("link", name="PDF")))
    for phrase in ("Pass rates", str(year), "Wilson", f"women 24 14 {shown['women'][2]}", f"men 24 10 {shown['men'][2]}"):
        assert phrase in text, phrase

    page.fill("#f-period", str(year - 1))
    page.locator("#f-period").press("Tab")
    expect(page.locator("#report")).to_contain_text("No results for these filters.")
    assert page.evaluate("window.stillThisPage") is True
