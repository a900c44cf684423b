"""Mutation testing of raccord's engine: a small AST mutation runner, no dependencies.

    python bench/mutation.py engine/conditions.py engine/policies/*.py engine/plan.py [--jobs 2]

Each mutant (one small change to one module: a comparison or boolean operator swapped, a `not`
removed, a constant changed, an `if` forced, a return value or a simple statement dropped) is
written into a private copy of the working tree and the selected tests run there; a mutant no
test kills is a survivor, printed with its line. Method and figures: bench/README.md.

Why not mutmut: mutmut 3 runs the tests in a copy of the sources, and with an editable install
`import raccord.engine` still finds the unmutated worktree (boxed/mutmut#486): this repo maps
`raccord.engine` to `engine/` (setuptools package-dir). Here each worker copies the tree and adds
`raccord/<sub>` links following that mapping, so Python's path finder (which runs before the
editable finder) imports the copy; the runner checks that, and a lethal mutant, before any mutant.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The engine's tests, the properties and the YAML cases of every ruleset. Left out by default: the
# CLI, HTML, grid, bundle, cache and calendar tests, three quarters of the suite's time, which test
# rendering and files more than the engine (add them with --tests).
DEFAULT_TESTS = [
    "tests/test_conditions.py", "tests/test_codegen.py", "tests/test_properties.py", "tests/test_language_errors.py",
    "tests/test_language_semantics.py", "tests/test_findings.py", "tests/test_coerce_fact.py", "tests/test_policies.py",
    "tests/test_policy_behaviour.py", "tests/test_policy_statements.py", "tests/test_policy_defaults.py",
    "tests/test_aid_schemes.py", "tests/test_outcome_goals.py", "tests/test_lost_deadlines.py", "tests/test_fifth_policy.py",
    "tests/test_plan.py",
    "tests/test_plan_integrity.py", "tests/test_planner_behaviour.py", "tests/test_deadlines.py",
    "tests/test_deadlines_examples.py", "tests/test_testcases.py", "tests/test_api_doc.py", "tests/test_format_doc.py",
    "rulesets",
]
DEFAULT_IGNORE: list[str] = []
EQUIVALENTS = ROOT / "bench" / "mutation-equivalents.txt"
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".hypothesis", ".pytest_cache", "*.egg-info",
                                     ".ruff_cache", "mutation-report.txt")
# Calls whose arguments are messages, not behaviour: their strings and numbers are not mutated, and
# dropping a logging call is not an interesting mutant.
MESSAGE_CALLS = {"fail", "InputError", "warn", "debug", "info", "warning", "error", "exception", "print"}
PROBE = "_mutation_probe"
# Set before each test while tracing: raccord's on-disk library cache would hide the loading code.
TRACE_ENV = {"RACCORD_CACHE_DIR": ""}


# --- mutants ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    file: str  # relative to the repo
    line: int
    end_line: int
    col: int
    operator: str
    start: int  # character offsets of the replaced text in the source
    end: int
    replacement: str
    function: str

    def apply(self, source: str) -> str:
        return source[:self.start] + self.replacement + source[self.end:]

    def key(self) -> tuple:
        return (self.file, self.line, self.col, self.operator, self.replacement)


SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
ARITH: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
NOT_NUMBERS = (ast.Tuple, ast.List, ast.JoinedStr, ast.ListComp, ast.Dict, ast.Set)


class Offsets:
    """ast positions are UTF-8 byte columns; the mutants edit the text by character offsets."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for text in self.lines:
            self.starts.append(self.starts[-1] + len(text))

    def at(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1]
        return self.starts[line - 1] + len(text.encode()[:byte_col].decode(errors="ignore"))


