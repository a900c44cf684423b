"""Shared fixtures of the workspace tests (tests/test_web*.py): a workspace on SQLite and, the same
tests, on a throwaway PostgreSQL server (Debian's binaries, started on a loopback port as the
`postgres` user when the tests run as root, stopped at the end)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.support import requires

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TODAY = dt.date(2025, 10, 15)
PASSWORD = "motdepasse-solide"
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

try:
    import sqlalchemy  # noqa: F401
    import starlette  # noqa: F401
    WEB = True
except ImportError:  # the `web` extra is not installed
    WEB = False

requires_web = requires(WEB, "the web extra", "pip install -e '.[web,web-test]'")
requires_postgres = requires((PG_BIN / "initdb").exists(), "PostgreSQL 15", "apt-get install postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; as root, the server runs as `postgres` (it refuses root)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="raccord-pg-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        data = self.folder / "data"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "raccord", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"postgresql://raccord@127.0.0.1:{self.port}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://raccord@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    try:
        server.start()
    except (subprocess.CalledProcessError, FileNotFoundError, KeyError) as error:
        server.stop()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no local PostgreSQL server could be started: {error}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires_postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'raccord.db'}"
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture
def workspace(database_url, tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    from raccord.web import security
    from raccord.web.app import create_app

    # The tests log in hundreds of times: argon2 at its lowest cost (the server keeps the library's defaults).
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    from raccord.web.config import Settings, normalise_url, session_key

    folder = tmp_path / "data"
    folder.mkdir()
    settings = Settings(normalise_url(database_url), folder, session_key(folder), max_upload=5 * 1024 * 1024)
    app = create_app(settings, engine=shared_engine(), today=lambda: TODAY)
    yield app
    app.state.workspace.dispose()


_ENGINE = []


def shared_engine():
    """One loaded library for every workspace of the run (loading is the same work each time)."""
    if not _ENGINE:
        from raccord.engine import Engine

        _ENGINE.append(Engine.load())
    return _ENGINE[0]


def add_user(app, email: str, name: str | None = None, password: str = PASSWORD):
    from raccord.web.models import User
    from raccord.web.security import hash_password, now

    ws = app.state.workspace
    with ws.sessions() as db:
        user = User(email=email, name=name or email.split("@")[0], password_hash=hash_password(password), created=now())
        db.add(user)
        db.commit()
        return user


def add_member(app, email: str, slug: str, role: str) -> None:
    from sqlalchemy import select

    from raccord.web.models import Membership, Production, User

    ws = app.state.workspace
    with ws.sessions() as db:
        user = db.scalar(select(User).where(User.email == email))
        production = db.scalar(select(Production).where(Production.slug == slug))
        db.add(Membership(user_id=user.id, production_id=production.id, role=role))
        db.commit()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match[1]


def version_of(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html)[1])


def client_for(app):
    from starlette.testclient import TestClient

    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def login(app, email: str, password: str = PASSWORD):
    client = client_for(app)
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf": csrf_of(page.text), "next": "/"})
    assert response.status_code == 303, response.text[:500]
    return client


def post_form(client, url: str, data: dict, page_url: str | None = None):
    """Post a form the way a browser does: read the page first for its CSRF token and version."""
    page = client.get(page_url or url)
    fields = {"csrf": csrf_of(page.text), **data}
    if "version" not in data and 'name="version"' in page.text:
        fields["version"] = version_of(page.text)
    return client.post(url, data=fields)


def team(app, slug: str = "film") -> dict[str, object]:
    """A production `slug` owned by a producer, with one member per other role; logged-in clients."""
    from raccord.web import store
    from raccord.web.models import User

    roles = ["producer", "coordinator", "vhss_referent", "auditor", "viewer"]
    for role in roles:
        add_user(app, f"{role}@{slug}.test", role.capitalize())
    ws = app.state.workspace
    with ws.sessions() as db:
        from sqlalchemy import select

        owner = db.scalar(select(User).where(User.email == f"producer@{slug}.test"))
        store.create_production(db, owner, slug, "Le Film")
        db.commit()
    for role in roles[1:]:
        add_member(app, f"{role}@{slug}.test", slug, role)
    return {role: login(app, f"{role}@{slug}.test") for role in roles}


def example_zip(example: str, with_audit: bool = False) -> bytes:
    """An example folder as a zip; without the auditor's file it may have (the feature film's
    intermediate audit) unless `with_audit`: the tests record their own reviews from none."""
    import io
    import zipfile

    out = io.BytesIO()
    folder = EXAMPLES / example
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (with_audit or not path.name.endswith(".audit.yaml")):
                archive.write(path, path.relative_to(folder).as_posix())
    return out.getvalue()


def import_example(app, client, slug: str, example: str, csrf: str | None = None, version: int | None = None):
    """Import an example folder as a zip through the import form."""
    if csrf is None:
        page = client.get(f"/p/{slug}/downloads")
        csrf, version = csrf_of(page.text), version_of(page.text)
    return client.post(f"/p/{slug}/import", data={"csrf": csrf, "version": version},
                       files={"file": ("dossier.zip", example_zip(example), "application/zip")})
