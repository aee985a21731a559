"""E-mail copies go out only with SMTP configured, once each, in the reader's language."""

import socketserver
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from recruit.competitions import service
from recruit.db import utcnow
from recruit.notifications.mail import send_pending
from recruit.settings import load_settings
from tests.competitions.conftest import DETAILS


class Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages and keep them (the client is the standard library's)."""

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 sink\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                self.server.messages.append(message_from_bytes(body, policy=policy.default))
                self.wfile.write(b"250 kept\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def sink():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Sink)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_inbox_messages_are_mailed_once_in_the_readers_language(db, sink, announce, make_user):
    candidate = make_user(email="applicant@example.kz", language="kk")
    service.apply(db, candidate, announce(title="Бас маман").id, DETAILS, True, utcnow())
    url = f"smtp://127.0.0.1:{sink.server_address[1]}"
    assert send_pending(db, url, "merit@example.kz", utcnow()) == 1
    assert send_pending(db, url, "merit@example.kz", utcnow()) == 0
    [message] = sink.messages
    assert message["To"] == "applicant@example.kz" and message["From"] == "merit@example.kz"
    assert "«Бас маман» конкурсына өтініміңіз берілді." in message.get_content()


def test_old_news_is_not_mailed_when_smtp_is_configured_later(db, sink, announce, make_user):
    service.apply(db, make_user(), announce().id, DETAILS, True, utcnow())
    url = f"smtp://127.0.0.1:{sink.server_address[1]}"
    assert send_pending(db, url, "merit@example.kz", utcnow() + timedelta(days=2)) == 0


def test_a_failed_send_is_retried(db, announce, make_user, sink):
    service.apply(db, make_user(), announce().id, DETAILS, True, utcnow())
    with pytest.raises(OSError):
        send_pending(db, "smtp://127.0.0.1:9", "merit@example.kz", utcnow())       # nothing listens there
    assert send_pending(db, f"smtp://127.0.0.1:{sink.server_address[1]}", "m@example.kz", utcnow()) == 1


def test_mail_is_off_by_default():
    assert load_settings({"RECRUIT_SECRET_KEY": "k" * 40}).smtp_url is None
