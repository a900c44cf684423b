"""« je ne sais pas » in `raccord interview` is remembered between runs (issue 16: « can be stopped
and resumed »): the dossier's `unanswered:` section lists the fact with the day, the next run does
not ask it again, `--reask` does, and an answer given later takes it off the list. A small
advertising-film dossier keeps each run cheap (tests/test_interview.py covers the questionnaire)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from raccord.cli.main import cli
from raccord.engine import InputError
from raccord.engine.api import Engine

DOSSIER = """\
format: raccord.dossier/1
production: {id: spot-lumiere, title: Spot Lumière}  # un film publicitaire
facts:
  work:
    type: film_publicitaire
"""
AS_OF = "2026-03-01"


def interview(path: Path, answers: str, *options: str) -> str:
    result = CliRunner().invoke(cli, ["interview", str(path), "--as-of", AS_OF, *options], input=answers,
                                env={"RACCORD_LANG": ""})
    assert result.exit_code == 0, result.output
    return result.output


def first_question(output: str) -> str:
    line = next(x for x in output.splitlines() if x.startswith("Question 1 — "))
    return line.rsplit("[", 1)[1].rstrip("]")


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    path = tmp_path / "dossier.yaml"
    path.write_text(DOSSIER, encoding="utf-8")
    return path


def test_i_dont_know_is_recorded_and_not_asked_again(dossier: Path):
    first = interview(dossier, "je ne sais pas\nstop\n")
    skipped = first_question(first)
    text = dossier.read_text(encoding="utf-8")
    assert text.startswith(DOSSIER)  # the rest of the file (its comment too) kept
    assert f"unanswered:\n  {skipped}: " in text, text
    day = dt.date.fromisoformat(text.split(f"  {skipped}: ", 1)[1].strip())
    assert day >= dt.date.today() - dt.timedelta(days=1)  # the day of the answer (the front end's clock), not --as-of
    engine = Engine.load()
    loaded = engine.dossier(dossier)
    assert list(loaded.file.unanswered) == [skipped] and skipped not in loaded.facts  # still unknown
    # the engine skips it by default, and asks it with reask
    as_of = dt.date.fromisoformat(AS_OF)
    assert skipped not in [q.fact for q in engine.questions(loaded, as_of)]
    assert engine.questions(loaded, as_of, reask=True)[0].fact == skipped
    # the next run goes on with another question, and says which were not asked again
    second = interview(dossier, "stop\n")
    assert first_question(second) != skipped
    # --reask asks it again; an answer then takes it off the list
    fact = engine.library.catalogue[skipped]
    answer = {"boolean": "oui", "integer": "3", "number": "3", "date": "02/03/2026"}.get(fact.type) or (fact.values or ["?"])[-1]
    third = interview(dossier, f"{answer}\nstop\n", "--reask")
    assert first_question(third) == skipped
    again = engine.dossier(dossier)
    assert skipped in again.facts and skipped not in again.file.unanswered, dossier.read_text(encoding="utf-8")


def test_the_end_of_an_interview_names_the_facts_left_from_before(dossier: Path):
    Path(dossier).write_text(DOSSIER + "unanswered:\n  work.regions: 2026-02-10\n", encoding="utf-8")
    output = interview(dossier, "stop\n")
    assert "[work.regions]" not in output
    assert "[work.regions]" in interview(dossier, "stop\n", "--reask")


def test_an_unknown_fact_in_unanswered_is_a_located_error(tmp_path: Path):
    path = tmp_path / "dossier.yaml"
    path.write_text(DOSSIER + "unanswered:\n  work.region: 2026-02-10\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        Engine.load().dossier(path)
    shown = info.value.render("fr")
    assert f"{path}:7:" in shown and "fait inconnu : « work.region »" in shown, shown
