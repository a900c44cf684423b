"""engine/plan.py: plans are optimal (brute force on small random grids) and reach their target;
the `plan` and `eligibility` commands on the example dossier."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from raccord.cli.main import cli
from raccord.engine import evaluate
from raccord.engine.plan import make_plan, parse_target, target_reached, verify

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "long_metrage" / "dossier.yaml")

# A criterion's status is driven by one evidence kind per criterion: present -> met, absent -> unknown;
# declined ones -> not_met and excluded from plans.
grid = st.lists(
    st.tuples(st.integers(1, 5), st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]), st.booleans(),
              st.sampled_from(["met", "unknown", "declined"])),
    min_size=1, max_size=8,
)


def threshold_library(rows, value: float, inclusive: bool):
    crits = [criterion(f"T-{i}", f"{{evidence: k{i}}}", evidence=[f"k{i}"], points=p, effort=e,
                       mandatory=str(m).lower()) for i, (p, e, m, _) in enumerate(rows)]
    policy = (f"{{kind: threshold, threshold: [{{value: {value}, inclusive: {str(inclusive).lower()}, "
              "source: {document: src, section: '§1'}}]}")
    return library_of(ruleset_yaml("thr", policy, crits))


def rows_dossier(library, rows):
    evidence = [{"id": f"E{i}", "kind": f"k{i}"} for i, row in enumerate(rows) if row[3] == "met"]
    declined = {f"T-{i}": "non" for i, row in enumerate(rows) if row[3] == "declined"}
    return dossier_of(library, evidence=evidence, declined=declined)


@settings(max_examples=150, deadline=None)
@given(rows=grid, value=st.sampled_from([0.3, 0.5, 0.65, 0.8, 1.0]), inclusive=st.booleans())
def test_threshold_plan_is_optimal(rows, value, inclusive):
    library = threshold_library(rows, value, inclusive)
    dossier = rows_dossier(library, rows)
    evaluation = evaluate(library, dossier, DAY)
    target = parse_target(library, "thr")
    plan = make_plan(evaluation, target)
    candidates = [f"T-{i}" for i, row in enumerate(rows) if row[3] == "unknown"]
    best = None
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            ev = evaluate(library, dossier, DAY, assume=dict.fromkeys(subset, "met"))
            if target_reached(ev, target):
                effort = sum(rows[int(c[2:])][1] for c in subset)
                best = effort if best is None else min(best, effort)
    if best is None:
        assert not plan.feasible
    else:
        assert plan.feasible
        assert abs(plan.effort - best) < 1e-9
        assert target_reached(verify(evaluation, plan), target)


@settings(max_examples=60, deadline=None)
@given(rows=grid, level=st.integers(1, 3))
def test_levels_plan_is_the_forced_set(rows, level):
    crits = [criterion(f"T-{i}", f"{{evidence: k{i}}}", evidence=[f"k{i}"], level=(i % 3) + 1, effort=e)
             for i, (_, e, _, _) in enumerate(rows)]
    policy = "{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}, {level: 2, title: {fr: b, en: b}}, " \
             "{level: 3, title: {fr: c, en: c}}]}"
    library = library_of(ruleset_yaml("lev", policy, crits))
    dossier = rows_dossier(library, rows)
    evaluation = evaluate(library, dossier, DAY)
    target = parse_target(library, f"lev:{level}")
    plan = make_plan(evaluation, target)
    needed = [i for i, row in enumerate(rows) if (i % 3) + 1 <= level and row[3] != "met"]
    if any(rows[i][3] == "declined" for i in needed):
        assert not plan.feasible
        return
    assert sorted(plan.items) == sorted(f"T-{i}" for i in needed)
    assert target_reached(verify(evaluation, plan), target)


def test_delegating_scheme_expands_to_the_referenced_actions():
    lev = ruleset_yaml("lev", "{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}, {level: 2, title: {fr: b, en: b}}]}",
                       [criterion("L-1", "{evidence: a}", evidence=["a"], level=1, effort=2),
                        criterion("L-2", "{evidence: b}", evidence=["b"], level=2, effort=3)])
    aid = ruleset_yaml("aid", "{kind: eligibility, schemes: [{id: s, title: {fr: S, en: S}, "
                       "source: {document: src, section: '§1'}, provenance: reconstructed}]}",
                       [criterion("A-1", "{outcome: lev.level, gte: 2}", scheme="s", effort=0),
                        criterion("A-2", "{evidence: c}", evidence=["c"], scheme="s", effort=1)])
    library = library_of(lev, aid)
    evaluation = evaluate(library, dossier_of(library), DAY)
    target = parse_target(library, "aid:s")
    plan = make_plan(evaluation, target)
    assert plan.items == ["L-1", "L-2", "A-2"]
    assert plan.effort == 6
    assert target_reached(verify(evaluation, plan), target)


def test_cli_plan_on_example():
    result = CliRunner().invoke(cli, ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "afnor_spec_2308:2",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    # `check` says level 0 to 1: AFN-INC-03 (level 2) is stated not done and has no deadline, so it is
    # final and the plan says it blocks level 2 instead of proposing it (before: « cible atteinte »)
    assert doc["before"]["level"] == [0, 1]
    assert doc["blockers"] == [{"reason": "not_met", "criterion": "AFN-INC-03"}] and doc["feasible"] is False
    assert doc["after"]["reached"] is False and "AFN-INC-03" not in [i["criterion"] for i in doc["items"]]
    assert "AFN-GOV-03" in [i["criterion"] for i in doc["items"]]
    assert doc["effort"] == sum(i["effort"] for i in doc["items"])
    text = CliRunner().invoke(cli, ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "aid:prime_rse_plus"]).output
    assert "Plan de moindre effort" in text and "AID-RSE-CERTIFICATION" in text
    # not eligible: the 28 000 € are at stake, and stay so, with the reason
    assert "Aujourd'hui : non éligible, 28\u202f000\u202f€ en jeu" in text
    assert "  - AFN-INC-03 : déclaré non fait, sans échéance encore ouverte" in text
    assert "Après le plan (vérifié par réévaluation) : non éligible, 28\u202f000\u202f€ en jeu — cible NON atteinte" in text
    reached = CliRunner().invoke(cli, ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "afnor_spec_2308:2",
                                       "--assume", "AFN-INC-03=met", "--format", "json"])
    assert json.loads(reached.output)["after"]["level"] == [2, 2]  # what if the networks had been approached
    what_if = CliRunner().invoke(cli, ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "afnor_spec_2308:2",
                                       "--assume", "AFN-GOV-03=met", "--format", "json"])
    assert "AFN-GOV-03" not in [i["criterion"] for i in json.loads(what_if.output)["items"]]


def test_cli_eligibility_on_example():
    result = CliRunner().invoke(cli, ["eligibility", EXAMPLE, "--as-of", "2025-10-15", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    schemes = {s["id"]: s for s in doc["schemes"]}
    rse = schemes["prime_rse_plus"]
    assert rse["decision"] == "not_eligible"
    assert rse["amount"]["value"] == 28000
    assert "AID-RSE-LEVEL2" in [b["criterion"] for b in rse["not_met"]]
    assert schemes["corse_ecobonus"]["decision"] == "not_eligible"
    assert schemes["cnc_vhss"]["decision"] == "undetermined"
    assert "cnc_vhss_measures_description" in schemes["cnc_vhss"]["settle"]["evidence"]
    text = CliRunner().invoke(cli, ["eligibility", EXAMPLE, "--as-of", "2025-10-15"]).output
    assert "Prime RSE+ du CNC" in text and "NON ÉLIGIBLE" in text and "28\u202f000" in text
    assert "AFN-GOV-03" in text  # the missing level-1 criterion behind the level gate
    english = CliRunner().invoke(cli, ["eligibility", EXAMPLE, "--as-of", "2025-10-15", "--lang", "en"]).output
    assert "CNC RSE+ bonus" in english and "NOT ELIGIBLE" in english


def test_cli_plan_names_stages_by_their_title():
    """The auditor reads « Après le tournage … », not the ruleset's internal stage id."""
    args = ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "ecoprod_label"]
    doc = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    staged = [i for i in doc["items"] if i.get("stage")]
    assert staged and all(i["stage_title"]["fr"] for i in staged)
    text = CliRunner().invoke(cli, args).output
    english = CliRunner().invoke(cli, [*args, "--lang", "en"]).output
    for item in staged:
        assert f"« {item['stage_title']['fr']} »" in text
        assert item["stage_title"]["en"] in english


