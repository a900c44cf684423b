"""Facts that must agree and suspicious combinations (rulesets/facts.yaml `agrees` / `warns`,
engine/consistency.py), and every problem of a dossier reported at once, in file order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from raccord.engine import InputError
from raccord.engine.api import Engine
from raccord.engine.consistency import check_references
from raccord.engine.dossier import MAX_ERRORS, ManyInputError

ROOT = Path(__file__).resolve().parent.parent
HEAD = "format: raccord.dossier/1\nproduction: {id: la-nuit-des-lucioles, title: La Nuit des lucioles}\nfacts:\n"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def load(engine: Engine, facts: str):
    return engine.dossier_from_text(HEAD + facts, "dossier.yaml")


def refused(engine: Engine, facts: str) -> InputError:
    with pytest.raises(InputError) as info:
        load(engine, facts)
    return info.value


def test_the_catalogue_declarations_name_known_facts(engine):
    assert check_references(engine.library.catalogue) == []


@pytest.mark.parametrize(("facts", "where", "fr"), [
    ("  team.technical: {total: 10, women: 14}\n", "dossier.yaml:4:31",
     "« Équipe technique : nombre de femmes » (14) doit être ≤ « Équipe technique : effectif » (10)"),
    ("  team.supervisory:\n    total: 3\n    women: 4\n", "dossier.yaml:6:5", "« Encadrement : nombre de femmes » (4)"),
    ("  minors: {under_16: 2, over_13: 3}\n", "dossier.yaml:4:25", "« Parmi eux, enfants de plus de 13 ans » (3) doit être ≤"),
    ("  dates.first_shooting_day: 2026-03-02\n  dates.wrap: 2026-02-24\n", "dossier.yaml:5:3",
     "« Fin de tournage » (2026-02-24) doit être au plus tôt « Premier jour de tournage » (2026-03-02)"),
    ("  dates.preparation_start: 2026-04-01\n  dates.first_shooting_day: 02/03/2026\n", "dossier.yaml:5:3",
     "« Premier jour de tournage » (2026-03-02) doit être au plus tôt « Début de la préparation » (2026-04-01)"),
    ("  dates.wrap: 2026-04-24\n  dates.post_production_end: 2026-04-01\n", "dossier.yaml:5:3",
     "« Fin de la post-production » (2026-04-01) doit être au plus tôt « Fin de tournage »"),
    ("  dates.production_budget: 2026-01-10\n  dates.final_cost: 2025-12-01\n", "dossier.yaml:5:3",
     "« Date du coût définitif de production déposé au CNC » (2025-12-01) doit être au plus tôt"),
    ("  work.budget: -5\n", "dossier.yaml:4:3", "fait « work.budget » : -5 est en dessous du minimum 0"),
    ("  company.headcount: -1\n", "dossier.yaml:4:3", "est en dessous du minimum 0"),
])
def test_facts_that_cannot_both_be_true_are_a_located_error(engine, facts, where, fr):
    error = refused(engine, facts)
    assert error.where == where
    assert fr in error.message.fr
    assert error.message.en and error.message.en != error.message.fr


def test_facts_that_agree_load(engine):
    dossier = load(engine, "  team.technical: {total: 10, women: 10}\n  minors: {under_16: 2, over_13: 2}\n"
                           "  dates.preparation_start: 2026-01-05\n  dates.first_shooting_day: 2026-03-02\n"
                           "  dates.wrap: 2026-03-02\n  dates.post_production_end: 2026-09-30\n")
    assert dossier.facts["team.technical.women"] == 10 and dossier.warnings == []


def test_a_company_of_eleven_without_cse_nor_pv_de_carence_is_warned_citing_its_rule(engine):
    dossier = load(engine, "  company: {headcount: 30, has_cse: non}\n")
    (warning,) = dossier.warnings
    assert warning.where == "dossier.yaml:4:28"  # at company.has_cse
    assert "Code du travail, art. L. 2311-2" in warning.hint.fr
    text = warning.render("fr")
    assert "11 salariés ou plus" in text and "(règle : Code du travail" in text
    assert "(rule: Labour Code" in warning.render("en")
    for quiet in ("  company: {headcount: 30, has_cse: non, cse_carence_pv: oui}\n",
                  "  company: {headcount: 10, has_cse: false}\n", "  company: {headcount: 30, has_cse: true}\n",
                  "  company: {has_cse: false}\n"):
        assert load(engine, quiet).warnings == [], quiet
    # a PV de carence stated as not drawn up is warned like one not mentioned
    assert len(load(engine, "  company: {headcount: 11, has_cse: false, cse_carence_pv: false}\n").warnings) == 1


def test_minors_in_a_production_with_intimacy_scenes_must_say_whether_they_take_part(engine):
    dossier = load(engine, "  minors: {under_16: 2, over_13: 1}\n  scenes.intimacy: oui\n")
    (warning,) = dossier.warnings
    assert warning.where == "dossier.yaml:4:12"  # at minors.under_16, the first fact it reads that is given
    assert "minors.in_intimacy_scenes" in warning.message.fr and "CCNPC, titre III, art. 5.2" in warning.hint.fr
    assert len(load(engine, "  minors: {under_16: 1}\n  scenes.nudity: true\n").warnings) == 1
    for quiet in ("  minors: {under_16: 2, in_intimacy_scenes: false}\n  scenes.intimacy: true\n",
                  "  minors: {under_16: 0}\n  scenes.intimacy: true\n",
                  "  minors: {under_16: 2}\n  scenes.intimacy: false\n"):
        assert load(engine, quiet).warnings == [], quiet


MISTAKES = """\
  work.type: long-métrage
  dates.first_shooting_day: 31/02/2026
  scenes.intimacy: peut-être
  company: {headcount: 30, cse: false}
  work.regions: [Île-de-France, Lune]
  team.technical: {total: 10, women: 14}
