"""The ranges evaluation can compute in, checked when a file is loaded (so `validate` refuses what
evaluation could not compute) and when an evaluation starts (its date).

Dates are shifted by day offsets (a deadline 30 days after the evaluation date, a fact plus N
days): with offsets of at most `MAX_SHIFT_DAYS` and dates inside [`EARLIEST`, `LATEST`], no shift
leaves the calendar Python can represent (years 1 to 9999). Numbers are divided (a ratio of two
facts): a magnitude of at most `MAX_MAGNITUDE` keeps every quotient a float.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from .errors import Bilingual, InputError
from .roster import Roster
from .source_files import Located

MAX_SHIFT_DAYS = 3660  # ten years, the bound of deadline offsets too (engine/model.py Deadline)
EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(8999, 12, 31)
MAX_MAGNITUDE = 10**15  # a million billion: beyond any count or amount of a production
MAX_CONDITION_DEPTH = 50  # all / any / not / every levels; the generated code nests one call per level

DATE_RANGE = Bilingual(f"entre {EARLIEST.isoformat()} et {LATEST.isoformat()}",
                       f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}")


def date_error(where: str, day: dt.date, what: Bilingual) -> InputError | None:
    if EARLIEST <= day <= LATEST:
        return None
    return InputError(where, Bilingual(f"{what.fr} : {day.isoformat()} est hors de la plage calculable",
                                       f"{what.en}: {day.isoformat()} is outside the range that can be computed"),
                      Bilingual(f"une date {DATE_RANGE.fr}", f"a date {DATE_RANGE.en}"))


def check_as_of(as_of: dt.date, where: str = "as_of") -> None:
    error = date_error(where, as_of, Bilingual("date d'évaluation", "evaluation date"))
    if error:
        raise error


def number_error(where: str, value: Any, what: Bilingual) -> InputError | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN: compares as unknown
        return None
    if -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE or value in (float("inf"), float("-inf")):
        return None
    digits = int(abs(value).bit_length() * 0.30103) + 1 if isinstance(value, int) else 0  # str() may refuse it
    shown = f"{value:.3g}" if isinstance(value, float) else f"un nombre d'environ {digits} chiffres"
    shown_en = f"{value:.3g}" if isinstance(value, float) else f"a number of about {digits} digits"
    return InputError(where, Bilingual(f"{what.fr} : {shown} est hors de la plage calculable",
                                       f"{what.en}: {shown_en} is outside the range that can be computed"),
                      Bilingual("au plus un million de milliards (10^15) en valeur absolue",
                                "at most a million billion (10^15) in magnitude"))


def shift_error(where: str, days: int) -> InputError | None:
    if -MAX_SHIFT_DAYS <= days <= MAX_SHIFT_DAYS:
        return None
    return InputError(where, Bilingual(f"décalage de {days} jours hors de la plage calculable",
                                       f"an offset of {days} days is outside the range that can be computed"),
                      Bilingual(f"au plus {MAX_SHIFT_DAYS} jours (dix ans), avant ou après",
                                f"at most {MAX_SHIFT_DAYS} days (ten years), before or after"))


def check_facts(facts: dict[str, Any], where: Callable[..., str]) -> None:
    """Every date and number fact of a dossier inside the ranges, the fields of a roster's members
    (a hiring date, an age) too; `where(name, *inner)` locates a fact or a place inside it. Run on
    the first evaluation of every dossier: a value is tested inline, the message built only for one
    outside the ranges."""
    if _in_ranges(facts.values()):
        return
    for name, value in facts.items():
        if type(value) in _UNRANGED:
            continue
        if isinstance(value, Roster):
            for i, member in enumerate(value.members):
                for key, field in member.items():
                    if not _in_range(field) and (error := value_error(
                            lambda name=name, key=key, i=i: where(name, "members", i, key), field,
                            Bilingual(f"fait « {name} », membre {member.ref}, champ « {key} »",
                                      f"fact '{name}', member {member.ref}, field '{key}'"))):
                        raise error
            continue
        if not _in_range(value) and (error := value_error(lambda name=name: where(name), value,
                                                          Bilingual(f"fait « {name} »", f"fact '{name}'"))):
            raise error


_UNRANGED = frozenset((bool, str, frozenset))  # most facts: no range to check
_date = dt.date


def _in_ranges(values: Iterable[Any]) -> bool:
    """True when every value is surely in range, told by its exact type and two comparisons (a
    roster: its members' fields); False sends the dossier to check_facts' full loop, which also
    knows the values outside the ranges that are allowed (NaN, the infinities) and other types."""
    for value in values:
        kind = type(value)
        if kind is bool or kind is str or kind is frozenset:
            continue
        if kind is int or kind is float:
            if -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
                continue
        elif kind is _date:
            if EARLIEST <= value <= LATEST:
                continue
        elif kind is Roster and all(map(_in_ranges, map(dict.values, value.members))):
            continue
        return False
    return True


def _in_range(value: Any) -> bool:
    """True for a value no range concerns or one inside its range (value_error says the rest)."""
    if isinstance(value, dt.date):
        return EARLIEST <= value <= LATEST
    if isinstance(value, (int, float)):  # a boolean is in range
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    return True


def value_error(where: Callable[[], str], value: Any, what: Bilingual) -> InputError | None:
    """A date or number outside the ranges (located only then: finding a position costs)."""
    if isinstance(value, dt.date):
        return date_error(where(), value, what) if not EARLIEST <= value <= LATEST else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_error(where(), value, what) if not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE else None
    return None


def fact_where(located: Located, name: str, *inner: str | int) -> str:
    """Where a dossier names a fact, or a place inside it (`members`, 3, `hiring_date`): a dotted
    key (`company.headcount: 12`) or nested keys."""
    dotted = located.where(("facts", name, *inner))
    return dotted if dotted != located.where(("facts",)) else located.where(("facts", *name.split("."), *inner))
