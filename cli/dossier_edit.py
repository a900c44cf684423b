"""Setting facts in a dossier file without losing its comments and layout (round-trip YAML), for
`raccord interview`. The text is checked by loading it before it is written, atomically."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from raccord.engine import InputError
from raccord.engine.errors import Bilingual


def _yaml(text: str) -> YAML:
    """A round-trip reader and writer (comments, key order, quotes, flow styles kept) with the
    file's own indentation: a file read and written again unchanged is the same bytes."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, dash = load_yaml_guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=indent or 2, sequence=(indent or 2) + (dash or 0), offset=dash or 0)
    yaml.representer.add_representer(type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def _plain(value: Any) -> Any:
    """A typed fact value as YAML writes it: dates as dates, sets as sorted flow lists."""
    if isinstance(value, frozenset):
        seq = CommentedSeq(sorted(value))
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, dt.date) or value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot write {value!r} as a fact value")


def _find(mapping: Any, name: str) -> tuple[Any, str] | None:
    """The mapping and key holding the dotted fact `name`, written flat or nested (company: {headcount})."""
    if not isinstance(mapping, dict):
        return None
    if name in mapping:
        return mapping, name
    for key in mapping:
        if isinstance(key, str) and name.startswith(key + ".") and isinstance(mapping[key], dict):
            found = _find(mapping[key], name[len(key) + 1:])
            if found:
                return found
    return None


def set_facts(text: str, values: dict[str, Any], file: str = "dossier.yaml") -> str:
    """The dossier text with each fact of `values` set where the file writes it (None: null,
    unknown), or added to `facts` under its dotted name; the rest of the text as it was."""
    try:
        yaml = _yaml(text)
        data = yaml.load(text)
    except Exception as exc:  # the engine's reader located the problem already when it loaded the file
        raise InputError(file, Bilingual("le dossier n'a pas pu être relu pour y écrire la réponse",
                                         "the dossier could not be read again to write the answer"), str(exc)) from None
    facts = data.get("facts")
    if not isinstance(facts, dict):
        facts = data["facts"] = CommentedMap()
    if not facts and getattr(facts, "fa", None) is not None:
        facts.fa.set_block_style()  # `facts: {}` grows into one fact per line
    for name, value in values.items():
        found = _find(facts, name)
        if found:
            mapping, key = found
            mapping[key] = _plain(value)
        elif value is not None:
            facts[name] = _plain(value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
