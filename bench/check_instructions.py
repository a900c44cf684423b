"""Instructions one cold `raccord check` of the example executes (valgrind), beside the floor.

Run by hand: `python bench/check_instructions.py [--dossier PATH] [--profile]`, about a minute.
Same measure as `run.py`'s cold check (a fresh process, the ruleset cache warm, the bytecode
written), on its own so that a change to the check path can be counted in a few seconds of valgrind.
`--profile` also writes `bench/check.callgrind` (callgrind's output, for callgrind_annotate).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import EXAMPLE, ROOT, compile_bytecode, instructions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossier", type=Path, default=EXAMPLE)
    parser.add_argument("--profile", action="store_true", help="keep callgrind's output in bench/check.callgrind")
    args = parser.parse_args()
    compile_bytecode()
    raccord = ROOT / ".venv" / "bin" / "raccord"
    command = [str(raccord) if raccord.exists() else "raccord", "check", str(args.dossier), "--as-of", "2025-10-15"]
    floor = [sys.executable, "-c", "import click, yaml, pydantic_core"]
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, RACCORD_CACHE_DIR=cache)
        for _ in range(2):  # fills the cache (library, then validators)
            subprocess.run(command, check=True, capture_output=True, env=env)
        if args.profile:
            out = ROOT / "bench" / "check.callgrind"
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
                           capture_output=True, env=env, check=False)
            print(f"callgrind output: {out}")
        check = instructions(command, env)
        base = instructions(floor, dict(os.environ))
    if check is None or base is None:
        raise SystemExit("valgrind is not installed")
    print(f"check {check:.1f} M instructions, floor {base:.1f} M, raccord's own share {check - base:.1f} M")


if __name__ == "__main__":
    main()