class Generator(ast.NodeVisitor):
    def __init__(self, rel: str, source: str, tree: ast.Module) -> None:
        self.rel, self.source, self.tree = rel, source, tree
        self.offsets = Offsets(source)
        self.skip_lines = {i + 1 for i, text in enumerate(source.splitlines()) if "pragma: no mutate" in text}
        self.mutants: list[Mutant] = []
        self.function = "<module>"

    # -- recording -------------------------------------------------------------------------------
    def add(self, node: ast.AST, operator: str, replacement: str) -> None:
        if node.lineno in self.skip_lines:
            return
        start = self.offsets.at(node.lineno, node.col_offset)
        end = self.offsets.at(node.end_lineno, node.end_col_offset)
        self.mutants.append(Mutant(self.rel, node.lineno, node.end_lineno, node.col_offset, operator, start, end,
                                   replacement, self.function))

    def add_expr(self, node: ast.expr, operator: str, new: ast.expr) -> None:
        self.add(node, operator, "(" + ast.unparse(new) + ")")

    # -- traversal: what is skipped ------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.function = self.function, node.name
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        self.body(node.body)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer, self.function = self.function, node.name
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.body(node.body)
        self.function = outer

    def body(self, statements: list[ast.stmt]) -> None:
        for i, stmt in enumerate(statements):
            if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # docstring
            self.visit(stmt)

    def visit_Module(self, node: ast.Module) -> None:
        self.body(node.body)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:  # the annotation is not behaviour
        if node.value is not None:
            self.visit(node.value)

    def visit_Assert(self, node: ast.Assert) -> None:
        return

    def visit_Import(self, node: ast.AST) -> None:
        return

    visit_ImportFrom = visit_Import  # noqa: N815

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:  # f-strings are messages
        return

    def visit_Raise(self, node: ast.Raise) -> None:
        self.add(node, "delete", "pass")  # the error must be raised; its message is not mutated

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return
        if all(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets):
            self.add(node, "delete", "pass")  # a store into a mapping or an object
        self.generic_visit(node)

    # -- statements ------------------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        guard = len(node.body) == 1 and isinstance(node.body[0], ast.Raise) and not node.orelse
        self.force(node.test, false=not guard)  # forcing a guard false is the raise deletion again
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.force(node.test)
        self.generic_visit(node)

    def force(self, test: ast.expr, false: bool = True) -> None:
        if not (isinstance(test, ast.Constant) and isinstance(test.value, bool)):
            self.add(test, "if_true", "True")
            if false:
                self.add(test, "if_false", "False")

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self.add(node.value, "return_none", "None")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call) and not self.is_message_call(node.value):
            self.add(node, "delete", "pass")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.add(node, "delete", "pass")
        swapped = ARITH.get(type(node.op))
        if swapped is not None and not isinstance(node.value, NOT_NUMBERS):
            new = copy.copy(node)
            new.op = swapped()
            self.add(node, "arith", ast.unparse(new))
        self.generic_visit(node)

    def visit_Continue(self, node: ast.Continue) -> None:
        self.add(node, "delete", "pass")

    visit_Break = visit_Continue  # noqa: N815

    # -- expressions -----------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if self.is_message_call(node):
            return
        self.generic_visit(node)

    @staticmethod
    def is_message_call(node: ast.Call) -> bool:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        return name in MESSAGE_CALLS or owner in ("logging", "logger", "log", "warnings")

    def visit_Compare(self, node: ast.Compare) -> None:
        for i, op in enumerate(node.ops):
            swapped = SWAPS.get(type(op))
            if swapped is not None:
                new = copy.copy(node)
                new.ops = [*node.ops[:i], swapped(), *node.ops[i + 1:]]
                self.add_expr(node, "compare", new)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        new = copy.copy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add_expr(node, "boolean", new)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.add_expr(node, "not", node.operand)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swapped = ARITH.get(type(node.op))
        if swapped is not None and not isinstance(node.left, NOT_NUMBERS) and not isinstance(node.right, NOT_NUMBERS) \
                and not _is_str(node.left) and not _is_str(node.right):
            new = copy.copy(node)
            new.op = swapped()
            self.add_expr(node, "arith", new)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, "constant", repr(not value))
        elif isinstance(value, int):
            self.add(node, "constant", repr({0: 1, 1: 0}.get(value, value + 1)))
        elif isinstance(value, float):
            self.add(node, "constant", repr(1.0 if value == 0 else value * 2))

    # -- equivalence hints ---------------------------------------------------------------------
    def likely_equivalent(self, mutant: Mutant) -> str:
        """A reason when the mutant looks equivalent by construction (reported for review)."""
        if mutant.operator != "compare":
            return ""
        for node in ast.walk(self.tree):
            # `if v < best: best = v`: on a tie the assignment keeps the same value
            if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and node.test.lineno == mutant.line \
                    and node.test.col_offset == mutant.col and len(node.test.ops) == 1 and not node.orelse \
                    and isinstance(node.test.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) and len(node.body) == 1 \
                    and isinstance(node.body[0], ast.Assign) and len(node.body[0].targets) == 1:
                sides = {ast.unparse(node.test.left), ast.unparse(node.test.comparators[0])}
                if sides == {ast.unparse(node.body[0].targets[0]), ast.unparse(node.body[0].value)}:
                    return "running min/max: on a tie the assignment keeps the same value"
            if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare) and node.test.lineno == mutant.line \
                    and node.test.col_offset == mutant.col and len(node.test.ops) == 1 \
                    and isinstance(node.test.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
                sides = {ast.unparse(node.test.left), ast.unparse(node.test.comparators[0])}
                if sides == {ast.unparse(node.body), ast.unparse(node.orelse)}:
                    return "min/max idiom: on a tie both branches give the same value"
        return ""


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


SOURCES: dict[str, str] = {}  # the mutated modules as read at the start: the worktree may change meanwhile


def source_of(rel: str) -> str:
    if rel not in SOURCES:
        SOURCES[rel] = (ROOT / rel).read_text(encoding="utf-8")
    return SOURCES[rel]


def generate(rel: str) -> tuple[list[Mutant], dict[tuple, str]]:
    source = source_of(rel)
    tree = ast.parse(source)
    gen = Generator(rel, source, tree)
    gen.visit(tree)
    original = ast.dump(tree)
    seen: set[str] = set()
    mutants, hints = [], {}
    for mutant in sorted(gen.mutants, key=lambda m: (m.line, m.col, m.operator, m.replacement)):
        text = mutant.apply(source)
        if text in seen:
            continue
        try:
            if ast.dump(ast.parse(text)) == original:
                continue  # the change does not change the program
        except SyntaxError:
            continue
        seen.add(text)
        mutants.append(mutant)
        hint = gen.likely_equivalent(mutant)
        if hint:
            hints[mutant.key()] = hint
    return mutants, hints


def mutated_line(mutant: Mutant) -> tuple[str, str]:
    """The original line(s) and the first mutated line, stripped, for the report."""
    source = source_of(mutant.file)
    before = " ".join(t.strip() for t in source.splitlines()[mutant.line - 1:mutant.end_line])
    after = mutant.apply(source).splitlines()[mutant.line - 1].strip()
    return before, after


# --- workspaces ----------------------------------------------------------------------------------


PROBE_SOURCE = '''
"""Loaded by bench/mutation.py with -p: test selection and order, per-test line coverage."""
import json, os, sys, time
from collections import defaultdict

import pytest

try:  # reproducible property tests; no deadline (the machine is loaded), no example database
    from hypothesis import HealthCheck, settings
    settings.register_profile("mutation", deadline=None, database=None, derandomize=True,
                              suppress_health_check=list(HealthCheck))
    settings.load_profile("mutation")
except ImportError:
    pass

SELECT = os.environ.get("MUTATION_SELECT")
TRACE = os.environ.get("MUTATION_TRACE")
TARGETS = set(filter(None, os.environ.get("MUTATION_TARGETS", "").split(os.pathsep)))
_current = ["<collect>"]
_lines = defaultdict(set)
_times = {}
_real = {}


def _local(frame, event, arg):
    if event == "line":
        _lines[_current[0]].add((_real[frame.f_code.co_filename], frame.f_lineno))
    return _local


def _global(frame, event, arg):
    name = frame.f_code.co_filename
    real = _real.get(name)
    if real is None:
        real = _real[name] = os.path.realpath(name) if not name.startswith("<") else ""
    if real in TARGETS:
        _lines[_current[0]].add((real, frame.f_lineno))
        return _local
    return None


if TRACE:
    sys.settrace(_global)


def pytest_collection_modifyitems(session, config, items):
    if not SELECT:
        return
    with open(SELECT, encoding="utf-8") as handle:
        wanted = [line for line in handle.read().split("\\n") if line]
    by_id = {item.nodeid: item for item in items}
    keep = [by_id[n] for n in wanted if n in by_id]
    kept = set(wanted)
    config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in kept])
    items[:] = keep


def _forget_caches():
    """While tracing, each test recomputes what an earlier test cached (a library loaded once per
    session), so that the lines it depends on are recorded for it too."""
    here = os.getcwd()
    for module in list(sys.modules.values()):
        if not (getattr(module, "__file__", None) or "").startswith(here):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    for name, value in json.loads(os.environ.get("MUTATION_TRACE_ENV", "{}")).items():
        os.environ[name] = value


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # a test module's import (its module-level rulesets and dossiers) is recorded as that module's
    # collection, so a line run only there is killed by that module's tests, not by every test
    if not isinstance(collector, pytest.Module):
        yield
        return
    _current[0] = "<collect>" + collector.nodeid
    yield
    _current[0] = "<collect>"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if TRACE:
        _forget_caches()
    _current[0] = item.nodeid
    start = time.perf_counter()
    yield
    _times[item.nodeid] = time.perf_counter() - start
    _current[0] = "<collect>"


def pytest_sessionfinish(session, exitstatus):
    if TRACE:
        sys.settrace(None)
        data = {"times": _times, "lines": {k: sorted(v) for k, v in _lines.items()}}
        with open(TRACE, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
'''


SERVER_SOURCE = '''
"""Started by bench/mutation.py in a workspace: imports pytest and the third-party libraries once,
then forks a child per request, so each run pays only for raccord and its tests."""
import json, os, signal, sys, tempfile, time

sys.dont_write_bytecode = True
import pytest  # noqa: E402
for name in ("hypothesis", "hypothesis.extra.pytestplugin", "pydantic", "pydantic_core", "yaml", "click", "jinja2"):
    try:
        __import__(name)
    except ImportError:
        pass
assert not any(m == "raccord" or m.startswith("raccord.") for m in sys.modules), "raccord imported before the fork"

_child = [0]


def _stop(*_):
    if _child[0]:
        try:
            os.killpg(_child[0], 9)
        except ProcessLookupError:
            pass
    os._exit(1)


signal.signal(signal.SIGTERM, _stop)
for line in sys.stdin:
    request = json.loads(line)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.environ.update(request["env"])
        tempfile.tempdir = None
        fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            code = int(pytest.main(request["args"]))
        except BaseException:
            code = 3
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _child[0] = pid
    code = None
    deadline = start + request["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.perf_counter() > deadline:
            try:
                os.killpg(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    _child[0] = 0
    print(json.dumps({"code": code, "seconds": time.perf_counter() - start}), flush=True)
'''
SERVER = "_mutation_server"


class Workspace:
    """A private copy of the working tree in which `import raccord` resolves to the copy."""

    def __init__(self, base: Path, index: int) -> None:
        self.dir = base / f"w{index}" / ROOT.name
        self.tmp = base / f"w{index}" / "tmp"
        shutil.copytree(ROOT, self.dir, ignore=COPY_IGNORE, symlinks=True)
        shared = ROOT.parent / "shared"
        if shared.exists():
            (self.dir.parent / "shared").symlink_to(shared)
        for package, folder in package_dirs().items():
            parts = package.split(".")
            if len(parts) != 2:
                continue
            link = self.dir / parts[0] / parts[1]
            if not link.exists():
                link.symlink_to(os.path.relpath(self.dir / folder, link.parent))
        for rel in TARGET_FILES:  # the modules as they were when the mutants were made
            self.swap(rel, None)
        (self.dir / f"{PROBE}.py").write_text(PROBE_SOURCE, encoding="utf-8")
        (self.dir / f"{SERVER}.py").write_text(SERVER_SOURCE, encoding="utf-8")
        self.server: subprocess.Popen | None = None
        self.closed = False

    def close(self, now: bool = False) -> None:
        """Stop the server: at once (its running child too) when the run is interrupted."""
        self.closed = True
        if self.server is not None and self.server.poll() is None:
            if now:
                self.server.terminate()
            else:
                self.server.stdin.close()
            self.server.wait(timeout=60)

    def serve(self, args: list[str], env: dict[str, str], timeout: float) -> tuple[int | None, float, str]:
        """One pytest run in a child forked by this workspace's server: (exit code or None on timeout, s, output)."""
        if self.closed:
            raise RuntimeError("the run is stopping")
        if self.server is None or self.server.poll() is not None:
            env0 = self.env(PYTHONDONTWRITEBYTECODE="1")
            self.server = subprocess.Popen([sys.executable, f"{SERVER}.py"], cwd=self.dir, env=env0, text=True,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        output = self.dir.parent / "output.txt"
        request = {"args": args, "env": env, "timeout": timeout, "output": str(output)}
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        answer = json.loads(self.server.stdout.readline())
        tail = output.read_text(encoding="utf-8", errors="replace")[-3000:] if output.exists() else ""
        return answer["code"], answer["seconds"], tail

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(PYTHONPATH=str(self.dir), PYTHONHASHSEED="0", **extra)
        return env

    def run(self, tests: list[str], select: list[str] | None, timeout: float, trace: bool = False,
            first_failure: bool = True, write_bytecode: bool = False) -> tuple[str, float, str]:
        """('passed' | 'failed' | 'timeout' | 'no_tests', seconds, output tail). The baseline runs
        (whole selection, bytecode, tracer) are fresh processes; mutant runs go through the server."""
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        extra: dict[str, str] = {"TMPDIR": str(self.tmp)}
        if select is not None:
            path = self.tmp / "select.txt"
            path.write_text("\n".join(select) + "\n", encoding="utf-8")
            extra["MUTATION_SELECT"] = str(path)
            tests = list(dict.fromkeys(n.split("::", 1)[0] for n in select))  # collect only their files
        args = ["-q", "--no-header", "-p", "no:cacheprovider", "-p", PROBE, *(["-x"] if first_failure else []), *tests]
        try:
            if select is not None:
                code, seconds, tail = self.serve(args, extra, timeout)
            else:
                code, seconds, tail = self.fresh(args, extra, timeout, trace, write_bytecode)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if code is None:
            return "timeout", seconds, tail
        return {0: "passed", 5: "no_tests"}.get(code, "failed"), seconds, tail

    def fresh(self, args: list[str], extra: dict[str, str], timeout: float, trace: bool,
              write_bytecode: bool) -> tuple[int | None, float, str]:
        if trace:
            extra["MUTATION_TRACE"] = str(self.dir.parent / "trace.json")
            extra["MUTATION_TARGETS"] = os.pathsep.join(str((self.dir / t).resolve()) for t in TARGET_FILES)
            extra["MUTATION_TRACE_ENV"] = json.dumps(TRACE_ENV)
        env = self.env(**extra)
        if write_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=self.dir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            return None, time.perf_counter() - start, out.decode(errors="replace")[-3000:]
        return proc.returncode, time.perf_counter() - start, out.decode(errors="replace")[-3000:]

    def swap(self, rel: str, text: str | None) -> None:
        """Write a mutated module (or the original back) and drop its bytecode."""
        target = self.dir / rel
        target.write_text(text if text is not None else source_of(rel), encoding="utf-8")
        for pyc in (target.parent / "__pycache__").glob(target.stem + ".*.pyc"):
            pyc.unlink()


def package_dirs() -> dict[str, str]:
    """setuptools' package-dir mapping, from pyproject.toml or a `PACKAGE_DIR = {...}` in setup.py."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = data.get("tool", {}).get("setuptools", {}).get("package-dir", {})
    setup = ROOT / "setup.py"
    if not mapping and setup.exists():
        for node in ast.parse(setup.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PACKAGE_DIR" for t in node.targets):
                mapping = ast.literal_eval(node.value)
    return mapping


TARGET_FILES: list[str] = []


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Result:
    mutant: Mutant
    verdict: str  # killed | survived | timeout
    seconds: float
    covered: bool
    runs: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, tests: list[str], jobs: int, thorough: bool, timeout_factor: float) -> None:
        self.tests, self.jobs, self.thorough, self.factor = tests, jobs, thorough, timeout_factor
        self.base = Path(tempfile.mkdtemp(prefix="raccord-mutation-"))
        self.spaces = [Workspace(self.base, i) for i in range(jobs)]
        self.order: list[str] = []
        self.times: dict[str, float] = {}
        self.coverage: dict[tuple[str, int], list[str]] = {}
        self.imported_by: dict[tuple[str, int], list[str]] = {}
        self.timeout = 60.0
        self.stopping = False

    def close(self, now: bool = False) -> None:
        self.stopping = True
        for space in self.spaces:
            space.close(now)
        shutil.rmtree(self.base, ignore_errors=True)

    def prepare(self) -> float:
        space = self.spaces[0]
        probe = subprocess.run([sys.executable, "-c", "import raccord.engine, raccord.cli; print(raccord.engine.__file__)"],
                               cwd=space.dir, env=space.env(), capture_output=True, text=True, check=False)
        where = Path(probe.stdout.strip()).resolve() if probe.returncode == 0 else None
        if where is None or space.dir.resolve() not in where.parents:
            sys.exit(f"mutation: the copy does not import its own raccord.engine ({probe.stdout.strip() or probe.stderr})")
        for other in self.spaces:  # write the bytecode of the unmutated modules once
            verdict, seconds, tail = other.run(self.tests, None, 3600, first_failure=False, write_bytecode=True)
            if verdict != "passed":
                sys.exit("mutation: the tests fail before any mutation:\n" + tail)
        self.timeout = max(30.0, self.factor * seconds)  # for a run of every selected test
        verdict, _, tail = space.run(self.tests, None, 3 * 3600, trace=True, first_failure=False)
        if verdict != "passed":
            sys.exit("mutation: the tests fail under the line tracer:\n" + tail)
        data = json.loads((space.dir.parent / "trace.json").read_text(encoding="utf-8"))
        self.times = data["times"]
        self.order = sorted(self.times, key=lambda n: (self.times[n], n))
        real_to_rel = {str((space.dir / t).resolve()): t for t in TARGET_FILES}
        cover: dict[tuple[str, int], set[str]] = {}
        modules: dict[tuple[str, int], set[str]] = {}  # line -> test files whose import ran it
        for nodeid, lines in data["lines"].items():
            if nodeid.startswith("<collect>"):
                if nodeid != "<collect>":
                    for real, line in lines:
                        modules.setdefault((real_to_rel[real], line), set()).add(nodeid[len("<collect>"):])
                continue
            for real, line in lines:
                cover.setdefault((real_to_rel[real], line), set()).add(nodeid)
        self.coverage = {k: sorted(v, key=lambda n: (self.times.get(n, 0), n)) for k, v in cover.items()}
        # lines run while importing and collecting (module constants, decorators, class bodies):
        # every test depends on them
        self.at_import = {(real_to_rel[real], line) for real, line in data["lines"].get("<collect>", ())}
        # a line run while importing a test module: that module's tests depend on it (objects it
        # built at import and shared with other modules make this a lower bound, never an excess)
        self.imported_by = {key: sorted(n for n in self.order if n.split("::", 1)[0] in files)
                            for key, files in modules.items()}
        self.lethal_check()
        return seconds

    def lethal_check(self) -> None:
        """A mutant that breaks the first target module at import must be killed, or nothing is measured."""
        space, rel = self.spaces[0], TARGET_FILES[0]
        space.swap(rel, "raise RuntimeError('lethal mutant')\n" + source_of(rel))
        try:
            verdict, _, _ = space.run(self.tests, self.order[:1], self.timeout)
        finally:
            space.swap(rel, None)
        if verdict == "passed":
            sys.exit(f"mutation: a lethal mutant of {rel} survived: the tests do not import the copy")

    def covering(self, mutant: Mutant) -> list[str]:
        """The tests that run the mutant's lines, fastest first; every test for a line run at import."""
        lines = [(mutant.file, line) for line in range(mutant.line, mutant.end_line + 1)]
        tests: set[str] = set()
        for key in lines:
            tests.update(self.coverage.get(key, ()))
            tests.update(self.imported_by.get(key, ()))
        ordered = sorted(tests, key=lambda n: (self.times.get(n, 0), n))
        if any(key in self.at_import for key in lines):
            ordered += [n for n in self.order if n not in tests]
        return ordered

    def budget(self, tests: list[str]) -> float:
        """A run's timeout: the factor times those tests' durations under the tracer (itself slower
        than a plain run), plus 30 s to start; at most the timeout of the whole selection."""
        return min(self.timeout, 30.0 + self.factor * sum(self.times.get(n, 0.0) for n in tests))

    def judge(self, space: Workspace, mutant: Mutant) -> Result:
        covering = self.covering(mutant)
        if not covering:  # no selected test runs this line: nothing can kill the mutant
            return Result(mutant, "survived", 0.0, False, ["no test runs it"])
        space.swap(mutant.file, mutant.apply(source_of(mutant.file)))
        runs: list[str] = []
        spent = 0.0
        try:
            verdict, seconds, _ = space.run(self.tests, covering, self.budget(covering))
            spent += seconds
            runs.append(f"covering:{verdict}")
            if verdict != "passed":  # no_tests: the mutant changed what is collected
                return Result(mutant, "timeout" if verdict == "timeout" else "killed", spent, True, runs)
            if not self.thorough:
                return Result(mutant, "survived", spent, True, runs)
            rest = [n for n in self.order if n not in set(covering)]
            if not rest:
                return Result(mutant, "survived", spent, bool(covering), runs)
            verdict, seconds, _ = space.run(self.tests, rest, self.budget(rest))
            spent += seconds
            runs.append(f"rest:{verdict}")
            if verdict != "passed":
                return Result(mutant, "timeout" if verdict == "timeout" else "killed", spent, bool(covering), runs)
            return Result(mutant, "survived", spent, bool(covering), runs)
        finally:
            space.swap(mutant.file, None)

    def run_all(self, mutants: list[Mutant], progress: bool, log: Path, known: dict[str, dict]) -> list[Result]:
        results: dict[int, Result] = {}
        queue = []
        for index, mutant in enumerate(mutants):
            old = known.get(log_key(mutant))
            if old is not None and old["verdict"] != "survived":  # a kill stays a kill when only tests were added
                results[index] = Result(mutant, old["verdict"], old["seconds"], old["covered"], ["resumed"])
            else:
                queue.append((index, mutant))
        lock = threading.Lock()
        handle = log.open("a", encoding="utf-8")

        def work(space: Workspace) -> None:
            while True:
                with lock:
                    if not queue or self.stopping:
                        return
                    index, mutant = queue.pop(0)
                result = self.judge(space, mutant)
                with lock:
                    results[index] = result
                    handle.write(json.dumps({"key": log_key(mutant), "verdict": result.verdict, "seconds": result.seconds,
                                             "covered": result.covered, "runs": result.runs}) + "\n")
                    handle.flush()
                    if progress:
                        done = len(results)
                        mark = {"killed": ".", "timeout": "T", "survived": "S"}[result.verdict]
                        print(mark, end="\n" if done % 80 == 0 else "", flush=True, file=sys.stderr)

        threads = [threading.Thread(target=work, args=(space,), daemon=True) for space in self.spaces]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        handle.close()
        if progress:
            print(file=sys.stderr)
        return [results[i] for i in range(len(mutants))]


def log_key(mutant: Mutant) -> str:
    """A mutant's identity across runs: its module's content and the change."""
    digest = hashlib.sha256(source_of(mutant.file).encode()).hexdigest()[:16]
    return f"{mutant.file}@{digest}:{mutant.start}:{mutant.end}:{mutant.operator}:{mutant.replacement}"


def read_log(log: Path) -> dict[str, dict]:
    known: dict[str, dict] = {}
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            known[entry["key"]] = entry
    return known


# --- report --------------------------------------------------------------------------------------


def load_equivalents() -> dict[tuple[str, str, str, str, str], str]:
    """Reviewed equivalent mutants: `file | function | operator | original line | mutated line | why`."""
    if not EQUIVALENTS.exists():
        return {}
    rows = {}
    for text in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        parts = [p.strip() for p in text.split(" | ")]
        if text.strip() and not text.startswith("#") and len(parts) == 6:
            rows[(parts[0], parts[1], parts[2], _squash(parts[3]), _squash(parts[4]))] = parts[5]
    return rows


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion, in per cent (sound for small samples and p near 1)."""
    if not n:
        return 0.0, 100.0
    p = hits / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half) / (1 + z * z / n), 100 * (centre + half) / (1 + z * z / n)


def report(results: list[Result], hints: dict[tuple, str], command: str, wall: float, baseline: float,
           thorough: bool, sampled: tuple[int, int] | None = None) -> str:
    reviewed = load_equivalents()
    files = sorted({r.mutant.file for r in results}, key=lambda f: TARGET_FILES.index(f))
    timing = (f"{wall:.0f} s on this machine (the selected tests alone: {baseline:.1f} s)" if wall
              else "verdicts of the last run, from its log")
    lines = [f"mutation report: {command}", f"{len(results)} mutants, {timing}; "
             f"{'every selected test' if thorough else 'the tests that run the mutated lines'} for each mutant", ""]
    lines.append(f"{'file':40} {'mutants':>7} {'killed':>7} {'score':>7} {'reviewed equivalent':>20} {'score without them':>19}")
    survivors: list[tuple[Result, str]] = []
    totals = [0, 0, 0]
    for name in files:
        mine = [r for r in results if r.mutant.file == name]
        killed = sum(r.verdict != "survived" for r in mine)
        equivalent = 0
        for r in mine:
            if r.verdict != "survived":
                continue
            before, after = mutated_line(r.mutant)
            why = reviewed.get((name, r.mutant.function, r.mutant.operator, _squash(before), _squash(after)), "")
            equivalent += bool(why)
            survivors.append((r, why))
        totals[0] += len(mine)
        totals[1] += killed
        totals[2] += equivalent
        lines.append(_score_line(name, len(mine), killed, equivalent))
    lines.append(_score_line("total", *totals))
    if sampled:
        low, high = wilson(totals[1], totals[0])
        low2, high2 = wilson(totals[1], totals[0] - totals[2])
        lines.append(f"a random sample of {totals[0]} of the {sampled[0]} mutants (seed {sampled[1]}): the score of all of them "
                     f"lies in {low:.1f}-{high:.1f} % (95 %), {low2:.1f}-{high2:.1f} % without the reviewed equivalents")
    runs = [r.seconds for r in results]
    kills = sorted(r.seconds for r in results if r.verdict == "killed")
    if runs:
        late = sum(r.verdict != "survived" and r.covered and r.runs[-1:] == ["rest:failed"] for r in results)
        lines.append(f"time per mutant: {sum(runs) / len(runs):.1f} s on average (killed: median "
                     f"{kills[len(kills) // 2] if kills else 0:.1f} s; timeouts: {sum(r.verdict == 'timeout' for r in results)}; "
                     f"killed only by tests that do not run the line: {late})")
    lines += ["", f"survivors ({len(survivors)}):"]
    for r, why in survivors:
        m = r.mutant
        before, after = mutated_line(m)
        notes = []
        if why:
            notes.append("reviewed equivalent: " + why)
        elif m.key() in hints:
            notes.append("likely equivalent: " + hints[m.key()])
        if not r.covered:
            notes.append("no selected test runs this line")
        lines.append(f"{m.file}:{m.line} ({m.function}) {m.operator}" + (f"  [{'; '.join(notes)}]" if notes else ""))
        lines.append(f"    - {before}")
        lines.append(f"    + {after}")
    return "\n".join(lines) + "\n"


def _score_line(name: str, total: int, killed: int, equivalent: int) -> str:
    score = 100 * killed / total if total else 100.0
    adjusted = 100 * killed / (total - equivalent) if total - equivalent else 100.0
    return f"{name:40} {total:7} {killed:7} {score:6.1f}% {equivalent:20} {adjusted:18.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="modules to mutate, relative to the repo (engine/conditions.py ...)")
    parser.add_argument("--tests", nargs="+", default=None,
                        help="test files or folders (default: the engine's tests and the rulesets' YAML cases)")
    parser.add_argument("--ignore", action="append", default=None, metavar="PATH", help="a test file left out")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--lines", default=None, help="only mutants starting in FROM-TO (with one file)")
    parser.add_argument("--operator", default=None, help="only this operator (compare, boolean, not, constant, ...)")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="a random sample of N mutants (the score is then an estimate with its 95 %% interval)")
    parser.add_argument("--seed", type=int, default=2026, help="the sample's seed (the same seed, the same sample)")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("--thorough", action="store_true",
                        help="when the tests that run the mutated lines pass, run every other selected test too")
    parser.add_argument("--timeout-factor", type=float, default=4.0, help="per-mutant timeout, times the suite's run")
    parser.add_argument("--report", default="bench/mutation-report.txt")
    parser.add_argument("--report-only", action="store_true",
                        help="write the report from the verdicts of the last run (after reviewing equivalents)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the kills of the last run (logged in the temp folder) for unchanged modules; rerun the rest")
    args = parser.parse_args(argv)
    TARGET_FILES[:] = [str(Path(f).resolve().relative_to(ROOT)) if Path(f).is_absolute() else f for f in args.files]
    tests = args.tests or [t for t in DEFAULT_TESTS if (ROOT / t).exists()]
    tests += [f"--ignore={path}" for path in (DEFAULT_IGNORE if args.ignore is None else args.ignore)]
    mutants: list[Mutant] = []
    hints: dict[tuple, str] = {}
    for rel in TARGET_FILES:
        found, found_hints = generate(rel)
        mutants += found
        hints.update(found_hints)
    if args.lines:
        low, _, high = args.lines.partition("-")
        mutants = [m for m in mutants if int(low) <= m.line <= int(high or low)]
    if args.operator:
        mutants = [m for m in mutants if m.operator == args.operator]
    population = len(mutants)
    if args.sample is not None and args.sample < population:
        chosen = set(random.Random(args.seed).sample(range(population), args.sample))
        mutants = [m for i, m in enumerate(mutants) if i in chosen]
    sampled = (population, args.seed) if len(mutants) < population else None
    if args.list:
        for m in mutants:
            print(f"{m.file}:{m.line} {m.operator}: {mutated_line(m)[1]}")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0
    log = Path(tempfile.gettempdir()) / f"raccord-mutation-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]}.jsonl"
    command = "python bench/mutation.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.report_only:  # the verdicts of the last run, e.g. after reviewing equivalent mutants
        known = read_log(log)
        absent = [m for m in mutants if log_key(m) not in known]
        if absent:
            sys.exit(f"mutation: {len(absent)} of these mutants are not in the log ({log}): run them first")
        results = [Result(m, known[log_key(m)]["verdict"], known[log_key(m)]["seconds"], known[log_key(m)]["covered"],
                          known[log_key(m)]["runs"]) for m in mutants]
        text = report(results, hints, command, 0.0, 0.0, args.thorough, sampled)
        Path(args.report).write_text(text, encoding="utf-8")
        print(text.split("\nsurvivors")[0])
        return 0
    start = time.perf_counter()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean the temporary copies when stopped
    runner = Runner(tests, max(1, args.jobs), args.thorough, args.timeout_factor)
    try:
        baseline = runner.prepare()
        print(f"{len(mutants)} mutants; the selected tests take {baseline:.1f} s; per-mutant timeout {runner.timeout:.0f} s",
              file=sys.stderr)
        known = read_log(log) if args.resume else {}
        if not args.resume:
            log.write_text("", encoding="utf-8")
        results = runner.run_all(mutants, progress=True, log=log, known=known)
    except BaseException:
        runner.close(now=True)
        raise
    runner.close()
    wall = time.perf_counter() - start
    text = report(results, hints, command, wall, baseline, args.thorough, sampled)
    Path(args.report).write_text(text, encoding="utf-8")
    print(text.split("\nsurvivors")[0])
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
