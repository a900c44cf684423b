"""`raccord explain` of a `known` test (`known: true`, `known: false`, `not` of `known: true`): it
says which way the fact was asked, instead of an empty expected value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from raccord.cli.main import cli
from raccord.cli.render_text import tree_lines
from raccord.engine import evaluate

from .support import DAY, criterion, dossier_of, library_of, ruleset_yaml

ROOT = Path(__file__).resolve().parent.parent


def explained(requires: str, facts: dict, lang: str) -> list[str]:
    lib = library_of(ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", requires)]))
    trace = evaluate(lib, dossier_of(lib, facts), DAY).explain("T-01")
    return tree_lines(trace["requires"], lang, 0)


@pytest.mark.parametrize(("requires", "facts", "lang", "lines"), [
    ("{fact: company.headcount, known: true}", {"company.headcount": 12}, "fr",
     ["company.headcount est renseigné (vu : 12) → vrai"]),
    ("{fact: company.headcount, known: true}", {}, "fr", ["company.headcount est renseigné (vu : absent) → faux"]),
    ("{fact: company.headcount, known: false}", {}, "fr", ["company.headcount n'est pas renseigné (vu : absent) → vrai"]),
    ("{fact: company.headcount, known: false}", {"company.headcount": 0}, "fr",
     ["company.headcount n'est pas renseigné (vu : 0) → faux"]),
    ("{fact: work.live_action, known: false}", {"work.live_action": False}, "en",
     ["work.live_action is not given (seen: false) → false"]),
    ("{fact: company.headcount, known: true}", {}, "en", ["company.headcount is given (seen: missing) → false"]),
    ("{not: {fact: company.headcount, known: true}}", {}, "fr",
     ["non → vrai", "  company.headcount est renseigné (vu : absent) → faux"]),
    ("{not: {fact: company.headcount, known: true}}", {"company.headcount": 3}, "en",
     ["not → false", "  company.headcount is given (seen: 3) → true"]),
])
def test_a_known_test_reads_as_asked(requires, facts, lang, lines):
    assert explained(requires, facts, lang) == lines


def test_the_ccnpc_scope_of_the_feature_film():
    """VHSS-32.2-DUERP applies unless the work is an animated film: its `known: false` alternative."""
    runner = CliRunner()
    args = ["explain", str(ROOT / "examples" / "long_metrage" / "dossier.yaml"), "VHSS-32.2-DUERP", "--as-of", "2025-10-15"]
    fr = runner.invoke(cli, args).output
    assert "      work.genre n'est pas renseigné (vu : fiction) → faux\n" in fr
    en = runner.invoke(cli, [*args, "--lang", "en"]).output
    assert "      work.genre is not given (seen: fiction) → false\n" in en
    assert "renseigné :  " not in fr and "given:  " not in en
