"""The journal: the dossier is derived from the events (rebuilt and compared with the same edits made
to the CLI's file), import then export evaluates as the original on the four examples, past states
open read-only, and a stale write is refused with what changed."""

from __future__ import annotations

import copy
import io
import re
import zipfile

import pytest
import yaml

from raccord.engine import Engine
from tests.web_helpers import (  # noqa: F401
    EXAMPLES,
    TODAY,
    csrf_of,
    database_url,
    import_example,
    postgres_server,
    requires_web,
    team,
    version_of,
    workspace,
)

pytestmark = requires_web
EXAMPLE_NAMES = ["long_metrage", "serie_tv", "animation", "film_publicitaire"]


def comparable(result: dict) -> dict:
    out = copy.deepcopy(result)
    out["dossier"].pop("path", None)
    out["dossier"].pop("id", None)  # the workspace names a production by its slug
    if out.get("review", {}).get("file"):  # where the auditor's file was read from (the workspace has none)
        out["review"]["file"] = "dossier.audit.yaml"
    return out


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_import_then_export_evaluates_as_the_original(workspace, engine, example, tmp_path):  # noqa: F811
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", example).status_code == 303
    exported = producer.get("/p/film/export.zip")
    assert exported.status_code == 200
    zipfile.ZipFile(io.BytesIO(exported.content)).extractall(tmp_path / "out")
    original = engine.dossier(EXAMPLES / example / "dossier.yaml")
    again = engine.dossier(tmp_path / "out" / "dossier.yaml")
    for day in (TODAY, original.file.evidence[0].collected or TODAY):
        assert comparable(engine.result(engine.evaluate(again, day))) == comparable(engine.result(engine.evaluate(original, day)))
    # every evidence file comes back byte for byte, where the register says
    for item in original.file.evidence:
        if item.path:
            assert (tmp_path / "out" / item.path).read_bytes() == (EXAMPLES / example / item.path).read_bytes()


