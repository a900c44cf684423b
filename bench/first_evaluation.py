"""Instructions per FIRST evaluation of a synthetic dossier, counted by valgrind, for this checkout and
optionally another one side by side (the 10 000-dossier batch of `run.py` evaluates each dossier once).

    python bench/first_evaluation.py [--dossiers 100] [--against /tmp/old-d7c9c00] [--profile FILE]

For each checkout: its own `bench/synthetic.py` builds `--dossiers` dossiers (seeds 0, 2, 4, ... as one
of `run.py`'s two batch processes) and one warm-up dossier (seed 1), outside valgrind, pickled once. Two
children then run under `valgrind --tool=callgrind` with that checkout's package first on the path:
both load the library, unpickle the dossiers and evaluate the warm-up dossier (the library's lazily
built parts, which the batch pays once for 5 000 dossiers); one then evaluates every dossier once. The
difference of their counts divided by the number of dossiers is the cost of one first evaluation
(evidence index, reference checks, deadline windows, outcomes the policies read). The collector is
off in both (`--collector` leaves it on): its passes depend on what else is allocated, not on the engine.
Each checkout's library is its own bundled rulesets and fact catalogue, loaded by `load_library()`;
only `load_library`, `evaluate(library, dossier, as_of)` and `synthetic_dossier(library, seed)` are
used, which every version since 2026-11-23 has. An older checkout needs no install:

    git worktree add /tmp/old-d7c9c00 d7c9c00
    python bench/first_evaluation.py --against /tmp/old-d7c9c00

`--profile FILE` keeps callgrind's output of this checkout's evaluating child (`callgrind_annotate
--inclusive=yes FILE`). About two minutes per checkout for 100 dossiers on a busy machine."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2025-10-15"

# A `raccord` package that is the checkout's: its own __init__ run, then its top-level folders
# (engine/, cli/, rulesets/) as the sub-packages, as the checkout's setup maps them.
SHIM = """_root = {root!r}
exec(compile(open(_root + "/raccord/__init__.py", encoding="utf-8").read(), _root + "/raccord/__init__.py", "exec"))
if _root not in __path__:
    __path__.append(_root)
"""

BUILD = """
import pickle, sys
from synthetic import synthetic_dossier
from raccord.engine import load_library
library = load_library()
count = int(sys.argv[2])
dossiers = [synthetic_dossier(library, 1)] + [synthetic_dossier(library, seed) for seed in range(0, 2 * count, 2)]
with open(sys.argv[1], "wb") as out:
    pickle.dump(dossiers, out)
import raccord.engine
print(raccord.engine.__file__, len(library.criteria))
"""

CHILD = """
import datetime, gc, pickle, sys
from raccord.engine import evaluate, load_library
library = load_library()
with open(sys.argv[1], "rb") as f:
    warm_up, *dossiers = pickle.load(f)
if sys.argv[3] == "off":
    gc.disable()
as_of = datetime.date.fromisoformat(sys.argv[4])
evaluate(library, warm_up, as_of)
if sys.argv[2] == "1":
    for dossier in dossiers:
        evaluate(library, dossier, as_of)
"""


def _prepare(checkout: Path, work: Path, count: int) -> tuple[dict[str, str], Path, str]:
    """The environment that imports `checkout`'s engine, the pickled dossiers, and what was loaded."""
    package = work / "raccord"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(SHIM.format(root=str(checkout)), encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(work), str(checkout / "bench")])
    # A cache folder of the run's own: another process of the same user evicting the shared entry
    # would make one child alone rebuild the library. The build below fills it.
    env["RACCORD_CACHE_DIR"] = str(work / "cache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    pickled = work / "dossiers.pickle"
    done = subprocess.run([sys.executable, "-c", BUILD, str(pickled), str(count)], capture_output=True, text=True,
                          check=True, env=env, cwd=work)
    subprocess.run([sys.executable, "-c", CHILD, str(pickled), "0", "off", AS_OF], check=True, env=env, cwd=work)
    return env, pickled, done.stdout.strip()


def _counted(env: dict[str, str], pickled: Path, evaluate: bool, collector: str, out: str, cwd: Path) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                           sys.executable, "-c", CHILD, str(pickled), "1" if evaluate else "0", collector, AS_OF],
                          capture_output=True, text=True, env=env, cwd=cwd)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"valgrind gave no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_first_evaluation(checkout: Path, count: int, collector: str, profile: str | None = None) -> tuple[float, str]:
    """Instructions per first evaluation of `count` synthetic dossiers by `checkout`'s engine."""
    with tempfile.TemporaryDirectory(prefix="raccord-first-") as tmp:
        work = Path(tmp)
        env, pickled, loaded = _prepare(checkout, work, count)
        base = _counted(env, pickled, False, collector, "/dev/null", work)
        full = _counted(env, pickled, True, collector, profile or "/dev/null", work)
    return (full - base) / count, loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument("--against", type=Path, action="append", default=[],
                        help="another checkout (e.g. a git worktree of an older commit), counted the same way")
    parser.add_argument("--collector", action="store_true", help="leave the cyclic collector on")
    parser.add_argument("--profile", help="keep callgrind's output of this checkout's evaluating child here")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 1
    collector = "on" if args.collector else "off"
    profile = str(Path(args.profile).resolve()) if args.profile else None
    for checkout in [ROOT, *args.against]:
        checkout = checkout.resolve()
        per, loaded = per_first_evaluation(checkout, args.dossiers, collector, profile if checkout == ROOT else None)
        commit = subprocess.run(["git", "-C", str(checkout), "describe", "--always", "--dirty"], capture_output=True, text=True)
        print(f"{checkout} ({commit.stdout.strip() or 'no git'}): {per / 1e3:.1f} k instructions per first evaluation "
              f"({args.dossiers} dossiers, collector {collector}; engine {loaded.split()[0]}, {loaded.split()[1]} criteria)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
