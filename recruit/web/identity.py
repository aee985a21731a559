"""Who is asking, and in which language.

HTML pages authenticate by the server-side session cookie; /api/ only by a Bearer token, so the
CSRF-exempt API can never be driven by a browser's ambient cookie.
"""

from __future__ import annotations

import anyio
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from recruit import i18n
from recruit.accounts.service import CurrentUser, resolve_session, resolve_token
from recruit.db import Database

SESSION_COOKIE = "merit_session"
LANGUAGE_COOKIE = "merit_lang"
API_PREFIX = "/api/"


def bearer_token(headers: Headers) -> str | None:
    scheme, _sep, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def choose_language(user: CurrentUser | None, cookie: str | None, accept_language: str | None) -> str:
    if user is not None:
        return user.language
    if cookie in i18n.LANGUAGES:
        return cookie
    return i18n.negotiate(accept_language)


class IdentityMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/static/", "^/health$")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        db: Database = scope["litestar_app"].state.db
        connection = ASGIConnection(scope)
        headers, cookies = connection.headers, connection.cookies
        user: CurrentUser | None = None
        if scope["path"].startswith(API_PREFIX):
            token = bearer_token(headers)
            if token:
                user = await anyio.to_thread.run_sync(resolve_token, db, token)
                scope["auth"] = token if user else None
        else:
            session_id = cookies.get(SESSION_COOKIE)
            if session_id:
                user = await anyio.to_thread.run_sync(resolve_session, db, session_id)
                scope["auth"] = session_id if user else None
        scope["user"] = user
        language = choose_language(user, cookies.get(LANGUAGE_COOKIE), headers.get("accept-language"))
        with i18n.using(language):
            await next_app(scope, receive, send)
