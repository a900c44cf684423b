"""Property-based fuzzing of every input path: the readers, each command on a mutated dossier, a
mutated ruleset. Whatever the input, the result is exit 0, 2, 3, 4 or 5, never an internal error,
and an error is one line, safe to print, located unless the whole file is at fault.

Bounded for CI (about two minutes in all); the long campaign with the same mutators is
bench/fuzz_campaign.py (figures in the README, « Reliability »).
"""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raccord.engine import InputError
from raccord.engine.source_files import parse_json, parse_yaml

from .test_hardening import run_here as run  # in this process: hypothesis runs hundreds

ROOT = Path(__file__).parent.parent
_spec = importlib.util.spec_from_file_location("fuzz_campaign", ROOT / "bench" / "fuzz_campaign.py")
campaign = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_campaign"] = campaign
_spec.loader.exec_module(campaign)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMMANDS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
RULESETS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def assert_safe(error: InputError, file: str) -> None:
    for lang in ("fr", "en"):
        line = error.render(lang)
        assert "\n" not in line and not campaign.UNSAFE.search(line) and len(line) < 1000, line
    assert error.where.startswith(file), error.where


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30)


@FAST
@given(json_values, st.sampled_from([None, 1, 2]), st.booleans())
def test_json_is_read_as_json_loads_reads_it_with_a_position_for_every_value(value, indent, ascii_only):
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    located = parse_json(text, "d.json")
    assert located.data == json.loads(text)
    for path in campaign.paths_of(value):
        assert path in located.positions, path


@FAST
@given(st.text(alphabet=st.sampled_from(list('{}[]":,\\ \n\t0123456789eE.-+truefalsnNaIiy\x00\x1b\u202e')), max_size=60))
def test_any_json_text_is_read_or_refused_with_a_location(text):
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError):
        expected = None
    try:
        located = parse_json(text, "d.json")
    except InputError as error:
        assert_safe(error, "d.json:")  # always a line and column: JSON has no whole-file error
        return
    assert expected is not None or text.strip() == "null"
    assert located.data == expected or (isinstance(expected, float) and math.isnan(expected))


@FAST
@given(st.text(alphabet=st.sampled_from(list("ab: -[]{}&*!?|>'\"#\n \t%@`,\x00\x01\x1b\u202e\ufeffé")), max_size=80))
def test_any_yaml_text_is_read_or_refused_safely(text):
    try:
        parse_yaml(text, "d.yaml")
    except InputError as error:
        assert_safe(error, "d.yaml")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def check_result(result: tuple[int, str, str]) -> None:
    code, _, err = result
    assert code in campaign.ALLOWED, err
    if code == 2:
        tally = campaign.Tally()
        tally.add("run", code, err, 0.0)
        assert (tally.multi_line, tally.unsafe, tally.too_long, sum(tally.unlocated.values())) == (0, 0, 0, 0), err


@COMMANDS
@given(st.integers(min_value=0, max_value=2**32))
def test_each_command_on_a_mutated_dossier(workdir, index):
    _, argv = campaign.dossier_mutant(index, 7, workdir)
    check_result(run(*argv))


@RULESETS
@given(st.integers(min_value=0, max_value=2**32))
def test_a_mutated_ruleset_is_loaded_or_refused_located(workdir, index):
    path, argv = campaign.ruleset_mutant(index, 7, workdir)
    if argv[0] == "validate":  # alone with the fact catalogue: one ruleset to build, not four
        folder = path.parent.parent / "alone"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        shutil.copy(ROOT / "rulesets" / "facts.yaml", folder / "facts.yaml")
        argv = ["validate", str(path), "--rulesets-dir", str(folder)]
    check_result(run(*argv))


def test_a_mutant_is_rebuilt_from_its_seed_and_index(workdir):
    first = campaign.dossier_mutant(3, 1, workdir)[0].read_bytes()
    other = campaign.dossier_mutant(4, 1, workdir)[0].read_bytes()
    assert campaign.dossier_mutant(3, 1, workdir)[0].read_bytes() == first != other


def test_the_harness_holds_warnings_to_the_one_line_rules():
    """A dossier's warnings come before its error (campaign mutant 5356): each a located line, not a
    multi-line error; a warning without a location, or an error on two lines, still counts."""
    def tally(err: str) -> tuple[int, int]:
        counted = campaign.Tally()
        counted.add("run", 2, err, 0.0)
        return counted.multi_line, sum(counted.unlocated.values())

    warning = "raccord : attention : d.yaml:46:5: des enfants de moins de 16 ans sont engagés (règle : CCNPC)\n"
    assert tally(warning + "raccord : erreur : --as-of: « 2025-02-30 » n'est pas une date (conseil : AAAA-MM-JJ)\n") == (0, 0)
    assert tally(warning + "raccord : erreur : d.yaml:3:1: a\nb\n") == (1, 0)
    assert tally("raccord : attention : des enfants\nraccord : erreur : d.yaml:3:1: m\n") == (0, 1)
