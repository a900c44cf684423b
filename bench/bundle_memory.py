"""Peak memory of `raccord dossier --out` with one large evidence file (issue 17, F7; run by hand:
`python bench/bundle_memory.py [--gib 1.5]`). Never run inside tests.

The audit measured 1 576 MB of peak RSS for a 1.5 GiB evidence file: the bundle held every
evidence file in memory. The file here is sparse (no disk used until the zip is written), added to
a copy of the feature-film example; the command runs through the executable under GNU time (peak
RSS) and, once more, with its address space capped (`--cap-mib`, 400 by default): it must still
succeed. Then `raccord verify` checks the bundle written (it streams too).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage"
RACCORD = str(Path(sys.executable).parent / "raccord")


def run(argv: list[str], cap_mib: int | None = None) -> tuple[int, float, int, str]:
    """(exit code, seconds of wall time, peak RSS in KiB by GNU time, stderr)."""
    def limit() -> None:
        if cap_mib:
            resource.setrlimit(resource.RLIMIT_AS, (cap_mib << 20, cap_mib << 20))

    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "PEAK_KB=%M", RACCORD, *argv], capture_output=True, text=True,
                            preexec_fn=limit)
    seconds = time.perf_counter() - started
    found = re.search(r"PEAK_KB=(\d+)", result.stderr)
    return result.returncode, seconds, int(found.group(1)) if found else 0, result.stderr[:found.start() if found else None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.5, help="size of the evidence file (sparse)")
    parser.add_argument("--cap-mib", type=int, default=400, help="address-space cap of the second run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="raccord-bundle-memory-"))
    try:
        folder = work / "film"
        shutil.copytree(EXAMPLE, folder)
        dossier = folder / "dossier.yaml"
        text = dossier.read_text(encoding="utf-8")
        dossier.write_text(text.replace("evidence:\n", "evidence:\n- {id: EV-GROS, kind: bilan_carbone_previsionnel, "
                                        "path: evidence/rushes.bin}\n", 1), encoding="utf-8")
        with open(folder / "evidence" / "rushes.bin", "wb") as handle:
            handle.truncate(int(args.gib * (1 << 30)))
        out = work / "audit.zip"
        for label, cap in (("uncapped", None), (f"address space capped at {args.cap_mib} MiB", args.cap_mib)):
            out.unlink(missing_ok=True)
            code, seconds, peak, err = run(["dossier", str(dossier), "--as-of", "2025-10-15", "--out", str(out)], cap)
            size = out.stat().st_size if out.exists() else 0
            print(f"dossier --out, {args.gib} GiB evidence, {label}: exit {code}, {seconds:.1f} s, "
                  f"peak RSS {peak / 1024:.0f} MB, bundle {size / (1 << 30):.2f} GiB {err.strip()[:200]}")
        code, seconds, peak, err = run(["verify", str(out)])
        print(f"verify of that bundle: exit {code}, {seconds:.1f} s, peak RSS {peak / 1024:.0f} MB {err.strip()[:200]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
