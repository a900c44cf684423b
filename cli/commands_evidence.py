"""`raccord evidence add` (register a file) and `raccord verify` (check the register or a received bundle).

How `evidence add` edits the dossier: a YAML dossier is edited as text, never re-serialised, so the
user's comments, key order and formatting stay as they are. The new item is inserted after the last
item of the top-level `evidence:` list (with the list's own indentation), or a new `evidence:` list
is created. The result is then parsed and validated as a whole (and compared with the intended
change) before anything is written. A JSON dossier is rewritten (JSON has no comments).

Backups: before the dossier is replaced, its previous bytes are written next to it as
`<name>.bak-<UTC timestamp YYYYMMDDTHHMMSSZ>` (`-2`, `-3`... appended if that name exists). Both
writes are atomic (temporary file + rename); backups are never deleted by raccord.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import click
import yaml

from raccord.engine import Bilingual, Dossier, InputError, Library, build_dossier, load_dossier
from raccord.engine.attribution import attribute_problems
from raccord.engine.conditions import evidence_kinds
from raccord.engine.evaluate import check_references
from raccord.engine.model import to_data
from raccord.engine.source_files import parse_json, parse_yaml, read_text
from raccord.engine.suggest import did_you_mean

from .context import EXIT_VERIFY_FAILED, common_as_of, common_lang, library_from, library_options, parse_date
from .i18n import colon, label, t
from .integrity import (
    MISSING_FILE,
    MODIFIED,
    OK,
    OUTSIDE_DOSSIER,
    ItemReport,
    check_files,
    date_state,
    integrity_problems,
    relative_to_dossier,
    sha256_file,
    w,
)
from .output import write_atomic

# ---------------------------------------------------------------------------------------------------
# evidence add


def expected_kinds(library: Library) -> dict[str, set[str]]:
    """Evidence kind -> criteria that expect it (declared `evidence:` or read by an evidence condition)."""
    out: dict[str, set[str]] = {}
    for cid, crit in library.criteria.items():
        kinds = {e.kind for e in crit.model.evidence} | set(evidence_kinds(crit.requires_node))
        if crit.applies_node is not None:
            kinds |= set(evidence_kinds(crit.applies_node))
        for kind in kinds:
            out.setdefault(kind, set()).add(cid)
    return out


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


def next_id(dossier: Dossier) -> str:
    """EV-NNN after the highest existing EV number (width kept)."""
    best, width = 0, 3
    for item in dossier.file.evidence:
        match = re.fullmatch(r"EV-(\d+)", item.id)
        if match:
            best = max(best, int(match.group(1)))
            width = max(width, len(match.group(1)))
    return f"EV-{best + 1:0{width}d}"


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./ -]*[A-Za-z0-9_./-]|[A-Za-z0-9_]")


def _yaml_scalar(value: Any) -> str:
    """A YAML value that reads back exactly as `value`: plain when unambiguous, else JSON-quoted."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    if isinstance(value, str) and _PLAIN.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def item_yaml_lines(item: dict[str, Any], indent: str, newline: str) -> list[str]:
    lines = []
    for i, (key, value) in enumerate(item.items()):
        prefix = f"{indent}- " if i == 0 else f"{indent}  "
        if isinstance(value, dict):
            lines.append(f"{prefix}{key}:{newline}")
            lines += [f"{indent}    {k}: {_yaml_scalar(v)}{newline}" for k, v in value.items()]
        else:
            lines.append(f"{prefix}{key}: {_yaml_scalar(value)}{newline}")
    return lines


def _top_key(key: str) -> re.Pattern:
    return re.compile(rf"^{key}[ \t]*:[ \t]*(?P<rest>[^#\r\n]*?)[ \t]*(?:#.*)?(?:\r?\n)?$")


