"""`raccord init`: a commented French dossier with only the facts that apply to the kind of work."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from raccord.cli.commands_init import GROUPS, template
from raccord.engine.api import Engine

TYPES = ["long_metrage", "court_metrage", "serie", "unitaire", "film_publicitaire", "programme_de_flux", "clip"]
DAY = dt.date(2026, 2, 10)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def written_facts(text: str) -> list[str]:
    return re.findall(r"^  ([a-z][a-z0-9_.]*): ", text.split("\nfacts:\n", 1)[1], re.M)


@pytest.mark.parametrize("genre", [None, "animation"])
@pytest.mark.parametrize("work_type", TYPES)
def test_every_kind_of_work_gets_a_dossier_that_loads_with_its_facts_unknown(engine, work_type, genre):
    text = template(engine, work_type, genre, "essai", "Essai", DAY)
    dossier = engine.dossier_from_text(text, "dossier.yaml")
    assert dossier.facts == {"work.type": work_type} | ({"work.genre": genre} if genre else {})
    names = written_facts(text)
    assert names == engine.applicable_facts(dossier, DAY) or set(names) == set(engine.applicable_facts(dossier, DAY))
    assert len(names) < len(engine.library.catalogue)


def test_only_the_facts_that_apply_are_written(engine):
    feature = set(written_facts(template(engine, "long_metrage", "fiction", "a", "A", DAY)))
    animated_series = set(written_facts(template(engine, "serie", "animation", "a", "A", DAY)))
    # AFNOR SPEC 2308 covers live action only: its own facts are left out of an animated work
    assert any(name.startswith("afnor.") for name in feature)
    assert not any(name.startswith("afnor.") for name in animated_series)
    assert animated_series < feature | animated_series and len(animated_series) < len(feature)


def test_facts_are_grouped_as_a_producer_thinks_with_title_help_unit_and_form(engine):
    text = template(engine, "long_metrage", None, "la-nuit-des-lucioles", "La Nuit des lucioles", DAY)
    headings = re.findall(r"^  # ── (.+?) ─", text, re.M)
    assert headings[:7] == [g[0] for g in GROUPS[:7]]
    block = text.split("  company.headcount: null")[0].rsplit("null\n", 1)[1]
    assert block.splitlines()[-3:] == [
        "  # Effectif de la société (salariés)",
        "  # Effectif au sens du code du travail ; la CCNPC ne précise pas le décompte des intermittents.",
        "  # Réponse : un nombre entier, par exemple 12 ou 3 200"]
    english = template(engine, "long_metrage", None, "a", "A", DAY, "en")
    assert "# Company headcount (salariés)" in english and "Answer: a whole number" in english


def test_the_command_writes_the_file_and_does_not_overwrite_it(tmp_path):
    path = tmp_path / "dossier.yaml"
    run = [sys.executable, "-m", "raccord", "init", "--type", "court-métrage", "--id", "lucioles", "-o", str(path)]
    result = subprocess.run(run, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "work.type: court_metrage" in path.read_text(encoding="utf-8")  # « court-métrage » read as the value
    check = subprocess.run([sys.executable, "-m", "raccord", "validate", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    again = subprocess.run(run, capture_output=True, text=True)
    assert again.returncode == 2 and "existe déjà" in again.stderr
    bad = subprocess.run([sys.executable, "-m", "raccord", "init", "--type", "opera"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--type" in bad.stderr and "long_metrage" in bad.stderr
    bad_id = subprocess.run([sys.executable, "-m", "raccord", "init", "--id", "mon_film"], capture_output=True, text=True)
    assert bad_id.returncode == 2 and "pas de tiret bas" in bad_id.stderr


def test_the_english_comments_with_lang_en(tmp_path):
    result = subprocess.run([sys.executable, "-m", "raccord", "init", "--lang", "en", "--type", "serie"],
                            capture_output=True, text=True, cwd=Path(tmp_path))
    assert result.returncode == 0 and "# Written by `raccord init`" in result.stdout
