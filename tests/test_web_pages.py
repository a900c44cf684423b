"""Every page of the workspace answers, in French and in English, for the feature film imported;
the demo, the invitation flow (every refusal beside its field, nothing written), the language switch,
the calendar feed, `raccord db upgrade`."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.test_web_security import snapshot
from tests.web_helpers import (  # noqa: F401
    EXAMPLES,
    TODAY,
    client_for,
    csrf_of,
    database_url,
    import_example,
    login,
    postgres_server,
    requires_web,
    shared_engine,
    team,
    version_of,
    workspace,
)

pytestmark = requires_web

PAGES = {  # url -> a text each language must show
    "/": ("Mes productions", "My productions"),
    "/p/film": ("Le plus urgent", "Most urgent"),
    "/p/film/facts/work": ("Type d&#39;œuvre", "Type of work"),
    "/p/film/facts/vhss": ("Faits", "Facts"),
    "/p/film/interview": ("Questions", "Interview"),
    "/p/film/evidence": ("Registre des preuves", "Evidence register"),
    "/p/film/review": ("Constats", "Findings"),
    "/p/film/missing": ("Manques", "Missing"),
    "/p/film/plan?target=afnor_spec_2308:2": ("AFN-", "AFN-"),
    "/p/film/plan?target=nothing:9": ("Plan", "Plan"),
    "/p/film/calendar": ("Abonnement iCalendar privé", "Private iCalendar feed"),
    "/p/film/history": ("a importé un dossier", "imported a dossier"),
    "/p/film/team": ("Producteur (propriétaire)", "Producer (owner)"),
    "/p/film/downloads": ("Rapport HTML", "HTML report"),
    "/p/film/criteria/AFN-INC-03": ("AFN-INC-03", "AFN-INC-03"),
    "/p/film/at/1": ("lecture seule", "read only"),
    "/p/film?as_of=2025-03-01": ("01/03/2025", "2025-03-01"),
}


def test_every_page_in_both_languages(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    for lang, index in (("fr", 0), ("en", 1)):
        assert producer.get(f"/lang?to={lang}&next=/").status_code == 303
        for url, expected in PAGES.items():
            response = producer.get(url)
            assert response.status_code == 200, (lang, url, response.text[:500])
            assert expected[index] in response.text, (lang, url)
            assert f'<html lang="{lang}">' in response.text
            # the evaluation date is on every page
            assert ("Évalué au" if lang == "fr" else "Evaluated on") in response.text
            assert response.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert producer.get("/p/film/criteria/NOPE-1").status_code == 404
    assert producer.get("/p/film/facts/nothing").status_code == 404
    assert producer.get("/p/other").status_code == 404


def test_downloads(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    report = producer.get("/p/film/report.html?as_of=2025-10-15")
    assert report.status_code == 200 and report.text.startswith("<!DOCTYPE html>")
    assert report.headers["content-disposition"].startswith("attachment;")
    bundle = producer.get("/p/film/bundle.zip?as_of=2025-10-15")
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert "manifest.json" in names and "index.html" in names
    assert "dossier/evidence/analyse_couts_impacts.txt" in names  # EV-001's file, in the dossier's folder
    # the bundle imports back
    page = producer.get("/p/film/downloads")
    response = producer.post("/p/film/import", data={"csrf": csrf_of(page.text), "version": version_of(page.text)},
                             files={"file": ("audit.zip", bundle.content, "application/zip")})
    assert response.status_code == 303
    again = producer.get("/p/film/evidence/EV-001/file")  # its file came back with the bundle
    original = (EXAMPLES / "long_metrage" / "evidence" / "analyse_couts_impacts.txt").read_bytes()
    assert again.status_code == 200 and again.content == original
    # a broken archive is refused with a French message, and nothing changes
    page = producer.get("/p/film/downloads")
    response = producer.post("/p/film/import", data={"csrf": csrf_of(page.text), "version": version_of(page.text)},
                             files={"file": ("x.zip", b"not a zip", "application/zip")})
    assert response.status_code == 400 and "pas un fichier zip" in response.text
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../dossier.yaml", "format: raccord.dossier/1")
    response = producer.post("/p/film/import", data={"csrf": csrf_of(page.text), "version": version_of(page.text)},
                             files={"file": ("x.zip", evil.getvalue(), "application/zip")})
    assert response.status_code == 400 and "chemin refusé" in response.text


def test_calendar_feed(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    feed = re.search(r'id="feed" readonly value="([^"]+)"', producer.get("/p/film/calendar").text)[1]
    anonymous = client_for(workspace)
    response = anonymous.get(feed.replace("http://127.0.0.1", ""))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text and "les-heures-claires" not in response.text.split("UID:")[0]
    assert anonymous.get("/feed/not-the-token-at-all-xxxxxxxx.ics").status_code == 404


def test_invitation_flow_and_roles(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    page = producer.get("/p/film/team")
    response = producer.post("/p/film/team", data={"csrf": csrf_of(page.text), "email": "nouvelle@film.test",
                                                   "role": "auditor"})
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', response.text)[1]
    newcomer = client_for(workspace)
    path = link.replace("http://127.0.0.1", "")
    page = newcomer.get(path)
    assert "Auditeur" in page.text
    assert newcomer.post(path, data={"csrf": csrf_of(page.text), "name": "N", "password": "court"}).status_code == 400
    assert newcomer.post(path, data={"csrf": csrf_of(page.text), "name": "Nadia", "password": "assez-long-pour-passer"}
                         ).status_code == 303
    assert newcomer.get(path).status_code == 404  # an invitation is used once
    nadia = login(workspace, "nouvelle@film.test", "assez-long-pour-passer")
    assert "Auditeur" in nadia.get("/").text
    # the producer cannot remove themself (the production keeps its owner): said beside the address
    page = producer.get("/p/film/team")
    refused = producer.post("/p/film/team", data={"csrf": csrf_of(page.text), "email": "producer@film.test", "role": "remove"})
    assert refused.status_code == 400 and "la production garde son propriétaire" in refused.text
    assert "Producteur (propriétaire)" in producer.get("/").text


def test_language_switch_stays_on_this_site(workspace):  # noqa: F811
    client = client_for(workspace)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert client.get("/lang", params={"to": "en", "next": target}).headers["location"] == "/"


def test_demo_loads_the_four_examples(workspace):  # noqa: F811
    from raccord.web import demo
    from raccord.web.models import Production

    lines = demo.load(workspace.state.workspace)
    assert len(lines) == 5 and demo.load(workspace.state.workspace) == lines  # a second start adds nothing
    with workspace.state.workspace.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Production)) == 4
    auditor = login(workspace, "auditeur@demo.raccord", demo.PASSWORD)
    portfolio = auditor.get("/").text
    assert portfolio.count('class="card"') == 5  # four productions and the creation form
    assert "Les Heures claires" in portfolio and "indéterminé" in portfolio
    # the feature film comes with its auditor's file (examples/long_metrage/dossier.audit.yaml): the
    # intermediate audit's decisions, its minor finding and its sign-off are the workspace's too
    review = html.unescape(auditor.get("/p/les-heures-claires/review").text)
    assert "35 acceptées, 1 rejetée, 137 en attente" in review, review[:2000]
    assert "Les menus de la restauration ne sont pas datés" in review and "avis favorable avec réserves" in review


def test_db_upgrade_command(tmp_path, monkeypatch):
    from raccord.cli.main import cli
    from raccord.web.db import current_revision

    monkeypatch.setenv("RACCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RACCORD_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "0001" in result.output
    assert current_revision(f"sqlite:///{tmp_path / 'data' / 'raccord.db'}") == "0001"
    assert (tmp_path / "data" / "session.key").stat().st_mode & 0o777 == 0o600


def test_pdf_report_is_the_clis(workspace, monkeypatch):  # noqa: F811
    """The PDF is the CLI's (cli/render_pdf.py html_to_pdf) of the workspace's HTML report, made once
    per version; its layout is tested by tests/test_pdf.py (a PDF costs ~20 s of CPU, so it is recorded here)."""
    from raccord.cli import render_pdf

    made = []
    monkeypatch.setattr(render_pdf, "html_to_pdf", lambda html: made.append(html) or b"%PDF-1.7 " + html[:40].encode())
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    assert 'href="/p/film/report.pdf?as_of=' in producer.get("/p/film/downloads").text
    first = producer.get("/p/film/report.pdf?as_of=2025-10-15")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == 'attachment; filename="rapport-film.pdf"'
    html = producer.get("/p/film/report.html?as_of=2025-10-15").text
    assert made == [html] and first.content.startswith(b"%PDF-1.7 <!DOCTYPE html>")
    assert producer.get("/p/film/report.pdf?as_of=2025-10-15").content == first.content and len(made) == 1  # kept
    producer.get("/p/film/report.pdf?as_of=2025-03-01")
    assert len(made) == 2  # another date is another report


def test_pdf_report_without_weasyprint(workspace, monkeypatch):  # noqa: F811
    from raccord.cli import render_pdf
    from raccord.engine import InputError
    from raccord.engine.errors import Bilingual

    def missing(html):
        raise InputError("--format pdf", Bilingual("le PDF demande WeasyPrint", "PDF needs WeasyPrint"))

    monkeypatch.setattr(render_pdf, "html_to_pdf", missing)
    producer = team(workspace)["producer"]
    response = producer.get("/p/film/report.pdf")
    assert response.status_code == 503 and "le PDF demande WeasyPrint" in response.text


def test_roster_member_added_edited_removed(workspace):  # noqa: F811
    """A pseudonymous list edited member by member: values read by the engine, a name refused by
    the engine's reference pattern, the list in the dossier the engine evaluates."""
    import html

    clients = team(workspace)
    producer, viewer = clients["producer"], clients["viewer"]
    page = producer.get("/p/film/roster/roster.children")
    assert page.status_code == 200 and "Liste non renseignée" in page.text
    assert 'href="/p/film/roster/roster.crew"' in producer.get("/p/film/facts/work").text
    base = {"csrf": csrf_of(page.text), "version": version_of(page.text), "complete": "true"}
    refused = producer.post("/p/film/roster/roster.children", data={**base, "ref": "Lucie Martin", "field:age": "12"})
    assert refused.status_code == 400 and "jamais un nom" in html.unescape(refused.text)
    bad = producer.post("/p/film/roster/roster.children", data={**base, "ref": "E-01", "field:age": "douze"})
    assert bad.status_code == 400 and "ne convient pas" in html.unescape(bad.text)
    assert producer.post("/p/film/roster/roster.children", data={**base, "ref": "E-01", "field:age": "12",
                                                                 "field:hiring_date": "03/03/2025"}).status_code == 303
    page = producer.get("/p/film/roster/roster.children?ref=E-01")
    assert 'value="12"' in page.text and "03/03/2025" in page.text and "nomme toutes les personnes" in page.text
    assert producer.post("/p/film/roster/roster.children", data={**base, "version": version_of(page.text), "ref": "E-01",
                                                                 "field:age": "13"}).status_code == 303
    ws = workspace.state.workspace
    from sqlalchemy import select

    from raccord.web import store
    from raccord.web.models import Production

    with ws.sessions() as db:
        state = store.state_at(db, db.scalar(select(Production).where(Production.slug == "film")))
    roster = ws.evaluator.dossier(state).facts["roster.children"]
    assert roster.complete and [(m.ref, dict(m)) for m in roster.members] == [("E-01", {"age": 13})]
    # the edited version's dossier (the previous one with the list typed by Engine.fact_value) is the rebuilt one's
    assert producer.get("/p/film/facts/work").status_code == 200
    with ws.sessions() as db:
        production = db.scalar(select(Production).where(Production.slug == "film"))
    edited = ws.evaluator._peek(("dossier", production.id, production.version))
    assert edited is not None and edited.facts["roster.children"] == roster
    from raccord.engine import InputError

    with pytest.raises(InputError) as refused_name:
        ws.engine.fact_value("roster.children", {"complete": True, "members": [{"ref": "Lucie Martin"}]})
    assert "jamais un nom" in refused_name.value.render("fr")
    assert "a renseigné roster.children = 1 personne" in producer.get("/p/film/history").text
    page = producer.get("/p/film/roster/roster.children")
    assert producer.post("/p/film/roster/roster.children", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                                 "action": "remove", "ref": "E-01"}).status_code == 303
    assert 'id="member-E-01"' not in producer.get("/p/film/roster/roster.children").text
    page = viewer.get("/p/film/roster/roster.children")
    assert "member-form" not in page.text
    assert viewer.post("/p/film/roster/roster.children", data={"csrf": csrf_of(page.text), "ref": "E-02"}).status_code == 403


