"""The evidence register's lifecycle: add (a file or a URL), replace (a new version), remove, list.

How the dossier is edited: a YAML dossier is edited as text (cli/yaml_edit.py), never
re-serialised, so the user's comments, key order and formatting stay as they are; a JSON dossier
is rewritten (JSON has no comments). The result is parsed and validated as a whole, and compared
with the intended change, before it replaces the dossier atomically (temporary file + rename):
a failure leaves the dossier as it was, and no backup file is left in the user's folder. What a
replacement supersedes is kept in the item itself: its `history` lists every earlier version
(hash, size, path, date collected, author, when and by whom it was replaced, the auditor's inline
decision on it), oldest first.

Ids: new items get a time-ordered random id (`EV-` + ULID-style, cli/ids.py), so two people
registering evidence on copies of one dossier never pick the same id, and the copies merge by
concatenating their lists (git's `union` merge). Ids numbered `EV-NNN` stay valid.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from raccord.engine import Bilingual, Dossier, InputError, Library, build_dossier, load_dossier
from raccord.engine.conditions import evidence_kinds
from raccord.engine.dossier import EvidenceItem
from raccord.engine.evaluate import check_references
from raccord.engine.model import to_data
from raccord.engine.source_files import CHECK_PATH, NOT_FOUND, load_document, parse_json, parse_yaml, read_text
from raccord.engine.suggest import suggested

from .ids import new_id
from .integrity import relative_to_dossier, sha256_file
from .output import write_atomic
from .yaml_edit import insert_yaml_item, remove_yaml_item, update_yaml_item


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


def registered(item_id: str, kind: str) -> Bilingual:
    return Bilingual(f"déjà enregistré comme {item_id} (nature {kind})", f"already registered as {item_id} (kind {kind})")


def _check_kind_and_criteria(library: Library, kind: str, criteria: list[str]) -> None:
    kinds = expected_kinds(library)
    if kind not in kinds:
        raise InputError("--kind", Bilingual(f"nature de preuve inconnue « {kind} » : aucun critère ne l'attend",
                                             f"unknown evidence kind '{kind}': no criterion expects it"),
                         suggested(kind, kinds, Bilingual("`raccord rulesets show ID` liste ce qu'attendent les critères",
                                                           "`raccord rulesets show ID` lists what criteria expect")))
    if not criteria:
        expecting = ", ".join(sorted(kinds[kind])[:8])
        raise InputError("--criteria", Bilingual("donner au moins un identifiant de critère", "give at least one criterion id"),
                         Bilingual(f"critères qui attendent « {kind} » : {expecting}",
                                   f"criteria expecting '{kind}': {expecting}"))
    for cid in criteria:
        if cid not in library.criteria:
            raise InputError("--criteria", Bilingual(f"critère inconnu : « {cid} »", f"unknown criterion '{cid}'"),
                             suggested(cid, library.criteria, Bilingual("`raccord rulesets show ID` liste les critères",
                                                                         "`raccord rulesets show ID` lists criteria")))
        if cid not in kinds[kind]:
            wanted = sorted(k for k, ids in kinds.items() if cid in ids)
            raise InputError("--criteria", Bilingual(f"le critère « {cid} » n'attend pas de preuve de nature « {kind} »",
                                                     f"criterion '{cid}' does not expect evidence of kind '{kind}'"),
                             Bilingual("il attend : " + (", ".join(wanted) or "aucune preuve"),
                                       "it expects: " + (", ".join(wanted) or "no evidence")))


NOT_REGULAR = Bilingual("ce n'est pas un fichier ordinaire (un dossier, un tube nommé ou un périphérique)",
                        "not a regular file (a folder, a named pipe or a device)")
NOT_REGULAR_HINT = Bilingual("enregistrez le document lui-même, un fichier ordinaire",
                             "register the document itself, a regular file")


def _regular_file(file: Path) -> None:
    """A file to hash: there, and a regular file (a named pipe would wait for a writer forever)."""
    if not file.exists():
        raise InputError(str(file), NOT_FOUND, CHECK_PATH)
    if not file.is_file():
        raise InputError(str(file), NOT_REGULAR, NOT_REGULAR_HINT)


def _file_in_dossier(dossier: Dossier, file: Path) -> str:
    if not file.exists():
        raise InputError(str(file), NOT_FOUND, CHECK_PATH)
    rel = relative_to_dossier(dossier.base_dir, file)
    _regular_file(file)
    return rel


def _plain(value: Any) -> Any:
    """Dates as ISO text, in nested mappings and lists too (for JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _write(library: Library, dossier: Dossier, path: Path, edit_yaml: Callable[[str], str],
           edit_json: Callable[[list], None], expected: Callable[[Dossier], bool]) -> Dossier:
    """Apply one change to the dossier's text, check that the whole file validates and that it
    holds exactly the intended change (`expected`), then write it atomically."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        edit_json(data.setdefault("evidence", []))
        new_text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        located = parse_json(new_text, str(path))
    else:
        new_text = edit_yaml(text)
        located = parse_yaml(new_text, str(path))
    updated = build_dossier(located, library.catalogue, path)
    check_references(library, updated)
    if not expected(updated) or dataclasses.replace(updated.file, evidence=dossier.file.evidence) != dossier.file:
        raise InputError(str(path), Bilingual("impossible de faire ce changement sans toucher au reste du dossier",
                                              "could not make this change without changing something else"),
                         Bilingual("le faire à la main ; rien n'a été écrit", "do it by hand; nothing was written"))
    write_atomic(path, new_text, replaces_input=True)  # the dossier, rewritten on purpose
    return updated


def _positions(path: Path) -> dict:
    return load_document(path).positions or {}


def item_index(dossier: Dossier, item_id: str) -> int:
    """Where item `item_id` is in the register (a located error when it is not there)."""
    for i, item in enumerate(dossier.file.evidence):
        if item.id == item_id:
            return i
    raise InputError(item_id, Bilingual("preuve absente du registre du dossier", "not in the dossier's register"),
                     suggested(item_id, [e.id for e in dossier.file.evidence],
                               Bilingual("`raccord evidence list DOSSIER` liste les preuves",
                                         "`raccord evidence list DOSSIER` lists the evidence")))


# ---------------------------------------------------------------------------------------------------


def add_evidence(library: Library, dossier_path: Path, file: Path | None, kind: str, criteria: list[str],
                 collected: dt.date, expires: dt.date | None, author: str | None, item_id: str | None,
                 note: str | None, now: dt.datetime, url: str | None = None, seen: str | None = None,
                 copy: Path | None = None) -> dict[str, Any]:
    """Register `file` (or `url`: what was seen there, on `collected`, with where a saved `copy` of
    it is in the dossier folder, and its hash, if given) in the dossier; returns the new item."""
    dossier = load_dossier(dossier_path, library.catalogue)
    check_references(library, dossier)
    _check_kind_and_criteria(library, kind, criteria)
    item: dict[str, Any] = {"id": item_id or new_id("EV", now), "kind": kind, "criteria": criteria}
    if url is not None:
        if file is not None:
            raise InputError("--url", Bilingual("donner un fichier ou --url, pas les deux", "give a file or --url, not both"))
        if not url.startswith(("https://", "http://")):
            raise InputError("--url", Bilingual(f"adresse « {url} » invalide", f"invalid address '{url}'"),
                             Bilingual("une adresse https://…", "an https://… address"))
        if not seen:
            raise InputError("--seen", Bilingual("dire ce qui a été vu à cette adresse (--seen « … »)",
                                                 "say what was seen at this address (--seen '…')"))
        item["url"] = url
        if copy is not None:  # a saved copy in the dossier folder: `verify` and the bundle check it like a file
            item["copy"] = _file_in_dossier(dossier, copy)
            item["sha256"], item["size"] = sha256_file(copy)
    else:
        if file is None:
            raise InputError("evidence add", Bilingual("donner le fichier de la preuve, ou --url", "give the file, or --url"))
        rel = _file_in_dossier(dossier, file)
        for existing in dossier.file.evidence:
            if existing.path == rel and existing.kind == kind:
                raise InputError(str(file), registered(existing.id, kind),
                                 Bilingual(f"une nouvelle version : raccord evidence replace DOSSIER {existing.id} FICHIER",
                                           f"a new version: raccord evidence replace DOSSIER {existing.id} FILE"))
        item["path"] = rel
        item["sha256"], item["size"] = sha256_file(file)
    item["collected"] = collected
    if expires is not None:
        item["expires"] = expires
    if author:
        item["author"] = author
    if note:
        item["note"] = note
    if seen:
        item["seen"] = seen
    item["auditor"] = {"status": "pending"}
    if any(e.id == item["id"] for e in dossier.file.evidence):
        raise InputError("--id", Bilingual(f"l'identifiant de preuve « {item['id']} » est déjà pris",
                                           f"evidence id '{item['id']}' is already used"),
                         Bilingual("omettre --id : raccord en choisit un libre", "leave --id out: raccord picks a unique one"))
    old = dossier.file.evidence
    _write(library, dossier, dossier_path,
           lambda text: insert_yaml_item(text, item, str(dossier_path)),
           lambda items: items.append({k: _plain(v) for k, v in item.items()}),
           lambda new: new.file.evidence[:-1] == old and new.file.evidence[-1].id == item["id"])
    return item


def replace_evidence(library: Library, dossier_path: Path, item_id: str, file: Path, collected: dt.date,
                     expires: dt.date | None, author: str | None, today: dt.date) -> tuple[EvidenceItem, EvidenceItem]:
    """A new version of item `item_id`'s file: the item now names `file` (its hash, size, date,
    and `author`, unknown when not given); the previous version goes to the item's `history`.
    Returns (old item, new item)."""
    dossier = load_dossier(dossier_path, library.catalogue)
    check_references(library, dossier)
    index = item_index(dossier, item_id)
    old = dossier.file.evidence[index]
    if old.url and not old.path:
        raise InputError(item_id, Bilingual("preuve en ligne : pas de fichier à remplacer",
                                            "an online item has no file to replace"),
                         Bilingual("enregistrer ce qui est vu maintenant avec evidence add --url",
                                   "register what is seen now with evidence add --url"))
    rel = _file_in_dossier(dossier, file)
    digest, size = sha256_file(file)
    if digest == old.sha256 and rel == old.path:
        raise InputError(str(file), Bilingual(f"ce fichier est déjà la version enregistrée de {item_id}",
                                              f"this file is already the registered version of {item_id}"))
    for other in dossier.file.evidence:
        if other.id != item_id and other.path == rel and other.kind == old.kind:
            raise InputError(str(file), registered(other.id, old.kind))
    if expires is None and old.expires is not None and old.expires < collected:
        raise InputError("--expires", Bilingual(f"la version précédente expirait le {old.expires} : donner la date "
                                                "de fin de validité de la nouvelle", f"the previous version expired on "
                                                f"{old.expires}: give the new version's expiry date"))
    previous = {k: v for k, v in {"sha256": old.sha256, "size": old.size, "path": old.path, "collected": old.collected,
                                  "author": old.author, "replaced": today, "replaced_by": author}.items() if v is not None}
    if old.auditor.status != "pending" or old.auditor.by or old.auditor.reason:
        previous["auditor"] = to_data(old.auditor, exclude_none=True)
    history = [to_data(h, exclude_none=True) for h in old.history] + [previous]
    changes: dict[str, Any] = {"path": rel, "sha256": digest, "size": size, "collected": collected}
    if expires is not None:
        changes["expires"] = expires
    # Who produced the new version is not who produced the old one: without --author it is unknown
    # (the key goes), and the old author stays in the history with the old version.
    changes["author"] = author or None
    if "auditor" in previous:  # the auditor's decision was about the previous version
        changes["auditor"] = {"status": "pending"}
    changes["history"] = history
    expected_new = {"path": rel, "sha256": digest, "size": size, "collected": collected}

    def edit_json(items: list) -> None:
        entry = next(e for e in items if e.get("id") == item_id)
        entry.update({k: _plain(v) for k, v in changes.items() if v is not None})
        for k in [k for k, v in changes.items() if v is None]:
            entry.pop(k, None)

    def expected(new: Dossier) -> bool:
        got = new.file.evidence
        return (len(got) == len(dossier.file.evidence) and got[:index] == dossier.file.evidence[:index]
                and got[index + 1:] == dossier.file.evidence[index + 1:] and got[index].id == item_id
                and all(getattr(got[index], k) == v for k, v in expected_new.items())
                and len(got[index].history) == len(old.history) + 1)

    updated = _write(library, dossier, dossier_path,
                     lambda text: update_yaml_item(text, _positions(dossier_path), index, len(dossier.file.evidence), changes,
                                                   str(dossier_path)),
                     edit_json, expected)
    return old, updated.file.evidence[index]


def remove_evidence(library: Library, dossier_path: Path, item_id: str) -> EvidenceItem:
    """Take item `item_id` out of the register (its file is left where it is)."""
    dossier = load_dossier(dossier_path, library.catalogue)
    index = item_index(dossier, item_id)
    count = len(dossier.file.evidence)
    remaining = dossier.file.evidence[:index] + dossier.file.evidence[index + 1:]
    _write(library, dossier, dossier_path,
           lambda text: remove_yaml_item(text, _positions(dossier_path), index, count, str(dossier_path)),
           lambda items: items.pop(next(i for i, e in enumerate(items) if e.get("id") == item_id)),
           lambda new: new.file.evidence == remaining)
    return dossier.file.evidence[index]


def list_items(dossier: Dossier) -> list[dict[str, Any]]:
    """The register as `raccord evidence list` shows it (the auditor's decisions applied)."""
    from raccord.engine import review

    held = review.item_reviews(dossier)
    out = []
    for item in dossier.file.evidence:
        entry = {"id": item.id, "kind": item.kind, "criteria": list(item.criteria), "path": item.path, "url": item.url,
                 "copy": item.copy, "seen": item.seen, "sha256": item.sha256, "size": item.size,
                 "collected": _plain(item.collected),
                 "expires": _plain(item.expires), "author": item.author, "member": item.member, "note": item.note,
                 "review": held[item.id].as_dict(), "versions": len(item.history) + 1,
                 "history": [_plain(to_data(h, exclude_none=True)) for h in item.history]}
        out.append({k: v for k, v in entry.items() if v not in (None, [])})
    return out
