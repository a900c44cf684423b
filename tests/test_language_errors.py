"""Every error of the condition language: the message a ruleset author reads and where it points.

A condition is parsed against what it may refer to (facts, criteria, other rulesets' outcomes);
each mistake is refused at load with the path of the offending key, which the loader turns into
`file:line:col`. The cases are written in YAML, as an author writes them.
"""

from __future__ import annotations

import pytest
import yaml

from raccord.engine import InputError
from raccord.engine.conditions import Env, parse
from raccord.engine.model import FactDef, validate_model
from raccord.engine.source_files import Located

from .support import FACTS, criterion, library_of, ruleset_yaml

CATALOGUE = {name: validate_model(FactDef, Located(spec, "facts.yaml")) for name, spec in {
    **FACTS,
    "budget.total": {"type": "number", "min": 0, "title": {"fr": "Budget", "en": "Budget"}},
    "work.title_fr": {"type": "string", "title": {"fr": "Titre", "en": "Title"}},
}.items()}
OUTCOMES = {
    "lv": {"decision": "decision", "level": "range", "project_level": "range"},
    "aid": {"decision": "decision", "scheme.prime": "decision", "amount": "range"},
}


def env(criterion_id: str | None = "T-01") -> Env:
    return Env(CATALOGUE, {"T-01": "r", "T-02": "r", "AID-01": "aid"}, OUTCOMES,
               lambda path: "r.yaml:" + "/".join(map(str, path)), criterion_id)


def refused(text: str, criterion_id: str | None = "T-01") -> InputError:
    with pytest.raises(InputError) as info:
        parse(yaml.safe_load(text), env(criterion_id), ("requires",))
    return info.value


