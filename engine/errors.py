"""Errors the engine raises for bad input: always located, always one line plus a hint.

An error echoes what it was given (a value, a key, a path), and that comes from a file someone
else may have written: `render` makes every error safe to print on a terminal, once for all of
them. It keeps it on one line, shows control and bidirectional characters as escapes (a value
cannot move the cursor, retitle the terminal or reverse the text around it), and cuts a part
longer than a reader reads in the middle, with an ellipsis.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# C0 and C1 controls, DEL, and the characters that reorder or hide text (bidi embeddings, overrides
# and isolates, marks, line and paragraph separators, zero-width joiners, BOM). Compiled when the
# first error is printed: compiling its character class costs every run 5 M instructions.
_UNSAFE_CHARACTERS = "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# The longest part (place, message, hint) shown whole; a longer one keeps its start and its end.
MAX_PART = 300
_HEAD = 200
ELLIPSIS = " … "


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def _escaped(text: str) -> str:
    return re.sub(_UNSAFE_CHARACTERS, _escape, text)  # re keeps the compiled pattern


def printable(text: str, limit: int = MAX_PART) -> str:
    """`text` safe to print on one line: unsafe characters escaped, cut in the middle past `limit`."""
    if len(text) > limit:
        tail = limit - _HEAD - len(ELLIPSIS)
        return _escaped(text[:_HEAD]) + ELLIPSIS + _escaped(text[-tail:])
    return _escaped(text)


class Bilingual(NamedTuple):
    """A user-facing sentence in both languages of the CLI. The engine raises errors in both, so that
    every front end (CLI, workspace) shows the user's language without a catalogue of codes."""

    fr: str
    en: str

    def format(self, **values: object) -> Bilingual:
        return Bilingual(self.fr.format(**values), self.en.format(**values))


Message = str | Bilingual  # a plain str is a message not yet translated (read the same in both languages)


def in_language(text: Message, lang: str) -> str:
    if isinstance(text, Bilingual):
        return text.en if lang == "en" else text.fr
    return text


class InputError(Exception):
    """A problem in a user-supplied file (ruleset, dossier, test case, grid).

    `where` is `path:line:col` when known, else the file path or a logical location. `message` and
    `hint` are `Bilingual` wherever they have been translated; `render(lang)` picks the language.
    The methods a dataclass would make are written out: `@dataclass` compiles them in every
    process that imports the engine (2.5 M instructions of a cold check).
    """

    __match_args__ = ("where", "message", "hint")
    _compared = __match_args__
    __hash__ = None  # type: ignore[assignment]  # compared by value, as a dataclass: not hashable

    def __init__(self, where: str, message: Message, hint: Message = "") -> None:
        self.where, self.message, self.hint = where, message, hint

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._compared)

    def render(self, lang: str = "fr") -> str:
        """One line, safe to print (see the module's docstring), in `lang`."""
        message = printable(in_language(self.message, lang))
        text = f"{printable(self.where)}: {message}" if self.where else message
        if self.hint:
            hint = printable(in_language(self.hint, lang))
            text += f" (hint: {hint})" if lang == "en" else f" (conseil : {hint})"
        return text

    def __str__(self) -> str:
        # A message not yet translated keeps its English form whole, hint included.
        return self.render("fr" if isinstance(self.message, Bilingual) else "en")


class EvaluationError(InputError):
    """A dossier that cannot be evaluated against a ruleset (e.g. a missing dependency)."""


class LimitError(InputError):
    """An input beyond one of the reader's limits (size, nesting, alias expansion): the same for YAML
    and JSON, so a JSON file read again as YAML for its positions reports it rather than going on."""
