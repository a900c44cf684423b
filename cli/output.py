"""Writing outputs atomically (engine/atomic.py): a reader never sees half a file, a crash never
leaves one, and a file that cannot be written is a located error (exit 2), not a crash. Every
file the CLI writes goes through `write_atomic_with`."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from raccord.engine import InputError
from raccord.engine.atomic import SpecialFileError, replace_file
from raccord.engine.errors import Bilingual
from raccord.engine.source_files import is_input

# Why a write failed, in the user's words; other errors keep the system's text.
REASONS = {
    errno.EACCES: Bilingual("permission refusée", "permission denied"),
    errno.EPERM: Bilingual("permission refusée", "permission denied"),
    errno.ENOENT: Bilingual("dossier introuvable", "folder not found"),
    errno.EISDIR: Bilingual("c'est un dossier", "it is a folder"),
    errno.ENOTDIR: Bilingual("un élément du chemin est un fichier, pas un dossier", "a part of the path is a file, not a folder"),
    errno.EEXIST: Bilingual("un élément du chemin est un fichier, pas un dossier", "a part of the path is a file, not a folder"),
    errno.ENOSPC: Bilingual("plus de place sur le disque", "no space left on the disk"),
    errno.EDQUOT: Bilingual("quota disque dépassé", "disk quota exceeded"),
    errno.EROFS: Bilingual("système de fichiers en lecture seule", "read-only file system"),
    errno.EINVAL: Bilingual("ce n'est pas un fichier ordinaire", "not a regular file"),
}
NO_FILES_HERE = Bilingual("ce dossier n'accepte pas de fichiers", "this folder does not take files")
SPECIAL = Bilingual("ce n'est pas un fichier ordinaire (un périphérique, un tube ou la sortie standard)",
                    "not a regular file (a device, a pipe or the standard output)")
SPECIAL_HINT = Bilingual("sans -o, le résultat va sur la sortie standard : redirigez-la (> fichier, | commande)",
                         "without -o the result goes to standard output: redirect it (> file, | command)")
HINT = Bilingual("vérifiez le chemin et les droits d'écriture, ou choisissez un autre fichier",
                 "check the path and the write permissions, or choose another file")


class WriteError(InputError, OSError):
    """An output that could not be written: a located error (exit 2) for the callers that let it
    through, and still the OSError it was for those that catch that and word it themselves."""


def write_atomic(path: Path, data: bytes | str, replaces_input: bool = False) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic_with(path, lambda handle: handle.write(payload), replaces_input)


def write_atomic_with(path: Path, write: Callable[[BinaryIO], object], replaces_input: bool = False) -> None:
    """Write `path` through `write(handle)`; an existing file keeps its permissions, a new one is 0644
    (reports are meant to be shared). A file this command read is refused unless `replaces_input`
    (`evidence add` rewrites its dossier on purpose): `-o` naming the dossier would lose it."""
    if not replaces_input:
        try:
            refuse = is_input(os.stat(path))
        except (OSError, ValueError):
            refuse = False  # not there (or unreachable): writing says why, if it cannot
        if refuse:
            raise WriteError(str(path), Bilingual("ce fichier est une entrée de cette commande, il serait écrasé",
                                                  "this file is an input of this command, it would be overwritten"),
                             Bilingual("choisissez un autre fichier de sortie", "choose another output file"))
    try:
        replace_file(path, write, mode=0o644)
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path: Path, exc: OSError) -> WriteError:
    if isinstance(exc, SpecialFileError):
        reason, hint = SPECIAL, SPECIAL_HINT
    elif exc.errno == errno.ENOENT and path.parent.is_dir():
        reason, hint = NO_FILES_HERE, HINT  # /proc, /sys: the folder is there, it takes no new file
    else:
        reason = REASONS.get(exc.errno or 0) or Bilingual(exc.strerror or str(exc), exc.strerror or str(exc))
        hint = HINT
    error = WriteError(str(path), Bilingual(f"impossible d'écrire le fichier : {reason.fr}",
                                            f"cannot write the file: {reason.en}"), hint)
    error.errno, error.strerror, error.filename = exc.errno, exc.strerror, str(path)
    return error