def test_cli_plan_text_agrees_in_number_and_follows_each_language_typography():
    args = ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "afnor_spec_2308:1"]
    french = CliRunner().invoke(cli, args).output
    english = CliRunner().invoke(cli, [*args, "--lang", "en"]).output
    assert "Plan de moindre effort (1 critère, 4 jours-personne, calcul exact) :" in french
    assert "Cible : afnor_spec_2308:1" in french
    assert "Least-effort plan (1 criterion, 4 person-days, exact):" in english
    assert "Target: afnor_spec_2308:1" in english and " : " not in english.split("\n", 1)[1]
    score = CliRunner().invoke(cli, ["plan", EXAMPLE, "--as-of", "2025-10-15", "--target", "ecoprod_label",
                                     "--lang", "en"]).output
    assert "Score 83.8% – 100.0%" in score


def test_counts_agree_with_their_number_in_each_language():
    from raccord.cli.i18n import count

    assert [count(n, "criterion", "fr") for n in (0, 1, 2)] == ["0 critère", "1 critère", "2 critères"]
    assert count(1.5, "person_day", "fr") == "1,5 jour-personne"
    assert [count(n, "criterion", "en") for n in (0, 1, 2)] == ["0 criteria", "1 criterion", "2 criteria"]
    assert count(16.5, "person_day", "en") == "16.5 person-days"
