"""`--ruleset-file` (and a ruleset folder) naming a pipe or a device: refused at once, before any
read (the library's fingerprint used to read it and wait for a writer, or never end on /dev/zero)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOSSIER = str(ROOT / "examples" / "long_metrage" / "dossier.yaml")
pipes = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")


def raccord(*args: str) -> subprocess.CompletedProcess:
    # the timeout turns a hang into a failure instead of a stuck suite
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=60)


def refused(result: subprocess.CompletedProcess, where: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.splitlines() == [f"raccord : erreur : {where}: ce n'est pas un fichier ordinaire (un tube ou un "
                                          "périphérique) (conseil : donnez le chemin d'un fichier)"]
    assert result.stdout == ""


@pipes
def test_a_named_pipe_as_ruleset_file(tmp_path):
    pipe = tmp_path / "grille.yaml"
    os.mkfifo(pipe)
    refused(raccord("check", DOSSIER, "--as-of", "2025-10-15", "--ruleset-file", str(pipe)), str(pipe))
    refused(raccord("rulesets", "--ruleset-file", str(pipe)), str(pipe))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_that_never_ends_as_ruleset_file():
    refused(raccord("eligibility", DOSSIER, "--as-of", "2025-10-15", "--ruleset-file", "/dev/zero"), "/dev/zero")


LIBRARY_USER = """
import sys
from pathlib import Path
from raccord.engine import InputError, load_library
try:
    load_library(Path(sys.argv[1]))
except InputError as exc:
    print(exc.where, exc.message.en, sep="|")
"""


@pipes
def test_a_pipe_in_a_rulesets_folder_for_a_library_user(tmp_path):
    base = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", base, ignore=shutil.ignore_patterns("*.md", "tests"))
    (base / "vhss_ccnpc" / "ruleset.yaml").unlink()
    os.mkfifo(base / "vhss_ccnpc" / "ruleset.yaml")
    pipe = str(base / "vhss_ccnpc" / "ruleset.yaml")
    result = subprocess.run([sys.executable, "-c", LIBRARY_USER, str(base)], capture_output=True, text=True, timeout=60)
    assert result.stdout == f"{pipe}|not a regular file (a pipe or a device)\n", result.stderr
    refused(raccord("check", DOSSIER, "--as-of", "2025-10-15", "--rulesets-dir", str(base)), pipe)
