"""Where the workspace keeps its data: the database URL, the evidence store and the session key."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

MAX_UPLOAD = 50 * 1024 * 1024  # bytes per evidence file; a larger upload is refused while streaming


def data_dir() -> Path:
    """RACCORD_DATA_DIR, else the XDG data folder ($XDG_DATA_HOME/raccord, ~/.local/share/raccord)."""
    explicit = os.environ.get("RACCORD_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "raccord"


def session_key(folder: Path) -> str:
    """The key signing session cookies: made on first start, kept owner-only (0600), never in the repo."""
    path = folder / "session.key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    folder: Path
    secret: str
    max_upload: int = MAX_UPLOAD
    secure_cookies: bool = False  # set behind HTTPS

    @property
    def blobs(self) -> Path:
        return self.folder / "evidence"

    @classmethod
    def from_environment(cls, database: str | None = None, folder: Path | None = None, max_upload: int = MAX_UPLOAD) -> Settings:
        folder = folder or data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        url = database or os.environ.get("RACCORD_DATABASE_URL") or f"sqlite:///{folder / 'raccord.db'}"
        return cls(normalise_url(url), folder, session_key(folder), max_upload)


def normalise_url(url: str) -> str:
    """postgresql://... means psycopg 3 (SQLAlchemy's default driver name is psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
