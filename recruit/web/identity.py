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
from litestar.openapi.spec import SecurityScheme
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import bindparam, select

from recruit import i18n
from recruit.accounts.models import ApiToken, User, UserRole
from recruit.accounts.service import CurrentUser, digest, resolve_session
from recruit.db import Database, utcnow

SESSION_COOKIE = "merit_session"
LANGUAGE_COOKIE = "merit_lang"
API_PREFIX = "/api/"
IDENTIFIES_ITSELF = "identifies_itself"  # route opt: the handler calls identify_here instead of the middleware
# The OpenAPI declaration of how the API authenticates, and the requirement its protected operations carry.
SECURITY_SCHEMES = {"bearer": SecurityScheme(type="http", scheme="bearer",
                                             description="A token from POST /api/v1/tokens")}
BEARER = [{"bearer": []}]


def bearer_token(headers: Headers) -> str | None:
    scheme, _sep, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


# Every API request runs this: one indexed read of the token's hash, its user and the user's roles, with
# expiry and revocation checked each time.
TOKEN_USER = (
    select(User.id, User.email, User.full_name, User.language, User.region_code, User.iin, ApiToken.read_only,
           UserRole.role)
    .join(ApiToken, ApiToken.user_id == User.id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), User.is_active)
)


def token_user(db: Database, token: str) -> CurrentUser | None:
    with db.raw_read() as raw:
        rows = raw.execute(TOKEN_USER, digest=digest(token), now=utcnow())
    if not rows:
        return None
    first = rows[0]
    return CurrentUser(id=first.id, email=first.email, full_name=first.full_name, language=first.language,
                       roles=frozenset(row.role for row in rows if row.role), region_code=first.region_code,
                       iin=first.iin, read_only=bool(first.read_only))


def identify_here(db: Database, scope: Scope) -> CurrentUser | None:
    """The token check for a route marked IDENTIFIES_ITSELF, run in its handler's thread: exam day's hot path
    then takes one thread hop per request instead of two."""
    token = scope.get("auth")
    user = scope["user"] = token_user(db, token) if token else None
    scope["auth"] = token if user else None
    return user


def choose_language(user: CurrentUser | None, cookie: str | None, accept_language: str | None) -> str:
    if user is not None:
        return user.language
    if cookie in i18n.LANGUAGES:
        return cookie
    return i18n.negotiate(accept_language)


class IdentityMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """Static files and the health check need no identity."""
        return scope["path"].startswith("/static/") or scope["path"] == "/health"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["route_handler"].opt.get(IDENTIFIES_ITSELF):
            # Not yet checked: the handler does that (identify_here), and answers in the user's language.
            scope["user"], scope["auth"] = None, bearer_token(Headers.from_scope(scope))
            await next_app(scope, receive, send)
            return
        db: Database = scope["litestar_app"].state.db
        connection = ASGIConnection(scope)
        headers, cookies = connection.headers, connection.cookies
        user: CurrentUser | None = None
        if scope["path"].startswith(API_PREFIX):
            token = bearer_token(headers)
            if token:
                user = await anyio.to_thread.run_sync(token_user, db, token)
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
