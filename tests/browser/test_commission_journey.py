"""A commission's interview day in a real browser: members declare conflicts, score blind on the anchored rubric,
the chair closes scoring, holds the final session, and the protocol PDF carries the decision.

The competition is brought to the interview stage through the project's services (announcement, eligibility, both
tests sat through the exam service, testing closed, commission formed); everything after is done on the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from recruit.accounts.service import CurrentUser, Registration, create_user
from recruit.competitions import commission, service
from recruit.db import Database, utcnow
from tests.browser.steps import fetched, pdf_text, sign_in
from tests.competitions.conftest import REQUIREMENTS, apply_eligible, sit_test
from tests.factories import PASSWORD, iin_for
from tests.live_server import LiveServer

TITLE = "Chief specialist, legal department"
APPLICANT = "Асель Нурпеисова"
PLACE = "Astana, Mangilik El 8, room 301"


@dataclass(frozen=True)
class Panel:
    competition_id: int
    chair: CurrentUser
    members: list[CurrentUser]


def person(db: Database, n: int, name: str, *roles: str) -> CurrentUser:
    return create_user(db, Registration(
        full_name=name, email=f"person{n}@example.kz", roles=roles, language="en", iin=iin_for(100 + n),
        region_code="KZ-71", password=PASSWORD, password_confirm=PASSWORD), require_consent=False)


def at_interviews(database_url: str) -> Panel:
    """One eligible applicant who passed both tests, a panel of five voters and a secretary, testing closed."""
    db = Database(database_url)
    try:
        hr = person(db, 1, "Hr Analyst", "hr_analyst")
        competition = service.announce(db, hr, service.Announcement(
            title=TITLE, state_body_code="acsa", position_category_code="B-4", region_code="KZ-71", kind="general",
            posts=1, requirements=REQUIREMENTS, closes_at=utcnow() + timedelta(hours=1)), utcnow())
        applicant = person(db, 2, APPLICANT, "candidate")
        apply_eligible(db, hr, applicant, competition.id)
        sit_test(db, applicant, "corps-b", 50, utcnow())
        sit_test(db, applicant, "competency", 4, utcnow())
        service.close_testing(db, hr, competition.id, utcnow() + timedelta(hours=2))
        chair = person(db, 3, "Chair Person", "commission_member")
        members = [person(db, 4 + k, f"Member {k + 1}", "commission_member") for k in range(4)]
        secretary = person(db, 8, "Secretary Person", "commission_member")
        commission.form_commission(db, hr, competition.id, [
            (chair.id, commission.CHAIR), *((m.id, commission.MEMBER) for m in members),
            (secretary.id, commission.SECRETARY)], utcnow())
        return Panel(competition.id, chair, members)
    finally:
        db.dispose()


def open_desk(page: Page, base: str, member: CurrentUser) -> None:
    sign_in(page, base, member.email)
    page.locator("header nav").get_by_role("link", name="Commission").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)


def declare_no_conflict_and_score(page: Page, level: int, evidence: str) -> None:
    page.get_by_role("button", name="No conflict").click()
    expect(page.locator("main table").first).to_contain_text("No conflict")
    page.get_by_role("link", name=f"{APPLICANT}: Interview").click()
    expect(page.locator(".others")).to_have_count(0)                  # blind: nobody's scores before close
    expect(page.locator("fieldset.competency").first).to_contain_text(  # each level is anchored in words
        "1 · Cannot give an example of a decision they took themselves")
    for fieldset in page.locator("fieldset.competency").all():
        fieldset.locator(f'label[for$="-{level}"]').click()
        fieldset.locator("textarea").fill(evidence)
    page.get_by_role("button", name="Submit my scores (they are locked once submitted)").click()
    expect(page.locator("main")).to_contain_text("Your scores are submitted and locked.")


@pytest.mark.slow
def test_the_commission_scores_blind_and_the_chair_issues_the_protocol(site: LiveServer, new_page):
    panel = at_interviews(site.env["RECRUIT_DATABASE_URL"])
    base = site.url

    # A member with a tie declares it, and is then kept off the applicant's scoring.
    cousin = new_page()
    open_desk(cousin, base, panel.members[0])
    cousin.get_by_label("Describe the conflict").fill("The applicant is my cousin")
    cousin.get_by_role("button", name="I have a conflict").click()
    expect(cousin.locator("main table").first).to_contain_text("Conflict declared: The applicant is my cousin")
    expect(cousin.locator("main table").first).to_contain_text("3 of 4 members must score")
    cousin.get_by_role("link", name=f"{APPLICANT}: Interview").click()
    expect(cousin.locator("main")).to_contain_text("You do not score this applicant")
    expect(cousin.locator("fieldset input")).to_have_count(0)

    for member, level in ((panel.members[1], 4), (panel.members[2], 3)):
        desk = new_page()
        open_desk(desk, base, member)
        declare_no_conflict_and_score(desk, level, f"{member.full_name}: evidence at level {level}")

    chair = new_page()
    open_desk(chair, base, panel.chair)
    declare_no_conflict_and_score(chair, 4, "Chair: a concrete example, her own decision")
    expect(chair.locator("main")).not_to_contain_text("evidence at level")          # still blind, even to the chair
    chair.get_by_role("button", name="Close scoring now").click()
    expect(chair.locator(".verdict")).to_contain_text("Final score")
    expect(chair.locator(".verdict")).to_contain_text("3 raters")
    others = chair.locator(".others").first
    expect(others).to_contain_text("Member 2 — 4")
    expect(others).to_contain_text("Member 3 — 3")

    chair.locator("main").get_by_role("link", name="Commission").click()       # back to the desk
    chair.get_by_label("Place of the final session").fill(PLACE)
    chair.get_by_role("button", name="Hold the final session: rank, decide and issue the protocol").click()
    ranking = chair.locator("section[aria-labelledby=ranking-heading]")
    expect(ranking).to_contain_text(APPLICANT)
    expect(ranking.locator("tbody tr")).to_have_count(1)
    expect(ranking.locator("tbody tr td").nth(4)).to_have_text("recommended")
    protocol = pdf_text(fetched(chair, chair.get_by_role("link", name="Protocol (PDF)")))
    for phrase in (TITLE, APPLICANT, PLACE, "Chair Person", "The applicant is my cousin"):
        assert phrase in protocol, phrase