ERRORS = [
    # (condition, where it points after `requires`, what the message says)
    ("fact", "", "a condition must be a mapping"),
    ("{}", "", "a condition must be a mapping"),
    ("[{fact: work.live_action}]", "", "a condition must be a mapping"),
    ("{python: '__import__(\"os\")'}", "", "unknown condition form with keys ['python']"),
    # all / any / not
    ("{all: []}", "all", "`all` takes a non-empty list of conditions"),
    ("{any: {fact: work.live_action}}", "any", "`any` takes a non-empty list of conditions"),
    ("{all: [{fact: work.live_action}], any: [{fact: work.live_action}]}", "any", "unexpected key 'any'"),
    ("{any: [{fact: work.live_action}], fact: work.live_action}", "fact", "unexpected key 'fact'"),
    ("{not: {fact: work.live_action}, fact: work.live_action}", "fact", "unexpected key 'fact'"),
    ("{all: [{fact: work.live_action}, {not: {fact: work.nope}}]}", "all/1/not/fact", "unknown fact 'work.nope'"),
    ("{any: [{fact: work.live_action}, {all: [{fact: company.headcount}]}]}", "any/1/all/0",
     "fact 'company.headcount' is integer, not boolean"),
    # fact tests
    ("{fact: company.headcunt, gte: 3}", "fact", "unknown fact 'company.headcunt'"),
    ("{fact: 3, eq: 1}", "fact", "unknown fact '3'"),
    ("{fact: company.headcount, between: [1, 3]}", "between", "unknown test 'between'"),
    ("{fact: company.headcount, gte: 1, lte: 3}", "", "one test per condition, found ['gte', 'lte']"),
    ("{fact: company.headcount}", "", "fact 'company.headcount' is integer, not boolean"),
    ("{fact: work.type, known: yes please}", "known", "`known` takes true or false"),
    ("{fact: work.type, in: long_metrage}", "in", "`in` takes a non-empty list"),
    ("{fact: work.type, not_in: []}", "not_in", "`not_in` takes a non-empty list"),
    ("{fact: work.type, in: [long_metrage, serie]}", "in/1", "'serie' is not one of the values of this fact"),
    ("{fact: work.regions, in: [corse]}", "in", "fact 'work.regions' is a set: use `contains`"),
    ("{fact: work.regions, eq: corse}", "eq", "fact 'work.regions' is a set: use `contains`"),
    ("{fact: work.type, contains: long_metrage}", "contains", "`contains` applies to set facts; 'work.type' is enum"),
    ("{fact: work.regions, contains: bretagne}", "contains", "'bretagne' is not one of the values of this fact"),
    ("{fact: work.type, gte: long_metrage}", "gte", "`gte` needs a number or a date; 'work.type' is enum"),
    ("{fact: work.live_action, lt: true}", "lt", "`lt` needs a number or a date; 'work.live_action' is boolean"),
    ("{fact: work.title_fr, gt: A}", "gt", "`gt` needs a number or a date; 'work.title_fr' is string"),
    ("{fact: work.type, eq: serie}", "eq", "'serie' is not one of the values of this fact"),
    ("{fact: company.headcount, eq: douze}", "eq", "'douze' does not match the type of this fact (integer)"),
    ("{fact: company.headcount, eq: true}", "eq", "True does not match the type of this fact (integer)"),
    ("{fact: work.live_action, eq: 1}", "eq", "1 does not match the type of this fact (boolean)"),
    ("{fact: work.title_fr, eq: 3}", "eq", "3 does not match the type of this fact (string)"),
    ("{fact: dates.wrap, gte: 'le 3 mars'}", "gte", "'le 3 mars' is not a date"),
    ("{fact: dates.wrap, gte: 20250301}", "gte", "'20250301' is not a date"),
    # value expressions
    ("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: two}}", "lte/plus_days",
     "plus_days is a whole number of days"),
    ("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: true}}", "lte/plus_days",
     "plus_days is a whole number of days"),
    ("{fact: dates.wrap, lte: {as_of: soon}}", "lte/as_of", "as_of takes a whole number of days"),
    ("{fact: dates.wrap, lte: {as_of: false}}", "lte/as_of", "as_of takes a whole number of days"),
    ("{fact: dates.wrap, lte: {as_of: 0, plus_days: 3}}", "lte/plus_days", "unexpected key 'plus_days'"),
    ("{fact: company.headcount, gte: {as_of: 0}}", "gte", "only date facts compare with the evaluation date"),
    ("{fact: dates.wrap, lte: {fact: dates.first_shooting_day, after: 1}}", "lte/after", "unexpected key 'after'"),
    ("{fact: dates.wrap, lte: {fact: dates.nope}}", "lte/fact", "unknown fact 'dates.nope'"),
    ("{fact: company.headcount, gte: {fact: dates.wrap}}", "gte", "cannot compare a integer fact with a date fact"),
    ("{fact: company.headcount, gte: {fact: team.total, plus_days: 2}}", "gte/plus_days",
     "plus_days applies to date facts"),
    ("{fact: company.headcount, gte: {value: 3}}", "gte", "a value is a literal, {fact: NAME, plus_days: N} or {as_of: N}"),
    # ratio
    ("{ratio: team.women, gte: 0.4}", "ratio", "ratio takes [NUMERATOR_FACT, DENOMINATOR_FACT]"),
    ("{ratio: [team.women, team.total, company.headcount], gte: 0.4}", "ratio",
     "ratio takes [NUMERATOR_FACT, DENOMINATOR_FACT]"),
    ("{ratio: [team.women, team.nobody], gte: 0.4}", "ratio/1", "unknown fact 'team.nobody'"),
    ("{ratio: [work.type, team.total], gte: 0.4}", "ratio/0", "ratio needs numeric facts; 'work.type' is enum"),
    ("{ratio: [team.women, dates.wrap], gte: 0.4}", "ratio/1", "ratio needs numeric facts; 'dates.wrap' is date"),
    ("{ratio: [team.women, team.total]}", "", "ratio needs a numeric test such as gte: 0.4"),
    ("{ratio: [team.women, team.total], gte: half}", "", "ratio needs a numeric test such as gte: 0.4"),
    ("{ratio: [team.women, team.total], gte: true}", "", "ratio needs a numeric test such as gte: 0.4"),
    ("{ratio: [team.women, team.total], in: [0.4]}", "in", "unknown test 'in'"),
    # evidence
    ("{evidence: ''}", "evidence", "`evidence` names an evidence kind"),
    ("{evidence: 3}", "evidence", "`evidence` names an evidence kind"),
    ("{evidence: duerp, colour: red}", "colour", "unexpected key 'colour'"),
    ("{evidence: duerp, max_age_days: -1}", "max_age_days", "max_age_days is a whole number of days"),
    ("{evidence: duerp, max_age_days: true}", "max_age_days", "max_age_days is a whole number of days"),
    ("{evidence: duerp, max_age_days: '30'}", "max_age_days", "max_age_days is a whole number of days"),
    ("{evidence: duerp, count_gte: -1}", "count_gte", "count_gte is a whole number of items or {fact: NAME}"),
    ("{evidence: duerp, count_gte: false}", "count_gte", "count_gte is a whole number of items or {fact: NAME}"),
    ("{evidence: duerp, count_gte: {fact: team.total, gte: 1}}", "count_gte",
     "count_gte is a whole number of items or {fact: NAME}"),
    ("{evidence: duerp, count_gte: {fact: team.nobody}}", "count_gte/fact", "unknown fact 'team.nobody'"),
    ("{evidence: duerp, count_gte: {fact: 7}}", "count_gte/fact", "unknown fact '7'"),
    ("{evidence: duerp, count_gte: {fact: [team.total]}}", "count_gte/fact", "unknown fact '['team.total']'"),
    ("{evidence: duerp, count_gte: {fact: budget.total}}", "count_gte/fact",
     "count_gte needs an integer fact, 'budget.total' is number"),
    # criterion
    ("{criterion: T-99}", "criterion", "unknown criterion 'T-99'"),
    ("{criterion: T-01, status: done}", "status", "unknown status 'done'"),
    ("{criterion: T-01, level: 2}", "level", "unexpected key 'level'"),
    # outcome
    ("{outcome: lv, gte: 2}", "outcome", "outcome is written RULESET.FIELD"),
    ("{outcome: 3, gte: 2}", "outcome", "outcome is written RULESET.FIELD"),
    ("{outcome: nope.level, gte: 2}", "outcome", "unknown ruleset 'nope'"),
    ("{outcome: lv.stars, gte: 2}", "outcome", "ruleset 'lv' has no outcome 'stars'"),
    ("{outcome: lv.level}", "", "an outcome condition needs a test such as gte: 2 or eq: eligible"),
    ("{outcome: lv.level, contains: 2}", "contains", "unknown test 'contains'"),
    ("{outcome: lv.level, in: 2}", "in", "`in` takes a non-empty list"),
    ("{outcome: lv.level, not_in: []}", "not_in", "`not_in` takes a non-empty list"),
    ("{outcome: lv.level, gte: two}", "gte", "'lv.level' is numeric; compare it with a number"),
    ("{outcome: lv.level, gte: true}", "gte", "'lv.level' is numeric; compare it with a number"),
    ("{outcome: lv.level, in: [1, two]}", "in", "'lv.level' is numeric; compare it with a number"),
    ("{outcome: aid.scheme.prime, eq: yes}", "eq", "'True' is not a decision"),
    ("{outcome: aid.decision, in: [eligible, granted]}", "in", "'granted' is not a decision"),
    ("{outcome: lv.decision, gte: eligible}", "gte", "decisions compare with eq, ne, in or not_in"),
    # as_of
    ("{as_of: 2024-06-01}", "as_of", "as_of takes one comparison"),
    ("{as_of: {gte: 2024-06-01, lt: 2025-01-01}}", "as_of", "as_of takes one comparison"),
    ("{as_of: {in: [2024-06-01]}}", "as_of", "as_of takes one comparison"),
    ("{as_of: {gte: demain}}", "as_of/gte", "'demain' is not a date"),
    ("{as_of: {gte: 2024-06-01}, when: 1}", "when", "unexpected key 'when'"),
    ("{fact: work.live_action, as_of: {gte: 2024-06-01}}", "as_of", "unknown test 'as_of'"),
]


