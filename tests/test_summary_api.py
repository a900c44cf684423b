"""Engine.summary: the result document's ruleset entries without groups and criteria, same values
(the result's `validated` part, added by the review layer, is not in the summary)."""

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
        assert engine.summary(evaluation) == [{k: v for k, v in rs.items() if k not in left_out} for rs in full]
