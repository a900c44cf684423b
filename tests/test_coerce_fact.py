"""Dossier values checked against their fact's type: what is accepted, what is refused, and where."""

from __future__ import annotations

import datetime as dt

import pytest

from raccord.engine import InputError, build_dossier
from raccord.engine.dossier import coerce_fact
from raccord.engine.model import FactDef, validate_model
from raccord.engine.source_files import Located, parse_yaml

WHERE = "dossier.yaml:7:3"


def fact(**spec) -> FactDef:
    return validate_model(FactDef, Located({"title": {"fr": "Fait", "en": "Fact"}, **spec}, "facts.yaml"))


BOOLEAN = fact(type="boolean")
INTEGER = fact(type="integer", min=0, max=100)
NUMBER = fact(type="number", min=0.5)
DATE = fact(type="date")
ENUM = fact(type="enum", values=["long_metrage", "court_metrage", "documentaire"])
SET = fact(type="set", values=["corse", "grand_est"])
STRING = fact(type="string")


def refused(value, spec: FactDef) -> InputError:
    with pytest.raises(InputError) as info:
        coerce_fact("f.x", value, spec, WHERE)
    assert info.value.where == WHERE  # the caller's location is kept as it is
    return info.value


@pytest.mark.parametrize("spec", [BOOLEAN, INTEGER, NUMBER, DATE, ENUM, SET, STRING])
def test_null_is_unknown_for_every_type(spec):
    assert coerce_fact("f.x", None, spec, WHERE) is None


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (BOOLEAN, True, True),
        (BOOLEAN, False, False),
        (INTEGER, 12, 12),
        (INTEGER, 0, 0),  # the minimum itself is allowed
        (INTEGER, 100, 100),  # and the maximum
        (INTEGER, 7.0, 7),  # a whole float is a whole number
        (NUMBER, 0.5, 0.5),
        (NUMBER, 2, 2),
        (NUMBER, 1e6, 1e6),  # no maximum declared
        (DATE, dt.date(2025, 3, 1), dt.date(2025, 3, 1)),
        (DATE, "2025-03-01", dt.date(2025, 3, 1)),
        (ENUM, "documentaire", "documentaire"),
        (SET, ["corse"], frozenset({"corse"})),
        (SET, ["corse", "grand_est", "corse"], frozenset({"corse", "grand_est"})),
        (SET, [], frozenset()),
        (STRING, "Les Heures claires", "Les Heures claires"),
        (STRING, "", ""),
    ],
)
def test_accepted_values_and_what_they_become(spec, value, expected):
    got = coerce_fact("f.x", value, spec, WHERE)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (BOOLEAN, "peut-être", "fact 'f.x': expected true or false, got 'peut-être'"),
        (BOOLEAN, 1, "fact 'f.x': expected true or false, got 1"),
        (BOOLEAN, 0, "fact 'f.x': expected true or false, got 0"),
        (INTEGER, 7.5, "fact 'f.x': expected a whole number, got 7.5"),
        (INTEGER, "douze", "fact 'f.x': expected a whole number, got 'douze'"),
        (INTEGER, "3,5", "fact 'f.x': expected a whole number, got 3.5"),
        (INTEGER, True, "fact 'f.x': expected a whole number, got True"),
        (INTEGER, -1, "fact 'f.x': -1 is below the minimum 0"),
        (INTEGER, 101, "fact 'f.x': 101 is above the maximum 100"),
        (NUMBER, "0.7.1", "fact 'f.x': expected a number, got '0.7.1'"),
        (NUMBER, "3.200,5", "expected a number"),  # read two ways: refused
        (NUMBER, "1,234,567", "expected a number"),
        (NUMBER, False, "fact 'f.x': expected a number, got False"),
        (NUMBER, 0.49, "fact 'f.x': 0.49 is below the minimum 0.5"),
        (DATE, "2025-13-01", "fact 'f.x': expected a date YYYY-MM-DD, got '2025-13-01'"),
        (DATE, "1er mars", "fact 'f.x': expected a date YYYY-MM-DD, got '1er mars'"),
        (DATE, 20250301, "fact 'f.x': expected a date YYYY-MM-DD, got 20250301"),
        (DATE, dt.datetime(2025, 3, 1, 9, 30), "expected a date YYYY-MM-DD"),  # a time of day is not a date
        (ENUM, "serie", "fact 'f.x': 'serie' is not allowed"),
        (ENUM, ["documentaire"], "is not allowed"),
        (SET, 3, "fact 'f.x': expected a list, got 3"),
        (SET, ["corse", "bretagne"], "fact 'f.x': 'bretagne' is not allowed"),
        (STRING, 3, "fact 'f.x': expected text, got 3"),
        (STRING, ["a"], "fact 'f.x': expected text, got ['a']"),
    ],
)
def test_refused_values_say_what_was_expected(spec, value, message):
    assert message in refused(value, spec).message.en


