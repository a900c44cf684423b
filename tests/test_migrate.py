"""`raccord migrate`: an official-style AFNOR grid imported (xlsx and csv, section and TOTAL rows),
then the feature-film dossier migrated to it. Every mapped criterion keeps its status, the report
lists what is not mapped and why a status changed, a bad mapping is refused at its line, the inputs
are never modified and the output is written atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from raccord.cli.grid_import import import_grid
from raccord.cli.main import cli
from raccord.engine import InputError, evaluate, load_dossier, load_library
from raccord.engine.migrate import check_mapping, migrate_data, read_mapping

from .official_grid_fixtures import AFNOR_NEW, write_afnor_csv, write_afnor_xlsx
from .test_grid_io import _raccord

ROOT = Path(__file__).resolve().parent.parent
AFNOR = "afnor_spec_2308"
MAPPING = ROOT / "rulesets" / AFNOR / "migration.yaml"
AS_OF = "2025-10-15"


@pytest.fixture(scope="module")
def rules_dir() -> Path:
    return ROOT / "rulesets"  # every bundled ruleset: the dossier has facts of each


@pytest.fixture(scope="module", params=["xlsx", "csv"])
def official(request, tmp_path_factory, rules_dir) -> Path:
    """The official-style grid imported with the example mapping."""
    folder = tmp_path_factory.mktemp(f"official_{request.param}")
    grid = (write_afnor_xlsx if request.param == "xlsx" else write_afnor_csv)(folder / f"spec2308.{request.param}")
    text, _ = import_grid(grid, AFNOR, rules_dir, mapping=MAPPING)
    path = folder / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def film(tmp_path) -> Path:
    """A copy of the feature-film example (dossier and evidence files)."""
    shutil.copytree(ROOT / "examples" / "long_metrage", tmp_path / "film")
    return tmp_path / "film" / "dossier.yaml"


def _hashes(*paths: Path) -> dict[str, str]:
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


def _migrate(*args: str, rules_dir: Path):
    return CliRunner().invoke(cli, ["migrate", *args, "--as-of", AS_OF, "--rulesets-dir", str(rules_dir)],
                              catch_exceptions=True)


def _statuses(library, dossier_path: Path) -> dict[str, str]:
    dossier = load_dossier(dossier_path, library.catalogue)
    ctx = evaluate(library, dossier, dt.date.fromisoformat(AS_OF), [AFNOR]).ctx
    return {c.id: ctx.statuses[c.id] for c in library.rulesets[AFNOR].model.criteria}


def test_every_mapped_criterion_keeps_its_status(film, official, rules_dir):
    inputs = _hashes(film.parent, official, MAPPING)
    out = film.with_name("dossier-officiel.yaml")
    result = _migrate(str(film), "--mapping", str(MAPPING), "--to", str(official), "-o", str(out), "--format", "json",
                      rules_dir=rules_dir)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert _hashes(film.parent, official, MAPPING) == inputs | {str(out): _hashes(out)[str(out)]}  # only `out` is new

    # independently of the report: the two evaluations, pair by pair of the mapping file
    before = _statuses(load_library(rules_dir), film)
    after = _statuses(load_library(rules_dir, [official]), out)
    pairs = [(e["from"], e["to"]) for e in yaml.safe_load(MAPPING.read_text(encoding="utf-8"))["map"]]
    assert len(pairs) == 28 == len(before)
    assert {old: after[new] for old, new in pairs} == before
    assert {"met", "unknown", "not_met"} <= set(before.values())  # the statuses kept are not all alike

    # the other referentials read the migrated dossier as they read the original (facts, evidence, roster)
    everything_before = evaluate(load_library(rules_dir), load_dossier(film, load_library(rules_dir).catalogue),
                                 dt.date.fromisoformat(AS_OF)).ctx.statuses
    everything_after = evaluate(load_library(rules_dir, [official]), load_dossier(out, load_library(rules_dir).catalogue),
                                dt.date.fromisoformat(AS_OF)).ctx.statuses
    others = {cid: st for cid, st in everything_before.items() if not cid.startswith("AFN-")}
    assert len(others) > 100 and {cid: everything_after[cid] for cid in others} == others

    assert report["changed"] == 0 and all(m["kept"] for m in report["mapped"])
    assert [m["from"] for m in report["mapped"]] == [[old] for old, _ in pairs]
    assert report["unmapped"] == [] and report["dropped"] == []
    assert [u["id"] for u in report["unmatched"]] == AFNOR_NEW
    assert report["unmatched"][0]["missing_evidence"] == ["preuve_1_8"]


def test_the_report_lists_what_is_not_mapped_and_why_a_status_changed(film, official, rules_dir, tmp_path):
    data = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    data["map"] = [e for e in data["map"] if e["from"] not in ("AFN-GOV-07", "AFN-GOV-01", "AFN-GOV-03")]
    data["map"].append({"from": ["AFN-GOV-01", "AFN-GOV-03"], "to": "AFN-1.1"})  # met + unknown -> one criterion
    data["dropped"] = {"AFN-ACH-05": "fusionné dans 3.4 par la grille officielle"}
    data["map"] = [e for e in data["map"] if e["from"] != "AFN-ACH-05"]
    data["new"] = ["AFN-1.8", "AFN-1.9"]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    grid = next(official.parent.glob("spec2308.*"))
    official = tmp_path / "spec.yaml"  # imported with this mapping: AFN-1.1 takes the conditions of both
    official.write_text(import_grid(grid, AFNOR, rules_dir, mapping=mapping)[0], encoding="utf-8")
    out = film.with_name("migre.yaml")
    result = _migrate(str(film), "--mapping", str(mapping), "--to", str(official), "-o", str(out), "--format", "json",
                      rules_dir=rules_dir)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(u["id"], u["status"]) for u in report["unmapped"]] == [("AFN-GOV-07", "not_met")]
    assert [(d["id"], d["status"]) for d in report["dropped"]] == [("AFN-ACH-05", "met")]
    assert [n["id"] for n in report["new"]] == ["AFN-1.8", "AFN-1.9"]
    assert {u["id"] for u in report["unmatched"]} == {"AFN-1.3", "AFN-1.7", "AFN-1.10", "AFN-3.5"}
    merged = next(m for m in report["mapped"] if m["to"] == ["AFN-1.1"])
    assert merged["kind"] == "many_to_one" and not merged["kept"] and report["changed"] == 1
    assert merged["before"] == {"AFN-GOV-01": "met", "AFN-GOV-03": "unknown"}
    assert merged["after"] == {"AFN-1.1": "unknown"}  # it now needs both
    assert merged["why"]["AFN-1.1"]["missing_evidence"] == ["bilan_carbone_definitif"]

    text = _migrate(str(film), "--mapping", str(mapping), "--to", str(official), "-o", str(out), rules_dir=rules_dir)
    assert text.exit_code == 0, text.output
    assert "Statuts changés :" in text.stdout
    assert " en correspondance, 1 changé, 1 abandonné, 1 non repris, 2 nouveaux, 4 sans correspondance" in text.stderr
    assert "      AFN-1.1 inconnu — preuve manquante : bilan_carbone_definitif" in text.stdout
    assert "Non repris (absents de la correspondance) :\n  AFN-GOV-07 (non satisfait" in text.stdout
    assert "AFN-ACH-05 (satisfait) — fusionné dans 3.4" in text.stdout
    english = _migrate(str(film), "--mapping", str(mapping), "--to", str(official), "-o", str(out), "--lang", "en",
                       rules_dir=rules_dir)
    assert "Changed statuses:" in english.stdout
    assert "AFN-1.1 unknown — missing evidence: bilan_carbone_definitif" in english.stdout


def _mapping(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(f"format: raccord.mapping/1\nfrom: {AFNOR}\nto: {AFNOR}\n{body}", encoding="utf-8")
    return path


OLD = {"AFN-GOV-01", "AFN-GOV-02", "AFN-GOV-03"}
NEW = {"AFN-1.1", "AFN-1.2", "AFN-1.3", "AFN-1.8"}


@pytest.mark.parametrize("body, where, message", [
    ("map:\n  - {from: AFN-GOV-01, to: AFN-1.1}\n  - {from: AFN-GOV-01, to: AFN-1.2}\n", "6:6",
     "« AFN-GOV-01 » est mis en correspondance deux fois, différemment : AFN-1.1 puis AFN-1.2"),
    ("map:\n  - {from: AFN-GOV-01, to: AFN-1.1}\ndropped:\n  AFN-GOV-01: absent\n", "7:3",
     "« AFN-GOV-01 » est mis en correspondance deux fois, différemment : AFN-1.1 puis abandonné"),
    ("map:\n  - {from: AFN-GOV-09, to: AFN-1.1}\n", "5:6", "« AFN-GOV-09 » n'est pas un critère de afnor_spec_2308"),
    ("map:\n  - {from: AFN-GOV-01, to: [AFN-1.1, AFN-9.9]}\n", "5:38", "« AFN-9.9 » n'est pas dans la grille afnor_spec_2308"),
    ("map:\n  - {from: AFN-GOV-01, to: AFN-1.1}\nnew: [AFN-1.8, AFN-1.1]\n", "6:16", "« AFN-1.1 » est dit nouveau"),
    ("map:\n  - {from: [AFN-GOV-01, AFN-GOV-02], to: [AFN-1.1, AFN-1.2]}\n", "5:5", "plusieurs critères vers plusieurs"),
    ("map:\n  - {from: AFN-GOV-01}\n", "5:5", "une correspondance a la forme"),
    ("map:\n  - {from: AFN-GOV-01, to: AFN-1.1, vers: x}\n", "5:37", "clé inconnue « vers »"),
    ("dropped:\n  AFN-GOV-01: ''\n", "5:3", "la raison de l'abandon est un texte non vide"),
])
def test_a_bad_mapping_is_refused_at_its_line(tmp_path, body, where, message):
    path = _mapping(tmp_path, body)
    with pytest.raises(InputError) as info:
        check_mapping(read_mapping(path), OLD, NEW)
    assert info.value.where == f"{path}:{where}", str(info.value)
    assert message in str(info.value)  # the French, as the command line shows it


def test_the_cli_refuses_an_inconsistent_mapping_and_writes_nothing(film, official, rules_dir, tmp_path):
    mapping = _mapping(tmp_path, "map:\n  - {from: AFN-GOV-01, to: AFN-1.1}\n  - {from: AFN-GOV-01, to: AFN-1.2}\n")
    inputs = _hashes(film.parent, official, mapping)
    result = _raccord("migrate", str(film), "--mapping", str(mapping), "--to", str(official), "--as-of", AS_OF,
                      "--rulesets-dir", str(rules_dir), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"raccord : erreur : {mapping}:6:6: « AFN-GOV-01 » est mis en correspondance deux fois")
    assert _hashes(film.parent, official, mapping) == inputs  # nothing written, nothing changed


def test_the_input_is_never_the_output(film, official, rules_dir):
    before = _hashes(film)
    result = _migrate(str(film), "--mapping", str(MAPPING), "--to", str(official), "-o", str(film), rules_dir=rules_dir)
    assert isinstance(result.exception, InputError) and "remplacerait le dossier d'origine" in result.exception.render()
    elsewhere = _migrate(str(film), "--mapping", str(MAPPING), "--to", str(official), "-o", str(film.parent.parent / "x.yaml"),
                         rules_dir=rules_dir)
    assert "doit être écrit dans le répertoire de l'original" in elsewhere.exception.render()
    assert _hashes(film) == before


def test_the_output_is_written_atomically(film, official, rules_dir, monkeypatch):
    out = film.with_name("officiel.yaml")
    out.write_text("previous content\n", encoding="utf-8")

    def crash(src, dst):  # the rename that would publish the new file fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("raccord.engine.atomic.os.replace", crash)
    result = _migrate(str(film), "--mapping", str(MAPPING), "--to", str(official), "-o", str(out), rules_dir=rules_dir)
    assert isinstance(result.exception, InputError) and "plus de place sur le disque" in result.exception.message.fr
    assert out.read_text(encoding="utf-8") == "previous content\n"
    assert not [p.name for p in film.parent.iterdir() if p.name.startswith(".officiel.yaml.")]  # no temporary left


def test_declarations_and_evidence_references_follow_the_mapping(tmp_path):
    mapping = read_mapping(_mapping(tmp_path, (
        "map:\n  - {from: AFN-GOV-01, to: AFN-1.1}\n  - {from: AFN-GOV-02, to: [AFN-1.2, AFN-1.8]}\n"
        "  - {from: [AFN-GOV-03, AFN-GOV-04], to: AFN-1.3}\ndropped:\n  AFN-GOV-05: absent de la grille\n")))
    old = {"AFN-GOV-01", "AFN-GOV-02", "AFN-GOV-03", "AFN-GOV-04", "AFN-GOV-05", "AFN-GOV-06"}
    data = {
        "format": "raccord.dossier/1",
        "not_applicable": {"AFN-GOV-01": "Pas de note", "ECO-DEP-01": "autre référentiel", "AFN-GOV-03": "sans objet"},
        "declined": {"AFN-GOV-02": "refusé", "AFN-GOV-05": "refusé", "AFN-GOV-06": "refusé"},
        "evidence": [{"id": "E1", "kind": "k", "criteria": ["AFN-GOV-02", "ECO-DEP-01"]},
                     {"id": "E2", "kind": "k", "criteria": ["AFN-GOV-05"]},
                     {"id": "E3", "kind": "k"}],
    }
    frozen = json.dumps(data, sort_keys=True)
    out, changes = migrate_data(data, mapping, old)
    assert json.dumps(data, sort_keys=True) == frozen  # the input data is not touched
    assert out["not_applicable"] == {"AFN-1.1": "Pas de note", "ECO-DEP-01": "autre référentiel"}
    assert out["declined"] == {"AFN-1.2": "refusé", "AFN-1.8": "refusé"}
    assert out["evidence"] == [{"id": "E1", "kind": "k", "criteria": ["AFN-1.2", "AFN-1.8", "ECO-DEP-01"]},
                               {"id": "E3", "kind": "k"}]  # E2 only supported a dropped criterion
    assert [(c.where, c.code) for c in changes] == [
        ("not_applicable.AFN-GOV-01", "moved"), ("not_applicable.AFN-GOV-03", "not_carried"),
        ("declined.AFN-GOV-02", "moved"), ("declined.AFN-GOV-02", "moved"), ("declined.AFN-GOV-05", "removed_dropped"),
        ("declined.AFN-GOV-06", "removed_unmapped"), ("evidence.E1", "moved"), ("evidence.E2", "removed_dropped"),
        ("evidence.E2", "item_removed")]
    assert changes[1].others == ("AFN-GOV-04",)


def test_validate_checks_a_mapping_file(official, tmp_path):
    alone = _raccord("validate", str(MAPPING), cwd=tmp_path)
    assert alone.returncode == 0 and "28 entries (targets not checked" in alone.stdout
    with_grid = _raccord("validate", str(MAPPING), "--ruleset-file", str(official), cwd=tmp_path)
    assert with_grid.returncode == 0 and with_grid.stdout.endswith("28 entries\n"), with_grid.stderr
    against_itself = _raccord("validate", str(MAPPING), "--ruleset-file", str(ROOT / "rulesets" / AFNOR / "ruleset.yaml"),
                              cwd=tmp_path)
    assert against_itself.returncode == 2 and "« AFN-1.1 » n'est pas dans la grille afnor_spec_2308" in against_itself.stderr


def test_an_evidence_file_of_the_dossier_is_never_the_output(film, official, rules_dir):
    """Refused before anything is evaluated, with the item named; an earlier version's file too."""
    shutil.copy(film.parent / "evidence" / "menus_restauration.txt", film.parent / "menus_mars.txt")
    runner = CliRunner()
    assert runner.invoke(cli, ["evidence", "add", str(film), str(film.parent / "menus_mars.txt"), "--kind", "menus_restauration",
                               "--criteria", "ECO-DEP-03", "--id", "EV-200"]).exit_code == 0
    (film.parent / "menus_avril.txt").write_text("Menus datés d'avril\n", encoding="utf-8")
    assert runner.invoke(cli, ["evidence", "replace", str(film), "EV-200", str(film.parent / "menus_avril.txt")]).exit_code == 0
    before = _hashes(film.parent)
    for name in ("menus_avril.txt", "menus_mars.txt"):  # the file of the item, then the file of its version 1
        result = _migrate(str(film), "--mapping", str(MAPPING), "--to", str(official), "-o", str(film.parent / name),
                          rules_dir=rules_dir)
        assert isinstance(result.exception, InputError), result.output
        assert "ce fichier est une preuve du dossier (EV-200), il serait écrasé" in result.exception.render()
    assert _hashes(film.parent) == before