@pytest.mark.parametrize(("condition", "where", "message"), ERRORS)
def test_each_mistake_is_refused_where_it_is(condition, where, message):
    error = refused(condition)
    assert error.where == "r.yaml:" + "/".join(["requires", *filter(None, where.split("/"))])
    assert message in error.message


def test_an_evidence_condition_needs_its_criterion():
    """Outside a criterion (a policy scope, a stage, a threshold rule) evidence has nothing to support."""
    error = refused("{evidence: duerp}", criterion_id=None)
    assert error.where == "r.yaml:requires" and "belong in a criterion's `requires` or `applies_if`" in error.message


@pytest.mark.parametrize(
    ("condition", "hint"),
    [
        ("{fact: company.headcunt, gte: 3}", "did you mean 'company.headcount'?"),
        ("{fact: work.nothing_alike_at_all, gte: 3}", "declare it in facts.yaml or the ruleset's facts"),
        ("{criterion: T-011}", "did you mean 'T-01'?"),
        ("{criterion: T-01, status: done}", "one of met, not_met, unknown, not_applicable"),
        ("{outcome: lvl.level, gte: 2}", "did you mean 'lv'?"),
        ("{outcome: lv.stars, gte: 2}", "available: decision, level, project_level"),
        ("{fact: work.type, eq: serie}", "allowed: long_metrage, court_metrage, film_publicitaire"),
        ("{fact: company.headcount, gte: 1, lte: 3}", "combine tests with `all`"),
        ("{outcome: aid.decision, eq: granted}", "one of eligible, not_eligible, undetermined"),
        ("{as_of: {gte: demain}}", "dates are written YYYY-MM-DD"),
    ],
)
def test_errors_say_how_to_fix_them(condition, hint):
    assert hint in refused(condition).hint


