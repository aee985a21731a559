"""Sign-in, registration, own account, language choice, and user administration (HTML)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery

from recruit import i18n
from recruit.accounts import service
from recruit.accounts.models import Role
from recruit.db import Database, utcnow
from recruit.errors import FormErrors
from recruit.reference.service import choices
from recruit.web.guards import requires, signed_in
from recruit.web.identity import LANGUAGE_COOKIE, SESSION_COOKIE
from recruit.web.pages import DB, field, fields, local_path, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ROLE_NAMES = {
    Role.CANDIDATE: i18n.N_("Candidate"),
    Role.AUTHOR: i18n.N_("Test author"),
    Role.COMMISSION_MEMBER: i18n.N_("Commission member"),
    Role.HR_ANALYST: i18n.N_("HR analyst"),
    Role.OPERATOR: i18n.N_("Exam operator"),
    Role.ADMIN: i18n.N_("Administrator"),
}


def _client(request: Request) -> tuple[str | None, str | None]:
    return (request.client.host if request.client else None), request.headers.get("user-agent")


def _signed_in(request: Request, db: DB, user: service.CurrentUser, target: str, flash: str | None = None):
    """A fresh session id at every sign-in; whatever session the browser had is ended."""
    ip, agent = _client(request)
    token = service.start_session(db, user, ip, agent, replaces=request.cookies.get(SESSION_COOKIE))
    response = redirect(target, flash=flash)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.settings.production,
                        max_age=int(service.SESSION_LIFETIME.total_seconds()), path="/")
    return response


def _region_choices(db: DB) -> list[tuple[str, str]]:
    return choices(db, "regions", i18n.active_language(), on=utcnow().date())


class SignInController(Controller):
    """Signing in and out, registering, and choosing a language."""

    include_in_schema = False

    @get("/login", name="login", sync_to_thread=False)
    def login_page(self, request: Request, next: FromQuery[str | None] = None) -> Response:
        if request.user is not None:
            return redirect(local_path(next))
        return page("accounts/login.html", next=local_path(next), email="", error=None)

    @post("/login", sync_to_thread=True)
    def login(self, request: Request, db: DB, data: Form) -> Response:
        email, target = field(data, "email"), local_path(field(data, "next"))
        user = service.authenticate(db, email, field(data, "password"), _client(request)[0])
        if user is None:
            return page("accounts/login.html", status_code=401, next=target, email=email,
                        error=service.LOGIN_FAILED)
        return _signed_in(request, db, user, target)

    @post("/logout", name="logout", sync_to_thread=True)
    def logout(self, request: Request, db: DB) -> Response:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            service.end_session(db, session_id, request.user)
        response = redirect("/", flash="signed_out")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/register", name="register", sync_to_thread=True)
    def register_page(self, request: Request, db: DB) -> Response:
        if request.user is not None:
            return redirect("/")
        form = service.Registration(language=i18n.active_language())
        return page("accounts/register.html", form=form, errors={}, regions=_region_choices(db))

    @post("/register", sync_to_thread=True)
    def register(self, request: Request, db: DB, data: Form) -> Response:
        form = service.Registration(
            full_name=field(data, "full_name"), iin=field(data, "iin"), email=field(data, "email"),
            region_code=field(data, "region_code"), language=field(data, "language"),
            password=field(data, "password"), password_confirm=field(data, "password_confirm"),
            consent=field(data, "consent") == "yes",
        )
        try:
            user = service.create_user(db, form)
        except FormErrors as exc:
            form.password = form.password_confirm = ""
            return page("accounts/register.html", status_code=400, form=form, errors=exc.errors,
                        regions=_region_choices(db))
        return _signed_in(request, db, user, "/", flash="registered")

    @post("/language", name="language", sync_to_thread=True)
    def choose_language(self, request: Request, db: DB, data: Form) -> Response:
        """Anyone may switch; a signed-in user's choice is kept on the account."""
        language = field(data, "language")
        if language not in i18n.LANGUAGES:
            language = i18n.active_language()
        if request.user is not None:
            service.set_language(db, request.user, language)
        response = redirect(local_path(field(data, "next")))
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                            secure=request.app.state.settings.production)
        return response


