"""`raccord evidence add | replace | remove | list` (the register, cli/evidence_register.py) and
`raccord verify` (check the register or a received bundle).

The dossier is edited as text and written atomically, with no backup file left beside it: what a
replacement supersedes stays in the item's `history` (cli/evidence_register.py says how).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from raccord.engine import Dossier, Library, load_dossier
from raccord.engine.attribution import attribute_problems
from raccord.engine.evaluate import check_references
from raccord.engine.model import to_data

from .context import EXIT_VERIFY_FAILED, common_as_of, common_lang, library_from, library_options, parse_date, reviewed
from .evidence_criterion import for_criterion, reason_line
from .evidence_register import add_evidence, expected_kinds, list_items, remove_evidence, replace_evidence
from .i18n import MESSAGES, colon, label, singular, t, words
from .integrity import (
    MISSING_FILE,
    MODIFIED,
    OK,
    OUTSIDE_DOSSIER,
    ItemReport,
    check_files,
    date_state,
    integrity_problems,
    w,
)
from .language import bi, current_lang
from .review_text import w as rw

__all__ = ["add_evidence", "expected_kinds", "render_list", "verify_dossier"]


def _split_criteria(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _date_option(value: str | None, option: str) -> dt.date | None:
    return None if value is None else parse_date(value, option)


HISTORY = {
    "version": {"fr": "version {n}", "en": "version {n}"},
    "bytes": {"fr": "{size} octets", "en": "{size} bytes"},
    "collected_on": {"fr": "recueillie le {date}", "en": "collected on {date}"},
    "replaced_on": {"fr": "remplacée le {date}", "en": "replaced on {date}"},
    "one_item": {"fr": "élément", "en": "item"},
    "copy": {"fr": "copie : {path}", "en": "copy: {path}"},
    "replaces": {"fr": "{new} remplace {old} ; version {n}", "en": "{new} replaces {old}; version {n}"},
    "author_unknown": {"fr": "auteur de la nouvelle version non renseigné (--author RÔLE) ; « {old} » reste l'auteur "
                             "de la version précédente, dans l'historique",
                       "en": "the new version's author is not given (--author ROLE); '{old}' stays the author of the "
                             "previous version, in the history"},
    "removed": {"fr": "{id} retirée du registre ({where} n'est pas supprimé)",
                "en": "{id} taken out of the register ({where} is not deleted)"},
}
hw = words(HISTORY, MESSAGES)


def where_of(item: dict[str, Any], lang: str) -> str:
    """The file of an item, or its address and, when there is one, where its saved copy is."""
    if item.get("path"):
        return item["path"]
    if item.get("url"):
        return item["url"] + (f" ({hw('copy', lang, path=item['copy'])})" if item.get("copy") else "")
    return "-"


def history_lines(item: dict[str, Any], lang: str) -> list[str]:
    """The earlier versions of an item, oldest first: where, hash, size, when, who, and the auditor's
    inline decision on it (the full hashes are in `--format json` and in the dossier)."""
    out = []
    for n, old in enumerate(item.get("history", []), start=1):
        parts = [old.get("path") or old.get("url") or "-"]
        if old.get("sha256"):
            parts.append(f"sha256 {old['sha256'][:16]}…")
        if old.get("size") is not None:
            parts.append(hw("bytes", lang, size=old["size"]))
        if old.get("collected"):
            parts.append(hw("collected_on", lang, date=old["collected"]))
        if old.get("author"):
            parts.append(old["author"])
        if old.get("replaced"):
            by = f" ({old['replaced_by']})" if old.get("replaced_by") else ""
            parts.append(hw("replaced_on", lang, date=old["replaced"]) + by)
        if (old.get("auditor") or {}).get("status") not in (None, "pending"):
            decision = old["auditor"]
            parts.append(f"{w('auditor', lang)}{colon(lang)}{w(decision['status'], lang)}"
                         + (f"{colon(lang)}{decision['reason']}" if decision.get("reason") else ""))
        out.append(f"    {hw('version', lang, n=n)}{colon(lang)}{', '.join(parts)}")
    return out


def render_list(items: list[dict[str, Any]], lang: str) -> str:
    """One line per item: id, kind, file or address, date, versions, the auditor's decision (and why)."""
    out = []
    for item in items:
        where = where_of(item, lang)
        review = item["review"]
        decision = w(review["status"], lang)
        if review.get("reason"):
            decision += f"{colon(lang)}{review['reason']}"
        if review.get("stale"):
            decision += f" ({rw('item_stale', lang)})"
        versions = f", {item['versions']} versions" if item["versions"] > 1 else ""
        seen = f" — « {item['seen']} »" if item.get("seen") else ""
        out.append(f"{item['id']} {item['kind']} — {where}{seen} ({item.get('collected', '-')}{versions}) "
                   f"→ {', '.join(item.get('criteria', [])) or '*'} [{w('auditor', lang)}{colon(lang)}{decision}]")
        if "listed_for" in item:
            out.append(f"    {reason_line(item, lang)}")
        out += history_lines(item, lang)
    out.append(f"{len(items)} {hw('one_item', lang) if singular(len(items), lang) else w('items', lang)}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------------
# verify (dossier)


def verify_dossier(library: Library, dossier: Dossier, as_of: dt.date,
                   rulesets: list[str] | None = None) -> dict[str, Any]:
    """Per item: file, date and auditor states, and which criteria each problem changes."""
    check_references(library, dossier)
    checks = check_files(dossier)
    problems = integrity_problems(checks)
    dates = {item.id: date_state(item, as_of) for item in dossier.file.evidence}
    expired = {eid for eid, state in dates.items() if state == "expired"}
    attribution = attribute_problems(library, dossier, as_of, problems, expired, rulesets)
    reports: list[ItemReport] = []
    for item in dossier.file.evidence:
        report = ItemReport(item, checks[item.id], dates[item.id])
        report.changes = attribution.by_item.get(item.id, report.changes)
        reports.append(report)
    failed = [r for r in reports if r.file.problem or r.dates == "expired"]
    return {
        "format": "raccord.verify/1",
        "as_of": as_of.isoformat(),
        "dossier": {"id": dossier.label, "title": dossier.file.production.title},
        "ok": not failed,
        "items": [_item_json(r) for r in reports],
        "changes": attribution.overall,
        "counts": {
            "items": len(reports),
            "problems": len(failed),
            "missing_file": sum(r.file.state == MISSING_FILE for r in reports),
            "modified": sum(r.file.state == MODIFIED for r in reports),
            "outside_dossier": sum(r.file.state == OUTSIDE_DOSSIER for r in reports),
            "expired": sum(r.dates == "expired" for r in reports),
            "unhashed": sum(r.file.state == "unhashed" for r in reports),
            "rejected": sum(r.item.auditor.status == "rejected" for r in reports),
        },
    }


def _item_json(report: ItemReport) -> dict[str, Any]:
    item = report.item
    auditor = {k: (v.isoformat() if isinstance(v, dt.date) else v)
               for k, v in to_data(item.auditor, exclude_none=True).items()}
    out = {
        "id": item.id,
        "kind": item.kind,
        "criteria": item.criteria,
        "path": item.path,
        "url": item.url,
        "copy": item.copy,
        "file": report.file.state,
        "detail": report.file.detail or None,
        "registered_sha256": item.sha256,
        "sha256": report.file.sha256,
        "size": report.file.size,
        "dates": report.dates,
        "collected": item.collected.isoformat() if item.collected else None,
        "expires": item.expires.isoformat() if item.expires else None,
        "auditor": auditor,
        "ok": not (report.file.problem or report.dates == "expired"),
        "changes": report.changes,
    }
    return {k: v for k, v in out.items() if v is not None}


def render_verify(result: dict[str, Any], lang: str, show_all: bool) -> str:
    counts = result["counts"]
    out = [f"raccord — {result['dossier']['title']} ({result['dossier']['id']}) — {label('as_of', lang)}{result['as_of']}"]
    summary = [f"{counts['items']} {w('items', lang)}"]
    for key in (MISSING_FILE, MODIFIED, OUTSIDE_DOSSIER, "expired", "unhashed", "rejected"):
        if counts[key]:
            summary.append(f"{counts[key]} {w(key, lang)}")
    out.append(f"{w('register', lang)}{colon(lang)}" + ", ".join(summary))
    for item in result["items"]:
        warn = item["file"] not in (OK,) or item["dates"] != "valid" or item["auditor"]["status"] == "rejected"
        if not (show_all or not item["ok"] or warn):
            continue
        mark = "✘" if not item["ok"] else ("!" if warn else "✔")
        states = [w(item["file"], lang)]
        if item["dates"] != "valid":
            states.append(w(item["dates"], lang) + (f" ({item['expires']})" if item["dates"] == "expired" else ""))
        auditor = w(item["auditor"]["status"], lang)
        if item["auditor"].get("reason"):
            auditor += f"{colon(lang)}{item['auditor']['reason']}"
        where = where_of(item, lang)
        sep = colon(lang)
        out.append(f"{mark} {item['id']} {item['kind']} — {where}{sep}{', '.join(states)} [{w('auditor', lang)}{sep}{auditor}]")
        if item.get("detail"):
            out.append(f"    {item['detail']}")
        if item["changes"]:
            moves = ", ".join(f"{c['criterion']} {t(c['before'], lang)} → {t(c['after'], lang)}" for c in item["changes"])
            out.append(f"    {w('changes', lang)}{colon(lang)}{moves}")
    if result["ok"]:
        out.append(w("all_ok", lang))
    else:
        out.append(w("problems", lang, n=counts["problems"]))
    return "\n".join(out) + "\n"


# The commands' help in English (cli/language.py: the French docstrings are the source).
bi('Enregistrer un fichier (chemin relatif, sha256, taille, date), sans le déplacer, ou une adresse (--url).',
   'Register a file (relative path, sha256, size, date) without moving it, or an address (--url).')
bi("Enregistrer une nouvelle version du fichier d'une preuve ; l'ancienne (empreinte, taille, date,\n"
   "        auteur) est gardée dans l'historique de la preuve.",
   "Register a new version of an item's file; the previous one (hash, size, date, author) is kept in the item's history.")
bi('Retirer une preuve du registre (son fichier reste où il est).',
   'Take an item out of the register (its file stays where it is).')
bi("Lister le registre des preuves : type, fichier ou adresse, date, versions, décision de l'auditeur.",
   "List the evidence register: kind, file or address, date, versions, the auditor's decision.")


def register(cli: click.Group) -> None:
    @cli.group()
    def evidence() -> None:
        """Gérer le registre des preuves du dossier."""

    @evidence.command("add")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("file", type=click.Path(), required=False)
    @click.option("--kind", required=True, metavar=bi("NATURE", "KIND"), help=bi("Type de preuve (attendu par les critères).",
                           "Evidence kind (as expected by the criteria)."))
    @click.option("--criteria", "criteria", multiple=True, required=True, metavar="ID[,ID]",
                  help=bi("Critères que la preuve soutient (séparés par des virgules ou répétés).",
                           "Criteria the item supports (comma-separated or repeated)."))
    @click.option("--collected", metavar="DATE",
                  help=bi("Date de collecte, ou de consultation d'une adresse (défaut : aujourd'hui).",
                           "Date collected, or an address consulted (default: today)."))
    @click.option("--expires", metavar="DATE", help=bi("Date de fin de validité.", "Date it stops being valid."))
    @click.option("--author", metavar=bi("RÔLE", "ROLE"), help=bi("Qui l'a produite (un rôle, p. ex. « Coordinatrice écoprod »).",
                           'Who produced it (a role, e.g. "Eco-production coordinator").'))
    @click.option("--id", "item_id", metavar="ID", help=bi("Identifiant (défaut : EV- suivi d'un identifiant unique).",
                           "Id (default: EV- followed by a unique identifier)."))
    @click.option("--note", metavar=bi("TEXTE", "TEXT"), help=bi("Une note pour l'auditeur.", "A note for the auditor."))
    @click.option("--url", metavar="URL",
                  help=bi("Une preuve en ligne, au lieu d'un fichier.", "An online item, instead of a file."))
    @click.option("--seen", metavar=bi("TEXTE", "TEXT"), help=bi("Avec --url : ce qui a été vu à cette adresse.",
                           "With --url: what was seen at that address."))
    @click.option("--copy", "copy", type=click.Path(dir_okay=False), metavar=bi("FICHIER", "FILE"),
                  help=bi("Avec --url : une copie enregistrée de la page, dont l'empreinte est notée.",
                           "With --url: a saved copy of the page, whose hash is recorded."))
    @library_options
    def evidence_add(dossier, file, kind, criteria, collected, expires, author, item_id, note, url, seen, copy,
                     rulesets_dir, ruleset_files):
        """Enregistrer un fichier (chemin relatif, sha256, taille, date), sans le déplacer, ou une adresse (--url)."""
        library = library_from(rulesets_dir, ruleset_files)
        now = dt.datetime.now(dt.UTC)
        collected_date = _date_option(collected, "--collected") or now.date()
        item = add_evidence(library, Path(dossier), Path(file) if file else None, kind, _split_criteria(criteria),
                            collected_date, _date_option(expires, "--expires"), author, item_id, note, now, url, seen,
                            Path(copy) if copy else None)
        lang = current_lang()
        digest = f", sha256 {item['sha256'][:16]}…" if item.get("sha256") else ""
        size = f", {hw('bytes', lang, size=item['size'])}" if item.get("size") is not None else ""
        click.echo(f"{item['id']}{colon(lang)}{where_of(item, lang)} ({item['kind']}{size}{digest}) → "
                   f"{', '.join(item['criteria'])}")

    @evidence.command("replace")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("evidence_id", metavar="EV-ID")
    @click.argument("file", type=click.Path())
    @click.option("--collected", metavar="DATE", help=bi("Date de collecte de la nouvelle version (défaut : aujourd'hui).",
                           "Date the new version was collected (default: today)."))
    @click.option("--expires", metavar="DATE", help=bi("Date de fin de validité de la nouvelle version.",
                           "Date the new version stops being valid."))
    @click.option("--author", metavar=bi("RÔLE", "ROLE"),
                  help=bi("Qui a produit la nouvelle version (un rôle) ; sans --author, son auteur est inconnu "
                          "(l'ancien reste dans l'historique).",
                          "Who produced the new version (a role); without --author its author is unknown "
                          "(the old one stays in the history)."))
    @library_options
    def evidence_replace(dossier, evidence_id, file, collected, expires, author, rulesets_dir, ruleset_files):
        """Enregistrer une nouvelle version du fichier d'une preuve ; l'ancienne (empreinte, taille, date,
        auteur) est gardée dans l'historique de la preuve."""
        library = library_from(rulesets_dir, ruleset_files)
        today = dt.datetime.now(dt.UTC).date()
        old, new = replace_evidence(library, Path(dossier), evidence_id, Path(file),
                                    _date_option(collected, "--collected") or today, _date_option(expires, "--expires"),
                                    author, today)
        lang = current_lang()
        click.echo(f"{evidence_id}{colon(lang)}" + hw(
            "replaces", lang, new=f"{new.path} (sha256 {new.sha256[:16]}…, {hw('bytes', lang, size=new.size)})",
            old=f"{old.path} (sha256 {(old.sha256 or '-')[:16]}…)", n=len(new.history) + 1))
        if not author and old.author:
            click.echo(hw("author_unknown", lang, old=old.author))

    @evidence.command("remove")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("evidence_id", metavar="EV-ID")
    @library_options
    def evidence_remove(dossier, evidence_id, rulesets_dir, ruleset_files):
        """Retirer une preuve du registre (son fichier reste où il est)."""
        library = library_from(rulesets_dir, ruleset_files)
        old = remove_evidence(library, Path(dossier), evidence_id)
        click.echo(hw("removed", current_lang(), id=evidence_id, where=old.path or old.url or "-"))

    @evidence.command("list")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.option("--kind", metavar=bi("NATURE", "KIND"), help=bi("Seulement ce type de preuve.", "Only this evidence kind."))
    @click.option("--criterion", metavar="ID",
                  help=bi("Seulement les preuves que l'évaluation regarde pour ce critère (celles qui le nomment, et celles "
                          "qui ne nomment aucun critère mais dont il lit la nature), chacune avec la raison.",
                          "Only the items the evaluation looks at for this criterion (those naming it, and those naming "
                          "no criterion whose kind it reads), each with the reason."))
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @common_lang
    @library_options
    def evidence_list(dossier, kind, criterion, fmt, lang, rulesets_dir, ruleset_files):
        """Lister le registre des preuves : type, fichier ou adresse, date, versions, décision de l'auditeur."""
        from .context import reviewed

        library = library_from(rulesets_dir, ruleset_files)
        loaded = reviewed(library, load_dossier(Path(dossier), library.catalogue))
        items = [i for i in list_items(loaded) if kind is None or i["kind"] == kind]
        if criterion is not None:
            items = for_criterion(library, items, criterion, loaded.facts)
        if fmt == "json":
            click.echo(json.dumps(items, ensure_ascii=False, indent=2))
            return
        click.echo(render_list(items, lang), nl=False)

    @cli.command()
    @click.argument("target", type=click.Path(dir_okay=False))
    @common_as_of
    @common_lang
    @click.option("--ruleset", "rulesets", multiple=True, metavar="ID",
                  help="Measure changes only on this ruleset (repeatable).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("-a", "--all", "show_all", is_flag=True, help="List every item, not only problems and warnings.")
    @click.option("--key", metavar=bi("CLÉ.pub", "KEY.pub"),
                  help=bi("Paquet : exiger une signature valide de cette clé publique.",
                          "Bundle: require a valid signature by this public key."))
    @click.option("--expect-sha256", "expect", metavar=bi("EMPREINTE", "HASH"),
                  help=bi("Paquet : exiger cette empreinte (celle du manifeste affichée par `raccord dossier`, ou du .zip).",
                          "Bundle: require this fingerprint (the manifest's, printed by `raccord dossier`, or the .zip's)."))
    @library_options
    def verify(target, as_of, lang, rulesets, fmt, show_all, key, expect, rulesets_dir, ruleset_files):
        """Vérifier les preuves d'un dossier (fichiers, empreintes, dates) ou un paquet d'audit reçu (.zip).

        Exit code 3 when a file is missing, modified, outside the dossier folder or expired
        (for a bundle: a file missing, extra or modified against its manifest).
        """
        from .commands_bundle import is_bundle, render_bundle_check, verify_bundle

        path = Path(target)
        if is_bundle(path):
            result = verify_bundle(path, Path(key) if key else None, expect)
            content = json.dumps(result, ensure_ascii=False, indent=2) + "\n" if fmt == "json" \
                else render_bundle_check(result, lang)
        else:
            library = library_from(rulesets_dir, ruleset_files)
            dossier = reviewed(library, load_dossier(path, library.catalogue))
            result = verify_dossier(library, dossier, parse_date(as_of), list(rulesets) or None)
            content = json.dumps(result, ensure_ascii=False, indent=2) + "\n" if fmt == "json" \
                else render_verify(result, lang, show_all)
        click.echo(content, nl=False)
        if not result["ok"]:
            raise SystemExit(EXIT_VERIFY_FAILED)
