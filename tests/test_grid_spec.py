"""Grid descriptions (rulesets/<id>/grid.yaml): a toy referential imports with no code change, a bad
grid.yaml is refused with its file:line:col, the AFNOR grid round-trips, the importer names no referential."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from raccord.cli.grid_export import ruleset_grid_rows
from raccord.cli.grid_import import import_grid
from raccord.cli.grid_spec import load_grid, read_grid_file
from raccord.cli.spreadsheet import write_xlsx
from raccord.engine import InputError, build_dossier, evaluate, load_library
from raccord.engine.source_files import Located
from raccord.engine.testcases import build_case_dossier, load_cases, run_case

from .test_grid_io import _raccord, rulesets_with

ROOT = Path(__file__).resolve().parent.parent

TOY_RULESET = """\
id: toy_ref
title: {fr: Référentiel jouet, en: Toy referential}
version: "1.0-r1"
sources: [{id: toy_doc, title: Texte jouet}]
groups: [{id: accueil, title: {fr: Accueil du public, en: Welcoming the public}}]
stages:
  - {id: ouverture, title: {fr: Ouverture, en: Opening}}
policy: {kind: obligations}
criteria:
  - id: TOY-ACC-01
    title: {fr: Afficher le règlement, en: Post the rules}
    group: accueil
    mandatory: true
    requires: {evidence: reglement}
    evidence: [{kind: reglement, description: {fr: Règlement affiché, en: Posted rules}}]
    source: {document: toy_doc, section: "1"}
    provenance: reconstructed
"""

TOY_GRID = """\
format: raccord.grid/1
ruleset: toy_ref
name: Jouet
title: {fr: Jouet (grille importée), en: Toy (imported grid)}
description: {fr: "Importé de {file} le {date}", en: "Imported from {file} on {date}"}
source: {id: toy_grid, title: "Grille jouet : {file}"}
sheet: Exigences
words: {group: theme, criterion: requirement, criteria: requirements}
ids: {prefix: TOY-, example: TOY-ACC-01}
evidence:
  kind: "piece_{number}"
  description: {fr: "Pièce de l'exigence {id}", en: "Document for requirement {id}"}
columns:
  group: {label: Thème}
  id: {label: Réf}
  title: {label: Exigence, names: [requirement]}
  mandatory: {label: Obligatoire, yes_words: [requis]}
  stage: {label: Moment}
groups:
  welcome: accueil
stages:
  au début: ouverture
