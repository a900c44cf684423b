"""One atomic write for every file raccord writes (outputs, bundles, the cache): on failure the old
file is intact and no temporary file is left; the CLI reports a write failure as a located error."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from raccord.cli.commands_bundle import zip_bytes_to
from raccord.cli.output import write_atomic
from raccord.engine import InputError
from raccord.engine.atomic import replace_file

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"


class WriterError(Exception):
    pass


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "rapport.html"
    target.write_bytes(b"old")

    def half_then_fail(handle):
        handle.write(b"half of the new")
        raise WriterError

    with pytest.raises(WriterError):
        replace_file(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


def test_a_failing_rename_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "r.txt"
    target.write_bytes(b"old")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match="permission refusée") as caught:
        write_atomic(target, "new")
    assert isinstance(caught.value, OSError) and caught.value.strerror == "Permission denied"  # for callers that word it
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_an_existing_file_keeps_its_permissions_and_a_new_one_is_shared(tmp_path):
    private = tmp_path / "confidentiel.txt"
    private.write_text("old")
    private.chmod(0o600)
    write_atomic(private, "new")
    assert private.read_text() == "new" and private.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "sub" / "nouveau.txt"
    write_atomic(fresh, b"x")
    assert fresh.stat().st_mode & 0o777 == 0o644


def test_a_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_folder_a_device_and_a_pipe_are_refused(tmp_path):
    with pytest.raises(InputError, match="c'est un dossier"):
        write_atomic(tmp_path, "x")
    if Path("/dev/null").exists():  # as root, replacing it would break the system; writing into it is no output
        with pytest.raises(InputError, match="ce n'est pas un fichier ordinaire") as caught:
            write_atomic(Path("/dev/null"), "x")
        assert "sans -o" in str(caught.value) and Path("/dev/null").is_char_device()
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "tube")
        with pytest.raises(InputError, match="ce n'est pas un fichier ordinaire"):  # and no wait for a reader
            write_atomic(tmp_path / "tube", "x")


def test_temporary_files_left_by_a_killed_writer_are_removed(tmp_path):
    target = tmp_path / "audit.zip"
    stale, fresh = tmp_path / ".audit.zip.dead1234.tmp", tmp_path / ".audit.zip.live5678.tmp"
    other = tmp_path / ".autre.zip.dead1234.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"partial")
    old = os.stat(stale).st_mtime - 2 * 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_atomic(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, fresh.name, other.name])


def test_the_bundle_zip_is_written_the_same_way(tmp_path):
    target = tmp_path / "audit.zip"
    target.write_bytes(b"old")
    target.chmod(0o640)
    zip_bytes_to(target, {"b.txt": b"2", "a.txt": b"1"})
    with zipfile.ZipFile(target) as zf:
        assert zf.namelist() == ["a.txt", "b.txt"] and zf.read("b.txt") == b"2"
    assert target.stat().st_mode & 0o777 == 0o640
    with pytest.raises(InputError, match="impossible d'écrire"):
        zip_bytes_to(tmp_path / "audit.zip" / "x.zip", {"a.txt": b"1"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.zip"]


def raccord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("make", [
    lambda tmp: (tmp / "sortie").mkdir() or tmp / "sortie",  # a folder
    lambda tmp: (tmp / "un-fichier").write_text("x") and tmp / "un-fichier" / "r.txt",  # a file as a folder
])
def test_an_unwritable_output_is_a_located_error(tmp_path, make):
    target = make(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = raccord("check", str(EXAMPLE), "--as-of", "2025-10-15", "-o", str(target))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"raccord : erreur : {target}: impossible d'écrire le fichier")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "nothing left behind"
