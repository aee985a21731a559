"""Demo campaigns: a year of recruitment run through the real assembly and scoring.

`law-enforcement-2017`: 30,515 law-enforcement candidates in the 16 regions of 2017 sit the corps-b legislation
test at their region's testing centre (one sitting per region and quarter, made by the exam service: the bundled
corps-b and competency programs are in force from 2016, so 2017 needs no program version of its own); those who
pass sit the competency assessment 3 to 21 days later, if that still falls in 2017. Candidates answer by a Rasch model, P(right) = 1 / (1 + exp(b - ability)) with
b = ln((1 - facility) / facility) as in recruit.demo.simulated_answers; only the regional ability means are
chosen. Forms come from the exam service's Assembler on the bank's pool and are scored by the same
score_form / score_competencies, so every pass rate the campaign shows is an outcome of assembly and scoring.

Speed: a candidate goes through the real service in a dozen transactions; 30,515 of them would take an hour.
Here the rows the service would write (account, booking, frozen form, scored attempt, responses as option
keys, start and finish events) are inserted in batches, all in one transaction: a run loads the whole campaign
or nothing, so a second run only has to look for its first candidate.
"""

from __future__ import annotations

import functools
import math
import random
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import NormalDist
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, insert, tuple_, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, select

from question_bank.assembly import Assembler, Form
from question_bank.importers import ImportResult
from question_bank.items import Item
from question_bank.programs import Program
from recruit import campaign_competitions
from recruit.accounts.iin import check_digit
from recruit.accounts.models import User, UserRole
from recruit.accounts.passwords import hash_password
from recruit.audit.service import SYSTEM, record
from recruit.bank import service as bank
from recruit.bank.models import AssembledForm, BankItem
from recruit.competitions.models import Competition
from recruit.db import Database
from recruit.demo import DEMO_PASSWORD
from recruit.exams.models import Attempt, AttemptEvent, Booking, NeutralisedItem, Response, Sitting
from recruit.exams.service import create_sitting, scored
from recruit.reference.models import Region

CAMPAIGNS = ("law-enforcement-2017",)
CANDIDATES = 30_515
YEAR = 2017
ALMATY = ZoneInfo("Asia/Almaty")      # UTC+6 throughout 2017
EMAIL = "le2017-{:05d}@merit.demo"
OURS = User.email.like("le2017-%@merit.demo")
BATCH = 2_000
ABILITY_SD = 1.0
MALE = 0.75                           # share of men among law-enforcement candidates
KAZAKH_LANGUAGE = 0.75                # share of candidates with Kazakh names who sit in Kazakh
SESSIONS = (9, 11, 14, 16)            # a testing centre's session start hours

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RegionPlan:
    code: str
    city: str           # where the testing centre is
    population: int     # thousands on 1 January 2017: candidates are spread in proportion
    kazakh: float       # share of candidates with Kazakh names
    ability: float      # mean ability in logits


# Ability means, calibrated once offline at full scale on the demo bank: a region's candidates, forms and answer
# streams depend neither on the other regions nor on the means, and passing only gets likelier as the mean grows,
# so each mean was bisected alone (then rounded up to 4 decimals) until the simulation gave the region's target
# number of passers exactly. Targets: North Kazakhstan 52%, Almaty Region 50%, Pavlodar 49% (the published top
# three), the others 34-46%, South Kazakhstan taking the rest so that 12,816 of 30,515 (42.0%) pass. Another
# pool (or a smaller scale) gives other rates.
REGIONS = (
    RegionPlan("KZ-11", "Кокшетау", 739, 0.51, -0.2398),
    RegionPlan("KZ-15", "Актобе", 858, 0.80, -0.3923),
    RegionPlan("KZ-19", "Талдыкорган", 2017, 0.64, -0.1664),
    RegionPlan("KZ-23", "Атырау", 621, 0.92, -0.5382),
    RegionPlan("KZ-27", "Уральск", 647, 0.74, -0.3632),
    RegionPlan("KZ-31", "Тараз", 1111, 0.70, -0.4645),
    RegionPlan("KZ-35", "Караганда", 1382, 0.46, -0.3157),
    RegionPlan("KZ-39", "Костанай", 876, 0.39, -0.2942),
    RegionPlan("KZ-43", "Кызылорда", 783, 0.95, -0.6169),
    RegionPlan("KZ-47", "Актау", 660, 0.91, -0.5390),
    RegionPlan("KZ-55", "Павлодар", 757, 0.49, -0.1652),
    RegionPlan("KZ-59", "Петропавловск", 561, 0.34, -0.1275),
    RegionPlan("KZ-63", "Усть-Каменогорск", 1388, 0.59, -0.3261),
    RegionPlan("KZ-71", "Астана", 1003, 0.78, -0.3211),
    RegionPlan("KZ-75", "Алматы", 1751, 0.58, -0.3653),
    RegionPlan("KZ-YUZ", "Шымкент", 2882, 0.72, -0.6067),
)

