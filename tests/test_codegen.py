"""The generated ruleset functions against a reference interpreter built on the condition closures.

The generated code is the only path `evaluate` uses; the closures are what `explain` and `plan`
use. Any drift between the two would make an explanation contradict its status, so every criterion
of every bundled ruleset is compared, with and without dossier declarations, on random dossiers
and dates that cross the criteria's `valid_from` / `valid_until`.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raccord.engine import load_library, tri
from raccord.engine import status as s
from raccord.engine.codegen import generate_source
from raccord.engine.evaluate import build_context

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from synthetic import synthetic_dossier

LIBRARY = load_library()
DATES = [dt.date(2023, 1, 1), dt.date(2024, 11, 1), dt.date(2025, 10, 15), dt.date(2026, 5, 1), dt.date(2029, 1, 1)]
TO_STATUS = {tri.TRUE: s.MET, tri.FALSE: s.NOT_MET, tri.UNKNOWN: s.UNKNOWN}


def reference_statuses(rs, ctx, declared_na, declined, assume) -> dict[str, str]:
    """The documented precedence (docs/ruleset-format.md §4, plus `plan` assumptions), one closure per condition."""
    for crit in rs.criteria:
        cid = crit.id
        if (crit.in_force is not None and not crit.in_force(ctx.as_of)) or cid in declared_na:
            ctx.statuses[cid] = s.NOT_APPLICABLE
        elif crit.applies is not None and (value := crit.applies(ctx)) != tri.TRUE and not (
                value == tri.UNKNOWN and cid in assume):
            ctx.statuses[cid] = s.NOT_APPLICABLE if value == tri.FALSE else s.UNKNOWN
        elif cid in assume:
            ctx.statuses[cid] = assume[cid]
        elif cid in declined:
            ctx.statuses[cid] = s.NOT_MET
        else:
            ctx.statuses[cid] = TO_STATUS[crit.requires(ctx)]
    return dict(ctx.statuses)


def both_ways(dossier, as_of, declared_na, declined, assume):
    generated, reference = build_context(dossier, as_of), build_context(dossier, as_of)
    marked = frozenset(declared_na) | frozenset(declined) | frozenset(assume)
    for rs in LIBRARY.rulesets.values():
        rs.runner(generated, marked, declared_na, declined, assume)
        reference_statuses(rs, reference, declared_na, declined, assume)
        # later rulesets read earlier outcomes: give both the same ones
        outcome = rs.policy.outcome(rs, generated)
        generated.outcomes[rs.id] = reference.outcomes[rs.id] = outcome
    return generated.statuses, reference.statuses


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.floats(0.0, 0.7), st.sampled_from(DATES), st.booleans())
def test_generated_code_agrees_with_the_closures(seed, unknown, as_of, declarations):
    dossier = synthetic_dossier(LIBRARY, seed, unknown_share=unknown)
    declared_na: dict[str, str] = {}
    declined: dict[str, str] = {}
    assume: dict[str, str] = {}
    if declarations:
        rng = random.Random(seed)
        ids = sorted(LIBRARY.criteria)
        declared_na = {cid: "hors champ" for cid in rng.sample(ids, 15)}
        declined = {cid: "refusé" for cid in rng.sample(ids, 15)}
        assume = {cid: rng.choice([s.MET, s.NOT_MET]) for cid in rng.sample(ids, 15)}
    generated, reference = both_ways(dossier, as_of, declared_na, declined, assume)
    assert generated == reference


def test_generated_source_holds_no_ruleset_value():
    """Ids, fact names and literals are bound in the namespace, never spliced into the source."""
    for rs in LIBRARY.rulesets.values():
        source, writer = generate_source(rs)
        namespace = writer.namespace
        for crit in rs.criteria:
            assert crit.id not in source
            assert crit.id in namespace.values()
        for fact in LIBRARY.catalogue:
            assert repr(fact) not in source
