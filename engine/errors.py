"""Errors the engine raises for bad input: always located, always one line plus a hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


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


@dataclass
class InputError(Exception):
    """A problem in a user-supplied file (ruleset, dossier, test case, grid).

    `where` is `path:line:col` when known, else the file path or a logical location. `message` and
    `hint` are `Bilingual` wherever they have been translated; `render(lang)` picks the language.
    """

    where: str
    message: Message
    hint: Message = ""

    def render(self, lang: str = "fr") -> str:
        message = in_language(self.message, lang)
        text = f"{self.where}: {message}" if self.where else message
        if self.hint:
            text += f" (hint: {in_language(self.hint, lang)})" if lang == "en" else f" (conseil : {in_language(self.hint, lang)})"
        return text

    def __str__(self) -> str:
        # A message not yet translated keeps its English form whole, hint included.
        return self.render("fr" if isinstance(self.message, Bilingual) else "en")


class EvaluationError(InputError):
    """A dossier that cannot be evaluated against a ruleset (e.g. a missing dependency)."""


class LimitError(InputError):
    """An input beyond one of the reader's limits (size, nesting, alias expansion): the same for YAML
    and JSON, so a JSON file read again as YAML for its positions reports it rather than going on."""
