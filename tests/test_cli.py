"""The `raccord` command on the bundled examples: real content, golden outputs, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FEATURE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
GOLDEN = Path(__file__).parent / "golden"
AS_OF = "2025-10-15"


def raccord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def golden(name: str, content: str) -> None:
    """Compare with tests/golden/NAME; RACCORD_UPDATE_GOLDEN=1 rewrites it (review the diff!)."""
    path = GOLDEN / name
    if os.environ.get("RACCORD_UPDATE_GOLDEN"):
        path.write_text(content, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with RACCORD_UPDATE_GOLDEN=1 and review it"
    assert content == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize(("fmt", "lang", "name"), [
    ("text", "fr", "long_metrage.fr.txt"), ("text", "en", "long_metrage.en.txt"), ("md", "fr", "long_metrage.fr.md")])
def test_check_golden_outputs(fmt, lang, name):
    result = raccord("check", "examples/long_metrage/dossier.yaml", "--as-of", AS_OF, "--format", fmt, "--lang", lang, "-v")
    assert result.returncode == 0, result.stderr
    golden(name, result.stdout)


def test_check_json_document():
    result = raccord("check", "examples/long_metrage/dossier.yaml", "--as-of", AS_OF, "--format", "json")
    doc = json.loads(result.stdout)
    golden("long_metrage.json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    assert doc["format"] == "raccord.result/1" and doc["as_of"] == AS_OF
    by_id = {rs["id"]: rs for rs in doc["rulesets"]}
    assert set(by_id) >= {"afnor_spec_2308", "ecoprod_label", "vhss_ccnpc", "aid_schemes"}
    eco = by_id["ecoprod_label"]
    assert eco["outcome"]["decision"] == "undetermined"
    assert "mandatory_unknown" in eco["outcome"]["reasons"]
    assert eco["stars_verified"] is False
    criteria = {c["id"]: c for rs in doc["rulesets"] for c in rs["criteria"]}
    # the auditor rejected the undated menus: the criterion is not proven and says why
    menus = criteria["ECO-DEP-03"]
    assert menus["status"] == "unknown"
    assert {"kind": "menus_restauration", "state": "rejected"}.items() <= menus["evidence_problems"][0].items()
    # every criterion carries its source and provenance
    assert all(c["source"]["section"] and c["provenance"] in ("official_text", "published_summary", "reconstructed")
               for c in criteria.values())
    assert criteria["VHSS-32.2-DUERP"]["provenance"] == "official_text"
    assert criteria["VHSS-32.2-DUERP"]["source"]["seed"].startswith("004_")


def test_missing_lists_blocking_items_first_with_evidence_and_source():
    result = raccord("missing", str(FEATURE), "--as-of", AS_OF, "--format", "json")
    items = json.loads(result.stdout)["missing"]
    # dated items first, by urgency (their windows: closed, then overdue, then by latest start); among
    # the undated ones, blocking items first
    dated = [item for item in items if "due" in item]
    assert items[:len(dated)] == dated and dated[0]["due"]["window"] == "closed"
    flags = [item["blocking"] for item in items[len(dated):]]
    assert flags == sorted(flags, reverse=True) and flags[0]
    first = items[0]
    assert first["source"]["section"] and (first["evidence_expected"] or first["missing_facts"])
    text = raccord("missing", str(FEATURE), "--as-of", AS_OF).stdout
    assert "bloquant" in text and "Source :" in text


def _evidence_items(node):
    if node["op"] == "evidence":
        yield from node["items"]
    for child in node.get("children", []):
        yield from _evidence_items(child)


def test_explain_shows_the_condition_tree_values_and_source():
    result = raccord("explain", str(FEATURE), "AFN-INC-03", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "AFN-INC-03" in out and "non satisfait" in out
    assert "afnor.inclusion.networks_solicited" in out and "faux" in out
    assert "Provenance" in out and "Source" in out
    trace = json.loads(raccord("explain", str(FEATURE), "VHSS-33.1.3.3-TRAINED", "--as-of", AS_OF, "--format", "json").stdout)
    assert trace["status"] == "unknown" and trace["as_of"] == AS_OF
    assert "expired" in [item["state"] for item in _evidence_items(trace["trace"]["requires"])]


def test_explain_reads_as_prose_for_an_auditor():
    """Conditions are shown with symbols and words, not the ruleset's operator names."""
    out = raccord("explain", str(FEATURE), "AFN-GOV-03", "--as-of", AS_OF).stdout
    assert "Statut : inconnu" in out and "Exige :" in out and "toutes ces conditions → inconnu" in out
    assert "l'une de ces conditions → vrai" in out
    assert "carbon.calculator parmi carbon_clap, seco2 (vu : carbon_clap) → vrai" in out
    children = raccord("explain", str(FEATURE), "VHSS-T3-5.3-MEDICAL-EXAM", "--as-of", AS_OF, "--lang", "en").stdout
    assert "Status: unknown" in children and "number of persons of roster.children ≥ 1 (seen: 1) → true" in children
    assert "E-01 → unknown" in children  # one certificate per child, named by the child's reference
    assert "evidence of the person minor_medical_certificate: missing → unknown" in children


