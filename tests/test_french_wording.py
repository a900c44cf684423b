"""The French wording the user test found (../shared/audits/2026-12-ux.md §4), looked for in the
outputs a producer reads (text, Markdown, HTML of the feature-film example) and in the rulesets'
French texts: one money style (« 28 000 € », never « EUR »), one inclusive-writing style (the middle
dot, « coordinateur·rice »), OEKO-TEX, counts written « 22 satisfaits », no amount beside a negative
decision, no « recommandé » on an aid's conditions, no « pts », no « Décision : - »."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from raccord.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    shown = {}
    for fmt in ("text", "md", "html"):
        result = CliRunner().invoke(cli, ["check", str(EXAMPLE), "--as-of", "2025-10-15", "-v", "--format", fmt],
                                    env={"RACCORD_LANG": ""})
        assert result.exit_code == 0, result.output
        shown[fmt] = result.output
    shown["eligibility"] = CliRunner().invoke(cli, ["eligibility", str(EXAMPLE), "--as-of", "2025-10-15", "-v"],
                                              env={"RACCORD_LANG": ""}).output
    return shown


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_money_style(outputs):
    for name, out in outputs.items():
        assert not re.search(r"\d ?EUR\b|\bEUR ?\d", out), name
    assert "28\u202f000\u202f€" in outputs["eligibility"]


def test_no_amount_beside_a_negative_decision(outputs):
    for name in ("text", "md"):
        line = next(x for x in outputs[name].splitlines() if "Prime RSE+ du CNC : " in x)
        assert "non éligible" in line and "€" not in line, line
        cofiloisirs = next(x for x in outputs[name].splitlines() if "Prix Cofiloisirs" in x and "indéterminé" in x)
        assert "20\u202f000\u202f€ en jeu" in cofiloisirs  # undetermined: at stake, not obtained
    row = plain(outputs["html"].split('id="scheme-prime_rse_plus"', 1)[1].split("</tr>", 1)[0])
    assert "non éligible" in row and "€" not in row, row


def test_counts_agree_and_no_clumsy_forms(outputs):
    for name in ("text", "md", "html"):
        out = plain(outputs[name]) if name == "html" else outputs[name]
        assert "Critères : satisfait " not in out and not re.search(r"(non satisfait|inconnu) \d", out), name
        assert "3 non satisfaits, 11 inconnus" in out, name  # AFNOR as validated by the example's auditor
        assert " pts" not in out and "Décision : -" not in out, name
        assert not re.search(r"Niveau (\d)–\1\b", out), name
        assert not re.search(r"effort \d+\.\d", out), name
        assert "dû à l'étape" not in out and "(VHSS version)" not in out, name
    html = plain(outputs["html"])
    assert "obligatoire · 3 points" in html and "recommandé · 1 point " in html


def test_declared_and_validated_read_as_the_example_shows_them(outputs):
    # the example's auditor's file (intermediate audit): a real gap between declared and validated,
    # and the review counts agreed, never « acceptée(s) »
    for name in ("text", "md", "html"):
        out = plain(outputs[name]).replace("&#39;", "'") if name == "html" else outputs[name]
        assert re.search(r"Score actuel : 83,8\s%\sdéclaré, 62,8\s%\svalidé par l'auditeur", out), name
        assert "preuves : 35 acceptées, 1 rejetée, 137 en attente" in out and "(s)," not in out, name


def test_an_aids_hard_conditions_are_not_recommended(outputs):
    html = outputs["html"]
    row = html.split('id="crit-AID-RSE-LEVEL2"', 1)[1].split("</tr>", 1)[0]
    note = plain(row)
    assert "recommandé" not in note and "condition du dispositif · Prime RSE+ du CNC" in note, note
    afnor = plain(html.split('id="crit-AFN-INC-04"', 1)[1].split("</tr>", 1)[0])
    assert "recommandé" not in afnor and "Niveau 2" in afnor


def french_texts(node):
    """Every French text (`fr:`, a source's `title`) of a ruleset file: our words. Quotes of the official text are plain
    `quote:` strings, never under `fr:`, so they stay as published and are not looked at."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("fr", "title") and isinstance(value, str):  # a source's title is French
                yield value
            else:
                yield from french_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from french_texts(item)


RULESETS = sorted((ROOT / "rulesets").glob("*/ruleset.yaml"))


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.parent.name)
def test_the_rulesets_french_follows_one_style(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ours = list(french_texts(data))
    assert ours
    for text in ours:
        assert not re.search(r"\d ?EUR\b", text), text
        assert not re.search(r"\w\.(rice|trice|e|es|ne|nes|se|ses)\b", text) or "http" in text, text  # coordinateur.rice
        assert not re.search(r"\w\((e|es|ne|rice)\)", text), text  # engagé(e)
        assert "Oeko-Tex" not in text and "(VHSS version)" not in text, text
