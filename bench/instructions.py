"""Instructions per `evaluate()` call, counted by valgrind: a figure that does not move with the
machine's load, to compare two versions of the engine on the same dossier.

    python bench/instructions.py [--calls 2000] [--dossier examples/long_metrage/dossier.yaml] [--read-outcomes]

Two child processes load the library and the dossier and evaluate once (warm-up, caches filled);
one then evaluates `--calls` more times. Both run under `valgrind --tool=callgrind`; the difference of
their instruction counts divided by `--calls` is the cost of one evaluation, start-up excluded.
It uses only `load_library`, `load_dossier` and `evaluate(library, dossier, as_of)`, which every
version since 2026-11 has, so an older checkout can be measured with the same script (put its
package first on PYTHONPATH). Since 2026-12-01 an outcome is built when first read
(context.Outcomes): `--read-outcomes` also reads every evaluated ruleset's outcome after each call,
what a front end rendering the whole result does."""

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

CHILD = """
import datetime, gc, sys
from pathlib import Path
from raccord.engine import evaluate, load_dossier, load_library
library = load_library()
dossier = load_dossier(Path(sys.argv[1]), library.catalogue)
as_of = datetime.date.fromisoformat(sys.argv[2])
gc.disable()  # the cyclic collector's timing depends on allocations elsewhere, not on the engine
read = sys.argv[4] == "1"
def once():
    evaluation = evaluate(library, dossier, as_of)
    if read:
        for rid in evaluation.rulesets:
            evaluation.ctx.outcomes[rid]
once()
for _ in range(int(sys.argv[3])):
    once()
print(len(library.criteria))
"""


def counted(dossier: Path, calls: int, env: dict[str, str], read: bool = False) -> tuple[int, str]:
    """Instructions executed by a child doing `calls` evaluations after its warm-up, and its output."""
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           sys.executable, "-c", CHILD, str(dossier), AS_OF, str(calls), "1" if read else "0"],
                          capture_output=True, text=True, check=True, env=env)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if not found:
        raise SystemExit(f"valgrind gave no count:\n{done.stderr[-2000:]}")
    return int(found.group(1)), done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--dossier", type=Path, default=ROOT / "examples/long_metrage/dossier.yaml")
    parser.add_argument("--read-outcomes", action="store_true", help="read every outcome after each call")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 1
    # A first child outside valgrind fills the ruleset cache, so that both counted children load it
    # alike (otherwise the first one would also pay for compiling the rulesets). The cache is this
    # run's own unless RACCORD_CACHE_DIR says otherwise: other processes of the same user (a test
    # run) would evict the shared entry and one child alone would rebuild the library.
    env = dict(os.environ)
    env.setdefault("RACCORD_CACHE_DIR", tempfile.mkdtemp(prefix="raccord-instructions-"))
    subprocess.run([sys.executable, "-c", CHILD, str(args.dossier.resolve()), AS_OF, "0", "0"], check=True, capture_output=True,
                   env=env)
    base, _ = counted(args.dossier.resolve(), 0, env, args.read_outcomes)
    loaded, criteria = counted(args.dossier.resolve(), args.calls, env, args.read_outcomes)
    per_call = (loaded - base) / args.calls
    print(f"instructions per evaluate(): {per_call / 1e3:.1f} k ({criteria} criteria; "
          f"{args.calls} calls{', every outcome read' if args.read_outcomes else ''}; start-up and warm-up {base / 1e6:.0f} M)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
