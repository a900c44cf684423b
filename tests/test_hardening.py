"""The fuzz campaign's reproducers (../shared/audits/2026-12-fuzz.md, F1-F15 but the bundle classes
F5 and F14, tested with the bundle): each gives exit 0, 2 or 3 with one located line, safe to print.

Most run in-process (`raccord.cli.main.main`, the executable's own error handling); those that
need a real process (a pipe as standard output, kill -9) start one.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest

from raccord.cli.language import localized
from raccord.cli.main import main
from raccord.cli.output import write_atomic
from raccord.engine import InputError

from .bounded import CPU_SECONDS, MEMORY, bounded
from .test_languages import command_at, commands, english_words, french_words

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
VHSS = ROOT / "rulesets" / "vhss_ccnpc" / "ruleset.yaml"
HEAD = "format: raccord.dossier/1\nproduction: {id: essai, title: Essai}\n"
JSON_HEAD = '{"format": "raccord.dossier/1", "production": {"id": "essai", "title": "Essai"}, '
# `raccord : erreur : WHERE: message` (`raccord: error: ` in English, or for a message not yet translated),
# WHERE a file:line:col, an option, or a file for a whole-file error.
PREFIX = re.compile(r"^raccord( : erreur : |: error: )")
LINE = re.compile(PREFIX.pattern + r"(?P<where>[^\s:]+(:\d+:\d+)?|--[a-z-]+|raccord( [a-z-]+)*): \S")
pipes = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")


def run_here(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The CLI in this process, as the executable runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["raccord", *map(str, args)]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def run(*args: str | Path) -> tuple[int, str, str]:
    """The CLI as `run_here` runs it, under the audit's bounds (tests/bounded.py): stopped past 2 s of
    CPU, an allocation refused past 200 MiB more than this process has."""
    return bounded(run_here, *args)


LIMITS = {"preexec_fn": lambda: (resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)),
                                 resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS + 1, CPU_SECONDS + 2)))}
# The executable starts a fresh interpreter (about 0.4 s of CPU for its imports before the command
# runs): one more second, and the 200 MiB are its whole address space.


def refused(result: tuple[int, str, str], where: str | Path, *fragments: str) -> str:
    """Exit 2 and one error line, located at `where` (a prefix), safe to print, holding `fragments`."""
    code, _, err = result
    assert code == 2, result
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert LINE.match(line) and PREFIX.sub("", line).startswith(str(where)), line
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", line), repr(line)
    assert len(line) < 1000
    for fragment in fragments:
        assert fragment in line, line
    return line


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- F1: reading YAML and JSON -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text", "where"), [
    ("rec.yaml", HEAD + "facts: &a [*a]\n", ":3:8"),
    ("deep.yaml", HEAD + "facts: " + "[" * 500 + "]" * 500 + "\n", ":3:"),
    ("deep.json", JSON_HEAD + '"facts": {"a": ' + "[" * 600 + "]" * 600 + "}}", ":1:"),
    ("big.json", JSON_HEAD + '"facts": {"company.headcount": ' + "9" * 4301 + "}}", ":1:113"),
    ("ts.yaml", "format: !!timestamp x\n", ":1:9"),
    ("bool.yaml", "format: !!bool x\n", ":1:9"),
])
def test_f1_reading_limits_and_tags_are_located(tmp_path, name, text, where):
    path = write(tmp_path, name, text)
    refused(run("validate", path), f"{path}{where}")
    refused(run("check", path, "--as-of", "2025-10-15"), f"{path}{where}")


# --- F2: a NUL byte in an evidence path ------------------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["verify"], ["dossier", "--out", "{tmp}/audit.zip"]])
def test_f2_a_nul_byte_in_an_evidence_path(tmp_path, command):
    path = write(tmp_path, "nul.yaml", HEAD + 'evidence:\n  - {id: E1, kind: duerp_vhss, path: "a\\0b"}\n')
    args = [a.format(tmp=tmp_path) for a in command]
    refused(run(args[0], path, *args[1:], "--as-of", "2025-10-15"), f"{path}:4:5", "NUL", "\\0")
    assert not (tmp_path / "audit.zip").exists()


# --- F3: values evaluation cannot compute, refused at load ---------------------------------------

def test_f3_an_evaluation_date_out_of_range():
    refused(run("check", EXAMPLE, "--as-of", "9999-12-02"), "--as-of", "9999-12-02", "8999-12-31")
    assert run("check", EXAMPLE, "--as-of", "8999-12-31")[0] == 0  # the last date of the range computes


def test_f3_a_number_too_large_for_a_ratio(tmp_path):
    path = write(tmp_path, "ratio.yaml", HEAD + "facts:\n  work.type: long_metrage\n  team.technical.women: 1"
                 + "0" * 400 + "\n  team.technical.total: 1\n")
    refused(run("validate", path), f"{path}:5:3", "team.technical.women", "10^15")
    refused(run("check", path, "--as-of", "2025-10-15"), f"{path}:5:3")


def test_f3_a_date_fact_out_of_range(tmp_path):
    path = write(tmp_path, "d.yaml", HEAD + "facts:\n  work.type: long_metrage\n  dates.first_shooting_day: 9999-12-31\n")
    refused(run("validate", path), f"{path}:5:3", "dates.first_shooting_day")


def test_f3_a_roster_member_date_out_of_range(tmp_path):
    """A member's field is checked like a fact: a per-person deadline counts days from it."""
    text = EXAMPLE.read_text(encoding="utf-8")
    member = "{ref: P-004, role: chef_operateur_son, on_set_module_day: true, module1: true, module1_date: 2025-02-09"
    assert member in text
    shutil.copytree(EXAMPLE.parent, tmp_path / "film")
    path = write(tmp_path / "film", "dossier.yaml", text.replace(member, member.replace("2025-02-09", "9999-12-31")))
    line = text.splitlines().index(next(x for x in text.splitlines() if member in x)) + 1
    for result in (run("validate", path), run("check", path, "--as-of", "2025-10-15")):
        refused(result, f"{path}:{line}:", "roster.crew", "P-004", "module1_date", "9999-12-31", "8999-12-31")
    english = refused(run("validate", path, "--lang", "en"), f"{path}:{line}:", "member P-004, field 'module1_date'")
    assert "outside the range" in english


