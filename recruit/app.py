"""The one app factory: routes, middleware, templates, CSRF, errors and the database, wired in one place."""

from __future__ import annotations

import logging
from functools import partial
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components
from litestar.static_files import create_static_files_router
from litestar.types import Message, Scope

from recruit import __version__
from recruit.accounts import api as accounts_api
from recruit.accounts import controllers as accounts_pages
from recruit.audit import controllers as audit_pages
from recruit.appeals import controllers as appeal_pages
from recruit.bank import controllers as bank_pages
from recruit.competitions import api as competition_api
from recruit.competitions import controllers as competition_pages
from recruit.exams import api as exams_api
from recruit.exams import controllers as exam_pages
from recruit.db import Database, utcnow
from recruit.competitions.service import advance
from recruit.exams.service import sweep
from recruit.notifications import controllers as inbox_pages
from recruit.notifications.mail import send_pending
from recruit.reference import controllers as reference_pages
from recruit.statistics import api as statistics_api
from recruit.statistics import controllers as statistics_pages
from recruit.settings import Settings, load_settings
from recruit.web.errors import http_error
from recruit.web.identity import API_PREFIX, SECURITY_SCHEMES, IdentityMiddleware
from recruit.web.pages import DB, FLASH_COOKIE, page
from recruit.web.templating import template_config

STATIC_DIR = Path(__file__).with_name("static")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


@get("/", name="home", include_in_schema=False, sync_to_thread=False)
def home() -> Response:
    return page("home.html")


@get("/health", sync_to_thread=True, tags=["system"], summary="Liveness with a database check")
def health(db: DB) -> Response[dict[str, str]]:
    try:
        db.ping()
    except Exception:  # any failure to reach the database means not healthy
        return Response({"status": "error", "database": "unreachable", "version": __version__}, status_code=503)
    return Response({"status": "ok", "database": "ok", "version": __version__})


async def before_send(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if scope.get("user") is not None:
        headers.setdefault("cache-control", "no-store")
    # A flash is shown once: the page that read it clears it. In production it is Secure like every cookie.
    secure = scope["app"].state.settings.production
    flash = FLASH_COOKIE.encode() + b"="
    if secure:       # in place: `headers` wraps this very list
        raw = message["headers"]
        raw[:] = [(name, value + b"; Secure" if name == b"set-cookie" and value.startswith(flash) else value)
                  for name, value in raw]
    cookie_header = dict(scope.get("headers", [])).get(b"cookie", b"")
    if FLASH_COOKIE.encode() in cookie_header and message["status"] == 200:
        headers.add("set-cookie", f"{FLASH_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}")


SWEEP_EVERY_SECONDS = 15


@asynccontextmanager
async def sweeper(app: Litestar) -> AsyncIterator[None]:
    """In the background: closes overdue attempts, moves competition applicants on the results that arrived
    and, with SMTP configured, e-mails new inbox messages. Every worker runs one, which all three allow."""

    async def loop() -> None:
        while True:
            await anyio.sleep(SWEEP_EVERY_SECONDS)
            settings = app.state.settings
            mail = [partial(send_pending, smtp_url=settings.smtp_url, mail_from=settings.mail_from)] \
                if settings.smtp_url else []
            for task in (sweep, advance, *mail):
                try:
                    await anyio.to_thread.run_sync(lambda: task(app.state.db, now=utcnow()))
                except Exception:  # retried on the next tick; the error is logged
                    logging.getLogger("recruit").exception("background task failed")

    async with anyio.create_task_group() as group:
        group.start_soon(loop)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    db = Database(settings.database_url)
    # Reports may read a replica; everything else, sessions included, reads and writes the primary.
    reports_db = Database(settings.reports_database_url) if settings.reports_database_url else db
    return Litestar(
        route_handlers=[
            home,
            health,
            *accounts_pages.route_handlers,
            *accounts_api.route_handlers,
            *reference_pages.route_handlers,
            *audit_pages.route_handlers,
            *bank_pages.route_handlers,
            *exams_api.route_handlers,
            *exam_pages.route_handlers,
            *competition_pages.route_handlers,
            *competition_api.route_handlers,
            *inbox_pages.route_handlers,
            *appeal_pages.route_handlers,
            *statistics_pages.route_handlers,
            *statistics_api.route_handlers,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        dependencies={"db": Provide(lambda: db, use_cache=True, sync_to_thread=False),
                      "reports_db": Provide(lambda: reports_db, use_cache=True, sync_to_thread=False)},
        middleware=[IdentityMiddleware()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.production,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=[f"^{API_PREFIX}v1/"],
        ),
        template_config=template_config(),
        exception_handlers={HTTPException: http_error, Exception: http_error},
        openapi_config=OpenAPIConfig(title="Merit API", version=__version__, path="/schema",
                                     components=Components(security_schemes=SECURITY_SCHEMES)),
        before_send=[before_send],
        state=State({"db": db, "settings": settings}),
        lifespan=[sweeper],
        on_shutdown=[db.dispose, reports_db.dispose],
        debug=False,
    )
