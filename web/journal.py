"""One journal per production: the current dossier is what its events say, replayed in order.

An event is `(kind, payload)` with its author and time (models.Event). Replaying is a pure function
of the events (`replay`), so any past state is the replay of a prefix, and the derived dossier can
be rebuilt from the journal at any time (tests/test_web_journal.py does). Values are JSON: dates as
ISO strings, typed by the engine when the dossier is built.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

FORMAT = "raccord.dossier/1"
AUDIT_FORMAT = "raccord.audit/1"

KINDS = ("production.created", "production.updated", "fact.set", "fact.cleared", "evidence.registered",
         "evidence.replaced", "evidence.removed", "declaration.set", "declaration.cleared", "review", "finding",
         "finding.closed", "sign_off", "import", "team.role", "team.removed", "live.event")


def empty_state() -> dict[str, Any]:
    return {"production": {}, "facts": {}, "evidence": {}, "not_applicable": {}, "declined": {}, "reviews": [],
            "findings": [], "sign_offs": [], "live": []}


# What the auditor records, kept apart from the producer's dossier as the CLI keeps it in its own
# file (engine/review.py, `raccord.audit/1`): the same entries, given to the engine as an AuditFile.
AUDIT_KEYS = ("reviews", "findings", "sign_offs")


def apply(state: dict[str, Any], kind: str, payload: dict[str, Any], author: str | None, at: dt.datetime) -> None:
    """One event's effect on the state (in place)."""
    if kind in ("production.created", "production.updated"):
        state["production"].update({k: v for k, v in payload.items() if k in ("id", "title", "company", "description")})
    elif kind == "fact.set":
        state["facts"][payload["name"]] = payload["value"]
    elif kind == "fact.cleared":
        state["facts"].pop(payload["name"], None)
    elif kind in ("evidence.registered", "evidence.replaced"):
        item = dict(payload["item"])
        if kind == "evidence.replaced":  # a new file for the same piece: the review starts over
            state["evidence"].pop(payload.get("id", item["id"]), None)
        state["evidence"][item["id"]] = item
    elif kind == "evidence.removed":
        state["evidence"].pop(payload["id"], None)
    elif kind == "declaration.set":
        other = "declined" if payload["as"] == "not_applicable" else "not_applicable"
        state[other].pop(payload["criterion"], None)
        state[payload["as"]][payload["criterion"]] = payload["text"]
    elif kind == "declaration.cleared":
        state["not_applicable"].pop(payload["criterion"], None)
        state["declined"].pop(payload["criterion"], None)
    elif kind == "review":
        item = state["evidence"].get(payload["evidence"])
        if item is None and payload["evidence"].startswith("JOURNAL-") and payload.get("sha256"):
            item = {"sha256": payload["sha256"]}  # an item the shooting journal gives (web/live.py): its hash then
        if item is not None:  # the review of this version of the file (a replaced file is pending again)
            review = {"evidence": payload["evidence"], "decision": payload["status"], "by": author or "?",
                      "date": at.date().isoformat()}
            review.update({k: v for k, v in (("reason", payload.get("reason")), ("sha256", item.get("sha256"))) if v})
            state["reviews"].append(review)
    elif kind == "finding":
        number = len(state["findings"]) + 1
        state["findings"].append({"id": payload.get("id") or f"F-{number:03d}", "type": payload.get("type", "observation"),
                                  "text": payload["text"], "by": author or "?", "date": at.date().isoformat(),
                                  "criteria": list(payload.get("criteria") or ([payload["criterion"]] if payload.get("criterion")
                                                                                else [])),
                                  "evidence": list(payload.get("evidence") or []), "status": payload.get("status", "open")})
    elif kind == "finding.closed":  # the engine's model: `status: closed` (raccord audit finding close)
        state["findings"] = [{**f, "status": "closed"} if f["id"] == payload["id"] else f for f in state["findings"]]
    elif kind == "sign_off":
        entry = {"stage": payload.get("stage"), "decision": payload.get("decision"), "by": author or "?",
                 "date": at.date().isoformat()}
        if payload.get("text"):
            entry["note"] = payload["text"]
        state["sign_offs"].append(entry)
    elif kind == "import":
        imported = copy.deepcopy(payload["state"])
        production = {**imported.get("production", {}), "id": state["production"].get("id")}
        state.update(empty_state())
        state.update({key: imported.get(key, state[key]) for key in ("facts", "evidence", "not_applicable", "declined",
                                                                   *AUDIT_KEYS, "live")})
        state["production"] = production
    elif kind == "live.event":  # set events of the shooting journal (web/live.py): one logged, or a file imported
        state["live"].extend(payload["events"] if "events" in payload else [payload["event"]])
    elif kind in ("team.role", "team.removed"):
        pass  # the team is not part of the dossier; the event is in the journal for the history
    else:
        raise ValueError(f"unknown event kind {kind}")


