from datetime import timedelta

import pytest

from question_bank.assembly import form_from_json
from recruit.audit.service import SYSTEM
from recruit.bank.models import AssembledForm
from recruit.bank.service import items_by_version
from recruit.competitions import service
from recruit.db import utcnow
from recruit.exams import service as exams
from recruit.exams.models import Attempt

REQUIREMENTS = {"kk": "Жоғары білім", "ru": "Высшее образование", "en": "Higher education"}


@pytest.fixture
def hr(make_user):
    return make_user("hr_analyst", email="hr@example.kz")


@pytest.fixture
def announce(db, hr, demo_bank):
    """Announce a competition closing `closes_in` from now (standard corps B pipeline)."""
    def make(closes_in=timedelta(days=7), posts=1, essay=False, title="Chief specialist, legal department"):
        return service.announce(db, hr, service.Announcement(
            title=title, state_body_code="acsa", position_category_code="B-4", region_code="KZ-71",
            kind="general", posts=posts, requirements=REQUIREMENTS, closes_at=utcnow() + closes_in, essay=essay),
            utcnow())
    return make


def sit_test(db, candidate, program, level, when):
    """Sit `program` on a fresh sitting at `when`: for a knowledge test the first `level` answers are right and
    the rest wrong; for the competency assessment every statement is answered with agreement `level` (1-5)."""
    sitting = exams.create_sitting(db, SYSTEM, title=f"{program} for {candidate.email}", program_code=program,
                                   opens_at=when - timedelta(hours=1), closes_at=when + timedelta(days=1), capacity=5)
    exams.book(db, candidate, sitting.id, when)
    view, _ = exams.start(db, candidate, sitting.id, "ru", when, "device")
    with db.read() as session:
        attempt = session.get(Attempt, view.id)
        form = form_from_json(session.get(AssembledForm, attempt.form_id).content)
        items = items_by_version(session, [(fi.item_id, fi.version) for fi in form.items])
    for slot, form_item in enumerate(form.items, start=1):
        item = items[(form_item.item_id, form_item.version)]
        if item.competency:
            keys = [str(6 - level if item.reverse_keyed else level)]
        else:
            wrong = [o.key for o in item.options if o.key not in item.key]
            keys = sorted(item.key) if slot <= level else wrong[:1]
        exams.save(db, candidate, view.id, slot, [exams.option_id(attempt.option_salt, slot, k) for k in keys], 1,
                   when, "device")
    return exams.submit(db, candidate, view.id, when)


@pytest.fixture
def sit(db):
    return lambda candidate, program, level, when=None: sit_test(db, candidate, program, level, when or utcnow())


DETAILS = {"education": "Law faculty, KazNU, 2015", "experience_years": 6, "statement": "I want to serve."}


def apply_eligible(db, hr, candidate, competition_id):
    application = service.apply(db, candidate, competition_id, DETAILS, True, utcnow())
    return service.check_eligibility(db, hr, application.id, True, "Meets the requirements", utcnow())

