"""raccord benchmarks (run by hand: `make bench`); writes bench/RESULTS.md. Never run inside tests.

1. all rulesets on one pre-loaded dossier: `evaluate()` median (goal <= 100 us), and the full result
   document with explanations;
2. `raccord check examples/long_metrage/dossier.yaml` cold, wall time of the whole process (goal <= 150 ms);
3. 10 000 synthetic dossiers evaluated on 2 processes (goal <= 2 s);
4. the same single-dossier work by a naive durable-rules encoding, in the same run (goal: raccord >= 50x faster).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from durable_encoding import DurableEncoding
from raccord.engine import evaluate, load_dossier, load_library
from raccord.engine.report import result_document
from synthetic import synthetic_dossier

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2025, 10, 15)
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"


def median_us(fn, repeat: int, inner: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples) * 1e6


def _batch(seeds: list[int]) -> int:
    library = load_library()
    count = 0
    for seed in seeds:
        dossier = synthetic_dossier(library, seed)
        evaluate(library, dossier, AS_OF)
        count += 1
    return count


def _batch_preloaded(args) -> float:
    seeds, = args
    library = load_library()
    dossiers = [synthetic_dossier(library, seed) for seed in seeds]
    start = time.perf_counter()
    for dossier in dossiers:
        evaluate(library, dossier, AS_OF)
    return time.perf_counter() - start


def main() -> None:
    library = load_library()
    criteria = len(library.criteria)
    example = load_dossier(EXAMPLE, library.catalogue)
    synthetic = synthetic_dossier(library, 1)
    rows = []

    single = median_us(lambda: evaluate(library, example, AS_OF), repeat=15, inner=200)
    single_syn = median_us(lambda: evaluate(library, synthetic, AS_OF), repeat=15, inner=200)
    ev = evaluate(library, example, AS_OF)
    document = median_us(lambda: result_document(ev, "bench"), repeat=5, inner=5)
    rows.append(("evaluate(), all rulesets, example dossier (median)", f"{single:.0f} µs", "<= 100 µs"))
    rows.append(("evaluate(), all rulesets, synthetic dossier (median)", f"{single_syn:.0f} µs", "<= 100 µs"))
    rows.append(("full result document with explanations (median)", f"{document / 1000:.1f} ms", "-"))

    durable = DurableEncoding(library)
    message = durable.message(example, AS_OF)
    durable_us = median_us(lambda: durable.run(message), repeat=15, inner=50)
    build_msg = median_us(lambda: durable.message(example, AS_OF), repeat=15, inner=50)
    rows.append((f"naive durable-rules, post one event ({durable.encoded}/{criteria} criteria encoded, median)",
                 f"{durable_us:.0f} µs (+{build_msg:.0f} µs to build the event)", "-"))
    rows.append(("raccord speed-up over durable-rules (same dossier)", f"{durable_us / single:.0f}x", ">= 50x"))

    raccord = ROOT / ".venv" / "bin" / "raccord"
    command = [str(raccord) if raccord.exists() else "raccord", "check", str(EXAMPLE), "--as-of", "2025-10-15"]
    walls = []
    for _ in range(11):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    rows.append(("`raccord check` example, cold process, wall (median of 11)", f"{statistics.median(walls) * 1000:.0f} ms",
                 "<= 150 ms"))

    seeds = list(range(10_000))
    halves = [seeds[0::2], seeds[1::2]]
    with ProcessPoolExecutor(max_workers=2) as pool:
        spent = list(pool.map(_batch_preloaded, [(h,) for h in halves]))
    rows.append(("10 000 synthetic dossiers, 2 processes, evaluation only (slowest process)",
                 f"{max(spent):.2f} s", "<= 2 s"))
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        total = sum(pool.map(_batch, halves))
    rows.append((f"same, end to end incl. loading and building {total} dossiers", f"{time.perf_counter() - start:.2f} s", "-"))

    lines = ["# Benchmark results", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"{len(library.rulesets)} rulesets, {criteria} criteria; as of {AS_OF}.", "",
             "| measure | result | goal |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(lines) + "\n"
    (Path(__file__).parent / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
