"""The monitor files: every quote citing a seed is verbatim in its cited lines, every monitor serves
criteria, facts and evidence kinds that exist, and a bad monitor file is refused with a located error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from raccord.engine import InputError, load_library
from raccord.engine.conditions import evidence_kinds
from raccord.engine.live.monitors import load_monitor_file, load_monitors

ROOT = Path(__file__).parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
MONITORS = load_monitors()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cited(lines: str) -> list[int]:
    out: list[int] = []
    for part in lines.split(","):
        first, _, last = part.strip().partition("-")
        out += range(int(first), int(last or first) + 1)
    return out


def test_every_kind_is_used_and_every_folder_has_its_monitors():
    assert {m.kind for m in MONITORS.monitors} == {"continuous_work", "span", "rest", "on_event", "response", "allowed_list"}
    assert {m.ruleset for m in MONITORS.monitors} == {"vhss_ccnpc", "aid_schemes", "ccnpc_working_time"}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents sit beside the checkout (/work/shared/seeds)")
@pytest.mark.parametrize("monitor", [m for m in MONITORS.monitors if m.source.get("lines")], ids=lambda m: m.id)
def test_each_quote_is_verbatim_inside_its_cited_lines(monitor):
    seed = MONITORS.source_of(monitor)["seed"]
    text = (SEEDS / seed).read_text(encoding="utf-8").splitlines()
    passage = squeeze(" ".join(text[n - 1] for n in cited(monitor.source["lines"])))
    assert squeeze(monitor.source["quote"]) in passage


def test_served_criteria_derived_facts_and_evidence_kinds_exist():
    library = load_library()
    for monitor in MONITORS.monitors:
        for cid in monitor.serves:
            assert cid in library.criteria, (monitor.id, cid)
        if monitor.derives:
            assert library.catalogue[monitor.derives].type == "boolean"
    for count in MONITORS.counts:  # the journal's counts are integer facts some criterion reads
        assert library.catalogue[count.fact].type == "integer", count.fact
        assert any(count.fact in str(crit.model) for crit in library.criteria.values()), count.fact
        if monitor.evidence:
            for cid in monitor.serves:
                crit = library.criteria[cid]
                kinds = {e.kind for e in crit.model.evidence} | set(evidence_kinds(crit.requires_node))
                assert monitor.evidence in kinds, (monitor.id, cid)


@pytest.mark.parametrize("old, new, expected", [
    ("limit: PT4H30M", "limit: 4h30", "durée '4h30' invalide"),
    ("kind: continuous_work", "kind: timer", "genre de moniteur inconnu 'timer'"),
    ("lead: PT30M\n    severity: high", "lead: PT5H\n    severity: high", "le préavis doit être plus court que la limite"),
    ("severity: high", "severity: urgent", "gravité : high, medium, low"),
    ("alert_when: no_list", "alert_when: absent", "alert_when : not_listed, no_list"),
    ("check: {event: intimacy.start, field: present}\n    alert_when: no_list",
     "check: {event: intimacy.start, field: scene}\n    alert_when: no_list", "son champ qui liste des références"),
    ("{document: ccnpc, section: \"Titre III sous", "{document: cnc, section: \"Titre III sous",
     "source : {document: ID de « sources »"),
], ids=["duration", "kind", "lead", "severity", "alert_when", "list_field", "source"])
def test_a_bad_monitor_file_is_refused_with_a_located_error(tmp_path, old, new, expected):
    text = (ROOT / "rulesets/vhss_ccnpc/monitors.yaml").read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / "vhss_ccnpc"
    folder.mkdir()
    (folder / "monitors.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_monitor_file(folder / "monitors.yaml")
    assert re.match(rf"{re.escape(str(folder / 'monitors.yaml'))}:\d+:\d+$", caught.value.where)
    assert expected in caught.value.render("fr")


def test_the_example_of_the_format_doc_is_a_valid_monitor_file(tmp_path):
    """docs/ruleset-format.md § 9 (tests/test_format_doc.py leaves that section to this test)."""
    from tests.test_format_doc import yaml_blocks

    (block,) = [text for section, _, text in yaml_blocks() if section == 9]
    folder = tmp_path / "vhss_ccnpc"
    folder.mkdir()
    (folder / "monitors.yaml").write_text(block, encoding="utf-8")
    (monitor,), sources = load_monitor_file(folder / "monitors.yaml")
    assert monitor.kind == "continuous_work" and monitor.limit_ms == 4.5 * 3600_000 and monitor.lead_ms == 30 * 60_000
    assert monitor.derives == "vhss.minors.breaks_granted" and "vhss_ccnpc/ccnpc" in sources