def test_journal_rebuilds_the_dossier_of_the_same_edits(workspace, engine, tmp_path):  # noqa: F811
    """Edits made in the workspace, replayed from the journal, give the dossier the CLI evaluates
    after the same edits to its YAML file."""
    from raccord.web import journal, store
    from raccord.web.models import Production

    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    page = producer.get("/p/film/facts/company")
    response = producer.post("/p/film/facts/company", data={
        "csrf": csrf_of(page.text), "version": version_of(page.text), "present:company.headcount": "1",
        "company.headcount": "1 250", "present:company.has_internal_rules": "1", "company.has_internal_rules": "true",
        "present:company.has_cse": "1", "company.has_cse": ""})
    assert response.status_code == 303, response.text[:3000]
    page = auditor.get("/p/film/review")
    assert auditor.post("/p/film/review/EV-001", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                       "decision": "rejected", "reason": "Analyse non datée"}).status_code == 303
    page = producer.get("/p/film/criteria/AFN-INC-03")
    assert producer.post("/p/film/criteria/AFN-INC-03/declare", data={
        "csrf": csrf_of(page.text), "version": version_of(page.text), "as": "declined", "text": "Hors budget"}).status_code == 303
    page = producer.get("/p/film/evidence")
    assert producer.post(f"/p/film/evidence/{'EV-002'}/remove", data={"csrf": csrf_of(page.text),
                                                                      "version": version_of(page.text)}).status_code == 303

    # the same edits on the CLI's file
    data = yaml.safe_load((EXAMPLES / "long_metrage" / "dossier.yaml").read_text())
    data["production"]["id"] = "film"
    data["facts"]["company"].update({"headcount": 1250, "has_internal_rules": True})
    del data["facts"]["company"]["has_cse"]
    ev1 = next(e for e in data["evidence"] if e["id"] == "EV-001")
    data["evidence"] = [e for e in data["evidence"] if e["id"] != "EV-002"]
    data.setdefault("declined", {})["AFN-INC-03"] = "Hors budget"
    (tmp_path / "dossier.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    # the review in the auditor's file beside it (raccord.audit/1), as `raccord review` writes it: by the
    # auditor's name, on the day of the event (the server's clock), of the file as it was then
    audit = {"format": "raccord.audit/1", "dossier": "film", "reviews": [
        {"evidence": "EV-001", "decision": "rejected", "reason": "Analyse non datée", "by": "Auditor",
         "date": review_day(workspace), "sha256": sha256_of(EXAMPLES / "long_metrage" / ev1["path"])}]}
    (tmp_path / "dossier.audit.yaml").write_text(yaml.safe_dump(audit, allow_unicode=True))
    expected = engine.reviewed(engine.dossier(tmp_path / "dossier.yaml"))
    assert expected.audit is not None

    ws = workspace.state.workspace
    with ws.sessions() as db:
        from sqlalchemy import select

        production = db.scalar(select(Production).where(Production.slug == "film"))
        rebuilt = journal.replay(store.entries(db, production.id))
        assert production.version == len(store.entries(db, production.id))
    dossier = ws.evaluator.dossier(rebuilt)
    got, want = engine.result(engine.evaluate(dossier, TODAY)), engine.result(engine.evaluate(expected, TODAY))
    assert comparable(got) == comparable(want)
    assert [(r["evidence"], r["decision"]) for r in rebuilt["reviews"]] == [("EV-001", "rejected")]
    assert "EV-002" not in rebuilt["evidence"] and rebuilt["facts"]["company.headcount"] == 1250
    # and the page shows the state the journal says
    assert "1250" in producer.get("/p/film/facts/company").text.replace("\u202f", "").replace(" ", "")


def sha256_of(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def review_day(app) -> str:
    from sqlalchemy import select

    from raccord.web.models import Event

    with app.state.workspace.sessions() as db:
        at = db.scalar(select(Event.at).where(Event.kind == "review"))
    return at.date().isoformat()


def test_history_and_past_state(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    page = producer.get("/p/film/facts/vhss")
    assert producer.post("/p/film/facts/vhss", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                     "present:vhss.film_referent.designated": "1",
                                                     "vhss.film_referent.designated": "false"}).status_code == 303
    history = producer.get("/p/film/history").text
    assert "a renseigné vhss.film_referent.designated = False" in history
    assert "a importé un dossier" in history and "Producer" in history
    assert "→" in history  # the effect on a decision is shown
    # the state before the change, read only, evaluated on another date
    past = producer.get("/p/film/at/2?as_of=2025-03-01")
    assert past.status_code == 200
    assert "lecture seule" in past.text and "01/03/2025" in past.text
    assert 'method="post" action="/p/film/facts' not in past.text


def test_stale_write_refused_with_what_changed(workspace):  # noqa: F811
    clients = team(workspace)
    producer, coordinator = clients["producer"], clients["coordinator"]
    first = producer.get("/p/film/facts/work")
    second = coordinator.get("/p/film/facts/work")
    response = producer.post("/p/film/facts/work", data={"csrf": csrf_of(first.text), "version": version_of(first.text),
                                                         "present:work.shooting_days": "1", "work.shooting_days": "30"})
    assert response.status_code == 303
    # the coordinator's form is older and writes the same fact: refused, and told who wrote what
    response = coordinator.post("/p/film/facts/work", data={"csrf": csrf_of(second.text), "version": version_of(second.text),
                                                           "present:work.shooting_days": "1", "work.shooting_days": "28"})
    assert response.status_code == 409
    assert "rien n&#39;a été enregistré" in response.text
    assert "Producer" in response.text and "work.shooting_days = 30" in response.text
    assert "value=\"30\"" in producer.get("/p/film/facts/work").text
    # a stale form touching another fact goes through: nothing of it was changed since
    response = coordinator.post("/p/film/facts/work", data={"csrf": csrf_of(second.text), "version": version_of(second.text),
                                                           "present:work.budget": "1", "work.budget": "1 500 000"})
    assert response.status_code == 303


def test_french_input_and_engine_messages(workspace):  # noqa: F811
    producer = team(workspace)["producer"]
    page = producer.get("/p/film/facts/dates")
    response = producer.post("/p/film/facts/dates", data={
        "csrf": csrf_of(page.text), "version": version_of(page.text), "present:dates.first_shooting_day": "1",
        "dates.first_shooting_day": "03/03/2025", "present:dates.wrap": "1", "dates.wrap": "31/02/2025"})
    assert response.status_code == 400
    # the engine's own message (Engine.fact_value), as `raccord interview` prints it
    assert 'id="f-dates-wrap-error"' in response.text and "ne convient pas" in response.text
    assert "une date AAAA-MM-JJ" in response.text
    page = producer.get("/p/film/facts/work")
    response = producer.post("/p/film/facts/work", data={
        "csrf": csrf_of(page.text), "version": version_of(page.text), "present:work.shooting_days": "1",
        "work.shooting_days": "-3"})
    assert response.status_code == 400
    assert "below the minimum" in response.text or "minimum" in response.text  # the engine's own message
    response = producer.post("/p/film/facts/work", data={
        "csrf": csrf_of(page.text), "version": version_of(page.text), "present:work.budget": "1",
        "work.budget": "3 200 000,50", "present:work.shooting_days": "1", "work.shooting_days": "35"})
    assert response.status_code == 303
    assert 'value="3200000,5"' in producer.get("/p/film/facts/work").text


def test_dossier_after_a_fact_edit_is_the_rebuilt_one(workspace, engine, monkeypatch):  # noqa: F811
    """The edited dossier (the previous version's with the facts replaced) evaluates exactly as the
    dossier rebuilt from the whole journal."""
    from sqlalchemy import select

    from raccord.web import journal, store
    from raccord.web.models import Production

    ws = workspace.state.workspace
    edits = []
    original = ws.engine.with_facts
    monkeypatch.setattr(ws.engine, "with_facts", lambda dossier, values: edits.append(values) or original(dossier, values))
    producer = team(workspace)["producer"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    for values in ({"work.shooting_days": "12", "work.budget": "2 500 000"}, {"work.shooting_days": "", "work.type": "serie"},
                   {"work.regions": ["corse"]}):
        page = producer.get("/p/film/facts/work")
        data = {"csrf": csrf_of(page.text), "version": version_of(page.text)}
        for name, value in values.items():
            data[f"present:{name}"], data[name] = "1", value
        assert producer.post("/p/film/facts/work", data=data).status_code == 303
        assert producer.get("/p/film/facts/work").status_code == 200  # builds the new version's dossier
    assert len(edits) == 3 and edits[1] == {"work.shooting_days": None, "work.type": "serie"}
    with ws.sessions() as db:
        production = db.scalar(select(Production).where(Production.slug == "film"))
        key = (production.id, production.version)
        rebuilt = journal.replay(store.entries(db, production.id))
    edited = ws.evaluator._peek(("dossier", *key))
    assert edited is not None and edited is not ws.evaluator.dossier(rebuilt)
    assert edited.facts == ws.evaluator.dossier(rebuilt).facts
    for day in (TODAY, TODAY.replace(year=2024)):
        assert engine.result(engine.evaluate(edited, day)) == engine.result(engine.evaluate(ws.evaluator.dossier(rebuilt), day))


def test_dashboard_declared_and_validated_figures_are_the_clis(workspace, tmp_path):  # noqa: F811
    """The auditor's accept and reject go through the engine's review model: the dashboard shows the
    declared and validated lines `raccord check` prints for the exported dossier and its auditor's file."""
    import html

    from click.testing import CliRunner

    from raccord.cli.main import cli

    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    for eid, decision, reason in (("EV-001", "accepted", ""), ("EV-003", "rejected", "Pièce non signée")):
        page = auditor.get("/p/film/review")
        assert auditor.post(f"/p/film/review/{eid}", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                           "decision": decision, "reason": reason}).status_code == 303
    dashboard = html.unescape(producer.get(f"/p/film?as_of={TODAY}").text)
    zipfile.ZipFile(io.BytesIO(producer.get("/p/film/export.zip").content)).extractall(tmp_path / "out")
    assert (tmp_path / "out" / "dossier.audit.yaml").exists()
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "out" / "dossier.yaml"), "--as-of", TODAY.isoformat()])
    lines = [line.strip() for line in result.output.splitlines()
             if line.startswith(("Score actuel", "Niveau :", "Validé par l'auditeur"))]
    assert any(line.startswith("Validé par l'auditeur") for line in lines), result.output
    assert any("validé par l'auditeur" in line for line in lines)  # a declared and a validated score differ here
    for line in lines:
        assert line in dashboard, line
    review = html.unescape(auditor.get("/p/film/review").text)
    assert "Pièce non signée" in review and "1 acceptée, " in review


