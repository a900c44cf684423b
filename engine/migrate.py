"""Moving a dossier from one grid of a referential to another: a mapping file (`raccord.mapping/1`,
docs/migrate.md) from the criterion ids of the grid the dossier was written against (a reconstructed
grid) to those of the other (the official grid once imported), the dossier's references to them
rewritten, and what changed in the verdict between the two evaluations.

Pure: the mapping is read and checked against the two libraries' criteria, the dossier's data is
rewritten as data, and the verdicts are compared as two result documents; the caller evaluates and
writes. Knows no referential by name.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Bilingual, InputError
from .source_files import Located, load_document
from .suggest import suggested

FORMAT = "raccord.mapping/1"
KEYS = {"format", "from", "to", "description", "map", "dropped", "new"}
ENTRY_KEYS = {"from", "to", "note"}
HINT = "voir docs/migrate.md"


@dataclass(frozen=True)
class Entry:
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # () when dropped
    note: str | None
    path: tuple  # where it is in the mapping file

    @property
    def kind(self) -> str:
        if not self.targets:
            return "dropped"
        if len(self.sources) > 1:
            return "many_to_one"
        return "one_to_many" if len(self.targets) > 1 else "one_to_one"


@dataclass(frozen=True)
class Mapping:
    source: str  # the ruleset the dossier was written against
    target: str  # the ruleset of the other grid
    entries: tuple[Entry, ...]
    new: tuple[str, ...]  # criteria of the target with no counterpart, said to be new
    located: Located

    def targets_of(self, cid: str) -> tuple[str, ...] | None:
        """The ids `cid` becomes (() when dropped), None when the mapping does not name it."""
        return next((e.targets for e in self.entries if cid in e.sources), None)

    def sources_of(self, cid: str) -> tuple[str, ...]:
        return tuple(s for e in self.entries if cid in e.targets for s in e.sources)

    @property
    def named(self) -> set[str]:
        return {s for e in self.entries for s in e.sources}


# ------------------------------------------------------------------------------------ reading


def unknown_ruleset(mapping: Mapping, key: str, known: Any) -> InputError:
    """The mapping's `from:` (or `to:`) names no ruleset of the library."""
    rid = mapping.source if key == "from" else mapping.target
    names = ", ".join(known)
    return InputError(mapping.located.where((key,)), Bilingual(f"référentiel inconnu « {rid} »", f"unknown ruleset '{rid}'"),
                      Bilingual(f"référentiels : {names}", f"rulesets: {names}"))


