"""Synthetic dossiers for benchmarks: random but valid facts and evidence over the loaded catalogue."""

from __future__ import annotations

import datetime as dt
import random
import re

from raccord.engine import Library, build_dossier
from raccord.engine.consistency import disagreements
from raccord.engine.source_files import Located


def random_value(fact, rng: random.Random):
    if fact.type == "boolean":
        return rng.random() < 0.75
    if fact.type in ("integer", "number"):
        low = int(fact.min or 0)
        high = int(fact.max) if fact.max is not None else low + 60
        return rng.randint(low, high)
    if fact.type == "date":
        return dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 400))
    if fact.type == "enum":
        return rng.choice(fact.values)
    if fact.type == "set":
        return rng.sample(fact.values, k=rng.randint(0, min(3, len(fact.values))))
    if fact.type == "collection":  # a roster of a few members (refs as its pattern wants: P-001, E-01)
        shape = re.fullmatch(r"\^([A-Z]+)-\[0-9\]\{(\d)\}\$", fact.ref_pattern)
        prefix, digits = (shape.group(1), int(shape.group(2))) if shape else ("M", 3)
        members = [{"ref": f"{prefix}-{i:0{digits}d}"} | {name: random_value(spec, rng) for name, spec in fact.fields.items()
                                                          if rng.random() < 0.8} for i in range(1, rng.randint(1, 6))]
        return {"complete": rng.random() < 0.7, "members": members}
    return "texte"


def synthetic_dossier(library: Library, seed: int, unknown_share: float = 0.1, evidence_share: float = 0.8):
    rng = random.Random(seed)
    facts = {name: random_value(fact, rng) for name, fact in library.catalogue.items() if rng.random() > unknown_share}
    facts["work.live_action"] = True
    while found := disagreements(facts, library.catalogue, str):  # facts that must agree (facts.yaml `agrees`)
        for error in found:
            facts.pop(error.where, None)
    kinds = sorted({e.kind for c in library.criteria.values() for e in c.model.evidence})
    refs = [m["ref"] for value in facts.values() if isinstance(value, dict) for m in value["members"]]
    evidence = []
    for i, kind in enumerate(kinds):
        if rng.random() < evidence_share:
            collected = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
            item = {"id": f"EV-{i:03d}", "kind": kind, "collected": collected}
            if rng.random() < 0.1:
                item["expires"] = collected + dt.timedelta(days=90)
            if refs and rng.random() < 0.3:  # an item about one person of a roster
                item["member"] = rng.choice(refs)
            evidence.append(item)
    data = {"format": "raccord.dossier/1", "production": {"id": f"synthetique-{seed}", "title": f"Synthétique {seed}"},
            "facts": facts, "evidence": evidence}
    return build_dossier(Located(data, f"synthetic-{seed}.yaml"), library.catalogue, None)
