"""What each policy decides, and what it leaves out of `missing` once nothing can change its outcome.

Small grids written like the bundled rulesets; the expectations are YAML test cases (format doc §8)
run by the same `run_case` as the bundled ones, so they read as a coordinator would check them.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from raccord.engine import evaluate
from raccord.engine.testcases import load_cases, run_case

from .support import FACTS, criterion, dossier_of, library_of, ruleset_yaml

BOOLS = {f"a.{c}": {"type": "boolean", "title": {"fr": c, "en": c}} for c in "mnopqrst"}
CATALOGUE = {**FACTS, **BOOLS}


def lib(*texts: str):
    return library_of(*texts, facts=CATALOGUE)


def check_cases(library, ruleset: str, cases: str, tmp_path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(textwrap.dedent(cases), encoding="utf-8")
    failures = [f"{case.name}: {problem}" for case in load_cases(path) for problem in run_case(case, library, path, ruleset)]
    assert not failures, "\n".join(failures)


def outcome(library, rid: str, facts: dict, as_of: dt.date = dt.date(2025, 6, 1), **extra):
    return evaluate(library, dossier_of(library, facts, **extra), as_of).outcome(rid)


# --- threshold --------------------------------------------------------------------------------

SOURCE = "source: {document: src, section: x}"
STARRED = f"""{{kind: threshold, threshold: [{{value: 0.5, inclusive: true, {SOURCE}}}],
  stars: {{verified: false, bands: [{{min: 0.5, stars: 1}}, {{min: 0.8, stars: 2}}]}}}}"""


def threshold_grid(policy: str = STARRED):
    """M mandatory (2 points), N, O, P optional (3, 3, 2 points): 10 points in all."""
    return lib(ruleset_yaml("eco", policy, [
        criterion("E-M", "{fact: a.m}", points=2, mandatory="true"),
        criterion("E-N", "{fact: a.n}", points=3),
        criterion("E-O", "{fact: a.o}", points=3),
        criterion("E-P", "{fact: a.p}", points=2),
    ]))


def test_threshold_optional_actions_are_settled_only_at_the_top_band(tmp_path):
    check_cases(threshold_grid(), "eco", """
        - name: top band reached (80 %), one optional action unknown -> nothing left to do
          as_of: 2025-06-01
          facts: {a.m: true, a.n: true, a.o: true}
          expect:
            outcome: {decision: eligible, score: [0.8, 1.0], stars: [2, 2]}
            missing: []
        - name: eligible at one star (50 %), two stars still possible -> the optional actions remain
          as_of: 2025-06-01
          facts: {a.m: true, a.n: true}
          expect:
            outcome: {decision: eligible, score: [0.5, 1.0], stars: [1, 2]}
            missing: [E-O, E-P]
        - name: mandatory unknown -> undetermined, nothing settled
          as_of: 2025-06-01
          facts: {a.n: true, a.o: true, a.p: true}
          expect:
            outcome: {decision: undetermined, reasons: [mandatory_unknown], stars: [0, 2]}
            missing: [E-M]
        - name: mandatory not met -> not eligible, nothing settled
          as_of: 2025-06-01
          facts: {a.m: false, a.n: true, a.o: true}
          expect:
            outcome: {decision: not_eligible, reasons: [mandatory_not_met], stars: null}
            missing: [E-M, E-P]
    """, tmp_path)


def test_threshold_without_stars_settles_optional_actions_once_eligible(tmp_path):
    policy = f"{{kind: threshold, threshold: [{{value: 0.5, inclusive: true, {SOURCE}}}]}}"
    check_cases(threshold_grid(policy), "eco", """
        - name: eligible -> the unknown optional action can change nothing
          as_of: 2025-06-01
          facts: {a.m: true, a.n: true}
          expect:
            outcome: {decision: eligible, stars: null}
            missing: []
        - name: score undetermined -> every unknown action counts
          as_of: 2025-06-01
          facts: {a.m: true}
          expect:
            outcome: {decision: undetermined, reasons: [score_undetermined]}
            missing: [E-N, E-O, E-P]
    """, tmp_path)


def test_threshold_decisions_and_reasons():
    grid = threshold_grid()
    below = outcome(grid, "eco", {"a.m": True, "a.n": False, "a.o": False, "a.p": True})
    assert below["decision"] == "not_eligible" and below["reasons"] == ["score_below_threshold"]
    assert below["score"] == pytest.approx((0.4, 0.4)) and below["stars"] is None
    assert below["points"] == {"met": 4, "unknown": 0, "applicable": 10}
    both = outcome(grid, "eco", {"a.m": False, "a.n": False, "a.o": False, "a.p": True})
    assert both["reasons"] == ["mandatory_not_met", "score_below_threshold"] and both["blocking"] == ["E-M"]
    open_ = outcome(grid, "eco", {"a.n": True})
    assert open_["decision"] == "undetermined"
    assert open_["reasons"][:2] == ["mandatory_unknown", "score_undetermined"]
    assert open_["mandatory_unknown"] == ["E-M"] and open_["blocking"] == ["E-M"]
    assert open_["score"] == pytest.approx((0.3, 1.0)) and open_["points"]["unknown"] == 7
    assert open_["threshold"] == {"value": 0.5, "inclusive": True, "rule": 0, "candidates": [0]}


def test_threshold_not_applicable_criteria_leave_the_denominator():
    grid = threshold_grid()
    out = outcome(grid, "eco", {"a.m": True, "a.n": True}, not_applicable={"E-O": "Sans objet ici", "E-P": "Sans objet"})
    assert out["points"] == {"met": 5, "unknown": 0, "applicable": 5}
    assert out["decision"] == "eligible" and out["stars"] == (2, 2)


def test_threshold_with_nothing_applicable_is_not_applicable():
    grid = threshold_grid()
    na = {cid: "Hors champ" for cid in ("E-M", "E-N", "E-O", "E-P")}
    out = outcome(grid, "eco", {}, not_applicable=na)
    assert out["decision"] == "not_applicable" and out["reasons"] == ["no_applicable_criteria"]
    assert out["score"] is None and out["stars"] is None


def test_a_strict_threshold_is_not_passed_by_rounding_noise():
    """0.1 + 0.2 points out of 1.0 is 0.30000000000000004: not strictly above 30 %, yet at 30 % inclusive."""
    def grid(inclusive: str):
        policy = f"{{kind: threshold, threshold: [{{value: 0.3, inclusive: {inclusive}, {SOURCE}}}]}}"
        return lib(ruleset_yaml("eco", policy, [
            criterion("E-1", "{fact: a.m}", points=0.1), criterion("E-2", "{fact: a.n}", points=0.2),
            criterion("E-3", "{fact: a.o}", points=0.7)]))

    facts = {"a.m": True, "a.n": True, "a.o": False}
    assert outcome(grid("false"), "eco", facts)["decision"] == "not_eligible"
    assert outcome(grid("true"), "eco", facts)["decision"] == "eligible"
    almost = {"a.m": False, "a.n": True, "a.o": False}  # 20 %: fails both readings
    assert outcome(grid("true"), "eco", almost)["decision"] == "not_eligible"


def test_a_star_band_is_reached_at_its_minimum_despite_rounding_noise():
    policy = (f"{{kind: threshold, threshold: [{{value: 0.1, inclusive: true, {SOURCE}}}], "
              "stars: {verified: true, bands: [{min: 0.1, stars: 1}, {min: 0.3, stars: 2}, {min: 0.95, stars: 3}]}}")
    grid = lib(ruleset_yaml("eco", policy, [
        criterion("E-1", "{fact: a.m}", points=0.1), criterion("E-2", "{fact: a.n}", points=0.2),
        criterion("E-3", "{fact: a.o}", points=0.7)]))
    out = outcome(grid, "eco", {"a.m": True, "a.n": True, "a.o": False})
    assert out["stars"] == (2, 2) and out["stars_verified"] is True
    # bands are read by their minimum, not by their order in the file
    unordered = policy.replace("{min: 0.1, stars: 1}, {min: 0.3, stars: 2}", "{min: 0.3, stars: 2}, {min: 0.1, stars: 1}")
    grid2 = lib(ruleset_yaml("eco", unordered, [
        criterion("E-1", "{fact: a.m}", points=0.1), criterion("E-2", "{fact: a.n}", points=0.2),
        criterion("E-3", "{fact: a.o}", points=0.7)]))
    assert outcome(grid2, "eco", {"a.m": True, "a.n": True, "a.o": False})["stars"] == (2, 2)


def test_threshold_rules_with_an_unknown_selector_must_agree():
    """Rule 1 (80 % inclusive) applies to the commitment phase, rule 2 (above 50 %) otherwise."""
    policy = (f"{{kind: threshold, threshold: [{{when: {{fact: scheme, eq: commitment_phase}}, value: 0.8, inclusive: true, "
              f"{SOURCE}}}, {{value: 0.5, inclusive: false, {SOURCE}}}]}}")
    grid = threshold_grid(policy)
    seventy = {"a.m": True, "a.n": True, "a.o": False, "a.p": True}  # 7/10
    assert outcome(grid, "eco", {**seventy, "scheme": "commitment_phase"})["decision"] == "not_eligible"
    performance = outcome(grid, "eco", {**seventy, "scheme": "performance"})
    assert performance["decision"] == "eligible" and performance["threshold"]["rule"] == 1
    unknown = outcome(grid, "eco", seventy)
    assert unknown["decision"] == "undetermined" and unknown["threshold"]["candidates"] == [0, 1]
    assert "score_undetermined" in unknown["reasons"]
    eighty = outcome(grid, "eco", {"a.m": True, "a.n": True, "a.o": True, "a.p": False})  # passes both
    assert eighty["decision"] == "eligible" and eighty["threshold"]["rule"] == 0
    half = outcome(grid, "eco", {"a.m": True, "a.n": True, "a.o": False, "a.p": False})  # fails both
    assert half["decision"] == "not_eligible" and "score_below_threshold" in half["reasons"]


def test_threshold_rules_when_no_rule_applies():
    policy = (f"{{kind: threshold, threshold: [{{when: {{fact: scheme, eq: commitment_phase}}, value: 0.7, inclusive: true, "
              f"{SOURCE}}}]}}")
    grid = threshold_grid(policy)
    out = outcome(grid, "eco", {"a.m": True, "a.n": True, "a.o": True, "a.p": True, "scheme": "performance"})
    assert out["decision"] == "not_eligible" and "no_threshold_applies" in out["reasons"]
    assert out["threshold"] is None


# --- levels -----------------------------------------------------------------------------------

LEVELS = """{kind: levels, target: 2, applies_if: {fact: work.live_action},
  levels: [{level: 1, title: {fr: un, en: one}}, {level: 2, title: {fr: deux, en: two}},
           {level: 3, title: {fr: trois, en: three}, scope: company}]}"""


def levels_grid():
    return lib(ruleset_yaml("lv", LEVELS, [
        criterion("L1-A", "{fact: a.m}", level=1), criterion("L1-B", "{fact: a.n}", level=1),
        criterion("L2-A", "{fact: a.o}", level=2), criterion("L3-A", "{fact: a.p}", level=3),
    ]))


def test_levels_ranges_reasons_and_the_target_decision(tmp_path):
    check_cases(levels_grid(), "lv", """
        - name: every level met, no portfolio -> the company level is possible, not shown
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}
          expect:
            outcome: {level: [2, 3], project_level: [3, 3], decision: eligible, reasons: [portfolio_required],
                      blocking: [], portfolio: [{project: null, level: 3, reason: portfolio_required}]}
        - name: level 2 unknown -> level 1 now, 3 at best, target undetermined, level 2 blocks
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.p: true}
          expect:
            outcome: {level: [1, 3], project_level: [1, 3], decision: undetermined, reasons: [level_undetermined],
                      blocking: [L2-A], gaps: {2: [L2-A]}}
        - name: the target is the best level still possible -> undetermined, not refused
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.p: false}
          expect:
            outcome: {level: [1, 2], decision: undetermined, reasons: [level_undetermined], blocking: [L2-A]}
        - name: levels are cumulative -> level 3 met on its own counts for nothing
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: false, a.p: true}
          expect:
            outcome: {level: [1, 1], project_level: [1, 1], decision: not_eligible, reasons: [level_below_2]}
        - name: level 1 not met and unknown -> level 0, not-met listed before unknown
          as_of: 2025-06-01
          facts: {work.live_action: true, a.n: false, a.o: true, a.p: true}
          expect:
            outcome: {level: [0, 0], decision: not_eligible, blocking: [L1-B, L1-A], gaps: {1: [L1-B, L1-A]}}
        - name: out of the referential's scope
          as_of: 2025-06-01
          facts: {work.live_action: false, a.m: true}
          expect:
            statuses: {L1-A: not_applicable, L3-A: not_applicable}
            outcome: {decision: not_applicable}
    """, tmp_path)


def test_levels_above_a_declined_criterion_are_settled(tmp_path):
    check_cases(levels_grid(), "lv", """
        - name: a level-1 criterion declined -> nothing above level 1 can be reached
          as_of: 2025-06-01
          facts: {work.live_action: true}
          declined: {L1-B: "Pas de moyens pour cela"}
          expect:
            statuses: {L1-B: not_met}
            missing: [L1-A, L1-B]
        - name: a level-2 criterion declined -> level 3 is settled, levels 1 and 2 remain
          as_of: 2025-06-01
          facts: {work.live_action: true}
          declined: {L2-A: "Pas de moyens pour cela"}
          expect:
            missing: [L1-A, L1-B, L2-A]
        - name: not met without being declined -> it can still be fixed, nothing is settled
          as_of: 2025-06-01
          facts: {work.live_action: true, a.n: false}
          expect:
            missing: [L1-A, L1-B, L2-A, L3-A]
    """, tmp_path)


def test_company_level_and_the_portfolio(tmp_path):
    check_cases(levels_grid(), "lv", """
        - name: a comparable project below level 3 caps the company level
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}
          portfolio:
            - {id: autre-film, facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: false}}
          expect:
            outcome: {level: [2, 2], reasons: [portfolio_project_below_level],
                      portfolio: [{project: autre-film, level: 3, project_level: [2, 2]}]}
        - name: every comparable project at level 3 -> the company level is reached
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}
          portfolio:
            - {id: autre-film, facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}}
          expect:
            outcome: {level: [3, 3], portfolio: []}
        - name: a project outside the scope is not comparable and is skipped
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}
          portfolio:
            - {id: animation, facts: {work.live_action: false}}
            - {id: autre-film, facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}}
          expect:
            outcome: {level: [3, 3], portfolio: []}
        - name: a project still open at level 3 leaves the company level undetermined
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: true}
          portfolio:
            - {id: autre-film, facts: {work.live_action: true, a.m: true, a.n: true, a.o: true}}
          expect:
            outcome: {level: [2, 3], reasons: [portfolio_project_below_level, level_undetermined],
                      portfolio: [{project: autre-film, level: 3, project_level: [2, 3]}]}
        - name: the project itself below level 3 is not blamed on the portfolio
          as_of: 2025-06-01
          facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: false}
          portfolio:
            - {id: autre-film, facts: {work.live_action: true, a.m: true, a.n: true, a.o: true, a.p: false}}
          expect:
            outcome: {level: [2, 2], portfolio: []}
    """, tmp_path)


# --- obligations ------------------------------------------------------------------------------


def obligations_grid():
    scope = "{fact: a.t, known: false}"  # not applicable once a.t is given
    return lib(ruleset_yaml("vh", "{kind: obligations}", [
        criterion("V-1", "{fact: a.m}", mandatory="true", applies_if=scope),
        criterion("V-2", "{fact: a.n}", mandatory="true", applies_if=scope),
        criterion("R-1", "{fact: a.o}", mandatory="false", applies_if="{fact: a.s, known: false}"),
    ]))


def test_obligations_decisions_and_what_is_missing(tmp_path):
    check_cases(obligations_grid(), "vh", """
        - name: every mandatory obligation met -> compliant; a recommendation is never missing
          as_of: 2025-06-01
          facts: {a.m: true, a.n: true, a.o: false}
          expect:
            outcome: {decision: compliant, score: [1.0, 1.0], blocking: [], recommended: {not_met: [R-1]},
                      mandatory: {met: [V-1, V-2]}}
            missing: []
        - name: one unknown -> undetermined, the score is a range
          as_of: 2025-06-01
          facts: {a.m: true}
          expect:
            outcome: {decision: undetermined, reasons: [mandatory_unknown], score: [0.5, 1.0], blocking: [V-2]}
            missing: [V-2]
        - name: one not met -> not compliant, unknown ones still block
          as_of: 2025-06-01
          facts: {a.m: false}
          expect:
            outcome: {decision: not_compliant, reasons: [mandatory_not_met], score: [0.0, 0.5], blocking: [V-1, V-2]}
        - name: nothing applies -> not applicable rather than compliant
          as_of: 2025-06-01
          facts: {a.t: true, a.s: true}
          expect:
            outcome: {decision: not_applicable, reasons: [no_applicable_criteria], score: null}
        - name: only a recommendation applies -> compliant, no score
          as_of: 2025-06-01
          facts: {a.t: true, a.o: false}
          expect:
            outcome: {decision: compliant, reasons: [], score: null, recommended: {not_met: [R-1]}}
    """, tmp_path)


# --- eligibility ------------------------------------------------------------------------------

SCHEMES = """{kind: eligibility, schemes: [
  {id: prime, title: {fr: Prime, en: Bonus}, valid_from: 2025-09-01, valid_until: 2028-08-31,
   amount: {value: 28000, kind: flat}, source: {document: src, section: a}, provenance: reconstructed},
  {id: regional, title: {fr: Région, en: Region}, amount: {rate: 0.15, base: budget, kind: rate},
   source: {document: src, section: b}, provenance: reconstructed},
  {id: prize, title: {fr: Prix, en: Prize}, amount: {value: 5000, kind: prize},
   source: {document: src, section: c}, provenance: reconstructed}]}"""


def aid_grid():
    return lib(ruleset_yaml("aid", SCHEMES, [
        criterion("P-1", "{fact: a.m}", scheme="prime"), criterion("P-2", "{fact: a.n}", scheme="prime"),
        criterion("R-1", "{fact: work.regions, contains: corse}", scheme="regional", tags="[not_actionable]"),
        criterion("R-2", "{fact: a.o}", scheme="regional"),
        criterion("Z-1", "{fact: a.p}", scheme="prize"),
    ]))


def test_eligibility_decisions_amounts_and_reasons():
    grid = aid_grid()
    day = dt.date(2025, 10, 1)
    out = outcome(grid, "aid", {"a.m": True, "a.n": True, "work.regions": ["corse"], "a.o": True, "a.p": True}, day)
    assert {sid: s["decision"] for sid, s in out["schemes"].items()} == {
        "prime": "eligible", "regional": "eligible", "prize": "eligible"}
    assert out["amount"] == (33000, 33000)  # the rate-based aid has no fixed amount
    assert out["scheme.prime"] == "eligible" and out["blocking"] == []
    out = outcome(grid, "aid", {"a.m": True, "a.o": False, "a.p": True}, day)
    assert out["schemes"]["prime"] == {"decision": "undetermined", "reasons": ["condition_unknown"], "amount": 28000,
                                      "not_met": [], "unknown": ["P-2"], "blocking": ["P-2"]}
    assert out["schemes"]["regional"]["decision"] == "not_eligible"
    assert out["schemes"]["regional"]["reasons"] == ["condition_not_met"]
    assert out["schemes"]["regional"]["blocking"] == ["R-2", "R-1"]
    assert out["amount"] == (5000, 33000)
    assert out["blocking"] == ["P-2", "R-2", "R-1"]
    out = outcome(grid, "aid", {"a.m": False, "a.n": True, "a.p": False}, day)
    assert out["amount"] == (0, 0) and out["scheme.prize"] == "not_eligible"


def test_a_scheme_out_of_force_is_not_eligible_whatever_the_production_does():
    grid = aid_grid()
    out = outcome(grid, "aid", {"a.m": False}, dt.date(2025, 8, 31))
    assert out["schemes"]["prime"] == {"decision": "not_eligible", "reasons": ["scheme_not_in_force"], "amount": 28000,
                                      "not_met": [], "unknown": [], "blocking": []}
    assert outcome(grid, "aid", {"a.m": True, "a.n": True}, dt.date(2028, 8, 31))["scheme.prime"] == "eligible"
    assert outcome(grid, "aid", {"a.m": True, "a.n": True}, dt.date(2028, 9, 1))["scheme.prime"] == "not_eligible"


def test_eligibility_leaves_out_the_conditions_of_closed_schemes(tmp_path):
    check_cases(aid_grid(), "aid", """
        - name: before the prime opens, its conditions are not missing; the region closes the regional aid
          as_of: 2025-08-31
          facts: {work.regions: [grand_est]}
          expect:
            statuses: {R-1: not_met}
            missing: [Z-1]
        - name: in force, the region unknown -> everything is still missing
          as_of: 2025-10-01
          facts: {}
          expect:
            missing: [P-1, P-2, R-1, R-2, Z-1]
        - name: an actionable condition not met closes nothing
          as_of: 2025-10-01
          facts: {work.regions: [corse], a.o: false, a.m: true, a.n: true, a.p: true}
          expect:
            missing: [R-2]
    """, tmp_path)


# --- exact reasons, and what each policy refuses at load -------------------------------------------


def own_reasons(out: dict) -> list[str]:
    """The policy's reasons, without the missing facts and evidence the engine adds after them."""
    return [r for r in out["reasons"] if not r.startswith(("missing_fact:", "evidence_"))]


