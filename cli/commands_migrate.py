"""`raccord migrate DOSSIER --mapping MAPPING.yaml [--to RULESET] [-o OUT]`: a dossier written against
one grid of a referential (raccord's reconstruction) moved to another (the official grid once
imported), with a report of what was mapped, what was not, and every criterion whose status changed
and why (the dossier evaluated before with the old ruleset, after with the new one, through the
Engine API). The mapping and the comparison are engine/migrate.py; this module reads, evaluates,
writes (atomically, never over the input) and words the report. Format: docs/migrate.md.

Registered by `cli/main.py` (every `cli/commands_*.py` module exposes `register(cli)`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

from .context import common_as_of, common_lang, library_options, parse_date
from .i18n import t, words
from .output import write_atomic

WORDS = {
    "title": {"fr": "Migration du dossier {dossier} : {source} → {target} ({grid}), au {date}",
              "en": "Migration of dossier {dossier}: {source} → {target} ({grid}), as of {date}"},
    "written": {"fr": "Dossier migré : {out} (le dossier d'origine n'est pas modifié)",
                "en": "Migrated dossier: {out} (the original dossier is not modified)"},
    "mapped": {"fr": "Critères mis en correspondance : {n} — statut conservé : {kept}, changé : {changed}",
               "en": "Mapped criteria: {n} — status kept: {kept}, changed: {changed}"},
    "changed_head": {"fr": "Statuts changés", "en": "Changed statuses"},
    "dropped_head": {"fr": "Abandonnés (sans équivalent dans la nouvelle grille)",
                     "en": "Dropped (no counterpart in the new grid)"},
    "unmapped_head": {"fr": "Non repris (absents de la correspondance)", "en": "Not carried over (absent from the mapping)"},
    "new_head": {"fr": "Nouveaux critères de la grille", "en": "New criteria of the grid"},
    "unmatched_head": {"fr": "Critères de la grille sans correspondance ni mention « new »",
                       "en": "Grid criteria neither mapped nor listed as new"},
    "edits_head": {"fr": "Modifications du dossier", "en": "Changes to the dossier"},
    "verdict": {"fr": "Verdict : avant {before} ; après {after}", "en": "Verdict: before {before}; after {after}"},
    "none": {"fr": "néant", "en": "none"},
    "missing_evidence": {"fr": "preuve manquante : {ids}", "en": "missing evidence: {ids}"},
    "missing_facts": {"fr": "fait manquant : {ids}", "en": "missing fact: {ids}"},
    "declined_word": {"fr": "écarté par la production", "en": "declined by the production"},
    "justification": {"fr": "déclaré non applicable", "en": "declared not applicable"},
    "evidence_problems": {"fr": "preuve non retenue : {ids}", "en": "evidence not counted: {ids}"},
    "moved": {"fr": "{a} → {b}", "en": "{a} → {b}"},
    "removed_dropped": {"fr": "{a} retiré (abandonné dans la nouvelle grille)", "en": "{a} removed (dropped in the new grid)"},
    "removed_unmapped": {"fr": "{a} retiré (absent de la correspondance)", "en": "{a} removed (absent from the mapping)"},
    "not_carried": {"fr": "non reportée sur {b} : {others}, qui y correspond aussi, n'est pas déclaré",
                    "en": "not carried to {b}: {others}, which maps to it too, is not declared"},
    "item_removed": {"fr": "pièce retirée : elle ne justifiait que {a}, sans équivalent dans la nouvelle grille",
                     "en": "item removed: it only supported {a}, with no counterpart in the new grid"},
    "summary": {"fr": "{mapped} en correspondance, {changed:changé|changés}, {dropped:abandonné|abandonnés}, "
                      "{unmapped} non repris, {new:nouveau|nouveaux}, {unmatched} sans correspondance",
                "en": "{mapped} mapped, {changed} changed, {dropped} dropped, {unmapped} not carried over, {new} new, "
                      "{unmatched} unmatched"},
}
w = words(WORDS)


@click.command("migrate")
@click.argument("dossier", type=click.Path(dir_okay=False))
@click.option("--mapping", "mapping_file", required=True, metavar="MAPPING.yaml",
              help="The correspondence from the dossier's grid to the other (docs/migrate.md).")
@click.option("--to", "to", metavar="RULESET",
              help="The other grid: a ruleset file (an imported official grid) or a ruleset id (default: the mapping's `to`).")
@click.option("-o", "--output", metavar="FILE", help="The migrated dossier (default: DOSSIER-<to>.yaml beside it).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--report", metavar="FILE", help="Write the report to FILE (default: standard output).")
@common_as_of
@common_lang
@library_options
def migrate_command(dossier, mapping_file, to, output, fmt, report, as_of, lang, rulesets_dir, ruleset_files):
    """Migrer un dossier d'une grille à l'autre (grille reconstituée -> grille officielle importée) selon
    une correspondance, et dire ce qui a été repris, ce qui ne l'a pas été et ce qui change dans le verdict."""
    from raccord.engine.api import Engine
    from raccord.engine.evaluate import Options, check_references
    from raccord.engine.migrate import check_mapping, migrate_data, read_mapping, unknown_ruleset
    from raccord.engine.source_files import load_document

    from .integrity import compute_integrity

    date = parse_date(as_of)
    source_path = Path(dossier)
    base_dir = Path(rulesets_dir) if rulesets_dir else None
    files = [Path(p) for p in ruleset_files]
    mapping = read_mapping(Path(mapping_file))
    before_engine = Engine.load(base_dir, files)
    if mapping.source not in before_engine.library.rulesets:
        raise unknown_ruleset(mapping, "from", before_engine.library.rulesets)
    to_file = Path(to) if to and Path(to).is_file() else None
    after_engine = Engine.load(base_dir, [*files, to_file]) if to_file else before_engine
    target = after_engine.library.rulesets.get(mapping.target)
    if to and not to_file and to != mapping.target:
        raise InputError("--to", Bilingual(f"« {to} » n'est ni un fichier ni le référentiel « {mapping.target} » "
                                           "de la correspondance",
                                           f"'{to}' is neither a file nor the mapping's ruleset '{mapping.target}'"),
                         Bilingual("donnez la grille importée (raccord grid import ... -o FICHIER)",
                                   "give the imported grid (raccord grid import ... -o FILE)"))
    if target is None or (to_file and Path(target.path).resolve() != to_file.resolve()):
        raise InputError(str(to_file) if to_file else mapping.located.where(("to",)),
                         Bilingual(f"la correspondance mène à « {mapping.target} », que ce fichier ne définit pas",
                                   f"the mapping leads to '{mapping.target}', which this file does not define") if to_file
                         else Bilingual(f"référentiel inconnu « {mapping.target} »", f"unknown ruleset '{mapping.target}'"),
                         Bilingual("la grille importée doit porter l'id nommé par `to:` de la correspondance",
                                   "the imported grid must carry the id named by the mapping's `to:`"))
    old_ids = {c.id for c in before_engine.library.rulesets[mapping.source].model.criteria}
    new_ids = {c.id for c in target.model.criteria}
    check_mapping(mapping, old_ids, new_ids)

    out = Path(output) if output else source_path.with_name(f"{source_path.stem}-{mapping.target}.yaml")
    if out.resolve() == source_path.resolve():
        raise InputError(str(out), Bilingual("le dossier migré remplacerait le dossier d'origine",
                                             "the migrated dossier would replace the original"),
                         Bilingual("choisissez un autre fichier avec -o : l'original n'est jamais modifié",
                                   "choose another file with -o: the original is never modified"))
    before_dossier = before_engine.dossier(source_path)
    _not_an_evidence_file(before_dossier, out)
    check_references(before_engine.library, before_dossier)
    data, changes = migrate_data(load_document(source_path).data, mapping, old_ids)
    _same_folder(data, source_path, out)
    text = _dossier_text(data, source_path, Path(mapping_file), mapping.target)
    after_dossier = after_engine.dossier_from_text(text, out.name, out.resolve().parent)
    check_references(after_engine.library, after_dossier)

    before = before_engine.evaluate(before_dossier, Options(date, (mapping.source,), integrity=compute_integrity(before_dossier)))
    after = after_engine.evaluate(after_dossier, Options(date, (mapping.target,), integrity=compute_integrity(after_dossier)))
    from raccord.engine.migrate import verdict_diff

    doc = verdict_diff(before_engine.result(before), after_engine.result(after), mapping)
    doc = {"format": doc.pop("format"), "as_of": date.isoformat(), "dossier": before_dossier.label,
           "input": str(source_path), "output": str(out), "grid": str(to_file or mapping.target),
           "mapping": str(mapping_file)} | doc | {"dossier_changes": [c.as_dict() for c in changes]}
    write_atomic(out, text)
    content = json.dumps(doc, ensure_ascii=False, indent=2) + "\n" if fmt == "json" else render_report(doc, lang)
    if report:
        write_atomic(Path(report), content)
    else:
        click.echo(content, nl=False)
    click.echo(w("summary", lang, mapped=len(doc["mapped"]), changed=doc["changed"], dropped=len(doc["dropped"]),
                 unmapped=len(doc["unmapped"]), new=len(doc["new"]), unmatched=len(doc["unmatched"])), err=True)


