"""Which aid a production can claim, what blocks each scheme and what would settle it.

The analysis behind `raccord eligibility` (document `raccord.eligibility/1`), for any policy that
`makes_claims`: each blocking criterion with its source, the facts and evidence it lacks, the
outcome tests it failed (with the gaps per level of a levels outcome), and the criteria of other
rulesets it depends on, drilled four deep. Each criterion is explained once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import status as st
from .evaluate import Evaluation
from .findings import Unmet, criterion_findings
from .model import to_data
from .report import source_of

if TYPE_CHECKING:  # only annotations: defining the TypedDicts costs a cold `raccord check` 20 ms
    from .documents import Blocker, EligibilityDocument

FORMAT = "raccord.eligibility/1"
MAX_DEPTH = 4


def claim_rulesets(library) -> tuple[str, ...]:
    """The rulesets whose policy decides aid."""
    return tuple(rid for rid, rs in library.rulesets.items() if rs.policy.makes_claims)


def blocker_entry(evaluation: Evaluation, cid: str, depth: int = 0, seen: set[str] | None = None) -> Blocker:
    """A blocking criterion with its source and what would settle it, drilling into referenced criteria."""
    seen = seen if seen is not None else {cid}
    library = evaluation.library
    crit = library.criteria[cid]
    model = crit.model
    found = criterion_findings(evaluation, cid)
    unmet = [u for u in found.unmet if u.part == "requires" and u.needed]
    out: Blocker = {
        "criterion": cid,
        "ruleset": crit.ruleset,
        "title": to_data(model.title),
        "status": evaluation.status(cid),
        "source": source_of(library.rulesets[crit.ruleset], crit),
        "provenance": model.provenance,
        "missing_facts": list(found.missing_facts),
        "missing_evidence": list(found.missing_evidence),
        "evidence_expected": [{"kind": e.kind, "description": to_data(e.description)} | ({"stage": e.stage} if e.stage else {})
                              for e in model.evidence],
    }
    if cid in evaluation.dossier.file.declined:
        out["declined"] = evaluation.dossier.file.declined[cid]
    if model.assumption:
        out["assumption"] = to_data(model.assumption)
    failed_outcomes = [u for u in unmet if u.kind == "outcome"]
    if failed_outcomes:
        out["outcomes"] = [u.as_dict() | _gaps(evaluation, u) for u in failed_outcomes]
    if depth < MAX_DEPTH:
        refs = [u.ref for u in unmet if u.kind == "criterion"]
        refs = [ref for ref in dict.fromkeys(refs) if ref not in seen]
        seen.update(refs)
        out["because_of"] = [blocker_entry(evaluation, ref, depth + 1, seen) for ref in refs]
    return out


def _gaps(evaluation: Evaluation, test: Unmet) -> dict[str, Any]:
    """For a level test on an outcome with gaps per level: the criteria missing at each level up to the one expected."""
    rid, _, name = test.ref.partition(".")
    outcome = evaluation.ctx.outcomes.get(rid, {})
    if name not in ("level", "project_level") or "gaps" not in outcome or not isinstance(test.expected, int):
        return {}
    wanted = test.expected + (1 if test.test == "gt" else 0)
    gaps = {str(level): ids for level, ids in sorted(outcome["gaps"].items()) if level <= wanted}
    return {"gaps": gaps} if gaps else {}


def settle(blockers: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The facts to give and the evidence to supply that would decide an undetermined scheme."""
    facts: list[str] = []
    evidence: list[str] = []

    def visit(entry: dict[str, Any]) -> None:
        if entry["status"] != st.UNKNOWN:
            return
        facts.extend(f for f in entry["missing_facts"] if f not in facts)
        evidence.extend(e for e in entry["missing_evidence"] if e not in evidence)
        for child in entry.get("because_of", []):
            visit(child)

    for blocker in blockers:
        visit(blocker)
    return {"facts": facts, "evidence": evidence}


def eligibility_document(evaluation: Evaluation, version: str) -> EligibilityDocument:
    """Every scheme of the evaluated claim rulesets: decision, amount, blockers, what would settle it."""
    library = evaluation.library
    schemes: list[dict[str, Any]] = []
    low = high = 0.0
    for rid in evaluation.selected:
        rs = library.rulesets[rid]
        if not rs.policy.makes_claims:
            continue
        outcome = evaluation.outcome(rid)
        for claim in rs.policy.claims(rs, outcome):
            entry = {k: v for k, v in claim.items() if k not in ("not_met", "unknown")}
            entry["not_met"] = [blocker_entry(evaluation, c) for c in claim["not_met"]]
            entry["unknown"] = [blocker_entry(evaluation, c) for c in claim["unknown"]]
            entry["settle"] = settle(entry["unknown"]) if entry["decision"] == st.UNDETERMINED else {"facts": [], "evidence": []}
            schemes.append(entry)
        amount = rs.policy.amount_range(outcome) or (0.0, 0.0)
        low, high = low + amount[0], high + amount[1]
    production = evaluation.dossier.file.production
    doc: EligibilityDocument = {
        "format": FORMAT, "raccord_version": version, "as_of": evaluation.as_of.isoformat(),
        "dossier": {"id": production.id, "title": production.title, "company": production.company,
                    "path": str(evaluation.dossier.path) if evaluation.dossier.path else None},
        "schemes": schemes, "amount": [low, high],
    }
    if evaluation.assumed:
        doc["assumed"] = evaluation.assumed
    return doc
