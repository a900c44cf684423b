"""`raccord dossier --out` streams evidence files into the zip (issue 17, F7: a 1.5 GiB evidence file
peaked at 1.6 GB): the bundle of a dossier whose evidence file is larger than the memory the command
is allowed is written, whole and verified. The large-file figures are bench/bundle_memory.py's."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from raccord.cli.commands_bundle import FileEntry, zip_bytes_to
from raccord.engine import InputError

from .bounded import bounded
from .test_hardening import HEAD, run_here, write

SIZE = 96 << 20  # sparse: no disk used until the zip is written
ALLOWED = 64 << 20  # address space beyond the test process's: less than the file


def test_a_bundle_with_evidence_larger_than_the_memory_allowed(tmp_path):
    (tmp_path / "evidence").mkdir()
    dossier = write(tmp_path, "dossier.yaml", HEAD + "facts: {work.type: court_metrage}\nevidence:\n"
                    "- {id: EV-RUSHES, kind: bilan_carbone_previsionnel, path: evidence/rushes.bin}\n")
    with open(tmp_path / "evidence" / "rushes.bin", "wb") as handle:
        handle.truncate(SIZE)
    out = tmp_path / "audit.zip"
    code, _, err = bounded(run_here, "dossier", dossier, "--as-of", "2025-10-15", "--out", out, memory=ALLOWED,
                           cpu_seconds=10)
    assert code == 0, err
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        (row,) = [f for f in manifest["files"] if f["path"] == "dossier/evidence/rushes.bin"]
        assert zf.getinfo(row["path"]).file_size == SIZE == row["size"]
        assert row["sha256"] == hashlib.sha256(bytes(SIZE)).hexdigest()
    code, out_text, err = bounded(run_here, "verify", out, memory=ALLOWED, cpu_seconds=10)
    assert code == 0 and "conforme" in out_text, (out_text, err)


def test_a_file_that_changed_after_its_check_is_refused_and_nothing_is_written(tmp_path):
    source = tmp_path / "preuve.pdf"
    source.write_bytes(b"%PDF-1.7 version lue")
    checked = FileEntry(source, hashlib.sha256(b"%PDF-1.7 autre chose").hexdigest(), source.stat().st_size)
    target = tmp_path / "audit.zip"
    target.write_bytes(b"ancien paquet")
    with pytest.raises(InputError) as error:
        zip_bytes_to(target, {"dossier/dossier.yaml": b"format: raccord.dossier/1\n", "dossier/preuve.pdf": checked})
    assert error.value.where == str(source) and "a changé pendant la construction" in error.value.render("fr")
    assert target.read_bytes() == b"ancien paquet" and sorted(p.name for p in tmp_path.iterdir()) == ["audit.zip", "preuve.pdf"]


def test_streamed_entries_are_the_bytes_writestr_gives(tmp_path):
    """Reproducible bundles: a file entry written by streaming equals the same bytes given whole."""
    source = tmp_path / "preuve.bin"
    data = bytes(range(256)) * 9000
    source.write_bytes(data)
    zip_bytes_to(tmp_path / "a.zip", {"dossier/preuve.bin": data, "manifest.json": b"{}"})
    zip_bytes_to(tmp_path / "b.zip", {"dossier/preuve.bin": FileEntry(source, hashlib.sha256(data).hexdigest(), len(data)),
                                      "manifest.json": b"{}"})
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
