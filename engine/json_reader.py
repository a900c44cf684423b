"""JSON read with the line and column of every value, as the YAML reader gives them.

`json.loads` gives none, and re-reading a JSON text as YAML to find them fails as soon as the two
languages read the text differently (`1e5` is a number in JSON, text in YAML 1.1). This reader
gives the data `json.loads` gives (NaN and Infinity included), and refuses what the YAML reader
refuses: a duplicate key, nesting past the limit, more values than the limit, an integer too
long to convert. Nesting is checked before descending, so the recursion is bounded.
"""

from __future__ import annotations

import bisect
import re
import sys
from json.decoder import JSONDecodeError, scanstring
from typing import Any

from .errors import Bilingual, InputError, LimitError

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_CONSTANTS = {"true": True, "false": False, "null": None, "NaN": float("nan"), "Infinity": float("inf"),
              "-Infinity": float("-inf")}

Path_ = tuple[str | int, ...]


class JsonReader:
    def __init__(self, text: str, file: str, max_depth: int, max_values: int) -> None:
        self.text = text
        self.file = file
        self.max_depth = max_depth
        self.max_values = max_values
        self.count = 0
        self.positions: dict[Path_, tuple[int, int]] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def read(self) -> Any:
        start = 1 if self.text.startswith("\ufeff") else 0
        value, end = self.value(_SPACE.match(self.text, start).end(), ())
        end = _SPACE.match(self.text, end).end()
        if end != len(self.text):
            raise self.error(end, Bilingual("JSON invalide : texte après la fin du document",
                                            "invalid JSON: extra data after the document"))
        return value

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def where(self, offset: int) -> str:
        line, column = self.position(offset)
        return f"{self.file}:{line}:{column}"

    def error(self, offset: int, message: Bilingual, hint: Bilingual | str = "",
              kind: type[InputError] = InputError) -> InputError:
        return kind(self.where(offset), message, hint)

    def value(self, at: int, path: Path_) -> tuple[Any, int]:
        self.count += 1
        if self.count > self.max_values:
            from .source_files import SPLIT_HINT

            raise self.error(at, Bilingual(f"le document a plus de {self.max_values} valeurs (la limite)",
                                           f"document has more than {self.max_values} values (the limit)"),
                             SPLIT_HINT, LimitError)
        if len(path) > self.max_depth:  # before descending: the recursion stays this deep
            raise self.error(at, Bilingual(f"imbriqué sur plus de {self.max_depth} niveaux",
                                           f"nested more than {self.max_depth} levels deep"),
                             Bilingual("aplatissez le document", "flatten the document"), LimitError)
        self.positions.setdefault(path, self.position(at))
        text = self.text
        char = text[at:at + 1]
        if char == '"':
            return self.string(at)
        if char == "{":
            return self.mapping(at, path)
        if char == "[":
            return self.sequence(at, path)
        number = _NUMBER.match(text, at)
        if number:
            return self.number(number), number.end()
        for word, constant in _CONSTANTS.items():
            if text.startswith(word, at):
                return constant, at + len(word)
        raise self.error(at, Bilingual("JSON invalide : une valeur est attendue", "invalid JSON: a value was expected"))

    def string(self, at: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, at + 1, True)
        except JSONDecodeError as exc:
            raise self.error(exc.pos, Bilingual(f"JSON invalide : texte entre guillemets incorrect ({exc.msg})",
                                                f"invalid JSON: bad string ({exc.msg})")) from None

    def number(self, found: re.Match[str]) -> int | float:
        literal = found.group()
        if found.group(1) is None and found.group(2) is None:
            digits = len(literal.lstrip("-"))
            limit = sys.get_int_max_str_digits()
            if limit and digits > limit:
                raise self.error(found.start(), Bilingual(f"JSON invalide : un nombre de plus de {limit} chiffres",
                                                          f"invalid JSON: a number of more than {limit} digits"),
                                 Bilingual("écrivez-le avec moins de chiffres", "write it with fewer digits"))
            return int(literal)
        return float(literal)

    def mapping(self, at: int, path: Path_) -> tuple[dict[str, Any], int]:
        from .source_files import duplicate_key

        text = self.text
        out: dict[str, Any] = {}
        at = _SPACE.match(text, at + 1).end()
        if text.startswith("}", at):
            return out, at + 1
        while True:
            if not text.startswith('"', at):
                raise self.error(at, Bilingual("JSON invalide : une clé entre guillemets est attendue",
                                               "invalid JSON: a key in double quotes was expected"))
            key_at = at
            key, at = self.string(at)
            key = sys.intern(key)  # keys are the format's vocabulary
            if key in out:
                raise duplicate_key(self.where(key_at), key)
            at = _SPACE.match(text, at).end()
            if not text.startswith(":", at):
                raise self.error(at, Bilingual("JSON invalide : « : » est attendu après la clé",
                                               "invalid JSON: ':' expected after the key"))
            self.positions[path + (key,)] = self.position(key_at)
            out[key], at = self.value(_SPACE.match(text, at + 1).end(), path + (key,))
            at = _SPACE.match(text, at).end()
            if text.startswith("}", at):
                return out, at + 1
            if not text.startswith(",", at):
                raise self.error(at, Bilingual("JSON invalide : « , » ou « } » est attendu",
                                               "invalid JSON: ',' or '}' expected"))
            at = _SPACE.match(text, at + 1).end()

    def sequence(self, at: int, path: Path_) -> tuple[list[Any], int]:
        text = self.text
        out: list[Any] = []
        at = _SPACE.match(text, at + 1).end()
        if text.startswith("]", at):
            return out, at + 1
        while True:
            item, at = self.value(at, path + (len(out),))
            out.append(item)
            at = _SPACE.match(text, at).end()
            if text.startswith("]", at):
                return out, at + 1
            if not text.startswith(",", at):
                raise self.error(at, Bilingual("JSON invalide : « , » ou « ] » est attendu",
                                               "invalid JSON: ',' or ']' expected"))
            at = _SPACE.match(text, at + 1).end()