def test_threshold_reasons_name_only_what_is_undetermined():
    grid = threshold_grid()
    score_only = outcome(grid, "eco", {"a.m": True, "a.n": False})  # 2/10 now, 7/10 at best
    assert score_only["decision"] == "undetermined" and own_reasons(score_only) == ["score_undetermined"]
    mandatory_only = outcome(grid, "eco", {"a.n": True, "a.o": True, "a.p": False})  # 6/10 passes, M unknown
    assert mandatory_only["decision"] == "undetermined" and own_reasons(mandatory_only) == ["mandatory_unknown"]


def test_a_rule_selector_unknown_without_fallback_says_so():
    policy = (f"{{kind: threshold, threshold: [{{when: {{fact: scheme, eq: commitment_phase}}, value: 0.8, inclusive: true, "
              f"{SOURCE}}}, {{when: {{fact: scheme, eq: performance}}, value: 0.5, inclusive: true, {SOURCE}}}]}}")
    out = outcome(threshold_grid(policy), "eco", {"a.m": True, "a.n": True, "a.o": True, "a.p": True})
    assert out["decision"] == "eligible" and "threshold_undetermined" in out["reasons"]
    assert out["threshold"]["candidates"] == [0, 1]


def test_eligible_below_the_lowest_star_band_has_no_star():
    policy = (f"{{kind: threshold, threshold: [{{value: 0.5, inclusive: true, {SOURCE}}}], "
              "stars: {verified: false, bands: [{min: 0.7, stars: 1}, {min: 0.9, stars: 2}]}}")
    out = outcome(threshold_grid(policy), "eco", {"a.m": True, "a.n": True, "a.o": False, "a.p": False})
    assert out["decision"] == "eligible" and out["stars"] == (0, 0)


