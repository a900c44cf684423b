"""One way to write a file: a reader never sees half of it, a crash never leaves a broken one.

The engine itself writes only its cache (engine/cache.py); the CLI writes its outputs through
cli/output.py, which turns a failure into a located error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

STALE_SECONDS = 3600  # a temporary file this old is left by a writer that died (kill -9, power cut)
_WRITER = re.compile(r"\.raccord-(\d+)\.tmp$")


class SpecialFileError(OSError):
    """The target is a device, a named pipe or a socket: nothing raccord should replace or write into
    (`-o /dev/null` as root would replace the system's, a pipe would block)."""


def temporary_name(path: Path) -> Path:
    """The one temporary file a writer uses for `path`: hidden beside it, named after the writing
    process, so that one killed mid-way leaves a name the next write recognises and removes."""
    return path.parent / f".{path.name}.raccord-{os.getpid()}.tmp"


def replace_file(path: Path, write: Callable[[BinaryIO], object], mode: int = 0o644) -> None:
    """Write `path` with `write(handle)`: into a temporary file of the same folder, flushed to disk,
    then renamed over `path`. A file already there keeps its permissions (a private report stays
    private) and, where allowed, its owner; a new one gets `mode`. A symbolic link is followed: the
    file it names is replaced and the link kept. A folder is refused (IsADirectoryError), and so is
    anything but a regular file (SpecialFileError): a device, a named pipe, `/dev/stdout` on a pipe.
    On any failure the temporary file is removed, the old file is left as it was, and the error is
    raised (OSError for the file system)."""
    try:
        current = os.stat(path)  # follows links, /proc's included: /dev/stdout is the pipe it is
    except FileNotFoundError:
        current = None
    if current is not None and not stat.S_ISREG(current.st_mode):
        if stat.S_ISDIR(current.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise SpecialFileError(errno.EINVAL, "not a regular file", str(path))
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    temporary = temporary_name(path)
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:  # another thread of this process writes the same file: a name of its own
        import tempfile

        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if current is not None:
            os.chmod(temporary, stat.S_IMODE(current.st_mode))
            if hasattr(os, "chown") and (current.st_uid, current.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(PermissionError):  # only root may give a file away
                    os.chown(temporary, current.st_uid, current.st_gid)
        else:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of `path` left by a writer killed mid-way (nothing else would ever remove
    them): one whose writing process is gone, or older than `STALE_SECONDS` (a name of another
    form, or a process of another machine sharing the folder)."""
    import glob

    limit = time.time() - STALE_SECONDS
    for name in glob.glob(glob.escape(str(path.parent / f".{path.name}.")) + "*.tmp"):
        writer = _WRITER.search(name)
        with contextlib.suppress(OSError):
            if (writer and not _running(int(writer.group(1)))) or os.lstat(name).st_mtime < limit:
                os.unlink(name)


def _running(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would send a Ctrl-C there: the age decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # another user's process, or no way to tell: the age decides
    return True
