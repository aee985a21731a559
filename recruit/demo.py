"""Demo data: one account per role (and a candidate per language), so a newcomer can see every part."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import select

from recruit.accounts.models import User, UserRole
from recruit.accounts.passwords import hash_password, password_problem
from recruit.accounts.service import Registration, create_user, current_user
from question_bank.assembly import form_from_json
from question_bank.importers import ImportResult
from recruit.audit.service import SYSTEM, record
from recruit.bank.models import AssembledForm
from recruit.bank.service import demo_items, items_by_version, store_import
from recruit.db import Database, utcnow
from recruit.exams.models import Attempt, Booking, Sitting
from recruit.exams.operations import admit, extend, pause_attempt, set_accommodations, terminate
from recruit.exams.service import Client, book, create_sitting, option_id, report, resume, save, start, submit

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
    yield from _practice_sitting(db)
    yield from _operator_hall(db)
    from recruit.demo_competitions import load as competitions

    yield from competitions(db)
    yield "Demo logins (password for all: %s):" % DEMO_PASSWORD
    for person in DEMO_USERS:
        yield f"  {', '.join(person.roles):20} {person.email:28} ({person.language})"


def _sittings(db: Database) -> Iterator[str]:
    """An open online corps-b sitting and a competency sitting; every demo candidate is booked on corps-b."""
    now = utcnow()
    with db.read() as session:
        existing = {s.title: s for s in session.exec(select(Sitting).where(Sitting.closes_at > now)).all()}
        operator_id = session.exec(select(User.id).where(User.email == "operator@merit.demo")).one()
    for title, program, capacity in ((CORPS_B_SITTING, "corps-b", 100_000), (COMPETENCY_SITTING, "competency", 5_000)):
        if title not in existing:
            existing[title] = create_sitting(db, SYSTEM, title=title, program_code=program,
                                             opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=90),
                                             capacity=capacity, operator_id=operator_id)
    sitting = existing[CORPS_B_SITTING]
    for person in DEMO_USERS:
        if "candidate" in person.roles:
            with db.read() as session:
                user = session.exec(select(User).where(User.email == person.email)).one()
            book(db, current_user(db, user.id), sitting.id, now, actor=SYSTEM)
    yield f"Sittings: '{CORPS_B_SITTING}' (open now, demo candidates booked) and '{COMPETENCY_SITTING}'"


HALL_SITTING = "Corps B legislation test, Astana hall 2 (demo)"


def _operator_hall(db: Database) -> Iterator[str]:
    """A hall in progress for the operator console: answering candidates, a takeover from a second device,
    a pause, extra time, a termination, and a booked candidate with accommodations who has not started."""
    done = f"Operator console: '{HALL_SITTING}' in progress (sign in as operator@merit.demo)"
    with db.read() as session:
        if session.exec(select(Sitting).where(Sitting.title == HALL_SITTING)).first() is not None:
            yield done
            return
        operator = current_user(db, session.exec(select(User.id).where(User.email == "operator@merit.demo")).one())
    rng, now = random.Random(2026), utcnow()
    sitting = create_sitting(db, SYSTEM, title=HALL_SITTING, program_code="corps-b", opens_at=now - timedelta(minutes=30),
                             closes_at=now + timedelta(hours=4), mode="venue", venue="Астана, Мәңгілік Ел 8, зал 2",
                             region_code="KZ-71", capacity=30, operator_id=operator.id)
    hall = []
    for n, name in enumerate(("Айдана Серікова", "Бауыржан Әлиев", "Виктория Ли", "Ғалым Омаров", "Дарига Исаева",
                              "Ержан Касымов", "Жанна Беккер"), start=1):
        candidate = create_user(db, Registration(
            full_name=name, email=f"hall{n:02d}@merit.demo", roles=("candidate",), language=("kk", "ru")[n % 2],
            iin=practice_iin(100 + n), region_code="KZ-71", password=DEMO_PASSWORD, password_confirm=DEMO_PASSWORD),
            actor=SYSTEM, require_consent=False)
        admit(db, operator, sitting.id, candidate.email, now)
        hall.append(candidate)
    waiting = hall.pop()
    booking = admit(db, operator, sitting.id, waiting.email, now)
    set_accommodations(db, operator, booking.id, extra_minutes=0, extra_percent=25, large_text=True,
                       reason="Нарушение зрения, медицинская справка № 0412")
    views = []
    for candidate in hall:
        view, _ = start(db, candidate, sitting.id, candidate.language, now, f"demo-{candidate.email}",
                        Client("10.71.2.%d" % (10 + len(views)), "Mozilla/5.0 (X11; Linux x86_64) Chrome/131"))
        for slot, choice in list(simulated_answers(db, view.id, rng.gauss(0.4, 1.0), rng))[:rng.randint(5, 40)]:
            save(db, candidate, view.id, slot, choice, slot, now)
        views.append(view)
    resume(db, hall[1], views[1].id, now, "demo-second-device", Client("10.71.2.99", "Mozilla/5.0 (Android 14) Chrome/131"))
    report(db, hall[1], views[1].id, "hidden", now)
    pause_attempt(db, operator, views[2].id, "Кандидату стало плохо, вызван медработник", now)
    extend(db, operator, views[3].id, 10, "Сбой компьютера на месте 14, пересадка", now)
    terminate(db, operator, views[4].id, "Использование телефона (акт № 3)", now)
    yield done


PRACTICE_SITTING = "Corps B legislation test, practice round (demo)"
PRACTICE_CANDIDATES = 60


def _practice_sitting(db: Database) -> Iterator[str]:
    """A practice round sat just now through the real service by simulated candidates who answer with a
    simple item-response model, so the item statistics page has something to show. It runs at the present
    time on purpose: attempts dated in the past would be overdue, and a running server's sweeper would
    (rightly) close them mid-simulation."""
    done = f"Practice sitting: {PRACTICE_CANDIDATES} simulated candidates, see Question bank > Item statistics"
    with db.read() as session:
        if session.exec(select(Sitting).where(Sitting.title == PRACTICE_SITTING)).first() is not None:
            yield done
            return
    rng = random.Random(2017)
    then = utcnow()
    sitting = create_sitting(db, SYSTEM, title=PRACTICE_SITTING, program_code="corps-b",
                             opens_at=then - timedelta(minutes=5), closes_at=then + timedelta(hours=2),
                             capacity=PRACTICE_CANDIDATES)
    for n in range(1, PRACTICE_CANDIDATES + 1):
        region = rng.choice(["KZ-11", "KZ-15", "KZ-55", "KZ-59", "KZ-71", "KZ-75"])
        candidate = create_user(db, Registration(
            full_name=f"Практика {n:02d}", email=f"practice{n:02d}@merit.demo", roles=("candidate",),
            language="ru", iin=practice_iin(n), region_code=region, password=DEMO_PASSWORD,
            password_confirm=DEMO_PASSWORD), actor=SYSTEM, require_consent=False)
        book(db, candidate, sitting.id, then, actor=SYSTEM)
        view, _ = start(db, candidate, sitting.id, rng.choice(["kk", "ru"]), then)
        ability = rng.gauss(0.4, 1.0)
        for slot, choice in simulated_answers(db, view.id, ability, rng):
            save(db, candidate, view.id, slot, choice, slot, then)
        submit(db, candidate, view.id, then)
    yield done


def practice_iin(n: int) -> str:
    """A valid IIN for a simulated candidate (born 1990-01-n, serial 9000 + n)."""
    from recruit.accounts.iin import check_digit

    serial = 9000 + n
    while True:
        first = f"9001{n % 28 + 1:02d}3{serial:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
        serial += 100


def simulated_answers(db: Database, attempt_id: int, ability: float, rng: random.Random):
    """Rasch model: P(right) = 1 / (1 + exp(b - ability)) with b = ln((1 - facility) / facility)."""
    with db.read() as session:
        attempt = session.get(Attempt, attempt_id)
        form = form_from_json(session.get(AssembledForm, attempt.form_id).content)
        items = items_by_version(session, [(fi.item_id, fi.version) for fi in form.items])
    for slot, form_item in enumerate(form.items, start=1):
        item = items[(form_item.item_id, form_item.version)]
        facility = min(max(item.facility, 0.05), 0.95)
        right = rng.random() < 1 / (1 + math.exp(math.log((1 - facility) / facility) - ability))
        wrong = [o.key for o in item.options if o.key not in item.key]
        keys = sorted(item.key) if right or not wrong else [rng.choice(wrong)]
        yield slot, [option_id(attempt.option_salt, slot, key) for key in keys]


def load_test_candidates(db: Database, count: int, password: str) -> str:
    """Candidates for load tests, booked on the open corps-b sitting. One argon2id hash (with one salt) serves
    all of them: hashing 30,000 passwords would take ten minutes and these accounts guard nothing."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    now = utcnow()
    password_hash = hash_password(password)
    with db.read() as session:
        sitting = session.exec(select(Sitting).where(Sitting.title == CORPS_B_SITTING, Sitting.closes_at > now)).one()
        existing = set(session.exec(select(User.email).where(User.email.like("load%@merit.test"))).all())
    regions = ["KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-35", "KZ-39", "KZ-43", "KZ-47",
               "KZ-55", "KZ-59", "KZ-61", "KZ-63", "KZ-71", "KZ-75", "KZ-79"]
    created = 0
    with db.write() as session:
        for n in range(1, count + 1):
            email = f"load{n}@merit.test"
            if email in existing:
                continue
            user = User(email=email, full_name=f"Load Candidate {n}", iin=load_iin(n), region_code=regions[n % 17],
                        language="ru", password_hash=password_hash, created_at=now, password_changed_at=now)
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role="candidate"))
            session.add(Booking(sitting_id=sitting.id, candidate_id=user.id, admitted_by="system", created_at=now))
            created += 1
        record(session, SYSTEM, "demo.load_candidates", "sitting", sitting.id, after={"created": created})
    return f"Load-test candidates: {created} created (load1@merit.test ... load{count}@merit.test), booked on '{sitting.title}'"


def load_iin(n: int) -> str:
    """Distinct valid IINs for load-test candidates: each n owns four (birth date, serial) slots, of which the
    first one that admits a check digit is used (all four failing has a chance of 1 in 200 million)."""
    from recruit.accounts.iin import check_digit

    for k in range(4 * n, 4 * n + 4):
        day = date(1985, 1, 1) + timedelta(days=k % 7300)
        first = f"{day:%y%m%d}{3 if day.year < 2000 else 5}{(k // 7300) % 10000:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
    raise ValueError(f"no valid IIN for load candidate {n}")
