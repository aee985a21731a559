"""Reference data: seeded from the bundled JSON (missing codes only, so administrators' edits stay), listed, edited."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlmodel import Session, SQLModel, select

from recruit.accounts.service import CurrentUser
from recruit.audit.service import SYSTEM, record
from recruit.db import Database
from recruit.errors import FormErrors
from recruit.i18n import N_
from recruit.reference.models import PositionCategory, Region, StateBody

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Kind:
    """One kind of reference data: its table, bundled file and editable fields."""

    slug: str
    model: type[SQLModel]
    file: str
    title: str
    fields: tuple[str, ...]


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("regions", Region, "regions.json", N_("Administrative units"),
             ("name_kk", "name_ru", "name_en", "kind", "valid_from", "valid_to")),
        Kind("position-categories", PositionCategory, "position_categories.json", N_("Position categories"),
             ("name_kk", "name_ru", "name_en", "corps")),
        Kind("state-bodies", StateBody, "state_bodies.json", N_("State bodies"),
             ("name_kk", "name_ru", "name_en", "kind", "region_code")),
    )
}


@cache
def bundled(slug: str) -> tuple[dict, ...]:
    return tuple(json.loads((DATA_DIR / KINDS[slug].file).read_text(encoding="utf-8")))


def _parse(kind: Kind, raw: dict) -> dict:
    values = {}
    for name in ("code", *kind.fields):
        value = raw.get(name)
        if name in ("valid_from", "valid_to"):
            value = date.fromisoformat(value) if value else None
        values[name] = value
    return values


def seed(session: Session) -> int:
    """Insert bundled rows whose codes are missing; returns how many were added."""
    added = 0
    for slug in ("regions", "position-categories", "state-bodies"):  # regions first: bodies refer to them
        kind = KINDS[slug]
        present = set(session.exec(select(kind.model.code)).all())
        for raw in bundled(slug):
            if raw["code"] not in present:
                session.add(kind.model(**_parse(kind, raw)))
                added += 1
        session.flush()
    if added:
        record(session, SYSTEM, "reference.seeded", "reference", "bundled", after={"rows_added": added})
    return added


def regions(db: Database, on: date | None = None) -> list[Region]:
    with db.read() as session:
        rows = session.exec(select(Region).order_by(Region.code)).all()
    return [row for row in rows if on is None or row.valid_on(on)]


def choices(db: Database, slug: str, language: str, on: date | None = None) -> list[tuple[str, str]]:
    """(code, name in `language`) for a form's select, by name; regions only those valid `on` a day."""
    entries = regions(db, on) if slug == "regions" else rows(db, slug)
    return sorted(((e.code, e.name(language)) for e in entries), key=lambda choice: choice[1])


def region_json(region: Region) -> dict:
    return {
        "code": region.code, "name_en": region.name_en, "name_ru": region.name_ru, "name_kk": region.name_kk,
        "valid_from": region.valid_from.isoformat() if region.valid_from else None,
        "valid_to": region.valid_to.isoformat() if region.valid_to else None,
    }


def bundled_regions() -> list[Region]:
    return [Region(**_parse(KINDS["regions"], raw)) for raw in bundled("regions")]


def rows(db: Database, slug: str) -> list[SQLModel]:
    kind = KINDS[slug]
    with db.read() as session:
        return list(session.exec(select(kind.model).order_by(kind.model.code)).all())


def get(db: Database, slug: str, code: str) -> SQLModel | None:
    with db.read() as session:
        return session.get(KINDS[slug].model, code)


def _validated(session: Session, kind: Kind, form: dict[str, str]) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    for name in kind.fields:
        raw = (form.get(name) or "").strip()
        if name.startswith("name_"):
            if not 2 <= len(raw) <= 300:
                errors[name] = N_("Enter a name of 2 to 300 characters.")
            values[name] = raw
        elif name in ("valid_from", "valid_to"):
            try:
                values[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[name] = N_("Enter a date as YYYY-MM-DD.")
        elif name == "region_code":
            if raw and session.get(Region, raw) is None:
                errors[name] = N_("Choose a region.")
            values[name] = raw or None
        else:
            if not raw:
                errors[name] = N_("This field is required.")
            values[name] = raw
    if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        errors["valid_to"] = N_("The end of validity must not precede its start.")
    if errors:
        raise FormErrors(errors)
    return values


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def create(db: Database, admin: CurrentUser, slug: str, form: dict[str, str]) -> str:
    """Add a row (a new region by law, a new state body); codes are permanent once made."""
    kind = KINDS[slug]
    code = (form.get("code") or "").strip()
    with db.write() as session:
        errors = {}
        if not CODE_PATTERN.match(code):
            errors["code"] = N_("Use 1 to 40 letters, digits or hyphens.")
        elif session.get(kind.model, code) is not None:
            errors["code"] = N_("This code is already used.")
        try:
            values = _validated(session, kind, form)
        except FormErrors as exc:
            errors.update(exc.errors)
        if errors:
            raise FormErrors(errors)
        session.add(kind.model(code=code, **values))
        record(session, admin.actor, "reference.created", slug, code, after=values)
    return code


def update(db: Database, admin: CurrentUser, slug: str, code: str, form: dict[str, str]) -> None:
    kind = KINDS[slug]
    with db.write() as session:
        row = session.get(kind.model, code)
        if row is None:
            raise LookupError(code)
        values = _validated(session, kind, form)
        before = {name: getattr(row, name) for name in kind.fields}
        if values == before:
            return
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        record(session, admin.actor, "reference.updated", slug, code, before=before, after=values)
