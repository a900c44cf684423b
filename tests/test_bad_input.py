"""Bad input never shows a traceback: one located line on stderr and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"


def raccord(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def write(tmp_path: Path, text: str, name: str = "dossier.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_clean_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


HEAD = "format: raccord.dossier/1\nproduction: {id: essai, title: Essai}\n"


def test_malformed_yaml(tmp_path):
    path = write(tmp_path, HEAD + "facts:\n  work.type: [long_metrage\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:", "YAML invalide")


def test_malformed_json(tmp_path):
    path = write(tmp_path, '{"format": "raccord.dossier/1", "production": {"id": "x", "title": "X"},}', "d.json")
    assert_clean_error(raccord("check", str(path)), f"{path}:1:", "JSON invalide")


def test_wrong_type_is_located(tmp_path):
    path = write(tmp_path, HEAD + "facts:\n  company:\n    headcount: douze\n")
    line = assert_clean_error(raccord("check", str(path)), f"{path}:5:", "company.headcount", "nombre entier")
    assert "douze" in line


def test_unknown_fact_suggests_the_right_name(tmp_path):
    path = write(tmp_path, HEAD + "facts:\n  company.headcont: 12\n")
    assert_clean_error(raccord("validate", str(path)), f"{path}:4:", "fait inconnu « company.headcont »",
                       "vouliez-vous dire « company.headcount » ?")


def test_a_renamed_fact_names_its_successor(tmp_path):
    """Facts shared between referentials replaced per-referential ones: an older dossier is told which."""
    path = write(tmp_path, HEAD + "facts:\n  afnor:\n    carbon:\n      homologated_calculator: true\n")
    assert_clean_error(raccord("validate", str(path)), f"{path}:6:", "fait inconnu « afnor.carbon.homologated_calculator »",
                       "renommé : écrivez « carbon.calculator »")


def test_unknown_criterion_id(tmp_path):
    path = write(tmp_path, HEAD + "not_applicable:\n  ECO-PROD-99: 'Pas concerné du tout'\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:4:", "critère inconnu : « ECO-PROD-99 »")


def test_bad_date_in_dossier_and_option(tmp_path):
    path = write(tmp_path, HEAD + "facts:\n  dates.first_shooting_day: 2025-02-30\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:4:", "day is out of range")
    path = write(tmp_path, HEAD + "facts:\n  dates.first_shooting_day: 'le 3 mars'\n")
    assert_clean_error(raccord("check", str(path)), "une date AAAA-MM-JJ, par exemple 2026-03-02")
    assert_clean_error(raccord("check", str(EXAMPLE), "--as-of", "2025-13-45"), "--as-of", "n'est pas une date")


def test_unknown_key_in_dossier(tmp_path):
    path = write(tmp_path, HEAD + "evidences: []\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:3:", "evidences : clé inconnue")


def test_a_scalar_where_a_mapping_is_expected(tmp_path):
    path = write(tmp_path, HEAD + "evidence:\n  - E1\n")
    line = assert_clean_error(raccord("check", str(path)), f"{path}:4:", "evidence.0 : une table de clés")
    assert "EvidenceItem" not in line  # no class names of ours in a user's error


def test_cross_field_rules_are_located(tmp_path):
    path = write(tmp_path, HEAD + "evidence:\n  - {id: E1, kind: devis, auditor: {status: rejected}}\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:4:", "evidence.0.auditor", "needs a `reason`")


def test_yaml_alias_bomb(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path, HEAD + "facts:\n" + "\n".join("  " + line for line in lines) + "\n")
    line = assert_clean_error(raccord("check", str(path)), f"{path}:", "les alias YAML font passer ce document", "alias bomb")
    assert f"pour un texte de {len(path.read_text())} caractères" in line


@pytest.mark.parametrize(("body", "where"), [
    ("facts: &a {work: *a}\n", ":3:8:"),
    ("facts: &a [*a]\n", ":3:8:"),
    ("facts:\n  work: &w\n    type: [1, *w]\n", ":4:"),
])
def test_a_recursive_alias_is_located(tmp_path, body, where):
    path = write(tmp_path, HEAD + body)
    assert_clean_error(raccord("check", str(path)), f"{path}{where}", "alias YAML récursif")


def test_nesting_too_deep(tmp_path):
    path = write(tmp_path, HEAD + "facts: " + "[" * 500 + "]" * 500 + "\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:3:", "imbriqué sur plus de 100 niveaux")
    deep = '{"format": "raccord.dossier/1", "production": {"id": "x", "title": "X"},\n "facts": {"a": ' \
        + "[" * 600 + "]" * 600 + "}}"
    path = write(tmp_path, deep, "deep.json")
    assert_clean_error(raccord("check", str(path)), f"{path}:2:", "imbriqué sur plus de 100 niveaux")
    # A surrogate pair escape, which the YAML reader refuses: JSON is read by its own reader, located all the same.
    path = write(tmp_path, deep.replace('"X"', '"\\ud83c\\udfac"'), "deep-surrogate.json")
    assert_clean_error(raccord("check", str(path)), f"{path}:2:", "imbriqué sur plus de 100 niveaux")


def test_a_json_number_too_long_for_python(tmp_path):
    path = write(tmp_path, '{"format": "raccord.dossier/1", "production": {"id": "x", "title": "X"},\n'
                           ' "facts": {"company.headcount": ' + "9" * 4301 + "}}", "big.json")
    assert_clean_error(raccord("validate", str(path)), f"{path}:2:33:", "un nombre de plus de 4300 chiffres")


@pytest.mark.parametrize(("value", "fragment"), [
    ("!!timestamp x", "valeur !!timestamp invalide 'x'"),
    ("!!bool x", "valeur !!bool invalide 'x'"),
    ("!!int 0x", "valeur !!int invalide '0x'"),
    ("!!set x", "l'étiquette YAML '!!set' n'est pas acceptée ici"),
    ("!!python/name:os.system x", "l'étiquette YAML '!!python/name:os.system' n'est pas acceptée"),
])
def test_bad_tags_are_located(tmp_path, value, fragment):
    path = write(tmp_path, f"format: {value}\nproduction: {{id: essai, title: Essai}}\n")
    assert_clean_error(raccord("validate", str(path)), f"{path}:1:9:", fragment)


def test_duplicate_keys_in_json_are_refused(tmp_path):
    path = write(tmp_path, '{"format": "raccord.dossier/1", "production": {"id": "x", "title": "X"},\n'
                           ' "facts": {"company.headcount": 12, "company.headcount": 13}}', "dup.json")
    assert_clean_error(raccord("validate", str(path)), f"{path}:2:37:", "clé en double 'company.headcount'")


def test_oversized_file(tmp_path):
    path = write(tmp_path, HEAD + "# " + "x" * (6 * 1024 * 1024) + "\n")
    assert_clean_error(raccord("check", str(path)), str(path), "fichier trop gros", "la limite est 5 MiB",
                       "un référentiel peut être découpé en plusieurs")


def test_a_control_character_is_located(tmp_path):
    path = write(tmp_path, HEAD + "facts:\n  work.type: serié\x01\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:4:19:", "le caractère U+0001 n'est pas accepté")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_or_a_device_is_refused_at_once(tmp_path):
    """A named pipe would block the read until a writer comes, /dev/zero never ends."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    assert_clean_error(raccord("check", str(pipe)), f"{pipe}: ce n'est pas un fichier ordinaire")
    if Path("/dev/zero").exists():
        assert_clean_error(raccord("validate", "/dev/zero"), "/dev/zero: ce n'est pas un fichier ordinaire")