def read_mapping(path: Path) -> Mapping:
    """A mapping file, its structure checked (every error at its `file:line:col`)."""
    located = load_document(path)
    data = located.data

    def fail(where: tuple, message: str, hint: str = HINT) -> InputError:
        return InputError(located.where(where), message, hint)

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise fail(("format",), f"format : « {FORMAT} » attendu", "la première clé d'un fichier de correspondance")
    for key in data:
        if key not in KEYS:
            raise fail((key,), f"clé inconnue « {key} »", "clés : " + ", ".join(sorted(KEYS)))
    for key in ("from", "to"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise fail((key,) if key in data else (), f"« {key} » : l'identifiant d'un référentiel est attendu")
    entries: list[Entry] = []
    raw_map = data.get("map", [])
    if not isinstance(raw_map, list):
        raise fail(("map",), "« map » est une liste de correspondances {from: ID, to: ID}")
    for i, item in enumerate(raw_map):
        where = ("map", i)
        if not isinstance(item, dict) or "from" not in item or "to" not in item:
            raise fail(where, "une correspondance a la forme {from: ID, to: ID} (ou des listes d'identifiants)")
        for key in item:
            if key not in ENTRY_KEYS:
                raise fail((*where, key), f"clé inconnue « {key} »", "clés : from, to, note")
        sources, targets = _ids(item["from"], (*where, "from"), fail), _ids(item["to"], (*where, "to"), fail)
        if not targets:
            raise fail((*where, "to"), "« to » est vide", "un critère abandonné s'écrit sous `dropped:`")
        if len(sources) > 1 and len(targets) > 1:
            raise fail(where, "plusieurs critères vers plusieurs critères : correspondance ambiguë",
                       "écrivez une correspondance par critère de départ, ou une par critère d'arrivée")
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise fail((*where, "note"), "« note » est un texte")
        entries.append(Entry(sources, targets, note, where))
    dropped = data.get("dropped", {})
    if not isinstance(dropped, dict):
        raise fail(("dropped",), "« dropped » associe à chaque critère abandonné sa raison : {ID: raison}")
    for cid, why in dropped.items():
        if not isinstance(why, str) or not why.strip():
            raise fail(("dropped", cid), f"« {cid} » : la raison de l'abandon est un texte non vide")
        entries.append(Entry((str(cid),), (), why, ("dropped", cid)))
    new = _ids(data.get("new", []), ("new",), fail)
    return Mapping(data["from"], data["to"], tuple(entries), new, located)


def _ids(value: Any, where: tuple, fail) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    for j, cid in enumerate(items):
        if not isinstance(cid, str) or not cid.strip():
            raise fail((*where, j) if isinstance(value, list) else where, "un identifiant de critère est attendu")
    return tuple(items)


def check_mapping(mapping: Mapping, old: set[str], new: set[str]) -> None:
    """Every id named exists on its side, and no criterion is mapped twice. `old`: the criteria of
    the ruleset the dossier was written against; `new`: those of the other grid."""
    where = mapping.located.where
    seen: dict[str, Entry] = {}
    for entry in mapping.entries:
        for j, cid in enumerate(entry.sources):
            at = (*entry.path, "from", j) if len(entry.sources) > 1 else (*entry.path, "from")
            if entry.path[0] == "dropped":
                at = entry.path
            if cid not in old:
                raise InputError(where(at), Bilingual(f"« {cid} » n'est pas un critère de {mapping.source}",
                                                      f"'{cid}' is not a criterion of {mapping.source}"),
                                 suggested(cid, old, Bilingual(f"les critères de {mapping.source} : raccord rulesets show "
                                                               f"{mapping.source}", f"the criteria of {mapping.source}: "
                                                               f"raccord rulesets show {mapping.source}")))
            if cid in seen:
                first = seen[cid]
                same = first.targets == entry.targets
                raise InputError(where(at), Bilingual(
                    f"« {cid} » est mis en correspondance deux fois"
                    + ("" if same else f", différemment : {_targets(first)} puis {_targets(entry)}"),
                    f"'{cid}' is mapped twice" + ("" if same else f", differently: {_targets(first)} then {_targets(entry)}")),
                    Bilingual(f"première fois en {where(first.path)} ; gardez-en une",
                              f"first at {where(first.path)}; keep one"))
            seen[cid] = entry
        for j, cid in enumerate(entry.targets):
            if cid not in new:
                at = (*entry.path, "to", j) if len(entry.targets) > 1 else (*entry.path, "to")
                raise InputError(where(at), not_in_grid(cid, mapping.target),
                                 suggested(cid, new, Bilingual("le critère d'arrivée doit exister dans la grille importée",
                                                               "the target criterion must exist in the imported grid")))
    targets = {t for e in mapping.entries for t in e.targets}
    for j, cid in enumerate(mapping.new):
        if cid not in new:
            raise InputError(where(("new", j)), not_in_grid(cid, mapping.target),
                             suggested(cid, new, Bilingual("un critère nouveau doit exister dans la grille importée",
                                                           "a new criterion must exist in the imported grid")))
        if cid in targets:
            raise InputError(where(("new", j)), Bilingual(f"« {cid} » est dit nouveau mais des critères y correspondent",
                                                          f"'{cid}' is said new but criteria map to it"),
                             Bilingual("retirez-le de `new:` ou de `map:`", "remove it from `new:` or from `map:`"))


def _targets(entry: Entry) -> str:
    return ", ".join(entry.targets) if entry.targets else "abandonné"


# ------------------------------------------------------------------------------------ the dossier


@dataclass(frozen=True)
class Change:
    """One edit of the dossier: `where` in it (`declined.<id>`, `evidence.<item id>`), what was
    done (`code`) and the ids concerned; the front end words it."""

    where: str
    code: str  # moved, carried, removed_dropped, removed_unmapped, not_carried, item_removed
    ids: tuple[str, ...] = ()
    others: tuple[str, ...] = ()  # not_carried: the sources not declared

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "code": self.code, "ids": list(self.ids)} | (
            {"others": list(self.others)} if self.others else {})


def migrate_data(data: dict[str, Any], mapping: Mapping, old: set[str]) -> tuple[dict[str, Any], list[Change]]:
    """The dossier's data with every reference to a criterion of `old` (the source ruleset's ids)
    replaced by its counterparts; references to other rulesets are kept. The input is not changed."""
    out = copy.deepcopy(data)
    changes: list[Change] = []
    for section in ("not_applicable", "declined"):
        if isinstance(out.get(section), dict):
            out[section] = _declarations(out[section], section, mapping, old, changes)
            if not out[section]:
                del out[section]
    kept = []
    for i, item in enumerate(out.get("evidence") or []):
        named = item.get("criteria") if isinstance(item, dict) else None
        if not named:
            kept.append(item)
            continue
        where = f"evidence.{item.get('id', i)}"
        ids: list[str] = []
        for cid in named:
            if cid not in old:
                ids.append(cid)
                continue
            targets = mapping.targets_of(cid)
            ids.extend(t for t in targets or () if t not in ids)
            if not targets:
                changes.append(Change(where, "removed_dropped" if targets == () else "removed_unmapped", (cid,)))
            elif list(targets) != [cid]:
                changes.append(Change(where, "moved", (cid, *targets)))
        if ids:
            item["criteria"] = ids
            kept.append(item)
        else:  # an empty list would make it support every criterion of its kind
            changes.append(Change(where, "item_removed", tuple(named)))
    if "evidence" in out:
        out["evidence"] = kept
    return out, changes


