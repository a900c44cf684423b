"""The digests of evidence files kept in the cache folder (engine/cache.py known_digest): used by
`check` while a file's device, inode, size, mtime and ctime are unchanged, never by `verify`."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import sys
from pathlib import Path
from unittest import mock

import pytest

from raccord.cli.main import main
from raccord.engine import cache

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-09-01"
FILE = "bilan_carbone_previsionnel.txt"  # EV-004, proves ECO-PROD-02


@pytest.fixture
def film(tmp_path, monkeypatch):
    monkeypatch.setenv("RACCORD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the copied files are seconds old: trust them at once
    monkeypatch.setattr(cache, "_digests", None)
    shutil.copytree(EXAMPLE, tmp_path / "film")
    return tmp_path / "film"


def run(capsys, *args: str) -> tuple[int, dict]:
    cache._digests = None  # a new run reads the store again
    with mock.patch.object(sys, "argv", ["raccord", *args, "--as-of", AS_OF, "--format", "json"]):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
    return code, json.loads(capsys.readouterr().out)


def status(doc: dict) -> str:
    return next(c for rs in doc["rulesets"] for c in rs["criteria"] if c["id"] == "ECO-PROD-02")["status"]


def stored(film: Path) -> dict:
    raw = (film.parent / "cache" / "digests.marshal").read_bytes()
    return marshal.loads(raw[raw.index(b"/1") + 2:])


def test_a_file_rewritten_with_its_old_mtime_is_read_again(film, capsys):
    dossier = str(film / "dossier.yaml")
    assert status(run(capsys, "check", dossier)[1]) == "met"
    evidence = film / "evidence" / FILE
    assert os.path.realpath(evidence) in stored(film), "the check recorded the evidence digests"
    before = evidence.stat()
    evidence.write_bytes(evidence.read_bytes().replace(b"t", b"T", 1))  # same size
    os.utime(evidence, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back: the ctime still moved
    assert status(run(capsys, "check", dossier)[1]) == "unknown"


def test_check_uses_a_recorded_digest_and_verify_reads_the_file(film, capsys):
    """The known limit, shown by forging the store: a digest recorded for the same device, inode,
    size, mtime and ctime is believed by `check`; `verify` reads every file."""
    dossier = str(film / "dossier.yaml")
    run(capsys, "check", dossier)
    path = os.path.realpath(film / "evidence" / FILE)
    store = stored(film)
    store[path] = (*store[path][:5], "0" * 64)
    (film.parent / "cache" / "digests.marshal").write_bytes(b"raccord-cache/1" + marshal.dumps(store))
    assert status(run(capsys, "check", dossier)[1]) == "unknown"
    code, result = run(capsys, "verify", dossier)
    assert code == 0 and next(i for i in result["items"] if i["id"] == "EV-004")["file"] == "ok"