def test_replacing_a_file_keeps_its_versions(workspace):  # noqa: F811
    """A new version of a piece: the old file stays stored and listed, the journal says who replaced
    what, and the auditor's acceptance (of the old file) no longer holds: the piece is pending again."""
    import html

    clients = team(workspace)
    producer, auditor, viewer = clients["producer"], clients["auditor"], clients["viewer"]
    page = producer.get("/p/film/evidence")
    assert producer.post("/p/film/evidence", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                   "kind": "menus_restauration", "collected": "02/03/2025"},
                         files={"file": ("menus-v1.txt", b"Menus de mars", "text/plain")}).status_code == 303
    page = auditor.get("/p/film/review")
    assert auditor.post("/p/film/review/EV-001", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                       "decision": "accepted"}).status_code == 303
    assert "acceptée" in producer.get("/p/film/evidence").text
    page = producer.get("/p/film/evidence/EV-001")
    assert page.status_code == 200 and 'id="replace"' in page.text
    assert 'id="replace"' not in viewer.get("/p/film/evidence/EV-001").text
    form = {"csrf": csrf_of(page.text), "version": version_of(page.text), "collected": "31/02/2025"}
    refused = producer.post("/p/film/evidence/EV-001", data=form, files={"file": ("menus-v2.txt", b"Menus dates", "text/plain")})
    assert refused.status_code == 400 and "une date AAAA-MM-JJ" in refused.text  # the engine's expected form
    same = producer.post("/p/film/evidence/EV-001", data={**form, "collected": ""},
                         files={"file": ("copie.txt", b"Menus de mars", "text/plain")})
    assert same.status_code == 400
    assert viewer.post("/p/film/evidence/EV-001", data={**form, "csrf": csrf_of(viewer.get("/p/film").text)},
                       files={"file": ("x.txt", b"x", "text/plain")}).status_code == 403
    assert producer.post("/p/film/evidence/EV-001", data={**form, "collected": "03/03/2025"},
                         files={"file": ("menus-v2.txt", b"Menus dates et signes", "text/plain")}).status_code == 303
    item = html.unescape(producer.get("/p/film/evidence/EV-001").text)
    assert "evidence/menus-v2.txt (actuelle)" in item and "evidence/menus-v1.txt" in item
    assert "en attente" in item and "portait sur l'ancien fichier" in item  # the review was of the old file
    assert "1 revue portant sur une version remplacée" in html.unescape(auditor.get("/p/film/review").text)
    old_sha = re.search(r'file\?sha256=([0-9a-f]{64})', item)[1]
    assert producer.get(f"/p/film/evidence/EV-001/file?sha256={old_sha}").content == b"Menus de mars"
    assert producer.get("/p/film/evidence/EV-001/file").content == b"Menus dates et signes"
    assert producer.get(f"/p/film/evidence/EV-001/file?sha256={'0' * 64}").status_code == 404
    history = html.unescape(producer.get("/p/film/history").text)
    assert "a remplacé le fichier de la preuve EV-001 (evidence/menus-v1.txt → evidence/menus-v2.txt)" in history