def _declarations(declared: dict[str, Any], section: str, mapping: Mapping, old: set[str],
                  changes: list[Change]) -> dict[str, Any]:
    """`not_applicable` or `declined`: a target is declared when every source it comes from is."""
    out: dict[str, Any] = {}
    for cid, why in declared.items():
        if cid not in old:
            out[cid] = why
            continue
        where = f"{section}.{cid}"
        targets = mapping.targets_of(cid)
        if not targets:
            changes.append(Change(where, "removed_dropped" if targets == () else "removed_unmapped", (cid,)))
            continue
        for target in targets:
            sources = mapping.sources_of(target)
            missing = tuple(s for s in sources if s not in declared)
            if missing:
                changes.append(Change(where, "not_carried", (cid, target), missing))
            elif target not in out:
                out[target] = " ; ".join(dict.fromkeys(str(declared[s]) for s in sources))
                if target != cid:
                    changes.append(Change(where, "moved", (cid, target)))
    return out


# ------------------------------------------------------------------------------------ the verdict


def verdict_diff(before: dict[str, Any], after: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    """What the migration changed, from two result documents (`raccord.result/1`): the source
    ruleset's evaluation before, the target's after. Every mapped criterion with its statuses, and
    why when a status changed; the criteria left out on either side; the two outcomes."""
    old = _ruleset(before, mapping.source)
    new = _ruleset(after, mapping.target)
    old_c = {c["id"]: c for c in old["criteria"]} if old else {}
    new_c = {c["id"]: c for c in new["criteria"]} if new else {}
    mapped = []
    for entry in mapping.entries:
        if not entry.targets:
            continue
        statuses_before = {s: old_c[s]["status"] for s in entry.sources if s in old_c}
        statuses_after = {t: new_c[t]["status"] for t in entry.targets if t in new_c}
        changed = sorted({t for t, st in statuses_after.items() if any(st != b for b in statuses_before.values())})
        mapped.append({"from": list(entry.sources), "to": list(entry.targets), "kind": entry.kind,
                       "before": statuses_before, "after": statuses_after, "kept": not changed,
                       **({"note": entry.note} if entry.note else {}),
                       **({"why": {cid: _state(c[cid]) for c, ids in ((old_c, entry.sources), (new_c, changed))
                                   for cid in ids if cid in c}} if changed else {})})
    named, targets = mapping.named, {t for e in mapping.entries for t in e.targets}
    return {
        "format": "raccord.migration/1",
        "from": mapping.source,
        "to": mapping.target,
        "mapped": mapped,
        "changed": sum(1 for m in mapped if not m["kept"]),
        "dropped": [{"id": e.sources[0], "status": old_c.get(e.sources[0], {}).get("status"), "note": e.note}
                    for e in mapping.entries if not e.targets],
        "unmapped": [{"id": cid} | _state(c) for cid, c in old_c.items() if cid not in named],
        "new": [{"id": cid} | _state(new_c[cid]) for cid in mapping.new if cid in new_c],
        "unmatched": [{"id": cid} | _state(c) for cid, c in new_c.items() if cid not in targets and cid not in mapping.new],
        "outcome": {"before": _outcome(old), "after": _outcome(new)},
    }


STATE_KEYS = ("missing_evidence", "missing_facts", "declined", "justification", "evidence_problems", "status_reason")


def _state(entry: dict[str, Any]) -> dict[str, Any]:
    """What decides a criterion's status: its result entry's missing evidence and facts, declarations,
    evidence problems."""
    return {"status": entry["status"]} | {k: entry[k] for k in STATE_KEYS if entry.get(k)}


def _ruleset(document: dict[str, Any], rid: str) -> dict[str, Any] | None:
    return next((r for r in document.get("rulesets", []) if r["id"] == rid), None)


def _outcome(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    outcome = entry["outcome"]
    return {k: outcome[k] for k in ("decision", "reasons", "level", "project_level", "score", "stars") if k in outcome}


def not_in_grid(cid: str, grid: str) -> Bilingual:
    return Bilingual(f"« {cid} » n'est pas dans la grille {grid}", f"'{cid}' is not in the grid {grid}")

