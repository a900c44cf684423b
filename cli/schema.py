"""The dossier JSON Schema: the envelope from pydantic, the facts from the loaded catalogue.

A dossier may write its values the way a French producer does (engine/fact_values.py): `oui` /
`non`, `02/03/2026` or « 2 mars 2026 », `3 200 000` or `3,2 M€`. The schema accepts them too, as
an `anyOf` of the typed value and a text matching the form, so an editor does not flag what
`raccord validate` accepts; the patterns are the shape only (an impossible date such as 31/02/2026,
or a number that reads two ways, is still refused by `validate`, with its place and a hint).
Enum and set values are listed by their identifier only (ile_de_france): the list is what an
editor offers for completion, and the folded spellings raccord also reads (« Île-de-France »,
« long-métrage ») cannot be written as a JSON Schema pattern without listing every accent and
case; the description says so."""

from __future__ import annotations

import re
from typing import Any

from raccord.engine import Library
from raccord.engine.dossier import DossierFile
from raccord.engine.validation import json_schema


def _any_case(word: str) -> str:
    """A word in any case as an ECMA-262 pattern (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


YES_NO = ("oui", "non", "vrai", "faux", "o", "n", "yes", "no", "y", "true", "false")
BOOLEAN_TEXT = "^ *(" + "|".join(_any_case(w) for w in YES_NO) + ") *$"
MONTHS = ("janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout", "septembre",
          "octobre", "novembre", "décembre", "decembre")
DATE_TEXTS = ("^ *[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4} *$",
              "^ *[0-9]{1,2}(er)? (" + "|".join(_any_case(m) for m in MONTHS) + ") [0-9]{4} *$")
SPACE = "[ \u00a0\u202f\u2009']"
NUMBER_TEXT = (f"^ *[+-]?[0-9]+({SPACE}[0-9]{{3}})*([.,][0-9]+)?([eE][+-]?[0-9]+)? *"
               f"(({_any_case('millions')}|{_any_case('million')}|{_any_case('mille')}|[mMkK]) *)?"
               f"(€|{_any_case('euros')}|{_any_case('euro')}|{_any_case('eur')}{{unit}})? *$")
FOLDED = {"fr": " Les mêmes mots avec accents, majuscules ou tirets sont acceptés (« Île-de-France », « long-métrage »)."}


def french_forms(fact, schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or the same text in a French producer's form (anyOf)."""
    if fact.type == "boolean":
        texts = [BOOLEAN_TEXT]
    elif fact.type == "date":
        texts = list(DATE_TEXTS)
    elif fact.type in ("integer", "number"):
        unit = f"|{re.escape(fact.unit)}" if fact.unit else ""
        texts = [NUMBER_TEXT.replace("{unit}", unit)]
    else:
        return schema
    return {"anyOf": [schema, *({"type": "string", "pattern": text} for text in texts)]}


TYPES = {
    "boolean": {"type": ["boolean", "null"]},
    "integer": {"type": ["integer", "null"]},
    "number": {"type": ["number", "null"]},
    "date": {"type": ["string", "null"], "format": "date"},
    "string": {"type": ["string", "null"]},
}


def fact_schema(fact) -> dict[str, Any]:
    if fact.type == "enum":
        schema: dict[str, Any] = {"enum": [*fact.values, None]}
    elif fact.type == "set":
        schema = {"type": ["array", "null"], "items": {"enum": list(fact.values)}, "uniqueItems": True}
    elif fact.type == "collection":  # a roster: {complete, members: [{ref, fields...}]}
        member = {"type": "object", "required": ["ref"], "additionalProperties": False,
                  "properties": {"ref": {"type": "string", "pattern": fact.ref_pattern}}
                  | {name: fact_schema(spec) for name, spec in (fact.fields or {}).items()}}
        schema = {"type": ["object", "null"], "required": ["complete", "members"], "additionalProperties": False,
                  "properties": {"complete": {"type": "boolean"}, "members": {"type": "array", "items": member}}}
    else:
        schema = dict(TYPES[fact.type])
    if fact.min is not None:
        schema["minimum"] = fact.min
    if fact.max is not None:
        schema["maximum"] = fact.max
    schema = french_forms(fact, schema)
    schema["title"] = fact.title.fr
    description = fact.help.fr if fact.help else fact.title.fr
    schema["description"] = description + (f" ({fact.unit})" if fact.unit else "")
    if fact.type in ("enum", "set"):
        schema["description"] += FOLDED["fr"]
    return schema


def dossier_schema(library: Library) -> dict[str, Any]:
    schema = json_schema(DossierFile)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "raccord production dossier"
    facts = {name: fact_schema(fact) for name, fact in sorted(library.catalogue.items())}
    schema["properties"]["facts"] = {
        "type": "object",
        "description": "Production facts, written with dotted names (company.headcount: 12).",
        "properties": facts,
        "additionalProperties": False,
    }
    criteria = sorted(library.criteria)
    for key in ("not_applicable", "declined"):
        schema["properties"][key]["propertyNames"] = {"enum": criteria}
    return schema
