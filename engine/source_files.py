"""Reading YAML and JSON input safely, keeping the line and column of every value.

Why not `yaml.safe_load`: it loses positions (errors must say `file:line:col`), silently keeps the
last of two duplicate keys, and expands aliases without bound (the "billion laughs" bomb).
"""

from __future__ import annotations

import json
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .record import Record, record

MAX_FILE_BYTES = 5 * 1024 * 1024
# libyaml when PyYAML has it (10x faster to compose; same nodes and marks), pure Python otherwise.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]


@record(positional=True, frozen=False)
class Located(Record):
    """A parsed document and where each value came from."""

    data: Any
    file: str
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_ = ()) -> str:
        """`file:line:col` for the deepest known prefix of `path`."""
        for cut in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:cut]))
            if pos:
                return f"{self.file}:{pos[0]}:{pos[1]}"
        return self.file


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(str(path), "file not found", "check the path") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror}") from None
    if path.is_dir():
        raise InputError(str(path), "is a folder, a file was expected")
    if size > max_bytes:
        raise InputError(
            str(path), f"file too large ({size} bytes, limit {max_bytes})", "split it or check it is the right file"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror}") from None


_STR = "tag:yaml.org,2002:str"


class _Builder:
    def __init__(self, loader: SafeLoader, file: str) -> None:
        self.loader = loader
        self.constructors = loader.yaml_constructors
        self.file = file
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.count = 0

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                f"{self.file}:{node.start_mark.line + 1}:{node.start_mark.column + 1}",
                f"document expands to more than {MAX_NODES} values",
                "YAML aliases multiply content (alias bomb?); write the values out",
            )
        mark = node.start_mark
        self.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self.scalar(node)
        if kind is yaml.MappingNode:
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self._err(key_node, "YAML merge keys (<<) are not supported", "write the keys out")
                key = self.scalar(key_node) if type(key_node) is yaml.ScalarNode else None
                if not isinstance(key, (str, int, bool)):
                    raise self._err(key_node, "mapping keys must be text")
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    raise self._err(key_node, f"duplicate key '{key}'", "each key may appear once in a mapping")
                key_mark = key_node.start_mark
                self.positions[path + (key,)] = (key_mark.line + 1, key_mark.column + 1)
                out[key] = self.build(value_node, path + (key,))
            return out
        if kind is yaml.SequenceNode:
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        """A scalar's value. Text (most of a dossier) is taken as is; other tags go to PyYAML's safe
        constructors, unknown tags to its refusal."""
        if node.tag == _STR:
            return node.value
        constructor = self.constructors.get(node.tag)
        try:
            if constructor is None:
                return self.loader.construct_object(node)
            return constructor(self.loader, node)
        except (yaml.constructor.ConstructorError, ValueError) as exc:
            raise self._err(node, f"invalid value: {exc}".splitlines()[0]) from None

    def _err(self, node: yaml.Node, message: str, hint: str = "") -> InputError:
        return InputError(f"{self.file}:{node.start_mark.line + 1}:{node.start_mark.column + 1}", message, hint)


def parse_yaml(text: str, file: str) -> Located:
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return Located(None, file)
        builder = _Builder(loader, file)
        data = builder.build(root, ())
        return Located(data, file, builder.positions)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(where, f"invalid YAML: {problem}", "check indentation, quotes and colons") from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"invalid YAML: {exc}".splitlines()[0]) from None
    finally:
        loader.dispose()


def parse_json(text: str, file: str) -> Located:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(file, "invalid JSON: nested too deeply") from None
    # JSON is (nearly) YAML: reuse the YAML reader for positions when it agrees.
    try:
        located = parse_yaml(text, file)
        if located.data == data:
            return located
    except InputError:
        pass
    return Located(data, file)


def load_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Located:
    """Read a YAML or JSON file (by extension; YAML otherwise) with positions."""
    text = read_text(path, max_bytes)
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path))
    return parse_yaml(text, str(path))
