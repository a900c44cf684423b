"""Reading a received zip safely: what a zip tool would do with each entry, and its content streamed.

Nothing here extracts anything on its own: `stream` hands the bytes to a sink the caller chose (a
hash, or a file inside a temporary folder). Every way a zip can be broken (bad CRC, encrypted entry,
unknown compression, local header naming another file, truncated data) is turned into an
`EntryError` with a French and English reason, so the caller can give a verdict instead of crashing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from raccord.engine import InputError
from raccord.engine.errors import Bilingual

CHUNK = 1 << 20
SUPPORTED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
                     zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


class EntryError(Exception):
    """An entry that cannot be read as it claims: `state` is the verdict's key, `detail` the reason."""

    def __init__(self, state: str, detail: Bilingual) -> None:
        super().__init__(detail.fr)
        self.state = state
        self.detail = detail


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip at `path`, opened only if it is a regular file (a FIFO would block, a device read
    forever); a located error (exit 2) when it is not a readable zip."""
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(where, Bilingual("fichier introuvable", "file not found"),
                         Bilingual("vérifiez le chemin", "check the path")) from None
    except OSError as exc:
        raise InputError(where, Bilingual(f"lecture impossible ({exc.strerror})", f"cannot read ({exc.strerror})")) from None
    handle = open(fd, "rb")  # noqa: SIM115 (owned by the ZipFile returned, closed with it)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        kind = Bilingual("c'est un dossier", "is a folder") if stat.S_ISDIR(mode) else \
            Bilingual("ce n'est pas un fichier ordinaire (tube, périphérique…)", "not a regular file (pipe, device…)")
        raise InputError(where, kind, Bilingual("donnez le fichier .zip du paquet", "give the bundle's .zip file"))
    try:
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        handle.close()
        why = "répertoire central introuvable" if isinstance(exc, zipfile.BadZipFile) else str(exc)  # zipfile's words are English
        raise InputError(where, Bilingual(f"archive zip illisible ({why})", f"not a readable zip file ({exc})"),
                         Bilingual("fichier tronqué ou abîmé ? demandez un nouvel envoi du paquet",
                                   "truncated or damaged file? ask for the bundle to be sent again")) from None


def unsafe_name(name: str) -> Bilingual | None:
    """Why a zip tool would write this name outside its target folder (or could not write it as
    named), or None when it is an ordinary relative file name."""
    pure = PurePosixPath(name)
    if "\\" in name:
        return Bilingual("barre oblique inverse dans le nom", "backslash in the name")
    if pure.is_absolute() or (pure.parts and (pure.parts[0].endswith(":") or name.startswith("//"))):
        return Bilingual("chemin absolu", "absolute path")
    if ".." in pure.parts:
        return Bilingual("« .. » sortirait du dossier de destination", "`..` would leave the target folder")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return Bilingual("caractère de contrôle dans le nom", "control character in the name")
    if not pure.parts:
        return Bilingual("nom vide", "empty name")
    return None


def entry_kind(info: zipfile.ZipInfo) -> str:
    """file | directory | symlink | special (device, FIFO…): what unzip would create."""
    if info.filename.endswith("/") or info.external_attr & 0x10:  # MS-DOS directory attribute
        return "directory"
    mode = info.external_attr >> 16
    if stat.S_IFMT(mode) == 0 or stat.S_ISREG(mode):  # no type bits: permissions only (Python's own writestr)
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    return "symlink" if stat.S_ISLNK(mode) else "special"


def check_readable(info: zipfile.ZipInfo) -> None:
    """Refuse before reading what cannot be read honestly (encrypted, unknown compression)."""
    if info.flag_bits & 0x1:
        raise EntryError("unreadable", Bilingual("entrée chiffrée (mot de passe) : refusée", "encrypted entry: refused"))
    if info.compress_type not in SUPPORTED_METHODS:
        raise EntryError("unreadable", Bilingual(f"méthode de compression {info.compress_type} non prise en charge",
                                                 f"unsupported compression method {info.compress_type}"))


def stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink: Callable[[bytes], object]) -> int:
    """Feed the entry's bytes to `sink` chunk by chunk (memory stays at one chunk); the number of
    bytes. The output is bounded by the size the central directory declares (zipfile stops there,
    then checks the CRC), so a zip bomb costs no more than the size it admits to."""
    check_readable(info)
    try:
        handle = zf.open(info)
    except zipfile.BadZipFile as exc:
        raise EntryError("unreadable", Bilingual(f"en-tête local incohérent avec le répertoire central ({exc})",
                                                 f"local header does not match the central directory ({exc})")) from None
    except (NotImplementedError, RuntimeError, OSError, ValueError, EOFError, zlib.error) as exc:
        raise EntryError("unreadable", Bilingual(f"entrée illisible ({exc})", f"unreadable entry ({exc})")) from None
    size = 0
    try:
        with handle:
            while chunk := handle.read(CHUNK):
                sink(chunk)
                size += len(chunk)
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):
            raise EntryError("unreadable", Bilingual("somme de contrôle CRC-32 fausse : contenu abîmé",
                                                     "bad CRC-32: damaged content")) from None
        raise EntryError("unreadable", Bilingual(f"entrée abîmée ({exc})", f"damaged entry ({exc})")) from None
    except (EOFError, zlib.error, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise EntryError("unreadable", Bilingual(f"données tronquées ou abîmées ({exc})",
                                                 f"truncated or damaged data ({exc})")) from None
    return size


def digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, copy_to: BinaryIO | None = None) -> tuple[str, int]:
    """sha256 and size of an entry, optionally copying it to an open file as it streams."""
    hasher = hashlib.sha256()

    def sink(chunk: bytes) -> None:
        hasher.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)

    size = stream(zf, info, sink)
    return hasher.hexdigest(), size


def read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A whole entry that must be small (the manifest, the signature), refused above `limit`
    before anything is read."""
    if info.file_size > limit:
        raise EntryError("too_large", Bilingual(f"{info.file_size} octets, au-delà de la limite de {limit} octets",
                                                f"{info.file_size} bytes, over the {limit}-byte limit"))
    parts: list[bytes] = []
    stream(zf, info, parts.append)
    return b"".join(parts)


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
