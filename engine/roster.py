"""Per-person collections of a dossier (docs/ruleset-format.md §6.1): pseudonymous members, typed fields.

A collection fact (`type: collection` in the catalogue) holds a roster: its members, each an
internal reference (`P-014`, never a name) and the fields the catalogue declares, and whether the
list is `complete` (it names every person concerned). Conditions quantify over it (`every`,
`count`, conditions.py); a roster absent from the dossier is unknown, like any fact.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .errors import Bilingual, InputError
from .model import FactDef
from .source_files import Located
from .suggest import suggested


class Member(dict):
    """One person of a roster: the fields given (absent: unknown), a dict (generated code reads a
    field with one `get`), and the internal reference."""

    __slots__ = ("ref",)

    def __init__(self, ref: str, fields: dict[str, Any]) -> None:
        super().__init__(fields)
        self.ref = ref

    @property
    def fields(self) -> dict[str, Any]:
        return self

    def __repr__(self) -> str:
        return f"Member({self.ref!r}, {dict(self)!r})"


class Roster(NamedTuple):
    members: tuple[Member, ...]
    complete: bool  # the list names every person concerned: a member not listed is not one

    @property
    def refs(self) -> frozenset[str]:
        return frozenset(member.ref for member in self.members)

    def as_data(self) -> dict[str, Any]:
        """The roster as a dossier writes it (dates as ISO strings, sets as sorted lists)."""
        def plain(value: Any) -> Any:
            return value.isoformat() if hasattr(value, "isoformat") else sorted(value) if isinstance(value, frozenset) else value

        return {"complete": self.complete,
                "members": [{"ref": m.ref, **{k: plain(v) for k, v in m.fields.items()}} for m in self.members]}


def coerce_roster(name: str, value: Any, fact: FactDef, located: Located, path: tuple) -> Roster:
    """A dossier's roster checked against its declaration; located errors in French and English."""
    if not isinstance(value, dict) or set(value) - {"complete", "members"} or "members" not in value:
        raise InputError(located.where(path), Bilingual(f"« {name} » : une liste de personnes s'écrit "
                                                        "{complete: true|false, members: [...]}",
                                                        f"'{name}': a list of persons is written "
                                                        "{complete: true|false, members: [...]}"),
                         Bilingual("complete : la liste nomme-t-elle toutes les personnes concernées ?",
                                   "complete: does the list name every person concerned?"))
    complete = value.get("complete")
    if not isinstance(complete, bool):
        raise InputError(located.where(path + ("complete",)),
                         Bilingual(f"« {name} » : `complete` vaut true ou false (obligatoire)",
                                   f"'{name}': `complete` is true or false (required)"),
                         Bilingual("true si la liste nomme toutes les personnes concernées, sinon false",
                                   "true if the list names every person concerned, else false"))
    members = value["members"]
    if not isinstance(members, list):
        raise InputError(located.where(path + ("members",)), Bilingual(f"« {name} » : `members` est une liste de personnes",
                                                                       f"'{name}': `members` is a list of persons"))
    pattern = re.compile(fact.ref_pattern)
    fields = fact.fields or {}
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(members):
        where = path + ("members", i)
        if not isinstance(raw, dict):
            raise InputError(located.where(where), Bilingual(f"« {name} » : chaque membre est une table {{ref: ..., ...}}",
                                                             f"'{name}': each member is a mapping {{ref: ..., ...}}"))
        ref = raw.get("ref")
        if not isinstance(ref, str) or not pattern.fullmatch(ref):
            raise InputError(located.where(where + ("ref",)),
                             Bilingual(f"« {name} » : référence interne « {ref} » invalide",
                                       f"'{name}': invalid internal reference '{ref}'"),
                             Bilingual(f"une référence pseudonyme (motif {fact.ref_pattern}, par exemple P-014), jamais un nom",
                                       f"a pseudonymous reference (pattern {fact.ref_pattern}, e.g. P-014), never a name"))
        if ref in seen:
            raise InputError(located.where(where + ("ref",)),
                             Bilingual(f"« {name} » : la référence « {ref} » figure deux fois",
                                       f"'{name}': reference '{ref}' appears twice"),
                             Bilingual(f"déjà au membre n° {seen[ref] + 1}", f"already at member {seen[ref] + 1}"))
        seen[ref] = i
        values: dict[str, Any] = {}
        for key, item in raw.items():
            if key == "ref":
                continue
            if key not in fields:
                allowed = ", ".join(sorted(fields))
                raise InputError(located.where(where + (key,)),
                                 Bilingual(f"« {name} », membre {ref} : champ « {key} » inconnu",
                                           f"'{name}', member {ref}: unknown field '{key}'"),
                                 suggested(str(key), fields, Bilingual(f"champs admis : {allowed}",
                                                                       f"fields allowed: {allowed}")))
            try:  # its position and label only for a message (a dossier is read without positions: load_dossier)
                coerced = coerce_field(item, fields[key], located.file, _UNLABELLED)
            except InputError:
                label = Bilingual(f"« {name} », membre {ref}, champ « {key} »", f"'{name}', member {ref}, field '{key}'")
                coerced = coerce_field(item, fields[key], located.where(where + (key,)), label)
            if coerced is not None:
                values[key] = coerced
        out.append(Member(ref, values))
    return Roster(tuple(out), complete)


