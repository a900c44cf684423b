"""Three-valued (Kleene) truth values as small ints, so `all` is `min` and `any` is `max`."""

from __future__ import annotations

FALSE = 0
UNKNOWN = 1
TRUE = 2

NAMES = {FALSE: "false", UNKNOWN: "unknown", TRUE: "true"}


def negate(value: int) -> int:
    return TRUE - value


def from_bool(value: bool) -> int:
    return TRUE if value else FALSE
