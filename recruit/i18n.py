"""Kazakh, Russian and English: Babel catalogs, the active language per request, locale-aware formatting."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"  # the state language
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LOCALES_DIR = Path(__file__).with_name("locales")
TIMEZONE = "Asia/Almaty"

_active: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> Translations:
    """Compiled in memory from the .po file, so there are no binary catalogs to keep in step."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def active_language() -> str:
    return _active.get()


def activate(language: str) -> None:
    _active.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def using(language: str) -> Iterator[None]:
    token = _active.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _active.reset(token)


def gettext(message: str, **params: object) -> str:
    text = translations(active_language()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(active_language()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


_ = gettext


def negotiate(accept_language: str | None) -> str:
    """Best of our languages for an Accept-Language header; the state language otherwise."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    preferred = []
    for part in accept_language.split(","):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        preferred.append((weight, tag.strip().replace("_", "-")))
    tags = [tag for weight, tag in sorted(preferred, key=lambda p: -p[0]) if weight > 0]
    found = Locale.negotiate(tags, list(LANGUAGES), sep="-") if tags else None
    return str(found) if found else DEFAULT_LANGUAGE


def format_date(value: date | None, format: str = "medium") -> str:
    return "" if value is None else dates.format_date(value, format=format, locale=active_language())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, format=format, tzinfo=dates.get_timezone(TIMEZONE), locale=active_language())


def format_number(value: float | int | None) -> str:
    return "" if value is None else numbers.format_decimal(value, locale=active_language())
