"""The campaign's competitions: in November 2017 each region's law-enforcement bodies hold a competition for a
post in their territorial department, and the campaign's candidates who already hold test results apply.

Everything runs through the real services, dated in 2017: announcement, applications, the eligibility check,
the commission, the pipeline reusing valid test results, closing the testing phase (top five by competency),
conflict declarations, blind interview scoring on the anchored rubric, moderation where members disagree, and
the final session with its protocol. Members' levels follow the applicant's competency profile plus each
member's own noise, so the reports' funnel and interview-reliability appendix have something real to measure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from recruit.accounts.models import User
from recruit.accounts.service import CurrentUser, Registration, create_user, current_user
from recruit.audit.service import SYSTEM
from recruit.competitions import commission, interviews, protocols, service
from recruit.competitions.models import Application, Competition, Interview
from recruit.competitions.rubrics import bundled
from recruit.db import Database
from recruit.exams.models import Attempt

ANNOUNCED = date(2017, 11, 1)
TITLE = "Главный специалист территориального департамента, {city} (конкурс 2017)"
BODIES = ("min-internal-affairs", "prosecutor-general", "anticorruption", "afm")
CATEGORIES = ("C-O-3", "C-O-4", "C-O-5", "C-R-3")
PASSED, FAILED = 8, 2       # applicants per competition who passed the legislation test, and who failed it
MEMBERS = 5                 # voting: the chair and four members; a non-voting secretary besides
REQUIREMENTS = {
    "kk": "Жоғары білім (құқық, экономика немесе қоғамдық қауіпсіздік). Мемлекеттік қызмет туралы, сыбайлас "
          "жемқорлыққа қарсы іс-қимыл туралы заңдарды білу.",
    "ru": "Высшее образование (право, экономика или общественная безопасность). Знание законов о государственной "
          "службе и о противодействии коррупции.",
    "en": "Higher education (law, economics or public safety). Knowledge of the laws on civil service and on "
          "combating corruption.",
}
EDUCATION = ("Карагандинская академия МВД, юриспруденция", "ЕНУ им. Л.Н. Гумилева, право",
             "КазНУ им. аль-Фараби, экономика", "Академия правоохранительных органов, правоохранительная деятельность")
EVIDENCE = {5: "Уровень 5: пример самостоятельный, результат измерим.", 4: "Уровень 4: пример конкретный, роль ясна.",
            3: "Уровень 3: пример есть, последствия не проанализированы.", 2: "Уровень 2: ответ общий, пример слабый.",
            1: "Уровень 1: пример не приведён."}
MEMBER_NOISE, APPLICANT_NOISE = 0.45, 0.6


@dataclass(frozen=True)
class Entrant:
    user_id: int
    passed: bool                # the legislation test
    competency: float | None    # mean of the competency scales, 0-100


def run(db: Database, regions: list[tuple[str, str]], password: str) -> None:
    """One competition per (region code, city) not yet held (a region with fewer than two passers holds none)."""
    pending = [(n, code, city) for n, (code, city) in enumerate(regions) if not _held(db, TITLE.format(city=city))]
    if not pending:        # a repeated run reads no attempts
        return
    hr = _account(db, "le2017.hr@merit.demo", "Жанар Сейтқалиева", ("hr_analyst",), password)
    entrants = _entrants(db)
    for n, code, city in pending:
        chosen = entrants.get(code, [])
        if sum(e.passed for e in chosen) >= 2:
            _competition(db, hr, n, code, city, chosen, password)


def _account(db: Database, email: str, name: str, roles: tuple[str, ...], password: str) -> CurrentUser:
    """Staff accounts carry no region: a 2017 region code may no longer exist."""
    with db.read() as session:
        found = session.exec(select(User.id).where(User.email == email)).first()
    if found is not None:
        return current_user(db, found)
    return create_user(db, Registration(full_name=name, email=email, roles=roles, language="ru",
                                        password=password, password_confirm=password), actor=SYSTEM,
                       require_consent=False)


def _held(db: Database, title: str) -> bool:
    with db.read() as session:
        return session.exec(select(Competition.id).where(Competition.title == title)).first() is not None


def _entrants(db: Database) -> dict[str, list[Entrant]]:
    """Per region, in the order they sat: the first who passed and sat the competency assessment before the
    announcement, and the first who failed."""
    cutoff = _at(ANNOUNCED, 9)
    with db.read() as session:
        rows = session.exec(select(User.id, User.region_code, Attempt.program_code, Attempt.passed, Attempt.result)
                            .join(Attempt, Attempt.candidate_id == User.id)
                            .where(User.email.like("le2017-%@merit.demo"), Attempt.finished_at < cutoff)
                            .order_by(Attempt.finished_at)).all()
    tests, profiles = {}, {}
    for user_id, region, program, passed, result in rows:
        if program == "corps-b":
            tests[user_id] = (region, bool(passed))
        else:
            scores = [s["score"] for s in result["scales"] if s["score"] is not None]
            profiles[user_id] = sum(scores) / len(scores)
    chosen: dict[str, list[Entrant]] = {}
    for user_id, (region, passed) in tests.items():
        group = chosen.setdefault(region, [])
        if passed and user_id in profiles and sum(e.passed for e in group) < PASSED:
            group.append(Entrant(user_id, True, profiles[user_id]))
        elif not passed and sum(not e.passed for e in group) < FAILED:
            group.append(Entrant(user_id, False, None))
    return chosen


def _at(day: date, hour: int, minutes: int = 0) -> datetime:
    """A moment in 2017 Astana time (UTC+6 that year), as UTC."""
    return (datetime.combine(day, time(hour)) - timedelta(hours=6) + timedelta(minutes=minutes)).replace(tzinfo=UTC)


def _competition(db: Database, hr: CurrentUser, n: int, region: str, city: str, entrants: list[Entrant],
                 password: str) -> None:
    rng = random.Random(f"le2017-competition:{region}")
    competition = service.announce(db, hr, service.Announcement(
        title=TITLE.format(city=city), state_body_code=BODIES[n % len(BODIES)],
        position_category_code=CATEGORIES[n % len(CATEGORIES)], region_code=region, kind="general", posts=1,
        requirements=REQUIREMENTS, closes_at=_at(ANNOUNCED + timedelta(days=14), 18)), _at(ANNOUNCED, 9))
    seats = [_account(db, f"le2017.commission{n + 1:02d}-{k}@merit.demo", f"Член комиссии {k}, {city}",
                      ("commission_member",), password) for k in range(1, MEMBERS + 2)]
    commission.form_commission(db, hr, competition.id, [(seats[0].id, commission.CHAIR), *(
        (s.id, commission.MEMBER) for s in seats[1:MEMBERS]), (seats[MEMBERS].id, commission.SECRETARY)],
        _at(ANNOUNCED, 15))
    applicants = [current_user(db, e.user_id) for e in entrants]
    applications = [service.apply(db, person, competition.id, {
        "education": rng.choice(EDUCATION), "experience_years": rng.randint(1, 12),
        "statement": "Прошу допустить к участию в конкурсе."}, True, _at(ANNOUNCED + timedelta(days=k % 13), 10, k))
        for k, person in enumerate(applicants)]
    checked = _at(ANNOUNCED + timedelta(days=15), 10)
    for k, application in enumerate(applications):
        eligible = k != len(applications) - 1         # one applicant lacks the required education
        service.check_eligibility(db, hr, application.id, eligible, "Соответствует квалификационным требованиям."
                                  if eligible else "Образование не соответствует требованиям.", checked)
    service.advance(db, checked + timedelta(hours=1))
    service.close_testing(db, hr, competition.id, checked + timedelta(days=2))
    _interviews(db, competition.id, seats[:MEMBERS], entrants, applicants, rng, checked + timedelta(days=5))
    protocols.hold_final_session(db, seats[0], competition.id, f"{city}, зал заседаний",
                                 checked + timedelta(days=6))


def _interviews(db: Database, competition_id: int, voting: list[CurrentUser], entrants: list[Entrant],
                applicants: list[CurrentUser], rng: random.Random, at: datetime) -> None:
    codes = [c.code for c in bundled("interview").competencies]
    quality = {person.id: 3 + (e.competency - 50) / 15 + rng.gauss(0, APPLICANT_NOISE)
               for person, e in zip(applicants, entrants, strict=True) if e.competency is not None}
    with db.read() as session:
        rows = session.exec(select(Interview.id, Application.id, Application.candidate_id)
                            .join(Application, Application.id == Interview.application_id)
                            .where(Interview.competition_id == competition_id).order_by(Interview.id)).all()
    for k, (interview_id, application_id, candidate_id) in enumerate(rows):
        conflicted = voting[1] if k == 0 else None      # the first applicant is a member's relative
        for member in voting:
            commission.declare(db, member, application_id, member is conflicted,
                               "Кандидат — мой родственник." if member is conflicted else "", at)
        for m, member in enumerate(m for m in voting if m is not conflicted):
            levels = {code: min(5, max(1, round(quality[candidate_id] + rng.gauss(0, MEMBER_NOISE)))) for code in codes}
            interviews.submit(db, member, interview_id, {code: {"level": level, "evidence": EVIDENCE[level]}
                                                         for code, level in levels.items()},
                              at + timedelta(minutes=2 * m))
        if interviews.view(db, voting[0], interview_id).interview.state == interviews.MODERATION:
            interviews.finish_moderation(db, voting[0], interview_id, at + timedelta(minutes=15))
        at += timedelta(minutes=30)
