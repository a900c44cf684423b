"""What each policy says about its outcome (docs/api.md, "Policies and their summaries"): the
statements every renderer prints, the headline, what the result document adds, and the aid claims.

The grids are those of test_policy_behaviour; the statements are read from the result document
through the engine API, as a second front end would.
"""

from __future__ import annotations

import datetime as dt
import sys
import textwrap

import pytest

from raccord.engine.api import Engine
from raccord.engine.policies import BUILT_IN, POLICIES, Policy, policy_class, register_policy

from .support import dossier_of
from .test_policy_behaviour import aid_grid, levels_grid, lib, obligations_grid, threshold_grid

DAY = dt.date(2025, 10, 1)


def entry(grid, facts: dict, rid: str, as_of: dt.date = DAY, **extra):
    engine = Engine(grid)
    evaluation = engine.evaluate(dossier_of(grid, facts, **extra), as_of)
    (found,) = [e for e in engine.result(evaluation)["rulesets"] if e["id"] == rid]
    return found, evaluation


def statements(found) -> list[dict]:
    return policy_class(found["policy"]).summary(found)


def test_threshold_statements():
    found, _ = entry(threshold_grid(), {"a.m": True, "a.n": True}, "eco")
    assert statements(found) == [{"kind": "score", "low": 0.5, "high": 1.0},
                                 {"kind": "pass_mark", "value": 0.5, "inclusive": True},
                                 {"kind": "stars", "low": 1, "high": 2, "verified": False}]
    assert policy_class("threshold").headline(found) is None  # the decision says it
    assert found["stars_verified"] is False and "stars_note" not in found
    below, _ = entry(threshold_grid(), {"a.m": False}, "eco")
    assert [s["kind"] for s in statements(below)] == ["score", "pass_mark"]  # not eligible: no stars


def test_threshold_without_stars_or_rule_says_less():
    from .test_policy_behaviour import SOURCE

    plain = threshold_grid(f"{{kind: threshold, threshold: [{{value: 0.5, inclusive: false, {SOURCE}}}]}}")
    found, _ = entry(plain, {"a.m": True}, "eco")
    assert statements(found) == [{"kind": "score", "low": 0.2, "high": 1.0},
                                 {"kind": "pass_mark", "value": 0.5, "inclusive": False}]
    assert "stars_verified" not in found
    noted = threshold_grid(f"{{kind: threshold, threshold: [{{value: 0.5, inclusive: true, {SOURCE}}}], stars: "
                           "{verified: true, note: {fr: 'grille officielle', en: 'official grid'}, "
                           "bands: [{min: 0.5, stars: 1}]}}")
    found, _ = entry(noted, {"a.m": True, "a.n": True}, "eco")
    assert found["stars_verified"] is True and found["stars_note"] == {"fr": "grille officielle", "en": "official grid"}
    assert statements(found)[-1] == {"kind": "stars", "low": 1, "high": 1, "verified": True}
    nothing, _ = entry(plain, {}, "eco", not_applicable={c: "Sans objet" for c in ("E-M", "E-N", "E-O", "E-P")})
    assert statements(nothing) == []  # no score, no rule chosen


def test_levels_statements_and_headline():
    base = {"work.live_action": True, "a.m": True, "a.n": True, "a.o": True, "a.p": True}
    found, _ = entry(levels_grid(), base, "lv")
    assert policy_class("levels").headline(found) == {"kind": "level", "low": 2, "high": 3}
    assert statements(found) == [{"kind": "level", "low": 2, "high": 3}]  # a target: the level beside the decision
    assert found["levels"][2] == {"level": 3, "title": {"fr": "trois", "en": "three"}, "scope": "company"}
    grid = levels_grid()
    weak = dossier_of(grid, {**base, "a.p": False}, production={"id": "autre-film", "title": "Autre film"})
    engine = Engine(grid)
    from raccord.engine.evaluate import Options

    evaluation = engine.evaluate(dossier_of(grid, base), Options(DAY, portfolio=(weak,)))
    (found,) = [e for e in engine.result(evaluation)["rulesets"] if e["id"] == "lv"]
    assert statements(found) == [{"kind": "level", "low": 2, "high": 2},
                                 {"kind": "portfolio_breaker", "project": "autre-film", "level": 3, "reached": 2}]
    out_of_scope, _ = entry(levels_grid(), {"work.live_action": False}, "lv")
    assert policy_class("levels").headline(out_of_scope) is None and statements(out_of_scope) == []


def test_levels_without_target_give_the_level_as_headline_only():
    from .support import criterion, ruleset_yaml

    grid = lib(ruleset_yaml("lv", "{kind: levels, levels: [{level: 1, title: {fr: un, en: one}}]}",
                            [criterion("L-1", "{fact: a.m}", level=1)]))
    found, _ = entry(grid, {"a.m": True}, "lv")
    assert found["outcome"]["decision"] is None
    assert policy_class("levels").headline(found) == {"kind": "level", "low": 1, "high": 1}
    assert statements(found) == []  # the headline already says it


def test_obligations_statements():
    found, _ = entry(obligations_grid(), {"a.m": True}, "vh")
    assert statements(found) == [{"kind": "score", "low": 0.5, "high": 1.0}]
    assert policy_class("obligations").headline(found) is None