def test_exit_codes_for_scripts():
    assert raccord("check", str(FEATURE), "--as-of", AS_OF).returncode == 0
    result = raccord("check", str(FEATURE), "--as-of", AS_OF, "--ruleset", "ecoprod_label", "--exit-code")
    assert result.returncode == 5  # undetermined: a mandatory action is not yet proven
    result = raccord("check", "examples/animation/dossier.yaml", "--as-of", AS_OF, "--ruleset", "afnor_spec_2308",
                     "--exit-code")
    assert result.returncode == 0 and "prises de vues réelles" in result.stdout


def test_english_on_request():
    out = raccord("check", str(FEATURE), "--as-of", AS_OF, "--lang", "en", "--ruleset", "ecoprod_label").stdout
    assert "Decision: undetermined" in out and "Evaluation date: 2025-10-15" in out


def test_schema_lists_facts_and_criteria():
    schema = json.loads(raccord("schema").stdout)
    facts = schema["properties"]["facts"]["properties"]
    assert facts["company.headcount"]["anyOf"][0]["type"] == ["integer", "null"]  # or a French number (3 200)
    assert "long_metrage" in facts["work.type"]["enum"]
    assert "ECO-PROD-01" in schema["properties"]["not_applicable"]["propertyNames"]["enum"]


def test_rulesets_listing_and_validate():
    listing = raccord("rulesets").stdout
    for rid in ("afnor_spec_2308", "ecoprod_label", "vhss_ccnpc", "aid_schemes"):
        assert rid in listing
    shown = raccord("rulesets", "show", "vhss_ccnpc").stdout
    assert "official_text" in shown and "VHSS-32.2-DUERP" in shown
    for example in sorted((ROOT / "examples").glob("*/dossier.yaml")):
        result = raccord("validate", str(example))
        assert result.returncode == 0 and "valide — dossier" in result.stdout, result.stderr


