"""Writing outputs atomically (engine/atomic.py): a reader never sees half a file, a crash never
leaves one, and a file that cannot be written is a located error (exit 2), not a crash."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from raccord.engine import InputError
from raccord.engine.atomic import replace_file

# Why a write failed, in the user's words; other errors keep the system's text.
REASONS = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "permission refusée",
    errno.ENOENT: "dossier introuvable",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.EEXIST: "un élément du chemin est un fichier, pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EINVAL: "ce n'est pas un fichier ordinaire",
}


class WriteError(InputError, OSError):
    """An output that could not be written: a located error (exit 2) for the callers that let it
    through, and still the OSError it was for those that catch that and word it themselves."""


def write_atomic(path: Path, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic_with(path, lambda handle: handle.write(payload))


def write_atomic_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write `path` through `write(handle)`; an existing file keeps its permissions, a new one is 0644
    (reports are meant to be shared)."""
    try:
        replace_file(path, write, mode=0o644)
    except OSError as exc:
        reason = REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        error = WriteError(str(path), f"impossible d'écrire le fichier : {reason}",
                           "vérifiez le chemin et les droits d'écriture, ou choisissez un autre fichier")
        error.errno, error.strerror, error.filename = exc.errno, exc.strerror, str(path)
        raise error from None
