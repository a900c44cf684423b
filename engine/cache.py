"""An on-disk cache for what is slow to rebuild and the same from run to run: the loaded library
(parsed, validated, checked and compiled rulesets) and the pydantic validators.

Like Python's own `.pyc` files it is an optimisation only: every entry is keyed by a fingerprint
of the engine's source and of the files it was built from, an entry that cannot be read is
rebuilt, and a cache directory that cannot be written is simply not used. `RACCORD_CACHE_DIR`
chooses the directory (empty: no cache); the default is `$XDG_CACHE_HOME/raccord` or
`~/.cache/raccord`. Entries are pickles written by this user for this user: do not point the
cache at a directory others can write to.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

_FORMAT = b"raccord-cache/1"
_code_fingerprint: str | None = None


def directory() -> Path | None:
    chosen = os.environ.get("RACCORD_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "raccord"


def code_fingerprint() -> str:
    """What the engine's code and Python make of the same input: a change to either invalidates."""
    global _code_fingerprint
    if _code_fingerprint is None:
        digest = hashlib.sha256(_FORMAT + sys.version.encode())
        for path in sorted(Path(__file__).parent.rglob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _code_fingerprint = digest.hexdigest()
    return _code_fingerprint


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()


def _path(key: str, print_: str) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{key}-{print_[:24]}.pickle"


def load(key: str, print_: str) -> Any | None:
    path = _path(key, print_)
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            if handle.read(len(_FORMAT)) != _FORMAT:
                return None
            return pickle.load(handle)
    except Exception:
        return None


def store(key: str, print_: str, value: Any) -> None:
    path = _path(key, print_)
    if path is None:
        return
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{key}-*.pickle"):  # one entry per key: older builds go
            if old != path:
                old.unlink(missing_ok=True)
        import tempfile  # only when storing: a warm start does not pay for it

        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(_FORMAT)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
