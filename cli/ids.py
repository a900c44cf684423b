"""Identifiers two people can create at once without colliding: ULID-style, time first.

`PREFIX-TTTTTTTTTTRRRRRRRR`: ten Crockford base-32 characters of the UTC time in milliseconds
(48 bits: they sort by creation time) and eight of randomness (40 bits from the operating
system). Two registrations made in the same millisecond collide with probability 2^-40; ids
numbered `EV-NNN` by earlier versions stay valid (an id is any `[A-Za-z0-9][A-Za-z0-9_.-]*`).
"""

from __future__ import annotations

import datetime as dt
import os

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        out.append(CROCKFORD[digit])
    return "".join(reversed(out))


def new_id(prefix: str, now: dt.datetime, random: bytes | None = None) -> str:
    millis = int(now.timestamp() * 1000)
    noise = int.from_bytes(random if random is not None else os.urandom(5), "big")
    return f"{prefix}-{_base32(millis, 10)}{_base32(noise, 8)}"
