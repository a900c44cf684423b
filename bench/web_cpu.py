"""Server CPU per fact edit of the workspace, measured in one process so that the machine's load
changes it little (run by hand, not a test): the Starlette application driven through its ASGI
interface (a minimal client, class Client: no HTTP server, no sockets), `--productions` users each on their
own copy of the feature film, editing in turn as bench/web_latency.py's users do.

    .venv/bin/python bench/web_cpu.py [--backend sqlite|postgresql] [--edits 200] [--productions 50]
                                      [--browser htmx|plain] [--profile FILE]

An edit is what the user's browser requests for it (`--browser`):
- « htmx » (default, what the pages ask since 2026-12-02): the form's POST sent by htmx, answered
  with the fragment htmx swaps in (saved notice, decisions, the form's new version);
- « plain » (a browser without JavaScript): the POST, its 303 redirect and the whole facts page.
The client is a few lines (bench's Client: the ASGI messages, cookies kept), so the figure is
the server's work less uvicorn's HTTP parsing and socket writes.

Printed: processor time per edit (this process's user + system time, time.process_time: the
server's work and the few lines of client, not PostgreSQL's own process), which a loaded machine
changes much less than the wall time (take the lowest of a few runs); `--profile` writes a cProfile
of the measured edits in processor time (the handlers run inline there, one thread).
(Instruction counts under valgrind were tried: the difference of a run of N and of 2N edits was
dominated by the start-up's variations, even negative: not a usable figure for this bench.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
TODAY = "2025-10-15"


class Client:
    """A browser's requests straight to the ASGI application: cookies kept, nothing else (an HTTP
    client library would cost more CPU than the server's own parsing of the request does)."""

    def __init__(self, app) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, form: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        from urllib.parse import urlencode

        body = urlencode(form).encode() if form is not None else b""
        raw = [(b"host", b"127.0.0.1"), *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())]
        if self.cookies:
            raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()))
        if form is not None:
            raw += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", str(len(body)).encode())]
        path, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
                 "headers": raw, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
        sent = False
        status, out_headers, chunks = 0, {}, []

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for key, value in message["headers"]:
                    key, value = key.decode().lower(), value.decode()
                    if key == "set-cookie":
                        name, _, rest = value.partition("=")
                        cookie = rest.split(";", 1)[0]
                        if cookie in ("", '""') or "max-age=0" in value.lower():
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = cookie
                    out_headers[key] = value
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, out_headers, b"".join(chunks).decode()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


async def edits(app, productions: int, count: int, browser: str, profile: str | None) -> tuple[float, float]:
    """Log in every user, warm up (one edit each: the production's dossier and pages made once), then
    `count` edits in turn over the users; (processor seconds, wall seconds) of those edits."""
    from web_latency import PASSWORD

    users = []
    for i in range(productions):
        client = Client(app)
        _, _, page = await client.request("GET", "/login")
        status, _, _ = await client.request("POST", "/login", {"email": f"u{i}@bench.test", "password": PASSWORD,
                                                                "csrf": csrf_of(page)})
        assert status == 303, status
        _, _, page = await client.request("GET", f"/p/film-{i}/facts/work")
        users.append((client, csrf_of(page)))
    headers = {"HX-Request": "true", "HX-Target": "facts-status"} if browser == "htmx" else {}

    async def edit(i: int, n: int) -> None:
        client, token = users[i]
        status, found, page = await client.request("POST", f"/p/film-{i}/facts/work", headers=headers, form={
            "csrf": token, "present:work.shooting_days": "1", "work.shooting_days": str(30 + n % 20)})
        if browser == "htmx":
            assert status == 200 and "decisions-now" in page, status
            assert "<html" not in page  # a fragment, not the page
        else:
            assert status == 303, status
            status, _, page = await client.request("GET", found["location"])
            assert status == 200 and "decisions-now" in page

    for i in range(productions):
        await edit(i, 1)
    profiler = None
    if profile:  # the handlers run inline (cProfile sees one thread), as the worker thread would run them
        import cProfile

        import starlette.concurrency

        from raccord.web import pages

        async def inline(function, *args, **kwargs):
            return function(*args, **kwargs)

        pages.run_in_threadpool = inline
        starlette.concurrency.run_in_threadpool = inline
        profiler = cProfile.Profile(time.thread_time)  # processor time: waits (fsync, a busy core) not counted
        profiler.enable()
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(count):
        await edit(n % productions, n // productions + 2)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return cpu, wall


def run(backend: str, productions: int, count: int, browser: str, profile: str | None = None) -> tuple[float, float, int]:
    """One measure on a fresh database; (processor seconds, wall seconds, memory per production in KB)."""
    import datetime as dt

    from argon2 import PasswordHasher
    from web_latency import database, prepare

    from raccord.web import security
    from raccord.web.app import create_app
    from raccord.web.config import Settings, normalise_url, session_key

    # the logins before the measure at argon2's lowest cost (as the tests do): an edit checks no password
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with database(backend) as (folder, url):
        prepare(url, productions)
        settings = Settings(normalise_url(url), Path(folder), session_key(Path(folder)))
        app = create_app(settings, today=lambda: dt.date.fromisoformat(TODAY), migrate=False)
        before = rss_kb()
        cpu, wall = asyncio.run(edits(app, productions, count, browser, profile))
        memory = (rss_kb() - before) // max(1, productions)
        app.state.workspace.dispose()
    return cpu, wall, memory


def rss_kb() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text())[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--edits", type=int, default=200, help="edits measured (after one warm-up edit per production)")
    parser.add_argument("--productions", type=int, default=50, help="users, each on their own production")
    parser.add_argument("--browser", default="htmx", choices=("htmx", "plain"),
                        help="what the browser requests for an edit: htmx's fragment, or POST + redirect + page")
    parser.add_argument("--profile", help="write a cProfile of the measured edits to this file")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    cpu, wall, memory = run(args.backend, args.productions, args.edits, args.browser, args.profile)
    print(f"{args.backend}, {args.browser}, {args.productions} productions, {args.edits} edits, load average {load:.1f}: "
          f"processor {cpu * 1000 / max(1, args.edits):.2f} ms per edit, wall {wall * 1000 / max(1, args.edits):.2f} ms, "
          f"memory {memory} KB per production held")


if __name__ == "__main__":
    main()
