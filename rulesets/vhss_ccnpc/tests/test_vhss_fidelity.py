"""Fidelity checks of the VHSS ruleset that a YAML case cannot express: quotes, strength tags, README counts.

The fidelity audit of December 2026 found tagging and wording defects (F14, F15) and miscounted
test cases in the README; these tests keep them from coming back.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from raccord.engine import load_library

HERE = Path(__file__).parent
RULESET = HERE.parent
SEEDS = RULESET.parent.parent.parent / "shared" / "seeds"  # beside the checkout (README « Sources »)
# Titre III art. 2 and 3 are headed « Préconisations » (seed 004 l. 5987 and l. 6014, up to art. 4 at l. 6071).
PRECONISATIONS = range(5987, 6071)


@cache
def ruleset():
    return load_library(RULESET.parent).rulesets["vhss_ccnpc"].model


def cited_lines(lines: str) -> list[int]:
    out: list[int] = []
    for part in lines.split(","):
        first, _, last = part.strip().partition("-")
        out += range(int(first), int(last or first) + 1)
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cited_text(crit, seed: list[str]) -> str:
    return " ".join(seed[n - 1] for n in cited_lines(crit.source.lines or ""))


@cache
def seed_text() -> list[str]:
    seed = SEEDS / next(s.seed for s in ruleset().sources if s.id == "ccnpc")
    if not seed.exists():
        pytest.skip(f"seed not available: {seed}")
    return seed.read_text(encoding="utf-8").splitlines()


def test_every_quote_is_verbatim_inside_its_cited_lines():
    text = seed_text()
    wrong = []
    for crit in ruleset().criteria:
        src = crit.source
        if src.document != "ccnpc" or not src.quote:
            continue
        assert src.lines, f"{crit.id}: a CCNPC quote needs its lines"
        if squeeze(src.quote) not in squeeze(cited_text(crit, text)):
            wrong.append(crit.id)
    assert wrong == []


def test_mandatory_duties_under_a_preconisations_heading_carry_legal_review():
    """F14: the heading could weaken « doit »; only plain prohibitions are left untagged."""
    untagged = [
        crit.id for crit in ruleset().criteria
        if crit.mandatory and crit.source.lines
        and any(n in PRECONISATIONS for n in cited_lines(crit.source.lines))
        and "legal_review" not in crit.tags and "prohibition" not in (crit.strength_note or "")
    ]
    assert untagged == []


def test_indicative_duties_carry_legal_review():
    """README §4: an M-ind encoding is a reading, to be reviewed."""
    untagged = [c.id for c in ruleset().criteria if (c.strength_note or "").startswith("M-ind") and "legal_review" not in c.tags]
    assert untagged == []


def test_titles_do_not_borrow_wording_absent_from_the_cited_lines():
    """F15: « y compris sur le tournage » is RGA wording; a CCNPC title only says what its lines say."""
    text = seed_text()
    borrowed = [
        crit.id for crit in ruleset().criteria
        if crit.source.document == "ccnpc" and "tournage" in crit.title.fr and "tournage" not in cited_text(crit, text)
    ]
    assert borrowed == []


def test_readme_counts_match_the_ruleset_and_its_cases():
    model = ruleset()
    readme = (RULESET / "README.md").read_text(encoding="utf-8")
    mandatory = sum(1 for c in model.criteria if c.mandatory)
    size = re.search(r"\*\*(\d+) criteria\*\*, \*\*(\d+) mandatory\*\*, \*\*(\d+) recommended\*\*", readme)
    assert size and tuple(map(int, size.groups())) == (len(model.criteria), mandatory, len(model.criteria) - mandatory)
    cases = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in HERE.glob("*.yaml"))
    claimed = {int(n) for n in re.findall(r"(\d+) YAML cases", readme)}
    assert claimed == {cases}, f"README says {sorted(claimed)} cases, tests/*.yaml hold {cases}"
