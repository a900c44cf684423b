"""The server as it runs (`python -m raccord serve`, a separate process): killed with SIGKILL in the
middle of a stream of writes, it loses no change it had acknowledged, and restarted it resumes; a
200 MB upload is refused without the server's memory growing by anything like it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.web_helpers import PASSWORD, database_url, postgres_server, requires_web  # noqa: F401

pytestmark = requires_web
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, folder: Path, url: str, workers: int = 1) -> None:
        self.folder, self.url, self.port, self.workers = folder, url, free_port(), workers
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "RACCORD_DATA_DIR": str(self.folder), "RACCORD_DATABASE_URL": self.url}
        self.process = subprocess.Popen([sys.executable, "-m", "raccord", "serve", "--port", str(self.port),
                                         "--workers", str(self.workers)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the server did not start: " + self.process.stderr.read1().decode())

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the server and its worker processes, if any
        self.process.wait(10)

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn started (multiprocessing's spawn; not its resource tracker)."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        children = [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]
        return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]

    def peak_memory_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1])


@pytest.fixture
def server(tmp_path, database_url):  # noqa: F811
    """A data folder with one producer and one production, then the server started on it."""
    running = started(tmp_path, database_url)
    yield running
    if running.process.poll() is None:
        running.kill()


def started(tmp_path: Path, given_url: str, workers: int = 1) -> Server:
    from raccord.web import db, store
    from raccord.web.config import normalise_url
    from raccord.web.models import User
    from raccord.web.security import hash_password, now

    url = normalise_url(given_url)
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.sessions(engine)() as session:
        user = User(email="prod@film.test", name="Prod", password_hash=hash_password(PASSWORD), created=now())
        session.add(user)
        session.flush()
        store.create_production(session, user, "film", "Le Film")
        session.commit()
    engine.dispose()
    running = Server(tmp_path / "data", given_url, workers)
    running.folder.mkdir()
    running.start()
    return running


def logged_in(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    assert client.post("/login", data={"email": "prod@film.test", "password": PASSWORD, "csrf": token}).status_code == 303
    page = client.get("/p/film/facts/work")
    return client, re.search(r'name="csrf" value="([^"]+)"', page.text)[1]


def journal_values(url: str) -> list[int]:
    from sqlalchemy import select

    from raccord.web import db
    from raccord.web.config import normalise_url
    from raccord.web.models import Event

    engine = db.make_engine(normalise_url(url))
    with db.sessions(engine)() as session:
        events = session.scalars(select(Event).where(Event.kind == "fact.set").order_by(Event.seq)).all()
        seqs = [e.seq for e in session.scalars(select(Event).order_by(Event.seq))]
        values = [e.payload["value"] for e in events]
    engine.dispose()
    assert seqs == list(range(1, len(seqs) + 1))  # no hole, no duplicate: versions stay contiguous
    return values


def test_killed_during_writes_loses_no_acknowledged_change(server):
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        client, token = logged_in(server.base)
        i = offset
        while not stop.is_set():
            i += 2
            try:
                response = client.post("/p/film/facts/work", data={"csrf": token, "present:work.shooting_days": "1",
                                                                   "work.shooting_days": str(i)})
            except httpx.HTTPError:
                return  # the server went away mid-request: not acknowledged
            if response.status_code == 303:
                acknowledged.append(i)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 1)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # SIGKILL while both writers are sending
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) >= 30
    stored = journal_values(server.url)
    assert set(acknowledged) <= set(stored)

    server.start()  # restart on the same data: it resumes, and writes go on after the last version
    client, token = logged_in(server.base)
    assert client.post("/p/film/facts/work", data={"csrf": token, "present:work.shooting_days": "1",
                                                   "work.shooting_days": "7"}).status_code == 303
    assert journal_values(server.url)[-1] == 7
    assert 'value="7"' in client.get("/p/film/facts/work").text


def test_200_mb_upload_refused_without_exhausting_memory(server):
    client, token = logged_in(server.base)
    version = re.search(r'name="version" value="(\d+)"', client.get("/p/film/evidence").text)[1]
    before = server.peak_memory_kb()
    boundary = "raccordboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmenus_restauration\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gros.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    chunk = b"\0" * (1024 * 1024)

    def body():  # 200 MB sent in chunks, no Content-Length: the server must stop reading by itself
        yield head
        for _ in range(200):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    try:
        response = client.post("/p/film/evidence", content=body(),
                               headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert response.status_code == 413
        assert "trop volumineux" in response.text
    except httpx.HTTPError:
        pass  # the server may close the connection once it has answered 413
    grown_mb = (server.peak_memory_kb() - before) / 1024
    assert grown_mb < 60, f"the server's peak memory grew by {grown_mb:.0f} MB"
    stored = [p for p in (server.folder / "evidence").rglob("*") if p.is_file()]
    assert stored == []  # nothing kept, not even the part under the limit
    assert client.get("/p/film/evidence").status_code == 200  # and the server is still up


def test_worker_processes_share_one_journal(tmp_path):
    """`raccord serve --workers 2`: two processes on one SQLite database; concurrent writers keep the
    versions contiguous, and each write is read back whichever process serves the next page."""
    running = started(tmp_path, f"sqlite:///{tmp_path / 'raccord.db'}", workers=2)
    try:
        deadline = time.monotonic() + 30
        while len(running.worker_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(running.worker_pids()) == 2
        failures: list[str] = []

        def writer(offset: int) -> None:
            # each writer its own fact: the page after a write shows that write unless the same fact was
            # written again since, which only the other writer could do if they shared one
            fact = ("work.shooting_days", "work.budget")[offset]
            client, token = logged_in(running.base)
            for i in range(offset, offset + 24, 2):
                response = client.post("/p/film/facts/work", data={"csrf": token, f"present:{fact}": "1",
                                                                   fact: str(100 + i)})
                page = client.get(response.headers.get("location", "/"))
                if response.status_code != 303 or f'value="{100 + i}"' not in page.text:
                    failures.append(f"{i}: {response.status_code}")

        threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert failures == []
        assert sorted(journal_values(running.url)) == list(range(100, 124))
    finally:
        running.kill()


def test_writers_of_one_process_queue_on_its_write_lock(tmp_path, monkeypatch):
    """SQLite: the writers of one process wait on the workspace's lock (woken at the previous commit),
    never in SQLite's busy handler: with that handler's wait at zero, eight threads writing at once
    all succeed, and the versions stay contiguous."""
    from raccord.web import db, store
    from raccord.web.app import create_app
    from raccord.web.config import Settings, session_key
    from raccord.web.models import Production
    from tests.web_helpers import add_user, shared_engine

    monkeypatch.setattr(db, "BUSY_TIMEOUT", 0.0)  # a writer reaching SQLite's busy handler fails at once
    folder = tmp_path / "data"
    folder.mkdir()
    app = create_app(Settings(f"sqlite:///{tmp_path / 'raccord.db'}", folder, session_key(folder)), engine=shared_engine())
    ws = app.state.workspace
    owner = add_user(app, "producer@film.test")
    with ws.transaction(writing=True) as session:
        pid = store.create_production(session, owner, "film", "Le Film").id
        session.commit()
    failures: list[str] = []

    def writer(k: int) -> None:
        for i in range(10):
            try:
                with ws.transaction(writing=True) as session:
                    production = session.get(Production, pid)
                    store.append(session, production, None, [("fact.set", {"name": "work.shooting_days", "value": k * 10 + i})],
                                 None)
                    time.sleep(0.002)  # the transaction open a while: the others arrive meanwhile
                    session.commit()
            except Exception as error:  # what failed is the test's message
                failures.append(repr(error))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert failures == []
        with ws.sessions() as session:
            entries = store.entries(session, pid)
        assert [e.seq for e in entries] == list(range(1, 82))
        assert sorted(e.payload["value"] for e in entries[1:]) == list(range(80))
    finally:
        ws.dispose()
