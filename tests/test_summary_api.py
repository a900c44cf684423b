"""Engine.summary: the result document's ruleset entries without groups and criteria, same values
(the result's `validated` part and each scheme's `validated_decision`, added by the review layer,
are not in the summary)."""

import datetime as dt
from pathlib import Path

import pytest

from raccord.engine import Engine

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.mark.parametrize("example", ["long_metrage", "serie_tv", "animation", "film_publicitaire"])
def test_summary_is_the_result_without_criteria(example):
    engine = Engine.load()
    dossier = engine.dossier(EXAMPLES / example / "dossier.yaml")
    for day in (dt.date(2025, 10, 15), dt.date(2024, 6, 1)):
        evaluation = engine.evaluate(dossier, day)
        full = engine.result(evaluation)["rulesets"]
        left_out = ("groups", "criteria", "validated")
        for rs in full:
            for result in (rs["outcome"].get("schemes") or {}).values():
                result.pop("validated_decision")
        assert engine.summary(evaluation) == [{k: v for k, v in rs.items() if k not in left_out} for rs in full]


def test_summary_without_reasons_has_the_same_decisions_and_figures():
    """reasons=False (the workspace's pages): every value the same but the reasons that need the
    unknown criteria's findings, whether or not another call completed them first."""
    from raccord.cli.summary import decision_line, detail_lines

    engine = Engine.load()
    dropped = 0
    for example in ("long_metrage", "serie_tv"):
        dossier = engine.dossier(EXAMPLES / example / "dossier.yaml")
        quick = engine.summary(engine.evaluate(dossier, dt.date(2025, 10, 15)), reasons=False)
        evaluation = engine.evaluate(dossier, dt.date(2025, 10, 15))
        full = engine.summary(evaluation)
        assert engine.summary(evaluation, reasons=False) == quick  # completed before: still left out
        for short, long in zip(quick, full, strict=True):
            kept = [r for r in long["outcome"]["reasons"]
                    if not r.startswith("missing_fact:") and r not in ("evidence_expired", "evidence_late")]
            dropped += len(long["outcome"]["reasons"]) - len(kept)
            assert short == {**long, "outcome": {**long["outcome"], "reasons": kept}}
            for lang in ("fr", "en"):
                assert (decision_line(short, lang), detail_lines(short, lang)) == (decision_line(long, lang),
                                                                                   detail_lines(long, lang))
    assert dropped  # the examples have undetermined decisions whose missing facts the full summary names
