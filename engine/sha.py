"""SHA-256 of short inputs (cache keys, fingerprints) without loading OpenSSL.

`import hashlib` loads OpenSSL's libcrypto: about 12 M instructions of a cold `raccord check`,
which hashes only a few hundred bytes of keys when its files' digests are already known
(engine/cache.py). CPython's own SHA-256 module (`_sha256` up to 3.11, `_sha2` since 3.12) gives
the same digests at a fraction of that start-up; files are still hashed with hashlib (faster on
large inputs), imported where a file is read.
"""

from __future__ import annotations

from typing import Any

try:
    from _sha256 import sha256 as _builtin  # CPython <= 3.11
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256 as _builtin  # CPython >= 3.12
    except ImportError:  # a build without the built-in hashes: OpenSSL's
        _builtin = None


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash object (`update`, `hexdigest`), as `hashlib.sha256(data)`."""
    if _builtin is None:
        import hashlib

        return hashlib.sha256(data)
    return _builtin(data)
