"""One way to write a file: a reader never sees half of it, a crash never leaves a broken one.

The engine itself writes only its cache (engine/cache.py); the CLI writes its outputs through
cli/output.py, which turns a failure into a located error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def replace_file(path: Path, write: Callable[[BinaryIO], object], mode: int = 0o644) -> None:
    """Write `path` with `write(handle)`: into a temporary file of the same folder, flushed to disk,
    then renamed over `path`. A file already there keeps its permissions (a private report stays
    private); a new one gets `mode`. A symbolic link is followed: the file it names is replaced and
    the link kept. Only a regular file is replaced: a folder, a device or a pipe is refused. On any
    failure the temporary file is removed, the old file is left as it was, and the error is raised
    (OSError for the file system)."""
    import tempfile  # here: a plain `check` to the terminal does not pay for it

    path = Path(os.path.realpath(path))
    try:
        current = path.stat()
    except FileNotFoundError:
        current = None
    if current is not None and not stat.S_ISREG(current.st_mode):
        if stat.S_ISDIR(current.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(current.st_mode) if current is not None else mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
