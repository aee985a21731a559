"""Exam day: N candidates start at the same moment, then autosave; the floor is a bare Litestar endpoint doing
one upsert on the same engine with the same durability, hammered by the same generator in the same run.

Run: `python -m bench.exam_day [--candidates N] [--saves S] [--workers W] [--start-window S]` (SQLite), and with
`--database-url postgresql://...` on a fresh database in that PostgreSQL cluster too, printed beside SQLite's
(`--engines postgresql` for PostgreSQL alone). The server and the load generator are separate processes on this
machine; after the run the database must hold exactly the acknowledged answers.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from bench import floor_app
from question_bank.importers import ImportResult
from recruit.accounts.models import User
from recruit.accounts.service import current_user, issue_token
from recruit.audit.service import SYSTEM
from recruit.bank.service import demo_items, store_import
from recruit.bootstrap import seed_bundled
from recruit.db import Database, normalize_url, utcnow
from recruit.demo import CORPS_B_SITTING, load_test_candidates
from recruit.exams.models import Response
from recruit.exams.service import create_sitting
from recruit.migrate import upgrade


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def prepare(url: str, workdir: Path, candidates: int) -> tuple[int, Path]:
    upgrade(url)
    db = Database(url)
    seed_bundled(db)
    store_import(db, SYSTEM, ImportResult(items=demo_items()), ["demo"])
    now = utcnow()
    sitting = create_sitting(db, SYSTEM, title=CORPS_B_SITTING, program_code="corps-b",
                             opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=6),
                             capacity=candidates)
    load_test_candidates(db, candidates, "load-test-pass-2026")
    with db.read() as session:
        ids = session.exec(select(User.id).where(User.email.like("load%@merit.test"))).all()
    tokens = [issue_token(db, current_user(db, user_id))[0] for user_id in ids]
    tokens_file = workdir / "tokens.json"
    tokens_file.write_text(json.dumps(tokens))
    if not db.sqlite:  # the floor's table, in the same database
        with db.write() as session:
            session.execute(text(floor_app.TABLE))
    db.dispose()
    return sitting.id, tokens_file


@contextmanager
def postgres_database(server_url: str, keep: bool) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh database for the run in the cluster `server_url` points at (any database there will do)."""
    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"merit_bench_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        durability = {setting: connection.execute(text(f"SHOW {setting}")).scalar()
                      for setting in ("synchronous_commit", "fsync")}
    url = make_url(normalize_url(server_url)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False), durability
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def libpq(url: str) -> str:
    """The SQLAlchemy URL as plain libpq, for the floor's bare psycopg connections."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def serve(command: list[str], env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/health" if "recruit" in command else f"http://127.0.0.1:{port}/schema")
    return process


def load(base: str, tokens: Path, sitting: int, args: argparse.Namespace, out: Path, floor: bool) -> dict:
    command = [sys.executable, "-m", "bench.loadgen", "--base", base, "--tokens", str(tokens), "--sitting",
               str(sitting), "--saves", str(args.saves), "--concurrency", str(args.concurrency), "--out", str(out),
               "--start-window", str(args.start_window)]
    subprocess.run(command + (["--floor"] if floor else []), check=True)
    return json.loads(out.read_text())


def stored_answers(url: str) -> dict[str, list]:
    db = Database(url)
    with db.read() as session:
        stored = {f"{r.attempt_id}:{r.slot}": [r.seq, r.selected] for r in session.exec(select(Response)).all()}
    db.dispose()
    return stored


def measure(engine: str, url: str, workdir: Path, args: argparse.Namespace) -> dict:
    """Merit, then the floor, on one database; what the database holds afterwards against what was acknowledged."""
    sitting, tokens = prepare(url, workdir, args.candidates)
    env = {**os.environ, "RECRUIT_DATABASE_URL": url, "RECRUIT_ENV": "production",
           "RECRUIT_SECRET_KEY": "exam-day-benchmark-secret-key-0123456789"}
    env.pop("RECRUIT_REPORTS_DATABASE_URL", None)
    port = free_port()
    server = serve([sys.executable, "-m", "recruit", "serve", "--port", str(port), "--workers", str(args.workers),
                    "--no-access-log"], env, port)
    try:
        ours = load(f"http://127.0.0.1:{port}", tokens, sitting, args, workdir / f"ours-{engine}.json", floor=False)
    finally:
        server.terminate()
        server.wait()
    stored = stored_answers(url)
    # Stored keys are internal; compare sequence numbers, which identify the acknowledged save exactly.
    lost = sum(1 for key, (seq, _choice) in ours["acked"].items() if stored.get(key, [None])[0] != seq)
    extra = sum(1 for key in stored if key not in ours["acked"])

    floor_env = {**env, **({"FLOOR_DB": str(workdir / "floor.db")} if engine == "sqlite"
                           else {"FLOOR_DATABASE_URL": libpq(url)})}
    port = free_port()
    floor_server = serve([sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(port),
                          "--log-level", "warning", "--no-access-log", "--workers", str(args.workers)],
                         floor_env, port)
    try:
        floor = load(f"http://127.0.0.1:{port}", tokens, 0, args, workdir / f"floor-{engine}.json", floor=True)
    finally:
        floor_server.terminate()
        floor_server.wait()
    return {"ours": ours, "floor": floor, "lost": lost, "extra": extra}


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.0f} ms"


def report(engine: str, durability: str, found: dict, args: argparse.Namespace) -> dict[str, str]:
    ours, floor = found["ours"], found["floor"]
    ours_rate = len(ours["latencies"]) / ours["save_wall"]
    floor_rate = len(floor["latencies"]) / floor["save_wall"]
    print(f"exam day on {engine} ({durability}): {args.candidates} candidates, {args.saves} saves each, "
          f"{args.concurrency} connections, {args.workers} worker(s)")
    released = f"released over {args.start_window:.0f} s" if args.start_window else "synchronized"
    print(f"  {released} start: {ours['attempts']} attempts in {ours['start_wall']:.1f} s, "
          f"p50 {ms(ours['starts'], 50)}, p99 {ms(ours['starts'], 99)}")
    print(f"  saves: {len(ours['latencies'])} in {ours['save_wall']:.1f} s = {ours_rate:.0f}/s, "
          f"p50 {ms(ours['latencies'], 50)}, p99 {ms(ours['latencies'], 99)}, errors {ours['errors']}"
          + (f" {ours['error_kinds']}" if ours["errors"] else ""))
    print(f"  floor (bare upsert endpoint): {floor_rate:.0f}/s, p50 {ms(floor['latencies'], 50)}, "
          f"p99 {ms(floor['latencies'], 99)}, errors {floor['errors']}")
    print(f"  ratio ours/floor: {ours_rate / floor_rate:.2f} (aim >= 0.4; aims: >= 1000 saves/s, p99 <= 100 ms, "
          f"start p99 <= 2 s)")
    print(f"  database check: {len(ours['acked'])} acknowledged answers, {found['lost']} missing or different, "
          f"{found['extra']} stored without acknowledgement")
    return {"engine": engine, "saves/s": f"{ours_rate:.0f}", "p50": ms(ours["latencies"], 50),
            "p99": ms(ours["latencies"], 99), "start p99": ms(ours["starts"], 99), "errors": str(ours["errors"]),
            "floor/s": f"{floor_rate:.0f}", "ratio": f"{ours_rate / floor_rate:.2f}",
            "check": f"{found['lost']} lost, {found['extra']} extra of {len(ours['acked'])}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--saves", type=int, default=10, help="saves per candidate")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--start-window", type=float, default=0,
                        help="release the starts evenly over S seconds (latency then counts from each release)")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server (any database on it): the run creates, migrates and drops its own")
    parser.add_argument("--engines", default=None,
                        help="sqlite, postgresql or both (comma-separated); default: both with --database-url")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL benchmark database")
    args = parser.parse_args()
    engines = (args.engines or ("sqlite,postgresql" if args.database_url else "sqlite")).split(",")
    if "postgresql" in engines and not args.database_url:
        parser.error("postgresql needs --database-url")
    if set(engines) - {"sqlite", "postgresql"}:
        parser.error("--engines takes sqlite and/or postgresql")
    lines = []
    for engine in engines:
        workdir = Path(tempfile.mkdtemp(prefix=f"merit-exam-day-{engine}-"))
        if engine == "sqlite":
            found = measure(engine, f"sqlite:///{workdir / 'merit.sqlite3'}", workdir, args)
            lines.append(report(engine, "WAL, synchronous=FULL", found, args))
        else:
            with postgres_database(args.database_url, args.keep) as (url, durability):
                found = measure(engine, url, workdir, args)
            lines.append(report(engine, ", ".join(f"{k}={v}" for k, v in durability.items()), found, args))
        print(f"  (work files in {workdir})")
    if len(lines) > 1:
        columns = list(lines[0])
        widths = {c: max(len(c), *(len(line[c]) for line in lines)) for c in columns}
        for row in [dict(zip(columns, columns)), *lines]:
            print("  " + "  ".join(row[c].ljust(widths[c]) for c in columns))


if __name__ == "__main__":
    main()
