"""The regional pass-rate report over 1,000,000 attempts: JSON and PDF end to end (count, statistics with
suppression, names, serialisation or rendering), against a floor measured in the same run: one bare SQL
GROUP BY over the same table. Run: `python -m bench.reports [--attempts N]`.

The data is synthetic and loaded in bulk (not timed): users in the 2017 regions, one sitting per region, one
booking and one scored attempt each, all on one stored form.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from question_bank.importers import ImportResult
from recruit import i18n
from recruit.accounts.models import User
from recruit.audit.service import SYSTEM
from recruit.bank import service as bank
from recruit.bootstrap import seed_bundled
from recruit.db import Database
from recruit.exams.models import Attempt, Booking, Sitting
from recruit.migrate import upgrade
from recruit.statistics import appendices, presentation
from recruit.statistics.service import pass_rate_report, report_json

REGIONS = ["KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-35", "KZ-39", "KZ-43", "KZ-47", "KZ-55",
           "KZ-59", "KZ-63", "KZ-YUZ", "KZ-71", "KZ-75"]
BATCH = 50_000
FLOOR_SQL = ("SELECT u.region_code, count(*), sum(CASE WHEN a.passed THEN 1 ELSE 0 END) FROM attempt a "
             "JOIN user_account u ON u.id = a.candidate_id WHERE a.scored_at IS NOT NULL AND a.passed IS NOT NULL "
             "GROUP BY u.region_code")


def load(db: Database, attempts: int) -> None:
    bank.store_import(db, SYSTEM, ImportResult(items=bank.demo_items()), ["bench"])
    form = bank.assemble(db, "corps-b", 1, "ru")
    moment = datetime(2017, 6, 1, 6, tzinfo=UTC)
    with db.write() as session:
        form_id = bank.freeze_form(session, form).id
        sittings = {}
        for region in REGIONS:
            sitting = Sitting(title=f"bench {region}", program_code="corps-b", program_version=1,
                              opens_at=moment, closes_at=moment + timedelta(days=1), region_code=region,
                              capacity=attempts, track="law_enforcement", created_at=moment)
            session.add(sitting)
            session.flush()
            sittings[region] = sitting.id
    rng = random.Random(2017)
    for start in range(1, attempts + 1, BATCH):
        ids = range(start, min(start + BATCH, attempts + 1))
        regions = [REGIONS[i % len(REGIONS)] for i in ids]
        with db.write() as session:
            session.execute(insert(User), [{"id": i, "email": f"b{i}@bench.test", "full_name": f"B {i}",
                                            "iin": f"{i:012d}",   # unique; not a valid IIN (not needed)
                                            "region_code": r, "language": "ru", "password_hash": "x",
                                            "created_at": moment, "password_changed_at": moment}
                                           for i, r in zip(ids, regions)])
            session.execute(insert(Booking), [{"id": i, "sitting_id": sittings[r], "candidate_id": i,
                                               "admitted_by": "bench", "created_at": moment}
                                              for i, r in zip(ids, regions)])
            session.execute(insert(Attempt), [{
                "id": i, "booking_id": i, "sitting_id": sittings[r], "candidate_id": i, "form_id": form_id,
                "program_code": "corps-b", "program_version": 1, "language": "ru", "option_salt": "s",
                "state": "submitted", "started_at": moment, "deadline_at": moment, "finished_at": moment,
                "scored_at": moment, "correct": 30.0, "passed": rng.random() < 0.42, "result": {}}
                for i, r in zip(ids, regions)])


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    args = parser.parse_args([]) if __name__ != "__main__" else parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'reports.sqlite3'}"
        upgrade(url)
        db = Database(url)
        seed_bundled(db)
        started = time.perf_counter()
        load(db, args.attempts)
        loaded = time.perf_counter() - started

        def floor() -> None:
            with db.read() as session:
                session.execute(text(FLOOR_SQL)).all()

        def as_json() -> None:
            with i18n.using("ru"):
                json.dumps(report_json(pass_rate_report(db, "legislation", "region", "2017")), ensure_ascii=False)

        def as_pdf() -> None:
            with i18n.using("ru"):
                found = pass_rate_report(db, "legislation", "region", "2017")
                presentation.pdf(found, appendices.for_report(db, found))

        floor_s, json_s, pdf_s = best_of(3, floor), best_of(3, as_json), best_of(3, as_pdf)
        db.dispose()
    print(f"reports: regional pass rates over {args.attempts:,} attempts (loaded in {loaded:.0f} s, not timed)")
    print(f"  floor (bare GROUP BY):   {floor_s:6.2f} s")
    print(f"  JSON report:             {json_s:6.2f} s   ratio {json_s / floor_s:4.2f}x of the floor  "
          f"(aims: within 2 s and 3x)")
    print(f"  PDF report:              {pdf_s:6.2f} s   (aim: within 3 s)")


if __name__ == "__main__":
    main()
