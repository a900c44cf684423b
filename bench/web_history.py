"""The workspace's history page after a long shoot (run by hand, not a test): the TV series imported,
then N set events logged one by one (each a version, as the form logs them: the days of
examples/serie_tv/journal/jour-12-sans-pauses.jsonl repeated day after day), then the history page
asked for by a server just started (every cache cold) and once more (warm); then, on another server
just started, the dashboard (its chart reads the score of up to 40 versions).

    .venv/bin/python bench/web_history.py [--events 100 500] [--backend sqlite|postgresql] [--runs 3]

Printed per N: the cold and warm page times, in processor time of this process (time.process_time:
the server's handlers run in its threads; a loaded machine changes it much less than the wall time,
which is printed too), the lowest of `--runs`, each run on a new server over the same database; and
how many evaluations the history page made (Engine.evaluate calls).
PostgreSQL: Debian's server started in a temporary folder (tests/web_helpers.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAY = ROOT / "examples/serie_tv/journal/jour-12-sans-pauses.jsonl"
TODAY = dt.date(2025, 12, 20)


def shoot(count: int) -> list[dict]:
    """`count` set events: the example's days again and again, a day later each time."""
    day = [json.loads(line) for line in DAY.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: list[dict] = []
    shift = 0
    while len(out) < count:
        for event in day:
            moved = dict(event)
            at = dt.datetime.fromisoformat(event["at"]) + dt.timedelta(days=2 * shift)
            moved["at"] = at.isoformat(timespec="seconds")
            if "day" in moved:
                moved["day"] = (dt.date.fromisoformat(event["day"]) + dt.timedelta(days=2 * shift)).isoformat()
            out.append(moved)
        shift += 1
    return out[:count]


def server(url: str, folder: Path):
    from raccord.web.app import create_app
    from raccord.web.config import Settings, normalise_url, session_key
    from tests.web_helpers import shared_engine

    settings = Settings(normalise_url(url), folder, session_key(folder), max_upload=5 * 1024 * 1024)
    return create_app(settings, engine=shared_engine(), today=lambda: TODAY)


def prepare(url: str, folder: Path, count: int) -> None:
    from sqlalchemy import select

    from raccord.web import store
    from raccord.web.models import Production, User
    from tests.web_helpers import import_example, team

    app = server(url, folder)
    clients = team(app)
    response = import_example(app, clients["producer"], "film", "serie_tv")
    assert response.status_code == 303, response.text[:300]
    ws = app.state.workspace
    with ws.sessions() as db:
        production = db.scalar(select(Production).where(Production.slug == "film"))
        author = db.scalar(select(User).where(User.email == "coordinator@film.test"))
        for event in shoot(count):  # one version each, as the form writes them
            store.append(db, production, author, [("live.event", {"event": event})], None)
        db.commit()
    ws.dispose()


class Counting:
    """The engine as the evaluator sees it, counting the evaluations it makes."""

    def __init__(self, engine) -> None:
        self.engine, self.made = engine, 0

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def evaluate(self, *args, **kwargs):
        self.made += 1
        return self.engine.evaluate(*args, **kwargs)


def clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def minus(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return a[0] - b[0], a[1] - b[1]


def shown(times: tuple[float, float]) -> str:
    return f"{times[0] * 1000:.0f} ms CPU ({times[1] * 1000:.0f} ms wall)"


def measure(url: str, folder: Path, runs: int) -> tuple[tuple, tuple, int, tuple]:
    from tests.web_helpers import login

    cold, warm, evaluated, dashboard = [], [], 0, []
    for _ in range(runs):
        app = server(url, folder)
        client = login(app, "producer@film.test")
        start = clock()
        assert client.get("/p/film").status_code == 200
        dashboard.append(minus(clock(), start))
        app.state.workspace.dispose()
        app = server(url, folder)
        evaluator = app.state.workspace.evaluator
        evaluator.engine = counting = Counting(evaluator.engine)
        client = login(app, "producer@film.test")
        for times in (cold, warm):
            start = clock()
            page = client.get("/p/film/history")
            times.append(minus(clock(), start))
            assert page.status_code == 200, page.text[:300]
            if times is cold:
                evaluated = counting.made
        app.state.workspace.dispose()
    return min(cold), min(warm), evaluated, min(dashboard)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pg = None
    if args.backend == "postgresql":
        from tests.web_helpers import PostgresServer

        pg = PostgresServer()
        pg.start()
    try:
        for count in args.events:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                url = pg.new_database() if pg else f"sqlite:///{folder / 'raccord.db'}"
                (folder / "data").mkdir()
                prepare(url, folder / "data", count)
                cold, warm, evaluated, dashboard = measure(url, folder / "data", args.runs)
                print(f"{args.backend} {count} events: history cold {shown(cold)}, {evaluated} evaluations; "
                      f"warm {shown(warm)}; dashboard cold {shown(dashboard)}")
    finally:
        if pg:
            pg.stop()


if __name__ == "__main__":
    main()
