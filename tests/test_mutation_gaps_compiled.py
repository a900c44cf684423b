"""Two properties of the compiled library that the language tests did not defend (mutants of
engine/compiled.py that survived bench/mutation.py): a criterion not met because of a criterion it
reads is not « pending » until its own deadline, and the cached library carries no source positions."""

from __future__ import annotations

import datetime as dt
import pickle

from raccord.engine import evaluate

from .support import criterion, dossier_of, library_of, ruleset_yaml

FACTS = """facts:
  kid.file: {type: boolean, title: {fr: "Dossier de l'enfant", en: "Child's file"}}
  kid.exam: {type: boolean, title: {fr: "Examen médical", en: "Medical exam"}}"""
DUE = "{date: dates.first_shooting_day, offset_days: -1, source: {document: src, section: 'art. 5.2'}}"
LIBRARY = library_of(ruleset_yaml("kids", "{kind: obligations}", [
    criterion("K-EXAM", "{fact: kid.exam}", mandatory="true"),
    criterion("K-FILE", "{all: [{fact: kid.file}, {criterion: K-EXAM}]}", mandatory="true", due=DUE),
], FACTS))


def evaluation(as_of: dt.date, **kid):
    return evaluate(LIBRARY, dossier_of(LIBRARY, {"dates": {"first_shooting_day": "2025-03-03"}, "kid": kid}), as_of)


def test_not_met_because_of_what_it_reads_is_not_pending_before_its_deadline():
    """Before its deadline, a not-met criterion is pending (there is still time), unless what makes it
    not met is a criterion it reads: then its status follows that criterion's, stated not met."""
    own = evaluation(dt.date(2025, 2, 1), file=False, exam=True)  # its own part not done yet: pending
    assert own.status("K-FILE") == "unknown" and own.ctx.status_reasons.get("K-FILE") == "not_yet_due"
    read = evaluation(dt.date(2025, 2, 1), file=True, exam=False)  # the exam it reads is not met: so is it
    assert read.status("K-EXAM") == "not_met"
    assert read.status("K-FILE") == "not_met" and read.ctx.status_reasons.get("K-FILE") != "not_yet_due"


def test_a_cached_ruleset_carries_no_source_positions():
    """Positions serve only the load-time checks; the cache (a pickle) leaves them out so a cached
    library stays small, and evaluates the same."""
    ruleset = LIBRARY.rulesets["kids"]
    assert ruleset.located is not None  # just loaded: the errors can still be located
    copy = pickle.loads(pickle.dumps(ruleset))
    assert copy.located is None
    assert [c.id for c in copy.criteria] == [c.id for c in ruleset.criteria]
