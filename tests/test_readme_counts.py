"""Each ruleset's README states how many YAML test cases it has (in total and, where it says so,
per file): the count must be the cases `tests/*.yaml` really holds (issue 14: the READMEs
miscounted their own cases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from raccord.engine.testcases import load_cases

RULESETS = Path(__file__).parent.parent / "rulesets"
FOLDERS = sorted(p.parent for p in RULESETS.glob("*/ruleset.yaml"))
TOTAL = re.compile(r"\*{0,2}(\d+) (?:YAML )?cases\*{0,2}")
PER_FILE = re.compile(r"`(?:tests/)?([a-z0-9_]+\.yaml)` \((\d+)(?: cases?)?\)")


def counts(folder: Path) -> dict[str, int]:
    return {path.name: len(load_cases(path)) for path in sorted((folder / "tests").glob("*.yaml"))}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_readme_total_is_the_number_of_yaml_cases(folder):
    readme = (folder / "README.md").read_text(encoding="utf-8")
    stated = {int(n) for n in TOTAL.findall(readme)}
    assert stated, f"{folder.name}/README.md does not say how many YAML cases it has"
    real = sum(counts(folder).values())
    assert max(stated) == real, f"{folder.name}/README.md says {sorted(stated)} cases, tests/*.yaml holds {real}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_readme_per_file_counts(folder):
    readme = (folder / "README.md").read_text(encoding="utf-8")
    real = counts(folder)
    for name, stated in PER_FILE.findall(readme):
        if name in real:
            assert int(stated) == real[name], f"{folder.name}/README.md: {name} has {real[name]} cases, not {stated}"


def test_the_patterns_read_the_readme_styles():
    assert TOTAL.findall("`tests/*.yaml`, **44 cases** (") == ["44"]
    assert TOTAL.findall("- Tests: 88 YAML cases in `tests/*.yaml`") == ["88"]
    assert PER_FILE.findall("- `prime_rse_plus.yaml` (5): animation") == [("prime_rse_plus.yaml", "5")]
