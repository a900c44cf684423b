"""YAML test cases next to each ruleset (OpenFisca style): a dossier, a date, expected results.

Format: docs/ruleset-format.md §8. `conftest.py` collects them with pytest; `run_case` is plain
Python so the same cases can run from anywhere.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import field
from pathlib import Path
from typing import Any

from .compiled import Library
from .dossier import Dossier, build_dossier
from .errors import Bilingual, InputError
from .evaluate import evaluate
from .model import NonEmpty, Strict, validate_model
from .record import record
from .report import missing_items, ruleset_entry
from .source_files import Located, load_document


@record
class Expect(Strict):
    statuses: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)  # criterion -> its reason codes, exactly (any order)
    outcome: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    stage: str | None = None  # the ruleset's current stage (id)
    missing: list[str] | None = None  # this ruleset's criteria in the `missing` list, in its order
    due_now: list[str] | None = None  # those of them due at the current stage (any order)
    error: str | None = None


@record
class DossierSpec(Strict):
    id: str | None = None
    base: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    evidence_all: bool = False
    drop_evidence: list[str] = field(default_factory=list)
    not_applicable: dict[str, str] = field(default_factory=dict)
    declined: dict[str, str] = field(default_factory=dict)


@record
class Case(DossierSpec):
    name: NonEmpty
    as_of: dt.date
    portfolio: list[str | DossierSpec] | None = None
    rulesets: list[str] = field(default_factory=list)
    assume: dict[str, str] = field(default_factory=dict)
    expect: Expect


def load_cases(path: Path) -> list[Case]:
    located = load_document(path)
    if not isinstance(located.data, list):
        raise InputError(located.where(), Bilingual("un fichier de tests est une liste de cas", "a test file is a list of cases"))
    return [validate_model(Case, located, (i,)) for i in range(len(located.data))]


def _flat(facts: dict[str, Any], catalogue: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in facts.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and name not in catalogue:  # a roster's mapping is one fact's value
            out.update(_flat(value, catalogue, name))
        else:
            out[name] = value
    return out


def _expected_kinds(library: Library, rulesets: list[str]) -> list[str]:
    kinds: list[str] = []
    for rid in rulesets:
        for crit in library.rulesets[rid].model.criteria:
            kinds += [e.kind for e in crit.evidence if e.kind not in kinds]
    return kinds


def build_case_dossier(spec: DossierSpec, library: Library, here: Path, rulesets: list[str], label: str) -> Dossier:
    if spec.base:
        base_path = (here / spec.base).resolve()
        data = copy.deepcopy(load_document(base_path).data)
        file = base_path
    else:
        data = {"format": "raccord.dossier/1", "production": {"id": "cas-de-test", "title": label}}
        file = here / "case.yaml"
    if spec.id:
        data["production"]["id"] = spec.id
    facts = _flat(data.get("facts") or {}, library.catalogue)
    facts.update(_flat(spec.facts, library.catalogue))
    data["facts"] = facts
    evidence = list(data.get("evidence") or [])
    if spec.evidence_all:
        evidence += [{"id": f"ALL-{kind}", "kind": kind} for kind in _expected_kinds(library, rulesets)]
    evidence = [item for item in evidence if item.get("kind") not in spec.drop_evidence]
    for i, item in enumerate(spec.evidence):
        evidence.append({"id": f"CASE-{i + 1:03d}", **item})
    data["evidence"] = evidence
    data["not_applicable"] = {**(data.get("not_applicable") or {}), **spec.not_applicable}
    data["declined"] = {**(data.get("declined") or {}), **spec.declined}
    data.pop("portfolio", None)
    return build_dossier(Located(data, str(file)), library.catalogue, file)


def run_case(case: Case, library: Library, path: Path, ruleset: str) -> list[str]:
    """Evaluate a case; return the differences from what it expects (empty = pass)."""
    here = path.parent
    rulesets = [ruleset, *case.rulesets]
    try:
        dossier = build_case_dossier(case, library, here, rulesets, case.name)
        portfolio = None
        if case.portfolio is not None:
            portfolio = []
            for i, member in enumerate(case.portfolio):
                spec = DossierSpec(base=member) if isinstance(member, str) else member
                portfolio.append(build_case_dossier(spec, library, here, rulesets, f"{case.name} #{i + 1}"))
        evaluation = evaluate(library, dossier, case.as_of, rulesets, portfolio, assume=case.assume or None)
    except InputError as exc:
        if case.expect.error:
            return [] if case.expect.error in str(exc) else [f"error {str(exc)!r} lacks {case.expect.error!r}"]
        return [f"evaluation refused: {exc}"]
    if case.expect.error:
        return [f"expected an error containing {case.expect.error!r}, the evaluation succeeded"]
    problems = []
    for cid, want in case.expect.statuses.items():
        if cid not in library.criteria:
            problems.append(f"{cid}: unknown criterion in expect.statuses")
            continue
        got = evaluation.ctx.statuses.get(cid)
        if got != want:
            problems.append(f"{cid}: expected {want}, got {got}")
    problems += compare_reasons(evaluation, case.expect.reasons, library)
    expectations = {ruleset: case.expect.outcome, **case.expect.outcomes} if case.expect.outcome else case.expect.outcomes
    for rid, wanted in expectations.items():
        if rid not in evaluation.ctx.outcomes:
            problems.append(f"{rid}: not evaluated (add it to `rulesets`)")
            continue
        outcome = ruleset_entry(evaluation, rid)["outcome"]
        problems += [f"{rid}.{p}" for p in compare_outcome(outcome, wanted)]
    return problems + compare_progress(evaluation, ruleset, case.expect)


def criterion_reasons(evaluation: Any, cid: str) -> list[str]:
    """The reason codes the engine gives a criterion's status: why it is not applicable
    (`not_applicable_reason`) and what its deadline makes of it (`not_yet_due`, `deadline_passed`,
    `proof_only`)."""
    ctx = evaluation.ctx
    return [code for code in (ctx.na_reasons.get(cid), ctx.status_reasons.get(cid)) if code]


def compare_reasons(evaluation: Any, wanted: dict[str, list[str]], library: Library) -> list[str]:
    problems = []
    for cid, want in wanted.items():
        if cid not in library.criteria:
            problems.append(f"{cid}: unknown criterion in expect.reasons")
            continue
        got = criterion_reasons(evaluation, cid)
        if sorted(got) != sorted(want):
            problems.append(f"{cid}: expected the reasons {sorted(want)}, got {sorted(got)}")
    return problems


def compare_progress(evaluation: Any, ruleset: str, expect: Expect) -> list[str]:
    """The stage and the `missing` list a coordinator sees for the case's own ruleset."""
    problems = []
    if expect.stage is not None:
        got = evaluation.current_stage(ruleset)
        if got != expect.stage:
            problems.append(f"stage: expected {expect.stage}, got {got}")
    if expect.missing is None and expect.due_now is None:
        return problems
    items = [i for i in missing_items(evaluation) if i["ruleset"] == ruleset]
    if expect.missing is not None and [i["criterion"] for i in items] != expect.missing:
        problems.append(f"missing: expected {expect.missing}, got {[i['criterion'] for i in items]}")
    due = sorted(i["criterion"] for i in items if i.get("due_now"))
    if expect.due_now is not None and due != sorted(expect.due_now):
        problems.append(f"due_now: expected {sorted(expect.due_now)}, got {due}")
    return problems


def compare_outcome(outcome: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    problems = []
    for key, want in wanted.items():
        got: Any = outcome
        for part in key.split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if key == "reasons" or key.endswith(".reasons"):
            missing = [r for r in want if r not in (got or [])]
            if missing:
                problems.append(f"{key}: {missing} not in {got}")
        elif isinstance(want, list) and all(isinstance(v, (int, float)) for v in want):
            if got is None or len(got) != len(want) or any(round(a, 3) != round(b, 3) for a, b in zip(got, want, strict=True)):
                problems.append(f"{key}: expected {want}, got {got}")
        elif isinstance(want, float) and isinstance(got, (int, float)):
            if round(got, 3) != round(want, 3):
                problems.append(f"{key}: expected {want}, got {got}")
        elif got != want:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems
