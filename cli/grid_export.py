"""Ruleset -> spreadsheet grid, in the import format of its grid description (importing the export
back gives the same criteria; tested). The applicability keywords written are the grid
description's own, reversed: the first keyword listed for each fact."""

from __future__ import annotations

from typing import Any

import yaml

from raccord.engine import Library

from .grid_spec import GridFormat
from .spreadsheet import cell_number


def ruleset_grid_rows(library: Library, grid: GridFormat) -> list[list[Any]]:
    """The grid's ruleset in `library` as grid rows (header first), one column per grid column."""
    model = library.rulesets[grid.ruleset].model
    groups = {g.id: g for g in model.groups}
    columns = list(grid.file.columns)
    rows: list[list[Any]] = [[grid.label(name) for name in columns]]
    for crit in model.criteria:
        kinds = [e.kind for e in crit.evidence]
        default_requires = {"evidence": kinds[0]} if len(kinds) == 1 else {"all": [{"evidence": k} for k in kinds]}
        descriptions = list(dict.fromkeys(e.description.fr for e in crit.evidence))
        applies = ""
        if crit.applies_if is not None:
            fact = crit.applies_if.get("fact") if set(crit.applies_if) == {"fact"} else None
            applies = (grid.applies_keyword(fact) or fact) if fact else _flow(crit.applies_if)
        values = {
            "group": groups[crit.group].title.fr,
            "id": crit.id,
            "title": crit.title.fr,
            "title_en": crit.title.en,
            "points": cell_number(crit.points),
            "level": crit.level,
            "mandatory": "oui" if crit.mandatory else "non",
            "evidence": " / ".join(descriptions),
            "evidence_kind": "; ".join(f"{e.kind} ({e.stage})" if e.stage else e.kind for e in crit.evidence),
            "requires": "" if crit.requires == default_requires else _flow(crit.requires),
            "applies_if": applies,
            "stage": crit.stage or "",
            "effort": crit.effort,
            "provenance": crit.provenance,
        }
        rows.append([values[name] for name in columns])
    return rows


def column_widths(grid: GridFormat) -> dict[int, int]:
    """1-based column -> export width."""
    return {i: col.width for i, col in enumerate(grid.file.columns.values(), start=1)}


def _flow(condition: dict[str, Any]) -> str:
    return yaml.safe_dump(condition, default_flow_style=True, allow_unicode=True, width=10_000).strip()
