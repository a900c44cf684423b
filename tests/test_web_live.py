"""The shooting journal in the workspace (issue 19): set events logged from a form or imported as JSON
Lines, checked by the engine's code; the dashboard's live alerts are `raccord watch`'s for the same
journal; an acknowledgement is an `alert.ack` event and its JOURNAL-ACK item in the register; and the
workspace's evaluation equals `raccord check` on the exported dossier and its journal. Each runs on
SQLite and on PostgreSQL (tests/web_helpers.py)."""

from __future__ import annotations

import copy
import datetime as dt
import html
import io
import json
import re
import zipfile

from click.testing import CliRunner
from sqlalchemy import func, select

from tests.web_helpers import (  # noqa: F401
    EXAMPLES,
    csrf_of,
    database_url,
    import_example,
    postgres_server,
    requires_web,
    shared_engine,
    team,
    version_of,
    workspace,
)

pytestmark = requires_web
PARIS = dt.timezone(dt.timedelta(hours=1))
DAY = EXAMPLES / "serie_tv" / "journal" / "jour-12-sans-pauses.jsonl"
WITH_BREAKS = EXAMPLES / "serie_tv" / "journal" / "jour-12-avec-pauses.jsonl"
ALERT = re.compile(r'id="alert-(A-[0-9a-f]{10})"')


def on_set(app, now: dt.datetime, today: dt.date = dt.date(2025, 11, 14)) -> None:
    """The server's clock and date during the scripted day (the engine reads neither)."""
    ws = app.state.workspace
    ws.clock, ws.today = (lambda: now), (lambda: today)


def import_journal(client, path, slug: str = "film"):
    page = client.get(f"/p/{slug}/live")
    return client.post(f"/p/{slug}/live/import", data={"csrf": csrf_of(page.text)},
                       files={"file": (path.name, path.read_bytes(), "application/jsonl")})


def log(client, data: dict, slug: str = "film"):
    page = client.get(f"/p/{slug}/live?type={data['type']}")
    return client.post(f"/p/{slug}/live", data={"csrf": csrf_of(page.text), **data})


def events_count(app) -> int:
    from raccord.web.models import Event

    with app.state.workspace.sessions() as db:
        return db.scalar(select(func.count()).select_from(Event))


def exported(client, folder):
    zipfile.ZipFile(io.BytesIO(client.get("/p/film/export.zip").content)).extractall(folder)
    return folder / "dossier.yaml"


