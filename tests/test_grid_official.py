"""Official-style grids (tests/official_grid_fixtures.py): every row of the sheet is imported or
reported in French with its number and why; chapters come from section rows, levels from the
columns marked « X », numbers typed as numbers are read back, « Justificatifs à fournir » is the
expected evidence; bad files give a located French error."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raccord.cli.grid_import import grid_to_ruleset, import_grid
from raccord.cli.grid_numbers import decimals_of, number_text
from raccord.cli.grid_spec import load_grid
from raccord.engine import InputError, load_library

from .official_grid_fixtures import (
    AFNOR_CHAPTERS,
    AFNOR_HEADER,
    afnor_rows,
    write_afnor_csv,
    write_afnor_xlsx,
    write_ecoprod_xlsx,
)
from .test_grid_io import _raccord, rulesets_with

ROOT = Path(__file__).resolve().parent.parent
AFNOR = "afnor_spec_2308"
MAPPING = ROOT / "rulesets" / AFNOR / "migration.yaml"
CHAPTER_IDS = ["gouvernance_rse", "energie_mobilite", "achats_alimentation_dechets", "sobriete_numerique",
               "biodiversite_bien_etre_animal", "inclusion_parite_qvt", "formation_sensibilisation"]


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    return rulesets_with(tmp_path_factory.mktemp("rulesets"), AFNOR, "ecoprod_label")


def _write(tmp_path: Path, fmt: str) -> Path:
    return (write_afnor_xlsx if fmt == "xlsx" else write_afnor_csv)(tmp_path / f"spec2308.{fmt}")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_row_of_an_official_afnor_grid_is_imported_or_reported(tmp_path, rules_dir, fmt):
    notes: list = []
    _, data = import_grid(_write(tmp_path, fmt), AFNOR, rules_dir, notes=notes)
    expected = [(f"AFN-{number}", chapter, level, proof) for (_, rows), chapter in zip(AFNOR_CHAPTERS, CHAPTER_IDS, strict=True)
                for number, _, level, proof in rows]
    got = [(c["id"], c["group"], c["level"], c["evidence"][0]["description"]["fr"]) for c in data["criteria"]]
    assert got == expected
    imported_rows = {int(c["source"]["section"].rsplit(" ", 1)[1]) for c in data["criteria"]}
    skipped = {n.row: n.why for n in notes if n.skipped}
    assert not imported_rows & set(skipped)
    assert imported_rows | set(skipped) == set(range(1, len(afnor_rows()) + 1))  # every row accounted for
    assert skipped[4] == "ligne d'en-tête des colonnes"
    assert skipped[5] == "ligne de section « 1. GOUVERNANCE RSE »"
    assert skipped[16] == "ligne de sous-total"
    assert skipped[57] == "ligne TOTAL"
    assert skipped[58].startswith("ni numéro ni niveau : ligne ignorée (« Légende")
    assert str(next(n for n in notes if n.row == 57)) == "ligne 57 : ligne TOTAL"
    recovered = [str(n) for n in notes if not n.skipped]
    how = ("numéro saisi comme le nombre 1.1, lu 1.10 d'après le format de la cellule (0.00)" if fmt == "xlsx"
           else "numéro écrit 1,1, lu 1.10 d'après la suite de la section (après 1.9)")
    assert recovered == [f"ligne 15 : {how}"]
    assert all(c["provenance"] == "official_text" for c in data["criteria"])


def test_without_a_mapping_each_criterion_expects_its_own_evidence(tmp_path, rules_dir):
    path = tmp_path / "spec.yaml"
    text, data = import_grid(_write(tmp_path, "xlsx"), AFNOR, rules_dir)
    crit = {c["id"]: c for c in data["criteria"]}
    assert crit["AFN-1.10"]["requires"] == {"evidence": "preuve_1_10"}
    assert crit["AFN-1.10"]["evidence"][0]["description"]["fr"] == "Bilan publié (lien ou copie)"
    path.write_text(text, encoding="utf-8")
    model = load_library(rules_dir, [path]).rulesets[AFNOR].model
    assert len(model.criteria) == 31 and [g.id for g in model.groups] == CHAPTER_IDS


def test_justificatifs_naming_a_known_document_give_its_evidence_kind(tmp_path, rules_dir):
    _, data = import_grid(_write(tmp_path, "xlsx"), AFNOR, rules_dir)
    crit = {c["id"]: c for c in data["criteria"]}
    assert crit["AFN-2.1"]["requires"] == {"evidence": "plan_mobilite"}  # « Plan de mobilité du projet »
    assert crit["AFN-3.1"]["requires"] == {"evidence": "menus_restauration"}  # « Menus et contrat de restauration »
    assert crit["AFN-1.3"]["requires"] == {"evidence": "preuve_1_3"}  # « Bilans carbone … »: whole words only
    assert crit["AFN-2.1"]["evidence"][0]["description"]["fr"] == "Plan de mobilité du projet"


def test_with_the_mapping_official_criteria_take_the_reconstructed_conditions(tmp_path, rules_dir):
    notes: list = []
    _, data = import_grid(_write(tmp_path, "xlsx"), AFNOR, rules_dir, notes=notes, mapping=MAPPING)
    crit = {c["id"]: c for c in data["criteria"]}
    bundled = {c.id: c for c in load_library(rules_dir).rulesets[AFNOR].model.criteria}
    assert crit["AFN-1.1"]["requires"] == bundled["AFN-GOV-01"].requires
    assert [e["kind"] for e in crit["AFN-1.3"]["evidence"]] == [e.kind for e in bundled["AFN-GOV-03"].evidence]
    # the official wording, level and « Justificatifs à fournir » stay the grid's
    assert crit["AFN-1.3"]["title"]["fr"] == "Réaliser les bilans carbone prévisionnel et définitif"
    assert crit["AFN-1.3"]["evidence"][0]["description"]["fr"] == "Bilans carbone issus d'un calculateur homologué"
    assert "AFN-GOV-03" in crit["AFN-1.3"]["assumption"]["fr"]
    assert crit["AFN-1.8"]["requires"] == {"evidence": "preuve_1_8"}  # no counterpart: nothing to take
    assert "ligne 6 : AFN-1.1 : conditions reprises de AFN-GOV-01" in [str(n) for n in notes]


def test_the_mapping_must_lead_to_the_grid_it_is_used_with(tmp_path, rules_dir):
    bad = tmp_path / "mapping.yaml"
    bad.write_text(MAPPING.read_text(encoding="utf-8").replace("to: AFN-7.2}", "to: AFN-7.3}"), encoding="utf-8")
    line = next(i for i, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "AFN-7.3" in text)
    with pytest.raises(InputError, match=rf"mapping.yaml:{line}:\d+: « AFN-7.3 » n'est pas dans la grille afnor_spec_2308"):
        import_grid(_write(tmp_path, "xlsx"), AFNOR, rules_dir, mapping=bad)


def test_an_official_ecoprod_grid_keeps_deplacements_and_regie_as_two_posts(tmp_path, rules_dir):
    notes: list = []
    _, data = import_grid(write_ecoprod_xlsx(tmp_path / "grille.xlsx"), "ecoprod_label", rules_dir, notes=notes)
    assert [(c["id"], c["group"], c["points"], c.get("mandatory", False)) for c in data["criteria"]] == [
        ("ECO-1.1", "production", 3, True), ("ECO-1.2", "production", 3, True),
        ("ECO-8.1", "deplacements", 2, False), ("ECO-8.2", "deplacements", 1, False),
        ("ECO-9.1", "regie", 1.5, False), ("ECO-9.2", "regie", 1, True)]
    assert [(g["id"], g["title"]["fr"]) for g in data["groups"]] == [
        ("production", "Production et engagement"), ("deplacements", "Déplacements"), ("regie", "Régie")]
    assert data["totals"]["points"] == 11.5
    skipped = [str(n) for n in notes if n.skipped]
    assert "ligne 4 : ligne de section « 1. PRODUCTION ET ENGAGEMENT »" in skipped
    assert "ligne 17 : ligne TOTAL" in skipped
    assert sum("sous-total" in n for n in skipped) == 3


def test_a_grid_that_writes_the_2025_post_keeps_one_post(tmp_path, rules_dir):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Grille"
    for row in (["N°", "Action", "Points"], ["DÉPLACEMENTS ET RÉGIE"], [8.1, "Train plutôt qu'avion", 2]):
        sheet.append(row)
    workbook.save(tmp_path / "g.xlsx")
    _, data = import_grid(tmp_path / "g.xlsx", "ecoprod_label", rules_dir)
    assert data["criteria"][0]["group"] == "deplacements_regie"


@pytest.mark.parametrize("value, number_format, previous, text", [
    (1.1, "0.00", "1.9", "1.10"),  # the cell's format says 1.10
    (1.1, "General", "1.9", "1.10"),  # the sequence says 1.10
    (1.1, "General", None, "1.1"),  # the first of its section
    (1.1, "General", "1.1", "1.1"),  # a repeated 1.1 stays one (the importer refuses the duplicate)
    (1.2, "General", "1.19", "1.20"),
    (1.1, "General", "2.9", "1.1"),  # another chapter's sequence says nothing
    (1.05, "General", "1.9", "1.05"),
    (2.0, "General", None, "2"),
    ("4,10", None, None, "4.10"),
    ("ECO-DEP-01", None, None, "ECO-DEP-01"),
])
def test_numbers_typed_as_numbers(value, number_format, previous, text):
    assert number_text(value, number_format, previous)[0] == text


def test_number_formats():
    assert [decimals_of(f) for f in ("0.00", "#,##0.0", "General", "0.0#", "@", None)] == [2, 1, None, None, None, None]


def test_a_section_merged_down_a_chapter_column_gives_every_row_its_chapter(tmp_path, rules_dir):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Critères"
    sheet.append(["Chapitre", "N°", "Critère", "Niveau"])
    sheet.append(["Chapitre 2", 2.1, "Établir un plan de mobilité", 1])
    sheet.append([None, 2.2, "Établir un plan énergétique", 2])
    sheet.merge_cells("A2:A3")
    workbook.save(tmp_path / "g.xlsx")
    _, data = import_grid(tmp_path / "g.xlsx", AFNOR, rules_dir)
    assert [(c["id"], c["group"], c["level"]) for c in data["criteria"]] == [
        ("AFN-2.1", "energie_mobilite", 1), ("AFN-2.2", "energie_mobilite", 2)]


def test_a_heading_merged_above_its_sub_columns_makes_a_two_row_header(tmp_path, rules_dir):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Critères"
    sheet.append(["N°", "Critère", "Niveaux", None, None, "Justificatifs à fournir"])
    sheet.append([None, None, 1, 2, 3, None])
    sheet.merge_cells("C1:E1")
    sheet.merge_cells("A1:A2")  # merged down: the same heading in both rows
    sheet.append(["1. GOUVERNANCE RSE"])
    sheet.append([1.1, "Note d'intention RSE", "X", "X", "X", "Note diffusée"])
    sheet.append([1.2, "Bilan carbone à partir de mesures", None, "X", "X", "Relevés"])
    workbook.save(tmp_path / "g.xlsx")
    notes: list = []
    _, data = import_grid(tmp_path / "g.xlsx", AFNOR, rules_dir, notes=notes)
    assert [(c["id"], c["level"]) for c in data["criteria"]] == [("AFN-1.1", 1), ("AFN-1.2", 2)]
    assert [str(n) for n in notes][:2] == ["ligne 1 : ligne d'en-tête des colonnes", "ligne 2 : ligne d'en-tête des colonnes"]


@pytest.mark.parametrize("name, content, message", [
    ("grille.xlsx", b"ceci n'est pas un classeur", "classeur xlsx illisible"),
    ("grille.csv", b"", "la grille est vide"),
    ("grille.csv", "N°;Critère;Niveau\n1. GOUVERNANCE RSE\nTOTAL;;\n".encode(), "aucune ligne de critère"),
    ("grille.csv", "Numéro;Intitulé\n1.1;Note RSE\n".encode(), "aucune ligne d'en-tête trouvée : colonne « Niveau » absente"),
    ("grille.ods", b"x", "format de grille non pris en charge"),
])
def test_bad_files_get_a_located_french_error(tmp_path, rules_dir, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = _raccord("grid", "import", "--ruleset", AFNOR, str(path), "-o", str(tmp_path / "out.yaml"),
                      "--rulesets-dir", str(rules_dir), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"raccord : erreur : {path}") or result.stderr.startswith(f"raccord : erreur : {name}")
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_cli_import_reports_the_rows_not_imported(tmp_path, rules_dir):
    grid = _write(tmp_path, "xlsx")
    result = _raccord("grid", "import", "--ruleset", AFNOR, str(grid), "-o", str(tmp_path / "spec.yaml"),
                      "--mapping", str(MAPPING), "--rulesets-dir", str(rules_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "spec2308.xlsx : 31 critères importés, 27 lignes non importées :" in result.stderr
    lines = result.stderr.splitlines()
    assert "  ligne 57 : ligne TOTAL" in lines and "  ligne 5 : ligne de section « 1. GOUVERNANCE RSE »" in lines
    numbered = [int(line.split()[1]) for line in lines if line.startswith("  ligne ")]
    assert numbered == sorted(numbered)


CELL = st.one_of(st.none(), st.just(""), st.just("X"), st.just("TOTAL"), st.just("Sous-total"), st.just("1. GOUVERNANCE RSE"),
                 st.just("GOUVERNANCE RSE"), st.sampled_from(["1.1", "1,10", "2", "AFN-GOV-01", "1.1.1", "-", "n° 3"]),
                 st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 12), st.booleans(),
                 st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12), st.dates())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.lists(CELL, max_size=8), max_size=12), header_at=st.integers(0, 3))
def test_any_sheet_imports_or_gives_a_located_error(tmp_path, rules_dir, body, header_at):
    """Never a traceback: whatever the cells, the grid's rows become criteria with every row accounted
    for, or the import stops on one located error."""
    rows = body[:header_at] + [AFNOR_HEADER] + body[header_at:]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Critères"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    path = tmp_path / "fuzz.xlsx"
    workbook.save(path)
    notes: list = []
    library = load_library(rules_dir)  # cached: the rows and criteria are the point, not the loader
    try:
        data, _ = grid_to_ruleset(path, load_grid(AFNOR, rules_dir, library), library, notes=notes)
    except InputError as exc:
        assert str(exc).startswith("fuzz.xlsx"), str(exc)
        return
    imported = {int(c["source"]["section"].rsplit(" ", 1)[1]) for c in data["criteria"]}
    in_file = openpyxl.load_workbook(path).active.max_row  # rows with no cell at the end are not in the file
    assert imported | {n.row for n in notes if n.skipped} == set(range(1, in_file + 1))
