"""Evidence integrity: is each registered file still there, inside the dossier folder, unchanged?

The engine never reads evidence files (no I/O); the CLI checks them here and hands the problems to
`evaluate(..., integrity={evidence_id: state})`, where a problem makes the item not count.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from dataclasses import field
from pathlib import Path, PurePosixPath

from raccord.engine import Bilingual, Dossier, InputError, cache
from raccord.engine.dossier import EvidenceItem, confined_relative_path
from raccord.engine.record import Record, record
from raccord.engine.source_files import note_input

from .i18n import MESSAGES, words

# File states. The first three are integrity problems: the item does not count.
OK = "ok"
MISSING_FILE = "missing_file"
MODIFIED = "modified"
OUTSIDE_DOSSIER = "outside_dossier"
PROBLEMS = (MISSING_FILE, MODIFIED, OUTSIDE_DOSSIER)
# Informational: nothing to check, or nothing to compare with.
UNHASHED = "unhashed"  # a file, but no sha256 registered: changes cannot be detected
URL = "url"  # an online document: not checked offline
URL_COPY = "url_copy"  # an online document whose saved copy (`copy:`) is unchanged; the page itself is not checked
NO_FILE = "no_file"  # neither path nor url

CHUNK = 1 << 20

WORDS: dict[str, dict[str, str]] = {
    OK: {"fr": "intacte", "en": "unchanged"},
    MISSING_FILE: {"fr": "fichier absent", "en": "missing file"},
    MODIFIED: {"fr": "modifiée depuis l'enregistrement", "en": "modified since registration"},
    OUTSIDE_DOSSIER: {"fr": "hors du dossier (refusée)", "en": "outside the dossier folder (refused)"},
    "unhashed": {"fr": "sans empreinte enregistrée", "en": "no registered fingerprint"},
    "url": {"fr": "document en ligne (non vérifié)", "en": "online document (not checked)"},
    "url_copy": {"fr": "copie enregistrée intacte (le document en ligne lui-même n'est pas vérifié)",
                 "en": "saved copy unchanged (the online document itself is not checked)"},
    "no_file": {"fr": "sans fichier", "en": "no file"},
    "expired": {"fr": "expirée à la date d'évaluation", "en": "expired at the evaluation date"},
    "not_yet_collected": {"fr": "datée après la date d'évaluation", "en": "dated after the evaluation date"},
    "valid": {"fr": "en cours de validité", "en": "valid"},
    "pending": {"fr": "en attente", "en": "pending"},
    "accepted": {"fr": "acceptée", "en": "accepted"},
    "rejected": {"fr": "rejetée", "en": "rejected"},
    "auditor": {"fr": "auditeur", "en": "auditor"},
    "register": {"fr": "Registre des preuves", "en": "Evidence register"},
    "items": {"fr": "éléments", "en": "items"},
    "changes": {"fr": "critères dont le statut change", "en": "criteria whose status changes"},
    "all_ok": {"fr": "Toutes les preuves sont intactes et valides.", "en": "All evidence is unchanged and valid."},
    "problems": {"fr": "{n:problème|problèmes}", "en": "{n:problem|problems}"},
}


w = words(WORDS, MESSAGES)  # the evidence register's words, then the shared ones


@record(positional=True)
class FileCheck(Record):
    """What the disk says about one evidence item."""

    id: str
    state: str
    detail: str = ""
    sha256: str | None = None  # computed now (None when the file could not be read)
    size: int | None = None
    path: Path | None = None  # absolute, resolved (only when confined)

    @property
    def problem(self) -> bool:
        return self.state in PROBLEMS


@record(positional=True, frozen=False)
class ItemReport(Record):
    """One evidence item for `verify` and the reports: file, date and auditor states together."""

    item: EvidenceItem
    file: FileCheck
    dates: str  # valid | expired | not_yet_collected (at the evaluation date)
    changes: list[dict] = field(default_factory=list)  # criteria whose status this item's problem changes


def sha256_file(path: str | Path) -> tuple[str, int]:
    """Digest and size of a regular file. Opened without blocking and checked before reading: a
    dossier path naming a pipe or a device must not hang or read forever."""
    import hashlib  # OpenSSL, loaded only when a file has to be read (engine/sha.py)

    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file")
        note_input(info)  # an evidence file is an input: `-o` must not write over it (cli/output.py)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def remembered_sha256(path: str) -> tuple[str, int]:
    """`sha256_file`, taken from the cache's digests when the file is the one an earlier run read,
    unchanged since (engine/cache.py says when a change could go unseen); `raccord evidence verify`
    reads every file."""
    info = os.stat(path)
    regular = stat.S_ISREG(info.st_mode)
    if regular and os.access(path, os.R_OK):
        found = cache.known_digest(path, info)
        if found is not None:
            note_input(info)
            return found, info.st_size
    digest, size = sha256_file(path)
    if regular:
        cache.remember_digest(path, info, digest)
    return digest, size


class Confinement:
    """Resolves the paths a dossier names inside its folder, refusing `..`, absolute paths and
    symlinks that leave it. Resolving costs a system call per path component, so each folder is
    resolved once: a file is then one `lstat` (is it a symlink?) in an already resolved folder."""

    def __init__(self, base_dir: Path) -> None:
        self.root = os.path.realpath(base_dir)
        self._inside = self.root.rstrip(os.sep) + os.sep
        self._folders: dict[PurePosixPath, str] = {}

    def resolve(self, relative: str) -> str:
        """The absolute, resolved path; ValueError with a one-line reason when it is refused."""
        rel = confined_relative_path(relative)
        parent = rel.parent
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = os.path.realpath(os.path.join(self.root, *parent.parts))
        target = os.path.normpath(os.path.join(folder, rel.name))  # `folder` is real: a lexical `..` is exact
        if os.path.islink(target):
            target = os.path.realpath(target)
        if target != self.root and not target.startswith(self._inside):
            raise ValueError(f"path '{relative}' resolves outside the dossier folder (symlink to {target})")
        return target


def confine(base_dir: Path, relative: str) -> Path:
    """The file a dossier path names (see `Confinement`); ValueError when it is refused."""
    return Path(Confinement(base_dir).resolve(relative))


def file_of(item: EvidenceItem) -> tuple[str | None, str]:
    """The file an item names in its folder and the dossier key naming it: its `path`, or the saved
    copy of an online item (`copy:`), checked like a file (the page itself never is: URL_COPY)."""
    return (item.path, "path") if item.path is not None else (item.copy, "copy")


def check_file(item: EvidenceItem, folder: Confinement, remembered: bool = False) -> FileCheck:
    state, detail, digest, size, target = _checked(item, folder, remembered)
    return FileCheck(item.id, state, detail, digest, size, None if target is None else Path(target))


def _checked(item: EvidenceItem, folder: Confinement, remembered: bool) -> tuple[str, str, str | None, int | None, str | None]:
    """(state, detail, sha256, size, resolved path) of one item's file: `check_file` without the record."""
    relative = file_of(item)[0]
    if relative is None:
        return URL if item.url else NO_FILE, "", None, None, None
    try:
        target = folder.resolve(relative)
    except ValueError as exc:
        return OUTSIDE_DOSSIER, str(exc), None, None, None
    try:
        digest, actual_size = (remembered_sha256 if remembered else sha256_file)(target)
    except (FileNotFoundError, NotADirectoryError):
        return MISSING_FILE, f"{relative}: file not found", None, None, target
    except IsADirectoryError:
        return MISSING_FILE, f"{relative}: is a folder", None, None, target
    except OSError as exc:
        return MISSING_FILE, f"{relative}: cannot read ({exc.strerror})", None, None, target
    problems = []
    if item.size is not None and actual_size != item.size:
        problems.append(f"size {actual_size} instead of {item.size}")
    if item.sha256 is not None and digest != item.sha256:
        problems.append(f"sha256 {digest[:12]}… instead of {item.sha256[:12]}…")
    if problems:
        return MODIFIED, "; ".join(problems), digest, actual_size, target
    state = UNHASHED if item.sha256 is None else (OK if item.path is not None else URL_COPY)
    return state, "", digest, actual_size, target


