"""Small in-memory rulesets and dossiers for unit tests of the engine."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from raccord.engine import build_dossier
from raccord.engine.loader import build_library, validate_ruleset
from raccord.engine.model import FactDef, validate_model
from raccord.engine.source_files import Located, parse_yaml

FACTS = {
    "work.type": {"type": "enum", "values": ["long_metrage", "court_metrage", "film_publicitaire"],
                  "title": {"fr": "Type", "en": "Type"}},
    "work.live_action": {"type": "boolean", "title": {"fr": "PVR", "en": "Live action"}},
    "company.headcount": {"type": "integer", "min": 0, "title": {"fr": "Effectif", "en": "Headcount"}},
    "team.women": {"type": "integer", "min": 0, "title": {"fr": "Femmes", "en": "Women"}},
    "team.total": {"type": "integer", "min": 0, "title": {"fr": "Total", "en": "Total"}},
    "dates.first_shooting_day": {"type": "date", "title": {"fr": "1er jour", "en": "First day"}},
    "dates.wrap": {"type": "date", "title": {"fr": "Fin", "en": "Wrap"}},
    "work.regions": {"type": "set", "values": ["corse", "grand_est"], "title": {"fr": "Régions", "en": "Regions"}},
    "scheme": {"type": "enum", "values": ["performance", "commitment_phase"], "title": {"fr": "Dispositif", "en": "Scheme"}},
}

HEADER = """
title: {fr: Test, en: Test}
version: "1"
sources: [{id: src, title: "Source de test"}]
groups: [{id: g, title: {fr: Groupe, en: Group}}]
"""


def criterion(cid: str, requires: str, **extra: Any) -> str:
    lines = [f"- id: {cid}", f"  title: {{fr: '{cid}', en: '{cid}'}}", "  group: g", f"  requires: {requires}",
             "  source: {document: src, section: '§1'}", "  provenance: reconstructed"]
    evidence = extra.pop("evidence", None)
    if evidence:
        lines.append("  evidence:")
        for kind in evidence:
            lines.append(f"    - {{kind: {kind}, description: {{fr: 'pièce {kind}', en: '{kind} document'}}}}")
    for key, value in extra.items():
        lines.append(f"  {key}: {value}")
    return "\n".join(lines)


def ruleset_yaml(rid: str, policy: str, criteria: list[str], extra: str = "") -> str:
    body = textwrap.dedent(HEADER).strip()
    return f"id: {rid}\n{body}\npolicy: {policy}\n{extra}\ncriteria:\n" + "\n".join(criteria) + "\n"


def library_of(*texts: str, facts: dict | None = None):
    catalogue = {name: validate_model(FactDef, Located(spec, "facts.yaml")) for name, spec in (facts or FACTS).items()}
    documents = []
    for i, text in enumerate(texts):
        located = parse_yaml(text, f"ruleset{i}.yaml")
        documents.append((located, validate_ruleset(located), None))
    return build_library(catalogue, documents)


def dossier_of(library, facts: dict | None = None, evidence: list[dict] | None = None, **extra: Any):
    data = {"format": "raccord.dossier/1", "production": {"id": "test", "title": "Test"},
            "facts": facts or {}, "evidence": evidence or [], **extra}
    return build_dossier(Located(data, "dossier.yaml"), library.catalogue, None)


DAY = dt.date(2025, 6, 1)


def requires(available: bool, what: str, install: str):
    """Skip a test whose tool or service is missing, but only outside CI: `.ci/run` installs and starts
    everything the suite needs (and sets CI=true), so there a missing tool fails the test instead."""
    import os

    import pytest

    missing_here = not available and not os.environ.get("CI")
    return pytest.mark.skipif(missing_here, reason=f"{what} is not available here ({install}); CI installs it")