def test_missing_file_and_folder(tmp_path):
    assert_clean_error(raccord("check", str(tmp_path / "absent.yaml")), "fichier introuvable")


def test_evidence_path_outside_the_dossier(tmp_path):
    path = write(tmp_path, HEAD + "evidence:\n  - {id: E1, kind: duerp_vhss, path: ../../etc/passwd}\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:", "sort du dossier")
    path = write(tmp_path, HEAD + "evidence:\n  - {id: E1, kind: duerp_vhss, path: /etc/passwd}\n")
    assert_clean_error(raccord("check", str(path)), "est absolu")


def test_duplicate_keys_are_refused(tmp_path):
    path = write(tmp_path, HEAD + "facts:\n  company.headcount: 12\n  company.headcount: 13\n")
    assert_clean_error(raccord("check", str(path)), f"{path}:5:", "clé en double")


def test_bad_ruleset_file_is_located(tmp_path):
    text = (ROOT / "rulesets" / "vhss_ccnpc" / "ruleset.yaml").read_text(encoding="utf-8")
    broken = text.replace("provenance: official_text", "provenance: hearsay", 1)
    path = write(tmp_path, broken, "ruleset.yaml")
    line = assert_clean_error(raccord("validate", str(path)), f"{path}:", "provenance")
    assert "official_text" in line  # the allowed values are named


