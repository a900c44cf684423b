"""`raccord audit finding add | close`, `raccord audit signoff`, `raccord audit show`: the
auditor's findings (non-conformities, observations) and stage sign-offs, in the auditor's file
beside the dossier (engine/review.py). The producer's dossier is only read."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click

from raccord.engine import Bilingual, InputError
from raccord.engine import review as rv
from raccord.engine.source_files import parse_yaml, read_text

from .commands_evidence import _split_criteria
from .commands_review import append_to_audit, auditor_name, decision_date, load_for_audit
from .context import common_lang, library_from, library_options
from .evidence_register import item_index
from .ids import new_id
from .integrity import sha256_file
from .language import bi, current_lang
from .output import write_atomic
from .review_text import finding_confirmation, item_line, review_lines, signoff_text
from .review_text import w as rw

# The commands' help in English (cli/language.py: the French docstrings are the source).
bi("Constats et clôtures d'étape de l'auditeur (fichier <dossier>.audit.yaml).",
   "The auditor's findings and stage sign-offs (file <dossier>.audit.yaml).")
bi('Constats : non-conformités majeures ou mineures, observations.',
   'Findings: major or minor non-conformities, observations.')
bi('Enregistrer un constat (identifiant unique F-…, sans collision entre deux auditeurs).',
   'Record a finding (unique id F-…, no collision between two auditors).')
bi('Clore un constat (status: closed), le reste du fichier inchangé.',
   'Close a finding (status: closed), the rest of the file unchanged.')
bi("Clore une étape d'audit avec une décision ; l'empreinte du dossier signé est notée.",
   'Sign off an audit stage with a decision; the hash of the dossier signed off is recorded.')
bi("Afficher les décisions, constats et clôtures du fichier de l'auditeur.",
   "Show the decisions, findings and sign-offs of the auditor's file.")


def register(cli: click.Group) -> None:
    @cli.group()
    def audit() -> None:
        """Constats et clôtures d'étape de l'auditeur (fichier <dossier>.audit.yaml)."""

    @audit.group("finding")
    def finding() -> None:
        """Constats : non-conformités majeures ou mineures, observations."""

    @finding.command("add")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--type", "kind", type=click.Choice(rv.FINDING_TYPES), required=True,
                  help=bi("major (non-conformité majeure), minor (mineure) ou observation.",
                           "major (major non-conformity), minor or observation."))
    @click.option("--text", "text", required=True, metavar=bi("TEXTE", "TEXT"), help=bi("Le constat.", "The finding."))
    @click.option("--criteria", multiple=True, metavar="ID[,ID]", help=bi("Critères concernés.", "Criteria concerned."))
    @click.option("--evidence", multiple=True, metavar="EV-ID[,EV-ID]", help=bi("Preuves concernées.", "Evidence concerned."))
    @click.option("--by", metavar=bi("NOM", "NAME"),
                  help=bi("L'auditeur (défaut : $RACCORD_AUDITOR).", "The auditor (default: $RACCORD_AUDITOR)."))
    @click.option("--date", "when", metavar="DATE",
                  help=bi("Date du constat (défaut : aujourd'hui).", "Date of the finding (default: today)."))
    @library_options
    def finding_add(dossier, kind, text, criteria, evidence, by, when, rulesets_dir, ruleset_files):
        """Enregistrer un constat (identifiant unique F-…, sans collision entre deux auditeurs)."""
        library = library_from(rulesets_dir, ruleset_files)
        loaded = load_for_audit(library, dossier)
        for eid in _split_criteria(evidence):
            item_index(loaded, eid)  # in the register (a located error otherwise)
        entry = {"id": new_id("F", dt.datetime.now(dt.UTC)), "type": kind, "text": text,
                 "criteria": _split_criteria(criteria), "evidence": _split_criteria(evidence),
                 "by": auditor_name(by), "date": decision_date(when), "status": "open"}
        path = append_to_audit(library, loaded, "findings", entry)
        click.echo(f"{finding_confirmation(entry, current_lang())} → {path}")

    @finding.command("close")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("finding_id", metavar="F-ID")
    @library_options
    def finding_close(dossier, finding_id, rulesets_dir, ruleset_files):
        """Clore un constat (status: closed), le reste du fichier inchangé."""
        library = library_from(rulesets_dir, ruleset_files)
        loaded = load_for_audit(library, dossier)
        path = rv.audit_path(loaded.path)
        audit = loaded.audit
        index = next((i for i, f in enumerate(audit.findings if audit else ()) if f.id == finding_id), None)
        if index is None:
            raise InputError(finding_id, Bilingual("constat absent du fichier de l'auditeur", "no such finding"),
                             Bilingual("`raccord audit show DOSSIER` liste les constats",
                                       "`raccord audit show DOSSIER` lists them"))
        new_text = _set_status(read_text(path), audit, index, str(path))
        checked = rv.parse_audit(parse_yaml(new_text, str(path)))
        if checked.findings[index].status != "closed":
            raise InputError(str(path), Bilingual(
                "impossible de clore ce constat sans toucher au reste ; le modifier à la main",
                "could not close it without changing something else; edit it by hand"))
        write_atomic(path, new_text, replaces_input=True)  # the auditor's file, rewritten on purpose
        click.echo(f"{rw('finding_closed', current_lang(), id=finding_id)} → {path}")

    @audit.command("signoff")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--stage", type=click.Choice(rv.STAGES), required=True,
                  help=bi("intermediate ou final.", "intermediate or final."))
    @click.option("--decision", type=click.Choice(rv.SIGNOFF_DECISIONS), required=True,
                  help=bi("favorable, favorable_with_reservations ou unfavorable.",
                           "favorable, favorable_with_reservations or unfavorable."))
    @click.option("--note", metavar=bi("TEXTE", "TEXT"),
                  help=bi("Réserves, conditions, commentaire.", "Reservations, conditions, comment."))
    @click.option("--by", metavar=bi("NOM", "NAME"),
                  help=bi("L'auditeur (défaut : $RACCORD_AUDITOR).", "The auditor (default: $RACCORD_AUDITOR)."))
    @click.option("--date", "when", metavar="DATE",
                  help=bi("Date de la clôture (défaut : aujourd'hui).", "Date of the sign-off (default: today)."))
    @library_options
    def signoff(dossier, stage, decision, note, by, when, rulesets_dir, ruleset_files):
        """Clore une étape d'audit avec une décision ; l'empreinte du dossier signé est notée."""
        library = library_from(rulesets_dir, ruleset_files)
        loaded = load_for_audit(library, dossier)
        entry = {"stage": stage, "decision": decision, "by": auditor_name(by), "date": decision_date(when), "note": note,
                 "dossier_sha256": sha256_file(Path(dossier))[0]}
        path = append_to_audit(library, loaded, "signoffs", entry)
        click.echo(f"{signoff_text(entry, current_lang())} → {path}")

    @audit.command("show")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @common_lang
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @library_options
    def show(dossier, lang, fmt, rulesets_dir, ruleset_files):
        """Afficher les décisions, constats et clôtures du fichier de l'auditeur."""
        library = library_from(rulesets_dir, ruleset_files)
        doc = {"review": rv.review_document(load_for_audit(library, dossier))}
        if fmt == "json":
            click.echo(json.dumps(doc["review"], ensure_ascii=False, indent=2))
            return
        click.echo("\n".join(review_lines(doc, lang)))
        for eid, held in doc["review"]["items"].items():
            click.echo(item_line(eid, held, lang))


def _set_status(text: str, audit: rv.AuditFile, index: int, where: str) -> str:
    """Set `status: closed` on finding `index`, editing only its `status` line (or adding one)."""
    located = audit.located
    lines = text.splitlines(keepends=True)
    pos = located.position(("findings", index, "status")) if located else None
    if pos is not None:  # the key's position: `status: open` on that line, in block or flow style
        line, col = pos
        old = lines[line - 1]
        lines[line - 1] = old[: col - 1] + re.sub(r"^status(\s*):\s*open\b", r"status\1: closed", old[col - 1:])
        return "".join(lines)
    start = located.position(("findings", index, "id")) if located else None
    if start is None:
        raise InputError(where, Bilingual("constat introuvable dans le texte", "finding not found in the text"))
    line, col = start
    head = lines[line - 1]
    if head.rstrip().endswith("}"):  # a flow mapping on one line
        stripped = head.rstrip("\r\n")
        lines[line - 1] = stripped[:-1].rstrip() + ", status: closed}" + head[len(stripped):]
    else:  # block style: a `status:` line under `id:`, at its column
        newline = "\r\n" if head.endswith("\r\n") else "\n"
        lines.insert(line, " " * head.index("id:") + f"status: closed{newline}")
    return "".join(lines)
