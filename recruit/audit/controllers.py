"""The audit trail, read-only, for administrators."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromQuery

from recruit.accounts.models import Role
from recruit.audit import service
from recruit.web.guards import requires
from recruit.web.pages import DB, page


class AuditController(Controller):
    include_in_schema = False
    guards = [requires(Role.ADMIN)]

    @get("/admin/audit", name="admin_audit", sync_to_thread=True)
    def index(self, db: DB, action: FromQuery[str] = "", subject: FromQuery[str] = "",
              before: FromQuery[int | None] = None) -> Response:
        subject_type, _sep, subject_id = subject.partition(":")
        events = service.recent(db, action=action, subject_type=subject_type, subject_id=subject_id,
                                before_seq=before)
        return page("audit/index.html", events=events, action=action, subject=subject,
                    older=events[-1].seq if len(events) == service.PAGE_SIZE else None)


route_handlers = [AuditController]
