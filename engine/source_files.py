"""Reading YAML and JSON input safely, keeping the line and column of every value.

Why not `yaml.safe_load`: it loses positions (errors must say `file:line:col`), silently keeps the
last of two duplicate keys, and expands aliases without bound (the "billion laughs" bomb).

Limits (docs/ruleset-format.md, "Size limits"): a file of at most `MAX_FILE_BYTES`, nested at most
`MAX_DEPTH` levels, at most `MAX_VALUES` values; aliases may not make a document larger than its
text (`ALIAS_ALLOWANCE` values over the text's length in characters): an honest value takes at
least one character, so a bigger document is aliases multiplying content.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, LimitError
from .record import Record, record

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_VALUES = 1_000_000
ALIAS_ALLOWANCE = 10_000
MAX_DEPTH = 100
# libyaml when PyYAML has it (10x faster to compose; same nodes and marks), pure Python otherwise.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUPLICATE_HINT = "each key may appear once in a mapping"
SPLIT_HINT = ("check it is the right file; a ruleset can be split into several rulesets, one folder each "
              "(docs/ruleset-format.md, size limits)")

Path_ = tuple[str | int, ...]


@record(positional=True)
class Source(Record):
    """How to find a document's positions again once they were dropped: its text, or its file and
    the digest of the bytes that were read (a file changed since then gives no positions)."""

    is_json: bool
    text: str | None = None
    path: Path | None = None
    digest: int = 0

    def positions(self, file: str) -> dict[Path_, tuple[int, int]]:
        text = self.text
        try:
            if text is None and self.path is not None:
                raw = read_bytes(self.path, MAX_FILE_BYTES)
                if _digest(raw) != self.digest:
                    return {}
                text = _decode(raw, self.path)
            if text is None:
                return {}
            return (parse_json if self.is_json else parse_yaml)(text, file).positions or {}
        except InputError:
            return {}


@record(positional=True, frozen=False)
class Located(Record):
    """A parsed document and where each value came from."""

    data: Any
    file: str
    # None once detached (see `detached`); not compared: the data and the source say what the document is.
    positions: dict[Path_, tuple[int, int]] | None = field(default_factory=dict, compare=False)
    source: Source | None = None

    def where(self, path: Path_ = ()) -> str:
        """`file:line:col` for the deepest known prefix of `path`."""
        positions = self.positions
        if positions is None:  # detached: read the source again, once
            positions = self.positions = self.source.positions(self.file) if self.source else {}
        for cut in range(len(path), -1, -1):
            pos = positions.get(tuple(path[:cut]))
            if pos:
                return f"{self.file}:{pos[0]}:{pos[1]}"
        return self.file

    def detached(self) -> Located:
        """The same document without its data and positions, which are most of its memory (a dossier
        kept for evaluation needs neither): `where` finds the positions again from the source the
        first time an error needs them, and answers as before."""
        return Located(None, self.file, None, self.source)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes. Opened without blocking and checked to be a regular file first: a named
    pipe would wait for a writer forever, and a device such as /dev/zero never ends."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError(str(path), "file not found", "check the path") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, a file was expected") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(str(path), "is a folder, a file was expected")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(str(path), "not a regular file (a pipe or a device)", "give the path of a file")
        data = b""
        if info.st_size <= max_bytes:
            with open(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)  # no more, whatever the size said
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)
    if info.st_size > max_bytes or len(data) > max_bytes:
        size = max(info.st_size, len(data))
        raise InputError(str(path), f"file too large ({size} bytes; the limit is {_mib(max_bytes)})", SPLIT_HINT)
    return data


def _decode(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8") from None
    # What Path.read_text does: universal newlines (a CRLF or CR-only file reads as LF).
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _digest(raw: bytes) -> int:
    """Enough to tell whether a file changed since it was read (not a defence against tampering)."""
    import zlib

    return len(raw) << 32 | zlib.crc32(raw)


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB" if size % 2**20 == 0 else f"{size} bytes"


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    return _decode(read_bytes(path, max_bytes), path)


_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")}


class _Builder:
    def __init__(self, loader: SafeLoader, root: yaml.Node, file: str, text_length: int) -> None:
        self.loader = loader
        self.root = root
        self.constructors = loader.yaml_constructors
        self.file = file
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.count = 0
        self.limit = min(MAX_VALUES, text_length + ALIAS_ALLOWANCE)
        self.text_length = text_length
        # Equal scalars of one document share one object (an author or a date repeated 100 times).
        self.memo: dict[Any, Any] = {}

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > self.limit:
            raise self._too_many(node)
        if len(path) > MAX_DEPTH:
            raise self._too_deep(path)
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
                key = sys.intern(key if isinstance(key, str) else str(key))  # keys are the format's vocabulary
                if key in out:
                    raise self._err(key_node, f"duplicate key {key!r}", DUPLICATE_HINT)
                key_mark = key_node.start_mark
                self.positions[path + (key,)] = (key_mark.line + 1, key_mark.column + 1)
                out[key] = self.build(value_node, path + (key,))
            return out
        if kind is yaml.SequenceNode:
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        """A scalar's value. Text (most of a dossier) is taken as is; the other scalar tags go to
        PyYAML's safe constructors; any other tag is refused."""
        value = node.value
        tag = node.tag
        if tag == _STR:
            return self.memo.setdefault(value, value)
        if tag not in _SCALAR_TAGS:
            short = tag.replace("tag:yaml.org,2002:", "!!")
            raise self._err(node, f"YAML tag '{short}' is not supported here", "write the value without a tag")
        key = (tag, value)
        found = self.memo.get(key)
        if found is None:
            try:
                found = self.constructors[tag](self.loader, node)
            except Exception as exc:  # PyYAML's constructors fail on bad text with whatever they hit first
                short = tag.replace("tag:yaml.org,2002:", "!!")
                detail = str(exc).splitlines()[0] if isinstance(exc, ValueError) else "not a valid value"
                raise self._err(node, f"invalid {short} value {value[:80]!r}: {detail}") from None
            if found is not None:
                self.memo[key] = found
        return found

    def _too_many(self, node: yaml.Node) -> InputError:
        if self.count > self.text_length:
            return self._err(node, f"YAML aliases expand this document to more than {self.limit} values, from a "
                                   f"text of {self.text_length} characters", "aliases multiply content (alias bomb?); "
                                   "write the values out", LimitError)
        return self._err(node, f"document has more than {MAX_VALUES} values (the limit)", SPLIT_HINT, LimitError)

    def _too_deep(self, path: Path_) -> InputError:
        """Nesting beyond the limit: a recursive alias (a value that contains an alias to itself), or
        a document nested that deep."""
        nodes, node = [], self.root
        for step in path:
            nodes.append(node)
            if type(node) is yaml.MappingNode:
                node = next(v for k, v in node.value if str(self.scalar(k)) == step)
            else:
                node = node.value[step]
            if any(node is seen for seen in nodes):
                return self._err(node, "recursive YAML alias: this value contains an alias to itself",
                                 "aliases may only repeat a value, not nest it in itself", LimitError)
        return self._err(node, f"nested more than {MAX_DEPTH} levels deep", "flatten the document", LimitError)

    def _err(self, node: yaml.Node, message: str, hint: str = "", kind: type[InputError] = InputError) -> InputError:
        return kind(f"{self.file}:{node.start_mark.line + 1}:{node.start_mark.column + 1}", message, hint)


