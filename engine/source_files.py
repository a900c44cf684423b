"""Reading YAML and JSON input safely, keeping the line and column of every value.

Why not `yaml.safe_load`: it loses positions (errors must say `file:line:col`), silently keeps the
last of two duplicate keys, and expands aliases without bound (the "billion laughs" bomb).

Limits (docs/ruleset-format.md, "Size limits"): a file of at most `MAX_FILE_BYTES`, nested at most
`MAX_DEPTH` levels, at most `MAX_VALUES` values; aliases may not make a document larger than its
text (`ALIAS_ALLOWANCE` values over the text's length in characters): an honest value takes at
least one character, so a bigger document is aliases multiplying content.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from .errors import Bilingual, InputError, LimitError, Message
from .record import Record, record

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_VALUES = 1_000_000
ALIAS_ALLOWANCE = 10_000
MAX_DEPTH = 100
# libyaml when PyYAML has it (10x faster to compose; same nodes and marks), pure Python otherwise.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader with PyYAML's resolution of plain scalars in one call: libyaml calls `resolve`
    back for each of a dossier's thousands of nodes. Same tags as PyYAML's (the safe loader has no
    path resolvers, no wildcard resolver; tests/test_source_files.py compares)."""

    _implicit = _BaseLoader.yaml_implicit_resolvers

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._implicit.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        return _MAP if kind is yaml.MappingNode else _SEQ


DUPLICATE_HINT = Bilingual("une clé ne peut figurer qu'une fois dans un même bloc", "each key may appear once in a mapping")
SPLIT_HINT = Bilingual("vérifiez que c'est le bon fichier ; un référentiel peut être découpé en plusieurs, un dossier "
                       "chacun (docs/ruleset-format.md, limites de taille)",
                       "check it is the right file; a ruleset can be split into several rulesets, one folder each "
                       "(docs/ruleset-format.md, size limits)")

NOT_FOUND = Bilingual("fichier introuvable", "file not found")
CHECK_PATH = Bilingual("vérifiez le chemin", "check the path")
IS_FOLDER = Bilingual("c'est un dossier, un fichier est attendu", "is a folder, a file was expected")
NOT_REGULAR = Bilingual("ce n'est pas un fichier ordinaire (un tube ou un périphérique)",
                        "not a regular file (a pipe or a device)")
NOT_REGULAR_HINT = Bilingual("donnez le chemin d'un fichier", "give the path of a file")
TOO_DEEP = Bilingual(f"imbriqué sur plus de {MAX_DEPTH} niveaux", f"nested more than {MAX_DEPTH} levels deep")
FLATTEN = Bilingual("aplatissez le document", "flatten the document")

Path_ = tuple[str | int, ...]
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


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

    def position(self, path: Path_) -> tuple[int, int] | None:
        """(line, column) of exactly `path`; the positions are read again from the source if they
        were dropped (`positions=False`, `detached`)."""
        if self.positions is None:
            self.where()  # reads them, once
        return (self.positions or {}).get(tuple(path))

    def detached(self) -> Located:
        """The same document without its data and positions, which are most of its memory (a dossier
        kept for evaluation needs neither): `where` finds the positions again from the source the
        first time an error needs them, and answers as before."""
        return Located(None, self.file, None, self.source)


# The files a command has read (device and inode), when a front end asks to know them: the CLI
# refuses to write an output over one of its own inputs (`-o` naming the dossier).
_inputs: set[tuple[int, int]] | None = None


def track_inputs() -> None:
    """Start recording the files read from now on (and forget those recorded before)."""
    global _inputs
    _inputs = set()


def note_input(info: os.stat_result) -> None:
    """Record a file read by other means (an evidence file hashed): an input of this command too."""
    if _inputs is not None:
        _inputs.add((info.st_dev, info.st_ino))