def insert_yaml_item(text: str, item: dict[str, Any], where: str, key: str = "evidence") -> str:
    """Insert one item into the top-level list `key` of a YAML file's text, keeping everything else byte for byte."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    top = _top_key(key)
    start = next((i for i, line in enumerate(lines) if top.match(line)), None)
    if start is None:
        return "".join(lines) + f"{key}:{newline}" + "".join(item_yaml_lines(item, "", newline))
    rest = top.match(lines[start]).group("rest")
    if rest == "[]":
        new = [f"{key}:{newline}"] + item_yaml_lines(item, "", newline)
        return "".join(lines[:start] + new + lines[start + 1:])
    if rest:
        raise InputError(where, Bilingual(f"la liste « {key}: » est écrite en ligne ; raccord ne peut pas y ajouter sans risque",
                                          f"the `{key}:` list is written inline; raccord cannot append to it safely"),
                         Bilingual("écrire un élément par ligne (style bloc), puis recommencer",
                                   "write the list one item per line (block style), then retry"))
    end = start + 1  # first line after the block
    indent = None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if stripped and not line[0].isspace() and not line.startswith(("-", "#")):
            break
        if line.startswith(("---", "...")):
            break
        if stripped and not stripped.startswith("#"):
            end = i + 1
            if indent is None and stripped.startswith("-"):
                indent = line[: len(line) - len(line.lstrip())]
    new = item_yaml_lines(item, indent or "", newline)
    return "".join(lines[:end] + new + lines[end:])


def _backup_path(path: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    return candidate


def add_evidence(library: Library, dossier_path: Path, file: Path, kind: str, criteria: list[str],
                 collected: dt.date, expires: dt.date | None, author: str | None, item_id: str | None,
                 note: str | None, now: dt.datetime) -> tuple[dict[str, Any], Path]:
    """Register `file` in the dossier; returns the new item and the backup path."""
    dossier = load_dossier(dossier_path, library.catalogue)
    check_references(library, dossier)
    kinds = expected_kinds(library)
    if kind not in kinds:
        raise InputError("--kind", f"unknown evidence kind '{kind}': no criterion expects it",
                         did_you_mean(kind, kinds, "`raccord rulesets show ID` lists what criteria expect"))
    if not criteria:
        raise InputError("--criteria", "give at least one criterion id", f"criteria expecting '{kind}': "
                         + ", ".join(sorted(kinds[kind])[:8]))
    for cid in criteria:
        if cid not in library.criteria:
            raise InputError("--criteria", f"unknown criterion '{cid}'",
                             did_you_mean(cid, library.criteria, "`raccord rulesets show ID` lists criteria"))
        if cid not in kinds[kind]:
            wanted = sorted(k for k, ids in kinds.items() if cid in ids)
            raise InputError("--criteria", f"criterion '{cid}' does not expect evidence of kind '{kind}'",
                             "it expects: " + (", ".join(wanted) or "no evidence"))
    if not file.exists():
        raise InputError(str(file), "file not found", "check the path")
    rel = relative_to_dossier(dossier.base_dir, file)
    if not file.is_file():
        raise InputError(str(file), "is not a regular file")
    for existing in dossier.file.evidence:
        if existing.path == rel and existing.kind == kind:
            raise InputError(str(file), f"already registered as {existing.id} (kind {kind})",
                             "edit that item's criteria in the dossier instead")
    item_id = item_id or next_id(dossier)
    if any(e.id == item_id for e in dossier.file.evidence):
        raise InputError("--id", f"evidence id '{item_id}' is already used", f"next free: {next_id(dossier)}")
    digest, size = sha256_file(file)
    item: dict[str, Any] = {"id": item_id, "kind": kind, "criteria": criteria, "path": rel, "sha256": digest,
                            "size": size, "collected": collected}
    if expires is not None:
        item["expires"] = expires
    if author:
        item["author"] = author
    if note:
        item["note"] = note
    item["auditor"] = {"status": "pending"}

    original = dossier_path.read_bytes()
    text = read_text(dossier_path)
    if dossier_path.suffix.lower() == ".json":
        data = json.loads(text)
        data.setdefault("evidence", []).append({k: (v.isoformat() if isinstance(v, dt.date) else v)
                                                for k, v in item.items()})
        new_text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        located = parse_json(new_text, str(dossier_path))
    else:
        new_text = insert_yaml_item(text, item, str(dossier_path))
        located = parse_yaml(new_text, str(dossier_path))
    # The whole new file must validate, and differ from the old one by exactly this item.
    updated = build_dossier(located, library.catalogue, dossier_path)
    check_references(library, updated)
    if updated.file.evidence[:-1] != dossier.file.evidence or updated.file.evidence[-1].id != item_id \
            or dataclasses.replace(updated.file, evidence=dossier.file.evidence) != dossier.file:
        raise InputError(str(dossier_path), "could not append the item without changing something else",
                         "add it by hand; nothing was written")
    backup = _backup_path(dossier_path, now)
    write_atomic(backup, original)
    write_atomic(dossier_path, new_text)
    return item, backup


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
        where = item.get("path") or item.get("url") or "-"
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
        out.append(f"{counts['problems']} {w('problems', lang)}")
    return "\n".join(out) + "\n"


def register(cli: click.Group) -> None:
    @cli.group()
    def evidence() -> None:
        """Gérer le registre des preuves du dossier."""

    @evidence.command("add")
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @click.argument("file", type=click.Path())
    @click.option("--kind", required=True, metavar="KIND", help="Evidence kind (as expected by the criteria).")
    @click.option("--criteria", "criteria", multiple=True, required=True, metavar="ID[,ID]",
                  help="Criteria this file supports (comma-separated or repeated).")
    @click.option("--collected", metavar="DATE", help="Date the document was collected (default: today).")
    @click.option("--expires", metavar="DATE", help="Date the document stops being valid.")
    @click.option("--author", metavar="ROLE", help="Who produced it (a role, e.g. « Coordinatrice écoprod »).")
    @click.option("--id", "item_id", metavar="ID", help="Evidence id (default: the next EV-NNN).")
    @click.option("--note", metavar="TEXT", help="A note for the auditor.")
    @library_options
    def evidence_add(dossier, file, kind, criteria, collected, expires, author, item_id, note, rulesets_dir,
                     ruleset_files):
        """Enregistrer un fichier comme preuve (chemin relatif, sha256, taille, date), sans le déplacer."""
        library = library_from(rulesets_dir, ruleset_files)
        now = dt.datetime.now(dt.UTC)
        collected_date = _date_option(collected, "--collected") or now.date()
        item, backup = add_evidence(library, Path(dossier), Path(file), kind, _split_criteria(criteria),
                                    collected_date, _date_option(expires, "--expires"), author, item_id, note, now)
        click.echo(f"{item['id']} : {item['path']} ({item['kind']}, {item['size']} octets, sha256 {item['sha256'][:16]}…) "
                   f"→ {', '.join(item['criteria'])}")
        click.echo(f"sauvegarde de l'ancien dossier : {backup}")

    @cli.command()
    @click.argument("target", type=click.Path(dir_okay=False))
    @common_as_of
    @common_lang
    @click.option("--ruleset", "rulesets", multiple=True, metavar="ID",
                  help="Measure changes only on this ruleset (repeatable).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("-a", "--all", "show_all", is_flag=True, help="List every item, not only problems and warnings.")
    @library_options
    def verify(target, as_of, lang, rulesets, fmt, show_all, rulesets_dir, ruleset_files):
        """Vérifier les preuves d'un dossier (fichiers, empreintes, dates) ou un paquet d'audit reçu (.zip).

        Exit code 3 when a file is missing, modified, outside the dossier folder or expired
        (for a bundle: a file missing, extra or modified against its manifest).
        """
        from .commands_bundle import is_bundle, render_bundle_check, verify_bundle

        path = Path(target)
        if is_bundle(path):
            result = verify_bundle(path)
            content = json.dumps(result, ensure_ascii=False, indent=2) + "\n" if fmt == "json" \
                else render_bundle_check(result, lang)
        else:
            library = library_from(rulesets_dir, ruleset_files)
            dossier = load_dossier(path, library.catalogue)
            result = verify_dossier(library, dossier, parse_date(as_of), list(rulesets) or None)
            content = json.dumps(result, ensure_ascii=False, indent=2) + "\n" if fmt == "json" \
                else render_verify(result, lang, show_all)
        click.echo(content, nl=False)
        if not result["ok"]:
            raise SystemExit(EXIT_VERIFY_FAILED)
