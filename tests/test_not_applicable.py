"""What a report says when something does not apply: the reason of the rule that decided it (the
referential's scope, its validity dates, or the criteria's own conditions), and an aid scheme
none of whose conditions applies to the production."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from raccord.cli.main import cli
from raccord.cli.summary import decision_line, statement_text, statements
from raccord.engine import evaluate
from raccord.engine.report import ruleset_entry

from .support import criterion, dossier_of, library_of, ruleset_yaml

ROOT = Path(__file__).resolve().parent.parent
FEATURE = str(ROOT / "examples" / "long_metrage" / "dossier.yaml")
DAY = dt.date(2025, 6, 1)
SCOPE = ("applies_if: {fact: work.live_action}, not_applicable_reason: {fr: 'Prises de vues réelles seulement.', "
         "en: 'Live action only.'}")
OWN = "not_applicable_reason: {fr: 'Seulement au-delà de 10 salariés.', en: 'Only above 10 employees.'}"


def entry(policy: str, criteria: list[str], facts: dict, day: dt.date = DAY, extra: str = "") -> dict:
    lib = library_of(ruleset_yaml("r", policy, criteria, extra))
    return ruleset_entry(evaluate(lib, dossier_of(lib, facts), day), "r")


def small(cid: str) -> str:
    return criterion(cid, "{fact: team.total, gte: 1}", mandatory="true", applies_if="{fact: company.headcount, gt: 10}",
                     not_applicable_reason=OWN.split(": ", 1)[1])


def test_the_scope_reason_when_the_scope_is_false():
    out = entry("{kind: obligations, " + SCOPE + "}", [small("O-1")], {"work.live_action": False})
    assert out["outcome"]["reasons"] == ["ruleset_not_applicable"]
    assert out["not_applicable_reason"] == {"fr": "Prises de vues réelles seulement.", "en": "Live action only."}
    assert decision_line(out, "fr") == "non applicable — Prises de vues réelles seulement."


def test_no_scope_reason_for_a_referential_not_in_force():
    out = entry("{kind: obligations, " + SCOPE + "}", [small("O-1")], {"work.live_action": True}, extra="valid_from: 2026-01-01")
    assert out["outcome"] == {"decision": "not_applicable", "reasons": ["not_in_force"], "blocking": []}
    assert "not_applicable_reason" not in out
    assert decision_line(out, "en") == "not applicable"


def test_the_criteria_reason_when_none_of_them_applies():
    """The scope holds (live action) but no criterion applies (a small company): the report gives
    the criteria's reason, once, not the scope's."""
    out = entry("{kind: obligations, " + SCOPE + "}", [small("O-1"), small("O-2")],
                {"work.live_action": True, "company.headcount": 4})
    assert out["outcome"]["decision"] == "not_applicable"
    assert out["not_applicable_reason"] == {"fr": "Seulement au-delà de 10 salariés.", "en": "Only above 10 employees."}
    assert decision_line(out, "en") == "not applicable — Only above 10 employees."
    out = entry("{kind: obligations}", [small("O-1"), criterion("O-2", "{fact: team.total, gte: 1}", mandatory="true",
                                                                  applies_if="{fact: work.live_action}")],
                {"work.live_action": False, "company.headcount": 4})
    assert out["not_applicable_reason"]["fr"] == "Seulement au-delà de 10 salariés."  # O-2 gives no reason


# --- an aid scheme none of whose conditions applies ------------------------------------------------

SCHEMES = """{kind: eligibility, schemes: [
  {id: av, title: {fr: Audiovisuel, en: Audiovisual}, amount: {value: 1000}, source: {document: src, section: a},
   provenance: reconstructed},
  {id: all, title: {fr: Toutes, en: All}, amount: {value: 10}, source: {document: src, section: b},
   provenance: reconstructed}]}"""


def aid(facts: dict) -> dict:
    return entry(SCHEMES, [
        criterion("AV-1", "{fact: team.total, gte: 1}", scheme="av", applies_if="{fact: work.type, eq: court_metrage}"),
        criterion("AV-2", "{fact: team.women, gte: 1}", scheme="av", applies_if="{fact: work.type, eq: court_metrage}"),
        criterion("AL-1", "{fact: team.total, gte: 1}", scheme="all"),
        criterion("AL-2", "{fact: team.women, gte: 1}", scheme="all", applies_if="{fact: work.type, eq: court_metrage}"),
    ], facts)


def test_a_scheme_whose_conditions_all_do_not_apply_is_not_applicable():
    out = aid({"work.type": "long_metrage", "team.total": 3})
    schemes = out["outcome"]["schemes"]
    assert schemes["av"]["decision"] == "not_applicable" and schemes["av"]["reasons"] == ["no_applicable_condition"]
    assert schemes["all"]["decision"] == "eligible"  # one of its conditions applies and holds
    assert out["outcome"]["amount"] == [10, 10]  # a scheme that does not apply pays nothing, even at best
    assert out["outcome"]["scheme.av"] == "not_applicable"
    lines = [statement_text(s, "fr") for s in statements(out) if s["kind"] == "scheme"]
    # no amount beside a scheme that does not apply: it pays nothing (issue 16, « en jeu » only while undetermined)
    assert lines[0] == "Audiovisuel : non applicable (aucune de ses conditions ne s'applique à cette production)"
    out = aid({"work.type": "court_metrage", "team.total": 3})  # a short: the conditions apply again
    assert out["outcome"]["schemes"]["av"]["decision"] == "undetermined"
    assert aid({"team.total": 3})["outcome"]["schemes"]["av"]["decision"] == "undetermined"  # type unknown: it may apply


def test_the_feature_film_and_the_audiovisual_gender_data_condition():
    """The CNC's key-post gender data is a condition of audiovisual aid only: for a cinema feature it
    is not a scheme to claim, and no output calls it « éligible »."""
    runner = CliRunner()
    doc = json.loads(runner.invoke(cli, ["eligibility", FEATURE, "--as-of", "2025-10-15", "--format", "json"]).output)
    scheme = next(s for s in doc["schemes"] if s["id"] == "cnc_gender_data")
    assert (scheme["decision"], scheme["reasons"], scheme["not_met"], scheme["unknown"]) == (
        "not_applicable", ["no_applicable_condition"], [], [])
    text = runner.invoke(cli, ["eligibility", FEATURE, "--as-of", "2025-10-15"]).output
    block = text.split("(cnc_gender_data) : ", 1)[1].split("\n\n", 1)[0]
    assert block.startswith("NON APPLICABLE ==")
    assert block.endswith("Motif : aucune de ses conditions ne s'applique à cette production")
    check = runner.invoke(cli, ["check", FEATURE, "--as-of", "2025-10-15", "--lang", "en"]).output
    assert ("Key-post gender data (CNC audiovisual production aid): not applicable "
            "(none of its conditions applies to this production)\n") in check
    plan = runner.invoke(cli, ["plan", FEATURE, "--as-of", "2025-10-15", "--target", "aid_schemes:cnc_gender_data"]).output
    assert "cnc_gender_data : aucune condition du dispositif ne s'applique à cette production" in plan
