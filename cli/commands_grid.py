"""`raccord grid import|export|check` (any referential with a `grid.yaml`), its Label Ecoprod
shortcuts `raccord ecoprod import|export-grid`, and `raccord export checklist`.

Registered by `cli/main.py` (every `cli/commands_*.py` module exposes `register(cli)`).
"""

from __future__ import annotations

from pathlib import Path

import click

from .context import library_from, library_options
from .output import write_atomic

ECOPROD = "ecoprod_label"
rulesets_dir_option = click.option("--rulesets-dir", metavar="DIR",
                                   help="Folder of rulesets to take the grid description, policy and facts from.")
output_option = click.option("-o", "--output", metavar="FILE", help="Write the ruleset to FILE (default: standard output).")


def _import(grid: str, output: str | None, ruleset: str, rulesets_dir: str | None, command: str,
            mapping: str | None = None) -> None:
    from .grid_import import import_grid

    warnings: list[str] = []
    notes: list = []
    text, data = import_grid(Path(grid), ruleset, Path(rulesets_dir) if rulesets_dir else None, warnings, command, notes,
                             Path(mapping) if mapping else None)
    for warning in warnings:
        click.echo(f"raccord: warning: {warning}", err=True)
    skipped = [n for n in notes if n.skipped]
    click.echo(f"{Path(grid).name} : {data['totals']['criteria']} critères importés, {len(skipped)} lignes non importées"
               + (" :" if notes else ""), err=True)
    for note in sorted(notes, key=lambda n: n.row):
        click.echo(f"  {note}", err=True)
    if output:
        write_atomic(Path(output), text)
        totals = data["totals"]
        points = f", {totals['points']:g} points" if "points" in totals else ""
        click.echo(f"{output}: ok — ruleset {data['id']}, {totals['criteria']} criteria, "
                   f"{totals['groups']} groups{points}", err=True)
    else:
        click.echo(text, nl=False)


def _export(output: str, ruleset: str, rulesets_dir: str | None, ruleset_files: tuple[str, ...]) -> None:
    from .grid_export import column_widths, ruleset_grid_rows
    from .grid_spec import load_grid

    base = library_from(rulesets_dir, ())
    grid = load_grid(ruleset, Path(rulesets_dir) if rulesets_dir else None, base)
    library = library_from(rulesets_dir, ruleset_files) if ruleset_files else base
    rows = ruleset_grid_rows(library, grid)
    _write_rows(Path(output), rows, grid.file.sheet, column_widths(grid))
    click.echo(f"{output}: {len(rows) - 1} {grid.file.words.criteria}", err=True)


@click.group("grid")
def grid_group() -> None:
    """Grilles officielles (xlsx, csv) d'un référentiel décrit par son grid.yaml : importer, exporter, vérifier."""


@grid_group.command("import")
@click.argument("grid", type=click.Path(dir_okay=False))
@click.option("--ruleset", required=True, metavar="ID", help="The ruleset whose grid.yaml describes the grid.")
@output_option
@rulesets_dir_option
@click.option("--mapping", metavar="MAPPING.yaml",
              help="Correspondence from the reconstructed grid: criteria that state no condition take theirs (docs/migrate.md).")
def grid_import_command(grid, ruleset, output, rulesets_dir, mapping):
    """Convertir une grille en référentiel validé (provenance official_text par défaut).

    Chaque ligne non importée (titre, section, sous-total, TOTAL, ligne vide, légende) est signalée
    avec son numéro. Évaluer ensuite avec : raccord check DOSSIER --ruleset-file FICHIER ; migrer un
    dossier avec : raccord migrate DOSSIER --mapping MAPPING.yaml --to FICHIER.
    """
    _import(grid, output, ruleset, rulesets_dir, f"raccord grid import --ruleset {ruleset}", mapping)


@grid_group.command("export")
@click.option("--ruleset", required=True, metavar="ID", help="The ruleset to write as a grid.")
@click.option("-o", "--output", metavar="FILE", required=True, help="The grid file to write (.xlsx or .csv).")
@library_options
def grid_export_command(ruleset, output, rulesets_dir, ruleset_files):
    """Écrire la grille d'un référentiel au format d'import de son grid.yaml (xlsx ou csv)."""
    _export(output, ruleset, rulesets_dir, ruleset_files)


@grid_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@library_options
def grid_check_command(file, rulesets_dir, ruleset_files):
    """Vérifier un grid.yaml (format, colonnes, mots-clés) contre le référentiel qu'il nomme."""
    check_grid_file(file, library_from(rulesets_dir, ruleset_files))


def check_grid_file(file: str, library) -> None:
    """Check a grid.yaml and say so in one line (also what `raccord validate` does with one)."""
    from .grid_spec import read_grid_file

    grid, _ = read_grid_file(Path(file), library)
    click.echo(f"{file}: ok — grid of ruleset {grid.ruleset}, {len(grid.file.columns)} columns "
               f"(required: {', '.join(grid.label(f) for f in grid.required)})")


@click.group("ecoprod")
def ecoprod() -> None:
    """Label Ecoprod : importer la grille officielle, exporter la grille."""


@ecoprod.command("import")
@click.argument("grid", type=click.Path(dir_okay=False))
@output_option
@rulesets_dir_option
def import_command(grid, output, rulesets_dir):
    """Convertir une grille (xlsx ou csv) en référentiel validé (provenance official_text).

    Identique à : raccord grid import --ruleset ecoprod_label. Évaluer ensuite avec :
    raccord check DOSSIER --ruleset-file FICHIER.
    """
    _import(grid, output, ECOPROD, rulesets_dir, "raccord ecoprod import")


@ecoprod.command("export-grid")
@click.option("-o", "--output", metavar="FILE", required=True, help="The grid file to write (.xlsx or .csv).")
@library_options
def export_grid_command(output, rulesets_dir, ruleset_files):
    """Écrire la grille du référentiel ecoprod_label au format d'import (xlsx ou csv)."""
    _export(output, ECOPROD, rulesets_dir, ruleset_files)


def _write_rows(path: Path, rows, sheet: str, widths) -> None:
    from .spreadsheet import write_csv, write_xlsx

    if path.suffix.lower() == ".xlsx":
        write_atomic(path, write_xlsx(rows, sheet, widths))
    elif path.suffix.lower() == ".csv":
        write_atomic(path, write_csv(rows))
    else:
        raise click.UsageError(f"{path}: write a .xlsx or .csv file")


def register(cli: click.Group) -> None:
    cli.add_command(ecoprod)
    cli.add_command(grid_group)  # `export checklist` and `import checklist`: cli/commands_checklist.py
