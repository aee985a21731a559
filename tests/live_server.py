"""The real server in a subprocess, for end-to-end tests: `recruit serve` on a free port against a given
database, killed with SIGKILL (a crash: no shutdown code runs) and started again on the same database.

Data is prepared through the project's own services and commands, as an operator would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx

from question_bank.importers import ImportResult
from recruit.audit.service import SYSTEM
from recruit.bank.service import demo_items, store_import
from recruit.db import Database, utcnow
from recruit.demo import CORPS_B_SITTING, load_test_candidates
from recruit.exams.service import create_sitting

RECRUIT = (sys.executable, "-m", "recruit")
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """One server at a time on a fixed port, so a restarted server answers at the same address."""

    def __init__(self, database_url: str, var_dir: Path):
        var_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = var_dir / "server.log"
        # Development settings keep the generated secret in var_dir, so sessions and CSRF tokens survive restarts.
        outer = {k: v for k, v in os.environ.items() if not k.startswith("RECRUIT_")}
        self.env = {**outer, "RECRUIT_DATABASE_URL": database_url, "RECRUIT_VAR_DIR": str(var_dir),
                    "RECRUIT_ENV": "development"}
        self.process: subprocess.Popen | None = None

    def recruit(self, *args: str, stdin: str | None = None) -> str:
        """Run a `recruit` command with the server's settings; its output, or an error with its stderr."""
        done = subprocess.run([*RECRUIT, *args], env=self.env, input=stdin, capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"recruit {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        return done.stdout

    def start(self) -> float:
        """Seconds from launching the process to its first healthy /health."""
        assert self.process is None, "already running"
        launched = time.monotonic()
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*RECRUIT, "serve", "--host", "127.0.0.1", "--port", str(self.port)], env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_healthy()
        return time.monotonic() - launched

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log.read_text()[-4000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"no /health within {STARTUP_SECONDS} s:\n{self.log.read_text()[-4000:]}")

    def cpu_seconds(self) -> float:
        """Processor time the server process has used so far: what its start costs apart from other load."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def kill(self) -> None:
        """SIGKILL to the server's process group: requests in flight are cut off, nothing is flushed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


@contextmanager
def live_server(database_url: str, var_dir: Path) -> Iterator[LiveServer]:
    """Migrate with `recruit db upgrade` (as a deployment does), serve, and stop at the end."""
    server = LiveServer(database_url, var_dir)
    server.recruit("db", "upgrade")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def open_exam_day(database_url: str, candidates: int = 0, password: str | None = None) -> int:
    """The demo question bank, the demo's open corps-b sitting and `candidates` load-test candidates
    (load1@merit.test ..., language ru) booked on it; returns the sitting's id. This is the part of `recruit demo
    --load-candidates` these tests need, without the demo's simulated candidates (over 10 s per database)."""
    db = Database(database_url)
    try:
        store_import(db, SYSTEM, ImportResult(items=demo_items()), ["recruit/demo_bank"])
        now = utcnow()
        sitting = create_sitting(db, SYSTEM, title=CORPS_B_SITTING, program_code="corps-b",
                                 opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), capacity=1000)
        if candidates:
            load_test_candidates(db, candidates, password)
        return sitting.id
    finally:
        db.dispose()