def test_auditor_closes_a_finding_as_the_cli_does(workspace, tmp_path):  # noqa: F811
    """A finding closed in the workspace, with a comment: the exported auditor's file is the one
    `raccord audit finding close` makes of the same file; the comment is in the history, a closing
    without one is refused beside its field and changes nothing."""
    import html

    from click.testing import CliRunner

    from raccord.cli.main import cli
    from raccord.engine.review import load_audit

    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    page = auditor.get("/p/film/review")
    assert auditor.post("/p/film/findings", data={"csrf": csrf_of(page.text), "text": "Registre des déchets incomplet",
                                                  "type": "minor", "criteria": "AFN-GOV-01"}).status_code == 303
    page = auditor.get("/p/film/review")
    fid = re.search(r'action="/p/film/findings/(F-[0-9A-F]+)/close"', page.text)[1]
    zipfile.ZipFile(io.BytesIO(producer.get("/p/film/export.zip").content)).extractall(tmp_path / "cli")
    closed = CliRunner().invoke(cli, ["audit", "finding", "close", str(tmp_path / "cli" / "dossier.yaml"), fid])
    assert closed.exit_code == 0, closed.output

    data = {"csrf": csrf_of(page.text), "version": version_of(page.text)}
    refused = auditor.post(f"/p/film/findings/{fid}/close", data={**data, "comment": "ok"})
    assert refused.status_code == 400 and f'id="comment-{fid}-error"' in refused.text
    assert "Dites en quelques mots pourquoi le constat est clos." in html.unescape(refused.text)
    assert f"/findings/{fid}/close" in auditor.get("/p/film/review").text  # still open
    closing = {**data, "comment": "Registre complété le 12/10"}
    assert auditor.post(f"/p/film/findings/{fid}/close", data=closing).status_code == 303

    review = html.unescape(auditor.get("/p/film/review").text)
    assert f"{fid} — non-conformité mineure (clos)" in review and f"/findings/{fid}/close" not in review
    assert f"a clos le constat {fid} — Registre complété le 12/10" in html.unescape(producer.get("/p/film/history").text)
    zipfile.ZipFile(io.BytesIO(producer.get("/p/film/export.zip").content)).extractall(tmp_path / "web")
    from_web, from_cli = load_audit(tmp_path / "web" / "dossier.audit.yaml"), load_audit(tmp_path / "cli" / "dossier.audit.yaml")
    assert [f.status for f in from_web.findings] == ["closed"]
    assert from_web.findings == from_cli.findings
    assert auditor.post("/p/film/findings/F-000000000000/close", data={**data, "comment": "Inconnu"}).status_code == 404