def test_levels_reasons_are_exact_and_the_top_level_can_block():
    grid = levels_grid()
    base = {"work.live_action": True, "a.m": True, "a.n": True}
    open_top = outcome(grid, "lv", {**base, "a.o": True})
    # level 2 reached, level 3 (company-wide) unknown for the project itself: L3-A is what blocks
    assert open_top["level"] == (2, 3) and open_top["blocking"] == ["L3-A"]
    assert own_reasons(open_top) == ["level_undetermined"] and open_top["portfolio"] == []
    undetermined = outcome(grid, "lv", base)
    assert own_reasons(undetermined) == ["level_undetermined"]
    settled = outcome(grid, "lv", {**base, "a.o": False})
    assert settled["level"] == (1, 1) and own_reasons(settled) == ["level_below_2"]


@pytest.mark.parametrize(
    ("policy", "crits", "message"),
    [
        ("{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}, {level: 3, title: {fr: c, en: c}}]}",
         [criterion("L-1", "{fact: a.m}", level=1)], "levels must be numbered 1, 2, 3... in order"),
        ("{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}]}",
         [criterion("L-1", "{fact: a.m}", level=2)], "criterion L-1: level 2 is not declared"),
        ("{kind: levels, target: 3, levels: [{level: 1, title: {fr: a, en: a}}]}",
         [criterion("L-1", "{fact: a.m}", level=1)], "target level 3 is not declared"),
        ("{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}]}",
         [criterion("L-1", "{fact: a.m}", level=1, points=2)], "`points` has no meaning under a levels policy"),
        (SCHEMES, [criterion("P-1", "{fact: a.m}", scheme="bonus")], "criterion P-1: unknown scheme 'bonus'"),
        (SCHEMES.replace("{id: regional", "{id: prime"), [criterion("P-1", "{fact: a.m}", scheme="prime")],
         "two schemes share an id"),
        (SCHEMES, [criterion("P-1", "{fact: a.m}", scheme="prime", level=1)], "`level` has no meaning under a eligibility"),
    ],
)
def test_policy_checks_at_load(policy, crits, message):
    from raccord.engine import InputError

    with pytest.raises(InputError) as info:
        lib(ruleset_yaml("r", policy, crits))
    assert message in str(info.value) and str(info.value).startswith("ruleset0.yaml:")
