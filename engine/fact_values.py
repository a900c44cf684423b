"""A fact's value checked against its type, in the forms a French producer writes them.

The same function reads a dossier file's values and the answers typed in `raccord interview` (or a
form of the workspace), so every front end accepts the same forms:

- booleans: true / false, oui / non, vrai / faux, yes / no (case and accents folded);
- numbers: 3200000, 3 200 000 (spaces, no-break spaces), 3,5 or 3.5, 3,2e6, 3,2 M€, 450 k€,
  a trailing € / EUR / euros or the fact's unit; what could be read two ways (3.200,5 or
  1,234,567) is refused;
- dates: 2026-03-02, 02/03/2026 (day first), 2-3-2026, 02.03.2026, « 2 mars 2026 », « 1er mars 2026 »;
- enum and set values: the catalogue's value or the same words with accents, case, hyphens,
  spaces and apostrophes folded (« Île-de-France » is ile_de_france, « long-métrage » is
  long_metrage); a set may be written as one text « Bretagne, Normandie » and « aucune » is empty.

A refused value is an `InputError` in French and English whose hint shows the expected form.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import Bilingual, InputError, in_language
from .model import FactDef

MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
          "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
TRUE_WORDS = frozenset({"oui", "o", "vrai", "true", "yes", "y"})
FALSE_WORDS = frozenset({"non", "n", "faux", "false", "no"})
EMPTY_SET_WORDS = frozenset({"aucun", "aucune", "aucuns", "aucunes", "rien", "vide", "none"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_SCALES = {"m": Decimal(1_000_000), "million": Decimal(1_000_000), "millions": Decimal(1_000_000),
           "k": Decimal(1000), "mille": Decimal(1000)}
_CURRENCY = ("€", "eur", "euro", "euros")
_DATES: dict[dt.date, dt.date] = {}  # one object per day (engine/dossier.py shares them the same way)


def fold(text: str) -> str:
    """Accents, case, hyphens, spaces and apostrophes folded: « Île-de-France » -> ile_de_france."""
    import unicodedata  # only a value that is not written as the catalogue's is folded

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def expected(fact: FactDef) -> Bilingual:
    """The expected form of a value of this fact, with an example (a hint after « attendu : »)."""
    kind = fact.type
    if kind == "boolean":
        return Bilingual("oui ou non (true / false)", "true or false (oui / non)")
    if kind == "integer":
        return Bilingual("un nombre entier, par exemple 12 ou 3 200", "a whole number, for example 12 or 3200")
    if kind == "number":
        return Bilingual("un nombre, par exemple 3 200 000 ou 3,5", "a number, for example 3200000 or 3.5")
    if kind == "date":
        return Bilingual("une date AAAA-MM-JJ, par exemple 2026-03-02 (ou 02/03/2026)",
                         "a date YYYY-MM-DD, for example 2026-03-02")
    values = ", ".join(fact.values or [])
    if kind == "enum":
        return Bilingual(f"une de ces valeurs : {values}", f"one of: {values}")
    if kind == "set":
        return Bilingual(f"une liste de ces valeurs (ou [] si aucune) : {values}", f"a list of these values (or []): {values}")
    return Bilingual("du texte", "text")


def _bad(name: str, value: Any, fact: FactDef, where: str, en_expected: str) -> InputError:
    form = expected(fact)
    return InputError(where, Bilingual(f"fait « {name} » : {shown(value)} ne convient pas",
                                       f"fact '{name}': expected {en_expected}, got {value!r}"),
                      Bilingual(f"attendu : {form.fr}", f"expected: {form.en}"))


def shown(value: Any) -> str:
    return f"« {value} »" if isinstance(value, str) and value.isprintable() else repr(value)  # a control character shown escaped


def coerce_fact(name: str, value: Any, fact: FactDef, where: str) -> Any:
    """The typed value of a fact (None: unknown), from a dossier file's value or a typed answer."""
    if value is None:
        return None
    kind = fact.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = fold(value) if isinstance(value, str) else None
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise _bad(name, value, fact, where, "true or false")
    if kind in ("integer", "number"):
        return _number(name, value, fact, where)
    if kind == "date":
        day = natural_date(value)
        if day is None:
            raise _bad(name, value, fact, where, "a date YYYY-MM-DD")
        return _DATES.setdefault(day, day)
    if kind == "enum":
        if isinstance(value, str):
            found = enum_value(value, fact)
            if found is not None:
                return found
        raise InputError(where, Bilingual(f"fait « {name} » : {shown(value)} n'est pas une valeur permise",
                                          f"fact '{name}': '{value}' is not allowed"),
                         Bilingual("valeurs permises : " + ", ".join(fact.values or []),
                                   "allowed: " + ", ".join(fact.values or [])))
    if kind == "set":
        if isinstance(value, str):
            items = [] if fold(value) in EMPTY_SET_WORDS or not value.strip() else re.split(r"\s*[,;]\s*|\s+et\s+", value.strip())
        elif isinstance(value, list):
            items = value
        else:
            raise _bad(name, value, fact, where, "a list")
        out = []
        for item in items:
            found = enum_value(item, fact) if isinstance(item, str) else None
            if found is None:
                raise InputError(where, Bilingual(f"fait « {name} » : {shown(item)} n'est pas une valeur permise",
                                                  f"fact '{name}': '{item}' is not allowed"),
                                 Bilingual("valeurs permises : " + ", ".join(fact.values or []),
                                           "allowed: " + ", ".join(fact.values or [])))
            out.append(found)
        return frozenset(out)
    if not isinstance(value, str):
        raise _bad(name, value, fact, where, "text")
    return value


