"""Two app nodes on one PostgreSQL database, as docs/deploy.md lays them out: each node is `recruit serve --workers 2`
on its own port, with nothing shared but the database and the secret key (a load balancer without sticky sessions
may send any request to any node, and any worker of a node). What one node does, the other must see at once:
sessions and sign-out, sign-in throttling, the takeover of an attempt by another device, and saved answers.
"""

import itertools
import re
import subprocess
import time

import httpx
import pytest
from sqlmodel import select

from recruit.accounts.models import LoginThrottle
from recruit.accounts.service import ACCOUNT_FREE_FAILURES, Registration, create_user, throttle_keys
from recruit.db import Database, utcnow
from recruit.exams import service as exams
from tests.conftest import fresh_database
from tests.factories import PASSWORD, iin_for
from tests.live_server import RECRUIT, LiveServer, open_exam_day

SECRET = "two-node-test-secret-key-0123456789abcdef"
STARTUP_SECONDS = 120  # two workers importing the app at once, on a busy 2-core machine
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Node(LiveServer):
    """One app node: `recruit serve --workers 2` on its own port."""

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*RECRUIT, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2",
                 "--no-access-log"], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._both_workers_up():
            assert self.process.poll() is None, self.log.read_text()[-4000:]
            assert time.monotonic() < deadline, f"no two workers within {STARTUP_SECONDS} s"
            time.sleep(0.2)

    def _both_workers_up(self) -> bool:
        """Each worker logs its start-up once it listens; /health may be answered by the first alone."""
        return self.log.read_text().count("Application startup complete") >= 2


@pytest.fixture(scope="module")
def database_url(request):
    """One migrated PostgreSQL database for the module: starting two nodes costs more than the tests."""
    with fresh_database(request, "postgresql", prefix="merit_nodes") as url:
        yield url


@pytest.fixture(scope="module")
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def sitting(database_url):
    return open_exam_day(database_url)


NUMBERS = itertools.count(1)


def make_user(db: Database, email: str):
    n = next(NUMBERS)
    return create_user(db, Registration(full_name=f"Node Tester {n}", email=email, iin=iin_for(n),
                                        region_code="KZ-55", language="en", password=PASSWORD,
                                        password_confirm=PASSWORD), require_consent=False)


@pytest.fixture(scope="module")
def nodes(database_url, tmp_path_factory):
    started = []
    try:
        for name in ("a", "b"):
            node = Node(database_url, tmp_path_factory.mktemp(f"node-{name}"))
            node.env["RECRUIT_SECRET_KEY"] = SECRET  # the one secret every node shares (CSRF tokens)
            node.start()
            started.append(node)
        yield started
    finally:
        for node in started:
            node.stop()


def browser(node: LiveServer, cookies: httpx.Cookies | None = None) -> httpx.Client:
    return httpx.Client(base_url=node.url, cookies=cookies, headers={"accept-language": "en"}, timeout=30)


def post_form(client: httpx.Client, path: str, data: dict, form_from: httpx.Client | None = None) -> httpx.Response:
    """Post the way a browser does, with the CSRF field of a page (served by `form_from`, another node maybe)."""
    page = (form_from or client).get("/login" if path == "/login" else "/")
    token = CSRF_INPUT.search(page.text).group(1)
    if form_from is not None:
        client.cookies.update(form_from.cookies)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def test_a_session_made_on_one_node_works_on_the_other_until_signed_out(nodes, db):
    a, b = nodes
    make_user(db, "two-nodes@example.kz")
    on_a = browser(a)
    # The sign-in form comes from node B and is posted to node A: one secret, no sticky sessions needed.
    signed_in = post_form(on_a, "/login", {"email": "two-nodes@example.kz", "password": PASSWORD},
                          form_from=browser(b))
    assert signed_in.status_code == 303, signed_in.text
    on_b = browser(b, cookies=on_a.cookies)
    account = on_b.get("/account")
    assert account.status_code == 200 and "two-nodes@example.kz" in account.text
    assert post_form(on_a, "/logout", {}).status_code == 303
    assert on_b.get("/account", follow_redirects=False).status_code in (302, 303, 401)


def test_sign_in_failures_on_both_nodes_count_together(nodes, db):
    a, b = nodes
    make_user(db, "throttled@example.kz")
    on_a, on_b = browser(a), browser(b)
    wrong = {"email": "throttled@example.kz", "password": "not the password at all"}
    for n in range(ACCOUNT_FREE_FAILURES):  # alternately: neither node alone reaches the limit
        assert post_form(on_a if n % 2 else on_b, "/login", wrong).status_code == 401
    with db.read() as session:
        row = session.get(LoginThrottle, throttle_keys("throttled@example.kz", None)[0])
    assert row.failures == ACCOUNT_FREE_FAILURES and row.locked_until > utcnow()
    right = {"email": "throttled@example.kz", "password": PASSWORD}
    for client in (on_a, on_b):  # the right password too is refused on either node while the lock lasts
        assert post_form(client, "/login", right).status_code == 401


def test_an_attempt_taken_over_on_one_node_is_refused_to_the_old_device_on_the_other(nodes, db, sitting):
    a, b = nodes
    exams.book(db, make_user(db, "sitter@example.kz"), sitting, utcnow())
    old_device, new_device = browser(a), browser(b)
    for device in (old_device, new_device):
        answer = device.post("/api/v1/tokens", json={"email": "sitter@example.kz", "password": PASSWORD})
        device.headers["authorization"] = f"Bearer {answer.json()['token']}"

    started = old_device.post("/api/v1/attempts", json={"sitting_id": sitting, "language": "ru"})
    assert started.status_code == 201, started.text
    attempt = started.json()
    first = attempt["items"][0]["options"][0]["id"]
    saved = old_device.put(f"/api/v1/attempts/{attempt['id']}/responses/1", json={"choice_ids": [first], "seq": 1})
    assert saved.json()["saved"] is True

    # An answer saved through node A is read through node B.
    seen = new_device.get(f"/api/v1/attempts/{attempt['id']}").json()
    assert seen["responses"] == [{"slot": 1, "choice_ids": [first], "seq": 1}]

    # The new device takes the attempt over on node B; the old one, still on node A, is refused and told why.
    assert new_device.post("/api/v1/attempts", json={"sitting_id": sitting, "language": "ru"}).status_code == 200
    second = attempt["items"][1]["options"][0]["id"]
    refused = old_device.put(f"/api/v1/attempts/{attempt['id']}/responses/2", json={"choice_ids": [second], "seq": 2})
    assert refused.status_code == 409 and refused.json()["extra"]["reason"] == "session_replaced"
    assert new_device.put(f"/api/v1/attempts/{attempt['id']}/responses/2",
                          json={"choice_ids": [second], "seq": 2}).json()["saved"] is True
    with db.read() as session:
        kinds = [e.kind for e in session.exec(select(exams.AttemptEvent).where(
            exams.AttemptEvent.attempt_id == attempt["id"]).order_by(exams.AttemptEvent.id))]
    assert kinds == ["started", "takeover"]
    assert old_device.get(f"/api/v1/attempts/{attempt['id']}").json()["responses"][1]["seq"] == 2
