"""pydantic validators for the file models, built on first use and kept in the cache between runs.

Building a validator means importing pydantic and generating its schema (about 100 ms). A
`SchemaValidator` pickles as its core schema, which names only our dataclasses, so a cached one
is rebuilt with pydantic-core alone: a dossier is validated exactly as before, without pydantic.
"""

from __future__ import annotations

from typing import Any

from . import cache

_validators: dict[type, Any] = {}


def validator(model: type) -> Any:
    """The pydantic-core validator of a model class (memory, then the cache, then pydantic)."""
    found = _validators.get(model)
    if found is None:
        key = f"validator-{model.__module__}.{model.__qualname__}"
        found = cache.load(key, cache.code_fingerprint())
        if found is None:
            found = build(model)
            cache.store(key, cache.code_fingerprint(), found)
        _validators[model] = found
    return found


def build(model: type) -> Any:
    from pydantic import TypeAdapter
    from pydantic_core import SchemaValidator

    return SchemaValidator(TypeAdapter(model).core_schema)


def json_schema(model: type) -> dict[str, Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(model).json_schema()