def test_eligibility_statements_claims_and_amounts():
    found, evaluation = entry(aid_grid(), {"a.m": True, "a.n": True, "work.regions": ["grand_est"]}, "aid")
    assert policy_class("eligibility").headline(found) == {"kind": "claims"}
    said = statements(found)
    assert said[0] == {"kind": "scheme", "id": "prime", "title": {"fr": "Prime", "en": "Bonus"}, "decision": "eligible",
                       "amount": 28000, "reasons": []}
    assert said[1]["id"] == "regional" and said[1]["decision"] == "not_eligible" and said[1]["amount"] is None
    assert said[-1] == {"kind": "amount_total", "low": 28000, "high": 33000}
    rs = evaluation.library.rulesets["aid"]
    outcome = evaluation.outcome("aid")
    assert rs.policy.amount_range(outcome) == (28000, 33000)
    claims = {c["id"]: c for c in rs.policy.claims(rs, outcome)}
    assert claims["prime"]["amount"] == {"value": 28000, "currency": "EUR", "kind": "flat"}
    assert (claims["prime"]["valid_from"], claims["prime"]["valid_until"]) == ("2025-09-01", "2028-08-31")
    source = claims["prime"]["source"]
    assert {k: v for k, v in source.items() if k != "citation"} == {"document": "src", "section": "a"}  # no line range
    assert source["citation"]["name"] == {"fr": "Source de test", "en": "Source de test"}
    assert claims["regional"]["decision"] == "not_eligible" and claims["regional"]["not_met"] == ["R-1"]
    assert claims["regional"]["amount"]["rate"] == 0.15 and "value" not in claims["regional"]["amount"]
    assert claims["prize"]["valid_from"] is None and claims["prize"]["unknown"] == ["Z-1"]
    assert found["schemes"][0]["id"] == "prime"  # the schemes as the result document describes them


def test_eligibility_amount_range_without_any_amount():
    grid = aid_grid()
    rs = grid.rulesets["aid"]
    assert rs.policy.amount_range({}) == (0.0, 0.0)


def test_policies_are_found_by_kind_and_registered_ones_added():
    assert {"threshold", "levels", "obligations", "eligibility"} <= BUILT_IN
    assert policy_class("levels").kind == "levels"
    assert policy_class("nothing_like_this") is None and policy_class(3) is None

    class Tally(Policy):
        kind = "tally_for_test"

    try:
        assert register_policy(Tally) is Tally
        assert policy_class("tally_for_test") is Tally
    finally:
        POLICIES.pop("tally_for_test", None)


def test_a_policy_without_its_own_plan_cannot_be_planned():
    class Bare(Policy):
        kind = "bare_for_test"

    blocked = []

    class Recorder:
        def block(self, reason, **details):
            blocked.append({"reason": reason, **details})

    class Compiled:
        id = "r"

    Bare.plan(Bare.__new__(Bare), Recorder(), Compiled(), None)
    assert blocked == [{"reason": "no_single_decision", "ruleset": "r"}]
    with pytest.raises(NotImplementedError):
        Bare.outcome(Bare.__new__(Bare), Compiled(), None)


def test_a_policy_of_an_installed_package_is_found_by_its_entry_point(tmp_path, monkeypatch):
    """A package declaring `raccord.policies` entry points: only the kind asked for is loaded."""
    (tmp_path / "raccord_toll_policy.py").write_text(textwrap.dedent("""
        from raccord.engine.policies.base import Policy

        class TollPolicy(Policy):
            kind = "toll_for_test"

        class OtherPolicy(Policy):
            kind = "other_for_test"
    """), encoding="utf-8")
    info = tmp_path / "raccord_toll_policy-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: raccord-toll-policy\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[raccord.policies]\nother_for_test = raccord_toll_policy:OtherPolicy\n"
                                           "toll_for_test = raccord_toll_policy:TollPolicy\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = policy_class("toll_for_test")
        assert found is not None and found.__name__ == "TollPolicy" and POLICIES["toll_for_test"] is found
        assert "other_for_test" not in POLICIES  # declared by the package, not asked for
        assert policy_class("toll_for_testing") is None
    finally:
        for kind in ("toll_for_test", "other_for_test"):
            POLICIES.pop(kind, None)
        sys.modules.pop("raccord_toll_policy", None)


@pytest.mark.parametrize("kind", ["[threshold]", "{name: threshold}", "3"])
def test_a_policy_kind_that_is_not_a_name_is_a_located_error(kind):
    from raccord.engine import InputError

    from .support import criterion, ruleset_yaml

    with pytest.raises(InputError) as info:
        lib(ruleset_yaml("r", f"{{kind: {kind}}}", [criterion("R-1", "{fact: a.m}")]))
    assert str(info.value).startswith("ruleset0.yaml:") and "unknown policy kind" in str(info.value)
    assert "kinds: eligibility, levels, " in str(info.value)  # the hint lists the kinds by name


def test_a_portfolio_breaker_states_the_level_the_project_holds_now():
    """A project of the company still undecided at level 3 holds level 2 today: that is what is said."""
    from raccord.engine.evaluate import Options

    grid = levels_grid()
    base = {"work.live_action": True, "a.m": True, "a.n": True, "a.o": True, "a.p": True}
    pending = dossier_of(grid, {**base, "a.p": None}, production={"id": "en-cours", "title": "En cours"})
    engine = Engine(grid)
    evaluation = engine.evaluate(dossier_of(grid, base), Options(DAY, portfolio=(pending,)))
    (found,) = [e for e in engine.result(evaluation)["rulesets"] if e["id"] == "lv"]
    assert found["outcome"]["portfolio"][0]["project_level"] == [2, 3]
    assert statements(found)[-1] == {"kind": "portfolio_breaker", "project": "en-cours", "level": 3, "reached": 2}