KAZAKH_MEN = ("Айбек", "Арман", "Асхат", "Азамат", "Бауыржан", "Берик", "Габит", "Дамир", "Данияр", "Ерлан", "Ержан",
              "Ерболат", "Жандос", "Кайрат", "Мадияр", "Марат", "Нурлан", "Олжас", "Руслан", "Самат", "Серик",
              "Талгат", "Тимур", "Асылбек", "Дастан")
KAZAKH_WOMEN = ("Айгерим", "Айнур", "Алия", "Аружан", "Асель", "Гаухар", "Гульнара", "Дана", "Динара", "Жанар",
                "Жанна", "Индира", "Камила", "Лаура", "Мадина", "Сауле", "Томирис", "Улжан")
KAZAKH_SURNAMES = ("Абдрахманов", "Ахметов", "Байжанов", "Бекмухамбетов", "Ермеков", "Есенов", "Жаксылыков",
                   "Жумабаев", "Искаков", "Калиев", "Кенжебаев", "Мукашев", "Мусин", "Нурпеисов", "Оспанов",
                   "Сагинтаев", "Сулейменов", "Тулегенов", "Уразбаев", "Шайхин")
RUSSIAN_MEN = ("Александр", "Алексей", "Андрей", "Артём", "Виталий", "Владимир", "Денис", "Дмитрий", "Евгений",
               "Иван", "Игорь", "Константин", "Максим", "Николай", "Олег", "Павел", "Сергей")
RUSSIAN_WOMEN = ("Анастасия", "Анна", "Виктория", "Екатерина", "Елена", "Ирина", "Ксения", "Марина", "Наталья",
                 "Ольга", "Светлана", "Татьяна", "Юлия")
RUSSIAN_SURNAMES = ("Белов", "Васильев", "Волков", "Голубев", "Иванов", "Козлов", "Кузнецов", "Лебедев",
                    "Михайлов", "Морозов", "Новиков", "Павлов", "Петров", "Попов", "Семёнов", "Смирнов", "Соколов",
                    "Фёдоров")   # every surname takes -а for a woman

WORKDAYS = tuple(day for day in (date(YEAR, 1, 1) + timedelta(days=n) for n in range(365)) if day.weekday() < 5)


@dataclass
class Candidate:
    region: RegionPlan
    full_name: str
    female: bool
    born: date
    language: str
    ability: float
    starts_at: datetime      # the legislation test, UTC
    number: int = 0          # by test time: the e-mail's and the seeds' number
    iin: str = ""

    @property
    def seed(self) -> str:
        return f"le{YEAR}-{self.number:05d}"


def run_campaign(db: Database, name: str, progress: Progress | None = None, scale: float = 1.0) -> str:
    """Load campaign `name` unless it is loaded already; either way return its summary line.
    `progress(done, total)` is called after each batch of candidates; `scale` shrinks the cohort (for tests)."""
    if name not in CAMPAIGNS:
        raise ValueError(f"unknown campaign {name!r}; known: {', '.join(CAMPAIGNS)}")
    if not 0 < scale <= 1:
        raise ValueError("scale must lie in (0, 1]")
    with db.read() as session:
        loaded = session.exec(select(User.id).where(User.email == EMAIL.format(1))).first() is not None
        iins = set(session.exec(select(User.iin).where(User.iin.is_not(None))).all())
    if not loaded:
        bank.store_import(db, SYSTEM, ImportResult(items=bank.demo_items()), ["recruit/demo_bank"])
        _load(db, name, plan(scale, iins), progress or print_progress)
    campaign_competitions.run(db, [(region.code, region.city) for region in REGIONS], DEMO_PASSWORD)
    return summary(db)


