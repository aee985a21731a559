"""Question-bank rules in the database: versions, imports (all-or-nothing), programs, forms, exports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import event, func, or_, tuple_, update
from sqlmodel import Session, select

from question_bank.assembly import Assembler, Form
from question_bank.importers import ImportResult
from question_bank.items import Item, ItemError, Status, item_from_dict, item_to_dict
from question_bank.programs import Program, ProgramError, bundled_programs, program_from_dict, program_to_dict
from recruit.audit.service import Actor, record
from recruit.bank.models import AssembledForm, BankItem, ProgramRecord
from recruit.db import Database, utcnow
from recruit.errors import FormErrors
from recruit.i18n import N_

DEMO_BANK_DIR = Path(__file__).resolve().parent.parent / "demo_bank"


def _content(item: Item) -> dict:
    data = item_to_dict(item)
    data.pop("version")
    return data


def _same_content(a: Item, b: Item) -> bool:
    strip = lambda i: {k: v for k, v in _content(i).items() if k != "source"}  # noqa: E731
    return strip(a) == strip(b)


def _record(item: Item, version: int, actor: Actor) -> BankItem:
    return BankItem(
        item_id=item.id, version=version, type=item.type.value, act=item.topic.act, article=item.topic.article,
        status=item.status.value, difficulty=item.difficulty, languages=",".join(sorted(item.languages)),
        enemy_group=item.enemy_group, law_date=item.law_date, competency=item.competency, name=item.name,
        search_text=" ".join([item.name or "", *item.stem.values()]).lower(), content=_content(item),
        created_at=utcnow(), created_by=actor.label,
    )


def to_item(row: BankItem) -> Item:
    return item_from_dict({**row.content, "version": row.version, "status": row.status,
                           "difficulty": row.difficulty})


def _current(session: Session, item_id: str) -> BankItem | None:
    return session.exec(select(BankItem).where(BankItem.item_id == item_id, BankItem.is_current)).first()


@dataclass(frozen=True)
class SaveOutcome:
    item_id: str
    version: int
    change: str  # "created", "new_version", "updated", "unchanged"


def _save(session: Session, item: Item, actor: Actor) -> SaveOutcome:
    """Insert or change one item. A frozen version (used on a form) is never touched: a new version is made."""
    current = _current(session, item.id)
    if current is None:
        session.add(_record(item, item.version, actor))
        return SaveOutcome(item.id, item.version, "created")
    if _same_content(to_item(current), item):
        return SaveOutcome(item.id, current.version, "unchanged")
    if current.frozen:
        current.is_current = False
        session.add(current)
        session.flush()
        session.add(_record(item, current.version + 1, actor))
        return SaveOutcome(item.id, current.version + 1, "new_version")
    fresh = _record(item, current.version, actor)
    for name in ("type", "act", "article", "status", "difficulty", "languages", "enemy_group", "law_date",
                 "competency", "name", "search_text", "content"):
        setattr(current, name, getattr(fresh, name))
    session.add(current)
    return SaveOutcome(item.id, current.version, "updated")


@dataclass(frozen=True)
class ImportSummary:
    imported: int
    created: int
    new_versions: int
    updated: int
    unchanged: int
    skipped: tuple[str, ...]


def store_import(db: Database, actor: Actor, result: ImportResult, files: Sequence[str]) -> ImportSummary:
    """Store a checked import in one transaction. The caller has made sure `result.ok`."""
    if not result.ok:
        raise ValueError("an import with problems is never stored")
    with db.write() as session:
        outcomes = [_save(session, item, actor) for item in result.items]
        counts = {change: sum(1 for o in outcomes if o.change == change)
                  for change in ("created", "new_version", "updated", "unchanged")}
        if counts["unchanged"] == len(outcomes):
            return ImportSummary(len(result.items), 0, 0, 0, len(outcomes), tuple(str(s) for s in result.skipped))
        record(session, actor, "bank.imported", "bank", ",".join(files)[:120], after={
            "files": list(files), **counts, "skipped": [str(s) for s in result.skipped],
            "items": [f"{o.item_id}@v{o.version}" for o in outcomes if o.change != "unchanged"][:500],
        })
    return ImportSummary(len(result.items), counts["created"], counts["new_version"], counts["updated"],
                         counts["unchanged"], tuple(str(s) for s in result.skipped))


def save_item(db: Database, actor: Actor, item: Item) -> SaveOutcome:
    with db.write() as session:
        before = _current(session, item.id)
        before_content = {**before.content, "status": before.status} if before else None
        outcome = _save(session, item, actor)
        if outcome.change != "unchanged":
            record(session, actor, f"bank.item_{outcome.change}", "item", item.id,
                   before=before_content, after={**_content(item), "version": outcome.version})
    return outcome


def set_status(db: Database, actor: Actor, item_id: str, status: str) -> None:
    """Lifecycle (draft, active, retired) is bank state, not content: it changes without a new version."""
    if status not in {s.value for s in Status}:
        raise FormErrors({"status": N_("Choose a status.")})
    with db.write() as session:
        current = _current(session, item_id)
        if current is None:
            raise LookupError(item_id)
        if current.status != status:
            record(session, actor, "bank.item_status", "item", item_id,
                   before={"status": current.status, "version": current.version},
                   after={"status": status, "version": current.version})
            current.status = status
            session.add(current)


@dataclass(frozen=True)
class ItemFilter:
    act: str = ""
    status: str = ""
    language: str = ""
    difficulty: str = ""   # "easy" (>= 0.7), "medium" (0.5-0.7), "hard" (< 0.5), "unknown"
    search: str = ""
    flagged: bool = False  # items whose law date precedes their act's latest amendment in the bank


def list_items(db: Database, flt: ItemFilter = ItemFilter(), limit: int = 500) -> list[BankItem]:
    query = select(BankItem).where(BankItem.is_current).order_by(BankItem.act, BankItem.item_id).limit(limit)
    if flt.act:
        query = query.where(BankItem.act == flt.act)
    if flt.status:
        query = query.where(BankItem.status == flt.status)
    if flt.language:
        query = query.where(BankItem.languages.contains(flt.language))
    bands = {"easy": (BankItem.difficulty >= 0.7), "medium": (BankItem.difficulty >= 0.5) & (BankItem.difficulty < 0.7),
             "hard": BankItem.difficulty < 0.5, "unknown": BankItem.difficulty.is_(None)}
    if flt.difficulty in bands:
        query = query.where(bands[flt.difficulty])
    if flt.search:
        needle = f"%{flt.search.strip().lower()}%"
        query = query.where(or_(BankItem.search_text.like(needle), BankItem.item_id.like(needle)))
    with db.read() as session:
        rows = list(session.exec(query).all())
    if flt.flagged:
        latest = law_dates(db)
        rows = [r for r in rows if needs_review(r, latest)]
    return rows


def law_dates(db: Database) -> dict[str, date]:
    """The newest law date per act among current items: the act's latest amendment the bank knows of."""
    with db.read() as session:
        return {act: day for act, day in session.exec(
            select(BankItem.act, func.max(BankItem.law_date)).where(BankItem.is_current)
            .group_by(BankItem.act)).all() if day}


