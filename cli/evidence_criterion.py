"""`raccord evidence list --criterion X`: the items the evaluation looks at for X, each with why.

The engine matches an item to a criterion by its kind, not only by the criteria it names: an item
naming no criterion backs every criterion whose conditions read its kind (engine/evaluate.py
`_evidence_index`), an item naming criteria backs only those; a condition read person by person
(`member_evidence`) counts only the items naming a person of the list (engine/conditions.py
MemberEvidenceTest); a condition under a list's `otherwise:` is read only when the dossier gives no
such list (Quantifier.subtraces). Kinds a criterion lists as expected (`evidence:`) without any condition reading
them are what to provide, but change no status: listed, said so."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from raccord.engine import InputError, Library
from raccord.engine.conditions import EvidenceTest, MemberEvidenceTest, Node, Not, Quantifier
from raccord.engine.errors import Bilingual
from raccord.engine.suggest import suggested

from .i18n import words

COUNTED = ("named", "kind", "member")  # the reasons an item counts for the criterion

WHY = {
    "named": {"fr": "compte pour {criterion} : le nomme, et ses conditions lisent la nature {kind}",
              "en": "counts for {criterion}: names it, and its conditions read kind {kind}"},
    "kind": {"fr": "compte pour {criterion} : ne nomme aucun critère, elle vaut donc pour chaque critère dont les "
                   "conditions lisent la nature {kind}",
             "en": "counts for {criterion}: names no criterion, so it backs every criterion whose conditions read "
                   "kind {kind}"},
    "member": {"fr": "compte pour {criterion} : pièce de la personne {member}, lue personne par personne",
               "en": "counts for {criterion}: evidence of person {member}, read person by person"},
    "fallback": {"fr": "ne compte pas pour {criterion} : la nature {kind} n'y est lue qu'en l'absence de la liste "
                       "{collection} (otherwise:), que le dossier donne",
                 "en": "does not count for {criterion}: kind {kind} is read there only when the dossier gives no list "
                       "{collection} (otherwise:), and it gives one"},
    "not_listed": {"fr": "ne compte pas pour {criterion} : pièce de la personne {member}, qui n'est pas dans la liste "
                         "lue personne par personne",
                   "en": "does not count for {criterion}: evidence of person {member}, who is not in the list read "
                         "person by person"},
    "no_person": {"fr": "ne compte pas pour {criterion} : la nature {kind} y est lue personne par personne et la pièce "
                        "ne nomme aucune personne (member:)",
                  "en": "does not count for {criterion}: kind {kind} is read person by person there and the item "
                        "names no person (member:)"},
    "expected_only": {"fr": "ne change pas le statut de {criterion} : nature attendue (evidence:) qu'aucune de ses "
                            "conditions ne lit",
                      "en": "does not change {criterion}'s status: an expected kind (evidence:) none of its conditions "
                            "reads"},
    "not_expected": {"fr": "ne compte pas pour {criterion} : le nomme, mais {criterion} n'attend aucune pièce de nature "
                           "{kind}",
                     "en": "does not count for {criterion}: names it, but {criterion} expects no piece of kind {kind}"},
}
why_text = words(WHY)


@dataclass(frozen=True)
class KindsRead:
    """The kinds one criterion's conditions read, over the whole dossier or person by person, and the
    kinds it lists as expected."""

    dossier: dict[str, str | None]  # kind -> None (always read) or the list only whose absence has it read
    member: dict[str, frozenset[str]]  # kind -> the lists whose persons it is read for
    declared: frozenset[str]


def _tests(node: Node, fallback: str | None = None, over: str | None = None) -> Iterator[tuple[Node, str | None, str | None]]:
    """The evidence tests under `node`, each with the list whose absence it is read in (`otherwise:`)
    and the list whose members it is read for (`every` / `count`)."""
    if isinstance(node, (EvidenceTest, MemberEvidenceTest)):
        yield node, fallback, over
    elif isinstance(node, Quantifier):
        for child in (node.where, getattr(node, "satisfies", None)):
            if child is not None:
                yield from _tests(child, fallback, node.collection)
        if node.otherwise is not None:
            yield from _tests(node.otherwise, fallback or node.collection, over)
    else:
        for child in getattr(node, "children", None) or ((node.child,) if isinstance(node, Not) else ()):
            yield from _tests(child, fallback, over)


def kinds_read(library: Library, cid: str) -> KindsRead:
    if cid not in library.criteria:
        raise InputError("--criterion", Bilingual(f"critère inconnu : « {cid} »", f"unknown criterion '{cid}'"),
                         suggested(cid, library.criteria, Bilingual("`raccord rulesets show ID` liste les critères",
                                                                    "`raccord rulesets show ID` lists the criteria")))
    crit = library.criteria[cid]
    dossier: dict[str, str | None] = {}
    member: dict[str, frozenset[str]] = {}
    for root in (crit.applies_node, crit.requires_node):
        for node, fallback, over in _tests(root) if root is not None else ():
            if isinstance(node, MemberEvidenceTest):
                member[node.kind] = member.get(node.kind, frozenset()) | {over}
            elif node.kind not in dossier or fallback is None:
                dossier[node.kind] = fallback
    return KindsRead(dossier, member, frozenset(e.kind for e in crit.model.evidence))


def why_listed(item: dict[str, Any], cid: str, read: KindsRead, facts: Mapping[str, Any]) -> str | None:
    """Why the register item (as list_items gives it) is listed for `cid`; None: it has nothing to do with it.
    `facts`: the dossier's (a list's `otherwise:` is read only without the list, a person's piece only
    for a person of the list)."""
    named, kind = item.get("criteria", []), item["kind"]
    if named and cid not in named:
        return None  # an item naming criteria backs those only
    if kind in read.dossier and read.dossier[kind] not in facts:
        return "named" if named else "kind"
    if kind in read.member and item.get("member"):
        listed = any(item["member"] in getattr(facts.get(c), "refs", ()) for c in read.member[kind])
        return "member" if listed else "not_listed"
    if kind in read.dossier:
        return "fallback"
    if kind in read.member:
        return "no_person"
    if kind in read.declared:
        return "expected_only"
    return "not_expected" if named else None


def for_criterion(library: Library, items: list[dict[str, Any]], cid: str, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The items listed for `cid`, each with `listed_for` {criterion, why, counts} (and `collection`
    for `fallback`: the list whose absence would have it read)."""
    read = kinds_read(library, cid)
    out = []
    for item in items:
        why = why_listed(item, cid, read, facts)
        if why is not None:
            listed = {"criterion": cid, "why": why, "counts": why in COUNTED}
            if why == "fallback":
                listed["collection"] = read.dossier[item["kind"]]  # the list whose absence would have it read
            out.append({**item, "listed_for": listed})
    return out


def reason_line(item: dict[str, Any], lang: str) -> str:
    listed = item["listed_for"]
    return why_text(listed["why"], lang, criterion=listed["criterion"], kind=item["kind"], member=item.get("member", "?"),
                    collection=listed.get("collection", "?"))
