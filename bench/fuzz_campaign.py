"""A fuzz campaign against the CLI: mutated dossiers and rulesets, in-process mostly, a sample through
the real executable. It checks the promises of the README's « Reliability » section and prints
its figures:

- exit codes only 0, 2, 3, 4 or 5 (70 is an internal error, counted with its exception);
- no run over 10 s (a hang), peak memory well under 1 GB;
- exit 2 is one line, safe to print (no control or bidi character, under 1 000 characters), and
  located (`file:line:col`, or an option) unless the whole file is at fault (not UTF-8, empty,
  not a mapping, not a regular file...): those are counted by message apart.

    .venv/bin/python bench/fuzz_campaign.py                  # 10 000 dossiers, 2 000 rulesets, 300 CLI runs
    .venv/bin/python bench/fuzz_campaign.py --dossiers 500 --rulesets 100 --cli 30   # a quick look

Seeded (`--seed`): mutant N of a family is rebuilt from the seed and N. One process at low priority
(the machine is shared); the CLI sample runs first, while this process is small. Families can be
run in separate processes (`--dossiers 0`, `--rulesets 0`, `--cli 0`); with `--json`, the figures
so far are written every 500 runs.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import datetime as dt
import functools
import gc
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/dossier.yaml"))
RULESETS = sorted((ROOT / "rulesets").glob("*/ruleset.yaml"))
DOSSIER, OUT = "{dossier}", "{out}"  # where the mutant's path and an output file go in a command line
# Every command that reads a dossier; one without DOSSIER gets it right after its name. Outputs go
# into the mutant's folder (named mutant.*, removed before the next mutant, like the auditor's file
# `review` writes and the journal `watch` reads), so a mutant never sees what an earlier one left.
COMMANDS = [["check"], ["check", "--format", "json"], ["missing"], ["eligibility"], ["verify"], ["validate"],
            ["calendar"], ["plan", "--target", "afnor_spec_2308:2"], ["explain", "AFN-INC-03"],
            ["evidence", "list", DOSSIER], ["export", "checklist", DOSSIER, "-o", OUT + ".xlsx"],
            ["dossier", DOSSIER, "--out", OUT + ".zip"], ["watch", DOSSIER],
            ["review", DOSSIER, "EV-001", "--reject", "illisible", "--by", "auditeur", "--date", "2025-10-15"],
            ["audit", "finding", "add", DOSSIER, "--type", "observation", "--text", "à revoir", "--by", "auditeur",
             "--date", "2025-10-15"]]
NO_AS_OF = {"validate", "evidence", "review", "audit"}  # commands without --as-of
ALLOWED = {0, 2, 3, 4, 5}
HANG_SECONDS = 10  # of CPU time: the promise
WALL_LIMIT = 60  # a run still going after this much wall time is stopped and counted a hang (the machine is shared)
PREFIX = re.compile(r"^raccord( : erreur : |: error: )")
# where: file:line:col, an option, an argument's metavar, a logical id, or the command (a usage error)
LOCATED = re.compile(r"^(?P<where>.+?:\d+:\d+|--[a-z-]+|-o|[A-Z0-9][A-Za-z0-9_.-]*|raccord( [a-z-]+)*): ")
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Warnings about the dossier (suspicious combinations of facts, issue 16) come first, one located
# line each, held to the one-line rules; the error line follows them.
WARNING = re.compile(r"^raccord( : attention : |: warning: )")
MANY_HEAD = re.compile(r"(problèmes, dans l'ordre du fichier|problems, in file order) ?:$")
MORE = re.compile(r"^  … (et|and) \d+ ")
# Whole-file errors: the file itself is at fault (or the output file named by -o), it has no line to point at.
WHOLE_FILE = ("UTF-8", "mapping", "ordinaire", "regular file", "introuvable", "not found", "trop gros", "too large",
              "vide", "empty", "dossier, un fichier", "a folder", "impossible d'écrire", "cannot write",
              "entrée de cette commande", "input of this command")
# click's usage errors as click prints them (the usage line, a pointer to --help, the error line): now
# one located line like every error (cli/main.py usage_error), so a run printing this counts as multi-line.
USAGE = re.compile(r"^(Utilisation|Usage) ?: ")
NASTY = ["\x00", "\x01", "\x1b]0;x\x07", "\u202e", "\n", "\t", '"', "'", ":", "- ", "[", "]", "{", "}", "&a", "*a",
         "!!python/name:os.system", "!!timestamp", "!!binary", "<<: *a", "%YAML 1.1", "---", "...", "#", "?", "|", "\ufeff",
         "é", "𝔘", "9" * 5000, "1e999", "-0", "NaN", ".inf", "0x1F", "2025-02-30", "9999-12-31", "0001-01-01", "~",
         "\\", "../", "/etc/passwd", "/dev/zero", "x" * 3000]
VALUES: list[Any] = [None, True, False, 0, -1, 10**400, 1e308, -1e308, float("nan"), "", "x" * 5000, "a\nb",
                     "\x1b[31mrouge", "ECO-\u202e10", [], {}, [[[[[]]]]], {"a": {"b": {"c": 1}}}, "2025-02-30",
                     dt.date(9999, 12, 31), dt.date(1, 1, 1), "../../etc/passwd", "a\0b", list(range(50)),
                     "long_metrage", "met", "declined", "P-014", 12, 3.5, "2025-10-15"]


# --- mutations ------------------------------------------------------------------------------------

def mutate_text(text: str, rnd: random.Random) -> str:
    """One to three textual operators: characters and lines inserted, deleted, repeated, swapped."""
    lines = text.split("\n")
    for _ in range(rnd.randint(1, 3)):
        op = rnd.randrange(8)
        i = rnd.randrange(len(lines)) if lines else 0
        if not lines:
            lines = [""]
        line = lines[i]
        at = rnd.randrange(len(line) + 1)
        if op == 0:
            lines[i] = line[:at] + rnd.choice(NASTY) + line[at:]
        elif op == 1 and line:
            lines[i] = line[:at] + line[at + rnd.randint(1, 8):]
        elif op == 2:
            del lines[i]
        elif op == 3:
            lines.insert(i, line)
        elif op == 4:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 5:
            depth = rnd.choice([50, 101, 500, 1200])
            lines[i] = line[:at] + "[" * depth + "]" * depth + line[at:]
        elif op == 6:
            lines[i] = " " * rnd.randint(1, 6) + line
        else:
            raw = bytearray(line.encode("utf-8", errors="surrogateescape"))  # an earlier flip may have left a lone byte
            if raw:
                raw[rnd.randrange(len(raw))] ^= 1 << rnd.randrange(8)
            lines[i] = raw.decode("utf-8", errors="surrogateescape")  # written back byte for byte: maybe not UTF-8
    return "\n".join(lines)


def paths_of(data: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths_of(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += paths_of(value, path + (i,))
    return out


def mutate_tree(data: Any, rnd: random.Random) -> Any:
    """One to three operators on the parsed document: a value replaced, a key removed or added, an
    item repeated, nesting added."""
    data = copy.deepcopy(data)
    for _ in range(rnd.randint(1, 3)):
        paths = [p for p in paths_of(data) if p]
        if not paths:
            return rnd.choice(VALUES)
        path = rnd.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        op = rnd.randrange(5)
        if op == 0:
            parent[last] = copy.deepcopy(rnd.choice(VALUES))
        elif op == 1:
            del parent[last]
        elif op == 2 and isinstance(parent, dict):
            parent[rnd.choice(["x", "facts", "évidence", "criteria", "a\nb", "\x1b]0;t\x07", "id", "portfolio"])] = \
                copy.deepcopy(rnd.choice(VALUES))
        elif op == 3 and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        else:
            value = parent[last]
            for _ in range(rnd.choice([1, 3, 60, 120])):
                value = {"not": value} if rnd.random() < 0.5 else [value]
            parent[last] = value
    return data


def dump(data: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps(data, ensure_ascii=False, default=str, allow_nan=True)
    import yaml

    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False,
                     width=10**6)


# --- running -------------------------------------------------------------------------------------

class HangError(Exception):
    pass


def _alarm(_signum, _frame):
    raise HangError


def run_in_process(argv: list[str]) -> tuple[int | str, str, str, float]:
    """(exit code or "hang", stdout, stderr, CPU seconds); an internal error comes back as 70 with the
    exception's signature in stderr (RACCORD_DEBUG=1 makes main() let it through)."""
    from raccord.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["raccord", *argv]
    code: int | str = 0
    started = time.process_time()
    signal.setitimer(signal.ITIMER_REAL, WALL_LIMIT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except HangError:
        code = "hang"
    except Exception as exc:  # an internal error: its signature, to group them
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        err.write(f"INTERNAL {type(exc).__name__}: {str(exc)[:120]} at {Path(frame.filename).name}:{frame.lineno}\n")
        code = 70
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.argv = saved
    seconds = time.process_time() - started
    return "hang" if seconds > HANG_SECONDS else code, out.getvalue(), err.getvalue(), seconds


def run_cli(argv: list[str]) -> tuple[int | str, str, str, float, int]:
    """Through the executable: (exit code or "hang", stdout, stderr, CPU seconds, peak RSS in KiB)."""
    command = ["/usr/bin/time", "-f", "PEAK_KB=%M CPU=%U+%S", str(Path(sys.executable).parent / "raccord"), *argv] \
        if Path("/usr/bin/time").exists() else [str(Path(sys.executable).parent / "raccord"), *argv]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               errors="replace", start_new_session=True,
                               preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)))
    try:
        out, err = process.communicate(timeout=WALL_LIMIT)
        code: int | str = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = "hang"
    peak, seconds = 0, time.perf_counter() - started
    found = re.search(r"PEAK_KB=(\d+) CPU=([\d.]+)\+([\d.]+)\n?$", err)
    if found:
        peak, seconds = int(found.group(1)), float(found.group(2)) + float(found.group(3))
        err = re.sub(r"Command (exited with non-zero status \d+|terminated by signal \d+)\n$", "", err[:found.start()])
    if seconds > HANG_SECONDS:
        code = "hang"
    return code, out, err, seconds, peak


