"""E-mail copies of inbox messages, only when SMTP is configured (RECRUIT_SMTP_URL); off by default.

Each message is claimed before it is sent (so two workers never send it twice) and released if sending fails
(so it is tried again on the next tick). Only messages of the last day are sent: configuring SMTP later does
not flood people with old news.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import update
from sqlmodel import select

from recruit import i18n
from recruit.accounts.models import User
from recruit.db import Database
from recruit.i18n import N_, gettext
from recruit.notifications.models import Notification
from recruit.notifications.service import text

RECENT = timedelta(days=1)
BATCH = 100
SUBJECT = N_("Merit: news about your application")


def send_pending(db: Database, smtp_url: str, mail_from: str, now: datetime) -> int:
    with db.write() as session:
        rows = session.exec(select(Notification, User).join(User, User.id == Notification.user_id).where(
            Notification.emailed_at.is_(None), Notification.at >= now - RECENT).order_by(Notification.id)
            .limit(BATCH)).all()
        ids = [n.id for n, _ in rows]
        session.execute(update(Notification).where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
                        .values(emailed_at=now))
    sent = 0
    try:
        with _connect(smtp_url) as smtp:
            for notification, user in rows:
                smtp.send_message(_message(notification, user, mail_from))
                sent += 1
    finally:
        if sent < len(rows):
            with db.write() as session:
                session.execute(update(Notification).where(Notification.id.in_(ids[sent:])).values(emailed_at=None))
    return sent


def _message(notification: Notification, user: User, mail_from: str) -> EmailMessage:
    with i18n.using(user.language):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = mail_from, user.email, gettext(SUBJECT)
        message.set_content(text(notification))
    return message


def _connect(smtp_url: str) -> smtplib.SMTP:
    parts = urlsplit(smtp_url)
    options = parse_qs(parts.query)
    smtp = (smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP)(parts.hostname, parts.port or 25,
                                                                            timeout=30)
    if options.get("starttls") == ["1"]:
        smtp.starttls()
    if parts.username:
        smtp.login(unquote(parts.username), unquote(parts.password or ""))
    return smtp
