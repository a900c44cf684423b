"""Errors that were shown in one language only (grid import, grid description, migrate, explain,
rulesets show, calendar -o) now speak French by default and English with --lang en: each case runs
in process in both languages and checks the words of the message and hint, its place set aside
(the words lists and the identifier rules are those of tests/test_languages.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.test_languages import english_words, french_words, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
MAPPING = ROOT / "rulesets" / "afnor_spec_2308" / "migration.yaml"


def _grid(tmp: Path, name: str, text: str) -> list[str]:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return ["grid", "import", "--ruleset", "ecoprod_label", str(path), "-o", str(tmp / "out.yaml")]


def _pipe(tmp: Path) -> list[str]:
    os.mkfifo(tmp / "grille.csv")
    return ["ecoprod", "import", str(tmp / "grille.csv"), "-o", str(tmp / "out.yaml")]


def _mapping(tmp: Path) -> list[str]:
    path = tmp / "map.yaml"
    path.write_text(re.sub(r"(?m)^from: .*$", "from: nope", MAPPING.read_text(encoding="utf-8")), encoding="utf-8")
    return ["migrate", str(EXAMPLE), "--mapping", str(path), "-o", str(tmp / "migre.yaml")]


HEADER = "Poste;N°;Action;Points;Impératif\n"
# (args built in tmp_path, the error's place, a fragment of the French line, one of the English line)
CASES = {
    "not_a_number": (lambda t: _grid(t, "g.csv", HEADER + "Bureaux;4.1;Électricité verte;trois;non\n"),
                     "row 2, column D (Points)", "« trois » n'est pas un nombre", "'trois' is not a number"),
    "not_yes_or_no": (lambda t: _grid(t, "g.csv", HEADER + "Bureaux;4.1;Électricité verte;2;peut-être\n"),
                      "row 2, column E", "n'est ni oui ni non", "is not yes or no"),
    "used_twice": (lambda t: _grid(t, "g.csv", HEADER + "Bureaux;4.1;Électricité verte;2;non\nBureaux;4.1;Papier;1;non\n"),
                   "row 3, column B", "sert deux fois", "is used twice"),
    "empty_grid": (lambda t: _grid(t, "g.csv", ""), "g.csv", "la grille est vide", "the grid is empty"),
    "no_header": (lambda t: _grid(t, "g.csv", "Numéro;Intitulé\n1.1;Note\n"), "row 1",
                  "aucune ligne d'en-tête trouvée", "no header row found"),
    "format": (lambda t: _grid(t, "g.ods", "x"), "g.ods", "format de grille non pris en charge", "grid format not supported"),
    "pipe": (_pipe, "grille.csv", "ce n'est pas un fichier ordinaire", "not a regular file"),
    "grid_ruleset": (lambda t: ["grid", "import", "--ruleset", "vhss_ccnpc", str(t / "g.csv")], "vhss_ccnpc",
                     "n'a pas de description de grille", "has no grid description"),
    "explain": (lambda t: ["explain", str(EXAMPLE), "ECO-NOPE"], "ECO-NOPE", "critère inconnu", "unknown criterion"),
    "rulesets_show": (lambda t: ["rulesets", "show", "nope"], "nope", "référentiel inconnu", "unknown ruleset"),
    "calendar_output": (lambda t: ["calendar", str(EXAMPLE), "-o", str(t)], "", "impossible d'écrire", "cannot write"),
    "migrate_from": (_mapping, "map.yaml", "référentiel inconnu « nope »", "unknown ruleset 'nope'"),
}


def _message(line: str, place: str) -> str:
    """The line without its prefix and the part of its place that precedes the message."""
    line = re.sub(r"^raccord ?: (erreur|error) ?: ", "", line.strip())
    return line.split(place, 1)[-1] if place else line


@pytest.mark.parametrize("case", CASES)
def test_the_error_speaks_the_users_language(tmp_path: Path, case: str) -> None:
    build, place, fr, en = CASES[case]
    args = build(tmp_path)
    french = run(args).strip().splitlines()[-1]
    english = run([*args, "--lang", "en"]).strip().splitlines()[-1]
    assert french.startswith("raccord : erreur : ") and place in french and fr in french, french
    assert english.startswith("raccord: error: ") and place in english and en in english, english
    assert not english_words(_message(french, place)), french
    assert not french_words(_message(english, place)), english
    assert not (tmp_path / "out.yaml").exists() and not (tmp_path / "migre.yaml").exists()
