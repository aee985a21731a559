"""The `recruit` command: database, users, audit, demo data, reference data, and the web server."""

from __future__ import annotations

import json
import sys

import click

from recruit.settings import SettingsError, load_settings


def _database():
    from recruit.db import Database

    try:
        return Database(load_settings().database_url)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


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
    from recruit.migrate import upgrade
    from recruit.reference.service import seed

    database = _database()
    upgrade(database.url, revision)
    with database.write() as session:
        added = seed(session)
    click.echo(f"database upgraded to {revision}; {added} reference rows added")


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


@main.command()
def demo() -> None:
    """Load demo data for everything built so far (safe to run again)."""
    from recruit.demo import load

    database = _database()
    _require_schema(database)
    for line in load(database):
        click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app."""
    import uvicorn

    _require_schema(_database())  # also makes the development secret once, before workers fork
    click.echo(f"Merit is serving on http://{host}:{port}/ with {workers} worker(s)")
    uvicorn.run("recruit.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=False)
