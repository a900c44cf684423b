"""Latency of the workspace under load (run by hand, not a test): N users, each on their own
production (the feature-film example imported), edit a fact and get the facts page back — the POST,
the journal write, the re-evaluation of the new version and the page render with its decisions — at
1, 10 and 50 concurrent users, on SQLite and on PostgreSQL (a throwaway server, as in the tests).
Prints p50 and p95 per level, the server's CPU time per edit (its processes' user + system time:
what bounds the throughput, 2 cores / CPU per edit, and what a loaded machine changes least) and
its resident memory per production held.

    .venv/bin/python bench/web_latency.py [--rounds 8] [--backends sqlite,postgresql] [--workers 2] [--think 0]

The server is `python -m raccord serve --workers N` on a loopback port. `--think S`: each user waits
a random 0..2S seconds between two edits (people reading the page); 0, the default, is the worst
case: every user edits again the moment the page arrives, so N users keep N requests in flight.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def run_level(base: str, clients: list, level: int, rounds: int, think: float) -> list[float]:
    latencies: list[float] = []

    async def user(i: int) -> None:
        client, token = clients[i]
        for r in range(rounds):
            if think:
                await asyncio.sleep(random.uniform(0, 2 * think))
            started = time.perf_counter()
            response = await client.post(f"/p/film-{i}/facts/work", data={
                "csrf": token, "present:work.shooting_days": "1", "work.shooting_days": str(30 + (r + level) % 20)})
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


async def measure(backend: str, base: str, pid: int, users: int, rounds: int, think: float) -> dict:
    before = rss_kb(pid)
    clients = await log_in(base, users)
    after = rss_kb(pid)
    results = {"backend": backend, "memory_per_production_kb": (after - before) / users, "levels": {}}
    for level in LEVELS:
        spent = cpu_ms(pid)
        latencies = sorted(await run_level(base, clients, level, rounds, think))
        spent = (cpu_ms(pid) - spent) / len(latencies)
        nearest_rank = max(0, math.ceil(0.95 * len(latencies)) - 1)
        results["levels"][level] = (statistics.median(latencies), latencies[nearest_rank], len(latencies), spent)
    for client, _ in clients:
        await client.aclose()
    return results


def bench(backend: str, url: str, rounds: int, workers: int, think: float) -> dict:
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
        return asyncio.run(measure(backend, base, server.pid, users, rounds, think))
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8, help="edits per user at each level")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2, help="server processes (raccord serve --workers)")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a user waits between edits")
    args = parser.parse_args()
    print(f"workers {args.workers}, think {args.think} s, load average {os.getloadavg()[0]:.1f}")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as folder:
            os.environ["RACCORD_DATA_DIR"] = folder
            server = None
            if backend == "postgresql":
                from tests.web_helpers import PostgresServer

                server = PostgresServer()
                server.start()
                url = server.new_database()
            else:
                url = f"sqlite:///{folder}/raccord.db"
            try:
                result = bench(backend, url, args.rounds, args.workers, args.think)
            finally:
                if server:
                    server.stop()
        print(f"{backend}: memory per production held {result['memory_per_production_kb']:.0f} KB")
        for level, (p50, p95, n, spent) in result["levels"].items():
            print(f"  {level:>2} users: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({n} edits, server CPU {spent:.0f} ms per edit)")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
