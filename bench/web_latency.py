"""Latency of the workspace under load (run by hand, not a test): N users, each on their own
production (the feature-film example imported), edit a fact and get the facts page back — the POST,
the journal write, the re-evaluation of the new version and the page render with its decisions — at
1, 10 and 50 concurrent users, on SQLite and on PostgreSQL (a throwaway server, as in the tests).
An edit is what the user's browser requests for it (`--browser`): by default what the facts page's
form does in a browser, htmx's POST answered with the fragment it swaps in (notice, decisions,
the form's new version: one request, the static files kept by the browser); `--browser plain`, a
browser without JavaScript: the POST, its 303 and the whole facts page.
Prints p50 and p95 per level, the server's CPU time per edit (its processes' user + system time:
what bounds the throughput, 2 cores / CPU per edit, and what a loaded machine changes least) and
its resident memory per production held, then the same as a Markdown table for the README.

    .venv/bin/python bench/web_latency.py [--rounds 8] [--backends sqlite,postgresql] [--workers 2] [--think 5]

Two load models, both always printed:
- « team » (the goal's model): each user edits, reads the page that comes back, and thinks before
  the next edit: a pause drawn uniformly in [0.5 T, 1.5 T] seconds, T = `--think` (5 s by default:
  a person filling in a form saves a field, reads the decisions that changed and moves to the next,
  which takes seconds, not milliseconds; 50 people of one team all doing that at the same moment is
  already more than a production's team does in a day). 50 users then send about 50 / (T + latency)
  = 10 edits a second.
- « back to back »: no pause, each user edits again the moment the page arrives: N requests always
  in flight, the worst case. By Little's law p95 ≤ 100 ms with 50 edits in flight needs 500 edits a
  second, so on 2 cores under 2 × 1000 / 500 = 4 ms of server CPU per edit; the figure shows how far
  from that the server is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LEVELS = (1, 10, 50)


def models(think: float) -> list[tuple[str, float]]:
    """(name, mean pause in seconds): the team's model first, then back to back."""
    return [(f"team, think {think:g} s", think), ("back to back", 0.0)] if think else [("back to back", 0.0)]
PASSWORD = "bench-password-0"


def prepare(url: str, users: int) -> None:
    """Schema, one user and one production (the feature film) per simulated user."""
    from raccord.engine import Engine
    from raccord.web import db, store, transfer
    from raccord.web.config import Settings, normalise_url
    from raccord.web.models import User
    from raccord.web.security import hash_password, now

    url = normalise_url(url)
    db.upgrade(url)
    engine = db.make_engine(url, writer=True)

    class Shim:  # what transfer.import_folder needs of a workspace
        def __init__(self) -> None:
            from raccord.web.evaluation import Evaluator

            self.engine = Engine.load()
            self.evaluator = Evaluator(self.engine)
            self.settings = Settings(url, Path(os.environ["RACCORD_DATA_DIR"]), "x")

    shim = Shim()
    imported = transfer.import_folder(shim, ROOT / "examples" / "long_metrage")
    hashed = hash_password(PASSWORD)
    with db.sessions(engine)() as session:
        for i in range(users):
            user = User(email=f"u{i}@bench.test", name=f"U{i}", password_hash=hashed, created=now())
            session.add(user)
            session.flush()
            production = store.create_production(session, user, f"film-{i}", f"Film {i}")
            store.append(session, production, user, [("import", {"state": imported})], None)
        session.commit()
    engine.dispose()


