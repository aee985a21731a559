"""JSON API for accounts: bearer tokens and the caller's identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, Request, delete, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from recruit.accounts import service
from recruit.i18n import gettext
from recruit.web.pages import DB
from recruit.web.errors import SIGNED_IN, refusals
from recruit.web.guards import READ_ONLY_ALLOWED, signed_in
from recruit.web.identity import BEARER


@dataclass
class Credentials:
    email: str
    password: str
    read_only: bool = False     # for an agency's report pulls: the token can read, never change anything


@dataclass
class IssuedToken:
    token: str
    expires_at: datetime
    read_only: bool


@dataclass
class Me:
    id: int
    email: str
    full_name: str
    language: str
    roles: list[str]
    region_code: str | None


class TokenController(Controller):
    """Bearer tokens and the caller's identity."""

    tags = ["accounts"]

    @post("/api/v1/tokens", status_code=HTTP_201_CREATED, sync_to_thread=True,
          summary="Exchange e-mail and password for a bearer token",
          responses=refusals({401: "Wrong e-mail or password, or the account is locked for a while"}))
    def create_token(self, request: Request, db: DB, data: JSONBody[Credentials]) -> IssuedToken:
        ip = request.client.host if request.client else None
        user = service.authenticate(db, data.email, data.password, ip)
        if user is None:
            raise NotAuthorizedException(gettext(service.LOGIN_FAILED))
        token, expires_at = service.issue_token(db, user, read_only=data.read_only)
        return IssuedToken(token=token, expires_at=expires_at, read_only=data.read_only)

    @delete("/api/v1/tokens/current", guards=[signed_in], sync_to_thread=True, opt={READ_ONLY_ALLOWED: True},
            summary="Revoke the token used for this request", responses=refusals(SIGNED_IN), security=BEARER)
    def revoke_current_token(self, request: Request, db: DB) -> None:
        service.revoke_token(db, request.auth, request.user)

    @get("/api/v1/me", guards=[signed_in], sync_to_thread=False, summary="The caller's account",
         responses=refusals(SIGNED_IN), security=BEARER)
    def me(self, request: Request) -> Me:
        user = request.user
        return Me(id=user.id, email=user.email, full_name=user.full_name, language=user.language,
                  roles=sorted(user.roles), region_code=user.region_code)


route_handlers = [TokenController]
