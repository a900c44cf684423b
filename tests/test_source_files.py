"""The reader's limits and what a loaded dossier keeps of its file: not its data nor its positions
(most of its memory), yet errors raised after loading are located exactly as before."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
import yaml

from raccord.engine import InputError, build_dossier, load_dossier, load_library
from raccord.engine import source_files as sf
from raccord.engine.evaluate import check_references
from raccord.engine.source_files import load_document, parse_json, parse_yaml

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "long_metrage" / "dossier.yaml"
HEAD = "format: raccord.dossier/1\nproduction: {id: essai, title: Essai}\n"
LIBRARY = load_library()
UNKNOWN = HEAD + "facts:\n  work.type: serie\nevidence:\n  - {id: E1, kind: devis, criteria: [ECO-PROD-01, ECO-NOPE-9]}\n"
JSON = ('{"format": "raccord.dossier/1", "production": {"id": "essai", "title": "Essai"},\n'
        ' "evidence": [{"id": "E1", "kind": "devis",\n  "criteria": ["ECO-PROD-01", "ECO-NOPE-9"]}]}')


def position(text: str, needle: str) -> str:
    """`line:col` of `needle` in `text`, counted by hand."""
    before = text[:text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def unknown_criterion_error(dossier) -> str:
    with pytest.raises(InputError) as caught:
        check_references(LIBRARY, dossier)
    return caught.value.render("en")


def test_a_loaded_dossier_keeps_neither_the_raw_document_nor_its_positions():
    dossier = load_dossier(EXAMPLE, LIBRARY.catalogue)
    assert dossier.located.data is None and dossier.located.positions is None
    assert dossier.file.facts is dossier.facts  # the nested facts as written are not kept beside the typed ones


def test_an_error_after_loading_is_located_from_the_file(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(UNKNOWN, encoding="utf-8")
    full = load_document(path)
    expected = full.where(("evidence", 0, "criteria", 1))
    assert expected == f"{path}:{position(UNKNOWN, 'ECO-NOPE-9')}"
    dossier = build_dossier(full, LIBRARY.catalogue, path)
    assert unknown_criterion_error(dossier).startswith(f"{expected}: unknown criterion 'ECO-NOPE-9'")


def test_a_file_changed_since_loading_gives_no_wrong_position(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(UNKNOWN, encoding="utf-8")
    dossier = load_dossier(path, LIBRARY.catalogue)
    path.write_text("# a comment shifts every line\n" + UNKNOWN, encoding="utf-8")
    assert unknown_criterion_error(dossier).startswith(f"{path}: unknown criterion")


@pytest.mark.parametrize("parse", [parse_yaml, parse_json])
def test_a_document_parsed_from_text_is_located_from_that_text(parse):
    text = UNKNOWN if parse is parse_yaml else JSON
    dossier = build_dossier(parse(text, "memoire.txt"), LIBRARY.catalogue, None)
    where = f"memoire.txt:{position(text, 'ECO-NOPE-9' if parse is parse_yaml else chr(34) + 'ECO-NOPE-9')}"
    assert unknown_criterion_error(dossier).startswith(f"{where}: unknown criterion 'ECO-NOPE-9'")


def test_loading_a_dossier_leaves_no_reference_cycle():
    """Garbage in a cycle waits for the cyclic collector: with it paused (as the executable has it)
    every parsed document would stay in memory."""
    load_dossier(EXAMPLE, LIBRARY.catalogue)
    gc.collect()
    gc.disable()
    try:
        load_dossier(EXAMPLE, LIBRARY.catalogue)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_dossiers_share_the_rulesets_vocabulary(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(EXAMPLE.parent, copy)
    one, two = load_dossier(EXAMPLE, LIBRARY.catalogue), load_dossier(copy / "dossier.yaml", LIBRARY.catalogue)
    first, second = one.file.evidence[0], two.file.evidence[0]
    assert first.kind is second.kind and first.auditor is second.auditor and first.collected is second.collected
    assert next(iter(one.facts)) is next(iter(two.facts))
    assert one.facts["dates.first_shooting_day"] is two.facts["dates.first_shooting_day"]
    assert first.criteria == [] and first.criteria is second.criteria
    with pytest.raises(TypeError):
        first.criteria.append("ECO-PROD-01")  # shared, so it refuses to change
    assert first.sha256 == second.sha256 and first.sha256 is not second.sha256  # the dossiers' own data is their own


def test_an_honest_document_may_have_more_values_than_an_alias_bomb(monkeypatch):
    many = "a: [" + ",".join(["1"] * 30_000) + "]\n"  # more values than the alias allowance, each written out
    assert len(parse_yaml(many, "x.yaml").data["a"]) == 30_000
    monkeypatch.setattr(sf, "MAX_VALUES", 1000)
    with pytest.raises(InputError) as caught:
        parse_yaml(many, "x.yaml")
    assert "more than 1000 values (the limit)" in caught.value.render("en") and "several rulesets" in caught.value.render("en")
    assert "alias" not in caught.value.render("en")


def test_aliases_may_repeat_values_within_the_allowance():
    text = "a: &a [1, 2, 3]\nb: [" + ", ".join(["*a"] * 2000) + "]\n"  # 6 000 values from 8 000 characters
    assert len(parse_yaml(text, "x.yaml").data["b"]) == 2000
    bomb = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [" + ", ".join(["*a"] * 100) + "]\nc: [" \
        + ", ".join(["*b"] * 100) + "]\n"
    with pytest.raises(InputError, match="alias bomb"):
        parse_yaml(bomb, "x.yaml")


def test_equal_values_of_one_document_share_one_object():
    data = parse_yaml("a: [Régie Films, Régie Films, 2025-03-01, 2025-03-01]\n", "x.yaml").data["a"]
    assert data[0] is data[1] and data[2] is data[3]


def test_scalars_resolve_as_pyyamls_safe_loader_does():
    """source_files.SafeLoader resolves plain scalars itself: the same values as PyYAML's own loader."""
    text = ("a: 1\nb: -2.5e3\nc: .inf\nd: ~\ne: ''\nf: yes\ng: No\nh: 0x1F\ni: 1_000\nj: 2025-10-15\n"
            "k: 2025-10-15T10:00:00Z\nl: '12'\nm: \"true\"\nn: !!str 3\no: [null, Null, +1, 0o17, <<x]\n"
            "p: {q: 1:20, r: -.5, s: .NaN}\nt:\nu: 'x: y'\nv: 0b101\nw: 190:20:30\n")
    got = parse_yaml(text, "t.yaml").data
    want = yaml.load(text, Loader=yaml.SafeLoader)
    assert repr(got) == repr(want)  # repr: nan != nan
    assert type(got["a"]) is int and got["f"] is True and got["l"] == "12" and got["n"] == "3"
    for path in [ROOT / "examples" / "long_metrage" / "dossier.yaml", ROOT / "rulesets" / "facts.yaml"]:
        text = path.read_text(encoding="utf-8")
        assert parse_yaml(text, str(path)).data == yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# Documents the reader without positions hands back to the composing builder (aliases, tags, merge
