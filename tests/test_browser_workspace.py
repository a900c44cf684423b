"""End to end in a real browser: Playwright for Python driving Debian's Chromium (no browser is
downloaded) against the workspace served by uvicorn on a loopback port. The producer logs in,
creates a production, answers interview questions and uploads a piece of evidence; the auditor
rejects it with a reason; the producer sees the reason and the change in the dashboard; the chart
and the calendar render. Screenshots go to $RACCORD_SHOTS (default: the test's tmp folder)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.support import requires
from tests.web_helpers import PASSWORD, TODAY, add_user, requires_web, shared_engine

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]

try:
    import playwright.sync_api  # noqa: F401
    PLAYWRIGHT = True
except ImportError:
    PLAYWRIGHT = False

pytestmark = [requires_web, requires(PLAYWRIGHT, "Playwright for Python", "pip install -e '.[web-test]'"),
              requires(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(), "Chromium", "apt-get install chromium")]


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The workspace on SQLite, served by uvicorn in a thread on a free loopback port."""
    import uvicorn
    from argon2 import PasswordHasher

    from raccord.web import security
    from raccord.web.app import create_app
    from raccord.web.config import Settings, session_key

    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    folder = tmp_path / "data"
    folder.mkdir()
    app = create_app(Settings(f"sqlite:///{folder / 'raccord.db'}", folder, session_key(folder)), engine=shared_engine(),
                     today=lambda: TODAY)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started
    yield app, f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)
    app.state.workspace.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("RACCORD_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{base}/")


def answer_question(page) -> str:
    """Answer the interview's current question whatever its kind; returns the fact's title."""
    form = page.locator("form#question")
    title = form.locator("label, legend").first.inner_text()
    select = form.locator("select")
    if select.count():
        select.first.select_option(index=1)
    elif form.locator("input[type=checkbox]").count():
        form.locator("input[type=checkbox]").first.check()
    else:
        field = form.locator("input:not([type=hidden])").first
        field.fill("03/03/2025" if field.get_attribute("placeholder") == "JJ/MM/AAAA" else "12")
    form.get_by_role("button", name="Question suivante").click()
    page.wait_for_load_state()
    return title


def test_producer_and_auditor_in_the_browser(server, browser, tmp_path):
    app, base = server
    add_user(app, "prod@film.test", "Paula Productrice")
    add_user(app, "audit@film.test", "Alain Auditeur")
    folder = shots(tmp_path)

    producer = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")  # a phone
    page = producer.new_page()
    log_in(page, base, "prod@film.test")
    page.get_by_label("Identifiant (minuscules, chiffres, tirets)").fill("le-film")
    page.get_by_label("Titre").fill("Le Film du Plateau")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_url(f"{base}/p/le-film")
    assert "15/10/2025" in page.locator("#as-of").inner_text()  # the evaluation date on every page

    # a save on the facts page goes through htmx: no navigation, the notice and the decisions come
    # back in place, and the form's version with them (the second save of the same fact is not stale)
    page.goto(f"{base}/p/le-film/facts/work")
    afnor = page.locator("#facts-status li").first
    for answer, expected in (("non", "non applicable"), ("oui", "Niveau 0 atteint")):
        page.get_by_label("Prises de vues réelles").select_option(label=answer)
        page.get_by_role("button", name="Enregistrer").click()
        page.locator("#facts-status .notice").wait_for()
        assert page.url == f"{base}/p/le-film/facts/work" and expected in afnor.inner_text()
        page.evaluate("document.querySelector('#facts-status .notice').remove()")  # the next save brings its own
    page.screenshot(path=str(folder / "facts-saved.png"), full_page=True)

    page.goto(f"{base}/p/le-film/interview")
    answered = [answer_question(page) for _ in range(3)]
    assert len(set(answered)) == 3  # each answer brought the next question
    page.screenshot(path=str(folder / "interview.png"), full_page=True)
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(f"{base}/p/le-film/evidence")
    page.get_by_label("Type de pièce").select_option("bilan_carbone_previsionnel")
    page.get_by_label("Date de la pièce").fill("01/10/2025")
    piece = tmp_path / "bilan.txt"
    piece.write_text("Bilan carbone prévisionnel, Carbon'Clap, 120 t CO2e")
    page.locator("#file").set_input_files(str(piece))
    page.get_by_role("button", name="Déposer une preuve").click()
    page.wait_for_url(f"{base}/p/le-film/evidence")
    assert "EV-001" in page.locator("table.register").inner_text()
    page.goto(f"{base}/p/le-film")
    before = page.locator("table.summary").inner_text()

    page.goto(f"{base}/p/le-film/team")
    page.get_by_label("Adresse électronique").fill("audit@film.test")
    page.get_by_label("Rôle").select_option("auditor")
    page.get_by_role("button", name="Inviter").click()
    assert "Alain Auditeur" in page.content()

    auditor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    audit_page = auditor.new_page()
    log_in(audit_page, base, "audit@film.test")
    audit_page.goto(f"{base}/p/le-film/review")
    audit_page.get_by_label("Motif").fill("Le bilan n'est pas signé par le prestataire")
    audit_page.get_by_role("button", name="Refuser").click()
    audit_page.wait_for_url(f"{base}/p/le-film/review")
    assert "Aucune pièce en attente" in audit_page.content()
    assert audit_page.locator("form[action$='/facts/work']").count() == 0  # the auditor edits no facts

    page.goto(f"{base}/p/le-film/evidence")
    row = page.locator("#ev-EV-001").inner_text()
    assert "refusée" in row and "pas signé par le prestataire" in row
    page.goto(f"{base}/p/le-film")
    after = page.locator("table.summary").inner_text()
    assert after != before  # the rejected piece no longer counts
    chart = page.locator("svg.chart")
    assert chart.count() == 1 and chart.locator("polyline").count() >= 1
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["width"] <= 390
    page.screenshot(path=str(folder / "dashboard-phone.png"), full_page=True)
    page.goto(f"{base}/p/le-film/history")
    history = page.locator("table.history").inner_text()
    assert "a refusé la preuve EV-001" in history and "Alain Auditeur" in history

    audit_page.goto(f"{base}/p/le-film")
    audit_page.screenshot(path=str(folder / "dashboard.png"), full_page=True)
    audit_page.goto(f"{base}/p/le-film/calendar")
    assert audit_page.locator("ol.calendar li").count() >= 1
    feed = audit_page.locator("#feed").input_value()
    assert re.fullmatch(rf"{re.escape(base)}/feed/[\w-]{{20,}}\.ics", feed)
    audit_page.screenshot(path=str(folder / "calendar.png"), full_page=True)
    ics = audit_page.request.get(feed)
    assert ics.ok and ics.text().startswith("BEGIN:VCALENDAR")
    producer.close()
    auditor.close()