def is_input(info: os.stat_result) -> bool:
    """Whether the file of `info` was read since `track_inputs()`."""
    return _inputs is not None and (info.st_dev, info.st_ino) in _inputs


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes. Opened without blocking and checked to be a regular file first: a named
    pipe would wait for a writer forever, and a device such as /dev/zero never ends."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError(str(path), NOT_FOUND, CHECK_PATH) from None
    except IsADirectoryError:
        raise InputError(str(path), IS_FOLDER) from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(str(path), IS_FOLDER)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(str(path), NOT_REGULAR, NOT_REGULAR_HINT)
        note_input(info)
        data = b""
        if info.st_size <= max_bytes:
            with open(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)  # no more, whatever the size said
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)
    if info.st_size > max_bytes or len(data) > max_bytes:
        size = max(info.st_size, len(data))
        raise InputError(str(path), Bilingual(f"fichier trop gros ({size} octets ; la limite est {_mib(max_bytes)})",
                                              f"file too large ({size} bytes; the limit is {_mib(max_bytes)})"), SPLIT_HINT)
    return data


def _unreadable(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(str(path), Bilingual(f"fichier illisible : {reason}", f"cannot read file: {reason}"))


def _decode(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), Bilingual(f"ce n'est pas du texte UTF-8 (octet {exc.start})",
                                              f"not UTF-8 text (byte {exc.start})"),
                         Bilingual("enregistrez le fichier en UTF-8", "save the file as UTF-8")) from None
    # What Path.read_text does: universal newlines (a CRLF or CR-only file reads as LF).
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _digest(raw: bytes) -> int:
    """Enough to tell whether a file changed since it was read (not a defence against tampering)."""
    from binascii import crc32  # zlib's CRC-32; binascii is loaded at start-up already

    return len(raw) << 32 | crc32(raw)


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB" if size % 2**20 == 0 else f"{size} bytes"


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    return _decode(read_bytes(path, max_bytes), path)


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
                    raise self._err(key_node, Bilingual("les clés de fusion YAML (<<) ne sont pas acceptées",
                                                         "YAML merge keys (<<) are not supported"),
                                    Bilingual("écrivez les clés une à une", "write the keys out"))
                key = self.scalar(key_node) if type(key_node) is yaml.ScalarNode else None
                if not isinstance(key, (str, int, bool)):
                    raise self._err(key_node, Bilingual("une clé doit être du texte", "mapping keys must be text"))
                key = sys.intern(key if isinstance(key, str) else str(key))  # keys are the format's vocabulary
                if key in out:
                    raise duplicate_key(self._where(key_node), key)
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
            raise self._err(node, Bilingual(f"l'étiquette YAML '{short}' n'est pas acceptée ici",
                                            f"YAML tag '{short}' is not supported here"),
                           Bilingual("écrivez la valeur sans étiquette", "write the value without a tag"))
        key = (tag, value)
        found = self.memo.get(key)
        if found is None:
            try:
                found = self.constructors[tag](self.loader, node)
            except Exception as exc:  # PyYAML's constructors fail on bad text with whatever they hit first
                short = tag.replace("tag:yaml.org,2002:", "!!")
                detail = str(exc).splitlines()[0] if isinstance(exc, ValueError) else ""
                raise self._err(node, Bilingual(f"valeur {short} invalide {value[:80]!r}" + (f" : {detail}" if detail else ""),
                                                f"invalid {short} value {value[:80]!r}: {detail or 'not a valid value'}"),
                                ) from None
            if found is not None:
                self.memo[key] = found
        return found

    def _too_many(self, node: yaml.Node) -> InputError:
        if self.count > self.text_length:
            return self._err(node, Bilingual(f"les alias YAML font passer ce document à plus de {self.limit} valeurs, "
                                             f"pour un texte de {self.text_length} caractères",
                                             f"YAML aliases expand this document to more than {self.limit} values, from a "
                                             f"text of {self.text_length} characters"),
                             Bilingual("les alias multiplient le contenu (alias bomb ?) ; écrivez les valeurs",
                                       "aliases multiply content (alias bomb?); write the values out"), LimitError)
        return self._err(node, Bilingual(f"le document a plus de {MAX_VALUES} valeurs (la limite)",
                                         f"document has more than {MAX_VALUES} values (the limit)"), SPLIT_HINT, LimitError)

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
                return self._err(node, Bilingual("alias YAML récursif : cette valeur contient un alias vers elle-même",
                                                 "recursive YAML alias: this value contains an alias to itself"),
                                 Bilingual("un alias peut répéter une valeur, pas l'inclure en elle-même",
                                           "aliases may only repeat a value, not nest it in itself"), LimitError)
        return self._err(node, TOO_DEEP, FLATTEN, LimitError)

    def _where(self, node: yaml.Node) -> str:
        return f"{self.file}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"

    def _err(self, node: yaml.Node, message: Message, hint: Message = "", kind: type[InputError] = InputError) -> InputError:
        return kind(self._where(node), message, hint)


