"""Criterion numbers typed as numbers: a spreadsheet stores 1.10 as the float 1.1, and shows it as
1.10 only through the cell's number format. The number is read back from that format, or else from
the section's sequence (1.1 right after 1.9 is 1.10), and every recovery says so in French."""

from __future__ import annotations

import re
from typing import Any

DOTTED = re.compile(r"^(\d+)\.(\d+)$")
FIXED_DECIMALS = re.compile(r"^[#0,]*0\.(0+)$")  # 0.00, #,##0.0: a fixed number of decimals
MAX_DIGITS = 3  # 1.1 may stand for 1.10 or 1.100, not more


def decimals_of(number_format: str | None) -> int | None:
    """The decimals a number format always shows: `0.00` -> 2; `General`, `0.0#`, `@` -> None."""
    if not number_format:
        return None
    match = FIXED_DECIMALS.match(number_format.split(";")[0].strip())
    return len(match.group(1)) if match else None


def number_text(value: Any, number_format: str | None, previous: str | None) -> tuple[str, str | None]:
    """A criterion number cell as text, and a note when it was not read as it stands: `previous` is
    the last number of the same section (None at its start)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value).strip()
        if re.fullmatch(r"\d+,\d+", text):  # a decimal comma (a CSV saved by a French spreadsheet)
            text = text.replace(",", ".")
        return _after(text, previous, str(value).strip())
    if float(value).is_integer():
        return str(int(value)), None
    decimals = decimals_of(number_format)
    plain = repr(float(value))
    if decimals is not None:
        shown = f"{value:.{decimals}f}"
        if shown != plain:
            return shown, (f"numéro saisi comme le nombre {plain}, lu {shown} d'après le format de la cellule "
                           f"({number_format})")
        return shown, None
    return _after(plain, previous, plain, typed=True)


def _after(text: str, previous: str | None, raw: str, typed: bool = False) -> tuple[str, str | None]:
    """`text`, or the number with the trailing zeros a float lost when that makes it the successor of
    the section's previous number: 1.1 after 1.9 is 1.10 (after 1.1, it stays a repeated 1.1)."""
    match, before = DOTTED.match(text), DOTTED.match(previous or "")
    if not match or not before or match.group(1) != before.group(1):
        return text, None
    major, minor = match.groups()
    last = int(before.group(2))
    if int(minor) > last or minor.startswith("0"):
        return text, None
    candidate = minor
    while int(candidate) <= last and len(candidate) < MAX_DIGITS:
        candidate += "0"
    if int(candidate) != last + 1:
        return text, None
    recovered = f"{major}.{candidate}"
    how = f"saisi comme le nombre {raw}" if typed else f"écrit {raw}"
    return recovered, f"numéro {how}, lu {recovered} d'après la suite de la section (après {previous})"
