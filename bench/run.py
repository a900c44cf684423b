"""raccord benchmarks (run by hand: `make bench`); writes bench/RESULTS.md. Never run inside tests.

Each figure is measured beside the same work done by a naive durable-rules encoding
(`durable_facts.py`: every fact and evidence item asserted as its own durable fact), in the same run:

1. all rulesets on one pre-loaded dossier: `evaluate()` median (goal <= 100 us, raccord >= 50x faster);
2. `raccord check examples/long_metrage/dossier.yaml` as a fresh process, wall time (goal <= 150 ms),
   with the ruleset cache warm and cold;
3. 10 000 synthetic dossiers evaluated on 2 processes (goal <= 2 s);
and the peak memory of the cold `check` and of a batch process.
"""

from __future__ import annotations

import compileall
import datetime as dt
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from durable_facts import DurableFactsEncoding, check_agreement
from synthetic import synthetic_dossier

from raccord.engine import evaluate, load_dossier, load_library
from raccord.engine.report import result_document

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2025, 10, 15)
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
DOSSIERS = 10_000
COLD_RUNS = 21

# What a cold durable-rules process does for the same dossier: import, build the rules, assert the facts.
DURABLE_COLD = f"""
import sys, datetime
sys.path.insert(0, {str(Path(__file__).parent)!r})
from durable_facts import DurableFactsEncoding
from raccord.engine import load_dossier, load_library
library = load_library()
dossier = load_dossier(__import__("pathlib").Path({str(EXAMPLE)!r}), library.catalogue)
encoding = DurableFactsEncoding(library)
print(len(encoding.run(encoding.facts(dossier, datetime.date(2025, 10, 15)))))
"""


def median_us(fn, repeat: int, inner: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples) * 1e6


def warm_up(fn, seconds: float = 1.0) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        fn()


def median_walls_ms(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int = COLD_RUNS) -> dict[str, float]:
    """Median wall time of each command as a fresh process. The commands take turns, so a change in
    the machine's speed during the run (frequent on shared machines) weighs on all of them alike."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            walls[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) * 1000 for name, times in walls.items()}


def instructions(command: list[str], env: dict[str, str]) -> float | None:
    """Millions of instructions the command executes (valgrind), or None without valgrind: unlike
    wall time, the same on every run, so a change in the cold start shows however noisy the machine."""
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                          capture_output=True, text=True, env=env)
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) / 1e6 if found else None


def compile_bytecode() -> None:
    """Write the bytecode of raccord's modules, as `pip install` does. Without it (a checkout where
    PYTHONDONTWRITEBYTECODE is set, or a read-only one) every fresh process would compile the
    modules edited since the last bytecode, and the cold start would measure the compiler."""
    for folder in ("raccord", "engine", "cli", "bench"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def _peak_mb() -> float | None:
    """This process's peak resident memory (MB), or None off Linux. VmHWM, not ru_maxrss: the kernel
    starts VmHWM afresh at exec, while ru_maxrss keeps the high-water mark of the process that forked."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) / 1024


def _raccord_batch(seeds: list[int]) -> tuple[float, float]:
    """Build the dossiers (not timed), then time their first evaluation (evidence index included).
    Returns (seconds, peak memory of the process in MB)."""
    library = load_library()
    dossiers = [synthetic_dossier(library, seed) for seed in seeds]
    start = time.perf_counter()
    for dossier in dossiers:
        evaluate(library, dossier, AS_OF)
    return time.perf_counter() - start, _peak_mb()


def _durable_batch(seeds: list[int]) -> tuple[float, float]:
    """The same dossiers through durable-rules: build each one's facts, then assert them."""
    library = load_library()
    encoding = DurableFactsEncoding(library)
    dossiers = [synthetic_dossier(library, seed) for seed in seeds]
    start = time.perf_counter()
    for dossier in dossiers:
        encoding.run(encoding.facts(dossier, AS_OF))
    return time.perf_counter() - start, _peak_mb()


def _on_two_processes(batch, count: int) -> tuple[float, float | None]:
    """(seconds of the slowest process, largest peak memory of the two in MB). The workers are fresh
    interpreters (spawn), so their memory is their own, not a copy of this process's."""
    seeds = list(range(count))
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(batch, [seeds[0::2], seeds[1::2]]))
    peaks = [r[1] for r in results if r[1] is not None]
    return max(r[0] for r in results), (max(peaks) if peaks else None)


# Run in a fresh Python before the measured code: report the peak memory at exit.
PEAK_PROBE = """import atexit, sys
def _peak():
    with open('/proc/self/status') as status:
        sys.stderr.write(next(l for l in status if l.startswith('VmHWM:')))
atexit.register(_peak)
"""
RACCORD_MAIN = "sys.argv = ['raccord', *sys.argv[1:]]\nfrom raccord.cli.entry import main\nmain()\n"


def peak_memory_mb(code: str, args: list[str], env: dict[str, str]) -> float | None:
    """Peak resident memory (MB) of a fresh Python running `code` with `args`; None off Linux."""
    done = subprocess.run([sys.executable, "-c", PEAK_PROBE + code, *args], capture_output=True, text=True, env=env)
    found = re.search(r"VmHWM:\s+(\d+)", done.stderr)
    return int(found.group(1)) / 1024 if found else None