def print_progress(done: int, total: int) -> None:
    """A bar on stderr, redrawn in place: [#####.........] 12,000/30,515."""
    filled = 30 * done // max(total, 1)
    print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}", end="\n" if done >= total else "",
          file=sys.stderr, flush=True)


# The cohort


def plan(scale: float, taken_iins: set[str]) -> list[Candidate]:
    """Every candidate, numbered in the order they sat the test. Each region draws from its own stream, and
    abilities are its mean plus fixed normal quantiles in a shuffled order (sampling noise would blur the
    calibrated rates), so a region's candidates do not depend on the other regions or on the means."""
    people = [person for region, count in zip(REGIONS, _shares(round(CANDIDATES * scale)), strict=True)
              for person in _region(region, count)]
    people.sort(key=lambda p: (p.starts_at, p.region.code, p.full_name))
    for number, person in enumerate(people, start=1):
        person.number, person.iin = number, _iin(person.born, person.female, number, taken_iins)
    return people


def _shares(total: int) -> list[int]:
    """Candidates per region in proportion to population (largest remainder)."""
    population = sum(r.population for r in REGIONS)
    quotas = [total * r.population / population for r in REGIONS]
    counts = [int(q) for q in quotas]
    for index in sorted(range(len(REGIONS)), key=lambda i: counts[i] - quotas[i])[:total - sum(counts)]:
        counts[index] += 1
    return counts


def _region(region: RegionPlan, count: int) -> list[Candidate]:
    rng = random.Random(f"{YEAR}:{region.code}")
    spread = [NormalDist().inv_cdf((i + 0.5) / count) for i in range(count)]
    rng.shuffle(spread)
    return [_person(rng, region, region.ability + ABILITY_SD * z) for z in spread]


def _person(rng: random.Random, region: RegionPlan, ability: float) -> Candidate:
    kazakh, female = rng.random() < region.kazakh, rng.random() >= MALE
    first = (KAZAKH_WOMEN if female else KAZAKH_MEN) if kazakh else (RUSSIAN_WOMEN if female else RUSSIAN_MEN)
    surname = rng.choice(KAZAKH_SURNAMES if kazakh else RUSSIAN_SURNAMES) + ("а" if female else "")
    language = "kk" if kazakh and rng.random() < KAZAKH_LANGUAGE else "ru"
    born = date(YEAR, 1, 1) - timedelta(days=int(365.25 * rng.triangular(20, 40, 24)))
    starts = datetime.combine(rng.choice(WORKDAYS), time(rng.choice(SESSIONS), rng.randrange(10)), ALMATY)
    return Candidate(region, f"{rng.choice(first)} {surname}", female, born, language, ability, starts.astimezone(UTC))


def _iin(born: date, female: bool, number: int, taken: set[str]) -> str:
    """A valid IIN encoding birth date and sex, not yet taken; the serial starts from the candidate's number."""
    for step in range(10_000):
        first = f"{born:%y%m%d}{3 + female}{(number + step) % 10_000:04d}"
        digit = check_digit(first)
        if digit is not None and first + str(digit) not in taken:
            taken.add(first + str(digit))
            return first + str(digit)
    raise ValueError(f"no free IIN for a candidate born {born}")


# The exam: the service's assembly and scoring, prepared once per program version


@dataclass(frozen=True)
class Sat:
    form: Form
    selected: list[tuple[str, ...]]   # option keys per slot, as Response.selected holds them
    used: timedelta                   # time taken
    correct: float | None
    passed: bool | None
    result: dict[str, Any]


