"""A fifth policy, written outside the engine in a temporary folder, evaluates, plans and renders
through every front end without a line changed elsewhere (the policy owns its logic)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from raccord.cli.main import cli
from raccord.engine import Engine
from raccord.engine.loader import bundled_rulesets_dir
from raccord.engine.policies import POLICIES

# A "majority" referential: compliant when more than half of its applicable criteria are met.
POLICY_MODULE = '''
from typing import Any, Literal

from raccord.engine import status as st
from raccord.engine.model import PolicyParams
from raccord.engine.policies import register_policy
from raccord.engine.policies.base import Policy, Target
from raccord.engine.record import record


@record
class MajorityParams(PolicyParams):
    kind: Literal["majority"]
    share: float = 0.5


@register_policy
class MajorityPolicy(Policy):
    kind = "majority"
    Params = MajorityParams

    def outcome_fields(self):
        return {"decision": "decision", "score": "range"}

    def outcome(self, compiled, ctx):
        statuses = [ctx.statuses[c.id] for c in compiled.criteria]
        applicable = [s for s in statuses if s != st.NOT_APPLICABLE]
        met = sum(s == st.MET for s in applicable)
        unknown = sum(s == st.UNKNOWN for s in applicable)
        low, high = met / len(applicable), (met + unknown) / len(applicable)
        share = self.params.share
        decision = st.COMPLIANT if low > share else (st.NOT_COMPLIANT if high <= share else st.UNDETERMINED)
        reasons = [] if decision == st.COMPLIANT else ["majority_not_reached"]
        remaining = [c.id for c in compiled.criteria if ctx.statuses[c.id] in (st.UNKNOWN, st.NOT_MET)]
        return {"decision": decision, "reasons": reasons, "score": (low, high),
                "blocking": remaining if decision != st.COMPLIANT else []}

    @classmethod
    def summary(cls, entry):
        out = super().summary(entry)
        out.append({"kind": "text", "text": {"fr": "Règle de la majorité", "en": "Majority rule"}})
        return out

    def plan(self, planner, compiled, target):
        """The cheapest remaining criteria until more than the share is met (each counts one)."""
        statuses = planner.ctx.statuses
        applicable = [c for c in compiled.criteria if statuses[c.id] != st.NOT_APPLICABLE]
        met = sum(statuses[c.id] == st.MET for c in applicable)
        for crit in sorted(planner.candidates(compiled), key=lambda c: (c.model.effort, c.id)):
            if met / len(applicable) > self.params.share:
                break
            planner.criterion(crit.id)
            met += 1
        if met / len(applicable) <= self.params.share:
            planner.block("majority_unreachable", ruleset=compiled.id)
'''

RULESET = """
id: toy_majority
title: {fr: "Charte de tournage (test)", en: "Shooting charter (test)"}
version: "1"
sources: [{id: charte, title: "Charte fictive de test"}]
groups: [{id: g, title: {fr: Charte, en: Charter}}]
policy: {kind: majority, share: 0.5}
criteria:
  - id: MAJ-01
    title: {fr: "Prises de vues réelles", en: "Live action"}
    group: g
    requires: {fact: work.live_action}
    source: {document: charte, section: "§1"}
    provenance: reconstructed
  - id: MAJ-02
    title: {fr: "Tournage en France", en: "Shot in France"}
    group: g
    requires: {fact: work.mostly_shot_in_france}
    effort: 2
    source: {document: charte, section: "§2"}
    provenance: reconstructed
  - id: MAJ-03
    title: {fr: "Note d'intention", en: "Statement of intent"}
    group: g
    requires: {evidence: note_intention}
    evidence: [{kind: note_intention, description: {fr: "Note d'intention datée", en: "Dated statement"}}]
    effort: 0.5
    source: {document: charte, section: "§3"}
    provenance: reconstructed
"""

DOSSIER = """
format: raccord.dossier/1
production: {id: essai, title: Essai, company: Test SAS}
facts:
  work: {type: court_metrage, live_action: true}
"""


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A policy module and a rulesets folder (the bundled facts plus the toy ruleset) in tmp_path."""
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "toy_majority_policy.py").write_text(textwrap.dedent(POLICY_MODULE), encoding="utf-8")
    rulesets = tmp_path / "rulesets"
    (rulesets / "toy_majority").mkdir(parents=True)
    shutil.copy(bundled_rulesets_dir() / "facts.yaml", rulesets / "facts.yaml")
    (rulesets / "toy_majority" / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    (tmp_path / "dossier.yaml").write_text(DOSSIER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "plugins"))
    monkeypatch.setenv("RACCORD_CACHE_DIR", str(tmp_path / "cache"))
    module = importlib.import_module("toy_majority_policy")
    yield tmp_path
    POLICIES.pop("majority", None)
    sys.modules.pop(module.__name__, None)


