"""Scoring policies on small grids: threshold, levels (with portfolio), obligations, eligibility."""

from __future__ import annotations

import pytest

from raccord.engine import evaluate

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml

THRESHOLD = """{kind: threshold,
  threshold: [
    {when: {fact: scheme, eq: commitment_phase}, value: 0.70, inclusive: true, source: {document: src, section: a}},
    {value: 0.65, inclusive: false, source: {document: src, section: b}}],
  stars: {verified: false, bands: [{min: 0.65, stars: 1}, {min: 0.8, stars: 2}, {min: 0.9, stars: 3}]}}"""


def grid(mandatory_first: bool = True):
    """20 one-point actions; E-01 mandatory. A fact per action decides it (true/false/absent)."""
    facts = {f"a{i:02d}": {"type": "boolean", "title": {"fr": f"a{i}", "en": f"a{i}"}} for i in range(1, 21)}
    from .support import FACTS

    crits = [criterion(f"E-{i:02d}", f"{{fact: a{i:02d}}}", points=1, mandatory=str(i == 1 and mandatory_first).lower())
             for i in range(1, 21)]
    return library_of(ruleset_yaml("eco", THRESHOLD, crits), facts={**FACTS, **facts})


def run_grid(lib, met: int, unknown: int = 0, scheme: str | None = None, declined=None):
    facts = {f"a{i:02d}": True for i in range(1, met + 1)}
    facts.update({f"a{i:02d}": False for i in range(met + unknown + 1, 21)})
    if scheme:
        facts["scheme"] = scheme
    ev = evaluate(lib, dossier_of(lib, facts, declined=declined or {}), DAY)
    return ev.outcome("eco")


def test_threshold_strict_reading_by_default():
    lib = grid()
    at = run_grid(lib, met=13)  # 13/20 = 65 % exactly
    assert at["score"] == pytest.approx((0.65, 0.65))
    assert at["decision"] == "not_eligible" and "score_below_threshold" in at["reasons"]
    above = run_grid(lib, met=14)
    assert above["decision"] == "eligible"
    assert above["stars"] == (1, 1)


def test_threshold_commitment_phase_is_inclusive_at_70():
    lib = grid()
    assert run_grid(lib, met=14, scheme="commitment_phase")["decision"] == "eligible"  # 70 % inclusive
    assert run_grid(lib, met=13, scheme="commitment_phase")["decision"] == "not_eligible"


def test_threshold_unknown_scheme_considers_both_rules():
    lib = grid()
    # 13/20 passes neither reading; 14/20 passes both -> determined without knowing the scheme
    facts = {f"a{i:02d}": i <= 14 for i in range(1, 21)}
    ev = evaluate(lib, dossier_of(lib, facts), DAY)
    assert ev.outcome("eco")["decision"] == "eligible"


def test_threshold_range_and_undetermined():
    lib = grid()
    out = run_grid(lib, met=10, unknown=6)
    assert out["score"] == pytest.approx((0.5, 0.8))
    assert out["decision"] == "undetermined" and "score_undetermined" in out["reasons"]
    assert out["stars"] == (0, 2)


def test_mandatory_not_met_blocks_even_with_a_high_score():
    lib = grid()
    facts = {f"a{i:02d}": i != 1 for i in range(1, 21)}  # 95 % but the mandatory E-01 fails
    out = evaluate(lib, dossier_of(lib, facts), DAY).outcome("eco")
    assert out["decision"] == "not_eligible"
    assert out["reasons"] == ["mandatory_not_met"]
    assert out["blocking"] == ["E-01"]


def test_not_applicable_shrinks_the_denominator():
    lib = grid()
    facts = {f"a{i:02d}": i <= 13 for i in range(1, 21)}
    na = {f"E-{i:02d}": "Pas de décors construits" for i in (18, 19, 20)}
    out = evaluate(lib, dossier_of(lib, facts, not_applicable=na), DAY).outcome("eco")
    assert out["points"]["applicable"] == 17
    assert out["score"][0] == pytest.approx(13 / 17)
    assert out["decision"] == "eligible"


LEVELS = "{kind: levels, levels: [{level: 1, title: {fr: a, en: a}}, {level: 2, title: {fr: b, en: b}}, " \
         "{level: 3, title: {fr: c, en: c}, scope: company}], target: 2, applies_if: {fact: work.live_action}, " \
         "not_applicable_reason: {fr: 'prises de vues réelles uniquement', en: 'live action only'}}"


def levels_lib():
    crits = [criterion("L-01", "{fact: work.live_action}", level=1),
             criterion("L-02", "{fact: company.headcount, gte: 1}", level=2),
             criterion("L-03", "{ratio: [team.women, team.total], gte: 0.4}", level=3)]
    return library_of(ruleset_yaml("spec", LEVELS, crits))