class Tally:
    def __init__(self) -> None:
        self.runs = 0
        self.codes: collections.Counter = collections.Counter()
        self.internal: collections.Counter = collections.Counter()
        self.hangs: list[str] = []
        self.multi_line = 0
        self.usage = 0
        self.unsafe = 0
        self.too_long = 0
        self.unlocated: collections.Counter = collections.Counter()
        self.whole_file: collections.Counter = collections.Counter()
        self.slowest = (0.0, "")
        self.peak_kb = 0
        self.examples: dict[str, str] = {}

    def add(self, label: str, code: int | str, err: str, seconds: float, peak_kb: int = 0) -> None:
        self.runs += 1
        self.codes[code] += 1
        self.peak_kb = max(self.peak_kb, peak_kb)
        if seconds > self.slowest[0]:
            self.slowest = (seconds, label)
        if code == "hang":
            self.hangs.append(label)
            return
        if code == 70:
            signature = err.strip().splitlines()[-1] if err.strip() else "?"
            self.internal[signature] += 1
            self.examples.setdefault(signature, label)
            return
        if code != 2:
            return
        lines = err.splitlines()
        while len(lines) > 1 and WARNING.match(lines[0]):
            self._check_line(label, WARNING.sub("", lines.pop(0)))
        if lines and USAGE.match(lines[0]):
            self.usage += 1
        if len(lines) > 1 and MANY_HEAD.search(lines[0]) and all(line.startswith("  ") for line in lines[1:]):
            # Every problem of a file at once (issue 16): a heading, then each problem on its own
            # indented line, each held to the one-line rules; « … et N autres » closes a cut list.
            for line in lines[1:]:
                if not MORE.match(line):
                    self._check_line(label, line.strip())
            return
        if len(lines) != 1:
            self.multi_line += 1
            self.examples.setdefault("multi-line", label)
            return
        self._check_line(label, PREFIX.sub("", lines[0]))

    def _check_line(self, label: str, line: str) -> None:
        if UNSAFE.search(line):
            self.unsafe += 1
            self.examples.setdefault("unsafe", label)
        if len(line) >= 1000:
            self.too_long += 1
        if not LOCATED.match(line):
            message = line.split(": ", 1)[-1]
            if any(word in message for word in WHOLE_FILE):
                self.whole_file[message.split(" (")[0][:60]] += 1
            else:
                key = re.sub(r"'[^']*'|« [^»]* »|\d+", "…", message)[:80]
                self.unlocated[key] += 1
                self.examples.setdefault("unlocated: " + key, f"{label}: {line[:200]}")

    def report(self, title: str) -> dict[str, Any]:
        return {"family": title, "runs": self.runs, "exit_codes": {str(k): v for k, v in sorted(self.codes.items(), key=str)},
                "exit_70": sum(self.internal.values()), "internal": dict(self.internal), "hangs": len(self.hangs),
                "multi_line": self.multi_line, "usage_errors": self.usage, "unsafe_characters": self.unsafe,
                "over_1000_chars": self.too_long,
                "unlocated_content_errors": sum(self.unlocated.values()), "unlocated": dict(self.unlocated),
                "whole_file_errors": dict(self.whole_file), "slowest_s": round(self.slowest[0], 2),
                "slowest": self.slowest[1], "peak_rss_mb": round(self.peak_kb / 1024, 1),
                "examples": self.examples}