def test_unknown_ruleset_and_usage_errors():
    assert_clean_error(raccord("check", str(EXAMPLE), "--ruleset", "ecoprood"), "référentiel inconnu : « ecoprood »")
    result = raccord("check")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "DOSSIER" in result.stderr


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder`: its bytes and modification time (ns)."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


# Every command that reads a dossier, with its writes sent outside the dossier's folder; the exit
# codes are those of the example (its evidence has problems: verify exits 3, the bundle needs --allow-problems).
READ_ONLY = {
    "check": (["check", "{d}", "--as-of", "2025-10-15"], 0),
    "check-html": (["check", "{d}", "--as-of", "2025-10-15", "--format", "html", "-o", "{out}/r.html"], 0),
    "missing": (["missing", "{d}", "--as-of", "2025-10-15"], 0),
    "explain": (["explain", "{d}", "ECO-PROD-01", "--as-of", "2025-10-15"], 0),
    "validate": (["validate", "{d}"], 0),
    "eligibility": (["eligibility", "{d}", "--as-of", "2025-10-15"], 0),
    "plan": (["plan", "{d}", "--target", "afnor_spec_2308:2", "--as-of", "2025-10-15"], 0),
    "verify": (["verify", "{d}", "--as-of", "2025-10-15"], 3),
    "dossier": (["dossier", "{d}", "--out", "{out}/audit.zip", "--as-of", "2025-10-15", "--allow-problems"], 0),
    "export": (["export", "checklist", "{d}", "-o", "{out}/actions.xlsx", "--as-of", "2025-10-15"], 0),
}


@pytest.fixture
def dossier_copy(tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(EXAMPLE.parent, folder)  # copy2: the copies keep the originals' mtimes
    (tmp_path / "out").mkdir()
    return folder / "dossier.yaml"


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_inputs_are_never_modified(dossier_copy, name):
    """The dossier file and everything beside it keep their bytes and mtime; nothing is added."""
    args, code = READ_ONLY[name]
    before = snapshot(dossier_copy.parent)
    result = raccord(*(a.format(d=dossier_copy, out=dossier_copy.parent.parent / "out") for a in args))
    assert result.returncode == code, result.stderr
    after = snapshot(dossier_copy.parent)
    assert [f for f in sorted(before.keys() | after.keys()) if before.get(f) != after.get(f)] == []  # files changed or added


def test_the_snapshot_sees_a_command_that_writes(dossier_copy):
    """`evidence add` is meant to edit the dossier: the check above would see it."""
    (dossier_copy.parent / "evidence" / "menus-2.txt").write_text("menus", encoding="utf-8")
    before = snapshot(dossier_copy.parent)
    added = raccord("evidence", "add", str(dossier_copy), str(dossier_copy.parent / "evidence" / "menus-2.txt"),
                    "--kind", "menus_restauration", "--criteria", "ECO-DEP-03")
    assert added.returncode == 0, added.stderr
    assert snapshot(dossier_copy.parent) != before
