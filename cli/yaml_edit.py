"""Editing a YAML file as text: one item of a top-level list added, changed or removed, every other
byte kept (the user's comments, key order, quoting, blank lines). Nothing is re-serialised, so no
round-trip library is needed; the callers parse and validate the result before writing it.

An item is the lines from its `- ` line to the next item's (the comments just above the next item
stay with it); inside an item, a key's lines run from its own line to the next key's. Positions
come from the parser (`Located.positions`: the line and column of each key).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

from raccord.engine import Bilingual, InputError

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./ -]*[A-Za-z0-9_./-]|[A-Za-z0-9_]")


def yaml_scalar(value: Any) -> str:
    """A YAML value that reads back exactly as `value`: plain when unambiguous, else JSON-quoted."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str) and _PLAIN.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def key_lines(key: str, value: Any, indent: str, newline: str) -> list[str]:
    """`key: value` at `indent`: a mapping one level down, a list of mappings as a block list."""
    if isinstance(value, dict):
        return [f"{indent}{key}:{newline}"] + [line for k, v in value.items() for line in key_lines(k, v, indent + "  ", newline)]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        lines = [f"{indent}{key}:{newline}"]
        for entry in value:
            lines += item_yaml_lines(entry, indent + "  ", newline)
        return lines
    return [f"{indent}{key}: {yaml_scalar(value)}{newline}"]


def item_yaml_lines(item: dict[str, Any], indent: str, newline: str) -> list[str]:
    """One list item in block style: `- first: ...` then the other keys under it."""
    lines: list[str] = []
    for i, (key, value) in enumerate(item.items()):
        block = key_lines(key, value, indent + "  ", newline)
        if i == 0:
            block[0] = f"{indent}- " + block[0][len(indent) + 2:]
        lines += block
    return lines


def _top_key(key: str) -> re.Pattern:
    return re.compile(rf"^{key}[ \t]*:[ \t]*(?P<rest>[^#\r\n]*?)[ \t]*(?:#.*)?(?:\r?\n)?$")


def _lines(text: str) -> tuple[list[str], str]:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    return lines, newline


def _block_end(lines: list[str], start: int) -> int:
    """The line after the last content line of the top-level block starting at `start`."""
    end = start + 1
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if (stripped and not line[0].isspace() and not line.startswith(("-", "#"))) or line.startswith(("---", "...")):
            break
        if stripped and not stripped.startswith("#"):
            end = i + 1
    return end


def insert_yaml_item(text: str, item: dict[str, Any], where: str, key: str = "evidence") -> str:
    """Insert one item at the end of the top-level list `key` (created when absent)."""
    lines, newline = _lines(text)
    top = _top_key(key)
    start = next((i for i, line in enumerate(lines) if top.match(line)), None)
    if start is None:
        return "".join(lines) + f"{key}:{newline}" + "".join(item_yaml_lines(item, "", newline))
    rest = top.match(lines[start]).group("rest")
    if rest == "[]":
        new = [f"{key}:{newline}"] + item_yaml_lines(item, "", newline)
        return "".join(lines[:start] + new + lines[start + 1:])
    if rest:
        raise _inline(where, key)
    end = _block_end(lines, start)
    indent = next((line[: len(line) - len(line.lstrip())] for line in lines[start + 1:end] if line.lstrip().startswith("-")), "")
    return "".join(lines[:end] + item_yaml_lines(item, indent, newline) + lines[end:])


def _inline(where: str, key: str) -> InputError:
    return InputError(where, Bilingual(f"la liste « {key}: » est écrite en ligne ; raccord ne peut pas la modifier sans risque",
                                       f"the `{key}:` list is written inline; raccord cannot edit it safely"),
                      Bilingual("écrire un élément par ligne (style bloc), puis recommencer",
                                "write the list one item per line (block style), then retry"))


def _item_span(lines: list[str], positions: dict, key: str, index: int, count: int, where: str) -> tuple[int, int]:
    """0-based [start, end) of item `index` of the top-level list `key`."""
    pos = positions.get((key, index))
    top = positions.get((key,))
    if pos is None or top is None or pos[0] == top[0]:
        raise _inline(where, key)
    start = pos[0] - 1
    if index + 1 < count:
        end = positions[(key, index + 1)][0] - 1
        while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # comments just above the next item belong to it
    else:
        header = next(i for i in range(start, -1, -1) if _top_key(key).match(lines[i]))
        end = _block_end(lines, header)
    return start, end