def decisions_block(html: str) -> str:
    return re.search(r'<details class="decisions-now".*?</details>', html, re.S)[0].replace(" open>", ">")


def test_a_save_through_htmx_gets_back_only_what_changed(workspace):  # noqa: F811
    """What a browser running htmx asks for a save (the form's hx-post): one request, answered with
    the notice and the decisions at the new version and the form's new version (an out-of-band
    swap), the same decisions the whole page then shows; errors give the panel with the fields; a
    stale form, the stale page's <main>; without a session, a navigation to the login page."""
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    page = producer.get("/p/film/facts/work")
    assert 'hx-post="/p/film/facts/work" hx-target="#facts-status"' in page.text
    before, version = decisions_block(page.text), version_of(page.text)
    htmx = {"HX-Request": "true", "HX-Target": "facts-status"}
    data = {"csrf": csrf_of(page.text), "version": version, "present:work.live_action": "1",
            "work.live_action": "false"}  # an animation: AFNOR SPEC 2308 not applicable
    response = producer.post("/p/film/facts/work", data=data, headers=htmx)
    assert response.status_code == 200 and "<html" not in response.text and "<form" not in response.text
    assert "Enregistré." in response.text
    assert f'id="facts-version" name="version" value="{version + 1}" hx-swap-oob="true"' in response.text
    after = producer.get("/p/film/facts/work")
    assert version_of(after.text) == version + 1
    assert decisions_block(response.text) == decisions_block(after.text) != before  # the page's own decisions, changed
    # the next save carries the version the fragment gave
    data.update({"version": version + 1, "work.live_action": "true"})
    assert producer.post("/p/film/facts/work", data=data, headers=htmx).status_code == 200
    assert decisions_block(producer.get("/p/film/facts/work").text) == before
    # an error: the whole panel, with the message beside its field, in place of the panel
    bad = {**data, "version": version + 2, "present:work.shooting_days": "1", "work.shooting_days": "beaucoup"}
    response = producer.post("/p/film/facts/work", data=bad, headers=htmx)
    assert response.status_code == 400 and response.headers["HX-Retarget"] == "#facts-panel"
    assert 'class="field-error"' in response.text and "<html" not in response.text
    assert 'hx-target="#facts-panel"' in response.text  # its next save replaces the panel, errors gone
    fixed = producer.post("/p/film/facts/work", data={**bad, "work.shooting_days": "40"},
                          headers={"HX-Request": "true", "HX-Target": "facts-panel"})
    assert fixed.status_code == 200 and 'class="field-error"' not in fixed.text and 'value="40"' in fixed.text
    # a stale form: the stale page, put in the page's <main>
    stale = producer.post("/p/film/facts/work", headers=htmx, data={
        "csrf": data["csrf"], "version": version, "present:work.shooting_days": "1", "work.shooting_days": "41"})
    assert stale.status_code == 409 and stale.headers["HX-Retarget"] == "#main" and stale.headers["HX-Reselect"] == "#main"
    # no session any more: htmx is told to navigate to the login page (not to swap it into the form)
    producer.cookies.clear()
    gone = producer.post("/p/film/facts/work", data=data, headers=htmx)
    assert gone.status_code == 200 and gone.headers["HX-Redirect"] == "/login?next=/p/film/facts/work" and not gone.text