def project(lib, headcount=5, women=4, label="p"):
    facts = {"work.live_action": True, "team.total": 10, "team.women": women}
    if headcount is not None:
        facts["company.headcount"] = headcount
    from raccord.engine import build_dossier
    from raccord.engine.source_files import Located

    data = {"format": "raccord.dossier/1", "production": {"id": label, "title": label}, "facts": facts}
    return build_dossier(Located(data, f"{label}.yaml"), lib.catalogue, None)


def test_levels_cumulative_and_target_decision():
    lib = levels_lib()
    out = evaluate(lib, project(lib), DAY).outcome("spec")
    assert out["project_level"] == (3, 3)
    assert out["level"] == (2, 3)  # level 3 is company-wide: without a portfolio it is only possible
    assert "portfolio_required" in out["reasons"]
    assert out["decision"] == "eligible"
    out = evaluate(lib, project(lib, headcount=None), DAY).outcome("spec")
    assert out["level"] == (1, 3) and out["decision"] == "undetermined" and out["blocking"] == ["L-02"]
    out = evaluate(lib, project(lib, headcount=0), DAY).outcome("spec")
    assert out["level"] == (1, 1) and out["decision"] == "not_eligible"


def test_company_level_needs_every_comparable_project():
    lib = levels_lib()
    good, bad = project(lib, label="bon"), project(lib, women=3, label="mauvais")
    assert evaluate(lib, project(lib), DAY, portfolio=[good]).outcome("spec")["level"] == (3, 3)
    out = evaluate(lib, project(lib), DAY, portfolio=[good, bad]).outcome("spec")
    assert out["level"] == (2, 2)
    assert out["portfolio"] == [{"project": "mauvais", "level": 3, "project_level": [2, 2]}]


def test_referential_out_of_scope_says_so_instead_of_scoring():
    lib = levels_lib()
    from raccord.engine import build_dossier
    from raccord.engine.source_files import Located

    data = {"format": "raccord.dossier/1", "production": {"id": "anim", "title": "Anim"},
            "facts": {"work.live_action": False}}
    ev = evaluate(lib, build_dossier(Located(data, "a.yaml"), lib.catalogue, None), DAY)
    assert ev.outcome("spec")["decision"] == "not_applicable"
    assert {ev.status(c) for c in ("L-01", "L-02", "L-03")} == {"not_applicable"}


def test_obligations_recommended_never_block():
    crits = [criterion("V-01", "{fact: work.live_action}", mandatory="true"),
             criterion("V-02", "{fact: company.headcount, gte: 50}", mandatory="false")]
    lib = library_of(ruleset_yaml("vh", "{kind: obligations}", crits))
    out = evaluate(lib, dossier_of(lib, {"work.live_action": True, "company.headcount": 3}), DAY).outcome("vh")
    assert out["decision"] == "compliant"
    assert out["recommended"] == {"not_met": ["V-02"]}
    out = evaluate(lib, dossier_of(lib, {"company.headcount": 3}), DAY).outcome("vh")
    assert out["decision"] == "undetermined" and out["blocking"] == ["V-01"]
    out = evaluate(lib, dossier_of(lib, {"work.live_action": False}), DAY).outcome("vh")
    assert out["decision"] == "not_compliant"


def test_eligibility_scheme_dates_and_amounts():
    policy = ("{kind: eligibility, schemes: [{id: prime, title: {fr: Prime, en: Bonus}, valid_from: 2025-09-01, "
              "valid_until: 2028-08-31, amount: {value: 28000}, source: {document: src, section: x}, "
              "provenance: reconstructed}]}")
    lib = library_of(ruleset_yaml("aid", policy, [criterion("A-01", "{fact: work.live_action}", scheme="prime")]))
    dossier = dossier_of(lib, {"work.live_action": True})
    import datetime as dt

    before = evaluate(lib, dossier, dt.date(2025, 8, 31)).outcome("aid")
    assert before["schemes"]["prime"]["decision"] == "not_eligible"
    assert before["schemes"]["prime"]["reasons"] == ["scheme_not_in_force"]
    after = evaluate(lib, dossier, dt.date(2025, 9, 1)).outcome("aid")
    assert after["schemes"]["prime"]["decision"] == "eligible" and after["amount"] == (28000, 28000)


def test_policy_specific_attributes_are_checked():
    from raccord.engine import InputError

    with pytest.raises(InputError, match="needs `points` under a threshold policy"):
        library_of(ruleset_yaml("eco", THRESHOLD, [criterion("E-01", "{fact: work.live_action}")]))
    with pytest.raises(InputError, match="`level` has no meaning under a obligations policy"):
        library_of(ruleset_yaml("vh", "{kind: obligations}", [criterion("V-01", "{fact: work.live_action}", level=1)]))
