"""Errors the engine raises for bad input: always located, always one line plus a hint."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InputError(Exception):
    """A problem in a user-supplied file (ruleset, dossier, test case, grid).

    `where` is `path:line:col` when known, else the file path or a logical location.
    """

    where: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class EvaluationError(InputError):
    """A dossier that cannot be evaluated against a ruleset (e.g. a missing dependency)."""


class LimitError(InputError):
    """An input beyond one of the reader's limits (size, nesting, alias expansion): the same for YAML
    and JSON, so a JSON file read again as YAML for its positions reports it rather than going on."""
