"""Label Ecoprod spreadsheets: grid import (official_text), grid export, round trip, checklist export.

The generic side (a toy referential's grid.yaml, bad grid descriptions, AFNOR) is in test_grid_spec.py."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from raccord.cli.grid_export import ruleset_grid_rows
from raccord.cli.grid_import import import_grid
from raccord.cli.grid_spec import load_grid
from raccord.cli.spreadsheet import write_csv, write_xlsx
from raccord.engine import InputError, evaluate, load_library
from raccord.engine.testcases import build_case_dossier, load_cases, run_case

ROOT = Path(__file__).resolve().parent.parent
ECOPROD_TESTS = ROOT / "rulesets" / "ecoprod_label" / "tests"
RID = "ecoprod_label"


def rulesets_with(folder: Path, *ruleset_ids: str) -> Path:
    """A rulesets folder with facts.yaml and the bundled rulesets named (linked, not copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.yaml").symlink_to(ROOT / "rulesets" / "facts.yaml")
    for rid in ruleset_ids:
        (folder / rid).symlink_to(ROOT / "rulesets" / rid, target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    """facts.yaml and ecoprod_label only: these tests do not depend on the other rulesets."""
    return rulesets_with(tmp_path_factory.mktemp("rulesets"), RID)


@pytest.fixture(scope="module")
def bundled(rules_dir):
    return load_library(rules_dir)


def _export_rows(rules_dir: Path, library):
    return ruleset_grid_rows(library, load_grid(RID, rules_dir))


def _import_to(tmp_path: Path, grid: Path, rules_dir: Path) -> Path:
    text, _ = import_grid(grid, RID, rules_dir)
    out = tmp_path / "imported.yaml"
    out.write_text(text, encoding="utf-8")
    return out


def _comparable(evaluation):
    outcome = evaluation.outcome(RID)
    keys = ("decision", "reasons", "score", "stars", "threshold", "mandatory_not_met", "mandatory_unknown", "points")
    statuses = {cid: s for cid, s in evaluation.ctx.statuses.items() if cid.startswith("ECO-")}
    return statuses, {k: outcome.get(k) for k in keys}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_gives_identical_evaluations(tmp_path, rules_dir, bundled, fmt):
    grid = tmp_path / f"grid.{fmt}"
    rows = _export_rows(rules_dir, bundled)
    if fmt == "xlsx":
        grid.write_bytes(write_xlsx(rows, "Grille"))
    else:
        grid.write_text(write_csv(rows), encoding="utf-8")
    imported = load_library(rules_dir, [_import_to(tmp_path, grid, rules_dir)])
    assert len(imported.rulesets[RID].model.criteria) == 85
    assert imported.rulesets[RID].model.totals.points == bundled.rulesets[RID].model.totals.points
    compared = 0
    for case_file in sorted(ECOPROD_TESTS.glob("*.yaml")):
        for case in load_cases(case_file):
            a = build_case_dossier(case, bundled, case_file.parent, [RID], case.name)
            b = build_case_dossier(case, imported, case_file.parent, [RID], case.name)
            left = _comparable(evaluate(bundled, a, case.as_of, [RID]))
            right = _comparable(evaluate(imported, b, case.as_of, [RID]))
            assert left == right, case.name
            assert run_case(case, imported, case_file, RID) == [], case.name
            compared += 1
    assert compared >= 15


def test_round_trip_keeps_provenance_and_conditions(tmp_path, rules_dir, bundled):
    grid = tmp_path / "grid.xlsx"
    grid.write_bytes(write_xlsx(_export_rows(rules_dir, bundled), "Grille"))
    model = load_library(rules_dir, [_import_to(tmp_path, grid, rules_dir)]).rulesets[RID].model
    by_id = {c.id: c for c in model.criteria}
    original = {c.id: c for c in bundled.rulesets[RID].model.criteria}
    for cid, crit in original.items():
        assert by_id[cid].requires == crit.requires
        assert by_id[cid].applies_if == crit.applies_if
        assert by_id[cid].mandatory == crit.mandatory
        assert by_id[cid].stage == crit.stage
        assert by_id[cid].provenance == "reconstructed"  # the export says so; never upgraded to official
    assert model.policy == bundled.rulesets[RID].model.policy


OFFICIAL_CSV = """\
Poste;N°;Action;Points;Impératif;Justificatifs;Type de preuve;Applicabilité;Étape
Production et engagement;1.1;Bilan carbone prévisionnel;3;x;Export du calculateur;bilan_carbone_previsionnel;;avant
Production et engagement;1.2;Bilan carbone définitif;3;x;Export du calculateur;bilan_carbone_definitif;;après
Décors et construction;6.1;Réemploi des décors;2;;Attestations de don;;décors;après
Déplacements et régie;8.1;Gourdes pour toute l'équipe;1,5;non;Factures;facture_gourdes;;pendant
Déplacements et régie;8.2;Train plutôt qu'avion;2;;Tableau des trajets;suivi_transports;;pendant
"""


def test_import_official_grid(tmp_path, rules_dir):
    grid = tmp_path / "grille_officielle.csv"
    grid.write_text(OFFICIAL_CSV, encoding="utf-8")
    path = _import_to(tmp_path, grid, rules_dir)
    library = load_library(rules_dir, [path])
    model = library.rulesets[RID].model
    assert [c.id for c in model.criteria] == ["ECO-1.1", "ECO-1.2", "ECO-6.1", "ECO-8.1", "ECO-8.2"]
    assert all(c.provenance == "official_text" for c in model.criteria)
    assert [c.id for c in model.criteria if c.mandatory] == ["ECO-1.1", "ECO-1.2"]
    assert model.totals.points == 11.5
    assert [g.id for g in model.groups] == ["production", "decors", "deplacements_regie"]
    crit = {c.id: c for c in model.criteria}
    assert crit["ECO-6.1"].applies_if == {"fact": "work.has_set_construction"}
    assert crit["ECO-6.1"].requires == {"evidence": "preuve_6_1"}
    assert crit["ECO-1.2"].stage == "after_shooting"
    assert crit["ECO-1.1"].source.section.endswith("ligne 2")

    # evaluation uses the imported grid: no set construction, the train action declined -> 7.5 / 9.5
    from raccord.engine import build_dossier
    from raccord.engine.source_files import Located

    dossier = build_dossier(Located({
        "format": "raccord.dossier/1", "production": {"id": "essai", "title": "Essai"},
        "facts": {"work.has_set_construction": False, "ecoprod.scheme": "performance"},
        "evidence": [{"id": "E1", "kind": "bilan_carbone_previsionnel"}, {"id": "E2", "kind": "bilan_carbone_definitif"},
                     {"id": "E3", "kind": "facture_gourdes"}],
        "declined": {"ECO-8.2": "Tournage à La Réunion"},
    }, "inline"), library.catalogue, None)
    evaluation = evaluate(library, dossier, dt.date(2025, 12, 1), [RID])
    outcome = evaluation.outcome(RID)
    assert evaluation.status("ECO-6.1") == "not_applicable"
    assert outcome["score"] == pytest.approx((7.5 / 9.5, 7.5 / 9.5))
    assert outcome["decision"] == "eligible"


def _xlsx(tmp_path: Path, rows, title="Grille") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / "grille.xlsx"
    workbook.save(path)
    return path


HEADER = ["Poste", "N°", "Action", "Points", "Impératif", "Type de preuve", "Condition", "Applicabilité", "Étape"]
GOOD = ["Bureaux", "4.1", "Électricité verte", 2, "non", "contrat_energie", None, None, "avant"]


@pytest.mark.parametrize("bad_row, where, message", [
    (["Bureaux", "4.2", "Papier recyclé", "trois", "non", None, None, None, None],
     "sheet 'Grille', row 3, column D (Points)", "'trois' is not a number"),
    (["Bureaux", "4.2", "Papier recyclé", 0, "non", None, None, None, None],
     "row 3, column D (Points)", "points must be a number above 0"),
    (["Bureaux", "4.1", "Doublon", 1, "non", None, None, None, None],
     "row 3, column B (N°)", "is used twice"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "peut-être", None, None, None, None],
     "row 3, column E (Impératif)", "is not yes or no"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", "Facture Papier", None, None, None],
     "row 3, column F (Type de preuve)", "is not an evidence kind"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", None, "{evidence: [", None, None],
     "row 3, column G (Condition)", "not valid YAML"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", None, "{fact: work.nope}", None, None],
     "row 3, column G (Condition)", "work.nope"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", None, None, "piscine", None],
     "row 3, column H (Applicabilité)", "unknown applicability"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", None, None, None, "demain"],
     "row 3, column I (Étape)", "unknown stage"),
    (["Bureaux", None, "Papier recyclé", 1, "non", None, None, None, None],
     "row 3, column B (N°)", "is empty"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", "facture; facture", None, None, None],
     "row 3, column F (Type de preuve)", "lists an evidence kind twice"),  # a loader error, traced to its cell
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", "facture (demain)", None, None, None],
     "row 3, column F (Type de preuve)", "unknown stage 'demain'"),
    (["Bureaux", "4.2", "Papier recyclé", 1, "non", None, None, "{fact: work.nope}", None],
     "row 3, column H (Applicabilité)", "unknown fact 'work.nope'"),
])
def test_bad_grid_is_rejected_with_location(tmp_path, rules_dir, bad_row, where, message):
    grid = _xlsx(tmp_path, [HEADER, GOOD, bad_row])
    with pytest.raises(InputError) as info:
        import_grid(grid, RID, rules_dir)
    text = info.value.render("en")
    assert where in text and message in text, text
    assert text.startswith("grille.xlsx")


def test_bad_headers_are_rejected(tmp_path, rules_dir):
    grid = _xlsx(tmp_path, [["Poste", "N°", "Action"], ["Bureaux", "4.1", "Électricité verte"]])
    with pytest.raises(InputError, match=r"sheet 'Grille', row 1: aucune ligne d'en-tête trouvée : colonne « Points » absente"):
        import_grid(grid, RID, rules_dir)
    grid = _xlsx(tmp_path, [HEADER + ["Points"], GOOD + [3]])
    with pytest.raises(InputError, match=r"row 1, column J: la colonne « Points » répète la colonne D"):
        import_grid(grid, RID, rules_dir)


def test_title_rows_and_extra_columns_are_tolerated(tmp_path, rules_dir):
    grid = _xlsx(tmp_path, [["Grille Label Ecoprod 2025"], [], ["Commentaire", *HEADER], ["à revoir", *GOOD]])
    warnings: list[str] = []
    _, data = import_grid(grid, RID, rules_dir, warnings)
    assert [c["id"] for c in data["criteria"]] == ["ECO-4.1"]
    assert data["criteria"][0]["source"]["section"] == "grille.xlsx, sheet 'Grille', ligne 4"
    assert warnings == [
        "grille.xlsx, sheet 'Grille', row 3, column A: column 'Commentaire' ignored (not part of the grid format)"
    ]


def _raccord(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_import_and_checklist(tmp_path, rules_dir):
    grid = _xlsx(tmp_path, [HEADER, GOOD, ["Bureaux", "4.2", "Papier recyclé", "trois", "non", None, None, None, None]])
    common = ("--rulesets-dir", str(rules_dir))
    bad = _raccord("ecoprod", "import", str(grid), "-o", str(tmp_path / "out.yaml"), *common, cwd=tmp_path)
    assert bad.returncode == 2, bad.stderr
    assert "sheet 'Grille', row 3, column D (Points)" in bad.stderr
    assert not (tmp_path / "out.yaml").exists()

    exported = _raccord("ecoprod", "export-grid", "-o", str(tmp_path / "grid.xlsx"), *common, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    good = _raccord("ecoprod", "import", str(tmp_path / "grid.xlsx"), "-o", str(tmp_path / "out.yaml"), *common,
                    cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert "85 criteria" in good.stderr

    dossier = ECOPROD_TESTS / "dossiers" / "heures_claires_etapes.yaml"
    out = tmp_path / "checklist.xlsx"
    result = _raccord("export", "checklist", str(dossier), "--ruleset", RID, "--format", "xlsx", "-o", str(out),
                      "--as-of", "2025-06-15", "--ruleset-file", str(tmp_path / "out.yaml"), *common, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))[5:]  # below the title block
    assert rows[0][:10] == ("Poste", "N°", "Action", "Points", "Impératif", "Statut", "Suivi", "Responsable", "Échéance",
                            "Commentaire")
    assert len(rows) == 86
    by_id = {r[1]: r for r in rows[1:]}
    assert by_id["ECO-PROD-03"][4] == "oui"
    assert by_id["ECO-PROD-03"][5] == "inconnu"
    assert "datée après" in by_id["ECO-PROD-03"][12]
    assert by_id["ECO-PROD-02"][5] == "satisfait"
    assert "EV-002" in by_id["ECO-PROD-02"][12]
    assert by_id["ECO-DEP-07"][5] == "non satisfait"
    assert "Montréal" in by_id["ECO-DEP-07"][9]
