"""Route guards: signed in, and holding one of the named roles."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def signed_in(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if connection.user is None:
        raise NotAuthorizedException("Sign-in required")


def requires(*roles: str) -> Guard:
    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        signed_in(connection, handler)
        if not connection.user.has(*roles):
            raise PermissionDeniedException("Your roles do not allow this")

    guard.__name__ = f"requires_{'_or_'.join(roles)}"
    return guard
