"""The fact forms, generated from the fact catalogue: one field per fact (French title, help, unit),
grouped by the first part of the name. Values are read by the engine (Engine.fact_value, as the CLI
reads them) and its message is shown beside a refused field."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

from raccord.engine import InputError
from raccord.engine.errors import in_language
from raccord.engine.fact_values import answer_error, coerce_fact, expected, natural_date

from .journal import jsonable

GROUP_TITLES = {
    "work": {"fr": "L'œuvre", "en": "The work"}, "dates": {"fr": "Dates", "en": "Dates"},
    "company": {"fr": "La société", "en": "The company"}, "team": {"fr": "L'équipe", "en": "The team"},
    "cnc": {"fr": "Aides du CNC", "en": "CNC aid"}, "carbon": {"fr": "Bilan carbone", "en": "Carbon footprint"},
    "vhss": {"fr": "VHSS", "en": "VHSS"}, "afnor": {"fr": "AFNOR SPEC 2308", "en": "AFNOR SPEC 2308"},
    "ecoprod": {"fr": "Ecoprod", "en": "Ecoprod"},
}


_GROUPS: dict[int, tuple[Any, dict[str, list[str]]]] = {}


def groups(catalogue) -> dict[str, list[str]]:
    """The facts by group (the catalogue never changes once loaded: worked out once per catalogue)."""
    kept = _GROUPS.get(id(catalogue))
    if kept is None or kept[0] is not catalogue:
        kept = _GROUPS[id(catalogue)] = (catalogue, _groups(catalogue))
    return kept[1]


def _groups(catalogue) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, fact in catalogue.items():
        if fact.type != "collection":  # rosters are imported with the dossier, not edited field by field
            out.setdefault(name.split(".")[0], []).append(name)
    return out


def rosters(catalogue, lang: str) -> list[tuple[str, str]]:
    """The pseudonymous lists (`collection` facts): their own page each, member by member."""
    return [(name, fact.title.get(lang)) for name, fact in catalogue.items() if fact.type == "collection"]


def roster_value(current: dict[str, Any] | None, fact, form, lang: str) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The list after the form's change: a member added or edited (its reference and fields, each
    value read by the engine's fact_values, as a dossier's), or removed; (value, errors, raw texts)."""
    current = current or {"complete": False, "members": []}
    members = [dict(m) for m in current.get("members", [])]
    ref = str(form.get("ref", "")).strip()
    errors: dict[str, str] = {}
    raw: dict[str, str] = {}
    if form.get("action") == "remove":
        members = [m for m in members if m.get("ref") != ref]
    elif ref:
        member: dict[str, Any] = {"ref": ref}
        for key, spec in (fact.fields or {}).items():
            given = form.getlist(f"field:{key}")
            text = (given[-1] if given else "").strip()
            try:
                if spec.type == "set":
                    found = sorted(coerce_fact(key, [v for v in given if v], spec, key))
                else:
                    found = jsonable(coerce_fact(key, text, spec, key)) if text else None
            except InputError as error:
                errors[key], raw[key] = error_text(error, lang), text
                continue
            if found not in (None, []):
                member[key] = found
        index = next((i for i, m in enumerate(members) if m.get("ref") == ref), None)
        if index is None:
            members.append(member)
        else:
            members[index] = member
    complete = form.get("complete", "true" if current.get("complete") else "false") == "true"
    return {"complete": complete, "members": members}, errors, raw


def group_title(group: str, lang: str) -> str:
    return GROUP_TITLES.get(group, {}).get(lang, group)


def field_of(name: str, fact, value: Any, lang: str, error: str | None = None, raw: Any = None) -> dict[str, Any]:
    """What the template needs to draw one fact's field."""
    shown = raw if raw is not None else _display(fact, value, lang)
    return {"name": name, "id": "f-" + re.sub(r"[^a-z0-9]+", "-", name), "type": fact.type,
            "title": fact.title.get(lang), "help": fact.help.get(lang) if fact.help else None, "unit": fact.unit,
            "choices": fact.values or [], "value": shown, "selected": set(value or []) if fact.type == "set" else None,
            "error": error}


def _display(fact, value: Any, lang: str) -> str:
    if value is None:
        return ""
    if fact.type == "boolean":
        return "true" if value else "false"
    if fact.type == "date" and lang == "fr":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if fact.type in ("integer", "number"):
        text = f"{value:.12g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if lang == "fr" else text
    return str(value)


def submitted(engine, name: str, fact, form_values: list[str]) -> Any:
    """A submitted field as the JSON value the journal keeps (None: unknown), read by the engine's
    own Engine.fact_value: the forms `raccord interview` and a dossier file accept (« 3 200 000 »,
    « 12,5 », « 15/03/2025 », « oui »...). InputError (the engine's message) when it is not one."""
    if fact.type == "set":
        chosen = [v for v in form_values if v]
        return sorted(engine.fact_value(name, chosen)) or None
    text = (form_values[-1] if form_values else "").strip()
    if text == "":
        return None
    return jsonable(engine.fact_value(name, text))


def error_text(error: InputError, lang: str) -> str:
    """The engine's message for a refused answer, as `raccord interview` prints it (the field is beside it)."""
    return answer_error(error, lang)


_DATE = SimpleNamespace(type="date", values=None)


def day(text: str, lang: str) -> str | None:
    """A date typed in a form (evidence collected or expiring), read as the engine reads a date fact;
    ValueError with the engine's expected form when it is not one."""
    if not text.strip():
        return None
    found = natural_date(text)
    if found is None:
        raise ValueError(in_language(expected(_DATE), lang))
    return found.isoformat()
