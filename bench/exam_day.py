"""Exam day: N candidates start at the same moment, then autosave; the floor is a bare Litestar endpoint doing
one SQLite upsert with the same durability, hammered by the same generator in the same run.

Run: `python -m bench.exam_day [--candidates N] [--saves S] [--workers W] [--start-window S]`. The server and the
load generator are separate processes on this machine; after the run the database must hold exactly the
acknowledged answers.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from question_bank.importers import ImportResult
from recruit.accounts.models import User
from recruit.accounts.service import current_user, issue_token
from recruit.audit.service import SYSTEM
from recruit.bank.service import demo_items, store_import
from recruit.bootstrap import seed_bundled
from recruit.db import Database, utcnow
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


def prepare(workdir: Path, candidates: int) -> tuple[str, int, Path]:
    url = f"sqlite:///{workdir / 'merit.sqlite3'}"
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
    db.dispose()
    return url, sitting.id, tokens_file


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--saves", type=int, default=10, help="saves per candidate")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--start-window", type=float, default=0,
                        help="release the starts evenly over S seconds (latency then counts from each release)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="merit-exam-day-"))
    url, sitting, tokens = prepare(workdir, args.candidates)
    env = {**os.environ, "RECRUIT_DATABASE_URL": url, "RECRUIT_ENV": "production",
           "RECRUIT_SECRET_KEY": "exam-day-benchmark-secret-key-0123456789", "FLOOR_DB": str(workdir / "floor.db")}

    port = free_port()
    server = serve([sys.executable, "-m", "recruit", "serve", "--port", str(port), "--workers", str(args.workers),
                    "--no-access-log"],
                   env, port)
    try:
        ours = load(f"http://127.0.0.1:{port}", tokens, sitting, args, workdir / "ours.json", floor=False)
    finally:
        server.terminate()
        server.wait()
    db = Database(url)
    with db.read() as session:
        stored = {f"{r.attempt_id}:{r.slot}": [r.seq, r.selected] for r in session.exec(select(Response)).all()}
    db.dispose()
    # Stored keys are internal; compare sequence numbers, which identify the acknowledged save exactly.
    lost = sum(1 for key, (seq, _choice) in ours["acked"].items() if stored.get(key, [None])[0] != seq)
    extra = sum(1 for key in stored if key not in ours["acked"])

    port = free_port()
    floor_server = serve([sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(port),
                          "--log-level", "warning", "--workers", str(args.workers)], env, port)
    try:
        floor = load(f"http://127.0.0.1:{port}", tokens, 0, args, workdir / "floor.json", floor=True)
    finally:
        floor_server.terminate()
        floor_server.wait()

    ours_rate = len(ours["latencies"]) / ours["save_wall"]
    floor_rate = len(floor["latencies"]) / floor["save_wall"]
    print(f"exam day: {args.candidates} candidates, {args.saves} saves each, {args.concurrency} connections, "
          f"{args.workers} worker(s), SQLite WAL synchronous=FULL")
    released = f"released over {args.start_window:.0f} s" if args.start_window else "synchronized"
    print(f"  {released} start: {ours['attempts']} attempts in {ours['start_wall']:.1f} s, "
          f"p50 {percentile(ours['starts'], 50) * 1000:.0f} ms, p99 {percentile(ours['starts'], 99) * 1000:.0f} ms")
    print(f"  saves: {len(ours['latencies'])} in {ours['save_wall']:.1f} s = {ours_rate:.0f}/s, "
          f"p50 {percentile(ours['latencies'], 50) * 1000:.0f} ms, p99 {percentile(ours['latencies'], 99) * 1000:.0f} ms,"
          f" errors {ours['errors']}")
    print(f"  floor (bare upsert endpoint): {floor_rate:.0f}/s, p50 {percentile(floor['latencies'], 50) * 1000:.0f} ms, "
          f"p99 {percentile(floor['latencies'], 99) * 1000:.0f} ms")
    print(f"  ratio ours/floor: {ours_rate / floor_rate:.2f} (aim >= 0.4; aims: >= 1000 saves/s, p99 <= 100 ms, "
          f"start p99 <= 2 s)")
    print(f"  database check: {len(ours['acked'])} acknowledged answers, {lost} missing or different, "
          f"{extra} stored without acknowledgement")
    print(f"  (work files in {workdir}; statistics.median of save latency "
          f"{statistics.median(ours['latencies']) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
