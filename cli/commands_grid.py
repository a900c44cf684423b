"""`raccord ecoprod import|export-grid` and `raccord export checklist`: Label Ecoprod spreadsheets.

Registered by `cli/main.py` (every `cli/commands_*.py` module exposes `register(cli)`).
"""

from __future__ import annotations

from pathlib import Path

import click

from . import grid_io
from .context import common_as_of, common_lang, library_from, library_options, run_evaluation
from .output import write_atomic


@click.group("ecoprod")
def ecoprod() -> None:
    """Label Ecoprod : importer la grille officielle, exporter la grille."""


@ecoprod.command("import")
@click.argument("grid", type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="FILE", help="Write the ruleset to FILE (default: standard output).")
@click.option("--rulesets-dir", metavar="DIR", help="Folder of rulesets to take the policy and facts from.")
def import_command(grid, output, rulesets_dir):
    """Convertir une grille (xlsx ou csv) en référentiel validé (provenance official_text).

    Évaluer ensuite avec : raccord check DOSSIER --ruleset-file FICHIER.
    """
    warnings: list[str] = []
    text, data = grid_io.import_grid(Path(grid), Path(rulesets_dir) if rulesets_dir else None, warnings)
    for warning in warnings:
        click.echo(f"raccord: warning: {warning}", err=True)
    if output:
        write_atomic(Path(output), text)
        totals = data["totals"]
        click.echo(f"{output}: ok — ruleset {data['id']}, {totals['criteria']} criteria, "
                   f"{totals['groups']} groups, {totals['points']:g} points", err=True)
    else:
        click.echo(text, nl=False)


@ecoprod.command("export-grid")
@click.option("-o", "--output", metavar="FILE", required=True, help="The grid file to write (.xlsx or .csv).")
@library_options
def export_grid_command(output, rulesets_dir, ruleset_files):
    """Écrire la grille du référentiel ecoprod_label au format d'import (xlsx ou csv)."""
    library = library_from(rulesets_dir, ruleset_files)
    rows = grid_io.ruleset_grid_rows(library)
    _write_rows(Path(output), rows, "Grille", {1: 28, 2: 14, 3: 60, 4: 50, 7: 50, 8: 30, 9: 40})
    click.echo(f"{output}: {len(rows) - 1} actions", err=True)


@click.group("export")
def export() -> None:
    """Exporter des documents de travail (liste des actions…)."""


@export.command("checklist")
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.option("--ruleset", "ruleset", default=grid_io.RULESET_ID, show_default=True, metavar="ID",
              help="The ruleset whose actions are listed.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="File to write (default: <dossier>-<ruleset>-checklist.<format>).")
@common_as_of
@common_lang
@library_options
def checklist_command(dossier, ruleset, fmt, output, as_of, lang, rulesets_dir, ruleset_files):
    """Écrire la liste des actions : poste, action, points, impératif, statut, preuves attendues et trouvées."""
    library = library_from(rulesets_dir, ruleset_files)
    evaluation = run_evaluation(library, dossier, as_of, (ruleset,))
    rows = grid_io.checklist_rows(evaluation, ruleset, lang)
    path = Path(output) if output else Path(dossier).with_name(f"{Path(dossier).stem}-{ruleset}-checklist.{fmt}")
    if path.suffix.lower() != f".{fmt}":
        raise click.UsageError(f"--output {path} does not end in .{fmt}")
    _write_rows(path, rows, "Checklist", {1: 28, 2: 14, 3: 60, 6: 16, 7: 28, 8: 50, 9: 40, 10: 40, 11: 24})
    click.echo(f"{path}: {len(rows) - 1} actions", err=True)


def _write_rows(path: Path, rows, sheet: str, widths) -> None:
    if path.suffix.lower() == ".xlsx":
        write_atomic(path, grid_io.write_xlsx(rows, sheet, widths))
    elif path.suffix.lower() == ".csv":
        write_atomic(path, grid_io.write_csv(rows))
    else:
        raise click.UsageError(f"{path}: write a .xlsx or .csv file")


def register(cli: click.Group) -> None:
    cli.add_command(ecoprod)
    existing = cli.commands.get("export")
    if isinstance(existing, click.Group):
        existing.add_command(checklist_command)  # another module already owns `export`
    else:
        cli.add_command(export)
