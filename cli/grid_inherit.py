"""An official grid says what a criterion is, rarely how it is proven: when the import is given the
mapping from the reconstructed grid (`raccord grid import --mapping`, docs/migrate.md), an official
criterion whose row names no evidence kind and no condition takes the conditions of the
reconstructed criteria it corresponds to (their `requires`, evidence kinds, applicability, stage,
effort), so that a dossier written against the reconstruction keeps its statuses. Its wording,
number, level and « Justificatifs à fournir » stay the grid's; the criterion says where its
conditions come from in `assumption`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from raccord.engine import InputError, Library
from raccord.engine.errors import Bilingual
from raccord.engine.migrate import Mapping, check_mapping, read_mapping, unknown_ruleset

from .grid_rows import GridRow, RowNote


def read_import_mapping(path: Path, library: Library, ruleset_id: str) -> tuple[Mapping, dict[str, dict[str, Any]]]:
    """The mapping and the raw criteria of the ruleset it maps from, by id."""
    mapping = read_mapping(path)
    if mapping.source not in library.rulesets:
        raise unknown_ruleset(mapping, "from", library.rulesets)
    if mapping.target != ruleset_id:
        raise InputError(mapping.located.where(("to",)),
                         Bilingual(f"la correspondance mène à « {mapping.target} », "
                                   f"la grille importée est celle de « {ruleset_id} »",
                                   f"the mapping leads to '{mapping.target}', the imported grid is that of '{ruleset_id}'"),
                         Bilingual("corrigez `to:` ou --ruleset", "fix `to:` or --ruleset"))
    raw = yaml.safe_load(Path(library.rulesets[mapping.source].path).read_text(encoding="utf-8"))
    return mapping, {c["id"]: c for c in raw.get("criteria", [])}


def inherit_conditions(criteria: list[dict[str, Any]], rows: dict[int, GridRow], mapping: Mapping,
                       sources: dict[str, dict[str, Any]], notes: list[RowNote] | None) -> None:
    """Give each imported criterion that states no condition those of the criteria mapped to it."""
    check_mapping(mapping, set(sources), {c["id"] for c in criteria})
    for index, crit in enumerate(criteria):
        row = rows[index]
        origin = [sources[s] for s in mapping.sources_of(crit["id"])]
        if not origin or row.filled("requires") or row.filled("evidence_kind"):
            continue
        description = row.text("evidence")
        crit["requires"] = origin[0]["requires"] if len(origin) == 1 else {"all": [o["requires"] for o in origin]}
        evidence: dict[str, dict[str, Any]] = {}
        for o in origin:
            for spec in o.get("evidence", []):
                spec = dict(spec)
                if description:  # the official « Justificatifs à fournir » is the expected evidence's wording
                    spec["description"] = {"fr": description, "en": spec["description"].get("en", description)}
                evidence.setdefault(spec["kind"], spec)
        crit["evidence"] = list(evidence.values())
        if not row.filled("applies_if"):
            conditions = [o.get("applies_if") for o in origin]
            if all(c is not None for c in conditions):
                unique = [c for i, c in enumerate(conditions) if c not in conditions[:i]]
                crit["applies_if"] = unique[0] if len(unique) == 1 else {"any": unique}
                reason = origin[0].get("not_applicable_reason")
                if reason and len(unique) == 1:
                    crit["not_applicable_reason"] = reason
        if not row.filled("stage") and origin[0].get("stage"):
            crit["stage"] = origin[0]["stage"]
        if not row.filled("effort"):
            crit["effort"] = max(float(o.get("effort", 1.0)) for o in origin)
        if len(origin) == 1 and origin[0].get("due"):
            crit["due"] = origin[0]["due"]
        names = ", ".join(o["id"] for o in origin)
        file = Path(mapping.located.file).name
        crit["assumption"] = {
            "fr": f"Conditions (preuves, faits, applicabilité) reprises de {names} par la correspondance {file} : "
                  "l'intitulé et le niveau sont ceux de la grille, la façon de prouver reste à vérifier.",
            "en": f"Conditions (evidence, facts, applicability) taken from {names} through the mapping {file}: "
                  "the wording and level are the grid's, how it is proven remains to be checked.",
        }
        # keys in the ruleset format's usual order, for a readable file
        order = ["id", "title", "group", "description", "applies_if", "not_applicable_reason", "requires", "points",
                 "mandatory", "level", "evidence", "effort", "stage", "due", "source", "provenance", "assumption"]
        rebuilt = {k: crit[k] for k in order if k in crit} | {k: v for k, v in crit.items() if k not in order}
        crit.clear()
        crit.update(rebuilt)
        if notes is not None:
            notes.append(RowNote(row.number, f"{crit['id']} : conditions reprises de {names}", skipped=False))
