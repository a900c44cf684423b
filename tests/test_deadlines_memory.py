"""An evaluation is freed by reference counting: nothing it builds refers back to its context.

The deadline windows (`ctx.windows`) once held the context that holds them: every evaluation was
a reference cycle, kept until the cyclic collector ran (93 objects an evaluation of the feature
film, collected in a batch by pauses unrelated to the engine)."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from raccord.engine import Engine
from raccord.engine.context import Context
from raccord.engine.deadlines import Windows

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage" / "dossier.yaml"


def test_an_evaluation_leaves_no_reference_cycle():
    engine = Engine.load()
    dossier = engine.dossier(EXAMPLE)
    as_of = dt.date(2025, 10, 15)  # after the wrap: windows closed, pending and lost criteria
    evaluation = engine.evaluate(dossier, as_of)
    assert evaluation.ctx.windows["AID-RSE-DECLARATION"].state == "closed"  # the windows were read
    del evaluation
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            evaluation = engine.evaluate(dossier, as_of)
            assert evaluation.ctx.windows.values()  # every window computed
            del evaluation
        left = [o for o in gc.get_objects() if type(o) in (Context, Windows)]
        assert left == []  # freed when the last reference went, without the collector
        assert gc.collect() == 0  # and nothing else of theirs waits for it
    finally:
        if was_enabled:
            gc.enable()
