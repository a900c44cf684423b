"""The engine on the journal's state: the dossier derived from it, evaluated at a date the server
passes (the engine never reads the clock). Derived objects are cached by (production, version):
a version never changes once written, so the cache never goes stale."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from raccord.engine import Engine, build_dossier
from raccord.engine.review import parse_audit
from raccord.engine.source_files import Located

from . import journal, live

AUDIT_FILE = "dossier.audit.yaml"  # the name an export gives it, and what its messages point to


PRODUCTIONS = 256  # productions whose latest dossier an Evaluator keeps (Evaluator(productions=...))


class Evaluator:
    """The engine's objects per (production, version), kept in memory. Three bounds, by what they cost:
    - each production's newest dossier built (its « head », up to `productions` of them, the least
      recently used dropped first): the base an edit's new version is made from (Engine.with_facts),
      whatever other pages did meanwhile: a dashboard's chart or the history evaluate dozens of past
      versions, which would push it out of a cache shared by everything;
    - result documents (the dashboard's, the missing items'...: about 0.8 MB each for the feature
      film), `productions // 4` of them;
    - everything else (states, dossiers, evaluations, summaries, questions: 10-130 KB each), 8 per
      production: the versions a team is looking at."""

    def __init__(self, engine: Engine, productions: int = PRODUCTIONS) -> None:
        self.engine = engine
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._results: OrderedDict[tuple, Any] = OrderedDict()
        self._heads: OrderedDict[Any, tuple[int, dict[str, Any], Any]] = OrderedDict()
        self._productions = productions
        self._size = 8 * productions
        self._result_size = max(16, productions // 4)
        self._remembered: OrderedDict[tuple, Any] = OrderedDict()
        self._remembered_size = 64 * productions
        self._lock = threading.Lock()

    @property
    def catalogue(self):
        return self.engine.library.catalogue

    def cached(self, key: tuple, make):
        """`make()`, kept under `key` (a key names a version: what it names never changes)."""
        return self._cached(key, make)

    def remember(self, key: tuple, make):
        """`make()` for small values only (a version's decisions: web/history.py), kept apart from
        the dossiers and evaluations, 64 per production, so that walking a long history neither
        pushes those out nor forgets itself."""
        with self._lock:
            if key in self._remembered:
                self._remembered.move_to_end(key)
                return self._remembered[key]
        value = make()
        with self._lock:
            self._remembered[key] = value
            while len(self._remembered) > self._remembered_size:
                self._remembered.popitem(last=False)
        return value

    def _cached(self, key: tuple, make):
        cache, size = (self._results, self._result_size) if key[0] == "result" else (self._cache, self._size)
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = make()
        with self._lock:
            cache[key] = value
            while len(cache) > size:
                cache.popitem(last=False)
        return value

    def dossier(self, state: dict[str, Any]):
        """The engine's dossier for a state (InputError when the state is not a valid dossier), with
        the auditor's decisions applied by the engine's review model (Engine.reviewed), as `raccord
        check` applies the auditor's file beside a dossier."""
        dossier = build_dossier(Located(journal.dossier_data(state), "dossier.yaml"), self.catalogue, None)
        live.add_to_dossier(dossier, state, self.catalogue)  # the shooting journal's facts and evidence, as check reads them
        return self.engine.reviewed(dossier, self.audit(state))

    def audit(self, state: dict[str, Any]):
        """The journal's reviews, findings and sign-offs as the engine's AuditFile (None: there are none)."""
        data = journal.audit_data(state)
        return parse_audit(Located(data, AUDIT_FILE)) if data else None

    def evaluate(self, key: tuple, state: dict[str, Any], as_of: dt.date) -> tuple[Any, dict[str, Any]]:
        """(evaluation, result document) of a state at a date; `key` names the state (production id, version)."""
        evaluation = self.evaluation(key, state, as_of)
        return evaluation, self.result(key, evaluation)

    def _peek(self, key: tuple):
        with self._lock:
            return (self._results if key[0] == "result" else self._cache).get(key)

    def dossier_of(self, key: tuple, state: dict[str, Any]):
        """The engine's dossier of a version. After a change of facts only (the common edit), an
        earlier version's dossier (the production's head, or the newest earlier one kept) with those
        facts replaced (Engine.with_facts), each value typed by the engine alone, instead of
        validating the whole dossier again."""
        def make():
            pid, version = key
            base = self._base(pid, version)
            if base is not None and _only_facts_differ(base[1], state):
                before = base[1]["facts"]
                changed = {n: state["facts"].get(n) for n in set(before) | set(state["facts"])
                           if before.get(n) != state["facts"].get(n)}
                dossier = self.engine.with_facts(base[2], {n: self.typed(n, v) for n, v in changed.items()})
            else:
                dossier = self.dossier(state)
            with self._lock:
                self._cache[("state", pid, version)] = state
                head = self._heads.get(pid)
                if head is None or head[0] <= version:
                    self._heads[pid] = (version, state, dossier)
                    self._heads.move_to_end(pid)
                    while len(self._heads) > self._productions:
                        self._heads.popitem(last=False)
            return dossier

        return self._cached(("dossier", *key), make)

    def _base(self, pid, version: int) -> tuple[int, dict[str, Any], Any] | None:
        """(version, state, dossier) of the newest earlier version at hand: the head, else the cache's."""
        with self._lock:
            head = self._heads.get(pid)
            if head is not None and head[0] < version:
                return head
            kept = [k[2] for k in self._cache if k[0] == "state" and k[1] == pid and k[2] < version
                    and ("dossier", pid, k[2]) in self._cache]
            if not kept:
                return None
            best = max(kept)
            return best, self._cache[("state", pid, best)], self._cache[("dossier", pid, best)]

    def typed(self, name: str, value: Any) -> Any:
        """A journal value typed by the engine, as a dossier file's value is (Engine.fact_value, a roster included)."""
        return self.engine.fact_value(name, value)

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

    def summary(self, key: tuple, evaluation) -> list[dict[str, Any]]:
        """The ruleset entries without criteria (Engine.summary): the decision lines, cheaply (no page
        shows an outcome's reasons: left uncompleted)."""
        return self._cached(("summary", *key, evaluation.as_of), lambda: self.engine.summary(evaluation, reasons=False))

    def result(self, key: tuple, evaluation) -> dict[str, Any]:
        """For pages: met criteria unexplained (most of the document's cost); downloads take the complete one."""
        return self._cached(("result", *key, evaluation.as_of), lambda: self.engine.result(evaluation, complete=False))


def _only_facts_differ(before: dict[str, Any], after: dict[str, Any]) -> bool:
    keys = ("production", "evidence", "not_applicable", "declined", *journal.AUDIT_KEYS)
    return (all(before[key] == after[key] for key in keys) and before.get("live") == after.get("live")
            and (not after.get("live") or live.derived_unchanged(before, after)))


def summary(entries: list[dict[str, Any]], lang: str, details: bool = True) -> list[dict[str, Any]]:
    """Each referential's decision line and details (the CLI's own wording), for the portfolio and
    the dashboard; `entries`: Engine.summary, or a result document's rulesets. `details=False`: the
    lines alone (the facts page shows no details)."""
    from raccord.cli.summary import decision_line, detail_lines

    return [{"id": rs["id"], "title": rs["title"], "decision": rs["outcome"].get("decision"),
             "line": decision_line(rs, lang), "details": detail_lines(rs, lang) if details else []} for rs in entries]


def score_points(entries: list[dict[str, Any]]) -> dict[str, float]:
    """The current score (share) of each referential that has one, for the chart."""
    out = {}
    for rs in entries:
        score = rs["outcome"].get("score")
        if isinstance(score, list) and score and score[0] is not None:
            out[rs["id"]] = score[0]
    return out