@pytest.mark.parametrize("offset", [3_000_000, 1_000_000_000, 10_000_000_000_000_000_000])
def test_f3_ruleset_day_offsets_validate_refuses(tmp_path, offset):
    text = VHSS.read_text(encoding="utf-8")
    assert "lte: {as_of: 30}" in text
    path = write(tmp_path, "ruleset.yaml", text.replace("lte: {as_of: 30}", f"lte: {{as_of: {offset}}}", 1))
    line = refused(run("validate", path), f"{path}:", str(offset), "3660")
    refused(run("check", EXAMPLE, "--ruleset-file", path, "--as-of", "2025-10-15"), LINE.match(line).group("where"))


@pytest.mark.parametrize(("depth", "fragment"), [(60, "conditions imbriquées sur plus de 50 niveaux"),
                                                 (200, "imbriqué sur plus de 100 niveaux")])
def test_f3_conditions_nested_too_deep(tmp_path, depth, fragment):
    text = VHSS.read_text(encoding="utf-8")
    condition = "{not: " * depth + "{fact: company.has_cse, eq: true}" + "}" * depth
    path = write(tmp_path, "ruleset.yaml", text.replace("requires: {evidence: duerp_vhss}", f"requires: {condition}", 1))
    refused(run("validate", path), f"{path}:", fragment)
    refused(run("check", EXAMPLE, "--ruleset-file", path, "--as-of", "2025-10-15"), f"{path}:", fragment)


# --- F4 and F15: outputs --------------------------------------------------------------------------

def check_to(target: Path | str, *extra: str) -> tuple[int, str, str]:
    return run("check", EXAMPLE, "--as-of", "2025-10-15", "-o", target, *extra)


