"""The dossier JSON Schema: the envelope from pydantic, the facts from the loaded catalogue."""

from __future__ import annotations

from typing import Any

from raccord.engine import Library
from raccord.engine.dossier import DossierFile
from raccord.engine.validation import json_schema

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
    schema["title"] = fact.title.fr
    description = fact.help.fr if fact.help else fact.title.fr
    schema["description"] = description + (f" ({fact.unit})" if fact.unit else "")
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
