"""Benchmark of live monitoring (run by hand: `.venv/bin/python bench/watch_bench.py [--days N] [--people N]`).

A synthetic shooting journal (seeded, so runs are reproducible): N days, N people a day (children,
performers, extras, crew), each working day with a start, one to three pauses (some too short, some
missing, so that alerts fire), an end; per day a few children's arrivals, an intimacy scene (with its
list of indispensable people most days, someone not on it now and then), a report
now and then, training certificates. Measured, in the same run:

1. events per second through the watcher on durable-rules (what `raccord watch` runs): the journal
   already read and ordered, `feed` of every event plus the timers, median of 5 runs; beside the
   reference check (plain Python, what `raccord check` reads) on the same journal;
2. the delay between an event and its alert: for every alert, the wall time from the start of the
   `feed` (or `advance`) call that fired it to the alert's callback; median, 99th centile and maximum;
3. the same figures for reading and ordering the journal file (`read_journal` + `ordered`).

Goal (issue 19): 10 000 events/s, an alert within 10 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from raccord.engine.live import load_monitors
from raccord.engine.live.events import ordered, read_journal
from raccord.engine.live.reference import check
from raccord.engine.live.stream import Watcher

ZONE = dt.timezone(dt.timedelta(hours=1))


def journal(days: int, people: int, seed: int = 19) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    start_day = dt.datetime(2025, 11, 3, tzinfo=ZONE)
    roles = ["enfant"] * 2 + ["interprete"] * 4 + ["figurant"] * 3 + ["technicien"] * 6 + ["directeur_photo", "realisateur"]

    def at(moment: dt.datetime) -> str:
        return moment.isoformat()

    reports = 0
    for d in range(days):
        day = start_day + dt.timedelta(days=d)
        out.append({"v": 1, "at": at(day.replace(hour=6)), "type": "day.open", "day": day.date().isoformat()})
        for p in range(people):
            role = roles[p % len(roles)]
            ref = f"E-{p:02d}" if role == "enfant" else f"P-{p:03d}"
            begin = day.replace(hour=6) + dt.timedelta(minutes=rng.randrange(0, 180))
            if role == "enfant":
                out.append({"v": 1, "at": at(begin - dt.timedelta(minutes=5)), "type": "child.arrive", "person": ref,
                            "supervised": rng.random() > 0.05})
            out.append({"v": 1, "at": at(begin), "type": "work.start", "person": ref, "role": role})
            moment = begin
            for _ in range(rng.randrange(1, 4)):
                moment += dt.timedelta(minutes=rng.randrange(120, 330))
                out.append({"v": 1, "at": at(moment), "type": "work.pause", "person": ref})
                moment += dt.timedelta(minutes=rng.choice([10, 20, 30, 45, 60]))
                out.append({"v": 1, "at": at(moment), "type": "work.resume", "person": ref})
            end = moment + dt.timedelta(minutes=rng.randrange(30, 240))
            out.append({"v": 1, "at": at(end), "type": "work.end", "person": ref})
            if role == "enfant":
                out.append({"v": 1, "at": at(end + dt.timedelta(minutes=5)), "type": "child.leave", "person": ref})
            if d == 0 and rng.random() < 0.5:
                out.append({"v": 1, "at": at(day + dt.timedelta(days=rng.randrange(1, 20))), "type": "training.recorded",
                            "person": ref, "module": "vhss_module2"})
        scene = day.replace(hour=15)
        if rng.random() > 0.1:  # the scene's list of indispensable people, most days (format 2)
            out.append({"v": 2, "at": at(day.replace(hour=14)), "type": "intimacy.agreed", "scene": f"S-{d}",
                        "agreed": ["P-001", "P-002"]})
        present = ["P-001", "P-002"] + (["P-003"] if rng.random() < 0.1 else [])
        out.append({"v": 1, "at": at(scene), "type": "intimacy.start", "scene": f"S-{d}", "present": present,
                    "closed_set": rng.random() > 0.1})
        out.append({"v": 1, "at": at(scene + dt.timedelta(minutes=40)), "type": "intimacy.end", "scene": f"S-{d}"})
        if rng.random() < 0.2:
            reports += 1
            received = day.replace(hour=10)
            out.append({"v": 1, "at": at(received), "type": "report.received", "report": f"R-{reports}", "by": "referent_vhss"})
            out.append({"v": 1, "at": at(received + dt.timedelta(hours=rng.choice([1, 20, 30]))), "type": "report.forwarded",
                        "report": f"R-{reports}"})
    rng.shuffle(out)  # devices log in any order: the watcher reads them in time order
    return out


cpu = [0.0]  # processor time of the watcher runs: what the machine's load does not change


def run_watcher(events, monitors, until: int) -> tuple[float, list[float], int]:
    delays: list[float] = []
    started = [0.0]

    def on_alert(_alert) -> None:  # type: ignore[no-untyped-def]
        delays.append(time.perf_counter() - started[0])

    watcher = Watcher(monitors, on_alert=on_alert)
    c0 = time.process_time()
    t0 = time.perf_counter()
    for event in events:
        started[0] = time.perf_counter()
        watcher.feed(event)
    started[0] = time.perf_counter()
    watcher.advance(until)
    elapsed = time.perf_counter() - t0
    cpu[0] += time.process_time() - c0
    count = len(watcher.alerts)
    watcher.close()
    return elapsed, delays, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lines = journal(args.days, args.people)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dossier.journal.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        t0 = time.perf_counter()
        events = ordered(read_journal(path))
        read_time = time.perf_counter() - t0
    monitors = load_monitors()
    until = events[-1].ms
    n = len(events)
    watch_times, ref_times, all_delays = [], [], []
    alerts = ref_alerts = 0
    for _ in range(args.runs):
        elapsed, delays, alerts = run_watcher(events, monitors, until)
        watch_times.append(elapsed)
        all_delays += delays
        t0 = time.perf_counter()
        ref_alerts = len(check(events, monitors, until))
        ref_times.append(time.perf_counter() - t0)
    if alerts != ref_alerts:
        raise SystemExit(f"the watcher fired {alerts} alerts, the reference {ref_alerts}: fix that first")
    all_delays.sort()
    p99 = all_delays[int(0.99 * (len(all_delays) - 1))]
    watch_rate = n / statistics.median(watch_times)
    ref_rate = n / statistics.median(ref_times)
    print(f"journal: {args.days} days, {args.people} people a day, {n} events, {alerts} alerts (the same in both)")
    print(f"read + order the file: {n / read_time:,.0f} events/s")
    print(f"watch (durable-rules):  {watch_rate:,.0f} events/s (median of {args.runs}; range "
          f"{n / max(watch_times):,.0f}-{n / min(watch_times):,.0f})   goal 10,000")
    print(f"watch, per second of processor time: {n * args.runs / cpu[0]:,.0f} events/s (load average {os.getloadavg()[0]:.1f})")
    print(f"reference (plain Python): {ref_rate:,.0f} events/s (median of {args.runs})")
    print(f"event -> alert delay: median {statistics.median(all_delays) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
          f"max {all_delays[-1] * 1000:.2f} ms over {len(all_delays)} alerts   goal 10 ms")


if __name__ == "__main__":
    main()
