"""Evidence pieces with a deadline of their own (docs/ruleset-format.md §4): a piece collected
after it does not count where the source takes no late piece (`evidence_late`), and `raccord
missing` gives each missing piece its own due date.

The toy label of test_deadlines_stages: S-FOOT needs a forecast footprint, due with the production
budget (20/01/2025), and a final one with no date of its own."""

from __future__ import annotations

import datetime as dt

from raccord.cli.render_text import missing_lines, render_explain
from raccord.engine import evaluate
from raccord.engine.findings import criterion_findings
from raccord.engine.report import criterion_entry, missing_items

from .support import dossier_of, library_of, ruleset_yaml
from .test_deadlines_stages import CRITERIA, DATES, FACTS_WITH, POLICY, STAGES, run

FINAL = {"id": "EV-2", "kind": "final", "collected": "2025-04-30"}


def forecast(collected: str) -> dict:
    return {"id": "EV-1", "kind": "forecast", "collected": collected}


def test_a_piece_dated_after_its_own_deadline_does_not_count():
    late = run("2025-06-01", evidence=[forecast("2025-01-21"), FINAL])
    assert late.status("S-FOOT") == "unknown"  # the forecast came a day late: not proven (never false)
    found = criterion_findings(late, "S-FOOT")
    assert [p.as_dict() for p in found.evidence_problems] == [
        {"id": "EV-1", "kind": "forecast", "state": "evidence_late", "due": "2025-01-20"}]
    assert found.missing_evidence == ("forecast",)
    on_time = run("2025-06-01", evidence=[forecast("2025-01-20"), FINAL])  # on its due date: on time
    assert on_time.status("S-FOOT") == "met"


def test_a_late_piece_is_explained_in_french_and_english():
    evaluation = run("2025-06-01", evidence=[forecast("2025-02-03"), FINAL])
    rs = evaluation.library.rulesets["toy"]
    entry = criterion_entry(evaluation, rs, evaluation.library.criteria["S-FOOT"])
    assert entry["evidence_problems"][0]["state"] == "evidence_late"
    text = render_explain(evaluation.explain("S-FOOT"), entry, "fr")
    assert "EV-1 : pièce datée après l'échéance du 20/01/2025" in text
    lines = missing_lines(missing_items(evaluation), "en", None)
    assert "    EV-1: piece dated after its deadline of 2025-01-20" in lines
    outcome = evaluation.outcome("toy")
    assert outcome["decision"] == "undetermined" and "evidence_late" in outcome["reasons"]


def test_a_piece_whose_source_takes_it_late_still_counts():
    allowed = [c.replace("due: {date: dates.budget,", "due: {date: dates.budget, late: allowed,") for c in CRITERIA]
    assert allowed != CRITERIA
    library = library_of(ruleset_yaml("toy", POLICY, allowed, STAGES), facts=FACTS_WITH)
    dossier = dossier_of(library, {"dates": DATES, "toy": {}}, evidence=[forecast("2025-02-03"), FINAL])
    evaluation = evaluate(library, dossier, dt.date(2025, 6, 1))
    assert evaluation.status("S-FOOT") == "met"
    assert evaluation.ctx.windows["S-FOOT#forecast"].state == "overdue"  # late, still possible: the piece counts


def test_an_unknown_budget_date_never_makes_a_piece_late():
    dates = {k: v for k, v in DATES.items() if k != "budget"}
    evaluation = run("2025-06-01", evidence=[forecast("2025-02-03"), FINAL], dates=dates)
    assert evaluation.status("S-FOOT") == "met"


def test_a_what_if_on_the_date_moves_the_lateness():
    """The evidence index is shared by what-ifs on the facts: lateness depends on a date fact, so
    each due date gets its own index."""
    early = run("2025-06-01", evidence=[forecast("2025-02-03"), FINAL])
    later = run("2025-06-01", evidence=[forecast("2025-02-03"), FINAL], dates={**DATES, "budget": "2025-02-10"})
    assert (early.status("S-FOOT"), later.status("S-FOOT")) == ("unknown", "met")


def test_missing_gives_each_missing_piece_its_own_due_date():
    evaluation = run("2025-01-10", evidence=[FINAL | {"collected": "2025-01-05"}])
    item = next(i for i in missing_items(evaluation) if i["criterion"] == "S-FOOT")
    assert item["missing_evidence"] == ["forecast"]
    piece = item["piece_due"]["forecast"]
    assert (piece["window"], piece["due"], piece["days_left"], piece["piece"]) == ("open", "2025-01-20", 10, "forecast")
    lines = missing_lines([item], "fr", None)
    at = lines.index("    Preuve attendue : Prévisionnel")
    assert lines[at + 1] == "      à faire avant le 20/01/2025 — dans 10 jours"
    assert lines[1].startswith("- S-FOOT") and "20/01/2025" not in lines[2]  # the criterion's own date is the wrap's
    after = missing_items(run("2025-02-01", evidence=[FINAL | {"collected": "2025-01-05"}]))
    piece = next(i for i in after if i["criterion"] == "S-FOOT")["piece_due"]["forecast"]
    assert piece["window"] == "closed"
    assert "délai passé le 20/01/2025" in "\n".join(missing_lines(after, "fr", None))


def test_a_piece_without_a_date_of_its_own_has_no_due_line():
    evaluation = run("2025-01-10", evidence=[forecast("2025-01-05")])
    item = next(i for i in missing_items(evaluation) if i["criterion"] == "S-FOOT")
    assert item["missing_evidence"] == ["final"] and "piece_due" not in item
