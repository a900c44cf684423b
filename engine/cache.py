"""An on-disk cache for what is slow to rebuild and the same from run to run: the loaded library
(parsed, validated, checked and compiled rulesets) and the pydantic validators.

Like Python's own `.pyc` files it is an optimisation only: every entry is keyed by a fingerprint
of the engine's source, of the PyYAML and pydantic-core versions and of the files it was built
from; an entry that cannot be read is rebuilt, and a cache directory that cannot be written is
simply not used. Each kind of entry keeps its `KEEP` most recently used builds (so alternating
`--ruleset-file grille.yaml` with the bundled rulesets hits both), older ones are removed.
The digests of files read on every run (the engine's source, the rulesets, a dossier's evidence)
are kept too, like git's index: by path, with the file's device, inode, size, modification and
change times, and used again only while all five are the same (`known_digest`). A program can set a
file's modification time back, not its change time (only the system clock can), so a rewritten file
is read again; an entry younger than `RACY_NS` is not kept (two writes within one tick of the file
system's clock would look the same). On Windows the "change time" is the creation time, so digests
are not kept there. `RACCORD_CACHE_DIR` chooses the directory (empty: no cache); the default is the platform's cache
folder: `$XDG_CACHE_HOME/raccord` or `~/.cache/raccord` on Linux and other Unixes,
`~/Library/Caches/raccord` on macOS, `%LOCALAPPDATA%\\raccord\\Cache` on Windows. Entries are
pickles written by this user for this user (mode 0600): do not point the cache at a directory
others can write to.
"""

from __future__ import annotations

import _pickle  # the C pickler alone: the `pickle` module's Python part costs a cold check 4 M instructions
import contextlib
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .sha import sha256

_FORMAT = b"raccord-cache/1"
KEEP = 8
_code_fingerprint: str | None = None
RACY_NS = 2_000_000_000  # a file changed this recently may change again within its timestamp's tick (FAT: 2 s)
MAX_DIGESTS = 20_000
_DIGESTS = "digests.marshal"
_digests: dict[str, tuple] | None = None  # path -> (device, inode, size, mtime_ns, ctime_ns, sha256 hex)
_digests_used: set[str] = set()  # read or recorded by this run
_digests_new: set[str] = set()  # recorded by this run, not yet saved


def directory() -> Path | None:
    chosen = os.environ.get("RACCORD_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    return platform_directory(sys.platform, os.environ)


def platform_directory(platform: str, environ: Mapping[str, str]) -> Path:
    """raccord's folder in the user's cache folder, where platformdirs puts it (without importing
    platformdirs: a warm start counts its milliseconds)."""
    if platform == "win32":
        local = environ.get("LOCALAPPDATA")
        return (Path(local) if local else Path.home() / "AppData" / "Local") / "raccord" / "Cache"
    if platform == "darwin":
        return Path.home() / "Library" / "Caches" / "raccord"
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "raccord"


def dependency_versions() -> str:
    """The versions of the libraries that shape what is cached: PyYAML reads the rulesets and
    pydantic-core validates them and is pickled in the validators. pydantic-core's is read from
    its installed metadata folder's name: importing it would cost commands that never use it."""
    import yaml

    return f"pyyaml {yaml.__version__}; pydantic-core {_installed_version('pydantic_core')}"


def _installed_version(name: str) -> str:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent.parent
        try:
            for entry in os.listdir(folder):
                if entry.startswith(f"{name}-") and entry.endswith(".dist-info"):
                    return entry[len(name) + 1:-len(".dist-info")]
        except OSError:
            pass
    module = __import__(name)
    return str(getattr(module, "__version__", "unknown"))


def code_fingerprint() -> str:
    """What the engine's code, its libraries and Python make of the same input: a change to any invalidates."""
    global _code_fingerprint
    if _code_fingerprint is None:
        digest = sha256(_FORMAT + sys.version.encode() + dependency_versions().encode())
        for path in _engine_sources():
            digest.update(os.path.basename(path).encode() + b"\0" + file_digest(path).encode())
        save_digests()
        _code_fingerprint = digest.hexdigest()
    return _code_fingerprint


def _engine_sources() -> list[str]:
    """The engine's `.py` files, in the order of `sorted(Path(...).rglob("*.py"))` (by path parts),
    listed with os.walk: strings, not a Path object per file and per folder."""
    found = []
    for folder, _, names in os.walk(os.path.dirname(os.path.abspath(__file__))):
        found += [os.path.join(folder, name) for name in names if name.endswith(".py")]
    return sorted(found, key=lambda path: path.split(os.sep))


def _trusted(info: os.stat_result, now_ns: int) -> bool:
    return os.name != "nt" and now_ns - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS


def known_digest(path: str, info: os.stat_result) -> str | None:
    """The sha256 of the file at `path` (`info` its `os.stat`) recorded by an earlier run, if the file
    is still the same one, unchanged since (see the module); None otherwise."""
    global _digests
    if _digests is None:
        _digests = _read_digests()
    entry = _digests.get(path)
    if entry is None or entry[:5] != (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns):
        return None
    _digests_used.add(path)  # kept when the store is trimmed
    return entry[5]


def remember_digest(path: str, info: os.stat_result, digest: str) -> None:
    """Record the sha256 of the file at `path`, read while its `os.stat` was `info` (call
    `save_digests` once done)."""
    global _digests
    if _digests is None:
        _digests = _read_digests()
    if _trusted(info, time.time_ns()) and directory() is not None:
        _digests[path] = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, digest)
        _digests_used.add(path)
        _digests_new.add(path)