def test_f4_unwritable_outputs_are_located_errors(tmp_path):
    (tmp_path / "un-fichier").write_text("x")
    (tmp_path / "sortie").mkdir()
    refused(check_to(tmp_path / "un-fichier" / "r.txt"), tmp_path / "un-fichier" / "r.txt", "impossible d'écrire",
            "un élément du chemin est un fichier")
    refused(check_to(tmp_path / "sortie"), tmp_path / "sortie", "c'est un dossier")
    if Path("/proc/self").is_dir():
        refused(check_to("/proc/x.html", "--format", "html"), "/proc/x.html", "impossible d'écrire")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sortie", "un-fichier"]
    assert (tmp_path / "un-fichier").read_text() == "x"


@pytest.mark.parametrize(("code", "reason"), [(errno.EROFS, "lecture seule"), (errno.ENOSPC, "plus de place"),
                                              (errno.EACCES, "permission refusée")])
def test_f4_a_full_or_read_only_file_system_keeps_the_old_file(tmp_path, monkeypatch, code, reason):
    target = tmp_path / "rapport.html"
    target.write_text("ancien")

    def fail(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)  # where a full disk shows, after the data was handed over
    refused(check_to(target, "--format", "html"), target, reason)
    assert target.read_text() == "ancien" and [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


def test_f4_dev_stdout_on_a_pipe_is_refused_not_a_crash(tmp_path):
    result = subprocess.run([sys.executable, "-m", "raccord", "check", str(EXAMPLE), "--as-of", "2025-10-15",
                             "-o", "/dev/stdout"], capture_output=True, text=True, timeout=120, **LIMITS)
    refused((result.returncode, result.stdout, result.stderr), "/dev/stdout", "pas un fichier ordinaire", "sans -o")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_f15_a_device_or_a_pipe_is_never_replaced(tmp_path):
    refused(check_to("/dev/null"), "/dev/null", "pas un fichier ordinaire")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "tube")
        refused(check_to(tmp_path / "tube"), tmp_path / "tube", "pas un fichier ordinaire")  # and no wait for a reader
        assert stat.S_ISFIFO(os.stat(tmp_path / "tube").st_mode)


def test_f15_an_input_of_the_command_is_never_overwritten(tmp_path):
    dossier = tmp_path / "dossier.yaml"
    shutil.copy(EXAMPLE, dossier)
    for name in os.listdir(EXAMPLE.parent):
        if name != "dossier.yaml":
            (tmp_path / name).symlink_to(EXAMPLE.parent / name)
    before = dossier.read_bytes()
    refused(run("check", dossier, "--as-of", "2025-10-15", "-o", dossier), dossier, "entrée de cette commande")
    link = tmp_path / "lien.yaml"
    link.symlink_to(dossier)  # the same file by another name
    refused(run("check", dossier, "--as-of", "2025-10-15", "-o", link), link, "entrée de cette commande")
    grid = write(tmp_path, "grille.yaml", VHSS.read_text(encoding="utf-8"))
    refused(run("check", dossier, "--as-of", "2025-10-15", "--ruleset-file", grid, "-o", grid), grid)
    assert dossier.read_bytes() == before and grid.read_text(encoding="utf-8") == VHSS.read_text(encoding="utf-8")
    assert run("check", dossier, "--as-of", "2025-10-15", "-o", tmp_path / "rapport.txt")[0] == 0  # another file is fine


def test_f15_an_evidence_file_of_the_dossier_is_never_overwritten(tmp_path):
    folder = tmp_path / "film"
    shutil.copytree(EXAMPLE.parent, folder)
    dossier = folder / "dossier.yaml"
    evidence = sorted((folder / "evidence").iterdir())[:2]
    before = [e.read_bytes() for e in evidence]
    refused(run("check", dossier, "--as-of", "2025-10-15", "-o", evidence[0]), evidence[0], "entrée de cette commande")
    refused(run("dossier", dossier, "--as-of", "2025-10-15", "--out", evidence[1], "--lang", "en"), evidence[1],
            "input of this command")
    assert [e.read_bytes() for e in evidence] == before
    assert sorted(p.name for p in folder.iterdir()) == ["dossier.audit.yaml", "dossier.yaml", "evidence"]