"""


def test_every_problem_at_once_in_file_order(engine):
    text = "format: raccord.dossier/1\nproduction: {id: test_1, title: Test}\nfacts:\n" + MISTAKES
    with pytest.raises(ManyInputError) as info:
        engine.dossier_from_text(text, "dossier.yaml")
    error = info.value
    where = [e.where for e in error.errors]
    assert where == ["dossier.yaml:2:14", "dossier.yaml:5:3", "dossier.yaml:6:3", "dossier.yaml:7:28",
                     "dossier.yaml:8:3", "dossier.yaml:9:31"]
    lines = error.render("fr").splitlines()
    assert lines[0] == "dossier.yaml : 6 problèmes, dans l'ordre du fichier :"
    # the production id's hint says what the rule allows (no underscore)
    assert "minuscules, chiffres et tirets (pas de tiret bas)" in lines[1]
    assert "attendu : une date AAAA-MM-JJ, par exemple 2026-03-02" in lines[2]
    assert "vouliez-vous dire « company.has_cse » ?" in lines[4]
    assert "dossier.yaml: 6 problems, in file order:" in error.render("en")


def test_beyond_the_cap_the_rest_are_counted(engine):
    facts = "".join(f"  work.nope{i}: 1\n" for i in range(MAX_ERRORS + 5))
    with pytest.raises(ManyInputError) as info:
        load(engine, facts)
    lines = info.value.render("fr").splitlines()
    assert len(lines) == 1 + MAX_ERRORS + 1 and lines[-1] == "  … et 5 autres"
    assert info.value.render("en").splitlines()[-1] == "  … and 5 more"


def test_validate_and_check_show_them(tmp_path):
    path = tmp_path / "dossier.yaml"
    path.write_text(HEAD + MISTAKES, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "raccord", "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 + 5
    path.write_text(HEAD + "  company: {headcount: 30, has_cse: false}\n", encoding="utf-8")
    for command in (["validate", str(path)], ["check", str(path), "--as-of", "2026-02-10"]):
        result = subprocess.run([sys.executable, "-m", "raccord", *command], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert f"{path}:4:28: La société compte 11 salariés ou plus" in result.stderr
        assert "attention" in result.stderr


def test_every_dossier_example_of_the_docs_loads(engine):
    import re

    found = 0
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for block in re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            if block.startswith("format: raccord.dossier/1"):
                engine.dossier_from_text(block, f"{page.name}.yaml")
                found += 1
    assert found