def test_enum_and_set_errors_list_the_allowed_values():
    assert refused("serie", ENUM).hint.en == "allowed: long_metrage, court_metrage, documentaire"
    assert refused("serie", ENUM).hint.fr == "valeurs permises : long_metrage, court_metrage, documentaire"
    assert refused(["corse", "bretagne"], SET).hint.en == "allowed: corse, grand_est"


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (BOOLEAN, "oui", True), (BOOLEAN, "Non", False), (BOOLEAN, "VRAI", True), (BOOLEAN, "faux", False),
        (INTEGER, "12", 12), (INTEGER, "3 200", None), (INTEGER, "3\u202f2", 32),
        (NUMBER, "3 200 000", 3200000), (NUMBER, "3\u00a0200\u00a0000 €", 3200000), (NUMBER, "3,5", 3.5),
        (NUMBER, "3.5", 3.5), (NUMBER, "3,2e6", 3200000), (NUMBER, "3,2 M€", 3200000), (NUMBER, "450 k€", 450000),
        (NUMBER, "1 500 000 EUR", 1500000), (NUMBER, "0,75", 0.75),
        (DATE, "02/03/2026", dt.date(2026, 3, 2)), (DATE, "2/3/2026", dt.date(2026, 3, 2)),
        (DATE, "02.03.2026", dt.date(2026, 3, 2)), (DATE, "2 mars 2026", dt.date(2026, 3, 2)),
        (DATE, "1er août 2026", dt.date(2026, 8, 1)), (DATE, "2026-03-02", dt.date(2026, 3, 2)),
        (ENUM, "long-métrage", "long_metrage"), (ENUM, "Long Métrage", "long_metrage"), (ENUM, "DOCUMENTAIRE", "documentaire"),
        (SET, "Corse, Grand-Est", frozenset({"corse", "grand_est"})), (SET, ["Grand Est"], frozenset({"grand_est"})),
        (SET, "aucune", frozenset()), (SET, "Corse et Grand Est", frozenset({"corse", "grand_est"})),
    ],
)
def test_french_forms_are_read_as_the_typed_value(spec, value, expected):
    if expected is None:  # 3 200 is above INTEGER's maximum 100: read as 3200, then refused there
        assert "3200 is above the maximum 100" in refused(value, spec).message.en
        return
    got = coerce_fact("f.x", value, spec, WHERE)
    assert got == expected and type(got) is type(expected)


def test_a_refused_value_says_the_expected_form_in_french_and_english():
    error = refused("le 2 du mois", DATE)
    assert error.message.fr == "fait « f.x » : « le 2 du mois » ne convient pas"
    assert error.hint.fr == "attendu : une date AAAA-MM-JJ, par exemple 2026-03-02 (ou 02/03/2026)"
    assert error.hint.en == "expected: a date YYYY-MM-DD, for example 2026-03-02"
    assert "conseil : attendu : une date" in error.render("fr")
    assert refused("deux", INTEGER).hint.fr.startswith("attendu : un nombre entier, par exemple")
    assert refused(["bretagne"], SET).message.fr == "fait « f.x » : « bretagne » n'est pas une valeur permise"


def test_an_ambiguous_enum_spelling_is_refused():
    both = fact(type="enum", values=["ile_de_france", "ile-de-france"])
    assert coerce_fact("f.x", "ile-de-france", both, WHERE) == "ile-de-france"  # exact wins
    assert "is not allowed" in refused("Île de France", both).message.en  # folds to both


def test_a_bounded_number_fact_without_maximum_accepts_large_values_only_above_its_minimum():
    unbounded_above = fact(type="integer", min=10)
    assert coerce_fact("f.x", 10**9, unbounded_above, WHERE) == 10**9
    assert "below the minimum 10" in refused(9, unbounded_above).message.en
    only_max = fact(type="number", max=1)
    assert coerce_fact("f.x", -5.5, only_max, WHERE) == -5.5
    assert "above the maximum 1" in refused(1.01, only_max).message.en


def test_a_dossier_value_error_points_at_the_value_in_the_file():
    catalogue = {"company.headcount": INTEGER, "work.regions": SET}
    text = "\n".join([
        "format: raccord.dossier/1",
        "production: {id: test, title: Test}",
        "facts:",
        "  company:",
        "    headcount: 12",
        "  work.regions: [corse, bretagne]",
    ])
    with pytest.raises(InputError) as info:
        build_dossier(parse_yaml(text, "dossier.yaml"), catalogue, None)
    assert info.value.where == "dossier.yaml:6:3"  # the fact that holds it
    assert "'bretagne' is not allowed" in info.value.message.en
    ok = build_dossier(parse_yaml(text.replace(", bretagne", ""), "dossier.yaml"), catalogue, None)
    assert ok.facts == {"company.headcount": 12, "work.regions": frozenset({"corse"})}


def test_a_null_dossier_value_is_left_out_of_the_facts():
    catalogue = {"company.headcount": INTEGER, "work.regions": SET}
    text = "format: raccord.dossier/1\nproduction: {id: test, title: Test}\nfacts: {company.headcount: null, work.regions: []}\n"
    dossier = build_dossier(parse_yaml(text, "dossier.yaml"), catalogue, None)
    assert dossier.facts == {"work.regions": frozenset()}