def test_a_policy_from_outside_the_engine_evaluates_plans_and_renders(toy):
    engine = Engine.load(toy / "rulesets")
    dossier = engine.dossier(toy / "dossier.yaml")
    evaluation = engine.evaluate(dossier, dt.date(2026, 1, 15))
    outcome = evaluation.outcome("toy_majority")
    assert outcome["decision"] == "undetermined" and outcome["score"] == (1 / 3, 1.0)

    plan = engine.plan(evaluation, "toy_majority")
    # one more criterion makes a majority: the cheaper of the two remaining (effort 0.5 < 2)
    assert plan["items"] == [{**plan["items"][0], "criterion": "MAJ-03"}] and plan["effort"] == 0.5
    assert plan["after"]["reached"] is True and plan["after"]["decision"] == "compliant"

    doc = engine.result(evaluation)
    entry = doc["rulesets"][0]
    assert entry["policy"] == "majority" and entry["outcome"]["decision"] == "undetermined"
    assert [m["criterion"] for m in engine.missing(evaluation)] == ["MAJ-03", "MAJ-02"]


def test_the_cli_renders_it_in_every_format(toy):
    runner = CliRunner()
    base = [str(toy / "dossier.yaml"), "--as-of", "2026-01-15", "--rulesets-dir", str(toy / "rulesets")]
    text = runner.invoke(cli, ["check", *base])
    assert text.exit_code == 0, text.output
    assert "Décision : indéterminé" in text.output and "Score : 33,3\u202f% actuel, 100,0\u202f% au mieux" in text.output
    assert "Règle de la majorité" in text.output
    english = runner.invoke(cli, ["check", *base, "--lang", "en", "--format", "md"])
    assert english.exit_code == 0 and "Majority rule" in english.output
    html = runner.invoke(cli, ["check", *base, "--format", "html"])
    assert html.exit_code == 0 and "Règle de la majorité" in html.output and "33,3" in html.output
    plan = runner.invoke(cli, ["plan", *base, "--target", "toy_majority", "--format", "json"])
    assert plan.exit_code == 0, plan.output
    assert json.loads(plan.output)["after"]["decision"] == "compliant"


def raccord(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raccord", *args], capture_output=True, text=True, timeout=120)


def test_an_unknown_policy_kind_is_a_located_error(tmp_path):
    rulesets = tmp_path / "rulesets"
    (rulesets / "toy_majority").mkdir(parents=True)
    shutil.copy(bundled_rulesets_dir() / "facts.yaml", rulesets / "facts.yaml")
    (rulesets / "toy_majority" / "ruleset.yaml").write_text(RULESET.replace("kind: majority", "kind: majorty"))
    result = raccord("rulesets", "--rulesets-dir", str(rulesets))
    assert result.returncode == 2 and not result.stdout
    assert "ruleset.yaml:7:" in result.stderr and "type de politique inconnu : 'majorty'" in result.stderr
    assert "types possibles : eligibility, levels, obligations, threshold" in result.stderr
    english = raccord("rulesets", "--rulesets-dir", str(rulesets), "--lang", "en")
    assert "ruleset.yaml:7:" in english.stderr and "unknown policy kind 'majorty'" in english.stderr
    assert "kinds: eligibility, levels, obligations, threshold" in english.stderr


def test_a_policy_parameter_error_is_located_in_the_file(tmp_path):
    rulesets = tmp_path / "rulesets"
    (rulesets / "toy_majority").mkdir(parents=True)
    shutil.copy(bundled_rulesets_dir() / "facts.yaml", rulesets / "facts.yaml")
    levels = RULESET.replace("policy: {kind: majority, share: 0.5}", "policy: {kind: levels, levels: [], target: 2}")
    (rulesets / "toy_majority" / "ruleset.yaml").write_text(levels)
    result = raccord("rulesets", "--rulesets-dir", str(rulesets))
    assert result.returncode == 2 and "ruleset.yaml:7:" in result.stderr
    assert "levels : une liste d'au moins 1 élément(s) est attendue (elle en a 0)" in result.stderr  # the key, as written
    english = raccord("rulesets", "--rulesets-dir", str(rulesets), "--lang", "en")
    assert "levels: List should have at least 1 item" in english.stderr


def test_no_policy_kind_is_named_outside_the_policies():
    """The renderers and the engine work from what each policy returns, never from its kind."""
    root = Path(__file__).resolve().parent.parent
    kinds = ("threshold", "levels", "obligations", "eligibility")
    offenders = []
    for path in [*(root / "engine").rglob("*.py"), *(root / "cli").rglob("*.py"), *(root / "cli").rglob("*.j2")]:
        if "policies" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(f'"{k}"' in line or f"'{k}'" in line for k in kinds):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