def test_static_files_are_kept_by_the_browser_pages_are_not(workspace):  # noqa: F811
    """A page names its CSS and script by their content's hash: the browser keeps them (one year,
    immutable) instead of fetching them again with every page; the pages themselves are never stored."""
    producer = team(workspace)["producer"]
    page = producer.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    for name in ("style.css", "htmx.min.js"):
        url = re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]{{12}})"', page.text)[1]
        response = producer.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def field_error(page: str, field: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="{field}-error" role="alert">([^<]*)</p>', page)
    return html.unescape(found[1]) if found else None


def typed(page: str, field: str) -> str:
    return html.unescape(re.search(rf'id="{field}" [^>]*value="([^"]*)"', page)[1])


def selected_role(page: str) -> str:
    return re.search(r'<option value="([a-z_]+)" selected>', page)[1]


def test_refused_invitations_say_why_beside_the_field_and_write_nothing(workspace):  # noqa: F811
    clients = team(workspace)
    producer = clients["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    before = snapshot(workspace)

    def invite(email: str, role: str):
        page = producer.get("/p/film/team")
        return producer.post("/p/film/team", data={"csrf": csrf_of(page.text), "email": email, "role": role})

    refused = invite("nadia.film.test", "auditor")  # the « @ » forgotten: was silently ignored
    assert refused.status_code == 400
    assert field_error(refused.text, "team-email").startswith("Il manque « @ » : écrivez l'adresse entière")
    assert 'aria-describedby="team-email-error"' in refused.text and 'id="invite-link"' not in refused.text
    assert typed(refused.text, "team-email") == "nadia.film.test" and selected_role(refused.text) == "auditor"

    cases = [
        (("", "viewer"), "team-email", "Champ obligatoire."),
        (("nadia @film.test", "viewer"), "team-email", "Ce n'est pas une adresse électronique : écrivez-la sans espace, "
                                                        "par exemple prenom.nom@production.fr."),
        (("Viewer@film.test", "viewer"), "team-email", "viewer@film.test a déjà ce rôle (Lecture seule) dans cette production."),
        (("nadia@film.test", "chef_op"), "team-role", "Choisissez un rôle de la liste."),
        (("personne@film.test", "remove"), "team-email", "personne@film.test n'est pas membre de cette production : "
                                                          "rien à retirer."),
        (("producer@film.test", "remove"), "team-email", "Vous ne pouvez ni changer votre propre rôle ni vous retirer : "
                                                          "la production garde son propriétaire."),
        (("producer@film.test", "viewer"), "team-email", "Vous ne pouvez ni changer votre propre rôle ni vous retirer : "
                                                          "la production garde son propriétaire."),
    ]
    for (email, role), field, message in cases:
        response = invite(email, role)
        assert response.status_code == 400, (email, role)
        assert field_error(response.text, field) == message, (email, role)
        assert typed(response.text, "team-email") == email
    assert snapshot(workspace) == before  # no invitation, no membership, no journal line

    assert producer.get("/lang?to=en&next=/").status_code == 303
    english = invite("nadia.film.test", "auditor")
    assert english.status_code == 400
    assert field_error(english.text, "team-email") == ("The « @ » is missing: write the whole address, "
                                                       "for example first.last@production.com.")
    assert field_error(invite("viewer@film.test", "viewer").text, "team-email") == (
        "viewer@film.test already has this role (Viewer) in this production.")
    assert snapshot(workspace) == before

    # what the form is for still works: a new role for a member, an invitation once the address is right
    changed = invite("viewer@film.test", "auditor")
    assert changed.status_code == 200 and "(viewer@film.test) — Auditor" in changed.text
    invited = invite("nadia@film.test", "auditor")
    assert invited.status_code == 200 and 'id="invite-link"' in invited.text


def test_the_invited_person_is_told_which_field_is_wrong(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    page = producer.get("/p/film/team")
    invited = producer.post("/p/film/team", data={"csrf": csrf_of(page.text), "email": "nadia@film.test", "role": "auditor"})
    path = re.search(r'id="invite-link" readonly value="([^"]+)"', invited.text)[1].replace("http://127.0.0.1", "")
    newcomer = client_for(workspace)
    form = newcomer.get(path)
    before = snapshot(workspace)
    no_name = newcomer.post(path, data={"csrf": csrf_of(form.text), "name": "  ", "password": "assez-long-pour-passer"})
    assert no_name.status_code == 400
    assert field_error(no_name.text, "name") == "Champ obligatoire." and field_error(no_name.text, "password") is None
    short = newcomer.post(path, data={"csrf": csrf_of(form.text), "name": "Nadia Auditrice", "password": "motcourt9"})
    assert short.status_code == 400
    assert field_error(short.text, "password") == "Au moins 10 caractères." and field_error(short.text, "name") is None
    assert typed(short.text, "name") == "Nadia Auditrice" and "motcourt9" not in short.text  # the password is never shown back
    assert snapshot(workspace) == before
    assert newcomer.post(path, data={"csrf": csrf_of(form.text), "name": "Nadia Auditrice",
                                     "password": "assez-long-pour-passer"}).status_code == 303
