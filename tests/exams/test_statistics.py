"""Item statistics after a sitting, checked against a direct count."""

import random
from datetime import timedelta

from sqlmodel import select

from recruit.audit.service import SYSTEM
from recruit.bank import service as bank
from recruit.db import utcnow
from recruit.exams import service
from recruit.exams.models import Attempt
from recruit.exams.statistics import item_report
from tests.conftest import sign_in


def test_statistics_after_a_sitting(client, db, demo_bank, make_user):
    for n in range(11, 25):  # leave ten ethics items, so every candidate sees all of them
        bank.set_status(db, SYSTEM, f"ethics-{n:03d}", "retired")
    now = utcnow()
    sitting = service.create_sitting(db, SYSTEM, title="stats", program_code="corps-b",
                                     opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=5))
    rng = random.Random(4)
    right = {}
    for person in range(30):
        candidate = make_user("candidate")
        service.book(db, candidate, sitting.id, now)
        view, _ = service.start(db, candidate, sitting.id, "ru", now)
        with db.read() as session:
            attempt = session.get(Attempt, view.id)
            form = service._form(session, attempt)
        items = bank.items_by_version_db(db, [(fi.item_id, fi.version) for fi in form.items])
        for slot, form_item in enumerate(form.items, start=1):
            if form_item.item_id.startswith("ethics"):
                item = items[(form_item.item_id, form_item.version)]
                correct = rng.random() < 0.3 + person / 50
                key = sorted(item.key) if correct else [next(o.key for o in item.options if o.key not in item.key)]
                ids = [service.option_id(attempt.option_salt, slot, k) for k in key]
                service.save(db, candidate, view.id, slot, ids, slot, now)
                right.setdefault(item.id, []).append(1.0 if correct else 0.0)
        service.submit(db, candidate, view.id, now + timedelta(minutes=10))
    report = item_report(db, "corps-b", sitting.id)
    assert report.analysis.attempts == 30
    for item_id, marks in right.items():
        stats = report.analysis.item(f"{item_id}@v1")
        assert stats.n == 30 and stats.facility == sum(marks) / 30
    make_user("author", email="stats@example.kz")
    sign_in(client, "stats@example.kz")
    page = client.get("/bank/statistics", params={"program": "corps-b", "sitting": sitting.id}).text
    assert page.count('href="/bank/items/ethics-') == 10
    with db.read() as session:
        assert len(session.exec(select(Attempt).where(Attempt.sitting_id == sitting.id)).all()) == 30