def parse_yaml(text: str, file: str) -> Located:
    source = Source(False, text)
    try:
        loader = SafeLoader(text)  # the pure-Python reader checks the characters here
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return Located(None, file, {}, source)
        builder = _Builder(loader, root, file, len(text))
        data = builder.build(root, ())
        return Located(data, file, builder.positions, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(where, f"invalid YAML: {problem}", "check indentation, quotes and colons") from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"invalid YAML: {exc}".splitlines()[0]) from None
    except RecursionError:  # the pure-Python composer, when libyaml is missing
        raise InputError(file, f"invalid YAML: nested more than {MAX_DEPTH} levels deep", "flatten the document") from None
    finally:
        loader.dispose()


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> InputError:
    """A character YAML does not accept, located: the reader gives its offset (in UTF-8 bytes from
    libyaml, in characters from the pure-Python reader)."""
    offset = exc.position
    if SafeLoader is not yaml.SafeLoader:
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return InputError(f"{file}:{line}:{column}", f"invalid YAML: character U+{exc.character:04X} is not allowed",
                      "remove it or write it as an escape in double quotes")


def parse_json(text: str, file: str) -> Located:
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(file, "invalid JSON: nested too deeply", "flatten the document") from None
    except _DuplicateKeyError as exc:
        try:
            parse_yaml(text, file)  # to locate it
        except InputError as found:
            if found.message.startswith("duplicate key"):
                raise found from None
        raise InputError(file, f"duplicate key {exc.args[0]!r}", DUPLICATE_HINT) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise _json_number_error(text, file, exc) from None
    # JSON is (nearly) YAML: reuse the YAML reader for positions when it agrees.
    try:
        located = parse_yaml(text, file)
        if located.data == data:
            located.source = Source(True, text)
            return located
    except LimitError:
        raise  # the same limits hold for JSON, located
    except InputError:
        pass
    _check_depth(data, file)
    return Located(data, file, {}, Source(True, text))


class _DuplicateKeyError(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Two equal keys in one JSON object: refused as in YAML (json.loads would keep the last silently)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKeyError(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return out


def _json_number_error(text: str, file: str, exc: ValueError) -> InputError:
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"\d{{{limit + 1},}}", text)
    where = file
    if found:
        start = found.start() - (text[found.start() - 1:found.start()] == "-")
        where = f"{file}:{text.count(chr(10), 0, start) + 1}:{start - text.rfind(chr(10), 0, start)}"
    return InputError(where, f"invalid JSON: a number of more than {limit} digits", "write it with fewer digits")


def _check_depth(data: Any, file: str) -> None:
    """The nesting limit, on JSON read without positions (the YAML reader enforces it otherwise)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(file, f"nested more than {MAX_DEPTH} levels deep", "flatten the document")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def load_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Located:
    """Read a YAML or JSON file (by extension; YAML otherwise) with positions."""
    raw = read_bytes(path, max_bytes)
    text = _decode(raw, path)
    is_json = path.suffix.lower() == ".json"
    located = (parse_json if is_json else parse_yaml)(text, str(path))
    # Found again from the file if needed (the digest tells whether it changed): not kept in memory.
    located.source = Source(is_json, None, path, _digest(raw))
    return located