def main() -> None:
    library = load_library()
    criteria = len(library.criteria)
    example = load_dossier(EXAMPLE, library.catalogue)
    synthetic = synthetic_dossier(library, 1)
    rows = []

    # 1. one pre-loaded dossier. raccord is timed before the durable rules exist, durable after
    # raccord's timing loops: each engine runs with only its own objects alive (the garbage
    # collector's work grows with them), after a warm-up so the CPU's clock has settled.
    warm_up(lambda: evaluate(library, example, AS_OF))
    single = median_us(lambda: evaluate(library, example, AS_OF), repeat=21, inner=400)
    single_syn = median_us(lambda: evaluate(library, synthetic, AS_OF), repeat=21, inner=400)
    durable = DurableFactsEncoding(library)
    for path in sorted(ROOT.glob("examples/*/dossier.yaml")):
        disagree = check_agreement(durable, library, load_dossier(path, library.catalogue), AS_OF)
        if disagree:
            raise SystemExit(f"durable-rules encoding disagrees with raccord on {path}: {disagree}")
    facts = durable.facts(example, AS_OF)
    warm_up(lambda: durable.run(facts))
    durable_run = median_us(lambda: durable.run(facts), repeat=15, inner=20)
    # The ratio from adjacent blocks, raccord then durable, 15 times: a change in the machine's speed
    # between the two timings above (common here) would otherwise move it by half.
    ratios = [median_us(lambda: durable.run(facts), repeat=1, inner=20)
              / median_us(lambda: evaluate(library, example, AS_OF), repeat=1, inner=400) for _ in range(15)]
    durable_build = median_us(lambda: durable.facts(example, AS_OF), repeat=15, inner=20)
    ev = evaluate(library, example, AS_OF)
    document = median_us(lambda: result_document(ev, "bench"), repeat=5, inner=5)
    rows.append(("evaluate(), all rulesets, example dossier (median)", f"{single:.0f} µs",
                 f"{durable_run / 1000:.2f} ms (+{durable_build:.0f} µs to build {len(facts)} facts)", "<= 100 µs"))
    rows.append(("evaluate(), all rulesets, synthetic dossier (median)", f"{single_syn:.0f} µs", "-", "<= 100 µs"))
    rows.append(("speed-up of raccord over durable-rules, example dossier (median of 15 adjacent pairs)",
                 f"{statistics.median(ratios):.0f}x", "1x", ">= 50x"))
    rows.append(("full result document with explanations (median)", f"{document / 1000:.1f} ms", "-", "-"))

    # 2. cold processes, with the bytecode written as an installed package has it
    compile_bytecode()
    raccord = ROOT / ".venv" / "bin" / "raccord"
    command = [str(raccord) if raccord.exists() else "raccord", "check", str(EXAMPLE), "--as-of", "2025-10-15"]
    floor_command = [sys.executable, "-c", "import click, yaml, pydantic_core"]
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, RACCORD_CACHE_DIR=cache)
        for _ in range(2):  # fills the cache (library, then validators)
            subprocess.run(command, check=True, capture_output=True, env=env)
        walls = median_walls_ms({"warm": (command, env), "floor": (floor_command, dict(os.environ)),
                                 "durable": ([sys.executable, "-c", DURABLE_COLD], dict(os.environ))})
        counted = instructions(command, env), instructions(floor_command, dict(os.environ))
        cold_memory = (peak_memory_mb(RACCORD_MAIN, command[1:], env),
                       peak_memory_mb(DURABLE_COLD, [], dict(os.environ)))
    cold = median_walls_ms({"cold": (command, dict(os.environ, RACCORD_CACHE_DIR=""))}, runs=5)["cold"]
    rows.append((f"`raccord check` example, fresh process, wall (median of {COLD_RUNS}), ruleset cache warm",
                 f"{walls['warm']:.0f} ms", f"{walls['durable']:.0f} ms (load, build rules, assert)", "<= 150 ms"))
    rows.append(("same, ruleset cache disabled (first run after install or a ruleset edit; median of 5)",
                 f"{cold:.0f} ms", "-", "-"))
    rows.append(("floor, in turn with the above: a fresh Python that only imports click, yaml and pydantic_core",
                 f"{walls['floor']:.0f} ms", "-", "-"))
    if None not in cold_memory:
        rows.append(("peak memory (resident) of that `raccord check`", f"{cold_memory[0]:.0f} MB",
                     f"{cold_memory[1]:.0f} MB", "-"))
    if None not in counted:
        rows.append(("instructions executed (valgrind; identical from run to run): `raccord check` / floor",
                     f"{counted[0]:.0f} M / {counted[1]:.0f} M", "-", "-"))

    # 3. a portfolio of synthetic dossiers on two processes
    spent, memory = _on_two_processes(_raccord_batch, DOSSIERS)
    durable_spent, durable_memory = _on_two_processes(_durable_batch, DOSSIERS)
    rows.append((f"{DOSSIERS} synthetic dossiers, 2 processes, first evaluation of each (slowest process)",
                 f"{spent:.2f} s", f"{durable_spent:.1f} s", "<= 2 s"))
    if memory is not None and durable_memory is not None:
        rows.append((f"peak memory (resident) of one of those processes ({DOSSIERS // 2} dossiers held)",
                     f"{memory:.0f} MB", f"{durable_memory:.0f} MB", "-"))

    lines = ["# Benchmark results", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"{len(library.rulesets)} rulesets, {criteria} criteria ({durable.encoded} encoded for durable-rules); "
             f"as of {AS_OF}.", "",
             "| measure | raccord | naive durable-rules | goal |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(lines) + "\n"
    (Path(__file__).parent / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
