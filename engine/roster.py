"""Per-person collections of a dossier (docs/ruleset-format.md §6.1): pseudonymous members, typed fields.

A collection fact (`type: collection` in the catalogue) holds a roster: its members, each an
internal reference (`P-014`, never a name) and the fields the catalogue declares, and whether the
list is `complete` (it names every person concerned). Conditions quantify over it (`every`,
`count`, conditions.py); a roster absent from the dossier is unknown, like any fact.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .errors import InputError
from .model import FactDef
from .source_files import Located


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
    """A dossier's roster checked against its declaration; located errors in French."""
    if not isinstance(value, dict) or set(value) - {"complete", "members"} or "members" not in value:
        raise InputError(located.where(path), f"« {name} » : une liste de personnes s'écrit "
                         "{complete: true|false, members: [...]}",
                         "complete : la liste nomme-t-elle toutes les personnes concernées ?")
    complete = value.get("complete")
    if not isinstance(complete, bool):
        raise InputError(located.where(path + ("complete",)), f"« {name} » : `complete` vaut true ou false (obligatoire)",
                         "true si la liste nomme toutes les personnes concernées, sinon false")
    members = value["members"]
    if not isinstance(members, list):
        raise InputError(located.where(path + ("members",)), f"« {name} » : `members` est une liste de personnes")
    pattern = re.compile(fact.ref_pattern)
    fields = fact.fields or {}
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(members):
        where = path + ("members", i)
        if not isinstance(raw, dict):
            raise InputError(located.where(where), f"« {name} » : chaque membre est une table {{ref: ..., ...}}")
        ref = raw.get("ref")
        if not isinstance(ref, str) or not pattern.fullmatch(ref):
            raise InputError(located.where(where + ("ref",)), f"« {name} » : référence interne « {ref} » invalide",
                             f"une référence pseudonyme (motif {fact.ref_pattern}, par exemple P-014), jamais un nom")
        if ref in seen:
            raise InputError(located.where(where + ("ref",)), f"« {name} » : la référence « {ref} » figure deux fois",
                             f"déjà au membre n° {seen[ref] + 1}")
        seen[ref] = i
        values: dict[str, Any] = {}
        for key, item in raw.items():
            if key == "ref":
                continue
            if key not in fields:
                raise InputError(located.where(where + (key,)), f"« {name} », membre {ref} : champ « {key} » inconnu",
                                 _close(str(key), fields, "champs admis : " + ", ".join(sorted(fields))))
            coerced = coerce_field(item, fields[key], located.where(where + (key,)), f"« {name} », membre {ref}, champ « {key} »")
            if coerced is not None:
                values[key] = coerced
        out.append(Member(ref, values))
    return Roster(tuple(out), complete)


def coerce_field(value: Any, spec: FactDef, where: str, label: str) -> Any:
    """A member's field value checked against its type (None: unknown)."""
    from .dossier import as_date

    if value is None:
        return None
    kind = spec.type
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in ("integer", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind == "integer" and not float(value).is_integer():
            raise InputError(where, f"{label} : {value!r} n'est pas un nombre entier")
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            bounds = f"entre {_num(spec.min)} et {_num(spec.max)}" if spec.min is not None and spec.max is not None else (
                f"au moins {_num(spec.min)}" if spec.min is not None else f"au plus {_num(spec.max)}")
            raise InputError(where, f"{label} : {value!r} hors des bornes ({bounds})")
        return int(value) if kind == "integer" else value
    if kind == "date" and as_date(value) is not None:
        return as_date(value)
    if kind == "enum" and value in (spec.values or []):
        return value
    if kind == "enum":
        raise InputError(where, f"{label} : valeur « {value} » inconnue",
                         _close(str(value), spec.values or [], "valeurs admises : " + ", ".join(spec.values or [])))
    if kind == "set" and isinstance(value, list) and all(v in (spec.values or []) for v in value):
        return frozenset(value)
    if kind == "string" and isinstance(value, str):
        return value
    expected = {"boolean": "true ou false", "integer": "un nombre entier", "number": "un nombre", "date": "une date AAAA-MM-JJ",
                "set": "une liste parmi " + ", ".join(spec.values or []), "string": "un texte"}[kind]
    raise InputError(where, f"{label} : {value!r} n'est pas {expected}")


def _close(word: str, known: Any, otherwise: str) -> str:
    import difflib  # only on an error path

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"vouliez-vous dire « {close[0]} » ?" if close else otherwise


def _num(value: float | None) -> str:
    return f"{value:g}"
