"""What a producer or an auditor reads as a source: public citations (the text's name, its article,
where to read it), never our internal references; and, on the first screen of every report, which
referentials are reconstructed (issue 14, « Citations a user can follow »)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from raccord.cli.main import cli

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/dossier.yaml"))
AS_OF = "2025-10-15"

# What only the maintainers can follow: seed ids and files, line numbers in a seed (« l. 1516 »),
# issue numbers, hash-named files, the domain folder.
INTERNAL = re.compile(
    r"seed ?\d{3}|seed study|\.txt l\.|raccord_issue|issue ?6\b|\(issue|dossier domaine|domain-sources|"
    r"\b[0-9]{3}_[0-9a-f]{16}\b|\b[0-9a-f]{16}\.txt\b|(?-i:\bl\. \d{3,4}\b)", re.IGNORECASE)


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def dossier(name: str) -> str:
    return str(ROOT / "examples" / name / "dossier.yaml")


@cache
def outputs(name: str) -> dict[str, str]:
    """Every user-facing rendering of one example (the criteria explained: the first missing ones and
    one of each referential that the example has)."""
    path = dossier(name)
    out = {f"check.{fmt}": run("check", path, "--as-of", AS_OF, "--format", fmt, "-v" if fmt == "text" else "--lang=fr")
           for fmt in ("text", "md", "html")}
    out["check.en"] = run("check", path, "--as-of", AS_OF, "--lang", "en", "-v")
    out["eligibility"] = run("eligibility", path, "--as-of", AS_OF, "-v")  # each condition with its source
    out["calendar"] = run("calendar", path, "--as-of", AS_OF)
    out["calendar.md"] = run("calendar", path, "--as-of", AS_OF, "--format", "md")
    out["plan.afnor"] = run("plan", path, "--as-of", AS_OF, "--target", "afnor_spec_2308:2")
    out["plan.prime"] = run("plan", path, "--as-of", AS_OF, "--target", "aid:prime_rse_plus")
    doc = json.loads(run("check", path, "--as-of", AS_OF, "--format", "json"))
    picked = [item["criterion"] for item in doc["missing"][:3]]
    picked += [rs["criteria"][0]["id"] for rs in doc["rulesets"]]
    for cid in dict.fromkeys(picked):
        out[f"explain {cid}"] = run("explain", path, cid, "--as-of", AS_OF)
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_internal_reference_is_shown_as_a_source(name):
    for what, content in outputs(name).items():
        found = sorted(set(m.group(0) for m in INTERNAL.finditer(content)))
        assert not found, f"{name} / {what} shows internal references: {found}"


def test_the_pattern_catches_what_users_used_to_see():
    """The grep above would have failed on the sources of the former reports."""
    for former in ("raccord_issue_6", "cahier des charges (issue 6)", "seed003", "004_8076f29409faf792.txt l. 1599",
                   "absent des sources du dossier domaine", "(seed 003 l. 1306)", "R. 4121-4 (l. 1516)"):
        assert INTERNAL.search(former), former
    assert not INTERNAL.search("Code du travail, art. L. 1153-5")  # an article, not a line


# long_metrage only: in the commercial's check (as of 15/10/2025) the first missing items are Ecoprod
# actions of the shoot whose window has closed (most urgent: only their proof can still count), so no
# CCNPC clause is among the ten items shown
@pytest.mark.parametrize("name", ["long_metrage"])
def test_ccnpc_clauses_cite_the_collective_agreement_its_article_and_legifrance(name):
    text = outputs(name)["check.text"]
    assert re.search(r"Source : Convention collective nationale de la production cinématographique du 19 janvier 2012 "
                     r"\(IDCC 3097\), Titre I+ art\. [\d.]+.* — Légifrance", text)
    assert "https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000028059838" in text  # where to read it, once
    assert "(VHSS version)" not in text  # our qualifier, in the reader's words
    html = outputs(name)["check.html"]
    assert '<a href="https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000028059838" rel="noreferrer">Légifrance</a>' in html
    md = outputs(name)["check.md"]
    assert "[Légifrance](https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000028059838)" in md


def test_explain_cites_the_article_and_link_and_sources_keeps_the_seed_for_maintainers():
    path = dossier("long_metrage")
    plain = run("explain", path, "VHSS-33.1.3.3-CLOSURE-INFO", "--as-of", AS_OF)
    assert "Titre I art. 33.1.3.3 (rédaction de l'avenant du 17 mai 2024), Rôle et missions — Légifrance" in plain
    assert "<https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000028059838>" in plain
    assert "004_8076f29409faf792.txt" not in plain
    sources = run("explain", path, "VHSS-33.1.3.3-CLOSURE-INFO", "--as-of", AS_OF, "--sources")
    assert "Provenance (mainteneurs) : ccnpc, " in sources and "004_8076f29409faf792.txt l. 1599" in sources


def test_the_json_keeps_the_provenance_and_adds_the_citation():
    doc = json.loads(run("check", dossier("long_metrage"), "--as-of", AS_OF, "--format", "json"))
    vhss = next(rs for rs in doc["rulesets"] if rs["id"] == "vhss_ccnpc")
    source = next(c["source"] for c in vhss["criteria"] if c["id"] == "VHSS-33.1.3.3-CLOSURE-INFO")
    assert source["seed"] == "004_8076f29409faf792.txt" and source["lines"] == "1599" and source["document"] == "ccnpc"
    assert source["citation"]["where"] == {"fr": "Légifrance", "en": "Légifrance"}
    article = "Titre I art. 33.1.3.3 (rédaction de l'avenant du 17 mai 2024), Rôle et missions"
    assert source["citation"]["article"]["fr"] == article
    assert source["citation"]["url"] == "https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000028059838"


def test_rga_conditions_cite_legifrance():
    text = outputs("long_metrage")["eligibility"]
    # 122-17-1 is met in the example since it carries its crew list: the same deliberation's 122-17-2 is still blocking
    assert re.search(r"Source : Règlement général des aides financières du CNC.*Art\. 122-17-2 du RGA — Légifrance", text)


NOTICE_FR = "À lire d'abord : critères reconstitués et sources à confirmer"
NOTICE_EN = "Read first: reconstructed criteria and sources to confirm"


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_reconstructed_notice_is_on_the_first_screen_of_the_text_report(name):
    first = outputs(name)["check.text"].splitlines()[:15]
    assert NOTICE_FR in first
    assert any(line.startswith("- Label Ecoprod") and "85 critères sur 85 reconstitués" in line for line in first)
    assert any(line.startswith("Un critère reconstitué est formulé par raccord") for line in first)
    assert first.index(NOTICE_FR) < min(i for i, line in enumerate(first + ["=="]) if line.startswith("=="))
    assert NOTICE_EN in outputs(name)["check.en"].splitlines()[:15]


def test_afnor_is_named_reconstructed_only_where_it_applies():
    live = outputs("long_metrage")["check.text"].splitlines()[:15]
    assert any("AFNOR SPEC 2308" in line and "23 critères sur 28 reconstitués" in line for line in live)
    animation = outputs("animation")["check.text"].splitlines()[:15]  # SPEC 2308: live action only, not applicable
    assert not any("23 critères sur 28" in line for line in animation)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_report_says_the_prime_rse_actions_rest_on_reconstructed_afnor_levels(name):
    """Audit F28: on the first screen of check (text), in the Markdown and HTML notices, and in eligibility."""
    said = "Prime RSE+ : les 26 actions des niveaux 1 et 2 sont calculées sur la grille AFNOR SPEC 2308 reconstituée"
    out = outputs(name)
    assert any(line.startswith("- " + said) for line in out["check.text"].splitlines()[:15])
    assert said in out["check.md"].split("\n|")[0]
    assert said in out["eligibility"].split("==")[0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_notice_comes_before_the_first_table_in_markdown_and_html(name):
    md, html = outputs(name)["check.md"], outputs(name)["check.html"]
    assert -1 < md.find(NOTICE_FR) < md.find("\n|")
    assert -1 < html.find('id="reconstructed-notice"') < html.find("<table")
    assert html.find(NOTICE_FR) < html.find("<table")


def test_the_plan_says_its_target_is_reconstructed():
    lines = outputs("long_metrage")["plan.afnor"].splitlines()
    assert NOTICE_FR in lines[:8]
    assert any("23 critères sur 28 reconstitués" in line for line in lines[:8])


def test_the_bundle_report_carries_the_notice_and_public_citations(tmp_path):
    out = tmp_path / "audit.zip"
    run("dossier", dossier("long_metrage"), "--out", str(out), "--as-of", AS_OF)
    with zipfile.ZipFile(out) as bundle:
        index = next(n for n in bundle.namelist() if n.endswith("index.html"))
        html = bundle.read(index).decode("utf-8")
    assert -1 < html.find('id="reconstructed-notice"') < html.find("<table")
    assert "Légifrance</a>" in html
    assert not INTERNAL.search(html), INTERNAL.search(html)


def test_a_citation_url_must_be_a_web_page(tmp_path):
    """The HTML report links to it: a `javascript:` URL in an imported ruleset is refused, located."""
    text = (ROOT / "rulesets" / "vhss_ccnpc" / "ruleset.yaml").read_text(encoding="utf-8")
    url = '    url: "https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000028059838"'
    assert url in text
    bad = tmp_path / "ruleset.yaml"
    bad.write_text(text.replace(url, '    url: "javascript:alert(1)"', 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "raccord", "validate", str(bad)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = text[:text.index(url)].count("\n") + 1
    assert f"ruleset.yaml:{line}:" in result.stderr and "citation.url" in result.stderr and "https://" in result.stderr


def test_every_source_cell_of_the_html_report_names_the_text_and_links_to_it():
    """Criteria, missing items and aid schemes: no document id of ours, a link where the document has one."""
    import yaml

    ids = set()
    for path in (ROOT / "rulesets").glob("*/ruleset.yaml"):
        ids |= {d["id"] for d in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]}
    html = outputs("long_metrage")["check.html"]
    schemes = re.findall(r'<tr class="scheme-row".*?</tr>', html, re.S)
    assert len(schemes) >= 5
    for row in schemes:
        cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]
        assert re.search(r'— <a href="https://[^"]+" rel="noreferrer">', cell), cell
        assert not {i for i in ids if re.search(rf"\b{i}\b", cell)}, cell
    for cell in re.findall(r'<td class="small source">(.*?)</td>', html, re.S):
        assert not {i for i in ids if re.search(rf"\b{i}\b", cell)}, cell
