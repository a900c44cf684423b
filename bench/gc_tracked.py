"""What each dossier of the 10 000-dossier batch leaves for Python's cyclic collector, for this checkout and
optionally others side by side (run by hand: `python bench/gc_tracked.py [--dossiers 2000] [--against CHECKOUT]`).

The batch (`run.py`) holds 5 000 dossiers per process and evaluates each once with the collector on; every
full collection traverses every tracked object alive, so its cost grows with what a dossier keeps tracked.
In a fresh child with the checkout's package first on the path (as `first_evaluation.py`: no install), its
own `bench/synthetic.py` builds `--dossiers` dossiers (seeds 0, 2, 4, ...) with the collector off, then:

1. tracked objects per dossier (`len(gc.get_objects())` after `gc.collect()`, less the count before the
   dossiers were built), after loading and after the first evaluation of all, with the largest types;
2. the collector's work during the evaluation loop with the collector on, as the batch has it: the number
   of collections of each generation and the objects those collections examined (the sizes of the
   generations collected, read at each collection's start by a `gc.callbacks` hook, outside the count).

Both are counts, the same on every run whatever the machine's load. The library is loaded and one
warm-up dossier (seed 1) evaluated before anything is counted (what the batch pays once per process)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from first_evaluation import AS_OF, SHIM

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import collections, datetime, gc, json, sys
from synthetic import synthetic_dossier
from raccord.engine import evaluate, load_library
count, as_of = int(sys.argv[1]), datetime.date.fromisoformat(sys.argv[2])

def census():
    gc.collect()
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())

if sys.argv[3] == "census":
    gc.disable()
    library = load_library()
    evaluate(library, synthetic_dossier(library, 1), as_of)
    before = census()
    dossiers = [synthetic_dossier(library, seed) for seed in range(0, 2 * count, 2)]
    loaded = census()
    for dossier in dossiers:
        evaluate(library, dossier, as_of)
    print(json.dumps({"before": before, "loaded": loaded, "evaluated": census()}))
    sys.exit()
# As run.py's batch process: the collector on throughout, the dossiers built, then evaluated once each.
library = load_library()
dossiers = [synthetic_dossier(library, seed) for seed in range(0, 2 * count, 2)]
collections_, examined = [0, 0, 0], [0]
def hook(phase, info):
    if phase == "start":
        generation = info["generation"]
        collections_[generation] += 1
        examined[0] += sum(len(gc.get_objects(generation=g)) for g in range(generation + 1))
gc.callbacks.append(hook)
for dossier in dossiers:
    evaluate(library, dossier, as_of)
gc.callbacks.remove(hook)
print(json.dumps({"collections": collections_, "examined": examined[0]}))
"""


def census(checkout: Path, count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="raccord-gc-") as tmp:
        work = Path(tmp)
        (work / "raccord").mkdir()
        (work / "raccord" / "__init__.py").write_text(SHIM.format(root=str(checkout)), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(work), str(checkout / "bench")]),
                   RACCORD_CACHE_DIR=str(work / "cache"), PYTHONHASHSEED="0")
        found = {}
        for mode in ("census", "batch"):
            done = subprocess.run([sys.executable, "-c", CHILD, str(count), AS_OF, mode], capture_output=True,
                                  text=True, env=env, cwd=work)
            if done.returncode:
                raise SystemExit(done.stderr[-2000:])
            found.update(json.loads(done.stdout))
        return found


def _per(after: dict, before: dict, count: int) -> dict[str, float]:
    return {name: (after.get(name, 0) - before.get(name, 0)) / count for name in after}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--against", type=Path, action="append", default=[])
    parser.add_argument("--types", type=int, default=12, help="how many types to list")
    args = parser.parse_args(argv)
    for checkout in [ROOT, *args.against]:
        checkout = checkout.resolve()
        found = census(checkout, args.dossiers)
        commit = subprocess.run(["git", "-C", str(checkout), "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip()
        loaded = _per(found["loaded"], found["before"], args.dossiers)
        evaluated = _per(found["evaluated"], found["before"], args.dossiers)
        print(f"{checkout} ({commit}), {args.dossiers} dossiers: tracked objects per dossier "
              f"{sum(loaded.values()):.1f} loaded, {sum(evaluated.values()):.1f} loaded and evaluated; "
              f"evaluation loop, collector on: collections {found['collections']}, "
              f"{found['examined'] / 1e6:.2f} M objects examined")
        for name, per in sorted(evaluated.items(), key=lambda item: -abs(item[1]))[:args.types]:
            print(f"    {name:32} {loaded.get(name, 0):8.1f} loaded {per:8.1f} evaluated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
