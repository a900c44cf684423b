"""Instructions of each stage of one cold `raccord check` of the example (valgrind), to see where
a change to the check path lands. Run by hand: `python bench/check_stages.py`, about a minute.

The stages are those of `raccord check` (cli/main.py `check`) called one after the other by a
small driver in a fresh process, the ruleset cache warm and the bytecode written, as
`check_instructions.py` measures the whole command. Between stages the driver calls
`os.getppid()`, and callgrind dumps its counters before each call of that function
(`--dump-before`), so each dump holds one stage. The floor is the interpreter with click, PyYAML
and pydantic-core imported, as in check_instructions.py.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import EXAMPLE, ROOT, compile_bytecode

STAGES = ("floor: interpreter, click, PyYAML, pydantic-core", "import raccord.cli.main", "ruleset library (cache)",
          "dossier and auditor's file", "evidence files' integrity", "evaluation", "result document",
          "text report", "exit")

# The collector is held back while the inputs load and the heap frozen at exit, as cli/entry.py does.
DRIVER = """
import gc, os, sys
gc.disable()
import click, yaml, pydantic_core
os.getppid()
from raccord.cli import main as m, context as c, render_text
from raccord.cli.summary import fact_titles
os.getppid()
library = c.library_from(None, ())
os.getppid()
from pathlib import Path
from raccord.engine import load_dossier
dossier = c.reviewed(library, load_dossier(Path(sys.argv[1]), library.catalogue))
os.getppid()
from raccord.cli.integrity import compute_integrity
integrity = compute_integrity(dossier)
gc.freeze()
gc.enable()
os.getppid()
from raccord.engine import evaluate
evaluation = evaluate(library, dossier, c.parse_date("2025-10-15"), None, None, integrity=integrity)
os.getppid()
doc = c.document(evaluation, complete=False, explained=render_text.MISSING_LIMIT)
os.getppid()
text = render_text.render_check(doc, "fr", verbose=False, why=m.aid_sentences(evaluation, "fr"),
                                titles=fact_titles(library, "fr"))
sys.stdout.write(text)
gc.freeze()
os.getppid()
"""


def main() -> None:
    compile_bytecode()
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-c", DRIVER, str(EXAMPLE)]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, RACCORD_CACHE_DIR=cache)
        for _ in range(2):  # fills the cache (library, then validators)
            subprocess.run(command, check=True, capture_output=True, env=env)
        base = os.path.join(out, "stages")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={base}", "--dump-before=os_getppid",
                        *command], check=True, capture_output=True, env=env)
        # stages.1, stages.2, ... then `stages`, written at exit
        parts = sorted(glob.glob(base + "*"), key=lambda p: int(p[len(base) + 1:] or 1 << 30))
        counts = []
        for part in parts:
            found = re.search(r"^summary: (\d+)", Path(part).read_text(), re.M)
            counts.append(int(found.group(1)) / 1e6 if found else 0.0)
    if len(counts) != len(STAGES):
        raise SystemExit(f"expected {len(STAGES)} dumps, got {len(counts)}")
    for name, count in zip(STAGES, counts, strict=True):
        print(f"{count:8.1f} M  {name}")
    print(f"{sum(counts):8.1f} M  in all; raccord's share {sum(counts) - counts[0]:.1f} M")


if __name__ == "__main__":
    main()
