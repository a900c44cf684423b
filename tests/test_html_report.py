"""The HTML report (`raccord check --format html`), rendered in headless Chromium.

How Chromium is driven (no new Python dependency):
- `test_report_in_headless_chromium_cli`: the chromium binary only: `--screenshot` (a PNG), `--dump-dom` (the DOM
  after rendering), and `--enable-logging=stderr --v=0`, whose `CONSOLE(...)` lines carry the page's console messages.
- `test_report_in_chromium_webdriver`: chromedriver, spoken to with plain HTTP W3C WebDriver calls (urllib): title,
  `isDisplayed` of the decision and of a criterion row, a screenshot, the browser log (console errors and failed
  loads, via `goog:loggingPrefs`), no network resource requested, and an evidence link followed to the file.

Needs Debian's `chromium` and `chromium-driver` packages. Skipped (with the reason) only when chromium is absent;
if chromium is there but chromedriver is not, the WebDriver test fails and says what to install.
`RACCORD_CHROMIUM` / `RACCORD_CHROMEDRIVER` override the binaries' paths.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock
from urllib.parse import unquote, urlparse

import pytest

from raccord.cli.main import main

try:
    from tests.support import requires
except ImportError:  # run from inside tests/
    from support import requires

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage"
AS_OF = "2025-09-01"
INSTALL = "apt-get install -y chromium chromium-driver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
PNG = b"\x89PNG\r\n\x1a\n"


def chromium_path() -> str | None:
    found = os.environ.get("RACCORD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


def chromedriver_path() -> str | None:
    found = os.environ.get("RACCORD_CHROMEDRIVER") or shutil.which("chromedriver")
    return found if found and Path(found).exists() else None


requires_chromium = requires(chromium_path() is not None, "chromium", INSTALL)

CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--window-size=1280,2000"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    with mock.patch.object(sys, "argv", ["raccord", *args]):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


class WebDriver:
    """A few W3C WebDriver calls over plain HTTP to a local chromedriver."""

    def __init__(self, driver: str, browser: str, profile: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        caps = {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": browser, "args": [*CHROME_ARGS, f"--user-data-dir={profile}"]}}
        try:
            self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]
        except BaseException:
            self.process.kill()
            raise

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"WebDriver {method} {path}: {exc.read().decode(errors='replace')[:500]}") from None

    def s(self, method: str, path: str, body: dict | None = None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def get(self, url: str) -> None:
        self.s("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css: str) -> list[str]:
        return [e[ELEMENT] for e in self.s("POST", "/elements", {"using": "css selector", "value": css})]

    def displayed(self, element: str) -> bool:
        return self.s("GET", f"/element/{element}/displayed")

    def text(self, element: str) -> str:
        return self.s("GET", f"/element/{element}/text")

    def attribute(self, element: str, name: str) -> str | None:
        return self.s("GET", f"/element/{element}/property/{name}")

    def script(self, source: str):
        return self.s("POST", "/execute/sync", {"script": source, "args": []})

    def screenshot(self) -> bytes:
        return base64.b64decode(self.s("GET", "/screenshot"))

    def browser_log(self) -> list[dict]:
        return self.s("POST", "/se/log", {"type": "browser"})

    def close(self) -> None:
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def open_webdriver(tmp_path: Path) -> WebDriver:
    browser = chromium_path()
    driver = chromedriver_path()
    if driver is None:
        pytest.fail(f"chromium is installed but chromedriver is not ({INSTALL})")
    return WebDriver(driver, browser, tmp_path / "profile")


def check_page(wd: WebDriver, url: str, title_part: str, decision: str, criterion_id: str, shot: Path) -> None:
    """The checks shared by the report test and the bundle test."""
    wd.get(url)
    assert title_part in wd.s("GET", "/title")
    heading = wd.find("#report-title")
    assert wd.displayed(heading) and title_part in wd.text(heading)
    summary = wd.find("#summary-ecoprod_label .decision .badge")
    assert wd.displayed(summary) and wd.text(summary) == decision
    row = wd.find(f"tr#crit-{criterion_id}")
    wd.script(f"document.getElementById('crit-{criterion_id}').scrollIntoView()")
    assert wd.displayed(row) and criterion_id in wd.text(row)
    png = wd.screenshot()
    assert png.startswith(PNG) and len(png) > 10_000
    shot.write_bytes(png)
    # Nothing was fetched besides the page itself (no font, stylesheet, script or image).
    assert wd.script("return performance.getEntriesByType('resource').map(e => e.name)") == []
    errors = [e for e in wd.browser_log() if e.get("level") == "SEVERE"]
    assert errors == [], errors


def follow_first_evidence_link(wd: WebDriver, base: Path) -> None:
    """Every evidence link points at an existing file; clicking one shows that file."""
    links = wd.find_all("a.evidence-link")
    assert links
    hrefs = {wd.attribute(e, "href") for e in links}
    for href in hrefs:
        parsed = urlparse(href)
        assert parsed.scheme == "file", href
        assert Path(unquote(parsed.path)).is_file(), href
    link = wd.find("#ev-EV-004 a.evidence-link")
    target = Path(unquote(urlparse(wd.attribute(link, "href")).path))
    assert target.resolve().is_relative_to(base.resolve())
    wd.script("document.querySelector('#ev-EV-004 a.evidence-link').scrollIntoView()")
    wd.s("POST", f"/element/{link}/click", {})
    deadline = time.monotonic() + 10
    while urlparse(wd.s("GET", "/url")).path != urlparse(target.as_uri()).path and time.monotonic() < deadline:
        time.sleep(0.1)
    body = wd.text(wd.find("body"))
    assert body.strip() == target.read_text(encoding="utf-8").strip()
    assert [e for e in wd.browser_log() if e.get("level") == "SEVERE"] == []


@pytest.fixture
def report(tmp_path: Path, capsys) -> Path:
    film = tmp_path / "film"
    shutil.copytree(EXAMPLE, film)
    out = film / "rapport" / "audit.html"
    code, _, err = run(capsys, "check", str(film / "dossier.yaml"), "--as-of", AS_OF, "--format", "html", "-o", str(out))
    assert code == 0, err
    return out


def test_html_is_self_contained_and_escaped(report: Path, tmp_path: Path, capsys) -> None:
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert "<title>Dossier d&#39;audit — Les Heures claires — 2025-09-01</title>" in html
    assert "@page { size: A4" in html
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    # no network resource: only links (<a>, the public citations' sites) may point outside
    assert not re.search(r"""<(?!a\b)[^>]*\b(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    # Evidence links are relative to the report's folder, and point at real files.
    links = re.findall(r'class="evidence-link" href="([^"]+)"', html)
    assert "../evidence/bilan_carbone_previsionnel.txt" in links
    assert all((report.parent / unquote(h)).is_file() for h in links)
    # Aid eligibility section, auditor status, unverified stars and provenance are in the page.
    assert 'id="aid"' in html and "Éligibilité aux aides" in html
    assert "Menus non datés" in html  # the auditor's rejection reason
    assert "correspondance non vérifiée" in html
    assert "reconstitué (à vérifier sur le texte officiel)" in html
    # English on request; user text is escaped (autoescape on).
    film = report.parent.parent
    text = (film / "dossier.yaml").read_text(encoding="utf-8")
    (film / "dossier.yaml").write_text(text.replace("title: Les Heures claires", 'title: "<script>alert(1)</script> & Co"'),
                                       encoding="utf-8")
    code, out, err = run(capsys, "check", str(film / "dossier.yaml"), "--as-of", AS_OF, "--format", "html", "--lang", "en")
    assert code == 0, err
    assert '<html lang="en">' in out and "Audit file" in out and "Aid eligibility" in out
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in out
    # each language's typography: « Faits manquants : » in French, "Missing facts: " in English
    english, french = re.sub(r"<[^>]+>", "", out), re.sub(r"<[^>]+>", "", html)
    assert "Missing facts: " in english and "Missing evidence: " in english and "Missing facts : " not in english
    assert "Faits manquants : " in french


def test_html_shows_integrity_problems(report: Path, capsys) -> None:
    film = report.parent.parent
    (film / "evidence" / "bilan_carbone_previsionnel.txt").write_text("falsifié\n", encoding="utf-8")
    code, out, err = run(capsys, "check", str(film / "dossier.yaml"), "--as-of", AS_OF, "--format", "html")
    assert code == 0, err
    alert = out[out.index('id="integrity-alert"'):]
    alert = alert[:alert.index("</div>")]
    assert "EV-004" in alert and "modifiée depuis l&#39;enregistrement" in alert
    row = out[out.index('id="crit-ECO-PROD-02"'):]
    row = row[:row.index("</tr>")]
    assert 'data-status="unknown"' in row and "EV-004" in row and "modifiée depuis l&#39;enregistrement" in row


@requires_chromium
def test_report_in_headless_chromium_cli(report: Path, tmp_path: Path) -> None:
    browser = chromium_path()
    url = report.as_uri()
    shot = tmp_path / "report.png"
    common = [browser, *CHROME_ARGS, "--enable-logging=stderr", "--v=0"]
    done = subprocess.run([*common, f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}", f"--screenshot={shot}", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes().startswith(PNG) and shot.stat().st_size > 10_000
    dom = subprocess.run([*common, f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>Dossier d'audit — Les Heures claires — 2025-09-01</title>" in dom.stdout
    assert re.search(r'<tr class="summary-row" id="summary-ecoprod_label">.*?indéterminé', dom.stdout, re.S)
    assert 'id="crit-ECO-PROD-02" data-status="met"' in dom.stdout
    console = [line for line in (done.stderr + dom.stderr).splitlines() if ":CONSOLE" in line]
    assert console == [], console


@requires_chromium
def test_report_in_chromium_webdriver(report: Path, tmp_path: Path) -> None:
    wd = open_webdriver(tmp_path)
    try:
        check_page(wd, report.as_uri(), "Les Heures claires", "indéterminé", "ECO-PROD-02", tmp_path / "wd.png")
        follow_first_evidence_link(wd, report.parent.parent)
    finally:
        wd.close()
