"""A throwaway PostgreSQL cluster of the test's own, so a test may stop and start the database server under
load without disturbing the shared one. Built like .ci/run's: initdb into a temporary directory, listening only
on a socket there; run as the postgres user when the tests run as root (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="merit-pg-"))  # not pytest's tmp_path: root-only (0700)
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self.as_owner: tuple[str, ...] = ()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.as_owner = ("runuser", "-u", "postgres", "--")
        self.url = f"postgresql://postgres@/merit?host={self.root}"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_owner, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", str(self.root), "-U", "postgres", "merit")

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-o", f"-k {self.root} -c listen_addresses=''", "start")

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back and every client connection is cut."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
