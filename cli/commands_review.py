"""`raccord review DOSSIER EV-ID --accept | --reject MOTIF`: the auditor's decision on one item,
written in the auditor's file beside the dossier (engine/review.py), never in the dossier.

The auditor's file is appended to as text (the auditor's comments and layout stay as they are),
created with a header when absent; the result is read back and checked against the dossier
before it replaces the old file atomically. The producer's dossier is only read.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import click

from raccord.engine import Bilingual, Dossier, InputError, Library, load_dossier
from raccord.engine import review as rv
from raccord.engine.source_files import parse_yaml, read_text

from .context import library_from, library_options, parse_date
from .evidence_register import item_index
from .language import bi, current_lang
from .output import write_atomic
from .review_text import review_confirmation
from .yaml_edit import insert_yaml_item

HEADER = """# Fichier de l'auditeur (raccord.audit/1) : revues des preuves, constats et clôtures d'étape.
# Écrit par `raccord review` et `raccord audit` ; le dossier du producteur n'est jamais modifié.
format: raccord.audit/1
dossier: {dossier}
"""


def auditor_name(by: str | None) -> str:
    name = by or os.environ.get("RACCORD_AUDITOR")
    if not name:
        raise InputError("--by", Bilingual("indiquer qui décide", "say who decides"),
                         Bilingual("--by « Auditrice Afnor Certification » (un rôle ou une référence), ou RACCORD_AUDITOR",
                                   "--by 'Afnor Certification auditor' (a role or a reference), or RACCORD_AUDITOR"))
    return name


def decision_date(value: str | None) -> dt.date:
    return parse_date(value, "--date") if value else dt.datetime.now(dt.UTC).date()


def append_to_audit(library: Library, dossier: Dossier, key: str, entry: dict[str, Any]) -> Path:
    """Add `entry` to the list `key` of the dossier's auditor's file (created when absent), checked
    as a whole before it is written."""
    path = rv.audit_path(dossier.path)
    text = read_text(path) if path.exists() else HEADER.format(dossier=dossier.label)
    new_text = insert_yaml_item(text, {k: v for k, v in entry.items() if v not in (None, [], "")}, str(path), key)
    audit = rv.parse_audit(parse_yaml(new_text, str(path)))
    rv.check_audit(audit, dossier, library.criteria)
    write_atomic(path, new_text, replaces_input=True)  # the auditor's file, rewritten on purpose
    return path


def load_for_audit(library: Library, dossier_path: str) -> Dossier:
    """The dossier, with its auditor's file checked (a broken file is reported before anything is added)."""
    dossier = load_dossier(Path(dossier_path), library.catalogue)
    audit = rv.load_audit(rv.audit_path(dossier.path))
    if audit is not None:
        rv.check_audit(audit, dossier, library.criteria)
    return rv.with_reviews(dossier, audit)


# The commands' help in English (cli/language.py: the French docstrings are the source).
bi("Enregistrer la décision de l'auditeur sur une preuve, dans le fichier de l'auditeur\n"
   "        (<dossier>.audit.yaml) ; le dossier du producteur n'est pas modifié.",
   "Record the auditor's decision on an item, in the auditor's file (<dossier>.audit.yaml); "
   "the producer's dossier is not changed.")


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("evidence_id", metavar="EV-ID")
    @click.option("--accept", is_flag=True, help=bi("Accepter la preuve.", "Accept the item."))
    @click.option("--reject", "reason", metavar=bi("MOTIF", "REASON"),
                  help=bi("Rejeter la preuve, avec son motif.", "Reject the item, with the reason."))
    @click.option("--reopen", is_flag=True, help=bi("Remettre la preuve en attente.", "Put the item back to pending."))
    @click.option("--by", metavar=bi("NOM", "NAME"), help=bi("Qui décide (un rôle ou une référence ; défaut : $RACCORD_AUDITOR).",
                           "Who decides (a role or a reference; default: $RACCORD_AUDITOR)."))
    @click.option("--date", "when", metavar="DATE", help=bi("Date de la décision (défaut : aujourd'hui).",
                           "Date of the decision (default: today)."))
    @library_options
    def review(dossier, evidence_id, accept, reason, reopen, by, when, rulesets_dir, ruleset_files):
        """Enregistrer la décision de l'auditeur sur une preuve, dans le fichier de l'auditeur
        (<dossier>.audit.yaml) ; le dossier du producteur n'est pas modifié."""
        if sum((accept, reason is not None, reopen)) != 1:
            raise InputError("review", Bilingual("choisir une décision : --accept, --reject « motif » ou --reopen",
                                                 "choose one decision: --accept, --reject 'reason' or --reopen"))
        if reason is not None and not reason.strip():
            raise InputError("--reject", Bilingual("le motif du rejet est vide", "the reason is empty"))
        library = library_from(rulesets_dir, ruleset_files)
        loaded = load_for_audit(library, dossier)
        item = loaded.file.evidence[item_index(loaded, evidence_id)]
        decision = "accepted" if accept else ("rejected" if reason is not None else "pending")
        entry = {"evidence": evidence_id, "decision": decision, "reason": reason, "by": auditor_name(by),
                 "date": decision_date(when), "sha256": item.sha256}
        path = append_to_audit(library, loaded, "reviews", entry)
        click.echo(f"{review_confirmation(entry, current_lang())} → {path}")
