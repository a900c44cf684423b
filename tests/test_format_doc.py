"""The YAML examples of docs/ruleset-format.md are what they claim to be, with real names.

Each fenced ```yaml block is checked by the section it belongs to: the fact examples against the
shared catalogue, the ruleset, criterion and policy examples loaded together, every condition
example as a criterion's `requires` beside the bundled rulesets, the dossier example evaluated,
the test-case example loaded from where such a file lives. An example that drifts from the format
or from the bundled names (a renamed fact, a wrong path) fails here.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from raccord.engine import build_dossier, evaluate, load_dossier, load_library
from raccord.engine.loader import build_library, validate_ruleset
from raccord.engine.model import FactCatalogueFile, validate_model
from raccord.engine.source_files import Located, parse_yaml
from raccord.engine.testcases import build_case_dossier, load_cases

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ruleset-format.md"
CHECKED_SECTIONS = {2, 3, 4, 5, 6, 7, 8, 9}  # 9 (monitors): tests/test_live_monitors.py
# what a criterion may carry under each policy (§4: "scoring attributes, by policy")
SCORING = {"threshold": {"points", "mandatory"}, "levels": {"level"}, "obligations": {"mandatory"},
           "eligibility": {"scheme"}}
DAY = dt.date(2025, 10, 15)


def yaml_blocks() -> list[tuple[int, int, str]]:
    """(section number, line of the block, text) for every ```yaml block of the doc."""
    section, blocks, current, start = 0, [], None, 0
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), 1):
        heading = re.match(r"## (\d+)\.", line)
        if heading:
            section = int(heading.group(1))
        if current is None and line.strip() == "```yaml":
            current, start = [], number + 1
        elif current is not None and line.strip() == "```":
            blocks.append((section, start, "\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def block_data(section: int) -> list:
    found = [(line, text) for s, line, text in yaml_blocks() if s == section]
    assert found, f"no yaml example in section {section}"
    return [parse_yaml(text, f"{DOC.name}:{line}").data for line, text in found]


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "rulesets")


def test_every_yaml_block_is_checked_here():
    sections = {section for section, _, _ in yaml_blocks()}
    assert sections <= CHECKED_SECTIONS, f"yaml examples in section(s) {sections - CHECKED_SECTIONS}: add a check"
    for _, line, text in yaml_blocks():
        assert parse_yaml(text, f"{DOC.name}:{line}").data, f"empty example at line {line}"


def test_fact_examples_are_facts_of_the_catalogue(library):
    (data,) = block_data(2)
    facts = validate_model(FactCatalogueFile, Located(data, DOC.name)).facts
    for name, fact in facts.items():
        assert name in library.catalogue, f"the doc shows fact '{name}', which no catalogue declares"
        real = library.catalogue[name]
        assert fact.type == real.type, name
        shown = set(fact.values or []) - {"..."}
        assert shown <= set(real.values or []), f"{name}: {sorted(shown - set(real.values or []))} are not values"
        for attribute in ("min", "max", "unit"):
            if getattr(fact, attribute) is not None:
                assert getattr(fact, attribute) == getattr(real, attribute), f"{name}.{attribute}"
        if fact.title.fr != "...":
            assert (fact.title.fr, fact.title.en) == (real.title.fr, real.title.en), name


def assembled(policy: dict) -> dict:
    """The §3 ruleset with the §4 criterion and a §5 policy; the criterion keeps the scoring
    attributes that policy reads, the `totals` (illustrative numbers) are left out."""
    (ruleset,) = copy.deepcopy(block_data(3))
    (criteria,) = copy.deepcopy(block_data(4))
    kind = policy["kind"]
    crit = {k: v for k, v in criteria[0].items() if k not in set().union(*SCORING.values()) or k in SCORING[kind]}
    ruleset.update(policy=policy, criteria=[crit])
    ruleset.pop("totals")
    return ruleset


@pytest.mark.parametrize("kind", sorted(SCORING))
def test_the_ruleset_criterion_and_policy_examples_load_together(kind, library):
    policies = {data["policy"]["kind"]: data["policy"] for data in block_data(5)}
    assert set(policies) == set(SCORING), "one example per policy kind"
    data = assembled(policies[kind])
    located = Located(data, DOC.name)
    loaded = build_library(library.catalogue, [(located, validate_ruleset(located), None)])
    (rs,) = loaded.rulesets.values()
    assert [c.id for c in rs.criteria] == [data["criteria"][0]["id"]]
    dossier = build_dossier(Located({"format": "raccord.dossier/1", "production": {"id": "doc", "title": "Doc"}},
                                    "d.yaml"), loaded.catalogue, None)
    evaluation = evaluate(loaded, dossier, DAY)
    assert evaluation.status(rs.criteria[0].id) == "unknown"  # nothing given: its live action is unknown
    assert rs.id in evaluation.ctx.outcomes


def test_the_totals_example_is_valid_and_checked(library):
    (ruleset,) = block_data(3)
    assert set(ruleset["totals"]) == {"criteria", "points", "groups"}
    data = assembled({"kind": "obligations"})
    data["totals"] = {"criteria": 2}
    located = Located(data, DOC.name)
    with pytest.raises(Exception, match="totals say 2 criteria, the file has 1"):
        build_library(library.catalogue, [(located, validate_ruleset(located), None)])


def test_the_seed_files_named_exist():
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("no shared/seeds beside this checkout")
    (ruleset,) = block_data(3)
    for source in ruleset["sources"]:
        if source.get("seed"):
            assert (seeds / source["seed"]).is_file(), source["seed"]


def test_every_condition_example_loads_and_evaluates(tmp_path):
    conditions = block_data(6)[0]  # §6.1 follows with the roster example
    kinds = sorted(set(re.findall(r"'(?:member_)?evidence': '([a-z0-9_]+)'", str(conditions))))
    evidence = [{"kind": kind, "description": {"fr": kind, "en": kind}} for kind in kinds]
    criteria = [{"id": f"DOC-{i:02d}", "title": {"fr": "exemple", "en": "example"}, "group": "g", "requires": condition,
                 "mandatory": True, "evidence": evidence, "source": {"document": "doc", "section": "§6"},
                 "provenance": "reconstructed"} for i, condition in enumerate(conditions, 1)]
    ruleset = {"id": "doc_conditions", "title": {"fr": "Doc", "en": "Doc"}, "version": "1",
               "sources": [{"id": "doc", "title": "ruleset-format.md"}], "groups": [{"id": "g", "title": {"fr": "g", "en": "g"}}],
               "policy": {"kind": "obligations"}, "criteria": criteria}
    path = tmp_path / "doc_conditions.yaml"
    path.write_text(yaml.safe_dump(ruleset, allow_unicode=True), encoding="utf-8")
    library = load_library(ROOT / "rulesets", [path])
    dossier = load_dossier(ROOT / "examples" / "long_metrage" / "dossier.yaml", library.catalogue)
    evaluation = evaluate(library, dossier, DAY, ["doc_conditions"])
    statuses = {c["id"]: evaluation.status(c["id"]) for c in criteria}
    assert set(statuses.values()) <= {"met", "not_met", "unknown"}


def test_the_dossier_example_is_a_valid_dossier(library):
    (data,) = block_data(7)
    dossier = build_dossier(Located(data, DOC.name), library.catalogue, None)
    assert dossier.facts["work.type"] == "long_metrage" and dossier.facts["company.headcount"] == 12
    evaluation = evaluate(library, dossier, DAY)  # the criteria it names exist
    assert evaluation.status("ECO-DEC-01") == "not_applicable"
    item = dossier.file.evidence[0]
    expecting = [c for c in library.criteria.values() if any(e.kind == item.kind for e in c.model.evidence)]
    assert all(cid in {c.id for c in expecting} for cid in item.criteria), "the evidence supports a criterion expecting it"


def test_the_test_case_example_is_a_case_of_a_bundled_ruleset(library, tmp_path):
    (cases,) = block_data(8)
    for case_data in cases:
        rid = next(library.criteria[cid].ruleset for cid in case_data["expect"]["statuses"])
        here = tmp_path / "rulesets" / rid / "tests"
        here.mkdir(parents=True)
        (tmp_path / "examples").symlink_to(ROOT / "examples")
        path = here / "doc.yaml"
        path.write_text(yaml.safe_dump([case_data], allow_unicode=True), encoding="utf-8")
        (case,) = load_cases(path)
        assert (ROOT / "rulesets" / rid / "tests" / case.base).resolve().is_file(), f"base: {case.base}"
        selected = [rid, *case.rulesets]
        assert all(r in library.rulesets for r in selected)
        dossier = build_case_dossier(case, library, here, selected, case.name)
        evaluation = evaluate(library, dossier, case.as_of, selected, assume=case.assume or None)
        own = {c.id for c in library.rulesets[rid].criteria}
        named = [*case.expect.statuses, *case.expect.reasons, *(case.expect.missing or []), *(case.expect.due_now or []),
                 *case.assume]
        assert set(named) <= own, f"not criteria of {rid}: {sorted(set(named) - own)}"
        assert case.expect.stage in [s.model.id for s in library.rulesets[rid].stages]
        for key in case.expect.outcome:
            assert key in evaluation.outcome(rid), f"{rid} has no outcome field '{key}'"
        for other, fields in case.expect.outcomes.items():
            assert set(fields) <= set(evaluation.outcome(other)), other
        kinds = {e.kind for c in library.criteria.values() for e in c.model.evidence}
        assert {e["kind"] for e in case.evidence} | set(case.drop_evidence) <= kinds


def test_the_roster_example_is_the_catalogue_declaration_and_a_valid_dossier(library):
    """§6.1: the declaration shown is the catalogue's (type, reference pattern, fields), and the
    dossier part is a valid dossier whose roster and member evidence are read as the text says."""
    (_, roster) = block_data(6)
    for name, shown in roster["facts"].items():
        real = library.catalogue[name]
        assert (shown["type"], shown["ref_pattern"]) == (real.type, real.ref_pattern), name
        assert set(shown["fields"]) <= set(real.fields), name
        for field_name, spec in shown["fields"].items():
            assert spec["type"] == real.fields[field_name].type, field_name
    data = {"format": "raccord.dossier/1", "production": {"id": "doc", "title": "Doc"}, **roster["dossier"]}
    dossier = build_dossier(Located(data, DOC.name), library.catalogue, None)
    children = dossier.facts["roster.children"]
    assert children.complete and [m.ref for m in children.members] == ["E-01", "E-02"]
    assert "hiring_date" not in children.members[1].fields  # not given: unknown
    assert dossier.file.evidence[0].member == "E-01"