def test_set_event_alert_and_acknowledgement_in_the_browser(server, browser, tmp_path, monkeypatch):
    """Issue 19 on a phone: the producer logs a child arriving without the supervisor from the form; the
    VHSS referent's dashboard, open beforehand, shows the alert by itself (htmx polling, here every
    second) and the referent acknowledges it with a comment; the register then holds its JOURNAL-ACK item."""
    import datetime as dt

    from raccord.web import live_pages
    from tests.web_helpers import add_member

    app, base = server
    monkeypatch.setattr(live_pages, "POLL_SECONDS", 1)
    app.state.workspace.clock = lambda: dt.datetime(2025, 11, 12, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    add_user(app, "prod@serie.test", "Paula Productrice")
    add_user(app, "ref@serie.test", "Rémi Référent")
    folder = shots(tmp_path)
    producer = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = producer.new_page()
    log_in(page, base, "prod@serie.test")
    page.get_by_label("Identifiant (minuscules, chiffres, tirets)").fill("la-serie")
    page.get_by_label("Titre").fill("La Série")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_url(f"{base}/p/la-serie")
    add_member(app, "ref@serie.test", "la-serie", "vhss_referent")

    referent = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    ref_page = referent.new_page()
    log_in(ref_page, base, "ref@serie.test")
    ref_page.goto(f"{base}/p/la-serie")
    assert "Aucun événement de tournage" in ref_page.locator("#alerts").inner_text()

    page.goto(f"{base}/p/la-serie/live")
    page.get_by_role("link", name="Arrivée d'un enfant").click()
    page.get_by_label("Date et heure (vide : maintenant)").fill("2025-11-12T08:55")
    page.get_by_label("Personne (référence)").fill("Emma")  # a name: refused beside the field
    page.get_by_label("non").check()
    page.get_by_role("button", name="Noter").click()
    error = page.locator("#f-person-error")
    assert "n'est pas une référence interne" in error.inner_text()
    page.screenshot(path=str(folder / "live-error-phone.png"), full_page=True)
    page.get_by_label("Personne (référence)").fill("E-01")
    page.get_by_label("non").check()
    page.get_by_role("button", name="Noter").click()
    page.wait_for_url(re.compile(r".*/live\?type=child.arrive&logged=1"))
    assert "1 événement noté" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    alert = ref_page.locator("article[data-monitor='LIVE-MINOR-SUPERVISOR']")
    alert.wait_for(timeout=15000)  # no reload: the block polled itself
    assert "E-01" in alert.inner_text() and "Titre III" in alert.inner_text()
    ref_page.wait_for_timeout(1500)  # a refresh while the comment is typed keeps it (hx-preserve)
    alert.get_by_label("Commentaire (ce qui a été fait)").fill("Responsable enfants rappelé sur le plateau à 09 h 05")
    ref_page.wait_for_timeout(1500)
    assert "09 h 05" in alert.get_by_label("Commentaire (ce qui a été fait)").input_value()
    alert.get_by_role("button", name="Acquitter").click()
    ref_page.wait_for_url(f"{base}/p/la-serie")
    acked = ref_page.locator("article[data-monitor='LIVE-MINOR-SUPERVISOR']")
    assert "Acquittée le" in acked.inner_text() and "09 h 05" in acked.inner_text()
    ref_page.screenshot(path=str(folder / "alerts-phone.png"), full_page=True)
    page.goto(f"{base}/p/la-serie/evidence")
    assert page.locator("table.derived tr[id^='ev-JOURNAL-ACK-']").count() == 1
    page.screenshot(path=str(folder / "register-journal-phone.png"), full_page=True)
    producer.close()
    referent.close()