@contextlib.contextmanager
def database(backend: str):
    """(data folder, URL) of a fresh database: SQLite in a temporary folder, or a throwaway
    PostgreSQL server (tests/web_helpers.py's), removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["RACCORD_DATA_DIR"] = folder
        server = None
        if backend == "postgresql":
            from tests.web_helpers import PostgresServer

            server = PostgresServer()
            server.start()
        try:
            yield folder, server.new_database() if server else f"sqlite:///{folder}/raccord.db"
        finally:
            if server:
                server.stop()


def rss_kb(pid: int) -> int:
    """Resident memory of the server and its worker processes."""
    own = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])
    children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    return own + sum(rss_kb(c) for c in children)


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the server and its worker processes have used: what an edit costs,
    whatever else runs on the machine (latency on a loaded machine mostly measures the others)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    return own + sum(cpu_ms(c) for c in children)


async def run_level(base: str, clients: list, level: int, rounds: int, think: float, browser: str) -> list[float]:
    latencies: list[float] = []
    headers = {"HX-Request": "true", "HX-Target": "facts-status"} if browser == "htmx" else {}

    async def user(i: int) -> None:
        client, token = clients[i]
        if think:  # users do not all start at the same instant
            await asyncio.sleep(random.uniform(0, think))
        for r in range(rounds):
            if think and r:
                await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))
            started = time.perf_counter()
            response = await client.post(f"/p/film-{i}/facts/work", headers=headers, data={
                "csrf": token, "present:work.shooting_days": "1", "work.shooting_days": str(30 + (r + level) % 20)})
            if browser == "htmx":  # the fragment htmx swaps in: the save is one request
                assert response.status_code == 200 and "decisions-now" in response.text, response.status_code
            else:  # a browser without JavaScript: the redirect, then the whole page
                assert response.status_code == 303, response.status_code
                page = await client.get(response.headers["location"])
                assert page.status_code == 200 and "decisions-now" in page.text
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(user(i) for i in range(level)))
    return latencies


async def log_in(base: str, users: int) -> list:
    import httpx2 as httpx

    out = []
    for i in range(users):
        client = httpx.AsyncClient(base_url=base, timeout=120)
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
        response = await client.post("/login", data={"email": f"u{i}@bench.test", "password": PASSWORD, "csrf": token})
        assert response.status_code == 303
        page = await client.get(f"/p/film-{i}/facts/work")  # also loads the production (its memory counted)
        out.append((client, re.search(r'name="csrf" value="([^"]+)"', page.text)[1]))
    return out


async def measure(backend: str, base: str, pid: int, users: int, rounds: int, think: float, browser: str) -> dict:
    before = rss_kb(pid)
    clients = await log_in(base, users)
    after = rss_kb(pid)
    results = {"backend": backend, "memory_per_production_kb": (after - before) / users, "levels": {}}
    for model, pause in models(think):
        for level in LEVELS:
            spent = cpu_ms(pid)
            latencies = sorted(await run_level(base, clients, level, rounds, pause, browser))
            spent = (cpu_ms(pid) - spent) / len(latencies)
            nearest_rank = max(0, math.ceil(0.95 * len(latencies)) - 1)
            results["levels"][model, level] = (statistics.median(latencies), latencies[nearest_rank], len(latencies), spent)
    for client, _ in clients:
        await client.aclose()
    return results


def bench(backend: str, url: str, rounds: int, workers: int, think: float, browser: str) -> dict:
    import httpx2 as httpx

    users = max(LEVELS)
    prepare(url, users)
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "RACCORD_DATABASE_URL": url}
    server = subprocess.Popen([sys.executable, "-m", "raccord", "serve", "--port", str(port), "--workers", str(workers)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        return asyncio.run(measure(backend, base, server.pid, users, rounds, think, browser))
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8, help="edits per user at each level")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2, help="server processes (raccord serve --workers)")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds a user pauses between edits in the team model (0: back to back only)")
    parser.add_argument("--browser", default="htmx", choices=("htmx", "plain"),
                        help="what the browser requests for a save: htmx's one request (the pages' form), "
                             "or without JavaScript the POST, its redirect and the whole page")
    args = parser.parse_args()
    started = os.getloadavg()[0]
    print(f"workers {args.workers}, {os.cpu_count()} cores, browser {args.browser}, load average {started:.1f}")
    rows = []
    for backend in args.backends.split(","):
        with database(backend) as (_, url):
            result = bench(backend, url, args.rounds, args.workers, args.think, args.browser)
        print(f"{backend}: memory per production held {result['memory_per_production_kb']:.0f} KB")
        for (model, level), (p50, p95, n, spent) in result["levels"].items():
            print(f"  {model:>17}, {level:>2} users: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({n} edits, "
                  f"server CPU {spent:.0f} ms per edit)")
            rows.append(f"| {backend} | {model} | {level} | {p50:.0f} ms | {p95:.0f} ms | {spent:.0f} ms |")
    ended = os.getloadavg()[0]
    print(f"load average at the end {ended:.1f}")
    print(f"\nMarkdown (load average {started:.1f} at the start, {ended:.1f} at the end; browser {args.browser}; "
          f"{args.workers} workers, {args.rounds} edits per user and level):\n")
    print("| database | load model | users | p50 | p95 | server CPU per edit |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