def _not_an_evidence_file(dossier: Any, out: Path) -> None:
    """`-o` naming one of the dossier's evidence files, or an earlier version of one, is refused
    before anything is evaluated: every writer of raccord refuses to overwrite evidence."""
    target = out.resolve()
    for item in dossier.file.evidence:
        for path in [item.path, *(old.path for old in item.history)]:
            if path and (dossier.base_dir / path).resolve() == target:
                raise InputError(str(out), Bilingual(
                    f"ce fichier est une preuve du dossier ({item.id}), il serait écrasé",
                    f"this file is evidence of the dossier ({item.id}), it would be overwritten"),
                    Bilingual("choisissez un autre fichier avec -o", "choose another file with -o"))


def _same_folder(data: dict[str, Any], source: Path, out: Path) -> None:
    """Evidence files are named relative to the dossier and may not leave its folder: a migrated
    dossier that has any is written beside the original."""
    if out.resolve().parent == source.resolve().parent:
        return
    if any(isinstance(i, dict) and i.get("path") for i in data.get("evidence") or []) or data.get("portfolio"):
        example = source.with_name(source.stem + '-' + out.stem + '.yaml')
        raise InputError(str(out), Bilingual("le dossier migré doit être écrit dans le répertoire de l'original",
                                             "the migrated dossier must be written in the original's folder"),
                         Bilingual(f"ses pièces sont rangées par rapport à {source.resolve().parent} ; par exemple -o {example}",
                                   f"its files are placed relative to {source.resolve().parent}; e.g. -o {example}"))


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _dossier_text(data: dict[str, Any], source: Path, mapping: Path, target: str) -> str:
    header = (f"# Migrated by `raccord migrate` from {source.name} with the mapping {mapping.name} (to {target}).\n"
              "# The original dossier is unchanged; its comments are not carried over.\n")
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


