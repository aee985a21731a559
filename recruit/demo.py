"""Demo data: one account per role (and a candidate per language), so a newcomer can see every part."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select

from recruit.accounts.models import User
from recruit.accounts.service import Registration, create_user, current_user
from question_bank.importers import ImportResult
from recruit.audit.service import SYSTEM
from recruit.bank.service import demo_items, store_import
from recruit.db import Database, utcnow
from recruit.exams.models import Sitting
from recruit.exams.service import book, create_sitting

DEMO_PASSWORD = "merit-demo-2026"
CORPS_B_SITTING = "Corps B legislation test, online (demo)"
COMPETENCY_SITTING = "Personal-qualities assessment, online (demo)"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    roles: tuple[str, ...]
    language: str
    iin: str = ""
    region_code: str = ""


DEMO_USERS = (
    DemoUser("admin@merit.demo", "Әкімші Демо", ("admin",), "ru"),
    DemoUser("author@merit.demo", "Айгүл Сейітова", ("author",), "kk"),
    DemoUser("commission@merit.demo", "Ерлан Жақсылықов", ("commission_member",), "kk"),
    DemoUser("hr@merit.demo", "Марина Ким", ("hr_analyst",), "ru", region_code="KZ-55"),
    DemoUser("operator@merit.demo", "Данияр Оспанов", ("operator",), "ru", region_code="KZ-71"),
    DemoUser("candidate.kk@merit.demo", "Асель Нұрланқызы", ("candidate",), "kk", "950315400125", "KZ-59"),
    DemoUser("candidate.ru@merit.demo", "Игорь Петров", ("candidate",), "ru", "880722300156", "KZ-55"),
    DemoUser("candidate.en@merit.demo", "Dana Akhmetova", ("candidate",), "en", "010101600129", "KZ-75"),
)


def load(db: Database) -> Iterator[str]:
    with db.read() as session:
        present = set(session.exec(select(User.email)).all())
    for person in DEMO_USERS:
        if person.email not in present:
            create_user(db, Registration(
                full_name=person.full_name, email=person.email, roles=person.roles, language=person.language,
                iin=person.iin, region_code=person.region_code, password=DEMO_PASSWORD,
                password_confirm=DEMO_PASSWORD,
            ), actor=SYSTEM, require_consent=False)
    bank = store_import(db, SYSTEM, ImportResult(items=demo_items()), ["recruit/demo_bank"])
    yield (f"Question bank: {bank.imported} demo items on the Constitution, the Law on Civil Service, the Law on "
           f"Combating Corruption, the Ethics Code and six competencies (kk, ru, en)")
    yield from _sittings(db)
    yield "Demo logins (password for all: %s):" % DEMO_PASSWORD
    for person in DEMO_USERS:
        yield f"  {', '.join(person.roles):20} {person.email:28} ({person.language})"


def _sittings(db: Database) -> Iterator[str]:
    """An open online corps-b sitting and a competency sitting; every demo candidate is booked on corps-b."""
    now = utcnow()
    with db.read() as session:
        existing = {s.title: s for s in session.exec(select(Sitting).where(Sitting.closes_at > now)).all()}
    for title, program, capacity in ((CORPS_B_SITTING, "corps-b", 100_000), (COMPETENCY_SITTING, "competency", 5_000)):
        if title not in existing:
            existing[title] = create_sitting(db, SYSTEM, title=title, program_code=program,
                                             opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=90),
                                             capacity=capacity)
    sitting = existing[CORPS_B_SITTING]
    for person in DEMO_USERS:
        if "candidate" in person.roles:
            with db.read() as session:
                user = session.exec(select(User).where(User.email == person.email)).one()
            book(db, current_user(db, user.id), sitting.id, now, actor=SYSTEM)
    yield f"Sittings: '{CORPS_B_SITTING}' (open now, demo candidates booked) and '{COMPETENCY_SITTING}'"