class Exam:
    """Simulated candidates sitting one program version: assembled, answered and scored in memory."""

    def __init__(self, program: Program, pool: list[Item], neutralised: set[tuple[str, int]]):
        self.program, self.neutralised = program, neutralised
        self.assemblers = {language: Assembler(program, pool, language) for language in ("kk", "ru")}
        self.items = {(item.id, item.version): item for item in pool}
        self.rasch = {pair: _rasch(item) for pair, item in self.items.items() if program.kind == "knowledge"}
        self.used: set[tuple[str, int]] = set()    # item versions on forms: frozen at the end

    def sit(self, seed: str, language: str, ability: float) -> Sat:
        form = self.assemblers[language].assemble(seed)
        rng = random.Random(f"{seed}:{self.program.code}")
        answer = self._right_or_wrong if self.program.kind == "knowledge" else self._agreement
        selected = [answer((i.item_id, i.version), ability, rng) for i in form.items]
        self.used.update((i.item_id, i.version) for i in form.items)
        return self.score(form, selected, timedelta(minutes=self.program.duration_minutes * rng.uniform(0.45, 1)))

    def _right_or_wrong(self, pair: tuple[str, int], ability: float, rng: random.Random) -> tuple[str, ...]:
        # One draw per item, right or wrong: a candidate's stream does not depend on the ability.
        b, key, wrong = self.rasch[pair]
        right, draw = 1 / (1 + math.exp(b - ability)), rng.random()
        return key if draw < right or not wrong else (wrong[int((draw - right) / (1 - right) * len(wrong))],)

    def _agreement(self, pair: tuple[str, int], ability: float, rng: random.Random) -> tuple[str, ...]:
        """Likert: agreement grows with the ability (a loose stand-in for the competency) plus noise."""
        item = self.items[pair]
        points = sorted(int(option.key) for option in item.options)
        agree = min(max(round(3.4 + 0.5 * ability + rng.gauss(0, 0.9)), points[0]), points[-1])
        return (str(points[0] + points[-1] - agree if item.reverse_keyed else agree),)

    def score(self, form: Form, selected: list[tuple[str, ...]], used: timedelta) -> Sat:
        """As recruit.exams.service._score scores and records an attempt."""
        correct, passed, result = scored(self.program, form, self.items, selected, self.neutralised)
        return Sat(form, selected, used, correct, passed, result)


def _rasch(item: Item) -> tuple[float, tuple[str, ...], list[str]]:
    facility = min(max(item.facility, 0.05), 0.95)
    return (math.log((1 - facility) / facility), tuple(sorted(item.key)),
            [option.key for option in item.options if option.key not in item.key])


# Storing


def _quarter(moment: datetime) -> int:
    return (moment.astimezone(ALMATY).month - 1) // 3 + 1


