"""The `recruit` command: database, users, audit, demo data, reference data, and the web server."""

from __future__ import annotations

import json
import sys

import click

from recruit.settings import SettingsError, load_settings


def _database(reports: bool = False):
    """The primary; with `reports`, the read replica RECRUIT_REPORTS_DATABASE_URL names, if any."""
    from recruit.db import Database

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    return Database((reports and settings.reports_database_url) or settings.database_url)


def _require_schema(db) -> None:
    from recruit.migrate import is_current

    if not is_current(db):
        raise click.ClickException("the database is not at the newest migration: run `recruit db upgrade` first")


@click.group()
def main() -> None:
    """Merit: civil-service recruitment and testing."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations, then add any bundled reference data that is missing."""
    from recruit.bootstrap import seed_bundled
    from recruit.migrate import upgrade

    database = _database()
    upgrade(database.url, revision)
    added, programs = seed_bundled(database)
    click.echo(f"database upgraded to {revision}; {added} reference rows added; {programs} program versions added")


@main.group()
def user() -> None:
    """User accounts."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["candidate", "author", "commission_member", "hr_analyst", "operator", "admin"]))
@click.option("--iin", default="")
@click.option("--region", "region_code", default="")
@click.option("--language", type=click.Choice(["kk", "ru", "en"]), default="kk", show_default=True)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
def user_create(email, full_name, roles, iin, region_code, language, password_stdin) -> None:
    """Create an account (the password is read from standard input, never from arguments)."""
    from recruit.accounts.service import Registration, create_user
    from recruit.audit.service import SYSTEM
    from recruit.errors import FormErrors

    password = sys.stdin.readline().rstrip("\r\n")
    database = _database()
    _require_schema(database)
    data = Registration(full_name=full_name, iin=iin, email=email, region_code=region_code, language=language,
                        password=password, password_confirm=password, roles=tuple(roles))
    try:
        created = create_user(database, data, actor=SYSTEM, require_consent=False)
    except FormErrors as exc:
        for name, message in exc.errors.items():
            click.echo(f"error: {name}: {message}", err=True)
        sys.exit(1)
    click.echo(f"created user {created.id} <{created.email}> with roles {', '.join(sorted(created.roles))}")


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first broken row."""
    from recruit.audit.service import verify_database

    database = _database()
    with database.read() as session:
        checked, broken = verify_database(session)
    if broken:
        click.echo(f"audit chain broken at row {broken.seq}: {broken.reason}", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {checked} rows verified")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def regions(as_json: bool) -> None:
    """Administrative units with their codes, names and validity."""
    from recruit.migrate import is_current
    from recruit.reference.service import bundled_regions, region_json
    from recruit.reference.service import regions as stored_regions

    database = _database()
    try:
        rows = stored_regions(database) if is_current(database) else bundled_regions()
    except Exception:  # no database yet: the bundled data is what `db upgrade` would load
        rows = bundled_regions()
    if as_json:
        click.echo(json.dumps({"regions": [region_json(r) for r in rows]}, ensure_ascii=False, indent=2))
        return
    for region in rows:
        validity = f"{region.valid_from or '…'} – {region.valid_to or '…'}"
        click.echo(f"{region.code:8} {region.name_en:32} {validity}")


@main.group()
def bank() -> None:
    """The question bank."""


def _files(paths: tuple[str, ...]) -> list[tuple[str, bytes]]:
    from pathlib import Path

    found = []
    for raw in paths:
        path = Path(raw)
        members = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for member in members:
            try:
                found.append((str(member), member.read_bytes()))
            except OSError as exc:
                raise click.ClickException(f"{member}: cannot read ({exc.strerror})") from exc
    return found


@bank.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--skip-unsupported", is_flag=True, help="Import the rest when some items are of unsupported types.")
def bank_import(paths: tuple[str, ...], skip_unsupported: bool) -> None:
    """Import Moodle XML, GIFT, QTI, IMS packages, CSV or JSON. All or nothing: any problem stores nothing."""
    from question_bank.importers import import_files
    from recruit.audit.service import Actor
    from recruit.bank.service import store_import

    database = _database()
    _require_schema(database)
    files = _files(paths)
    result = import_files(files, skip_unsupported=skip_unsupported)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        click.echo(f"nothing imported: {len(result.problems)} problem(s)", err=True)
        sys.exit(1)
    summary = store_import(database, Actor("cli"), result, [path for path, _ in files])
    for skipped in summary.skipped:
        click.echo(skipped)
    click.echo(f"imported {summary.imported} items ({summary.created} new, {summary.new_versions} new versions, "
               f"{summary.updated} updated, {summary.unchanged} unchanged, {len(summary.skipped)} skipped)")


@bank.command("export")
@click.option("--format", "fmt", type=click.Choice(["moodle-xml", "qti"]), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def bank_export(fmt: str, out: str) -> None:
    """Export the current version of every item (QTI as an IMS content package, a .zip)."""
    from pathlib import Path

    from question_bank.exporters.moodle_xml import export_moodle_xml
    from question_bank.exporters.qti import export_qti_package
    from recruit.bank.service import current_items

    database = _database()
    _require_schema(database)
    items = current_items(database)
    data = export_moodle_xml(items) if fmt == "moodle-xml" else export_qti_package(items)
    Path(out).write_bytes(data)
    click.echo(f"exported {len(items)} items to {out}")


@bank.command("assemble")
@click.option("--program", "program_code", required=True)
@click.option("--seed", required=True)
@click.option("--language", required=True, type=click.Choice(["kk", "ru", "en"]))
@click.option("--json", "as_json", is_flag=True)
def bank_assemble(program_code: str, seed: str, language: str, as_json: bool) -> None:
    """Assemble the form a seed gives (the same arguments always give the same form)."""
    from question_bank.assembly import PoolShortage
    from recruit.bank.service import assemble

    database = _database()
    _require_schema(database)
    chosen_seed: int | str = int(seed) if seed.lstrip("-").isdigit() else seed
    try:
        form = assemble(database, program_code, chosen_seed, language)
    except (LookupError, PoolShortage, ValueError) as exc:
        raise click.ClickException(str(exc).strip("'\"")) from exc
    if as_json:
        click.echo(json.dumps(form.to_json(), ensure_ascii=False))
        return
    click.echo(f"{form.program} v{form.program_version}, seed {form.seed}, {form.language}, "
               f"expected score {form.expected_score:.2f}")
    for section in form.sections:
        click.echo(f"  {section.code}: " + ", ".join(f"{i.item_id}@v{i.version}" for i in section.items))


@main.group()
def exams() -> None:
    """Exam delivery."""


@exams.command("sweep")
def exams_sweep() -> None:
    """Close attempts whose deadline (plus grace) has passed, finishing them at the deadline."""
    from recruit.db import utcnow
    from recruit.exams.service import sweep

    database = _database()
    _require_schema(database)
    click.echo(f"closed {sweep(database, utcnow())} overdue attempt(s)")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def competitions(as_json: bool) -> None:
    """List competitions with their region and state (open, testing, interviews, decided)."""
    from recruit.competitions.service import competitions as all_competitions

    database = _database()
    _require_schema(database)
    rows = [{"id": c.id, "title": c.title, "region": c.region_code, "state": c.state}
            for c in all_competitions(database)]
    if as_json:
        click.echo(json.dumps({"competitions": rows}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']:>5}  {row['state']:<10}  {row['region']:<8}  {row['title']}")


@main.group()
def report() -> None:
    """Statistics for HR agencies."""


@report.command("pass-rates")
@click.option("--stage", default="legislation", show_default=True)
@click.option("--by", "by", default="region", show_default=True)
@click.option("--period", default=None, help="A calendar year, e.g. 2017.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "pdf"]), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--lang", "language", type=click.Choice(["kk", "ru", "en"]), default="en", show_default=True)
def report_pass_rates(stage: str, by: str, period: str | None, fmt: str, out: str, language: str) -> None:
    """Pass rates with 95 % intervals and small-cell suppression: `group,group_name,n,passed,rate,ci_low,ci_high,
    suppressed` (CSV), the same rows under "rows" with "method" (JSON), or the PDF report."""
    from pathlib import Path

    from recruit import i18n
    from recruit.statistics import appendices, presentation
    from recruit.statistics.service import ReportError, pass_rate_report, report_csv, report_json

    database = _database(reports=True)
    _require_schema(database)
    with i18n.using(language):
        try:
            found = pass_rate_report(database, stage, by, period)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc
        if fmt == "pdf":
            Path(out).write_bytes(presentation.pdf(found, appendices.for_report(database, found)))
        else:
            body = report_csv(found) if fmt == "csv" else json.dumps(report_json(found), ensure_ascii=False, indent=2)
            Path(out).write_text(body, encoding="utf-8")
    click.echo(f"{out}: {len(found.rows)} groups, {found.national.n or 0} candidates")


@main.command()
@click.argument("competition_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ranking(competition_id: int, as_json: bool) -> None:
    """A competition's ranking: final after the commission's last session, provisional before."""
    from recruit.competitions.decisions import ranking_json
    from recruit.competitions.service import CompetitionError

    database = _database()
    _require_schema(database)
    try:
        body = ranking_json(database, competition_id)
    except CompetitionError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for entry in body["entries"]:
        composite = "—" if entry["composite"] is None else f"{entry['composite']:.3f}"
        click.echo(f"{entry['rank'] or '-':>4}  {composite:>7}  {entry['standing']:<8}  {entry['decision'] or '':<16}"
                   f"  candidate {entry['candidate_id']}")


@main.command()
@click.argument("competition_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--language", type=click.Choice(["kk", "ru", "en"]), default="ru", show_default=True,
              help="For a draft (before the final session); an issued protocol is written as issued.")
def protocol(competition_id: int, out: str, language: str) -> None:
    """Write a competition's protocol PDF: the issued one (its SHA-256 is in the audit trail) or a draft."""
    from pathlib import Path

    from recruit import i18n
    from recruit.competitions import decisions, protocols
    from recruit.competitions.service import CompetitionError
    from recruit.db import utcnow
    from reports.protocol import render_protocol

    database = _database()
    _require_schema(database)
    issued = decisions.protocol(database, competition_id)
    try:
        if issued is None:
            with i18n.using(language):
                pdf = render_protocol(protocols.build(database, competition_id, utcnow(), ""))
        else:
            pdf = issued.pdf
    except CompetitionError as exc:
        raise click.ClickException(str(exc)) from exc
    Path(out).write_bytes(pdf)
    click.echo(f"{out}: {'issued protocol, sha256 ' + issued.sha256 if issued else 'draft'} ({len(pdf)} bytes)")


@main.command()
@click.option("--load-candidates", "load_candidates", type=int, default=0,
              help="Also create N candidates load1@merit.test ... loadN@merit.test booked on the open corps-b sitting.")
@click.option("--password", default=None, help="Password of the load-test candidates (10+ characters).")
@click.option("--campaign", default=None, help="Also run a year of recruitment: law-enforcement-2017.")
def demo(load_candidates: int, password: str | None, campaign: str | None) -> None:
    """Load demo data for everything built so far (safe to run again)."""
    from recruit.campaign import CAMPAIGNS, print_progress, run_campaign
    from recruit.demo import load, load_test_candidates

    if campaign is not None and campaign not in CAMPAIGNS:
        raise click.BadParameter(f"choose one of {', '.join(CAMPAIGNS)}", param_hint="--campaign")
    database = _database()
    _require_schema(database)
    for line in load(database):
        click.echo(line)
    if campaign:
        click.echo(run_campaign(database, campaign, print_progress))
    if load_candidates:
        if not password:
            raise click.ClickException("--load-candidates needs --password")
        click.echo(load_test_candidates(database, load_candidates, password))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request; behind a proxy that logs them already, off spares the exam-day hot path.")
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the web app."""
    import uvicorn

    _require_schema(_database())  # also makes the development secret once, before workers fork
    click.echo(f"Merit is serving on http://{host}:{port}/ with {workers} worker(s)")
    uvicorn.run("recruit.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=access_log, proxy_headers=False)