"""

TOY_CSV = """\
Thème;Réf;Exigence;Obligatoire;Moment
Accueil;1;Afficher le règlement;requis;au debut
Welcome;2;Tenir un registre;non;
Sécurité;3;Plan d'évacuation;oui;ouverture
"""


@pytest.fixture
def toy_dir(tmp_path) -> Path:
    folder = rulesets_with(tmp_path / "rulesets")
    (folder / "toy_ref").mkdir()
    (folder / "toy_ref" / "ruleset.yaml").write_text(TOY_RULESET, encoding="utf-8")
    (folder / "toy_ref" / "grid.yaml").write_text(TOY_GRID, encoding="utf-8")
    return folder


def test_a_toy_referential_imports_with_its_own_grid_yaml(tmp_path, toy_dir):
    grid = tmp_path / "exigences.csv"
    grid.write_text(TOY_CSV, encoding="utf-8")
    out = tmp_path / "toy.yaml"
    result = _raccord("grid", "import", "--ruleset", "toy_ref", str(grid), "-o", str(out), "--rulesets-dir", str(toy_dir),
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ruleset toy_ref, 3 criteria, 2 groups" in result.stderr and "points" not in result.stderr
    assert out.read_text(encoding="utf-8").startswith("# Jouet grid imported by `raccord grid import --ruleset toy_ref`")

    library = load_library(toy_dir, [out])
    model = library.rulesets["toy_ref"].model
    assert [c.id for c in model.criteria] == ["TOY-1", "TOY-2", "TOY-3"]
    assert [c.id for c in model.criteria if c.mandatory] == ["TOY-1", "TOY-3"]  # "requis" is a yes word of this grid
    assert [c.group for c in model.criteria] == ["accueil", "accueil", "securite"]  # "Welcome" is an alias
    assert [c.stage for c in model.criteria] == ["ouverture", None, "ouverture"]
    assert [c.evidence[0].kind for c in model.criteria] == ["piece_1", "piece_2", "piece_3"]
    assert model.criteria[0].evidence[0].description.fr == "Pièce de l'exigence 1"
    assert model.sources[0].title == "Grille jouet : exigences.csv"
    assert all(c.provenance == "official_text" for c in model.criteria)

    dossier = build_dossier(Located({
        "format": "raccord.dossier/1", "production": {"id": "essai", "title": "Essai"},
        "evidence": [{"id": "E1", "kind": "piece_1"}],
    }, "inline"), library.catalogue, None)
    outcome = evaluate(library, dossier, dt.date(2025, 1, 1), ["toy_ref"]).outcome("toy_ref")
    assert outcome["decision"] == "undetermined" and outcome["blocking"] == ["TOY-3"]


def test_a_toy_grid_error_names_the_cell_with_the_grids_words(tmp_path, toy_dir):
    grid = tmp_path / "exigences.csv"
    grid.write_text(TOY_CSV.replace("Welcome;2;", "Welcome;1;"), encoding="utf-8")
    with pytest.raises(InputError, match=r"^exigences.csv, row 3, column B \(Réf\): le numéro « 1 » sert deux fois"):
        import_grid(grid, "toy_ref", toy_dir)
    grid.write_text(TOY_CSV.replace(";au debut", ";demain"), encoding="utf-8")
    with pytest.raises(InputError, match=r"column E \(Moment\): étape inconnue « demain » \(conseil : au début, ou ouverture\)"):
        import_grid(grid, "toy_ref", toy_dir)


def test_the_export_follows_the_grid_yaml(toy_dir):
    library = load_library(toy_dir)
    rows = ruleset_grid_rows(library, load_grid("toy_ref", toy_dir, library))
    assert rows == [["Thème", "Réf", "Exigence", "Obligatoire", "Moment"],
                    ["Accueil du public", "TOY-ACC-01", "Afficher le règlement", "oui", ""]]


@pytest.mark.parametrize("old, new, at, message", [
    ("format: raccord.grid/1", "format: raccord.grille/1", "format:", "format: expected 'raccord.grid/1'"),
    ("names: [requirement]", "nmes: [requirement]", "nmes:", "columns.title.nmes: unknown key"),
    ("names: [requirement]", "names: [Réf]", "names: [Réf]", "header 'Réf' is also a name of column `id`"),
    ("welcome: accueil", "welcome: nope", "welcome:", "unknown group 'nope'"),
    ("au début: ouverture", "au début: fermeture", "au début:", "unknown stage 'fermeture'"),
    ("groups:\n", "applies_if: {date de fin: dates.wrap}\ngroups:\n", "applies_if:",
     "fact 'dates.wrap' is not a boolean fact"),
    ("  stage: {label: Moment}", "  stage: {label: Moment}\n  points: {label: Poids}", "points:",
     "column `points` has no meaning under the ruleset's obligations policy"),
    ("Importé de {file}", "Importé de {fichier}", "description:", "bad placeholder"),
    ('kind: "piece_{number}"', 'kind: "Pièce {number}"', "kind:", "does not give an evidence kind"),
    ("  title: {label: Exigence, names: [requirement]}\n", "", "columns:", "the grid needs a `title` column"),
    ("ruleset: toy_ref", "ruleset: other_ref", "ruleset:", "unknown ruleset 'other_ref'"),
    ("prefix: TOY-", "prefix: toy", "prefix:", "ids.prefix: String should match pattern"),
    ("yes_words: [requis]", "yes: [requis]", "yes:", "unknown key"),  # YAML reads `yes` as true
    ("groups:\n", "evidence_kinds: {registre des entrées: Registre}\ngroups:\n", "evidence_kinds:",
     "String should match pattern"),
    ("groups:\n", "evidence_kinds: {'--': registre}\ngroups:\n", "evidence_kinds:", "has no letter or digit"),
    ("  id: {label: Réf}", "  id: {label: Réf, required: false}", "required: false", "column `id` is always required"),
    ("groups:\n", "level_columns: {1: [niveau 1]}\ngroups:\n", "level_columns:", "level columns need a `level` column"),
])
def test_a_bad_grid_yaml_gives_a_located_error(toy_dir, old, new, at, message):
    path = toy_dir / "toy_ref" / "grid.yaml"
    assert old in TOY_GRID
    text = TOY_GRID.replace(old, new)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if at in row)
    with pytest.raises(InputError) as info:
        load_grid("toy_ref", toy_dir)
    assert re.match(rf"^{re.escape(str(path))}:{line}:\d+$", info.value.where), str(info.value)
    assert message in info.value.render("en"), str(info.value)


def test_cli_grid_check_and_missing_grid(tmp_path, toy_dir):
    path = toy_dir / "toy_ref" / "grid.yaml"
    common = ("--rulesets-dir", str(toy_dir))
    good = _raccord("grid", "check", str(path), *common, cwd=tmp_path)
    assert good.returncode == 0 and "grid of ruleset toy_ref, 5 columns (required: Thème, Réf, Exigence)" in good.stdout
    validated = _raccord("validate", str(path), *common, cwd=tmp_path)  # `validate` knows a grid description too
    assert validated.returncode == 0 and validated.stdout == good.stdout
    path.write_text(TOY_GRID.replace("welcome: accueil", "welcome: nope"), encoding="utf-8")
    bad = _raccord("grid", "check", str(path), *common, cwd=tmp_path)
    line = TOY_GRID.splitlines().index("  welcome: accueil") + 1
    assert bad.returncode == 2, bad.stderr
    assert f"{path}:{line}:3: groupe inconnu : « nope »" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
    assert _raccord("validate", str(path), *common, cwd=tmp_path).stderr == bad.stderr
    path.unlink()
    missing = _raccord("grid", "import", "--ruleset", "toy_ref", str(tmp_path / "x.csv"), *common, cwd=tmp_path)
    assert missing.returncode == 2 and "le référentiel « toy_ref » n'a pas de description de grille" in missing.stderr


def test_a_levels_policy_needs_a_required_level_column(tmp_path):
    library = load_library(ROOT / "rulesets")
    text = (ROOT / "rulesets" / "afnor_spec_2308" / "grid.yaml").read_text(encoding="utf-8")
    path = tmp_path / "grid.yaml"
    path.write_text(text.replace("    names: [level, niveau d'engagement, niv]\n    required: true\n",
                                 "    names: [level, niveau d'engagement, niv]\n"), encoding="utf-8")
    with pytest.raises(InputError, match=r"la politique levels du référentiel demande `level` sur chaque critère"):
        read_grid_file(path, library)


AFNOR = "afnor_spec_2308"


@pytest.fixture(scope="module")
def afnor_dir(tmp_path_factory) -> Path:
    return rulesets_with(tmp_path_factory.mktemp("rulesets"), AFNOR)


def test_afnor_grid_round_trip_gives_identical_evaluations(tmp_path, afnor_dir):
    bundled = load_library(afnor_dir)
    grid = tmp_path / "afnor.xlsx"
    grid_format = load_grid(AFNOR, afnor_dir, bundled)
    grid.write_bytes(write_xlsx(ruleset_grid_rows(bundled, grid_format), grid_format.file.sheet))
    text, data = import_grid(grid, AFNOR, afnor_dir)
    assert "points" not in data["totals"] and data["criteria"][0]["level"] == 1
    out = tmp_path / "afnor-imported.yaml"
    out.write_text(text, encoding="utf-8")
    imported = load_library(afnor_dir, [out])
    original = {c.id: c for c in bundled.rulesets[AFNOR].model.criteria}
    for crit in imported.rulesets[AFNOR].model.criteria:
        assert (crit.level, crit.requires, crit.stage, crit.group) == (
            original[crit.id].level, original[crit.id].requires, original[crit.id].stage, original[crit.id].group)
    compared = 0
    for case_file in sorted((ROOT / "rulesets" / AFNOR / "tests").glob("*.yaml")):
        for case in load_cases(case_file):
            a = build_case_dossier(case, bundled, case_file.parent, [AFNOR], case.name)
            b = build_case_dossier(case, imported, case_file.parent, [AFNOR], case.name)
            left = evaluate(bundled, a, case.as_of, [AFNOR])
            right = evaluate(imported, b, case.as_of, [AFNOR])
            assert left.ctx.statuses == right.ctx.statuses, case.name
            assert {k: v for k, v in left.outcome(AFNOR).items()} == right.outcome(AFNOR), case.name
            assert run_case(case, imported, case_file, AFNOR) == [], case.name
            compared += 1
    assert compared >= 5


def test_the_generic_modules_name_no_referential():
    for name in ("cli/grid_spec", "cli/grid_import", "cli/grid_export", "cli/grid_rows", "cli/grid_numbers",
                 "cli/grid_inherit", "cli/spreadsheet", "cli/commands_migrate", "engine/migrate"):
        source = (ROOT / f"{name}.py").read_text(encoding="utf-8")
        found = re.findall(r"ecoprod|afnor|vhss|ECO-|AFN-", source, re.IGNORECASE)
        assert not found, (name, found)


def test_the_documented_example_is_a_valid_grid_description(tmp_path):
    doc = (ROOT / "docs" / "grid-import.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.DOTALL).group(1)
    path = tmp_path / "grid.yaml"
    path.write_text(example, encoding="utf-8")
    grid, _ = read_grid_file(path, load_library(ROOT / "rulesets"))
    assert grid.required == ["group", "id", "title", "points"]
    assert grid.applies_keyword("work.has_set_construction") == "decors"
    assert grid.stage_keywords["apresletournage"] == "after_shooting"


AFNOR_CSV = """\
Chapitre;N°;Critère;Niveau;Type de preuve;Étape
1;1.1;Note d'intention RSE;1;note_intention_rse;avant
Chapitre 2;2.1;Plan de mobilité;2;plan_mobilite;fin du tournage
Sobriété numérique;4.1;Stockage raisonné des rushes;2;;
"""


def test_an_official_afnor_grid_imports_with_levels(tmp_path, afnor_dir):
    grid = tmp_path / "spec2308.csv"
    grid.write_text(AFNOR_CSV, encoding="utf-8")
    text, data = import_grid(grid, AFNOR, afnor_dir)
    out = tmp_path / "spec.yaml"
    out.write_text(text, encoding="utf-8")
    model = load_library(afnor_dir, [out]).rulesets[AFNOR].model
    assert [(c.id, c.group, c.level, c.stage) for c in model.criteria] == [
        ("AFN-1.1", "gouvernance_rse", 1, "before_shooting"),
        ("AFN-2.1", "energie_mobilite", 2, "end_of_shooting"),
        ("AFN-4.1", "sobriete_numerique", 2, None)]
    assert model.criteria[2].evidence[0].kind == "preuve_4_1"
    assert model.policy == load_library(afnor_dir).rulesets[AFNOR].model.policy
    assert data["totals"] == {"criteria": 3, "groups": 3}

    grid.write_text(AFNOR_CSV.replace(";2;plan_mobilite", ";4;plan_mobilite"), encoding="utf-8")
    with pytest.raises(InputError, match=r"^spec2308.csv, row 3, column D \(Niveau\): .*level 4 is not declared"):
        import_grid(grid, AFNOR, afnor_dir)  # found by the policy's check, traced back to the cell
    grid.write_text(AFNOR_CSV.replace(";2;plan_mobilite", ";deux;plan_mobilite"), encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3, column D \(Niveau\): « deux » n'est pas un nombre"):
        import_grid(grid, AFNOR, afnor_dir)
