"""`raccord schema` accepts the French forms `raccord validate` accepts (issue 16: oui / non,
02/03/2026, 3 200 000), as an anyOf of the typed value and a text of that form. jsonschema is not a
dependency: the check runs the schema's own patterns (ECMA-262 patterns that Python's `re` reads the
same way: classes, groups, alternatives, counts) on the forms engine/fact_values.py reads and on forms
it refuses, so the schema and the engine cannot drift apart unseen."""

from __future__ import annotations

import re

import pytest

from raccord.cli.schema import dossier_schema
from raccord.engine.api import Engine
from raccord.engine.fact_values import natural_date, natural_number


@pytest.fixture(scope="module")
def facts() -> dict:
    return dossier_schema(Engine.load().library)["properties"]["facts"]["properties"]


def patterns(schema: dict) -> list[re.Pattern]:
    return [re.compile(branch["pattern"]) for branch in schema.get("anyOf", []) if "pattern" in branch]


def accepted(schema: dict, text: str) -> bool:
    return any(p.search(text) for p in patterns(schema))


@pytest.mark.parametrize("text", ["oui", "Non", "VRAI", "faux", "yes", "no"])
def test_a_french_yes_or_no_is_accepted(facts, text):
    assert accepted(facts["scenes.intimacy"], text)


@pytest.mark.parametrize("text", ["02/03/2026", "2.3.2026", "2 mars 2026", "1er août 2026", "12 Décembre 2025"])
def test_a_french_date_is_accepted_and_the_engine_reads_it(facts, text):
    assert accepted(facts["dates.first_shooting_day"], text)
    assert natural_date(text) is not None


@pytest.mark.parametrize("text", ["3 200 000", "3\u202f200\u202f000", "3,5", "3,2 M€", "450 k€", "3200000 €", "28 000 euros"])
def test_a_french_number_is_accepted_and_the_engine_reads_it(facts, text):
    assert accepted(facts["work.budget"], text), text
    assert natural_number(text, "€") is not None, text


@pytest.mark.parametrize(("fact", "text"), [("scenes.intimacy", "peut-être"), ("dates.first_shooting_day", "mars 2026"),
                                            ("dates.first_shooting_day", "2026/03/02"), ("work.budget", "trois millions"),
                                            ("work.budget", "3 2000")])
def test_other_texts_are_refused(facts, fact, text):
    assert not accepted(facts[fact], text)


def test_typed_values_stay_allowed_and_enums_say_the_folded_forms(facts):
    budget = facts["work.budget"]["anyOf"][0]
    assert budget["type"] == ["number", "null"] and budget["minimum"] == 0
    regions = facts["work.regions"]
    assert "ile_de_france" in regions["items"]["enum"] and "« Île-de-France »" in regions["description"]