def watch_json(dossier, as_of: str) -> list[dict]:
    from raccord.cli.main import cli

    result = CliRunner().invoke(cli, ["watch", str(dossier), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["alerts"]


def comparable(result: dict) -> dict:
    out = copy.deepcopy(result)
    out["dossier"].pop("path", None)
    out["dossier"].pop("id", None)
    if out.get("review", {}).get("file"):  # where the auditor's file was read from (the workspace has none)
        out["review"]["file"] = "dossier.audit.yaml"
    return out


def workspace_result(app, slug: str = "film"):
    """The result document the workspace's pages read, for the production's current version."""
    from raccord.web import store
    from raccord.web.models import Production

    ws = app.state.workspace
    with ws.sessions() as db:
        production = db.scalar(select(Production).where(Production.slug == slug))
        state = store.state_at(db, production)
        evaluation = ws.evaluator.evaluation((production.id, production.version), state, ws.today())
    return ws.engine.result(evaluation)


def test_scripted_day_alerts_are_watchs_and_the_acknowledgement_is_evidence(workspace, tmp_path):  # noqa: F811
    """Issue 19's "Must show" day on the TV series: the dashboard shows exactly the alerts `raccord watch
    --format json` gives for the exported journal; acknowledging one puts its JOURNAL-ACK item in the
    register and marks it for everyone; the workspace's evaluation equals check on the export."""
    engine = shared_engine()
    now = dt.datetime(2025, 11, 13, 12, 0, tzinfo=PARIS)
    on_set(workspace, now)
    clients = team(workspace)
    producer, referent, viewer = clients["producer"], clients["vhss_referent"], clients["viewer"]
    assert import_example(workspace, producer, "film", "serie_tv").status_code == 303
    before = events_count(workspace)
    assert import_journal(producer, DAY).status_code == 303
    assert events_count(workspace) == before + 1  # the file is one change of the journal (one version to evaluate)
    history = html.unescape(producer.get("/p/film/history").text)
    assert "a importé 21 événements de tournage (jour-12-sans-pauses.jsonl)" in history
    recent = html.unescape(producer.get("/p/film/live").text)
    recent = recent[recent.index('class="live-events"'):]
    assert recent.index("2025-11-13 10:30") < recent.index("2025-11-12 07:00")  # newest first
    dossier = exported(producer, tmp_path / "before")
    assert (tmp_path / "before" / "dossier.journal.jsonl").read_bytes() == DAY.read_bytes()  # byte for byte
    expected = watch_json(dossier, now.isoformat())
    monitors = {a["monitor"] for a in expected}
    assert {"LIVE-MINOR-BREAK", "LIVE-INTIMACY-CLOSED-SET", "LIVE-WT-REST"} <= monitors, monitors
    dashboard = html.unescape(producer.get("/p/film").text)
    assert set(ALERT.findall(dashboard)) == {a["id"] for a in expected}
    for alert in expected:  # what, who, since, the clause, what to do: watch's words
        block = dashboard[dashboard.index(f'id="alert-{alert["id"]}"'):]
        block = block[:block.index("</article>")]
        since = alert["since"][:16].replace("T", " ")
        for part in (alert["message"], alert["who"], alert["action"], alert["source"]["section"], since):
            assert part in block, (alert["id"], part)
    assert 'hx-get="/p/film/alerts"' in dashboard and 'hx-trigger="every 30s"' in dashboard
    viewer.get("/lang?to=en&next=/")
    english = viewer.get("/p/film/alerts").text
    viewer.get("/lang?to=fr&next=/")
    assert html.unescape(next(a for a in watch_json_lang(dossier, now, "en") if a["monitor"] == "LIVE-WT-REST")["message"]) \
        in html.unescape(english)
    assert comparable(workspace_result(workspace)) == comparable(engine.result(engine.evaluate(engine.dossier(dossier),
                                                                                                 workspace.state.workspace.today())))

    # acknowledge the child's missed break, as the VHSS referent, from the dashboard
    minor = next(a for a in expected if a["monitor"] == "LIVE-MINOR-BREAK" and a["stage"] == "breach")
    page = referent.get("/p/film")
    empty = referent.post(f"/p/film/alerts/{minor['id']}/ack", data={"csrf": csrf_of(page.text), "comment": "  "})
    assert empty.status_code == 400 and f'id="comment-{minor["id"]}-error"' in empty.text
    assert "commentaire" in html.unescape(empty.text).lower() or "texte non vide" in html.unescape(empty.text)
    done = referent.post(f"/p/film/alerts/{minor['id']}/ack", data={"csrf": csrf_of(page.text), "back": "dashboard",
                                                                       "comment": "Pause donnée à 12 h 35, planning revu",
                                                                       "by": "referent_vhss"})
    assert done.status_code == 303 and done.headers["location"] == "/p/film"
    seen = html.unescape(viewer.get("/p/film/alerts").text)  # the whole team sees it acknowledged
    block = seen[seen.index(f'id="alert-{minor["id"]}"'):]
    assert "Acquittée le" in block[:block.index("</article>")] and "Pause donnée à 12 h 35" in block
    item = "JOURNAL-ACK-" + minor["id"][2:]
    register = html.unescape(viewer.get("/p/film/evidence").text)
    assert f'id="ev-{item}"' in register and "referent_vhss" in register

    dossier = exported(producer, tmp_path / "after")
    again = watch_json(dossier, now.isoformat())
    assert [a["id"] for a in again] == [a["id"] for a in expected]
    assert next(a for a in again if a["id"] == minor["id"])["acknowledged"]["comment"] == "Pause donnée à 12 h 35, planning revu"
    cli_dossier = engine.dossier(dossier)
    assert item in {i.id for i in cli_dossier.file.evidence}
    assert comparable(workspace_result(workspace)) == comparable(engine.result(engine.evaluate(cli_dossier,
                                                                                                 workspace.state.workspace.today())))


def watch_json_lang(dossier, now: dt.datetime, lang: str) -> list[dict]:
    from raccord.cli.main import cli

    result = CliRunner().invoke(cli, ["watch", str(dossier), "--as-of", now.isoformat(), "--format", "json", "--lang", lang])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["alerts"]


def test_breaks_given_no_alert_and_import_export_keeps_the_journal(workspace, tmp_path):  # noqa: F811
    """The same day with the breaks given: no alert of the minors' break; an imported dossier with its
    journal beside it exports the same journal and evaluates identically."""
    engine = shared_engine()
    on_set(workspace, dt.datetime(2025, 11, 13, 12, 0, tzinfo=PARIS))
    producer = team(workspace)["producer"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "dossier.yaml").write_bytes((EXAMPLES / "serie_tv" / "dossier.yaml").read_bytes())
    (folder / "dossier.journal.jsonl").write_bytes(WITH_BREAKS.read_bytes())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for path in folder.iterdir():
            out.write(path, path.name)
    page = producer.get("/p/film/downloads")
    assert producer.post("/p/film/import", data={"csrf": csrf_of(page.text)},
                         files={"file": ("d.zip", archive.getvalue(), "application/zip")}).status_code == 303
    fragment = producer.get("/p/film/alerts").text
    assert 'data-monitor="LIVE-MINOR-BREAK"' not in fragment
    dossier = exported(producer, tmp_path / "out")
    assert (tmp_path / "out" / "dossier.journal.jsonl").read_bytes() == WITH_BREAKS.read_bytes()
    original = engine.dossier(folder / "dossier.yaml")
    assert original.facts.get("vhss.minors.breaks_granted") is True  # the journal gave it
    day = dt.date(2025, 11, 14)
    assert comparable(engine.result(engine.evaluate(engine.dossier(dossier), day))) == \
        comparable(engine.result(engine.evaluate(original, day)))
    assert comparable(workspace_result(workspace)) == comparable(engine.result(engine.evaluate(original, day)))


def test_event_from_the_form_fires_at_once_and_bad_ones_are_refused_beside_the_field(workspace):  # noqa: F811
    now = dt.datetime(2025, 11, 12, 9, 0, tzinfo=PARIS)
    on_set(workspace, now)
    clients = team(workspace)
    coordinator = clients["coordinator"]
    before = events_count(workspace)
    bad = log(coordinator, {"type": "work.start", "person": "Jean Dupont", "role": "enfant", "at": "2025-11-12T08:00",
                            "zone": "Europe/Paris"})
    assert bad.status_code == 400
    text = html.unescape(bad.text)
    error = re.search(r'<p class="field-error" id="f-person-error" role="alert">([^<]+)</p>', text)
    assert error and "'Jean Dupont' n'est pas une référence interne" in error[1] and "jamais un nom" in error[1], text[-3000:]
    assert 'aria-invalid="true"' in text and 'value="Jean Dupont"' in text  # kept for correcting
    missing = log(coordinator, {"type": "child.arrive", "person": "E-01"})
    assert missing.status_code == 400 and "champ « supervised » manquant" in html.unescape(missing.text)
    assert 'id="f-supervised-error"' in missing.text
    assert events_count(workspace) == before  # nothing written
    lines = ('{"v": 1, "at": "2025-11-12T07:00:00+01:00", "type": "day.open"}\n'
             '{"v": 1, "at": "2025-11-12T08:00:00", "type": "day.open"}\n')  # line 2: no time zone
    page = coordinator.get("/p/film/live")
    refused = coordinator.post("/p/film/live/import", data={"csrf": csrf_of(page.text)},
                               files={"file": ("tablette.jsonl", lines.encode(), "application/jsonl")})
    assert refused.status_code == 400 and "tablette.jsonl:2" in refused.text
    assert "n'a pas de fuseau horaire" in html.unescape(refused.text)
    assert 'id="journal-file-error"' in refused.text
    assert events_count(workspace) == before

    ok = log(coordinator, {"type": "child.arrive", "person": "E-01", "supervised": "false", "at": "2025-11-12T08:55",
                           "zone": "Europe/Paris", "source": "regie"})
    assert ok.status_code == 303
    fragment = html.unescape(coordinator.get("/p/film/alerts").text)
    assert 'data-monitor="LIVE-MINOR-SUPERVISOR"' in fragment and "E-01" in fragment, fragment
    page = html.unescape(coordinator.get("/p/film/live").text)
    assert "Arrivée d'un enfant" in page and "2025-11-12 08:55" in page and "Coordinator" in page
    history = html.unescape(coordinator.get("/p/film/history").text)
    assert "a noté : Arrivée d'un enfant — E-01" in history


def test_alerts_replayed_once_per_version_and_minute_by_either_engine(workspace, monkeypatch):  # noqa: F811
    """A page view in the same minute and version does not replay; a new minute or a new event does.
    Without durable-rules the reference check gives the same alerts."""
    from raccord.web import live

    calls = []
    real = live.replay
    monkeypatch.setattr(live, "replay", lambda *args, **kwargs: calls.append(kwargs["engine"]) or real(*args, **kwargs))
    on_set(workspace, dt.datetime(2025, 11, 12, 9, 0, 10, tzinfo=PARIS))
    referent = team(workspace)["vhss_referent"]
    assert log(referent, {"type": "work.start", "person": "E-01", "role": "enfant", "at": "2025-11-12T08:00"}).status_code == 303
    first = referent.get("/p/film/alerts").text
    referent.get("/p/film/alerts")
    referent.get("/p/film")
    assert len(calls) == 1
    on_set(workspace, dt.datetime(2025, 11, 12, 12, 30, tzinfo=PARIS))  # 4 h 30 of work without a break
    durable = ALERT.findall(referent.get("/p/film/alerts").text)
    assert len(calls) == 2 and not ALERT.findall(first) and durable
    monkeypatch.setattr(live, "durable_available", lambda: False)
    assert log(referent, {"type": "day.open", "at": "2025-11-12T07:00"}).status_code == 303
    fragment = referent.get("/p/film/alerts").text
    assert calls[-1] == "reference" and "moteur reference" in fragment and ALERT.findall(fragment) == durable


def test_auditor_reviews_an_acknowledgement_as_the_cli_records_it(workspace, tmp_path):  # noqa: F811
    """The auditor accepts the JOURNAL-ACK item of an acknowledged alert (or rejects it, with a reason
    required); the exported auditor's file holds the review of its hash, which `check` applies."""
    from raccord.engine.review import item_reviews

    engine = shared_engine()
    on_set(workspace, dt.datetime(2025, 11, 12, 9, 0, tzinfo=PARIS), today=dt.date(2025, 11, 12))
    clients = team(workspace)
    referent, auditor, producer = clients["vhss_referent"], clients["auditor"], clients["producer"]
    arrived = {"type": "child.arrive", "person": "E-02", "supervised": "false", "at": "2025-11-12T08:40"}
    assert log(referent, arrived).status_code == 303
    aid = ALERT.findall(referent.get("/p/film/alerts").text)[0]
    page = referent.get("/p/film/live")
    assert referent.post(f"/p/film/alerts/{aid}/ack", data={"csrf": csrf_of(page.text), "comment": "Responsable arrivé à 08 h 50",
                                                           "by": "referent_vhss"}).status_code == 303
    item = "JOURNAL-ACK-" + aid[2:]
    register = auditor.get("/p/film/evidence").text
    assert f'action="/p/film/evidence/journal/{item}/review"' in register
    assert f"/evidence/journal/{item}/review" not in producer.get("/p/film/evidence").text  # the auditor's act only
    refused = auditor.post(f"/p/film/evidence/journal/{item}/review", data={"csrf": csrf_of(register), "decision": "rejected"})
    assert refused.status_code == 400 and f'id="reason-{item}-error"' in refused.text
    assert producer.post(f"/p/film/evidence/journal/{item}/review", data={"csrf": csrf_of(register),
                                                                         "decision": "accepted"}).status_code == 403
    done = auditor.post(f"/p/film/evidence/journal/{item}/review", data={"csrf": csrf_of(register), "decision": "accepted"})
    assert done.status_code == 303
    row = html.unescape(producer.get("/p/film/evidence").text)
    row = row[row.index(f'id="ev-{item}"'):]
    assert "acceptée" in row[:row.index("</tr>")]
    dossier = engine.reviewed(engine.dossier(exported(producer, tmp_path / "out")))  # with the auditor's file, as check
    assert (tmp_path / "out" / "dossier.audit.yaml").exists()
    assert item_reviews(dossier)[item].status == "accepted"
    day = dt.date(2025, 11, 12)
    assert comparable(workspace_result(workspace)) == comparable(engine.result(engine.evaluate(dossier, day)))


def test_the_polled_alerts_after_the_session_ended_send_the_whole_page_to_the_login(workspace):  # noqa: F811
    """The dashboard polls its alerts block; once the session has ended (logged out elsewhere,
    expired), the login page must not be swapped into that block: htmx is told to take the whole
    browser to the login (HX-Redirect), and back to the dashboard after it."""
    from tests.web_helpers import client_for

    clients = team(workspace)
    producer = clients["producer"]
    page = producer.get("/p/film")
    assert producer.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    for client in (producer, client_for(workspace)):  # logged out, and never logged in
        polled = client.get("/p/film/alerts", headers={"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/p/film"})
        assert polled.status_code == 200 and polled.text == ""
        assert polled.headers["HX-Redirect"] == "/login?next=/p/film"
        elsewhere = client.get("/p/film/alerts", headers={"HX-Request": "true", "HX-Current-URL": "http://evil.test//evil"})
        assert elsewhere.headers["HX-Redirect"] == "/login?next=/"  # never back to another site
        plain = client.get("/p/film/alerts")  # a browser without htmx: the usual redirect
        assert plain.status_code == 303 and plain.headers["location"] == "/login?next=/p/film/alerts"


def test_the_logged_notice_agrees_with_its_count_and_ignores_a_forged_one(workspace):  # noqa: F811
    coordinator = team(workspace)["coordinator"]
    assert "1 événement noté." in coordinator.get("/p/film/live?logged=1").text
    assert "3 événements notés." in coordinator.get("/p/film/live?logged=3").text
    forged = coordinator.get("/p/film/live?logged=%7B0%7D")  # not a count: no notice, no error
    assert forged.status_code == 200 and "noté" not in forged.text.split('role="status"', 1)[-1][:200]


def history_pages(client) -> list[tuple[int, list[str]]]:
    """Every row of the history, page after page (the « older » link): (version, its effects as shown)."""
    rows, url = [], "/p/film/history"
    while url:
        page = client.get(url).text
        for seq, cell in re.findall(r'<tr><td>(\d+)</td>.*?<td><ul>(.*?)</ul></td>', page, re.S):
            rows.append((int(seq), [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", cell)]))
        older = re.search(r'href="(/p/film/history\?before=\d+)" rel="next"', page)
        url = older[1] if older else None
    return rows


def history_worked_out(app) -> tuple[dict[str, list[tuple[int, list[str]]]], list[list[dict]]]:
    """The same rows worked out plainly, per language: every version's dossier built by Evaluator.dossier,
    evaluated; and each version's summary entries."""
    from raccord.web import store
    from raccord.web.evaluation import summary
    from raccord.web.models import Production

    ws = app.state.workspace
    with ws.sessions() as db:
        production = db.scalar(select(Production).where(Production.slug == "film"))
        entries = [ws.engine.summary(ws.engine.evaluate(ws.evaluator.dossier(store.state_at(db, production, seq)),
                                                        ws.today()), reasons=False) for seq in range(1, production.version + 1)]
    out = {}
    for lang in ("fr", "en"):
        lines = [{}] + [{r["id"]: r["line"] for r in summary(e, lang, False)} for e in entries]
        out[lang] = [(seq, [f"{rid} : {lines[seq - 1].get(rid) or '—'} → {line}" for rid, line in lines[seq].items()
                            if lines[seq - 1].get(rid) != line]) for seq in range(len(lines) - 1, 0, -1)]
    return out, entries


def test_the_history_of_a_shoot_pages_newest_first_and_says_what_each_version_changed(workspace):  # noqa: F811
    """Set events one version each, between a fact edit, a team change and the auditor's acceptance of
    a journal-derived item (which the next set event makes stale: its hash is the journal's): the
    history's pages (newest first, 25 a page) give every version once, with the decisions it changed
    as evaluating each version's own dossier does, the first time and from what it remembered."""
    from raccord.web import store
    from raccord.web.models import Production, User

    on_set(workspace, dt.datetime(2025, 11, 13, 11, 0, tzinfo=PARIS), today=dt.date(2025, 11, 13))
    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    day = [json.loads(line) for line in DAY.read_text(encoding="utf-8").splitlines() if line.strip()]
    ws = workspace.state.workspace

    def append(events):
        with ws.sessions() as db:
            production = db.scalar(select(Production).where(Production.slug == "film"))
            author = db.scalar(select(User).where(User.email == "coordinator@film.test"))
            for event in events:  # one version each, as the form logs them
                store.append(db, production, author, [("live.event", {"event": event})], None)
            db.commit()

    append(day[:12])
    register = auditor.get("/p/film/evidence").text
    assert "/evidence/journal/JOURNAL-LIVE-MINOR-BREAK/review" in register
    assert auditor.post("/p/film/evidence/journal/JOURNAL-LIVE-MINOR-BREAK/review",
                        data={"csrf": csrf_of(register), "decision": "accepted"}).status_code == 303
    append(day[12:16])
    page = producer.get("/p/film/facts/vhss")
    assert producer.post("/p/film/facts/vhss", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                     "present:vhss.film_referent.designated": "1",
                                                     "vhss.film_referent.designated": "false"}).status_code == 303
    page = producer.get("/p/film/team")
    assert producer.post("/p/film/team", data={"csrf": csrf_of(page.text), "email": "regie@film.test",
                                               "role": "viewer"}).status_code == 200
    append(day[16:])
    expected, entries = history_worked_out(workspace)
    assert len(expected["fr"]) > 25 and [seq for seq, effects in expected["fr"] if effects] == [9, 2, 1]  # 9: a set event
    assert history_pages(producer) == expected["fr"]
    assert producer.get("/lang?to=en&next=/").status_code == 303
    assert history_pages(producer) == expected["en"]  # from the decisions it remembered
    from raccord.web.chart import score_chart
    from raccord.web.evaluation import score_points
    from raccord.web.words import w

    points = [(seq, score_points(e)) for seq, e in enumerate(entries, 1)]  # under 40 versions: every one is a point
    titles = {rs["id"]: rs["title"]["en"] for rs in entries[-1]}
    assert producer.get("/p/film/chart.svg").text == score_chart(points, titles, w("score_over_time", "en"))


def test_a_past_state_shows_the_alerts_of_its_version_time(workspace, tmp_path, monkeypatch):  # noqa: F811
    """The journal imported at 13:00 on the 12th: that version, opened later, shows the alerts `raccord
    watch --as-of` gives at 13:00 (not those the day brought after), read only and not polled; the
    current dashboard shows the day's."""
    from raccord.web import store

    clients = team(workspace)
    producer = clients["producer"]
    assert import_example(workspace, producer, "film", "serie_tv").status_code == 303
    one = dt.datetime(2025, 11, 12, 13, 0, tzinfo=PARIS)
    monkeypatch.setattr(store, "now", lambda: one.astimezone(dt.UTC))  # when the import is recorded
    assert import_journal(producer, DAY).status_code == 303
    monkeypatch.undo()
    version = int(re.findall(r'href="/p/film/at/(\d+)"', producer.get("/p/film/history").text)[0])
    later = dt.datetime(2025, 11, 13, 12, 0, tzinfo=PARIS)
    on_set(workspace, later)
    dossier = exported(producer, tmp_path / "export")
    then, now = watch_json(dossier, one.isoformat()), watch_json(dossier, later.isoformat())
    assert 0 < len(then) < len(now)
    past = html.unescape(producer.get(f"/p/film/at/{version}").text)
    assert set(ALERT.findall(past)) == {a["id"] for a in then}
    assert "Telles qu'au 12/11/2025 12:00 UTC, quand cette version a été enregistrée" in past
    assert 'hx-get="/p/film/alerts"' not in past and "/ack" not in past  # neither polled nor acknowledged there
    assert set(ALERT.findall(producer.get("/p/film").text)) == {a["id"] for a in now}