def enum_value(text: str, fact: FactDef) -> str | None:
    """The catalogue value `text` names: itself, or the one value equal to it once folded."""
    values = fact.values or []
    if text in values:
        return sys.intern(text)  # one of the catalogue's values: one object for every dossier
    folded = fold(text)
    matches = [v for v in values if fold(v) == folded]
    return sys.intern(matches[0]) if len(matches) == 1 else None


def _number(name: str, value: Any, fact: FactDef, where: str) -> int | float:
    integer = fact.type == "integer"
    en = "a whole number" if integer else "a number"
    if isinstance(value, bool):
        raise _bad(name, value, fact, where, en)
    if isinstance(value, str):
        parsed = natural_number(value, fact.unit)
        if parsed is None:
            raise _bad(name, value, fact, where, en)
        value = parsed
    if not isinstance(value, (int, float)):
        raise _bad(name, value, fact, where, en)
    if integer and isinstance(value, float) and not value.is_integer():
        raise _bad(name, value, fact, where, en)
    if fact.min is not None and value < fact.min:
        raise InputError(where, Bilingual(f"fait « {name} » : {value} est en dessous du minimum {fact.min:g}",
                                          f"fact '{name}': {value} is below the minimum {fact.min:g}"),
                         Bilingual(f"attendu : {expected(fact).fr}, au moins {fact.min:g}",
                                   f"expected: {expected(fact).en}, at least {fact.min:g}"))
    if fact.max is not None and value > fact.max:
        raise InputError(where, Bilingual(f"fait « {name} » : {value} est au-dessus du maximum {fact.max:g}",
                                          f"fact '{name}': {value} is above the maximum {fact.max:g}"),
                         Bilingual(f"attendu : {expected(fact).fr}, au plus {fact.max:g}",
                                   f"expected: {expected(fact).en}, at most {fact.max:g}"))
    return int(value) if integer else value


def natural_number(text: str, unit: str | None = None) -> int | float | None:
    """3 200 000, 3,5, 3.5, 3,2e6, 3,2 M€, 450 k€, 12 jours; None when it is not one number, or
    could be read two ways (3.200,5; 1,234,567)."""
    rest = text.strip().lower()
    suffixes = [*_CURRENCY, *([unit.lower()] if unit else [])]
    for suffix in sorted(suffixes, key=len, reverse=True):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)].rstrip()
            break
    scale = Decimal(1)
    match = re.fullmatch(r"(.*?[0-9])\s*(millions?|mille|m|k)", rest)
    if match:
        rest, scale = match.group(1), _SCALES[match.group(2)]
    rest = _SPACES.sub("", rest)
    if rest.count(",") > 1 or ("," in rest and "." in rest) or rest.count(".") > 1:
        return None
    rest = rest.replace(",", ".")
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(e[+-]?[0-9]+)?", rest):
        return None
    try:
        number = Decimal(rest) * scale
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def natural_date(value: Any) -> dt.date | None:
    """A YAML date, 2026-03-02, 02/03/2026 (day first), 2-3-2026, 02.03.2026, « 2 mars 2026 »;
    None for anything else (a date and time too)."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return dt.date.fromisoformat(text)
        match = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = re.fullmatch(r"([0-9]{1,2})(?:er)? ([a-z]+) ([0-9]{4})", fold(text).replace("_", " "))
        if match and match.group(2) in MONTHS:
            return dt.date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        return None
    return None


def answer_error(error: InputError, lang: str) -> str:
    """A refused answer's message without its location (the question or the field is beside it), its
    hint after it: how `raccord interview` and the workspace's forms show Engine.fact_value's errors."""
    text = in_language(error.message, lang)
    hint = in_language(error.hint, lang) if error.hint else ""
    label = "hint: " if lang == "en" else "conseil : "
    return f"{text} ({label}{hint})" if hint else text