def _sittings(db: Database, people: list[Candidate]) -> dict[tuple[str, str, int], Sitting]:
    """Per region and quarter, a legislation-test sitting (where anyone sat it) and a competency sitting, made
    through the exam service (which fixes the program version in force when it opens); existing ones are
    reused, so a run that failed half-way leaves nothing to clean up."""
    booked: dict[tuple[str, int], int] = {}
    for person in people:
        key = (person.region.code, _quarter(person.starts_at))
        booked[key] = booked.get(key, 0) + 1
    in_region = {code: sum(n for (c, _), n in booked.items() if c == code) for code, _ in booked}
    wanted = [("corps-b", code, q, n) for (code, q), n in booked.items()]
    wanted += [("competency", code, q, n) for code, n in in_region.items() for q in range(1, 5)]
    with db.read() as session:
        existing = {s.title: s for s in session.exec(select(Sitting).where(Sitting.track == "law_enforcement")).all()}
    found = {}
    for program, code, q, capacity in wanted:
        city = next(r.city for r in REGIONS if r.code == code)
        what = "Тестирование на знание законодательства" if program == "corps-b" else "Оценка личных качеств"
        title = f"{what}, правоохранительная служба, {city}, {q} кв. {YEAR} (demo)"
        opens = datetime.combine(date(YEAR, 3 * q - 2, 1), time(9), ALMATY)
        closes = datetime.combine(date(YEAR + q // 4, 3 * q % 12 + 1, 1) - timedelta(days=1), time(18), ALMATY)
        found[(program, code, q)] = existing.get(title) or create_sitting(
            db, SYSTEM, title=title, program_code=program, opens_at=opens.astimezone(UTC),
            closes_at=closes.astimezone(UTC), mode="venue", venue=f"{city}, региональный центр тестирования",
            region_code=code, capacity=capacity, track="law_enforcement")
    return found


def _load(db: Database, name: str, people: list[Candidate], progress: Progress) -> None:
    sittings = _sittings(db, people)
    password_hash = hash_password(DEMO_PASSWORD)   # one hash for all: 30,515 would take ten minutes
    with db.read() as session:
        neutralised = set(session.exec(select(NeutralisedItem.item_id, NeutralisedItem.version)).all())
    exams = {code: _exam(db, sittings, code, neutralised) for code in ("corps-b", "competency")}
    counts = {"candidates": 0, "passed": 0, "competency": 0}
    progress(0, len(people))
    with db.write() as session:
        for start in range(0, len(people), BATCH):
            batch = people[start:start + BATCH]
            users = _users(session, batch, password_hash)
            sat = _sit(session, exams["corps-b"], sittings, [(p, user, p.starts_at) for p, user in zip(batch, users)])
            follow = [(p, user, _follow_up(p)) for p, user, s in zip(batch, users, sat, strict=True) if s.passed]
            counts["candidates"] += len(batch)
            counts["passed"] += len(follow)
            counts["competency"] += len(_sit(session, exams["competency"], sittings,
                                             [f for f in follow if f[2].astimezone(ALMATY).year == YEAR]))
            progress(start + len(batch), len(people))
        used = set().union(*(exam.used for exam in exams.values()))
        session.execute(update(BankItem).where(tuple_(BankItem.item_id, BankItem.version).in_(used),
                                               BankItem.frozen.is_(False)).values(frozen=True))
        record(session, SYSTEM, "demo.campaign", "campaign", name, after=counts)


def _exam(db: Database, sittings: dict[tuple[str, str, int], Sitting], code: str,
          neutralised: set[tuple[str, int]]) -> Exam:
    versions = {s.program_version for (program, _, _), s in sittings.items() if program == code}
    if len(versions) != 1:
        raise ValueError(f"the {YEAR} sittings of {code} follow {len(versions)} program versions; one is supported")
    program = bank.program(db, code, version=versions.pop())
    return Exam(program, bank.pool(db, {s.act for s in program.sections}), neutralised)


def _follow_up(person: Candidate) -> datetime:
    """The competency assessment, 3 to 21 days after the test, in a morning or afternoon session."""
    rng = random.Random(f"{person.seed}:follow-up")
    day = person.starts_at.astimezone(ALMATY).date() + timedelta(days=rng.randint(3, 21))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(rng.choice(SESSIONS), rng.randrange(10)), ALMATY).astimezone(UTC)


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Insert in one batched statement; returns the new ids in row order."""
    table = model.__table__
    return list(session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())


def _driver_form(session: Session, column: Any) -> Callable[[Any], Any]:
    """How a column's type hands a value to the driver (JSON text, naive UTC, ...), as SQLAlchemy would."""
    dialect = session.get_bind().dialect
    return column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


def _insert_many(session: Session, model: type[SQLModel], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """executemany straight on the driver's cursor, values already in the driver's form (_driver_form): for 2.4
    million responses SQLAlchemy's own per-row work would cost more than the inserts themselves."""
    cursor, names = session.connection().connection.cursor(), ", ".join(columns)
    if session.get_bind().dialect.name == "postgresql":   # COPY: one statement instead of one per row
        with cursor.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor.executemany(f"INSERT INTO {model.__tablename__} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)


def _users(session: Session, batch: list[Candidate], password_hash: str) -> list[int]:
    rows = []
    for person in batch:
        registered = person.starts_at - timedelta(days=7 + person.number % 30, hours=person.number % 9)
        rows.append({"email": EMAIL.format(person.number), "full_name": person.full_name, "iin": person.iin,
                     "region_code": person.region.code, "language": person.language, "password_hash": password_hash,
                     "is_active": True, "created_at": registered, "password_changed_at": registered})
    ids = _insert(session, User, rows)
    session.execute(insert(UserRole.__table__), [{"user_id": user, "role": "candidate"} for user in ids])
    return ids


def _sit(session: Session, exam: Exam, sittings: dict[tuple[str, str, int], Sitting],
         takers: list[tuple[Candidate, int, datetime]]) -> list[Sat]:
    """Bookings, frozen forms, scored attempts, responses and events, as the exam service stores them."""
    program = exam.program
    sat = [exam.sit(person.seed, person.language, person.ability) for person, _, _ in takers]
    seats = [sittings[(program.code, person.region.code, _quarter(starts))] for person, _, starts in takers]
    bookings = _insert(session, Booking, [
        {"sitting_id": seat.id, "candidate_id": user, "admitted_by": "self", "extra_minutes": 0, "extra_percent": 0,
         "large_text": False, "created_at": starts - timedelta(days=2)}
        for seat, (_, user, starts) in zip(seats, takers, strict=True)])
    forms = _insert(session, AssembledForm, [
        {"program_code": program.code, "program_version": program.version, "seed": s.form.seed,
         "language": s.form.language, "expected_score": s.form.expected_score, "content": s.form.to_json(),
         "created_at": starts} for s, (_, _, starts) in zip(sat, takers, strict=True)])
    attempts = []
    for s, seat, booking, form, (person, user, starts) in zip(sat, seats, bookings, forms, takers, strict=True):
        finished = starts + s.used
        attempts.append({
            "booking_id": booking, "sitting_id": seat.id, "candidate_id": user, "form_id": form,
            "program_code": program.code, "program_version": program.version, "language": person.language,
            "option_salt": secrets.token_hex(8), "state": "submitted", "started_at": starts,
            "deadline_at": starts + timedelta(minutes=program.duration_minutes), "finished_at": finished,
            "scored_at": finished, "last_seen_at": finished, "correct": s.correct,
            "passed": s.passed, "result": s.result, "verification_code": secrets.token_hex(8).upper()})
    ids = _insert(session, Attempt, attempts)
    when, detail = _driver_form(session, Response.saved_at), _driver_form(session, AttemptEvent.detail)
    answer = functools.cache(_driver_form(session, Response.selected))   # a few dozen distinct answers: JSON once
    started, submitted = {language: detail({"language": language}) for language in ("kk", "ru")}, detail(None)
    responses, events = [], []
    for attempt, s, (_, _, starts) in zip(ids, sat, takers, strict=True):
        step = s.used / len(s.selected)
        responses += [(attempt, slot, answer(selected), slot, when(starts + step * slot))
                      for slot, selected in enumerate(s.selected, start=1)]
        events += [(attempt, when(starts), "started", started[s.form.language]),
                   (attempt, when(starts + s.used), "submitted", submitted)]
    _insert_many(session, Response, ("attempt_id", "slot", "selected", "seq", "saved_at"), responses)
    _insert_many(session, AttemptEvent, ("attempt_id", "at", "kind", "detail"), events)
    return sat


# The summary, always from the database


def pass_rates(db: Database) -> dict[str, tuple[int, int]]:
    """Per region: candidates of the campaign who sat the legislation test, and how many of them passed."""
    passed = func.sum(case((Attempt.passed.is_(True), 1), else_=0))
    with db.read() as session:
        rows = session.exec(select(User.region_code, func.count(), passed)
                            .join(Attempt, Attempt.candidate_id == User.id)
                            .where(OURS, Attempt.program_code == "corps-b").group_by(User.region_code)).all()
    return {code: (int(sat), int(ok)) for code, sat, ok in rows}


def summary(db: Database) -> str:
    rates = pass_rates(db)
    sat, passed = sum(n for n, _ in rates.values()), sum(ok for _, ok in rates.values())
    with db.read() as session:
        names = dict(session.exec(select(Region.code, Region.name_en)).all())
        competency = session.exec(select(func.count()).select_from(Attempt).join(User, Attempt.candidate_id == User.id)
                                  .where(OURS, Attempt.program_code == "competency")).one()
        decided = session.exec(select(func.count()).select_from(Competition).where(
            Competition.title.like(campaign_competitions.TITLE.format(city="%")), Competition.state == "decided")).one()
    top = sorted(rates, key=lambda code: -rates[code][1] / rates[code][0])[:3]
    return (f"Campaign law-enforcement-{YEAR}: {sat:,} law-enforcement candidates in {len(rates)} regions sat the "
            f"corps-b legislation test; {100 * passed / max(sat, 1):.1f}% reached the minimum (highest: "
            + ", ".join(f"{names.get(code, code)} {100 * rates[code][1] / rates[code][0]:.1f}%" for code in top)
            + f"); {competency:,} went on to the competency assessment; {decided} competitions were decided by their "
            f"commissions. Candidates {EMAIL.format(1)} ... {EMAIL.format(sat)}, commission members "
            f"le2017.commission01-1@merit.demo ... (chairs end in -1), HR le2017.hr@merit.demo, password {DEMO_PASSWORD}")
