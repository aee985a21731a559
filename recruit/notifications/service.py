"""Notifications are written in the same transaction as the change they report, so none is lost or sent for
a change that did not happen. They are stored as message ids and read in the reader's language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, func, select

from recruit.accounts.service import CurrentUser
from recruit.db import Database
from recruit.i18n import gettext
from recruit.notifications.models import Notification

SHOWN = 200


def notify(session: Session, user_id: int, message: str, now: datetime, link: str | None = None,
           translated: tuple[str, ...] = (), **params: object) -> None:
    whole = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in params.items()}
    session.add(Notification(user_id=user_id, at=now, message=message, params=whole, translated=list(translated),
                             link=link))


def text(notification: Notification) -> str:
    """The message in the active language; a translated parameter may itself refer to the others."""
    params = {k: gettext(v) if k in notification.translated and v else v for k, v in notification.params.items()}
    params = {k: v % params if k in notification.translated and "%(" in str(v) else v for k, v in params.items()}
    return gettext(notification.message, **params) if params else gettext(notification.message)


def inbox(db: Database, user: CurrentUser) -> list[Notification]:
    with db.read() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.at.desc(), Notification.id.desc()).limit(SHOWN)).all())


def unread(db: Database, user: CurrentUser) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None))).one()


def mark_read(db: Database, user: CurrentUser, now: datetime) -> None:
    with db.write() as session:
        session.execute(update(Notification).where(Notification.user_id == user.id,
                                                   Notification.read_at.is_(None)).values(read_at=now))
