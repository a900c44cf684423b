"""The wheel: built without warnings, it holds the whole product (code, rulesets, HTML template),
and an installed copy runs from any folder without the checkout; the core needs no compiler."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
SOURCES = ["pyproject.toml", "setup.py", "README.md", "raccord", "engine", "cli", "rulesets", "web"]
IN_WHEEL = {"raccord": "raccord", "engine": "raccord/engine", "cli": "raccord/cli", "rulesets": "raccord/rulesets",
            "web": "raccord/web"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """A wheel built from a copy of the sources (the checkout gets no build/ folder), and the log."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    build = ("import sys; from setuptools import build_meta; "
             "print(build_meta.build_wheel(sys.argv[1]), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", build, str(base)], cwd=source, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return base / result.stderr.strip().splitlines()[-1], result.stdout + result.stderr


def shipped_files() -> set[str]:
    """What the wheel must hold: every file of the four folders, at its place in the package."""
    return {f"{IN_WHEEL[top]}/{path.relative_to(ROOT / top).as_posix()}"
            for top in IN_WHEEL for path in (ROOT / top).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def test_the_wheel_builds_quietly_and_holds_every_file(wheel):
    path, log = wheel
    assert [line for line in log.splitlines() if "Warning" in line] == []  # setuptools' warnings are *Warning classes
    names = set(zipfile.ZipFile(path).namelist())
    assert shipped_files() - names == set()  # a new kind of data file needs a pattern in setup.py
    assert {"raccord/rulesets/ecoprod_label/ruleset.yaml", "raccord/cli/templates/report.html.j2"} <= names


def test_the_installed_wheel_runs_from_another_folder(wheel, tmp_path):
    """The wheel unpacked on its own (as pip would install it), run where there is no checkout."""
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    zipfile.ZipFile(wheel[0]).extractall(site)
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "RACCORD_CACHE_DIR": ""}
    example = ROOT / "examples" / "long_metrage" / "dossier.yaml"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)

    where = run("-c", "import raccord, raccord.engine, raccord.rulesets as r; print(*raccord.__path__, *r.__path__, "
                      "raccord.engine.__file__, sep='\\n')")
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout  # not the checkout
    check = run("-m", "raccord", "check", str(example), "--as-of", "2025-10-15", "-v")
    assert check.returncode == 0, check.stderr
    assert check.stdout == (GOLDEN / "long_metrage.fr.txt").read_text(encoding="utf-8")
    html = run("-m", "raccord", "check", str(example), "--as-of", "2025-10-15", "--format", "html", "-o", "r.html")
    assert html.returncode == 0, html.stderr
    assert (elsewhere / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_core_install_needs_no_compiler():
    """durable-rules (a C build, not importable on 3.13) is only in the `live` extra; the core
    declares every Python from 3.11."""
    meta = metadata.metadata("raccord")
    assert meta["Requires-Python"] == ">=3.11"
    core = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert core and not [r for r in core if "durable" in r.lower()]
    live = [r for r in meta.get_all("Requires-Dist") if 'extra == "live"' in r]
    assert live and all(r.startswith("durable-rules") for r in live)
