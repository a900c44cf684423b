"""Memory of loaded dossiers (run by hand: `python bench/memory.py [--count N]`). Never run inside tests.

A portfolio is many dossier files held at once. This writes `--count` distinct dossier files (the
four examples in turn, each copy with its own production id, so nothing is shared between copies
but what raccord itself shares), then, each in a fresh Python:

1. per dossier: the bytes still allocated (tracemalloc) by loading 200 more copies of each example
   once 200 are loaded, divided by 200; the mix is the mean of the four (the examples in turn, as in step 2);
2. the portfolio: resident memory (VmRSS) after loading all `--count` files as distinct objects,
   minus the process's memory once the library is loaded, and its peak (VmHWM).

The cyclic collector is off while loading, as the `raccord` executable has it (cli/entry.py): with
it, loading 100 000 dossiers spends most of its time traversing the ones already loaded.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*/dossier.yaml"))
PER_EXAMPLE = 400

# Each probe runs in its own interpreter: argv[1] is the folder of copies, argv[2] how many to load.
PROBE_COMMON = """
import gc, sys, time
from pathlib import Path
from raccord.engine import load_dossier, load_library

def status(field):
    with open('/proc/self/status') as f:
        return int(next(line for line in f if line.startswith(field + ':')).split()[1]) / 1024

library = load_library()
folder, count = Path(sys.argv[1]), int(sys.argv[2])
files = sorted(folder.iterdir())
gc.collect()
gc.disable()
"""
PER_DOSSIER = PROBE_COMMON + """
import tracemalloc
tracemalloc.start()
for name in sorted({f.name.split('.')[0] for f in files}):
    mine = [f for f in files if f.name.startswith(name + '.')][:count]
    half = len(mine) // 2
    # The first half fills what is shared (validators, interned names, the interpreter's tables);
    # the second half's growth is what a dossier costs.
    kept = [load_dossier(f, library.catalogue) for f in mine[:half]]
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    kept += [load_dossier(f, library.catalogue) for f in mine[half:]]
    gc.collect()
    print(name, (tracemalloc.get_traced_memory()[0] - before) / (len(mine) - half))
    del kept
"""
PORTFOLIO = PROBE_COMMON + """
base = status('VmRSS')
start = time.perf_counter()
kept = [load_dossier(files[i % len(files)], library.catalogue) for i in range(count)]
spent = time.perf_counter() - start
gc.collect()
print(len(kept), status('VmRSS') - base, status('VmHWM'), base, spent)
"""


def write_copies(folder: Path, count: int) -> None:
    """`count` files, the examples in turn, each with its own production id. Evidence paths stay
    relative to each example's folder: loading does not open them."""
    texts = [(path.parent.name, path.read_text(encoding="utf-8")) for path in EXAMPLES]
    for i in range(count):
        name, text = texts[i % len(texts)]
        copy = re.sub(r"^(production:\n  id: )(\S+)", rf"\g<1>\g<2>-{i}", text, count=1, flags=re.M)
        assert copy != text, name
        (folder / f"{name}.{i:06d}.yaml").write_text(copy, encoding="utf-8")


def run(code: str, folder: Path, count: int) -> str:
    return subprocess.run([sys.executable, "-c", code, str(folder), str(count)], check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="dossiers in the portfolio (default 100 000)")
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        few, many = Path(tmp, "few"), Path(tmp, "many")
        few.mkdir()
        many.mkdir()
        write_copies(few, PER_EXAMPLE * len(EXAMPLES))
        per = {name: float(size) for name, size in (line.split() for line in run(PER_DOSSIER, few, PER_EXAMPLE).splitlines())}
        mix = sum(per.values()) / len(per)
        for name, size in per.items():
            print(f"{name:<20} {size / 1024:7.1f} KB per loaded dossier (tracemalloc)")
        print(f"{'mix of the four':<20} {mix / 1024:7.1f} KB per dossier, x {count} = {mix * count / 2**30:.2f} GiB")
        write_copies(many, count)
        loaded, resident, peak, base, spent = run(PORTFOLIO, many, count).split()
        print(f"{loaded} dossiers loaded in {float(spent):.0f} s: resident {float(resident):.0f} MB above the "
              f"{float(base):.0f} MB of a process with the library loaded; peak {float(peak):.0f} MB "
              f"({float(resident) * 1024 / int(loaded):.1f} KB per dossier)")


if __name__ == "__main__":
    main()
