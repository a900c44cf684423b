"""Which criteria each evidence problem changes: counterfactual attribution for `raccord verify`.

A problem (a file missing, modified or outside the dossier; an item past its expiry date) is
measured against a "clean" dossier where every file is intact and nothing has expired: the dossier
is evaluated with that one problem alone, and the criteria whose status differs from the clean
evaluation are the ones it changes. The file checks themselves are I/O and stay with the caller.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from .dossier import Dossier
from .evaluate import check_references, evaluate
from .record import Record, record

Change = dict[str, str]  # {"criterion", "before", "after"}


@record(positional=True)
class Attribution(Record):
    overall: list[Change]  # every criterion the problems change together
    by_item: dict[str, list[Change]]  # per problem item, what it changes alone


def with_evidence(dossier: Dossier, items: list) -> Dossier:
    """The same dossier with another evidence register (and no evaluation state carried over)."""
    changes: dict[str, Any] = {"file": dataclasses.replace(dossier.file, evidence=items)}
    if any(f.name == "prepared" for f in dataclasses.fields(dossier)):
        changes["prepared"] = {}  # the engine caches per-dossier indexes: a variant must not share them
    return dataclasses.replace(dossier, **changes)


def attribute_problems(library, dossier: Dossier, as_of: dt.date, problems: dict[str, str], expired: set[str],
                       rulesets: list[str] | None = None) -> Attribution:
    """`problems`: item id -> integrity state; `expired`: ids of items past their expiry date."""
    check_references(library, dossier)
    clean_items = [dataclasses.replace(item, expires=None) if item.id in expired else item
                   for item in dossier.file.evidence]
    clean = evaluate(library, with_evidence(dossier, clean_items), as_of, rulesets).ctx.statuses
    actual = evaluate(library, dossier, as_of, rulesets, integrity=problems).ctx.statuses

    def diff(after: dict[str, str]) -> list[Change]:
        return [{"criterion": cid, "before": clean[cid], "after": after[cid]}
                for cid in clean if after.get(cid) != clean[cid]]

    by_item: dict[str, list[Change]] = {}
    for item in dossier.file.evidence:
        if item.id in problems or item.id in expired:
            alone = with_evidence(dossier, [item if e.id == item.id else e for e in clean_items])
            integrity = {item.id: problems[item.id]} if item.id in problems else None
            by_item[item.id] = diff(evaluate(library, alone, as_of, rulesets, integrity=integrity).ctx.statuses)
    return Attribution(diff(actual), by_item)