class _NeedsBuilderError(Exception):
    """The document needs the composing builder: an alias, a tag, a duplicate or merge key, a limit
    reached, a syntax error... (it gives the located errors and expands aliases)."""


_EVENTS = yaml.events
_SCALAR_EVENT, _MAPPING_START, _SEQUENCE_START = _EVENTS.ScalarEvent, _EVENTS.MappingStartEvent, _EVENTS.SequenceStartEvent
_CLOSING, _ALIAS = (_EVENTS.MappingEndEvent, _EVENTS.SequenceEndEvent), _EVENTS.AliasEvent
_NO_KEY = object()


def _plain_data(text: str) -> Any:
    """The data of a document without aliases or tags, read off libyaml's events: no node, no
    position, no callback per value (a third of the composing builder's cost). Any other document
    raises `_NeedsBuilderError`: the composing builder reads it as before, so that every value, refusal and
    located message is its own. The same values as `_Builder.build` (tests/test_source_files.py)."""
    try:
        loader = SafeLoader(text)
    except yaml.YAMLError:
        raise _NeedsBuilderError from None
    try:
        return _plain_events(loader, len(text))
    except yaml.YAMLError:
        raise _NeedsBuilderError from None
    finally:
        loader.dispose()


def _plain_events(loader: SafeLoader, text_length: int) -> Any:
    get = loader.get_event
    if type(get()) is not _EVENTS.StreamStartEvent:
        raise _NeedsBuilderError
    event = get()
    if type(event) is _EVENTS.StreamEndEvent:
        return None
    if type(event) is not _EVENTS.DocumentStartEvent:
        raise _NeedsBuilderError
    implicit_tags, memo, constructors = SafeLoader._implicit, {}, loader.yaml_constructors
    plain: dict[str, Any] = {}  # a plain scalar's text -> its value
    limit, count = min(MAX_VALUES, text_length + ALIAS_ALLOWANCE), 0
    # [container, the key awaiting its value] (_NO_KEY: a key comes next; None in a list)
    stack: list[list[Any]] = []
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind is _SCALAR_EVENT:  # the most frequent first
            if event.tag is not None:  # tags: the builder's
                raise _NeedsBuilderError
            value = event.value
            if not event.implicit[0]:  # quoted: a string
                value = memo.setdefault(value, value)
            else:
                # A plain scalar's value depends on its text only: each distinct text (keys repeat
                # on every item) is resolved once.
                found = plain.get(value, _NO_KEY)
                if found is _NO_KEY:
                    found = plain[value] = _resolved(loader, value, implicit_tags, constructors, memo)
                value = found
        elif kind in _CLOSING:
            value = stack.pop()[0]
        elif kind is _EVENTS.DocumentEndEvent:
            break
        elif kind is _ALIAS or event.tag is not None:  # aliases and tags: the builder's
            raise _NeedsBuilderError
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            if len(stack) > MAX_DEPTH or (stack and stack[-1][1] is _NO_KEY):  # too deep, or a key that is a table
                raise _NeedsBuilderError
            count += 1
            if count > limit:
                raise _NeedsBuilderError
            stack.append([{}, _NO_KEY] if kind is _MAPPING_START else [[], None])
            continue
        else:
            raise _NeedsBuilderError
        if not stack:
            root = value
            continue
        top = stack[-1]
        container = top[0]
        if type(container) is list:
            container.append(value)
        elif top[1] is _NO_KEY:  # a key
            if not isinstance(value, (str, int, bool)) or kind is not _SCALAR_EVENT:
                raise _NeedsBuilderError
            value = sys.intern(value if isinstance(value, str) else str(value))
            if value in container:
                raise _NeedsBuilderError
            top[1] = value
            continue
        else:
            container[top[1]] = value
            top[1] = _NO_KEY
        if kind is _SCALAR_EVENT:
            count += 1
            if count > limit or len(stack) > MAX_DEPTH:
                raise _NeedsBuilderError
    if type(get()) is not _EVENTS.StreamEndEvent:  # a second document: the builder refuses it
        raise _NeedsBuilderError
    return root


