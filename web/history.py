"""The history page: each change, newest first, a page of PAGE at a time, with the decisions it
changed (evaluated at the page's date); the dashboard's chart reads the same versions' scores.

Each logged set event is a version, so a long shoot makes hundreds. Three things keep the page
cheap without changing what it says:
- the decisions of a version are kept (Evaluator.remember: each referential's decision line in
  French and in English, and its score, about 1 KB: a summary entry is 20 times that), apart from
  the caches of dossiers and evaluations, so the versions a history page walks through do not push
  out the ones the team is looking at); a page walks only the versions it does not have yet;
- walking versions in order, the dossier without its shooting journal is built again only when that
  part changed (facts only: the earlier one with the facts replaced, as Evaluator.dossier_of does);
  the journal's events are read once each (its lines and digest grow with it), not again per version;
- a change that is not part of the dossier (the team's) keeps the decisions of the version before.
Each version's dossier is the one Evaluator.dossier builds (tests/test_web_journal.py compares them)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from raccord.engine import InputError, build_dossier
from raccord.engine.live import parse_lines
from raccord.engine.live.derived import add_events
from raccord.engine.source_files import Located

from . import journal, live, store
from .evaluation import score_points, summary
from .words import describe_event

PAGE = 25  # rows a page shows
LANGS = ("fr", "en")
NOTHING: dict[str, Any] = {"fr": {}, "en": {}, "scores": None}  # before the first version, or not a valid dossier
DOSSIER_KEYS = ("production", "facts", "evidence", "not_applicable", "declined", *journal.AUDIT_KEYS, "live")
BASE_KEYS = ("production", "evidence", "not_applicable", "declined")  # with the facts: the dossier without its journal


def rows(ws, db, view, lang: str, before: int | None = None) -> tuple[list[dict[str, Any]], int | None, bool]:
    """The rows of one page (the PAGE changes before version `before`, None: the newest), newest
    first; the `before` of the next older page (None: this is the oldest) and whether newer ones exist."""
    events = store.entries(db, view.production.id)
    end = len(events) if before is None else sum(1 for e in events if e.seq < before)
    shown = events[max(0, end - PAGE):end]
    if not shown:
        return [], None, end < len(events)
    walk = Walk(ws, view.production.id, view.as_of, journal.replay(events[: end - len(shown)]))
    previous = walk.decisions(shown[0].seq - 1, lang)
    out = []
    for e in shown:
        walk.apply(e)
        current = walk.decisions(e.seq, lang)
        effects = [(rid, previous.get(rid), line) for rid, line in current.items() if previous.get(rid) != line]
        out.append({"event": e, "text": describe_event(e.kind, e.payload, lang), "effects": effects})
        previous = current
    older = shown[0].seq if end > len(shown) else None
    return out[::-1], older, end < len(events)


class Walk:
    """The versions of one production in order (`apply` each change), the decisions of those asked
    for (remembered or worked out): the history's rows and the dashboard's chart."""

    def __init__(self, ws, pid, as_of, state: dict[str, Any]) -> None:
        self.ws, self.pid, self.as_of = ws, pid, as_of
        self.state = state
        self.seen: dict[str, Any] | None = None  # the state whose decisions were last worked out or remembered
        self.kept: dict[str, Any] = {}
        self.base: tuple[dict[str, Any], Any] | None = None  # (state, dossier without its journal) last built
        self.journal: Journal | None = None

    def apply(self, event) -> None:
        self.state = journal.copy_state(self.state)
        journal.apply(self.state, event.kind, event.payload, event.author, event.at)

    def decisions(self, seq: int, lang: str) -> dict[str, str]:
        """Each referential's decision line at version `seq` (the state applied so far)."""
        return self._at(seq)[lang]

    def scores(self, seq: int) -> dict[str, float] | None:
        """Each referential's current score at version `seq`; None when it is not a valid dossier."""
        return self._at(seq)["scores"]

    def _at(self, seq: int) -> dict[str, Any]:
        if seq <= 0:
            return NOTHING
        if self.seen is not None and all(self.seen[k] == self.state[k] for k in DOSSIER_KEYS):
            kept = self.kept  # nothing the dossier is made of changed (the team's events)
            self.ws.evaluator.remember((self.pid, seq, self.as_of), lambda: kept)
        else:
            kept = self.ws.evaluator.remember((self.pid, seq, self.as_of), self._worked_out)
        self.seen, self.kept = self.state, kept
        return kept

    def _worked_out(self) -> dict[str, Any]:
        try:
            dossier = self._dossier()
        except InputError:
            return NOTHING
        engine = self.ws.evaluator.engine
        entries = engine.summary(engine.evaluate(dossier, self.as_of), reasons=False)
        kept: dict[str, Any] = {lang: {row["id"]: row["line"] for row in summary(entries, lang, details=False)}
                                for lang in LANGS}
        return kept | {"scores": score_points(entries)}

    def _dossier(self):
        """Evaluator.dossier(state), from what the previous version built."""
        evaluator, state = self.ws.evaluator, self.state
        kept = self.base
        if kept is not None and all(kept[0][k] == state[k] for k in BASE_KEYS):
            before = kept[0]["facts"]
            changed = {n: state["facts"].get(n) for n in set(before) | set(state["facts"])
                       if before.get(n) != state["facts"].get(n)}
            base = evaluator.engine.with_facts(kept[1], {n: evaluator.typed(n, v) for n, v in changed.items()})
        else:
            base = build_dossier(Located(journal.dossier_data(state), "dossier.yaml"), evaluator.catalogue, None)
        self.base = (state, base)
        facts = dict(base.facts)  # add_events sets facts and evidence: on a copy, the base serves the next version
        dossier = dataclasses.replace(base, file=dataclasses.replace(base.file, facts=facts), facts=facts, prepared={})
        if state.get("live"):
            self.journal = Journal.after(self.journal, state["live"])
            add_events(dossier, self.journal.events, self.journal.digest(), live.JOURNAL_FILE, live.JOURNAL_FILE,
                       evaluator.catalogue)
        return evaluator.engine.reviewed(dossier, evaluator.audit(state))


@dataclasses.dataclass
class Journal:
    """The shooting journal read so far: live.journal_bytes / live.events_of of a state, each event
    read once (the journal only grows between versions but for an import, which reads it again)."""

    data: list[dict[str, Any]]
    events: list[Any]
    hasher: Any

    @classmethod
    def after(cls, previous: Journal | None, data: list[dict[str, Any]]) -> Journal:
        if previous is None or len(previous.data) > len(data) or data[: len(previous.data)] != previous.data:
            previous = cls([], [], hashlib.sha256())
        lines = [json.dumps(event, ensure_ascii=False) for event in data[len(previous.data):]]
        hasher = previous.hasher.copy()
        for line in lines:
            hasher.update((line + "\n").encode("utf-8"))
        events = previous.events + parse_lines(lines, live.JOURNAL_FILE, len(previous.data) + 1)
        return cls(list(data), events, hasher)

    def digest(self) -> str:
        return self.hasher.hexdigest()
