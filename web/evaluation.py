"""The engine on the journal's state: the dossier derived from it, evaluated at a date the server
passes (the engine never reads the clock). Derived objects are cached by (production, version):
a version never changes once written, so the cache never goes stale."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from raccord.engine import Engine, InputError, build_dossier
from raccord.engine.source_files import Located

from . import journal


class Evaluator:
    def __init__(self, engine: Engine, size: int = 256) -> None:
        self.engine = engine
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @property
    def catalogue(self):
        return self.engine.library.catalogue

    def _cached(self, key: tuple, make):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return value

    def dossier(self, state: dict[str, Any]):
        """The engine's dossier for a state (InputError when the state is not a valid dossier)."""
        return build_dossier(Located(journal.dossier_data(state), "dossier.yaml"), self.catalogue, None)

    def evaluate(self, key: tuple, state: dict[str, Any], as_of: dt.date) -> tuple[Any, dict[str, Any]]:
        """(evaluation, result document) of a state at a date; `key` names the state (production id, version)."""
        evaluation = self.evaluation(key, state, as_of)
        return evaluation, self.result(key, evaluation)

    def dossier_of(self, key: tuple, state: dict[str, Any]):
        return self._cached(("dossier", *key), lambda: self.dossier(state))

    def questions(self, key: tuple, state: dict[str, Any], as_of: dt.date, skip: tuple[str, ...] = ()) -> list:
        """The engine's questions (unknown facts that can change a decision, most decisive first);
        rosters are left to the import (a list of members is no one question)."""
        def make():
            found = self.engine.questions(self.dossier_of(key, state), as_of, skip)
            return [q for q in found if q.definition.type != "collection"]

        return self._cached(("questions", *key, as_of, skip), make)

    def evaluation(self, key: tuple, state: dict[str, Any], as_of: dt.date):
        def make():
            return self.engine.evaluate(self.dossier_of(key, state), as_of)

        return self._cached(("evaluation", *key, as_of), make)

    def result(self, key: tuple, evaluation) -> dict[str, Any]:
        """For pages: met criteria unexplained (most of the document's cost); downloads take the complete one."""
        return self._cached(("result", *key, evaluation.as_of), lambda: self.engine.result(evaluation, complete=False))

    def check_fact(self, state: dict[str, Any], name: str, value: Any) -> str | None:
        """The engine's own message when `value` is not valid for fact `name` (None when it is)."""
        # the fact alone: its type, bounds and values are checked the same, without the whole dossier
        trial = {**journal.empty_state(), "production": state["production"] or {"id": "x", "title": "x"},
                 "facts": {name: value}}
        try:
            self.dossier(trial)
        except InputError as error:
            return error.render("fr") if hasattr(error, "render") else str(error)
        return None


def summary(result: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Each referential's decision line and details (the CLI's own wording), for the portfolio and the dashboard."""
    from raccord.cli.summary import decision_line, detail_lines

    return [{"id": rs["id"], "title": rs["title"], "decision": rs["outcome"].get("decision"),
             "line": decision_line(rs, lang), "details": detail_lines(rs, lang)} for rs in result["rulesets"]]


def score_points(result: dict[str, Any]) -> dict[str, float]:
    """The current score (share) of each referential that has one, for the chart."""
    out = {}
    for rs in result["rulesets"]:
        score = rs["outcome"].get("score")
        if isinstance(score, list) and score and score[0] is not None:
            out[rs["id"]] = score[0]
    return out
