"""Pass-rate reports from real attempts: counts, suppression, the CSV/JSON contract, the API, the PDF, scoping."""

import csv
import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader

from recruit import i18n
from recruit.competitions import service as competitions
from recruit.db import utcnow
from recruit.statistics import presentation, service
from recruit.statistics.counts import counts
from tests.competitions.conftest import REQUIREMENTS, apply_eligible
from tests.conftest import sign_in
from tests.test_cli import recruit


@pytest.fixture
def results(db, demo_bank, make_user, sit):
    """Astana: 12 sat, 8 passed; Almaty city: 12 sat, 3 passed; Pavlodar: 3 sat, all passed (a small cell)."""
    plan = {"KZ-71": (12, 8), "KZ-75": (12, 3), "KZ-55": (3, 3)}
    for region, (sat, passed) in plan.items():
        for n in range(sat):
            sit(make_user(region_code=region), "corps-b", 50 if n < passed else 20)
    return plan


def test_rates_and_suppression(db, results):
    with i18n.using("en"):
        report = service.pass_rate_report(db, "legislation", "region")
    rows = {row.group: row for row in report.rows}
    assert (rows["KZ-71"].n, rows["KZ-71"].passed, rows["KZ-71"].rate) is not None
    assert (report.national.n, report.national.passed) == (27, 14)
    assert rows["KZ-55"].suppressed and rows["KZ-55"].passed is None and rows["KZ-55"].rate is None
    # With the national totals published, one hidden region could be worked out: a second one is hidden too.
    assert sum(row.suppressed for row in report.rows) >= 2
    for row in report.rows:
        if not row.suppressed:
            assert row.n >= 10 and row.ci_low <= row.rate <= row.ci_high


def test_the_csv_and_json_contract(db, database_url, results, tmp_path):
    out = tmp_path / "rates.csv"
    done = recruit(database_url, "report", "pass-rates", "--stage", "legislation", "--by", "region",
                   "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = list(csv.reader(io.StringIO(out.read_text())))
    assert lines[0] == ["group", "group_name", "n", "passed", "rate", "ci_low", "ci_high", "suppressed"]
    assert {line[0] for line in lines[1:]} == {"KZ-55", "KZ-71", "KZ-75"}
    assert "Astana" in {line[1] for line in lines[1:]}
    for line in lines[1:]:
        assert line[7] in ("true", "false") and (line[7] == "false" or line[4] == "")
    as_json = tmp_path / "rates.json"
    assert recruit(database_url, "report", "pass-rates", "--by", "region", "--format", "json", "--out",
                   str(as_json)).returncode == 0
    body = json.loads(as_json.read_text())
    assert "method" in body and [r["group"] for r in body["rows"]] == [line[0] for line in lines[1:]]
    assert set(body["rows"][0]) == set(lines[0])


def test_the_api_and_regional_scoping(client, db, results, make_user, token_for):
    make_user("admin", email="admin@example.kz")
    make_user("hr_analyst", email="almaty-hr@example.kz", region_code="KZ-75")
    everything = client.get("/api/v1/reports/pass-rates?stage=legislation&by=region",
                            headers=token_for("admin@example.kz")).json()
    assert len(everything["rows"]) == 3
    scoped = client.get("/api/v1/reports/pass-rates?stage=legislation&by=region",
                        headers=token_for("almaty-hr@example.kz")).json()
    assert [r["group"] for r in scoped["rows"]] == ["KZ-75"] and scoped["national"]["n"] == 12
    assert client.get("/api/v1/reports/pass-rates?stage=nonsense", headers=token_for("admin@example.kz")).status_code == 400


def test_the_pdf_has_the_test_quality_appendix(db, database_url, results, tmp_path):
    out = tmp_path / "rates.pdf"
    assert recruit(database_url, "report", "pass-rates", "--format", "pdf", "--out", str(out)).returncode == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages).split())
    assert "Test quality" in text and "Attempts analysed" in text and "27" in text
    # 14 attempts scored 50 and 13 scored 20: two bands counted out, the empty ones under the small-cell rule
    assert "Score distribution" in text and "50–54 14 51.9 %" in text and "20–24 13 48.1 %" in text
    assert "0–4 < 10 —" in text


def test_trends_follow_the_periods(db, results, make_user, sit):
    for n in range(20):
        sit(make_user(region_code="KZ-71"), "corps-b", 50 if n < 10 else 20, utcnow() - timedelta(days=400))
    with i18n.using("en"):
        periods, lines = service.trends(db, "legislation", "region")
    assert len(periods) == 2
    astana = next(t for t in lines if t.group_name == "Astana")
    assert astana.rates == (0.5, None)     # this year: 8 passed and 4 failed, both under 10, so hidden


def test_the_dashboard_open_data_and_pdf(client, db, results, make_user):
    public = client.get("/open-data?stage=legislation&by=region")
    assert public.status_code == 200 and "<svg" in public.text and "—*" in public.text
    assert client.get("/open-data/pass-rates/csv").text.startswith("group,group_name")
    make_user("hr_analyst", email="hr@example.kz", region_code="")
    sign_in(client, "hr@example.kz")
    partial = client.get("/hr/statistics?by=sex", headers={"hx-request": "true"})
    assert partial.text.lstrip().startswith('<div id="report"') and "men" in partial.text
    for language, phrase in (("ru", "Астана"), ("kk", "Астана")):
        with i18n.using(language):
            pdf = presentation.pdf(service.pass_rate_report(db, "legislation", "region"))
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        assert phrase in text and "27" in text


def test_competition_stages_group_by_position_category(db, demo_bank, hr, make_user, sit):
    """Two competitions of different categories through the real pipeline: the competency stage's top five."""
    for category, levels in (("B-4", [5, 5, 4, 3, 2, 1]), ("C-1", [4, 3, 2])):
        competition = competitions.announce(db, hr, competitions.Announcement(
            title=f"Specialist {category}", state_body_code="acsa", position_category_code=category,
            region_code="KZ-71", requirements=REQUIREMENTS, closes_at=utcnow() + timedelta(hours=1)), utcnow())
        for level in levels:
            person = make_user()
            apply_eligible(db, hr, person, competition.id)
            sit(person, "corps-b", 50)
            sit(person, "competency", level)
        later = utcnow() + timedelta(hours=2)
        competitions.advance(db, later)
        competitions.close_testing(db, hr, competition.id, later)
    assert counts(db, "competency", "category") == {"B-4": (6, 5), "C-1": (3, 3)}
    with i18n.using("ru"):
        report = service.pass_rate_report(db, "competency", "category")
    assert [row.group for row in report.rows] == ["B-4", "C-1"] and all(row.suppressed for row in report.rows)
    assert all(row.group_name for row in report.rows)
    with pytest.raises(service.ReportError):
        service.pass_rate_report(db, "legislation", "category")