def test_f15_permissions_are_kept(tmp_path):
    target = tmp_path / "rapport.txt"
    target.write_text("OLD")
    target.chmod(0o600)
    assert check_to(target)[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text().startswith("raccord")


SLOW_WRITER = """
import sys, time
from pathlib import Path
from raccord.engine.atomic import replace_file
def write(handle):
    handle.write(b"x" * 1_000_000)
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
replace_file(Path(sys.argv[1]), write)
"""


def test_f15_killed_writers_leave_one_recognisable_temporary_that_the_next_write_removes(tmp_path):
    target = tmp_path / "audit.zip"
    target.write_bytes(b"ancien")
    for _ in range(3):
        writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline() == "writing\n"
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    (left,) = [p.name for p in tmp_path.iterdir() if p != target]  # each writer removed the one killed before it
    assert re.fullmatch(r"\.audit\.zip\.raccord-\d+\.tmp", left)
    assert target.read_bytes() == b"ancien"
    write_atomic(target, b"nouveau")
    assert [p.name for p in tmp_path.iterdir()] == ["audit.zip"] and target.read_bytes() == b"nouveau"


# --- F6, F7, F13: special files and paths that leave the dossier -----------------------------------

@pipes
def test_f6_a_named_pipe_as_any_input_is_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for command in ("check", "missing", "eligibility", "validate", "verify"):
        refused(run(command, fifo, "--as-of", "2025-10-15") if command != "validate" else run(command, fifo), fifo,
                "pas un fichier ordinaire")
    refused(run("explain", fifo, "AFN-INC-03", "--as-of", "2025-10-15"), fifo)
    dossier = write(tmp_path, "pf.yaml", HEAD + "portfolio: [fifo.yaml]\n")
    refused(run("check", dossier, "--as-of", "2025-10-15"), fifo)
    refused(run("check", EXAMPLE, "--as-of", "2025-10-15", "--portfolio", fifo), fifo)
    refused(run("check", EXAMPLE, "--as-of", "2025-10-15", "--ruleset-file", fifo), fifo)


@pipes
def test_f6_a_named_pipe_as_a_key_file_is_refused_at_once(tmp_path):
    """Found after the audit: the signing key was opened blocking, so a pipe named as `--sign`,
    `--key` or to `keys fingerprint` waited forever."""
    for name in ("tube.key", "tube.pub"):
        os.mkfifo(tmp_path / name)
    refused(run("dossier", EXAMPLE, "--as-of", "2025-10-15", "--out", tmp_path / "a.zip", "--sign", tmp_path / "tube.key"),
            tmp_path / "tube.key", "pas un fichier ordinaire")
    refused(run("keys", "fingerprint", tmp_path / "tube.pub"), tmp_path / "tube.pub", "pas un fichier ordinaire")
    assert not (tmp_path / "a.zip").exists()


def test_the_guard_stops_a_call_that_blocks():
    import time

    with pytest.raises(AssertionError, match="blocked"):
        bounded(time.sleep, 5, blocked_seconds=1)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_f6_f7_a_device_that_never_ends_is_refused_before_reading(device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    refused(run("validate", device), device, "pas un fichier ordinaire")
    refused(run("check", device, "--as-of", "2025-10-15"), device)
    refused(run("check", EXAMPLE, "--as-of", "2025-10-15", "--ruleset-file", device), device)
    refused(run("check", EXAMPLE, "--as-of", "2025-10-15", "--portfolio", device), device)


@pytest.mark.parametrize("entry", ["/etc/passwd", "../../secret/notes.yaml", "/dev/zero", "../autre-film/dossier.yaml"])
def test_f13_portfolio_entries_stay_in_the_dossier_folder(tmp_path, entry):
    folder = tmp_path / "film"
    folder.mkdir()
    dossier = write(folder, "dossier.yaml", HEAD + f"portfolio: ['{entry}']\n")
    line = refused(run("check", dossier, "--as-of", "2025-10-15"), f"{dossier}:3:13", "sort du dossier", "--portfolio")
    assert ":0:0:" not in line and "format: required" not in line  # the file was not read


def test_f13_a_sibling_is_given_on_the_command_line(tmp_path):
    for name in ("film", "autre-film"):
        (tmp_path / name).mkdir()
        write(tmp_path / name, "dossier.yaml", HEAD.replace("essai", name) + "facts: {work.type: long_metrage}\n")
    code, out, err = run("check", tmp_path / "film" / "dossier.yaml", "--as-of", "2025-10-15",
                         "--portfolio", tmp_path / "autre-film" / "dossier.yaml", "--format", "json")
    assert code == 0, err
    assert '"autre-film"' in out


def test_f6_verify_is_linear_in_problem_items(tmp_path):
    items = "".join(f"  - {{id: E{i}, kind: bilan_carbone_previsionnel, path: absent/{i}.txt}}\n" for i in range(2000))
    path = write(tmp_path, "many.yaml", HEAD + "facts: {work.type: long_metrage}\nevidence:\n" + items)
    code, out, err = run("verify", path, "--as-of", "2025-09-01", "--format", "json")
    assert code == 3 and err == ""
    assert json.loads(out)["counts"]["missing_file"] == 2000


# --- F8: every content error located --------------------------------------------------------------

def test_f8_control_characters_are_located(tmp_path):
    path = write(tmp_path, "ctrl.yaml", HEAD + "facts:\n  work.type: serie\x01\n")
    refused(run("check", path), f"{path}:4:19", "U+0001")


def test_f8_json_keeps_its_positions_where_yaml_reads_it_differently(tmp_path):
    path = write(tmp_path, "j.json", JSON_HEAD + '"facts": {"work.budget": 1e5, "company.headcount": "douze"}}\n')
    refused(run("check", path, "--as-of", "2025-10-15"), f"{path}:1:112", "company.headcount")
    path = write(tmp_path, "ok.json", JSON_HEAD + '"facts": {"work.type": "long_metrage", "work.budget": 1e5}}\n')
    assert run("validate", path)[0] == 0


def test_f8_a_missing_portfolio_file_is_reported_where_it_is_named(tmp_path):
    dossier = write(tmp_path, "pf2.yaml", HEAD + "portfolio: [autre.yaml]\n")
    refused(run("check", dossier, "--as-of", "2025-10-15"), f"{dossier}:3:13", "autre.yaml", "introuvable")
    refused(run("check", EXAMPLE, "--as-of", "2025-10-15", "--rulesets-dir", tmp_path / "nope"), "--rulesets-dir")
    refused(run("check", EXAMPLE, "--as-of", "2025-10-15", "--portfolio", tmp_path / "absent.yaml"), "--portfolio")


# --- F9, F10, F11: errors safe to print -----------------------------------------------------------

@pytest.mark.parametrize(("facts", "shown"), [
    ('  work.type: "a\\nb"\n', "'a\\nb'"),
    ('  "a\\nb": 1\n', "'a\\nb'"),
    ('  work.type: "x\\e]0;pwned\\a"\n', "x\\x1b]0;pwned\\x07"),
])
def test_f9_f10_a_value_cannot_break_the_line_or_drive_the_terminal(tmp_path, facts, shown):
    path = write(tmp_path, "v.yaml", HEAD + "facts:\n" + facts)
    refused(run("check", path, "--as-of", "2025-10-15"), f"{path}:4:3", shown)


def test_f10_bidi_overrides_are_escaped(tmp_path):
    path = write(tmp_path, "bidi.yaml", HEAD + 'not_applicable: {"ECO-\\u202e10-DORP": "abcd"}\n')
    refused(run("check", path, "--as-of", "2025-10-15"), f"{path}:3:", "ECO-\\u202e10-DORP")


def test_f11_a_huge_value_is_cut_with_an_ellipsis(tmp_path):
    path = write(tmp_path, "long.yaml", HEAD + "facts:\n  company.headcount: [" + ",".join(["1"] * 100_000) + "]\n")
    line = refused(run("check", path, "--as-of", "2025-10-15"), f"{path}:4:3", "company.headcount", " … ")
    assert line.endswith("1]") or line.endswith(")")


def test_render_keeps_both_languages_and_one_line():
    error = InputError("d.yaml:1:1", "x\u202e" + "é" * 5000, "h\nint")
    text = error.render("en")
    assert "\n" not in text and "\u202e" not in text and "\\u202e" in text and " … " in text and len(text) < 800


# --- F12: duplicate keys in JSON ------------------------------------------------------------------

def test_f12_json_duplicate_keys_are_refused_like_yaml(tmp_path):
    path = write(tmp_path, "dup.json", JSON_HEAD + '"facts": {"company.headcount": 12, "company.headcount": 13}}\n')
    refused(run("validate", path), f"{path}:1:117", "'company.headcount'")


def test_the_executable_gives_the_same_line(tmp_path):
    path = write(tmp_path, "rec.yaml", HEAD + "facts: &a [*a]\n")
    result = subprocess.run([sys.executable, "-m", "raccord", "check", str(path)], capture_output=True, text=True,
                            timeout=120, **LIMITS)
    refused((result.returncode, result.stdout, result.stderr), f"{path}:3:8", "alias YAML récursif")


def test_a_criterion_reference_that_is_not_an_id(tmp_path):
    """Found by the campaign (ruleset mutant 1301): `{criterion: true}` crashed the suggestion."""
    text = VHSS.read_text(encoding="utf-8")
    path = write(tmp_path, "ruleset.yaml", text.replace("requires: {evidence: duerp_vhss}", "requires: {criterion: true}", 1))
    refused(run("validate", path), f"{path}:", "`criterion` nomme un critère par son identifiant")


# --- click's usage errors: one located line too, for every command ---------------------------------

COMMAND_PATHS = [p for p in commands() if p]
CHOICES = {p: o for p in COMMAND_PATHS for o in command_at(p).params
           if isinstance(o, click.Option) and isinstance(o.type, click.Choice) and not o.is_flag and o.name != "lang"}


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_usage_errors_are_one_located_line_in_each_language(path):
    command = " ".join(("raccord", *path))
    french = refused(run(*path, "--no-such-option"), "--no-such-option", f"option inconnue de « {command} »",
                     f"« {command} --help »")
    english = refused(run(*path, "--no-such-option", "--lang", "en"), "--no-such-option",
                      f"no such option for '{command}'", f"'{command} --help'")
    assert english_words(french) == [] and french_words(english) == [], (french, english)
    missing = [a for a in command_at(path).params if isinstance(a, click.Argument) and a.required]
    if missing:
        name = missing[0].metavar or missing[0].name.upper()
        refused(run(*path), localized(name, "fr"), "argument manquant")
        refused(run(*path, "--lang", "en"), localized(name, "en"), "missing argument")
    if path in CHOICES:
        option = max(CHOICES[path].opts, key=len)
        refused(run(*path, option, "\x1bxx"), option, "valeur invalide", "'\\x1bxx'")
        refused(run(*path, option, "xx", "--lang", "en"), option, "invalid value", "'xx' is not one of")


def test_other_usage_errors_are_one_located_line():
    refused(run("nosuchcmd"), "raccord", "commande inconnue", "'nosuchcmd'")
    refused(run("check", EXAMPLE, "--as-of"), "--as-of", "demande une valeur", "« raccord check --help »")
    refused(run("check", EXAMPLE, "de trop"), "raccord check", "argument en trop")
    refused(run("plan", EXAMPLE, "--lang", "en"), "--target", "missing required option of 'raccord plan'")
    refused(run("--lang", "en", "audit", "nosuchcmd"), "raccord audit", "no such command 'nosuchcmd'")


def test_the_executable_prints_a_usage_error_on_one_line():
    result = subprocess.run([sys.executable, "-m", "raccord", "check", str(EXAMPLE), "--format", "xx"],
                            capture_output=True, text=True, timeout=120, **LIMITS)
    refused((result.returncode, result.stdout, result.stderr), "--format", "'xx' n'est pas l'une des valeurs")


def _allocate(size: int) -> int:
    return len(bytearray(size))


def _spin() -> None:
    while True:
        pass


def test_the_bounds_stop_what_breaks_them():
    """The bounds of `run` can fail: past the memory an allocation fails, past the CPU the kernel stops it."""
    assert bounded(_allocate, 50 << 20) == 50 << 20
    with pytest.raises(MemoryError):
        bounded(_allocate, 300 << 20)
    with pytest.raises(AssertionError, match="over 1 s of CPU"):
        bounded(_spin, cpu_seconds=1)