@pytest.mark.parametrize(
    "condition",
    [
        "{fact: work.live_action}",
        "{fact: work.type, known: false}",
        "{fact: work.type, in: [long_metrage, court_metrage]}",
        "{fact: work.regions, contains: corse}",
        "{fact: company.headcount, gte: 11}",
        "{fact: work.live_action, eq: false}",
        "{fact: work.title_fr, eq: 'Les Heures claires'}",
        "{fact: budget.total, lt: {fact: company.headcount}}",  # integer and number compare
        "{fact: dates.wrap, lte: {fact: dates.first_shooting_day, plus_days: -3}}",
        "{fact: dates.wrap, gte: {as_of: -30}}",
        "{ratio: [team.women, team.total], gte: 1}",
        "{evidence: duerp, max_age_days: 0, count_gte: 0}",
        "{evidence: duerp, count_gte: {fact: team.total}}",
        "{criterion: T-02, status: not_applicable}",
        "{outcome: lv.level, in: [1, 2.5]}",
        "{outcome: aid.scheme.prime, not_in: [not_eligible, undetermined]}",
        "{outcome: aid.amount, gt: 0}",
        "{as_of: {lt: 2024-06-01}}",
        "{all: [{not: {fact: work.live_action}}, {any: [{fact: work.type, eq: court_metrage}]}]}",
    ],
)
def test_well_formed_conditions_are_accepted(condition):
    parse(yaml.safe_load(condition), env(), ("requires",))


def test_the_loader_points_at_the_line_and_column_of_the_mistake():
    """A block-style condition: the error names the line of the offending key, not of the criterion."""
    requires = "\n".join([
        "",
        "    all:",
        "      - {fact: work.live_action}",
        "      - any:",
        "          - {fact: company.headcount, gte: 3}",
        "          - {fact: dates.wrap, gte: 'mardi'}",
    ])
    text = ruleset_yaml("r", "{kind: obligations}", [criterion("T-01", requires)])
    with pytest.raises(InputError) as info:
        library_of(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "'mardi'" in t)
    column = text.splitlines()[line - 1].index("gte") + 1
    assert info.value.where == f"ruleset0.yaml:{line}:{column}"
    assert "'mardi' is not a date" in info.value.message


def test_the_loader_locates_errors_of_applies_if_too():
    text = ruleset_yaml("r", "{kind: obligations}", [
        criterion("T-01", "{fact: work.live_action}", applies_if="{fact: work.type, in: [serie]}")])
    with pytest.raises(InputError) as info:
        library_of(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "applies_if" in t)
    assert info.value.where.startswith(f"ruleset0.yaml:{line}:")
    assert "'serie' is not one of the values" in info.value.message
