"""Shared write transactions (group commit): every work's own changes or none, and never acknowledged early."""

import threading

from sqlalchemy import bindparam, insert, select

from recruit.db import Database, utcnow
from recruit.notifications.models import Notification


COLUMNS = Notification.__table__.c
ADD = insert(Notification).values(      # hot-path statements are built once and compiled once
    {name: bindparam(name, type_=COLUMNS[name].type) for name in ("user_id", "at", "message", "params", "translated")})


class Refused(Exception):
    pass


def test_concurrent_shared_writes_keep_each_work_whole(db: Database, database_url, make_user):
    user = make_user()
    outcomes: dict[int, str] = {}

    def work(n: int):
        def run(raw):
            raw.execute(ADD, user_id=user.id, at=utcnow(), message=f"m{n}", params={}, translated=[])
            if n % 3 == 0:
                raise Refused(n)       # after writing: the savepoint must undo this work's row only
            return n
        return run

    def client(n: int):
        try:
            outcomes[n] = "ok" if db.write_shared(work(n)) == n else "wrong"
        except Refused:
            outcomes[n] = "refused"

    threads = [threading.Thread(target=client, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fresh = Database(database_url)        # another connection: only committed rows are visible
    with fresh.read() as session:
        stored = set(session.exec(select(Notification.message)).scalars())
    fresh.dispose()
    assert stored == {f"m{n}" for n, outcome in outcomes.items() if outcome == "ok"}
    assert {n for n, outcome in outcomes.items() if outcome == "refused"} == {n for n in range(60) if n % 3 == 0}
    assert len(outcomes) == 60 and "wrong" not in outcomes.values()
