"""Load generator (run in its own process): a synchronized start of every candidate, then autosaves.

A small keep-alive HTTP/1.1 client on asyncio streams, one connection per worker: general HTTP clients spend
more CPU per request than the server under test, which would measure the client, not Merit.
Usage: python -m bench.loadgen --base URL --tokens FILE --saves N --concurrency C --out FILE [--start-window S]
[--floor]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from urllib.parse import urlsplit


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict | None, token: str,
                      fresh: bool = False) -> tuple[int, dict]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            fresh = True
        payload = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
        try:
            self.writer.write(head.encode() + payload)
            await self.writer.drain()
            status_line = await self.reader.readline()
        except ConnectionError:
            status_line = b""
            if fresh:
                raise
        if not status_line and not fresh:
            # The server had closed this idle keep-alive connection (our request unread, or cut off as it
            # arrived): send again on a new one, as browsers do for a reused connection.
            self.writer = None
            return await self.request(method, path, body, token, fresh=True)
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"connection" and b"close" in value.lower():
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, json.loads(data) if data else {}


async def run(args: argparse.Namespace) -> dict:
    tokens = json.loads(open(args.tokens).read())
    base = urlsplit(args.base)
    connections = [Connection(base.hostname, base.port) for _ in range(args.concurrency)]
    attempts: list[dict] = []
    starts: list[float] = []
    errors = 0
    kinds: Counter[str] = Counter()  # what the errors were: an HTTP status, or the exception's class

    async def starter(conn: Connection, queue: asyncio.Queue) -> None:
        nonlocal errors
        while not queue.empty():
            release, token = queue.get_nowait()
            if args.floor:
                attempts.append({"token": token, "id": len(attempts) + 1, "items": None})
                continue
            await asyncio.sleep(release - time.perf_counter())
            # Released over a window, a start's latency counts from its release, so that time spent waiting
            # for a busy server shows; released all at once, it counts from the send.
            began = release if args.start_window else time.perf_counter()
            status, body = await conn.request("POST", "/api/v1/attempts", {"sitting_id": args.sitting,
                                                                           "language": "ru"}, token)
            starts.append(time.perf_counter() - began)
            if status in (200, 201):
                attempts.append({"token": token, "id": body["id"],
                                 "items": [[o["id"] for o in i["options"]] for i in body["items"]]})
            else:
                errors += 1
                kinds[f"start {status}"] += 1

    tokens_queue: asyncio.Queue = asyncio.Queue()
    began = time.perf_counter()
    for n, token in enumerate(tokens):
        tokens_queue.put_nowait((began + args.start_window * n / len(tokens), token))
    await asyncio.gather(*(starter(conn, tokens_queue) for conn in connections))
    start_wall = time.perf_counter() - began

    rng = random.Random(1)
    work: asyncio.Queue = asyncio.Queue()
    for attempt in attempts:
        plan = []
        for seq in range(1, args.saves + 1):
            slot = rng.randint(1, 55)
            choice = rng.choice(attempt["items"][slot - 1]) if attempt["items"] else f"o{rng.randint(1, 4)}"
            plan.append((slot, choice, seq))
        work.put_nowait((attempt, plan))
    latencies: list[float] = []
    acked: dict[str, list] = {}

    async def saver(conn: Connection) -> None:
        nonlocal errors
        while not work.empty():
            attempt, plan = work.get_nowait()  # one browser: its saves in order
            for slot, choice, seq in plan:
                path = (f"/floor/{attempt['id']}/{slot}" if args.floor
                        else f"/api/v1/attempts/{attempt['id']}/responses/{slot}")
                sent = time.perf_counter()
                try:
                    status, body = await conn.request("PUT", path, {"choice_ids": [choice], "seq": seq},
                                                      attempt["token"])
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors += 1
                    kinds[f"save {type(exc).__name__}"] += 1
                    conn.writer = None
                    continue
                latencies.append(time.perf_counter() - sent)
                if status == 200 and body.get("saved"):
                    acked[f"{attempt['id']}:{slot}"] = [seq, choice]
                elif status != 200:
                    errors += 1
                    kinds[f"save {status}"] += 1

    began = time.perf_counter()
    await asyncio.gather(*(saver(conn) for conn in connections))
    save_wall = time.perf_counter() - began
    return {"starts": starts, "start_wall": start_wall, "latencies": latencies, "save_wall": save_wall,
            "errors": errors, "error_kinds": kinds, "acked": acked, "attempts": len(attempts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--sitting", type=int, default=0)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--start-window", type=float, default=0, help="release the starts evenly over S seconds")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    with open(args.out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