_UNLABELLED = Bilingual("", "")  # a first try's label: an error is made again with the real one


def coerce_field(value: Any, spec: FactDef, where: str, label: Bilingual) -> Any:
    """A member's field value checked against its type (None: unknown)."""
    from .dossier import as_date

    if value is None:
        return None
    kind = spec.type
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in ("integer", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind == "integer" and not float(value).is_integer():
            raise InputError(where, _said(label, f"{value!r} n'est pas un nombre entier", f"{value!r} is not a whole number"))
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            low, high = spec.min, spec.max
            bounds = Bilingual(f"entre {_num(low)} et {_num(high)}", f"between {_num(low)} and {_num(high)}") \
                if low is not None and high is not None else (
                Bilingual(f"au moins {_num(low)}", f"at least {_num(low)}") if low is not None
                else Bilingual(f"au plus {_num(high)}", f"at most {_num(high)}"))
            raise InputError(where, _said(label, f"{value!r} hors des bornes ({bounds.fr})",
                                          f"{value!r} out of bounds ({bounds.en})"))
        return int(value) if kind == "integer" else value
    if kind == "date" and as_date(value) is not None:
        return as_date(value)
    if kind == "enum" and value in (spec.values or []):
        return value
    if kind == "enum":
        allowed = ", ".join(spec.values or [])
        raise InputError(where, _said(label, f"valeur « {value} » inconnue", f"unknown value '{value}'"),
                         suggested(str(value), spec.values or [], Bilingual(f"valeurs admises : {allowed}",
                                                                            f"values allowed: {allowed}")))
    if kind == "set" and isinstance(value, list) and all(v in (spec.values or []) for v in value):
        return frozenset(value)
    if kind == "string" and isinstance(value, str):
        return value
    choices = ", ".join(spec.values or [])
    expected = {"boolean": ("true ou false", "true or false"), "integer": ("un nombre entier", "a whole number"),
                "number": ("un nombre", "a number"), "date": ("une date AAAA-MM-JJ", "a date YYYY-MM-DD"),
                "set": ("une liste parmi " + choices, "a list among " + choices), "string": ("un texte", "a text")}[kind]
    raise InputError(where, _said(label, f"{value!r} n'est pas {expected[0]}", f"{value!r} is not {expected[1]}"))


def _said(label: Bilingual, fr: str, en: str) -> Bilingual:
    return Bilingual(f"{label.fr} : {fr}", f"{label.en}: {en}")


def _num(value: float | None) -> str:
    return f"{value:g}"
