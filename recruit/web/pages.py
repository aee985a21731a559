"""Helpers for HTML handlers: render a page, redirect after a post, read form fields."""

from __future__ import annotations

from typing import Any, TypeAlias
from urllib.parse import urlsplit

from litestar import Request
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from recruit.db import Database
from recruit.i18n import N_

DB: TypeAlias = NamedDependency[Database]

FLASHES = {
    "saved": N_("Changes saved."),
    "password_changed": N_("Your password was changed. Other sessions were signed out."),
    "registered": N_("Welcome! Your account is ready."),
    "signed_out": N_("You have signed out."),
    "language_changed": N_("Language changed."),
    "booked": N_("You are booked. You can start when the sitting opens."),
    "applied": N_("Your application is submitted. Follow its progress on this page."),
}
FLASH_COOKIE = "merit_flash"


def page(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=name, context=context, status_code=status_code)


def redirect(path: str, flash: str | None = None) -> Redirect:
    """303 after a post; the flash is a key into FLASHES, never free text."""
    response = Redirect(path=path, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, flash, max_age=60, httponly=True, samesite="lax")
    return response


def take_flash(request: Request) -> str | None:
    return FLASHES.get(request.cookies.get(FLASH_COOKIE, ""))


def local_path(target: str | None, default: str = "/") -> str:
    """Only same-site paths, so ?next= cannot send a user elsewhere."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def field(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return (value[-1] if isinstance(value, list) else value or "").strip()


def fields(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name, [])
    return value if isinstance(value, list) else [value]