# or duplicate keys, limits, bad values, syntax errors, several documents), and plain ones it reads.
FALLBACK_CASES = ["a: &x 1\nb: *x\n", "a: !!str 3\n", "a: ! 4\n", "<<: {b: 1}\n", "a: 1\na: 2\n", "? [1, 2]\n: x\n",
                  "~: 1\n", "a: !!binary '*'\n", "a: [1, 2\n", "a: 1\n--- \nb: 2\n", "x: " + "[" * 120 + "]" * 120 + "\n",
                  "a: 2025-13-45\n", "1.5: x\n", "a: \x07\n"]
PLAIN_CASES = ["", "# nothing\n", "---\n", "a: 1\nb: [x, {c: yes, d: ~}]\ne: 2025-10-15\n", "- 1\n- [2, [3, []]]\n- {}\n",
               "True: 1\n5: 2\n", "a: |\n  texte\n  long\nb: >\n  plié\n", "'a': \"b\"\n"]


@pytest.mark.parametrize("text", PLAIN_CASES + FALLBACK_CASES)
def test_reading_without_positions_gives_the_same_data_or_the_same_error(text):
    """`positions=False` reads plain documents off libyaml's events; any other goes back to the
    composing builder: the same values (same types, same key order) or the same located error."""
    def read(positions):
        try:
            return parse_yaml(text, "t.yaml", positions).data
        except InputError as exc:
            return exc.render("fr")
    with_positions, without = read(True), read(False)
    assert repr(without) == repr(with_positions)
    if text in PLAIN_CASES:
        assert sf._plain_data(text) == with_positions
    else:
        with pytest.raises(sf._NeedsBuilderError):
            sf._plain_data(text)


def test_reading_without_positions_reads_the_bundled_files_alike():
    audits = sorted((ROOT / "examples").glob("*/dossier.audit.yaml"))
    for path in [EXAMPLE, *audits, *sorted((ROOT / "rulesets").rglob("*.yaml"))]:
        text = path.read_text(encoding="utf-8")
        fast, full = parse_yaml(text, str(path), positions=False), parse_yaml(text, str(path))
        assert fast.positions is None or path != EXAMPLE  # some ruleset files use aliases: composed
        assert repr(fast.data) == repr(full.data)
        assert [list(d) for d in _mappings(fast.data)] == [list(d) for d in _mappings(full.data)]  # key order too
        assert fast.where(("evidence", 0)) == full.where(("evidence", 0))  # positions found again when asked


def _mappings(value):
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _mappings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mappings(item)


def test_a_bad_fact_value_is_located_in_a_dossier_read_without_positions(tmp_path):
    """Facts are checked without their positions (the dossier is read without them); a bad value
    is still located where it is written, in the dossier and in a roster member."""
    path = tmp_path / "d.yaml"
    for text, needle, fact in [
            (HEAD + "facts:\n  work.budget: beaucoup\n", "work.budget", "fait « work.budget »"),  # at its name
            (HEAD + "facts:\n  roster.children:\n    complete: true\n    members:\n    - {ref: E-01, age: douze}\n", "age",
             "« roster.children », membre E-01, champ « age »")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_dossier(path, LIBRARY.catalogue)
        assert caught.value.render("fr").startswith(f"{path}:{position(text, needle)}: {fact}")
