"""Item statistics from the answers of scored attempts: what the author sees after each sitting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from question_bank.analysis import AttemptResponses, TestAnalysis, analyse
from question_bank.assembly import form_from_json
from question_bank.items import Item, ItemType
from question_bank.scoring import item_score
from recruit.bank import service as bank
from recruit.bank.models import AssembledForm
from recruit.db import Database
from recruit.exams.models import Attempt, Response, Sitting


@dataclass(frozen=True)
class ItemReport:
    analysis: TestAnalysis
    items: dict[str, Item]   # "item@vN" -> the version analysed


def label(item: Item) -> str:
    return f"{item.id}@v{item.version}"


def sittings_of(db: Database, program_code: str) -> list[Sitting]:
    with db.read() as session:
        return list(session.exec(select(Sitting).where(Sitting.program_code == program_code)
                                 .order_by(Sitting.opens_at.desc())).all())


def item_report(db: Database, program_code: str, sitting_id: int | None = None,
                between: tuple[datetime, datetime] | None = None, latest: int | None = None) -> ItemReport:
    """Analyse every scored attempt of a program (or of one sitting, or finished `between` two instants, or
    only the `latest` so many); each item version is its own item."""
    query = select(Attempt).where(Attempt.program_code == program_code, Attempt.scored_at.is_not(None))
    if sitting_id is not None:
        query = query.where(Attempt.sitting_id == sitting_id)
    if between is not None:
        query = query.where(Attempt.finished_at >= between[0], Attempt.finished_at < between[1])
    with db.read() as session:
        attempts = session.exec(query.order_by(Attempt.id.desc()).limit(latest) if latest
                                else query.order_by(Attempt.id)).all()
        forms = {row.id: form_from_json(row.content) for row in session.exec(
            select(AssembledForm).where(AssembledForm.id.in_([a.form_id for a in attempts]))).all()}
        answers: dict[int, dict[int, list[str]]] = {}
        for row in session.exec(select(Response).where(Response.attempt_id.in_([a.id for a in attempts]))).all():
            answers.setdefault(row.attempt_id, {})[row.slot] = row.selected
        pairs = {(fi.item_id, fi.version) for form in forms.values() for fi in form.items}
        items = bank.items_by_version(session, pairs)
    program = {(p.code, p.version): p for p in bank.programs(db)}
    rows = []
    for attempt in attempts:
        mode = program[(attempt.program_code, attempt.program_version)].multiple_response
        scores, choices = {}, {}
        for slot, form_item in enumerate(forms[attempt.form_id].items, start=1):
            item = items[(form_item.item_id, form_item.version)]
            if item.type is ItemType.LIKERT:
                continue
            selected = frozenset(answers.get(attempt.id, {}).get(slot, ()))
            scores[label(item)] = item_score(item, selected, mode)
            choices[label(item)] = selected
        rows.append(AttemptResponses(scores=scores, choices=choices))
    by_label = {label(item): item for item in items.values()}
    analysis = analyse(rows, option_counts={k: len(i.options) for k, i in by_label.items()},
                       keys={k: i.key for k, i in by_label.items()})
    return ItemReport(analysis, by_label)