# ------------------------------------------------------------------------------------ the report


def render_report(doc: dict[str, Any], lang: str) -> str:
    lines = [w("title", lang, dossier=doc["dossier"], source=doc["from"], target=doc["to"], grid=doc["grid"],
               date=doc["as_of"]),
             w("written", lang, out=doc["output"]), ""]
    mapped = doc["mapped"]
    lines.append(w("mapped", lang, n=len(mapped), kept=sum(1 for m in mapped if m["kept"]), changed=doc["changed"]))
    for m in mapped:
        mark = " " if m["kept"] else "!"
        before = ", ".join(f"{cid} {t(st, lang)}" for cid, st in m["before"].items())
        after = ", ".join(f"{cid} {t(st, lang)}" for cid, st in m["after"].items())
        note = f" — {m['note']}" if m.get("note") else ""
        lines.append(f" {mark} {before} → {after}{note}")
    changed = [m for m in mapped if not m["kept"]]
    if changed:
        lines += ["", w("changed_head", lang) + " :" if lang == "fr" else w("changed_head", lang) + ":"]
        for m in changed:
            lines.append(f"  {', '.join(m['from'])} → {', '.join(m['to'])}")
            for cid, state in m["why"].items():
                lines.append(f"      {cid} {t(state['status'], lang)}{_why(state, lang)}")
    sections = [("dropped_head", [f"{d['id']} ({t(d['status'], lang) if d['status'] else '?'}) — {d['note']}"
                                  for d in doc["dropped"]]),
                ("unmapped_head", [f"{u['id']} ({t(u['status'], lang)}{_why(u, lang, inside=True)})" for u in doc["unmapped"]]),
                ("new_head", [f"{n['id']} ({t(n['status'], lang)}{_why(n, lang, inside=True)})" for n in doc["new"]]),
                ("unmatched_head", [f"{u['id']} ({t(u['status'], lang)}{_why(u, lang, inside=True)})"
                                    for u in doc["unmatched"]]),
                ("edits_head", [f"{c['where']} : {_edit(c, lang)}" if lang == "fr" else f"{c['where']}: {_edit(c, lang)}"
                                for c in doc["dossier_changes"]])]
    colon = " :" if lang == "fr" else ":"
    for key, items in sections:
        lines += ["", f"{w(key, lang)}{colon} " + (w("none", lang) if not items else "")]
        lines += [f"  {item}" for item in items]
    outcome = doc["outcome"]
    lines += ["", w("verdict", lang, before=_outcome(outcome["before"], lang), after=_outcome(outcome["after"], lang))]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _why(state: dict[str, Any], lang: str, inside: bool = False) -> str:
    bits = []
    for key in ("missing_evidence", "missing_facts"):
        if state.get(key):
            bits.append(w(key, lang, ids=", ".join(state[key])))
    if state.get("declined"):
        bits.append(w("declined_word", lang))
    if state.get("justification"):
        bits.append(w("justification", lang))
    if state.get("evidence_problems"):
        bits.append(w("evidence_problems", lang, ids=", ".join(f"{p['id']} ({t(p['state'], lang)})"
                                                              for p in state["evidence_problems"])))
    if not bits:
        return ""
    return ("; " if inside else " — ") + "; ".join(bits)