def check_files(dossier: Dossier, remembered: bool = False) -> dict[str, FileCheck]:
    """Each evidence item's file checked; `remembered` takes the digests of files unchanged since an
    earlier run from the cache (an evaluation's integrity) instead of reading every file."""
    folder = Confinement(dossier.base_dir)
    checks = {item.id: check_file(item, folder, remembered) for item in dossier.file.evidence}
    if remembered:
        cache.save_digests()
    return checks


def integrity_problems(checks: dict[str, FileCheck]) -> dict[str, str]:
    """{evidence id: state} for the items that must not count (what `evaluate(integrity=...)` takes)."""
    return {eid: check.state for eid, check in checks.items() if check.problem}


def compute_integrity(dossier: Dossier) -> dict[str, str]:
    """`integrity_problems(check_files(dossier, remembered=True))`, without a record or a Path per file."""
    folder = Confinement(dossier.base_dir)
    states = {item.id: _checked(item, folder, True)[0] for item in dossier.file.evidence}
    cache.save_digests()
    return {eid: state for eid, state in states.items() if state in PROBLEMS}


def date_state(item: EvidenceItem, as_of: dt.date) -> str:
    if item.collected is not None and item.collected > as_of:
        return "not_yet_collected"
    if item.expires is not None and item.expires < as_of:
        return "expired"
    return "valid"


def relative_to_dossier(base_dir: Path, file: Path) -> str:
    """The path to write in the dossier for a file given on the command line (refused if outside)."""
    root = base_dir.resolve()
    lexical = Path(os.path.abspath(file))
    try:
        rel = lexical.relative_to(Path(os.path.abspath(base_dir)))
    except ValueError:
        try:
            rel = lexical.relative_to(root)
        except ValueError:
            raise InputError(str(file), Bilingual("fichier hors du dossier", "file is outside the dossier folder"),
                             Bilingual(f"les fichiers de preuve sont rangés sous {root} (copiez-le d'abord)",
                                       f"evidence files must live under {root} (copy it there first)")) from None
    text = rel.as_posix()
    try:
        confine(root, text)
    except ValueError as exc:
        from raccord.engine.messages_fr import bilingual  # only when an error is shown

        raise InputError(str(file), bilingual(str(exc)), Bilingual(f"les fichiers de preuve sont rangés sous {root}",
                                                         f"evidence files must live under {root}")) from None
    return text
