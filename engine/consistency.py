"""Facts that must agree, and combinations worth a warning, as the catalogue declares them
(`agrees` and `warns` of a fact, docs/ruleset-format.md §2.1). The engine names no fact here:
which facts are compared, and which combination is suspicious and why, is data."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from .errors import Bilingual, InputError, in_language
from .model import FactDef
from .ranges import EARLIEST, LATEST, MAX_MAGNITUDE

_OPS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "lt": (operator.lt, "<"), "lte": (operator.le, "≤"), "gt": (operator.gt, ">"), "gte": (operator.ge, "≥"),
    "eq": (operator.eq, "="), "ne": (operator.ne, "≠"),
}
_WORDS = {"lt": ("avant", "before"), "lte": ("au plus tard", "on or before"), "gt": ("après", "after"),
          "gte": ("au plus tôt", "on or after")}


def disagreements(facts: dict[str, Any], catalogue: dict[str, FactDef],
                  where: Callable[[str], str]) -> list[InputError]:
    """Every declared comparison between two facts the dossier gives that fails, located at the
    fact that declares it (`where(name)`)."""
    out: list[InputError] = []
    for name, fact in catalogue.items():
        if not fact.agrees or name not in facts:
            continue
        value = facts[name]
        if not _in_range(value):
            continue  # refused by the range check (engine/ranges.py), with its own message
        for agreement in fact.agrees:
            other = agreement.other
            if other not in facts or other not in catalogue:
                continue
            against = facts[other]
            if not _in_range(against):
                continue
            if isinstance(against, dt.date) and agreement.plus_days:
                against = against + dt.timedelta(days=agreement.plus_days)
            test, symbol = _OPS[agreement.op]
            try:
                holds = test(value, against)
            except TypeError:  # a date against a number: the catalogue's own mistake, not the dossier's
                continue
            if holds:
                continue
            message = (Bilingual(agreement.message.fr, agreement.message.en) if agreement.message
                       else _sentence(name, fact, value, agreement.op, other, catalogue[other], facts[other]))
            out.append(InputError(where(name), message,
                                  Bilingual(f"attendu : {name} {symbol} {other}"
                                            + (f" {agreement.plus_days:+d} jours" if agreement.plus_days else ""),
                                            f"expected: {name} {symbol} {other}"
                                            + (f" {agreement.plus_days:+d} days" if agreement.plus_days else ""))))
    return out


def _in_range(value: Any) -> bool:
    if isinstance(value, dt.date):
        return EARLIEST <= value <= LATEST
    return not isinstance(value, (int, float)) or abs(value) <= MAX_MAGNITUDE


def _sentence(name: str, fact: FactDef, value: Any, op: str, other: str, other_fact: FactDef, against: Any) -> Bilingual:
    shown, shown_other = _plain(value), _plain(against)
    if isinstance(value, dt.date):
        fr, en = _WORDS[op]
        return Bilingual(f"« {fact.title.fr} » ({shown}) doit être {fr} « {other_fact.title.fr} » ({shown_other})",
                         f"'{fact.title.en}' ({shown}) must be {en} '{other_fact.title.en}' ({shown_other})")
    symbol = _OPS[op][1]
    return Bilingual(f"« {fact.title.fr} » ({shown}) doit être {symbol} « {other_fact.title.fr} » ({shown_other})",
                     f"'{fact.title.en}' ({shown}) must be {symbol} '{other_fact.title.en}' ({shown_other})")


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else f"{value:g}" if isinstance(value, float) else str(value)


class Caution(InputError):  # noqa: N818 - a warning, not raised
    """A warning about the dossier: located like an error, the rule it rests on in `hint`."""

    def render(self, lang: str = "fr") -> str:
        text = f"{self.where}: {in_language(self.message, lang)}" if self.where else in_language(self.message, lang)
        rule = in_language(self.hint, lang)
        return text + (f" (rule: {rule})" if lang == "en" else f" (règle : {rule})")


def warnings(facts: dict[str, Any], catalogue: dict[str, FactDef], where: Callable[[str], str]) -> list[Caution]:
    """Every declared suspicious combination the dossier's facts make, located at the fact that
    declares it, else at the first fact of its `when` the dossier gives; the hint cites the rule."""
    out: list[Caution] = []
    for name, fact in catalogue.items():
        for warning in fact.warns:
            if all(_holds(facts.get(subject), test) for subject, test in warning.when.items()):
                given = [n for n in (name, *warning.when) if n in facts]
                out.append(Caution(where(given[0] if given else name), Bilingual(warning.message.fr, warning.message.en),
                                   Bilingual(warning.rule.fr, warning.rule.en)))
    return out


def _holds(value: Any, test: Any) -> bool:
    """A `when` test: a list is « one of » (null: unknown), a one-key mapping a comparison (never
    true of an unknown value), anything else equality (null: unknown)."""
    if isinstance(test, list):
        return any(_holds(value, item) for item in test)
    if isinstance(test, dict):
        ((op, target),) = test.items()
        if value is None:
            return False
        try:
            return bool(_OPS[op][0](value, target))
        except TypeError:
            return False
    if test is None:
        return value is None
    if isinstance(test, bool) or isinstance(value, bool):
        return value is test  # true is not 1
    return value == test


def check_references(catalogue: dict[str, FactDef]) -> list[str]:
    """Problems of the declarations themselves (a fact named that the catalogue lacks, an unknown
    comparison): for the catalogue's tests, the loader does not read them."""
    problems = []
    for name, fact in catalogue.items():
        problems += [f"{name}: agrees with unknown fact '{a.other}'" for a in fact.agrees if a.other not in catalogue]
        for warning in fact.warns:
            for subject, test in warning.when.items():
                if subject not in catalogue:
                    problems.append(f"{name}: warns on unknown fact '{subject}'")
                if isinstance(test, dict) and (len(test) != 1 or next(iter(test)) not in _OPS):
                    problems.append(f"{name}: `when` test of '{subject}' is not one comparison ({', '.join(_OPS)})")
    return problems
