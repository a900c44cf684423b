"""`check` and `plan` never contradict each other on whether a target can still be reached.

For any dossier generated from the bundled examples (boolean facts flipped, facts and dates
removed, criteria declined) and any evaluation date, every target of every ruleset: when `plan`
finds a feasible plan, `check` does not call the target impossible (`not_eligible`,
`not_compliant`, a best level below it); when `check` calls it impossible, the plan is blocked by
something final; and when the plan is blocked only by final things, `check` calls it impossible.
A company level blocked for want of the portfolio is neither (it depends on other productions)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from raccord.engine import Engine
from raccord.engine.plan import make_plan, parse_target

ROOT = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(p.name for p in ROOT.iterdir() if (p / "dossier.yaml").exists())
ENGINE = Engine.load()
RAW = {name: yaml.safe_load((ROOT / name / "dossier.yaml").read_text(encoding="utf-8")) for name in EXAMPLES}
# blockers that leave the target neither reachable nor impossible: it depends on other productions, or on
# whether a declined criterion applies at all
CONDITIONAL = {"company_level", "declined_if_applicable"}


def targets() -> list[str]:
    out = []
    for rid, rs in ENGINE.library.rulesets.items():
        if rs.policy.kind == "levels":
            out += [f"{rid}:{lv.level}" for lv in rs.policy.params.levels]
        elif rs.policy.kind == "eligibility":
            out += [f"{rid}:{scheme.id}" for scheme in rs.policy.params.schemes]
        else:
            out.append(rid)
    return out


TARGETS = [parse_target(ENGINE.library, t) for t in targets()]


def impossible(evaluation, target) -> bool | None:
    """What `check` says: the target can never be reached (None: the referential does not apply)."""
    outcome = evaluation.ctx.outcomes[target.ruleset]
    if outcome.get("decision") == "not_applicable":
        return None
    kind = ENGINE.library.rulesets[target.ruleset].policy.kind
    if kind == "levels":
        return outcome["level"][1] < target.goal
    if kind == "eligibility":
        decision = outcome["schemes"][target.goal]["decision"]
        return None if decision == "not_applicable" else decision == "not_eligible"
    return outcome["decision"] in ("not_eligible", "not_compliant")


def leaves(facts: dict, prefix: str = "") -> list[tuple[str, ...]]:
    out = []
    for key, value in facts.items():
        if isinstance(value, dict) and "members" in value:
            continue  # a roster ({complete, members}) stays: evidence names its members
        if isinstance(value, dict):
            out += [(key, *rest) for rest in leaves(value)]
        else:
            out.append((key,))
    return out


@hs.composite
def dossiers(draw):
    name = draw(hs.sampled_from(EXAMPLES))
    raw = copy.deepcopy(RAW[name])
    paths = leaves(raw["facts"])
    for path in draw(hs.lists(hs.sampled_from(paths), max_size=8, unique=True)):
        holder = raw["facts"]
        for key in path[:-1]:
            holder = holder[key]
        value = holder[path[-1]]
        if isinstance(value, bool) and draw(hs.booleans()):
            holder[path[-1]] = not value  # flipped
        else:
            del holder[path[-1]]  # removed: unknown
    criteria = sorted(ENGINE.library.criteria)
    for cid in draw(hs.lists(hs.sampled_from(criteria), max_size=2, unique=True)):
        raw.setdefault("declined", {})[cid] = "Écarté (test)"
    raw.get("not_applicable", {}).pop(next(iter(raw.get("declined", {})), None), None)
    return name, raw


def agree(evaluation) -> list[str]:
    problems = []
    for target in TARGETS:
        said = impossible(evaluation, target)
        if said is None:
            continue
        plan = make_plan(evaluation, target)
        reasons = {b["reason"] for b in plan.blockers}
        if plan.feasible and said:
            problems.append(f"{target.label}: the plan reaches what check calls impossible")
        if said and reasons <= CONDITIONAL:
            problems.append(f"{target.label}: check calls impossible what the plan does not block ({plan.blockers})")
        if not said and reasons and not reasons & CONDITIONAL:
            problems.append(f"{target.label}: the plan blocks ({plan.blockers}) what check calls possible")
    return problems


days = hs.dates(min_value=dt.date(2024, 9, 1), max_value=dt.date(2027, 6, 30))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(dossiers(), days)
def test_check_and_plan_agree_on_every_generated_dossier_and_date(drawn, as_of):
    name, raw = drawn
    dossier = ENGINE.dossier_from_text(yaml.safe_dump(raw, allow_unicode=True), "dossier.yaml", ROOT / name)
    assert agree(ENGINE.evaluate(dossier, as_of)) == []


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("as_of", [dt.date(2025, 1, 15), dt.date(2025, 3, 18), dt.date(2025, 10, 15), dt.date(2026, 12, 1)])
def test_check_and_plan_agree_on_the_examples(name, as_of):
    assert agree(ENGINE.evaluate(ENGINE.dossier(ROOT / name / "dossier.yaml"), as_of)) == []