def needs_review(row: BankItem, latest: dict[str, date]) -> bool:
    """Written against an older text of its act than the newest one in the bank: review after an amendment."""
    return row.law_date is not None and row.act in latest and row.law_date < latest[row.act]


def acts(db: Database) -> list[str]:
    with db.read() as session:
        return sorted(session.exec(select(BankItem.act).where(BankItem.is_current).distinct()).all())


def versions(db: Database, item_id: str) -> list[BankItem]:
    with db.read() as session:
        return list(session.exec(select(BankItem).where(BankItem.item_id == item_id)
                                 .order_by(BankItem.version.desc())).all())


def pool(db: Database, acts: Iterable[str] | None = None) -> list[Item]:
    """Current active items: what forms are assembled from."""
    query = select(BankItem).where(BankItem.is_current, BankItem.status == Status.ACTIVE.value)
    if acts is not None:
        query = query.where(BankItem.act.in_(list(acts)))
    with db.read() as session:
        return [to_item(row) for row in session.exec(query).all()]


def items_by_version(session: Session, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Item]:
    """The exact item versions named, in one query."""
    pairs = list(pairs)
    if not pairs:
        return {}
    rows = session.exec(select(BankItem).where(tuple_(BankItem.item_id, BankItem.version).in_(pairs))).all()
    return {(row.item_id, row.version): to_item(row) for row in rows}


def items_by_version_db(db: Database, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Item]:
    with db.read() as session:
        return items_by_version(session, pairs)


def current_items(db: Database) -> list[Item]:
    with db.read() as session:
        return [to_item(row) for row in session.exec(select(BankItem).where(BankItem.is_current)
                                                     .order_by(BankItem.item_id)).all()]


# Programs


def seed_programs(session: Session, actor: Actor) -> int:
    """Add bundled program versions that the database does not have yet."""
    added = 0
    for program in bundled_programs():
        if session.get(ProgramRecord, (program.code, program.version)) is None:
            session.add(ProgramRecord(code=program.code, version=program.version,
                                      effective_from=program.effective_from, effective_to=program.effective_to,
                                      content=program_to_dict(program), created_at=utcnow(),
                                      created_by=actor.label))
            added += 1
    if added:
        session.flush()
        record(session, actor, "bank.programs_seeded", "program", "bundled", after={"versions_added": added})
    return added


def programs(db: Database) -> list[Program]:
    with db.read() as session:
        rows = session.exec(select(ProgramRecord).order_by(ProgramRecord.code, ProgramRecord.version)).all()
    return [program_from_dict(row.content) for row in rows]


_versions: dict[tuple[str, str, int], Program] = {}


def program(db: Database, code: str, version: int | None = None, on: date | None = None) -> Program:
    """A given version (on the booking and start paths; a stored version never changes, so each process
    reads it once), or the version in force on a day (today by default)."""
    if version is not None:
        key = (db.url, code, version)
        if key not in _versions:
            with db.read() as session:
                row = session.get(ProgramRecord, (code, version))
            if row is not None:
                _versions[key] = program_from_dict(row.content)
        found = [_versions[key]] if key in _versions else []
    else:
        day = on or utcnow().date()
        candidates = [p for p in programs(db) if p.code == code and p.in_force(day)]
        found = sorted(candidates, key=lambda p: p.version)[-1:]
    if not found:
        raise LookupError(f"no program {code!r}" + (f" version {version}" if version else " in force"))
    return found[0]


def program_version(session: Session, code: str, version: int) -> Program:
    row = session.get(ProgramRecord, (code, version))
    if row is None:
        raise LookupError(f"no program {code!r} version {version}")
    return program_from_dict(row.content)


def save_program(db: Database, actor: Actor, data: dict) -> Program:
    """Programs are never edited in place: a change is a new version with its own effective dates."""
    with db.write() as session:
        latest = session.exec(select(func.max(ProgramRecord.version)).where(ProgramRecord.code == data.get("code"))).one()
        try:
            program = program_from_dict({**data, "version": (latest or 0) + 1})
        except ProgramError as exc:
            raise FormErrors({"program": str(exc)}) from exc
        session.add(ProgramRecord(code=program.code, version=program.version, effective_from=program.effective_from,
                                  effective_to=program.effective_to, content=program_to_dict(program),
                                  created_at=utcnow(), created_by=actor.label))
        record(session, actor, "bank.program_version", "program", f"{program.code}@v{program.version}",
               after=program_to_dict(program))
    return program


# Forms


def assemble(db: Database, program_code: str, seed: int | str, language: str, on: date | None = None) -> Form:
    chosen = program(db, program_code, on=on)
    return Assembler(chosen, pool(db, {s.act for s in chosen.sections}), language).assemble(seed)


_frozen: set[tuple[str, str, int]] = set()   # (database, item, version) known frozen: a frozen version stays so


def freeze_form(session: Session, form: Form) -> AssembledForm:
    """Keep a form as given and freeze the item versions it used, so they can never change under it."""
    row = AssembledForm(program_code=form.program, program_version=form.program_version, seed=str(form.seed),
                        language=form.language, expected_score=form.expected_score, content=form.to_json(),
                        created_at=utcnow())
    session.add(row)
    url = str(session.get_bind().url)
    used = [(fi.item_id, fi.version) for fi in form.items]
    if any((url, *pair) not in _frozen for pair in used):   # after a sitting's first forms, never
        session.execute(update(BankItem).where(tuple_(BankItem.item_id, BankItem.version).in_(used),
                                               BankItem.frozen.is_(False)).values(frozen=True))
    session.flush()
    # Known only once this transaction commits: after a rollback the next form sends the statement again.
    event.listen(session, "after_commit", lambda _: _frozen.update((url, *pair) for pair in used), once=True)
    return row


def demo_items() -> list[Item]:
    items = []
    for path in sorted(DEMO_BANK_DIR.glob("*.json")):
        for data in json.loads(path.read_text(encoding="utf-8")):
            try:
                items.append(item_from_dict(data))
            except ItemError as exc:
                raise ItemError(f"{path.name}: {exc}") from exc
    return items