def file_digest(path: str) -> str:
    """The sha256 of a file the engine reads on every run, from the digests store when it is unchanged."""
    info = os.stat(path)
    found = known_digest(path, info)
    if found is None:
        import hashlib  # OpenSSL, loaded only when a file has to be read (engine/sha.py)

        with open(path, "rb") as handle:
            found = hashlib.sha256(handle.read()).hexdigest()
        remember_digest(path, info, found)
    return found


def _read_digests() -> dict[str, tuple]:
    folder = directory()
    if folder is None:
        return {}
    import marshal

    try:
        with open(folder / _DIGESTS, "rb") as handle:
            if handle.read(len(_FORMAT)) != _FORMAT:
                return {}
            found = marshal.load(handle)
    except Exception:
        return {}
    return found if isinstance(found, dict) else {}


def save_digests() -> None:
    """Write the digests store if this run recorded new digests (the last writer wins: it is a cache)."""
    global _digests
    folder = directory()
    if _digests is None or not _digests_new or folder is None:
        return
    import marshal

    if len(_digests) > MAX_DIGESTS:  # keep those this run used
        _digests = {path: _digests[path] for path in _digests_used if path in _digests}
    data = _FORMAT + marshal.dumps(_digests)
    with contextlib.suppress(Exception):  # an optimisation only
        from .atomic import replace_file

        replace_file(folder / _DIGESTS, lambda handle: handle.write(data), mode=0o600)
    _digests_new.clear()


def fingerprint(*parts: bytes | str) -> str:
    digest = sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()


def _path(key: str, print_: str) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{key}-{print_[:24]}.pickle"


def _touch(path: Path) -> None:
    """Mark an entry used now: its modification time orders the entries (access times are often
    not kept, and a file system's clock tick can be coarser than two runs)."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def load(key: str, print_: str) -> Any | None:
    path = _path(key, print_)
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            if handle.read(len(_FORMAT)) != _FORMAT:
                return None
            value = _pickle.load(handle)
    except Exception:
        return None
    with contextlib.suppress(OSError):  # a read-only cache is still a cache
        _touch(path)
    return value


def store(key: str, print_: str, value: Any) -> None:
    path = _path(key, print_)
    if path is None:
        return
    try:
        from .atomic import replace_file

        def write(handle) -> None:
            handle.write(_FORMAT)
            _pickle.dump(value, handle, protocol=5)  # pickle.HIGHEST_PROTOCOL of Python 3.8+

        replace_file(path, write, mode=0o600)
        _touch(path)
        _evict(path.parent, key)
    except Exception:
        pass  # an optimisation only: an unwritable folder or a value that does not pickle is not an error


def _evict(folder: Path, key: str) -> None:
    """Keep the `KEEP` most recently used entries of `key`."""
    entries = []
    for entry in folder.glob(f"{key}-*.pickle"):
        try:
            entries.append((entry.stat().st_mtime_ns, entry.name, entry))
        except OSError:
            continue
    for _, _, entry in sorted(entries, reverse=True)[KEEP:]:
        entry.unlink(missing_ok=True)