def _edit(change: dict[str, Any], lang: str) -> str:
    ids = change["ids"]
    return w(change["code"], lang, a=", ".join(ids[:1] if change["code"] != "item_removed" else ids),
             b=", ".join(ids[1:]), others=", ".join(change.get("others", [])))


def _outcome(outcome: dict[str, Any] | None, lang: str) -> str:
    if not outcome:
        return "—"
    parts = []
    if outcome.get("decision"):
        parts.append(t(outcome["decision"], lang))
    level = outcome.get("level")
    if isinstance(level, list) and len(level) == 2:
        parts.append(f"{t('level', lang).lower()} " + t("level_range", lang, cur=level[0], best=level[1]))
    score = outcome.get("score")
    if isinstance(score, list) and len(score) == 2:
        parts.append(t("score_range", lang, cur=f"{score[0]:.0%}", best=f"{score[1]:.0%}"))
    return ", ".join(parts) or "—"


def check_mapping_file(file: str, rulesets_dir: str | None, ruleset_files: tuple[str, ...]) -> None:
    """`raccord validate MAPPING.yaml`: its structure and its `from` ids against the library; its
    targets too when `--ruleset-file` gives the other grid."""
    from raccord.engine.migrate import check_mapping, read_mapping, unknown_ruleset

    from .context import library_from

    mapping = read_mapping(Path(file))
    base = library_from(rulesets_dir, ())
    if mapping.source not in base.rulesets:
        raise unknown_ruleset(mapping, "from", base.rulesets)
    old = {c.id for c in base.rulesets[mapping.source].model.criteria}
    grid = library_from(rulesets_dir, ruleset_files).rulesets.get(mapping.target) if ruleset_files else None
    targets = {t for e in mapping.entries for t in e.targets} | set(mapping.new)
    check_mapping(mapping, old, {c.id for c in grid.model.criteria} if grid else targets)
    click.echo(f"{file}: ok — mapping {mapping.source} -> {mapping.target}, {len(mapping.entries)} entries"
               + ("" if grid else " (targets not checked: give the imported grid with --ruleset-file)"))


def register(cli: click.Group) -> None:
    cli.add_command(migrate_command)
