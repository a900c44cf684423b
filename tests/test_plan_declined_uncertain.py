"""A declined criterion read through a criterion whose applicability is unknown blocks a target only
if it applies: the plan says so (`declined_if_applicable`) rather than calling the target lost, and
agrees with `check`, which leaves the scheme undetermined (found by tests/test_reachability.py run
derandomized, as bench/mutation.py runs it)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml

from raccord.engine import Engine, evaluate
from raccord.engine.plan import make_plan, parse_target

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
ENGINE = Engine.load()
RAW = yaml.safe_load((EXAMPLE / "dossier.yaml").read_text(encoding="utf-8"))
DECLINED = "VHSS-33.2.3-LISTENING-CELL"  # read by VHSS-32.4.1-CNC-COMPLIANCE, itself a condition of cnc_vhss


def plan_and_decision(aid_requested: bool | None, as_of: str):
    raw = copy.deepcopy(RAW)
    if aid_requested is None:
        del raw["facts"]["cnc"]["aid_requested"]  # CNC-COMPLIANCE applies only when aid is requested: unknown
    else:
        raw["facts"]["cnc"]["aid_requested"] = aid_requested
    raw["declined"] = {DECLINED: "Pas de cellule d'écoute sur ce film"}
    dossier = ENGINE.dossier_from_text(yaml.safe_dump(raw, allow_unicode=True), "dossier.yaml", EXAMPLE)
    evaluation = ENGINE.evaluate(dossier, dt.date.fromisoformat(as_of))
    plan = make_plan(evaluation, parse_target(ENGINE.library, "aid_schemes:cnc_vhss"))
    return plan, evaluation.ctx.outcomes["aid_schemes"]["schemes"]["cnc_vhss"]["decision"]


def test_a_declined_criterion_under_an_unknown_applicability_blocks_only_if_it_applies():
    for as_of in ("2024-10-06", "2025-10-15"):  # the CCNPC's scope unknown (before the extension), then known
        plan, decision = plan_and_decision(None, as_of)
        assert decision == "undetermined"
        assert not plan.feasible
        assert [(b["reason"], b["criterion"]) for b in plan.blockers] == [("declined_if_applicable", DECLINED)]


def test_a_declined_criterion_that_applies_still_blocks_for_good():
    plan, decision = plan_and_decision(True, "2024-10-06")  # before the application date
    assert decision == "not_eligible"
    assert ("declined", DECLINED) in [(b["reason"], b.get("criterion")) for b in plan.blockers]


def test_only_what_is_read_through_the_uncertain_criterion_is_conditional():
    """S-UNSURE (applies only to live action, unknown here) reads V-E; S-SURE2 reads V-D. Declined, V-D is
    planned after S-UNSURE's part is done, on a path whose applicability is known: it blocks for good."""
    from .support import criterion, dossier_of, library_of, ruleset_yaml

    source = "source: {document: src, section: x}, provenance: reconstructed"
    vh = ruleset_yaml("vh", "{kind: obligations}", [
        criterion("V-B", "{evidence: b}", evidence=["b"], mandatory="true"),
        criterion("V-D", "{evidence: d}", evidence=["d"], mandatory="true"),
        criterion("V-E", "{evidence: e}", evidence=["e"], mandatory="true"),
    ])
    aid = ruleset_yaml("aid", f"{{kind: eligibility, schemes: [{{id: s, title: {{fr: S, en: S}}, {source}}}]}}", [
        criterion("S-UNSURE", "{criterion: V-E}", scheme="s", applies_if="{fact: work.live_action}"),
        criterion("S-SURE1", "{criterion: V-B}", scheme="s"),
        criterion("S-SURE2", "{criterion: V-D}", scheme="s"),
    ])
    library = library_of(vh, aid)
    for declined, expected in (({"V-D": "non"}, ("declined", "V-D")), ({"V-E": "non"}, ("declined_if_applicable", "V-E"))):
        evaluation = evaluate(library, dossier_of(library, {}, [], declined=declined), dt.date(2025, 10, 1))
        plan = make_plan(evaluation, parse_target(library, "aid:s"))
        assert [(b["reason"], b["criterion"]) for b in plan.blockers] == [expected]
        assert "V-B" in plan.items
