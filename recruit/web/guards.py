"""Route guards: signed in, and holding one of the named roles."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


READS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_ALLOWED = "read_only_allowed"   # route opt: a read-only token may use this unsafe method (its own revocation)


def signed_in(connection: ASGIConnection, handler: BaseRouteHandler | None) -> None:
    """Every guard starts here, so a read-only API token is refused every change on every route."""
    user = connection.user
    if user is None:
        raise NotAuthorizedException("Sign-in required")
    if user.read_only and connection.scope["method"] not in READS and not (handler and handler.opt.get(READ_ONLY_ALLOWED)):
        raise PermissionDeniedException("This token is read-only")


def requires(*roles: str) -> Guard:
    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        signed_in(connection, handler)
        if not connection.user.has(*roles):
            raise PermissionDeniedException("Your roles do not allow this")

    guard.__name__ = f"requires_{'_or_'.join(roles)}"
    return guard
