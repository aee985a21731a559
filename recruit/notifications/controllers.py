"""The inbox page: newest first; opening it marks everything read."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post

from recruit.db import utcnow
from recruit.notifications import service
from recruit.web.guards import signed_in
from recruit.web.pages import DB, page, redirect


class InboxController(Controller):
    include_in_schema = False
    guards = [signed_in]

    @get("/inbox", sync_to_thread=True)
    def inbox(self, request: Request, db: DB) -> Response:
        shown = service.inbox(db, request.user)
        return page("notifications/inbox.html", notifications=[(n, service.text(n)) for n in shown])

    @post("/inbox/read", sync_to_thread=True)
    def read(self, request: Request, db: DB) -> Response:
        service.mark_read(db, request.user, utcnow())
        return redirect("/inbox")


route_handlers = [InboxController]
