"""The library and validator cache: same results as a fresh load, invalidated by any ruleset edit,
never an error when damaged or unwritable, off when RACCORD_CACHE_DIR is empty."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine import cache, evaluate, load_dossier, load_library
from raccord.engine.report import result_document

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
AS_OF = dt.date(2025, 10, 15)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RACCORD_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def rulesets(tmp_path):
    copy = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", copy, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    return copy


def document(library, as_of=AS_OF):
    dossier = load_dossier(EXAMPLE, library.catalogue)
    doc = result_document(evaluate(library, dossier, as_of), "test")
    doc.pop("generated_by", None)
    return doc


def test_a_cached_library_gives_the_same_document_as_a_fresh_one(cache_dir, rulesets, monkeypatch):
    fresh = load_library(rulesets)
    assert list(cache_dir.glob("library-*.pickle")), "the first load fills the cache"
    cached = load_library(rulesets)
    assert cached is not fresh and cached.rulesets["vhss_ccnpc"].located is None  # it came from the file
    assert document(cached) == document(fresh)
    monkeypatch.setenv("RACCORD_CACHE_DIR", "")
    assert document(load_library(rulesets)) == document(cached)


def test_editing_a_ruleset_invalidates_the_cache(cache_dir, rulesets):
    before = load_library(rulesets)
    path = rulesets / "ecoprod_label" / "ruleset.yaml"
    text = path.read_text(encoding="utf-8")
    old_title = before.rulesets["ecoprod_label"].model.title.fr
    path.write_text(text.replace(old_title, "Titre modifié", 1), encoding="utf-8")
    after = load_library(rulesets)
    assert after.rulesets["ecoprod_label"].model.title.fr == "Titre modifié"
    assert len(list(cache_dir.glob("library-*.pickle"))) == 2, "a new entry beside the old one (both may be used again)"


def test_a_damaged_entry_is_rebuilt_not_reported(cache_dir, rulesets):
    load_library(rulesets)
    for entry in cache_dir.glob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])
    library = load_library(rulesets)
    assert "afnor_spec_2308" in library.rulesets


def test_an_unwritable_cache_directory_is_ignored(tmp_path, monkeypatch, rulesets):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("RACCORD_CACHE_DIR", str(blocker / "cache"))
    assert "vhss_ccnpc" in load_library(rulesets).rulesets


def test_an_empty_setting_disables_the_cache(monkeypatch):
    monkeypatch.setenv("RACCORD_CACHE_DIR", "")
    assert cache.directory() is None
    cache.store("anything", "0" * 64, {"a": 1})
    assert cache.load("anything", "0" * 64) is None


def test_a_warm_cli_run_does_not_import_pydantic(cache_dir):
    """The point of the cache: a check on a warm cache validates the dossier with pydantic-core only."""
    probe = (f"import sys; sys.argv = ['raccord', 'check', {str(EXAMPLE)!r}, '--as-of', '2025-10-15']\n"
             "from raccord.cli.main import cli\n"
             "try:\n    cli.main(standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             "print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC', file=sys.stderr)")
    env = {"RACCORD_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert "PYDANTIC" in first.stderr.split()  # it had to build the validators
    assert "NO-PYDANTIC" in second.stderr.split()
    assert first.stdout == second.stdout


def from_cache(library) -> bool:
    return all(rs.located is None for rs in library.rulesets.values())  # positions are not pickled


def test_alternating_two_libraries_hits_the_cache_both_times(cache_dir, rulesets, tmp_path):
    """`--ruleset-file grille.yaml` and the bundled rulesets in turn: neither evicts the other."""
    first = load_library(rulesets)
    grid = tmp_path / "grille" / "ruleset.yaml"
    grid.parent.mkdir()
    text = (rulesets / "ecoprod_label" / "ruleset.yaml").read_text(encoding="utf-8")
    grid.write_text(text.replace(first.rulesets["ecoprod_label"].model.title.fr, "Grille importée", 1), encoding="utf-8")
    assert not from_cache(first) and not from_cache(load_library(rulesets, [grid]))
    for _ in range(2):
        bundled, imported = load_library(rulesets), load_library(rulesets, [grid])
        assert from_cache(bundled) and from_cache(imported)
        assert imported.rulesets["ecoprod_label"].model.title.fr != bundled.rulesets["ecoprod_label"].model.title.fr


def test_the_cache_keeps_the_most_recently_used_entries(cache_dir):
    for i in range(cache.KEEP):
        cache.store("thing", f"{i:x}" * 64, i)
    assert cache.load("thing", "0" * 64) == 0  # used: now the most recent
    cache.store("thing", "f" * 64, "new")
    kept = sorted(p.name for p in cache_dir.glob("thing-*.pickle"))
    assert len(kept) == cache.KEEP
    assert cache.load("thing", "1" * 64) is None, "the least recently used went"
    assert [cache.load("thing", f"{i:x}" * 64) for i in (0, 2)] == [0, 2] and cache.load("thing", "f" * 64) == "new"
    cache.store("other", "0" * 64, "x")  # another kind of entry does not count against this one
    assert len(list(cache_dir.glob("thing-*.pickle"))) == cache.KEEP


def test_a_new_pyyaml_or_pydantic_core_misses(cache_dir, rulesets, monkeypatch):
    load_library(rulesets)
    assert from_cache(load_library(rulesets))
    monkeypatch.setattr(cache, "_code_fingerprint", None)
    monkeypatch.setattr(cache, "dependency_versions", lambda: "pyyaml 6.0.4; pydantic-core 99.0.0")
    assert not from_cache(load_library(rulesets)), "built by other library versions: rebuilt"
    assert from_cache(load_library(rulesets))


def test_the_key_names_the_installed_versions():
    import pydantic_core
    import yaml

    assert cache.dependency_versions() == f"pyyaml {yaml.__version__}; pydantic-core {pydantic_core.__version__}"


def test_entries_are_private_and_leave_no_temporary_file(cache_dir):
    cache.store("thing", "0" * 64, {"a": 1})
    (entry,) = cache_dir.iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600
    cache.store("thing", "1" * 64, lambda: None)  # does not pickle: ignored, nothing left behind
    assert sorted(p.name for p in cache_dir.iterdir()) == [entry.name]


@pytest.mark.parametrize(("platform", "environ", "expected"), [
    ("linux", {"XDG_CACHE_HOME": "/xdg"}, Path("/xdg/raccord")),
    ("linux", {}, Path.home() / ".cache" / "raccord"),
    ("darwin", {"XDG_CACHE_HOME": "/xdg"}, Path.home() / "Library" / "Caches" / "raccord"),
    ("win32", {"LOCALAPPDATA": "C:/Users/x/AppData/Local"}, Path("C:/Users/x/AppData/Local/raccord/Cache")),
])
def test_the_platforms_cache_folder(platform, environ, expected):
    assert cache.platform_directory(platform, environ) == expected


def test_the_setting_overrides_the_platform_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("RACCORD_CACHE_DIR", str(tmp_path))
    assert cache.directory() == tmp_path