def remove_yaml_item(text: str, positions: dict, index: int, count: int, where: str, key: str = "evidence") -> str:
    """Remove item `index` (of `count`) of the top-level list `key`; the last one leaves `key: []`."""
    lines, newline = _lines(text)
    start, end = _item_span(lines, positions, key, index, count, where)
    if count == 1:
        header = next(i for i in range(start, -1, -1) if _top_key(key).match(lines[i]))
        return "".join(lines[:header] + [f"{key}: []{newline}"] + lines[header + 1:start] + lines[end:])
    return "".join(lines[:start] + lines[end:])


def update_yaml_item(text: str, positions: dict, index: int, count: int, changes: dict[str, Any], where: str,
                     key: str = "evidence") -> str:
    """Set keys of item `index`: each changed key's lines are rewritten in place, new keys are
    added at the end of the item, in the order given; every other line is kept."""
    lines, newline = _lines(text)
    start, end = _item_span(lines, positions, key, index, count, where)
    keys = sorted(((pos[0] - 1, pos[1] - 1, path[2]) for path, pos in positions.items()
                   if len(path) == 3 and path[:2] == (key, index)), key=lambda k: k[0])
    if len({line for line, _, _ in keys}) != len(keys):
        raise _inline(where, f"{key}[{index}]")  # a flow mapping `- {id: ..., kind: ...}`
    indent = " " * keys[0][1]
    chunks: dict[str, tuple[int, int]] = {}
    for i, (line, _, name) in enumerate(keys):
        stop = keys[i + 1][0] if i + 1 < len(keys) else end
        while stop - 1 > line and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
            stop -= 1
        chunks[name] = (line, stop)
    replaced: dict[int, list[str]] = {}
    dropped: set[int] = set()
    added: list[str] = []
    for name, value in changes.items():
        new = [] if value is None else key_lines(name, value, indent, newline)
        if name in chunks:
            first, stop = chunks[name]
            if first == start:  # the item's first key, after its `- `
                new = [lines[first][: len(indent) - 2] + "- " + new[0][len(indent):]] + new[1:] if new else None
                if new is None:
                    raise InputError(where, Bilingual("la première clé d'une preuve ne peut pas être retirée",
                                                      "the first key of an item cannot be removed"))
            replaced[first] = new
            dropped.update(range(first + 1, stop))
        else:
            added += new
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in replaced:
            out += replaced[i]
        elif i not in dropped:
            out.append(line)
        if i == chunks[keys[-1][2]][1] - 1:
            out += added
    return "".join(out)


# -- entries of a top-level mapping (`tracking:`, `declined:`, `not_applicable:`; raccord import checklist) --

def flow(mapping: dict[str, Any]) -> str:
    """A one-line YAML flow mapping of the values that are set."""
    return "{" + ", ".join(f"{k}: {yaml_scalar(v)}" for k, v in mapping.items() if v is not None) + "}"


def _top_level(line: str) -> bool:
    return bool(line) and not line[0].isspace() and not line.startswith("#")


def set_entries(text: str, section: str, entries: dict[str, str | None]) -> str:
    """Set or remove entries of the top-level mapping `section`, every other line kept: `entries`
    is key -> the YAML text of its value (one line), or None to remove the entry (its key line and
    the more indented lines below it). A new entry goes at the end of its section; a missing
    section is appended at the end of the file."""
    if not entries:
        return text
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    head = re.compile(rf"^{re.escape(section)}\s*:\s*(\{{\s*\}})?\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if head.match(line.rstrip("\n"))), None)
    if start is None:
        added = [f"  {key}: {value}\n" for key, value in entries.items() if value is not None]
        if not added:
            return "".join(lines)
        return "".join(lines) + f"{section}:\n" + "".join(added)
    if "{" in lines[start]:  # `section: {}`: becomes a block
        lines[start] = f"{section}:\n"
    end = next((i for i in range(start + 1, len(lines)) if _top_level(lines[i])), len(lines))
    body = lines[start + 1:end]
    indent = next((len(line) - len(line.lstrip(" ")) for line in body if line.strip() and not line.lstrip().startswith("#")), 2)
    for key, value in entries.items():
        key_line = re.compile(rf"^ {{{indent}}}(['\"]?){re.escape(key)}\1\s*:")
        at = next((i for i, line in enumerate(body) if key_line.match(line)), None)
        new = [f"{' ' * indent}{key}: {value}\n"] if value is not None else []
        if at is None:
            last = max((i for i, line in enumerate(body) if line.strip() and not line.lstrip().startswith("#")), default=-1)
            body[last + 1:last + 1] = new
            continue
        stop = at + 1
        while stop < len(body) and (not body[stop].strip() or len(body[stop]) - len(body[stop].lstrip(" ")) > indent):
            stop += 1
        while stop > at + 1 and not body[stop - 1].strip():  # blank lines before the next entry stay
            stop -= 1
        body[at:stop] = new
    return "".join(lines[:start + 1] + body + lines[end:])