def _resolved(loader: SafeLoader, value: str, implicit_tags: dict, constructors: dict, memo: dict) -> Any:
    """The value of a plain scalar: its implicit tag (PyYAML's resolvers), then its constructor."""
    tag = _STR
    for candidate, regexp in implicit_tags.get(value[:1], ()):
        if regexp.match(value):
            tag = candidate
            break
    if tag == _STR:
        return memo.setdefault(value, value)
    key = (tag, value)
    found = memo.get(key)
    if found is None:
        if tag not in _SCALAR_TAGS:  # `<<`, a merge key
            raise _NeedsBuilderError
        try:
            found = constructors[tag](loader, yaml.ScalarNode(tag, value))
        except Exception:  # a bad value: the builder says where and why
            raise _NeedsBuilderError from None
        if found is not None:
            memo[key] = found
    return found


def parse_yaml(text: str, file: str, positions: bool = True) -> Located:
    """The document and the position of each value. `positions=False`: without them when the
    document has no alias or tag (`_plain_data`); `Located.where` reads them again on first use."""
    source = Source(False, text)
    if not positions:
        try:
            return Located(_plain_data(text), file, None, source)
        except _NeedsBuilderError:
            pass
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
        problem = exc.problem or exc.context or "?"
        raise InputError(where, Bilingual(f"YAML invalide : {problem}", f"invalid YAML: {problem}"),
                         Bilingual("vérifiez l'indentation, les guillemets et les deux-points",
                                   "check indentation, quotes and colons")) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(file, Bilingual(f"YAML invalide : {first}", f"invalid YAML: {first}")) from None
    except RecursionError:  # the pure-Python composer, when libyaml is missing
        raise LimitError(file, TOO_DEEP, FLATTEN) from None
    finally:
        loader.dispose()


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> InputError:
    """A character YAML does not accept, located: the reader gives its offset (in UTF-8 bytes from
    libyaml, in characters from the pure-Python reader)."""
    offset = exc.position
    if _BaseLoader is not yaml.SafeLoader:
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    char = f"U+{exc.character:04X}"
    return InputError(f"{file}:{line}:{column}", Bilingual(f"YAML invalide : le caractère {char} n'est pas accepté",
                                                           f"invalid YAML: character {char} is not allowed"),
                      Bilingual("retirez-le, ou écrivez-le en séquence d'échappement entre guillemets doubles",
                                "remove it or write it as an escape in double quotes"))


def parse_json(text: str, file: str) -> Located:
    """A JSON document with positions (engine/json_reader.py): the same data as `json.loads`, the
    same limits and refusals as YAML."""
    from .json_reader import JsonReader  # imports the json package, which a YAML dossier's check never needs

    reader = JsonReader(text, file, MAX_DEPTH, MAX_VALUES)
    data = reader.read()
    return Located(data, file, reader.positions, Source(True, text))


def duplicate_key(where: str, key: str) -> InputError:
    return InputError(where, Bilingual(f"clé en double {key!r}", f"duplicate key {key!r}"), DUPLICATE_HINT)


def load_document(path: Path, max_bytes: int = MAX_FILE_BYTES, positions: bool = True) -> Located:
    """Read a YAML or JSON file (by extension; YAML otherwise) with positions (`positions=False`:
    a YAML document's positions are read again from the file when a message needs them)."""
    raw = read_bytes(path, max_bytes)
    text = _decode(raw, path)
    is_json = path.suffix.lower() == ".json"
    located = parse_json(text, str(path)) if is_json else parse_yaml(text, str(path), positions)
    # Found again from the file if needed (the digest tells whether it changed): not kept in memory.
    located.source = Source(is_json, None, path, _digest(raw))
    return located
