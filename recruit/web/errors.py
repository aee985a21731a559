"""Errors answered in the reader's terms: JSON under /api/, a page (or a sign-in redirect) elsewhere."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.openapi import ResponseSpec
from litestar.params import KwargDefinition, Parameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from msgspec import Meta

from recruit import i18n
from recruit.i18n import N_
from recruit.web.identity import API_PREFIX, LANGUAGE_COOKIE, choose_language
from recruit.web.pages import page

log = logging.getLogger("recruit")

MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please sign in to continue."),
    403: N_("You do not have access to this page, or the form expired. Reload the page and try again."),
    404: N_("This page does not exist, or you do not have access to it."),
    405: N_("This action is not allowed here."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on our side. The error was recorded; please try again."),
}


@dataclass
class ApiError:
    """Every refusal under /api/: `extra` holds the reason (409), the fields at fault (422) or the validation
    errors (400), and is left out when there is nothing to add."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[Any] | None = None


# Ids past the databases' integer range are refused as bad input (400) instead of overflowing in a query (500).
MAX_ROW_ID = 2**31 - 1
PathId = Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)]
BodyId = Annotated[int, Meta(ge=1, le=MAX_ROW_ID), KwargDefinition(ge=1, le=MAX_ROW_ID)]  # checked, documented

SIGNED_IN = {401: "No valid bearer token"}
ROLE = {**SIGNED_IN, 403: "The caller's role may not do this"}


def refusals(described: dict[int, str]) -> dict[int, ResponseSpec]:
    """OpenAPI declarations of the refusals a JSON handler answers with, by status code."""
    return {status: ResponseSpec(ApiError, generate_examples=False, description=description)
            for status, description in described.items()}


def documented(status: int, shape: Any, description: str, refused: dict[int, str]) -> dict[int, ResponseSpec]:
    """The declarations for a handler that builds its JSON by hand: its answer's shape, and its refusals."""
    return {status: ResponseSpec(shape, generate_examples=False, description=description), **refusals(refused)}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/health"


def http_error(request: Request, exc: Exception) -> Response:
    if "user" not in request.scope:
        # Routing failed before the identity middleware ran: answer anonymously, in the visitor's language.
        request.scope["user"] = None
        i18n.activate(choose_language(None, request.cookies.get(LANGUAGE_COOKIE),
                                      request.headers.get("accept-language")))
    status = exc.status_code if isinstance(exc, HTTPException) else HTTP_500_INTERNAL_SERVER_ERROR
    if status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_json(request):
        detail = exc.detail if isinstance(exc, HTTPException) and status < 500 else "Internal server error"
        body = {"status_code": status, "detail": detail}
        if isinstance(exc, HTTPException) and exc.extra and status < 500:
            body["extra"] = exc.extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=getattr(exc, "headers", None))
    if isinstance(exc, NotAuthorizedException):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request"):
            return Response("", status_code=204, headers={"HX-Redirect": target})
        return Redirect(path=target, status_code=303)
    return page("error.html", status_code=status, status=status, message=MESSAGES.get(status, MESSAGES[400]))
