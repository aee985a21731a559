"""Counting outcomes in the database, grouped by one dimension: one GROUP BY, a few hundred rows at most, so a
report over a million attempts costs about what the bare query costs.

A legislation-test outcome is a scored knowledge attempt (its pass or fail); a competition stage's outcome is
what the pipeline recorded for it. Periods are calendar years in Astana time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from sqlalchemy import Integer, case, cast, func, literal, literal_column, select
from sqlalchemy.sql import ColumnElement

from recruit.accounts.models import User
from recruit.competitions.models import Application, Competition, StageOutcome
from recruit.db import Database
from recruit.exams.models import Attempt, Sitting

ASTANA = timezone(timedelta(hours=5))
TEST_STAGES = {"legislation"}
COMPETITION_STAGES = {"competency", "essay", "interview"}
YEARS = range(1900, 3000)
DIMENSIONS = ("region", "period", "sex", "age_band", "language", "track", "program", "category")
TEST_ONLY = ("language", "track", "program")
AGE_BANDS = ((0, 24, "under-25"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 200, "55+"))

Counts = dict[str, tuple[int, int]]      # group code -> (n, passed)


def year_bounds(period: str) -> tuple[datetime, datetime]:
    """A calendar year in Astana time, as a UTC range; a year outside YEARS is refused (ValueError), as the
    earliest ones would overflow on the way to UTC."""
    year = int(period)
    if year not in YEARS:
        raise ValueError(f"period must be a year from {YEARS.start} to {YEARS.stop - 1}")
    return (datetime(year, 1, 1, tzinfo=ASTANA).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=ASTANA).astimezone(timezone.utc))


def _local_year(dialect: str, moment) -> ColumnElement:
    """The year at UTC+5 (Astana time today; the same offset on both engines and in `year_bounds`)."""
    if dialect == "sqlite":
        return cast(func.strftime("%Y", moment, "+5 hours"), Integer)
    return cast(func.extract("year", moment + literal_column("interval '5 hours'")), Integer)


def counts(db: Database, stage: str, by: str, period: str | None = None,
           regions: Iterable[str] | None = None) -> Counts:
    """(n, passed) per group of `by` for the outcomes of `stage`, optionally in one period and some regions."""
    return _counted(db, stage, by, period, regions, per_period=False)[None]


def trend_counts(db: Database, stage: str, by: str, regions: Iterable[str] | None = None) -> dict[str, Counts]:
    """The same counts for every period at once, for trend lines: {period: {group: (n, passed)}}."""
    return _counted(db, stage, by, None, regions, per_period=True)


def _counted(db: Database, stage: str, by: str, period: str | None, regions: Iterable[str] | None,
             per_period: bool) -> dict[str | None, Counts]:
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    if stage not in TEST_STAGES | COMPETITION_STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    dialect = db.engine.dialect.name
    moment, passed = ((Attempt.finished_at, Attempt.passed) if stage in TEST_STAGES
                      else (StageOutcome.decided_at, StageOutcome.passed))
    keys = _keys(by, dialect, moment) + ([_local_year(dialect, moment)] if per_period else [])
    query = select(*keys, func.count(), func.sum(case((passed.is_(True), 1), else_=0)))
    if stage in TEST_STAGES:
        query = (query.select_from(Attempt).join(User, User.id == Attempt.candidate_id)
                 .where(Attempt.scored_at.is_not(None), Attempt.passed.is_not(None)))
        if by == "track":      # the only dimension that needs the sitting: skip the join otherwise
            query = query.join(Sitting, Sitting.id == Attempt.sitting_id)
        if by == "category":   # a test result serves every competition, so it has no position category
            raise ValueError(f"{by!r} applies to competition stages; group tests by program")
    else:
        if by in TEST_ONLY:
            raise ValueError(f"{by!r} applies to tests, not to the {stage} stage")
        query = (query.select_from(StageOutcome).join(Application).join(User, User.id == Application.candidate_id)
                 .where(StageOutcome.stage == stage))
        if by == "category":
            query = query.join(Competition, Competition.id == Application.competition_id)
    if period is not None:
        start, end = year_bounds(period)
        query = query.where(moment >= start, moment < end)
    if regions is not None:
        query = query.where(User.region_code.in_(list(regions)))
    with db.read() as session:
        rows = session.execute(query.group_by(*keys)).all()
    if not per_period:
        return {None: _merge(by, rows)}
    split: dict[str, list] = {}
    for *key, year, n, passed_count in rows:
        split.setdefault(str(year), []).append((*key, n, passed_count))
    return {year: _merge(by, part) for year, part in sorted(split.items())}


def _keys(by: str, dialect: str, moment) -> list[ColumnElement]:
    if by == "region":
        return [User.region_code]
    if by == "period":
        return [_local_year(dialect, moment)]
    if by == "sex":       # the IIN's 7th digit: odd for men, even for women
        return [func.substr(User.iin, 7, 1)]
    if by == "age_band":  # birth year from the IIN (YY and the century digit), age in the year of the outcome
        return [func.substr(User.iin, 1, 2), func.substr(User.iin, 7, 1), _local_year(dialect, moment)]
    return [{"language": Attempt.language, "track": Sitting.track, "program": Attempt.program_code,
             "category": Competition.position_category_code}.get(by, literal(""))]


def _merge(by: str, rows) -> Counts:
    """Fold the database's groups into the reported ones (sex from a digit, age bands from birth years)."""
    merged: Counter = Counter()
    passes: Counter = Counter()
    for *key, n, passed in rows:
        group = _group(by, key)
        merged[group] += n
        passes[group] += int(passed or 0)
    return {group: (merged[group], passes[group]) for group in sorted(merged)}


def _group(by: str, key: list) -> str:
    if by == "sex":
        return "unknown" if not key[0] or not key[0].isdigit() else ("M" if int(key[0]) % 2 else "F")
    if by == "age_band":
        yy, century, year = key
        if not (yy and century and yy.isdigit() and century.isdigit()) or int(century) == 0:
            return "unknown"
        born = 1800 + 100 * ((int(century) - 1) // 2) + int(yy)
        age = int(year) - born
        return next(label for low, high, label in AGE_BANDS if low <= age <= high)
    return str(key[0]) if key[0] is not None else "unknown"


def funnel_counts(db: Database, period: str | None = None, regions: Iterable[str] | None = None) -> list[tuple[str, int]]:
    """Applicants reaching each step of the competitions: applied, eligible, then each stage passed."""
    applied = select(func.count()).select_from(Application).join(User, User.id == Application.candidate_id)
    eligible = applied.where(Application.status.not_in(("submitted", "ineligible")))
    passed = (select(StageOutcome.stage, func.count()).join(Application)
              .join(User, User.id == Application.candidate_id).where(StageOutcome.passed.is_(True)))
    if period is not None:
        start, end = year_bounds(period)
        applied, eligible = (q.where(Application.applied_at >= start, Application.applied_at < end)
                             for q in (applied, eligible))
        passed = passed.where(Application.applied_at >= start, Application.applied_at < end)
    if regions is not None:
        codes = list(regions)
        applied, eligible, passed = (q.where(User.region_code.in_(codes)) for q in (applied, eligible, passed))
    with db.read() as session:
        by_stage = dict(session.execute(passed.group_by(StageOutcome.stage)).all())
        steps = [("applied", session.execute(applied).scalar_one()), ("eligible", session.execute(eligible).scalar_one())]
    order = ("legislation", "competency", "essay", "interview")
    return steps + [(stage, by_stage[stage]) for stage in order if stage in by_stage]