# --- families ------------------------------------------------------------------------------------

@functools.cache
def _parsed(path: Path) -> tuple[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8")
    return text, yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _folder(example: Path, workdir: Path) -> Path:
    """A copy of the example's folder (its evidence files), made once; mutants are written into it."""
    folder = workdir / example.parent.name
    if not folder.exists():
        shutil.copytree(example.parent, folder, symlinks=True)
    return folder


def dossier_mutant(index: int, seed: int, workdir: Path) -> tuple[Path, list[str]]:
    """Mutant `index`: an example dossier's text or tree mutated, written as YAML or JSON beside its
    evidence files; and the command line to run on it."""
    rnd = random.Random(f"{seed}-dossier-{index}")
    example = rnd.choice(EXAMPLES)
    text, data = _parsed(example)
    as_json = rnd.random() < 0.25
    if rnd.random() < 0.5:
        mutated = mutate_text(text if not as_json else json.dumps(data, default=str), rnd)
    else:
        try:
            mutated = dump(mutate_tree(data, rnd), as_json)
        except RecursionError:  # nested past what the dumpers write: the same depth written as text
            mutated = mutate_text(text, rnd) + "\nx: " + "[" * 1500 + "]" * 1500 + "\n"
    folder = _folder(example, workdir)
    for old in folder.glob("mutant.*"):
        old.unlink()
    path = folder / ("mutant.json" if as_json else "mutant.yaml")
    path.write_bytes(mutated.encode("utf-8", errors="surrogateescape"))
    command = rnd.choice(COMMANDS)
    if DOSSIER not in command:
        command = [command[0], DOSSIER, *command[1:]]
    args = [str(path) if part == DOSSIER else part.replace(OUT, str(folder / "mutant.out")) for part in command]
    if command[0] not in NO_AS_OF:
        args += ["--as-of", rnd.choice(["2025-10-15", "2025-09-01", "2026-06-30", "9999-12-31", "0001-01-01", "2025-02-30"])]
    return path, args


def ruleset_mutant(index: int, seed: int, workdir: Path) -> tuple[Path, list[str]]:
    rnd = random.Random(f"{seed}-ruleset-{index}")
    source = rnd.choice(RULESETS)
    text, data = _parsed(source)
    if rnd.random() < 0.4:
        mutated = mutate_text(text, rnd)
    else:
        data = copy.deepcopy(data)
        criteria = data.get("criteria") or []
        if criteria and rnd.random() < 0.7:  # mostly inside a criterion: where the condition language is
            i = rnd.randrange(len(criteria))
            wrapped = mutate_tree({"c": criteria[i]}, rnd)  # the wrapper itself may be replaced by a value
            criteria[i] = wrapped.get("c", criteria[i]) if isinstance(wrapped, dict) else wrapped
        else:
            data = mutate_tree(data, rnd)
        mutated = dump(data, False)
    path = workdir / "rulesets" / source.parent.name / "ruleset.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mutated.encode("utf-8", errors="surrogateescape"))
    if rnd.random() < 0.5:
        return path, ["validate", str(path)]
    return path, ["check", str(rnd.choice(EXAMPLES)), "--ruleset-file", str(path), "--as-of", "2025-10-15"]


def special_inputs(workdir: Path) -> list[list[str]]:
    """Special files and bad option values, through the executable."""
    fifo = workdir / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
    example = str(EXAMPLES[0])
    out: list[list[str]] = []
    for special in (str(fifo), "/dev/zero", "/dev/urandom", str(workdir), "/nonexistent.yaml"):
        out += [["check", special, "--as-of", "2025-10-15"], ["validate", special],
                ["check", example, "--as-of", "2025-10-15", "--ruleset-file", special],
                ["check", example, "--as-of", "2025-10-15", "--portfolio", special]]
    for target in ("/dev/null", "/dev/stdout", str(workdir), "/proc/x.html", example, str(fifo)):
        out.append(["check", example, "--as-of", "2025-10-15", "-o", target])
    for as_of in ("9999-12-31", "0001-01-01", "x" * 10_000, "2025-02-30", "\x1b[31m"):
        out.append(["check", example, "--as-of", as_of])
    return out


def campaign(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["RACCORD_DEBUG"] = "1"  # internal errors reach the harness with their traceback (in-process)
    signal.signal(signal.SIGALRM, _alarm)
    with contextlib.suppress(OSError):
        os.nice(args.nice)
    workdir = Path(tempfile.mkdtemp(prefix="raccord-fuzz-"))
    os.environ.setdefault("RACCORD_CACHE_DIR", str(workdir / "cache"))
    results: list[dict[str, Any]] = []
    started = time.monotonic()

    def progress(tally: Tally, title: str) -> None:
        if args.json:  # figures so far, for a campaign stopped before its end
            partial = {"seed": args.seed, "minutes": round((time.monotonic() - started) / 60, 1),
                       "families": [*results, tally.report(title + " (so far)")]}
            Path(args.json).write_text(json.dumps(partial, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    try:
        if args.cli:  # through the executable first, while this process is small (a child's peak starts from ours)
            cli, env_debug = Tally(), os.environ.pop("RACCORD_DEBUG")
            for argv in special_inputs(workdir):
                code, _, err, seconds, peak = run_cli(argv)
                cli.add(" ".join(argv)[:120], code, err, seconds, peak)
            for index in range(args.cli):
                _, argv = dossier_mutant(10**6 + index, args.seed, workdir)
                code, _, err, seconds, peak = run_cli(argv)
                cli.add(f"cli dossier {index}", code, err, seconds, peak)
            os.environ["RACCORD_DEBUG"] = env_debug
            results.append(cli.report(f"through the executable ({args.cli} mutated dossiers + special files, options)"))
        # The executable holds the cyclic collector back while it loads (cli/entry.py); so does this
        # process, collecting between runs instead.
        gc.disable()
        for family, count, make in (("dossiers", args.dossiers, dossier_mutant), ("rulesets", args.rulesets, ruleset_mutant)):
            tally, title = Tally(), f"mutated {family}, in-process ({count})"
            for index in range(args.start, args.start + count):
                _, argv = make(index, args.seed, workdir)
                code, _, err, seconds = run_in_process(argv)
                tally.add(f"{family} {index}", code, err, seconds)
                if index % 50 == 49:
                    gc.collect()
                if index % 500 == 499:
                    tally.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    progress(tally, title)
            tally.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if count:
                results.append(tally.report(title))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"seed": args.seed, "minutes": round((time.monotonic() - started) / 60, 1), "families": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--rulesets", type=int, default=2_000)
    parser.add_argument("--cli", type=int, default=300, help="mutated dossiers run through the executable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first mutant index (to split a family over processes)")
    parser.add_argument("--nice", type=int, default=10, help="priority increment (the machine is shared)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args()
    result = campaign(args)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)
    failed = sum(f["exit_70"] + f["hangs"] + f["multi_line"] + f["unsafe_characters"] + f["unlocated_content_errors"]
                 for f in result["families"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