def copy_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy to apply further events to: `apply` replaces values and items, never changes them in
    place, so copying the containers is enough (the values are shared, and never mutated)."""
    return {key: (dict(value) if isinstance(value, dict) else list(value)) for key, value in state.items()}


def replay(events) -> dict[str, Any]:
    """The state after `events` (objects with kind, payload, author name and time, in order)."""
    state = empty_state()
    for event in events:
        apply(state, event.kind, event.payload, event.author, event.at)
    return state


def dossier_data(state: dict[str, Any]) -> dict[str, Any]:
    """The state as a dossier document (raccord.dossier/1), facts by their dotted names."""
    production = {k: v for k, v in state["production"].items() if v not in (None, "")}
    data: dict[str, Any] = {"format": FORMAT, "production": production, "facts": dict(state["facts"]),
                            "evidence": list(state["evidence"].values())}
    for key in ("not_applicable", "declined"):
        if state[key]:
            data[key] = dict(state[key])
    return data


def audit_data(state: dict[str, Any]) -> dict[str, Any] | None:
    """The auditor's records as the CLI's auditor's file (raccord.audit/1, engine/review.py), or None
    when there are none; sign-offs of the first layout (no stage nor decision) stay on the pages only."""
    signoffs = [{k: v for k, v in s.items() if v is not None} for s in state["sign_offs"] if s.get("decision")]
    if not (state["reviews"] or state["findings"] or signoffs):
        return None
    data: dict[str, Any] = {"format": AUDIT_FORMAT}
    if state["production"].get("id"):
        data["dossier"] = state["production"]["id"]
    for key, entries in (("reviews", state["reviews"]), ("findings", state["findings"]), ("signoffs", signoffs)):
        if entries:
            data[key] = [dict(e) for e in entries]
    return data


def audit_state(data: dict[str, Any] | None) -> dict[str, Any]:
    """An auditor's file (read by the engine's parse_audit first) as the journal's entries."""
    data = jsonable(data or {})
    return {"reviews": list(data.get("reviews") or []), "findings": list(data.get("findings") or []),
            "sign_offs": list(data.get("signoffs") or [])}


def nest(facts: dict[str, Any], catalogue) -> dict[str, Any]:
    """Dotted fact names nested as the CLI's dossiers write them (a name that would collide stays dotted)."""
    out: dict[str, Any] = {}
    for name in sorted(facts):
        parts = name.split(".")
        node = out
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict) or ".".join(parts[: parts.index(part) + 1]) in catalogue:
                node = None
                break
            node = child
        if node is None or parts[-1] in node:
            out[name] = facts[name]
        else:
            node[parts[-1]] = facts[name]
    return out


def flatten(raw: dict[str, Any], catalogue) -> dict[str, Any]:
    """A dossier's nested `facts` as {dotted name: value}, stopping at the catalogue's names (a roster
    is one fact); names the catalogue lacks are kept for the engine to report."""
    out: dict[str, Any] = {}
    pending = list(raw.items())
    while pending:
        name, value = pending.pop(0)
        if isinstance(value, dict) and name not in catalogue:
            pending[:0] = [(f"{name}.{key}", child) for key, child in value.items()]
        else:
            out[str(name)] = jsonable(value)
    return out


def jsonable(value: Any) -> Any:
    """YAML values as JSON (dates as ISO text, which the engine reads back as dates)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):  # a set fact's value, as the engine types it
        return sorted(jsonable(v) for v in value)
    return value


def event_key(kind: str, payload: dict[str, Any]) -> str:
    """What an event touches, for the stale-write check: two writes conflict when their keys meet."""
    if kind.startswith("fact."):
        return f"fact:{payload['name']}"
    if kind.startswith("evidence.") or kind == "review":
        return f"evidence:{payload.get('id') or payload.get('evidence') or payload['item']['id']}"
    if kind == "finding.closed":
        return f"finding:{payload['id']}"
    if kind.startswith("declaration."):
        return f"criterion:{payload['criterion']}"
    if kind == "import":
        return "*"
    return kind