def test_outputs_are_written_atomically(tmp_path):
    target = tmp_path / "out" / "rapport.md"
    result = raccord("check", str(FEATURE), "--as-of", AS_OF, "--format", "md", "-o", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("# Les Heures claires")
    assert [p.name for p in target.parent.iterdir()] == ["rapport.md"]  # no temporary file left


def test_missing_leaves_out_what_cannot_change_an_outcome():
    default = json.loads(raccord("missing", str(FEATURE), "--as-of", AS_OF, "--format", "json").stdout)["missing"]
    everything = json.loads(raccord("missing", str(FEATURE), "--as-of", AS_OF, "--format", "json", "--all").stdout)["missing"]
    kept = {i["criterion"] for i in default}
    dropped = [i for i in everything if i["criterion"] not in kept]
    assert dropped, "recommendations and closed schemes should be left out by default"
    # what is left out either cannot block, or belongs to an aid the work cannot get: the film is not
    # shot in Corsica, so neither the region condition nor the other conditions of the Corsican aid
    # are worth listing (they stay in `--all` and in `raccord eligibility`)
    assert all(not i["blocking"] or i["ruleset"] == "aid_schemes" for i in dropped)
    corsica = {i["criterion"]: i for i in everything if i["criterion"].startswith("AID-CORSE-")}
    assert corsica["AID-CORSE-REGION"]["status"] == "not_met" and not set(corsica) & kept
    # recommended VHSS obligations never count against compliance: not listed by default
    assert not any(i["ruleset"] == "vhss_ccnpc" and not i["mandatory"] for i in default)


def test_explain_reports_the_amount_due_over_the_mandate():
    out = raccord("explain", str(FEATURE), "VHSS-33.1.3.3-INDEMNITY-LM", "--as-of", AS_OF).stdout
    assert "Indemnité due sur le mandat : 420\u202f€ (30\u202f€ × 14)" in out  # 14 weeks of mandate in the example
    assert "(vu : vrai)" in out


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/dossier.yaml")))
def test_text_and_markdown_reports_need_no_explanation_of_met_criteria(example):
    """`check` renders text and Markdown from a document that skips explaining met criteria (and,
    for the text report without --verbose, every criterion but those of the missing items shown):
    the output must be the one the complete document gives, in both languages, verbose or not."""
    import datetime as dt

    from raccord.cli import render_md, render_text
    from raccord.engine import evaluate, load_dossier, load_library
    from raccord.engine.report import result_document

    library = load_library()
    dossier = load_dossier(ROOT / "examples" / example / "dossier.yaml", library.catalogue)
    evaluation = evaluate(library, dossier, dt.date.fromisoformat(AS_OF))
    complete, partial = result_document(evaluation, "t"), result_document(evaluation, "t", complete=False)
    assert complete != partial  # the met criteria's evidence is really left out...
    met = [c for rs in complete["rulesets"] for c in rs["criteria"] if c["status"] == "met"]
    assert met and any("evidence_used" in c for c in met)
    shown = result_document(evaluation, "t", complete=False, explained=render_text.MISSING_LIMIT)
    assert len(shown["missing"]) == len(complete["missing"])  # every item is counted, the first ones explained
    assert shown["missing"][:render_text.MISSING_LIMIT] == complete["missing"][:render_text.MISSING_LIMIT]
    if len(complete["missing"]) > render_text.MISSING_LIMIT:  # the others are really left unexplained
        assert shown["missing"][render_text.MISSING_LIMIT:] != complete["missing"][render_text.MISSING_LIMIT:]
    for lang in ("fr", "en"):  # ...and nothing shown depends on it
        assert render_md.render_check(partial, lang) == render_md.render_check(complete, lang)
        for verbose in (False, True):
            assert (render_text.render_check(partial, lang, verbose=verbose)
                    == render_text.render_check(complete, lang, verbose=verbose))
        assert render_text.render_check(shown, lang) == render_text.render_check(complete, lang)


def test_what_is_missing_leaves_out_alternatives_already_satisfied():
    """An `any` satisfied by one alternative needs nothing from the others: a met criterion lists
    no missing fact or evidence, and the carbon footprint criterion, unknown for want of the final
    footprint, does not ask for the calculator's homologation when the calculator is Carbon'Clap."""
    result = raccord("check", "examples/long_metrage/dossier.yaml", "--as-of", AS_OF, "--format", "json")
    criteria = {c["id"]: c for rs in json.loads(result.stdout)["rulesets"] for c in rs["criteria"]}
    assert all(not c.get("missing_facts") and not c.get("missing_evidence")
               for c in criteria.values() if c["status"] == "met")
    footprints = criteria["AFN-GOV-03"]
    assert footprints["status"] == "unknown" and footprints["missing_evidence"] == ["bilan_carbone_definitif"]
    assert "carbon.calculator_homologated" not in footprints.get("missing_facts", [])
    assert criteria["AID-CNC-ECO-CALCULATOR"]["status"] == "met"  # the same shared fact serves the CNC condition


def test_missing_lists_actions_before_what_follows_from_them():
    """A criterion that only combines others (the prime RSE+'s « CNC VHSS conditions met ») has no
    action of its own: it comes after the actions, and says which criteria it is waiting for."""
    series = ROOT / "examples" / "serie_tv" / "dossier.yaml"
    items = json.loads(raccord("missing", str(series), "--as-of", AS_OF, "--format", "json").stdout)["missing"]
    derived = [i for i in items if "follows_from" in i]
    assert derived and all(i["follows_from"] for i in derived)
    for blocking in (True, False):
        kinds = ["follows_from" in i for i in items if i["blocking"] is blocking]
        assert kinds == sorted(kinds)  # within each class, no action after a derived item
    statuses = {c["id"]: c["status"] for rs in json.loads(raccord("check", str(series), "--as-of", AS_OF, "--format",
                                                                  "json").stdout)["rulesets"] for c in rs["criteria"]}
    assert all(statuses[cid] != "met" for i in derived for cid in i["follows_from"])
    text = raccord("missing", str(series), "--as-of", AS_OF).stdout
    assert f"Découle de : {', '.join(derived[0]['follows_from'])}" in text
