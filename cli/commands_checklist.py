"""`raccord export checklist` (the coordinator's action list, xlsx or csv) and `raccord import
checklist LIST.xlsx DOSSIER` (its follow-up, owners, due dates and comments back into the dossier:
shown first, written with --yes, atomically, every other line of the dossier kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

from .checklist import FOLLOW_UP, Edited, build, calendar_due, checklist_rows, read_xlsx, write_xlsx
from .context import common_as_of, common_lang, library_from, library_options, run_evaluation
from .i18n import words
from .language import bi
from .output import write_atomic
from .yaml_edit import flow, set_entries, yaml_scalar

ECOPROD = "ecoprod_label"
WORDS = {
    "written": {"fr": "{path} : {n:action|actions}", "en": "{path}: {n:action|actions}"},
    "nothing": {"fr": "Rien à changer : le dossier dit déjà ce que dit la liste.",
                "en": "Nothing to change: the dossier already says what the list says."},
    "changes": {"fr": "{n:changement|changements} dans {dossier} :", "en": "{n:change|changes} in {dossier}:"},
    "confirm": {"fr": "Relancez avec --yes pour les écrire dans le dossier.", "en": "Run again with --yes to write them."},
    "applied": {"fr": "Dossier mis à jour : {dossier}", "en": "Dossier updated: {dossier}"},
    "na_default": {"fr": "déclaré non applicable dans la liste d'actions", "en": "declared not applicable in the action list"},
    "declined_default": {"fr": "écarté dans la liste d'actions", "en": "declined in the action list"},
    "follow_up": {"fr": "suivi", "en": "follow-up"},
    "owner": {"fr": "responsable", "en": "owner"},
    "due": {"fr": "échéance", "en": "due"},
    "comment": {"fr": "commentaire", "en": "comment"},
    "none": {"fr": "(vide)", "en": "(empty)"},
}
w = words(WORDS)


def default_path(dossier_path: str, production_id: str, ruleset: str, fmt: str) -> Path:
    return Path(dossier_path).with_name(f"{production_id}-{ruleset}-actions.{fmt}")


def changes_for(edited: list[Edited], file: Any, known: set[str], calendar: dict[str, Any], lang: str, where: str):
    """Per section of the dossier (tracking, declined, not_applicable): key -> new YAML value or None,
    and the lines saying what changes."""
    sections: dict[str, dict[str, str | None]] = {"tracking": {}, "declined": {}, "not_applicable": {}}
    said: list[str] = []
    for row in edited:
        cid = row.criterion
        if cid not in known:
            raise InputError(f"{where}, ligne {row.row}", Bilingual(f"action « {cid} » inconnue de ce référentiel",
                                                                    f"action '{cid}' unknown to this ruleset"),
                             Bilingual("gardez la colonne N° telle qu'exportée", "keep the No. column as exported"))
        old = file.tracking.get(cid)
        before = {"status": old.status if old else None, "owner": old.owner if old else None,
                  "due": old.due if old else None, "comment": old.comment if old else None}
        status = row.follow_up if row.follow_up in ("todo", "in_progress", "done") else None
        reasons = (file.declined.get(cid), file.not_applicable.get(cid))
        declared = row.follow_up in ("declined", "not_applicable") and (
            row.comment in reasons or getattr(file, row.follow_up).get(cid) is None)
        comment = None if declared else row.comment  # the comment is then the declaration's reason, said once
        after = {"status": status, "owner": row.owner, "due": row.due, "comment": comment}
        if before["due"] is None and row.due == calendar.get(cid):
            after["due"] = None  # the calendar's date, left as exported: nothing to record
        if after != before:
            sections["tracking"][cid] = flow(after) if any(v is not None for v in after.values()) else None
            for key, label in (("status", "follow_up"), ("owner", "owner"), ("due", "due"), ("comment", "comment")):
                if after[key] != before[key]:
                    said.append(f"  {cid} {w(label, lang)}{' : ' if lang == 'fr' else ': '}{_shown(before[key], key, lang)}"
                                f" → {_shown(after[key], key, lang)}")
        for section, wanted, default in (("not_applicable", "not_applicable", "na_default"),
                                         ("declined", "declined", "declined_default")):
            current = getattr(file, section).get(cid)
            if row.follow_up == wanted and current is None:
                reason = row.comment if row.comment and len(row.comment) >= 3 else w(default, lang)
                sections[section][cid] = yaml_scalar(reason)
                said.append(f"  {cid} {w('follow_up', lang)} : {FOLLOW_UP[wanted][lang]} ({reason})")
            elif row.follow_up != wanted and current is not None:
                sections[section][cid] = None
                said.append(f"  {cid} {w('follow_up', lang)} : {FOLLOW_UP[wanted][lang]} → "
                            f"{FOLLOW_UP[row.follow_up][lang] if row.follow_up else w('none', lang)}")
    return sections, said


def _shown(value: Any, key: str, lang: str) -> str:
    if value is None:
        return WORDS["none"][lang]
    if key == "status":
        return FOLLOW_UP[value][lang]
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") and lang == "fr" else str(value)


def apply(path: Path, sections: dict[str, dict[str, str | None]]) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        for section, entries in sections.items():
            target = data.setdefault(section, {})
            for key, value in entries.items():
                if value is None:
                    target.pop(key, None)
                else:
                    from raccord.engine.source_files import parse_yaml

                    target[key] = parse_yaml(f"v: {value}\n", "value").data["v"]
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    for section, entries in sections.items():
        text = set_entries(text, section, entries)
    return text


def register(cli: click.Group) -> None:
    export = cli.commands.get("export")
    if not isinstance(export, click.Group):
        @cli.group("export", help=bi("Exporter des documents de travail (liste des actions…).",
                                     "Export working documents (list of actions...)."))
        def export() -> None:
            pass

    @export.command("checklist", help=bi(
        "Écrire la liste d'actions d'un référentiel : statut calculé, et les colonnes à remplir (suivi, responsable, "
        "échéance, commentaire) que raccord import checklist relit.",
        "Write a ruleset's action list: computed status, and the columns to fill in (follow-up, owner, due date, "
        "comment) that raccord import checklist reads back."))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--ruleset", "ruleset", default=ECOPROD, show_default=True, metavar="ID",
                  help=bi("Le référentiel dont les actions sont listées.", "The ruleset whose actions are listed."))
    @click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
    @click.option("-o", "--output", metavar=bi("FICHIER", "FILE"),
                  help=bi("Fichier à écrire (par défaut : <production>-<référentiel>-actions.<format> à côté du dossier).",
                          "File to write (default: <production>-<ruleset>-actions.<format> beside the dossier)."))
    @common_as_of
    @common_lang
    @library_options
    def export_checklist(dossier, ruleset, fmt, output, as_of, lang, rulesets_dir, ruleset_files):
        library = library_from(rulesets_dir, ruleset_files)
        if ruleset not in library.rulesets:
            raise InputError("--ruleset", Bilingual(f"référentiel « {ruleset} » inconnu", f"unknown ruleset '{ruleset}'"),
                             Bilingual("connus : " + ", ".join(library.rulesets), "known: " + ", ".join(library.rulesets)))
        evaluation = run_evaluation(library, dossier, as_of, (ruleset,))
        production = evaluation.dossier.file.production
        path = Path(output) if output else default_path(dossier, production.id, ruleset, fmt)
        if path.suffix.lower() != f".{fmt}":
            raise InputError("-o", Bilingual(f"« {path} » ne finit pas par .{fmt}", f"'{path}' does not end in .{fmt}"),
                             Bilingual(f"nommez le fichier en .{fmt}", f"name the file .{fmt}"))
        if fmt == "xlsx":
            made = build(evaluation, ruleset, lang)
            write_atomic(path, write_xlsx(made, lang))
            count = len(made.rows)
        else:
            from .spreadsheet import write_csv

            rows = checklist_rows(evaluation, ruleset, lang)
            write_atomic(path, "\ufeff" + write_csv(rows))  # the BOM: French Excel reads UTF-8 only with it
            count = len(rows) - 1
        click.echo(w("written", lang, path=path, n=count), err=True)

    group = cli.commands.get("import")
    if not isinstance(group, click.Group):
        @cli.group("import", help=bi("Relire un document de travail dans le dossier (liste d'actions…).",
                                     "Read a working document back into the dossier (action list...)."))
        def group() -> None:
            pass

    @group.command("checklist", help=bi(
        "Relire une liste d'actions (xlsx) : suivi, responsable, échéance et commentaire de chaque action. "
        "Montre ce qui changerait ; avec --yes, l'écrit dans le dossier (atomiquement, commentaires du dossier gardés). "
        "« non applicable » et « écarté » deviennent des déclarations du dossier, avec le commentaire pour motif.",
        "Read an action list (xlsx) back: follow-up, owner, due date and comment of each action. Shows what would "
        "change; with --yes, writes it into the dossier (atomically, the dossier's comments kept). 'not applicable' "
        "and 'declined' become declarations of the dossier, the comment as their reason."))
    @click.argument("sheet", type=click.Path(dir_okay=False), metavar=bi("LISTE.xlsx", "LIST.xlsx"))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--ruleset", "ruleset", default=ECOPROD, show_default=True, metavar="ID",
                  help=bi("Le référentiel de la liste.", "The ruleset of the list."))
    @click.option("--yes", is_flag=True, help=bi("Écrire les changements sans autre question.", "Write the changes."))
    @common_as_of
    @common_lang
    @library_options
    def import_checklist(sheet, dossier, ruleset, yes, as_of, lang, rulesets_dir, ruleset_files):
        from raccord.engine.report import criterion_entry

        library = library_from(rulesets_dir, ruleset_files)
        path = Path(dossier)
        if ruleset not in library.rulesets:
            raise InputError("--ruleset", Bilingual(f"référentiel « {ruleset} » inconnu", f"unknown ruleset '{ruleset}'"))
        evaluation = run_evaluation(library, dossier, as_of, (ruleset,))
        rs = library.rulesets[ruleset]
        known = {crit.id for crit in rs.display_order}
        calendar = {crit.id: calendar_due(criterion_entry(evaluation, rs, crit)) for crit in rs.display_order}
        edited = read_xlsx(Path(sheet))
        sections, said = changes_for(edited, evaluation.dossier.file, known, calendar, lang, Path(sheet).name)
        if not said:
            click.echo(w("nothing", lang))
            return
        click.echo(w("changes", lang, n=len(said), dossier=path))
        click.echo("\n".join(said))
        if not yes:
            click.echo(w("confirm", lang))
            return
        text = apply(path, sections)
        from raccord.engine import build_dossier
        from raccord.engine.source_files import parse_json, parse_yaml

        located = parse_json(text, str(path)) if path.suffix.lower() == ".json" else parse_yaml(text, str(path))
        build_dossier(located, library.catalogue, path)  # the new text is a valid dossier before it replaces the old
        write_atomic(path, text, replaces_input=True)  # rewriting the dossier is what --yes asks for
        click.echo(w("applied", lang, dossier=path))
