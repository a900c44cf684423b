"""One way to write a file: a reader never sees half of it, a crash never leaves a broken one.

The engine itself writes only its cache (engine/cache.py); the CLI writes its outputs through
cli/output.py, which turns a failure into a located error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

STALE_SECONDS = 3600  # a temporary file this old is left by a writer that died (kill -9, power cut)


def replace_file(path: Path, write: Callable[[BinaryIO], object], mode: int = 0o644) -> None:
    """Write `path` with `write(handle)`: into a temporary file of the same folder, flushed to disk,
    then renamed over `path`. A file already there keeps its permissions (a private report stays
    private); a new one gets `mode`. A symbolic link is followed: the file it names is replaced and
    the link kept. A character device or a named pipe (`/dev/null`, `/dev/stdout`) is written to
    as it is, there is nothing to replace; a folder or a block device is refused. On any failure
    the temporary file is removed, the old file is left as it was, and the error is raised
    (OSError for the file system)."""
    import tempfile  # here: a plain `check` to the terminal does not pay for it

    path = Path(os.path.realpath(path))
    try:
        current = path.stat()
    except FileNotFoundError:
        current = None
    if current is not None and not stat.S_ISREG(current.st_mode):
        if stat.S_ISCHR(current.st_mode) or stat.S_ISFIFO(current.st_mode):
            with path.open("wb") as handle:
                write(handle)
            return
        if stat.S_ISDIR(current.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
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


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of `path` left by a writer killed mid-way: nothing else would ever remove them."""
    import glob

    limit = time.time() - STALE_SECONDS
    for name in glob.glob(glob.escape(str(path.parent / f".{path.name}.")) + "*.tmp"):
        with contextlib.suppress(OSError):
            if os.lstat(name).st_mtime < limit:
                os.unlink(name)