def test_old_layout_sign_offs_are_listed_on_the_review_page(workspace):  # noqa: F811
    """A sign-off of the journal's first layout (no stage nor decision) is not in the auditor's file;
    the review page lists it under a notice that says so and asks for a new sign-off, which the
    file then carries."""
    import html

    from sqlalchemy import select

    from raccord.web import store
    from raccord.web.models import Production, User

    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    notice = "Signatures de l'ancienne forme, absentes du fichier de l'auditeur"
    assert notice not in html.unescape(auditor.get("/p/film/review").text)
    with workspace.state.workspace.sessions() as db:  # the first layout's event, as it was written then
        production = db.scalar(select(Production).where(Production.slug == "film"))
        author = db.scalar(select(User).where(User.email == "auditor@film.test"))
        store.append(db, production, author, [("sign_off", {"text": "Audit terminé, RAS"})], None)
        db.commit()
    for client in (auditor, producer):
        page = html.unescape(client.get("/p/film/review").text)
        old = re.search(r'<div class="notice" id="old-signoffs".*?</div>', page, re.S)[0]
        assert notice in old and "signez à nouveau avec une étape et une décision" in old
        assert "par Auditor, le" in old and "Audit terminé, RAS" in old
    export = zipfile.ZipFile(io.BytesIO(producer.get("/p/film/export.zip").content))
    assert "signoffs" not in yaml.safe_load(export.read("dossier.audit.yaml") if "dossier.audit.yaml" in export.namelist()
                                            else "{}")
    page = auditor.get("/p/film/review")
    assert auditor.post("/p/film/sign-off", data={"csrf": csrf_of(page.text), "stage": "final", "decision": "favorable",
                                                  "text": "Signé à nouveau"}).status_code == 303
    export = zipfile.ZipFile(io.BytesIO(producer.get("/p/film/export.zip").content))
    signoffs = yaml.safe_load(export.read("dossier.audit.yaml"))["signoffs"]
    assert [(s["stage"], s["decision"], s.get("note")) for s in signoffs] == [("final", "favorable", "Signé à nouveau")]
    page = html.unescape(auditor.get("/p/film/review").text)
    assert notice in page  # the old one is still listed: the journal keeps it
    lang = auditor.get("/lang?to=en&next=/p/film/review")
    assert lang.status_code == 303
    assert "Sign-offs of the old form, left out of the auditor's file" in html.unescape(auditor.get("/p/film/review").text)