class AccountController(Controller):
    """The signed-in user's own account."""

    include_in_schema = False
    guards = [signed_in]

    @get("/account", name="account", sync_to_thread=False)
    def account_page(self) -> Response:
        return page("accounts/account.html", errors={}, role_names=ROLE_NAMES)

    @post("/account/password", sync_to_thread=True)
    def change_password(self, request: Request, db: DB, data: Form) -> Response:
        try:
            service.change_password(db, request.user, field(data, "current_password"), field(data, "new_password"),
                                    field(data, "new_password_confirm"),
                                    keep_session=request.cookies.get(SESSION_COOKIE))
        except FormErrors as exc:
            return page("accounts/account.html", status_code=400, errors=exc.errors, role_names=ROLE_NAMES)
        return redirect("/account", flash="password_changed")


def _user_or_404(db: DB, user_id: FromPath[int]) -> service.UserRow:
    user = service.get_user(db, user_id)
    if user is None:
        raise NotFoundException()
    return user


class UserAdminController(Controller):
    """Users and roles, for administrators."""

    include_in_schema = False
    guards = [requires(Role.ADMIN)]

    @get("/admin/users", name="admin_users", sync_to_thread=True)
    def users(self, db: DB, q: FromQuery[str] = "", role: FromQuery[str] = "") -> Response:
        return page("accounts/admin_users.html", users=service.list_users(db, search=q, role=role), q=q,
                    role=role, role_names=ROLE_NAMES)

    @get("/admin/users/{user_id:int}", sync_to_thread=True)
    def user(self, db: DB, user_id: FromPath[int]) -> Response:
        return page("accounts/admin_user.html", subject=_user_or_404(db, user_id), errors={},
                    role_names=ROLE_NAMES)

    @post("/admin/users/{user_id:int}", sync_to_thread=True)
    def update_user(self, request: Request, db: DB, user_id: FromPath[int], data: Form) -> Response:
        subject = _user_or_404(db, user_id)
        try:
            service.update_user_access(db, request.user, user_id, set(fields(data, "roles")) - {""},
                                       is_active=field(data, "is_active") == "yes")
        except FormErrors as exc:
            return page("accounts/admin_user.html", status_code=400, subject=subject, errors=exc.errors,
                        role_names=ROLE_NAMES)
        return redirect(f"/admin/users/{user_id}", flash="saved")

    @get("/admin/users/new", sync_to_thread=True)
    def new_user_page(self, db: DB) -> Response:
        return page("accounts/admin_new_user.html", form=service.Registration(roles=()), errors={},
                    regions=_region_choices(db), role_names=ROLE_NAMES)

    @post("/admin/users/new", sync_to_thread=True)
    def new_user(self, request: Request, db: DB, data: Form) -> Response:
        """Staff accounts (authors, commission members, operators...) are made by an administrator."""
        password = field(data, "password")
        form = service.Registration(
            full_name=field(data, "full_name"), iin=field(data, "iin"), email=field(data, "email"),
            region_code=field(data, "region_code"), language=field(data, "language") or "kk",
            password=password, password_confirm=password, roles=tuple(r for r in fields(data, "roles") if r),
        )
        try:
            user = service.create_user(db, form, actor=request.user.actor, require_consent=False)
        except FormErrors as exc:
            form.password = form.password_confirm = ""
            return page("accounts/admin_new_user.html", status_code=400, form=form, errors=exc.errors,
                        regions=_region_choices(db), role_names=ROLE_NAMES)
        return redirect(f"/admin/users/{user.id}", flash="saved")


route_handlers = [SignInController, AccountController, UserAdminController]
