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
    # Two problem items alike in all that evaluation reads change the same criteria: one evaluation
    # each kind of problem, not one per item (6 000 missing files of one kind: 1, not 6 000 of 6 000 items).
    seen: dict[Any, list[Change]] = {}
    for item in dossier.file.evidence:
        if item.id in problems or item.id in expired:
            key = (_alike(item), problems.get(item.id), item.id in expired)
            if key not in seen:
                alone = with_evidence(dossier, [item if e.id == item.id else e for e in clean_items])
                integrity = {item.id: problems[item.id]} if item.id in problems else None
                seen[key] = diff(evaluate(library, alone, as_of, rulesets, integrity=integrity).ctx.statuses)
            by_item[item.id] = seen[key]
    return Attribution(diff(actual), by_item)


def _alike(item: Any) -> tuple:
    """What evaluation reads of an item (not its id, path, digest or notes)."""
    return (item.kind, tuple(item.criteria), item.member, item.collected, item.expires, item.auditor,
            item.path is not None, item.url is not None)
