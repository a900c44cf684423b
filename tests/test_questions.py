"""engine/questions.py: the unknown facts that can change a decision, ranked, found by re-evaluation.

Checked against evaluations of dossiers written as files (not against the probe's own what-ifs):
every question has an answer that changes a decision, and no fact left out of the questions
changes one, over a broad sample of values chosen here independently of the candidate values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from raccord.engine import InputError
from raccord.engine import questions as qn
from raccord.engine.api import Engine

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 2, 10)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def dossier_text(facts: dict) -> str:
    return yaml.safe_dump({"format": "raccord.dossier/1", "production": {"id": "essai", "title": "Essai"},
                           "facts": {k: _yaml(v) for k, v in facts.items()}}, allow_unicode=True)


def _yaml(value):
    return sorted(value) if isinstance(value, frozenset) else value


def decisions_of(engine: Engine, facts: dict) -> dict:
    dossier = engine.dossier_from_text(dossier_text(facts))
    return qn.decisions(engine.evaluate(dossier, AS_OF))


def sample(fact) -> list:
    """Values a producer could give, chosen without looking at the rulesets' thresholds."""
    if fact.type == "boolean":
        return [True, False]
    if fact.type == "enum":
        return list(fact.values)
    if fact.type == "set":
        return [[], *([v] for v in fact.values), list(fact.values)]
    if fact.type == "integer":
        return [0, 1, 2, 3, 5, 10, 11, 20, 50, 250]
    if fact.type == "number":
        return [0, 0.3, 0.5, 1, 10, 1000, 1_000_000, 5_000_000]
    if fact.type == "date":
        return [AS_OF + dt.timedelta(days=d) for d in (-400, -60, -30, -1, 0, 1, 30, 60, 400)]
    return []


FEATURE = {"work.type": "long_metrage", "work.genre": "fiction", "work.live_action": True,
           "work.destination": "cinema", "dates.first_shooting_day": dt.date(2026, 3, 2)}


def test_a_new_feature_film_is_asked_about_what_decides_first(engine):
    dossier = engine.dossier_from_text(dossier_text(FEATURE))
    found = engine.questions(dossier, AS_OF)
    names = [q.fact for q in found]
    assert names, "a dossier of five facts leaves decisions open"
    assert not set(names) & set(FEATURE), "a fact given is never asked"
    assert all(q.decisions for q in found)
    # ranked: the most decisions, then the most points
    keys = [(-len(q.decisions), -q.points) for q in found]
    assert keys == sorted(keys)
    # far fewer questions than facts in the catalogue
    assert len(found) < len(engine.library.catalogue) / 2


@pytest.mark.parametrize("facts", [{}, FEATURE, {"work.type": "serie", "work.genre": "animation"}],
                         ids=["empty", "feature", "animated-series"])
def test_every_question_has_an_answer_that_changes_a_decision(engine, facts):
    before = decisions_of(engine, facts)
    dossier = engine.dossier_from_text(dossier_text(facts))
    for question in engine.questions(dossier, AS_OF):
        example = question.example
        assert example and question.fact in example
        partners = {k: v for k, v in example.items() if k != question.fact}
        base = decisions_of(engine, {**facts, **partners}) if partners else before
        after = decisions_of(engine, {**facts, **example})
        assert after != base, question.fact
        assert {k for k in after if after[k] != base[k]} <= set(question.decisions)


@pytest.mark.parametrize("facts", [FEATURE, {"work.type": "serie", "work.genre": "animation"}],
                         ids=["feature", "animated-series"])
def test_no_fact_left_out_changes_a_decision(engine, facts):
    dossier = engine.dossier_from_text(dossier_text(facts))
    asked = {q.fact for q in engine.questions(dossier, AS_OF)}
    before = decisions_of(engine, facts)
    for name, fact in engine.library.catalogue.items():
        if name in asked or name in facts or fact.type in ("collection", "string"):
            continue
        for value in sample(fact):
            if fact.min is not None and isinstance(value, (int, float)) and value < fact.min:
                continue
            if fact.max is not None and isinstance(value, (int, float)) and value > fact.max:
                continue
            try:
                after = decisions_of(engine, {**facts, name: value})
            except InputError:  # an impossible dossier (facts that must agree) is no possible answer
                continue
            assert after == before, (name, value)


def test_skip_leaves_a_fact_out_and_an_answer_removes_it(engine):
    dossier = engine.dossier_from_text(dossier_text({}))
    first = engine.next_question(dossier, AS_OF)
    assert first is not None
    assert first.fact not in [q.fact for q in engine.questions(dossier, AS_OF, skip=[first.fact])]
    answered = engine.with_facts(dossier, {first.fact: first.example[first.fact]})
    assert first.fact not in [q.fact for q in engine.questions(answered, AS_OF)]


def test_two_facts_compared_with_each_other_are_asked_together(engine):
    # AFNOR reads afnor.training.people_made_aware against team.crew_total: with both unknown,
    # neither alone changes a decision; together they do, so each is asked naming the other
    facts = {**FEATURE, "cnc.aid_requested": False}
    before = decisions_of(engine, facts)
    for value in sample(engine.library.catalogue["afnor.training.people_made_aware"]):
        assert decisions_of(engine, {**facts, "afnor.training.people_made_aware": value}) == before
    dossier = engine.dossier_from_text(dossier_text(facts))
    by_fact = {q.fact: q for q in engine.questions(dossier, AS_OF)}
    assert by_fact["afnor.training.people_made_aware"].partners == ("team.crew_total",)
    answered = engine.with_facts(dossier, {"team.crew_total": 20})
    after = {q.fact: q for q in engine.questions(answered, AS_OF)}
    assert "team.crew_total" not in after
    assert after["afnor.training.people_made_aware"].partners == ()


def test_a_question_as_a_document_is_plain_data(engine):
    dossier = engine.dossier_from_text(dossier_text(FEATURE))
    doc = engine.questions(dossier, AS_OF)[0].as_dict("fr")
    import json

    json.dumps(doc)
    assert doc["title"] and doc["type"] and doc["decisions"]
