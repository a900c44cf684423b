"""`raccord check` says in one line what blocks each aid scheme, with titles a producer reads: the
actions not done by their ids, facts by their titles, no operator and no fact name."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from raccord.cli.main import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage" / "dossier.yaml"


def check(lang: str) -> str:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLE), "--as-of", "2025-10-15", "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output


def aid_lines(output: str) -> list[str]:
    return output.split("(aid_schemes ")[1].split("\n\n")[0].splitlines()[1:]


def test_each_blocked_scheme_names_what_blocks_it_in_french():
    lines = aid_lines(check("fr"))
    prime = next(line for line in lines if line.startswith("Prime RSE+ du CNC"))
    # AFN-INC-03 is declared not done in the example; the three others are not proven yet
    assert prime == ("Prime RSE+ du CNC : non éligible — 28\u202f000\u202f€ — 1 action du niveau 2 non réalisée : AFN-INC-03 "
                     "(3 à prouver : AFN-GOV-03, AFN-GOV-05, AFN-ACH-01)")
    idf = next(line for line in lines if line.startswith("Île-de-France"))
    assert idf.endswith("à renseigner : Projet innovant, notamment en écoproduction, au sens de la Région Île-de-France")
    assert next(line for line in lines if line.startswith("Corse")).endswith("condition non remplie : Tournage en Corse")
    prize = next(line for line in lines if line.startswith("Prix Cofiloisirs"))
    assert "décision : indéterminé (il faut : éligible)" in prize
    text = "\n".join(lines)
    for raw in (" gte ", " eq ", "vu :", "aid.idf.", "undetermined", "une condition n'est pas"):
        assert raw not in text, raw
    assert not re.search(r"Décision : -", check("fr"))
    assert "Critères : 22 satisfaits, 3 non satisfaits, 3 inconnus" in check("fr")


def test_the_same_sentences_in_english():
    lines = aid_lines(check("en"))
    prime = next(line for line in lines if line.startswith("CNC RSE+ bonus"))
    assert prime.endswith("1 level-2 action not done: AFN-INC-03 (3 to prove: AFN-GOV-03, AFN-GOV-05, AFN-ACH-01)")
    assert any(line.startswith("Corsica") and line.endswith("condition not met: Shooting in Corsica") for line in lines), lines
