"""Security of the workspace: the whole authorization matrix, CSRF on every state-changing route,
session fixation and logout, login rate limiting, the session key, and injection in text fields.
Each runs on SQLite and on PostgreSQL (tests/web_helpers.py)."""

from __future__ import annotations

import io
import itertools
import os
import re
import stat
import subprocess

import pytest
from sqlalchemy import func, select

from raccord.web.authz import ACTIONS, MATRIX, ROLES
from tests.web_helpers import (  # noqa: F401
    ROOT,
    client_for,
    csrf_of,
    database_url,
    import_example,
    login,
    postgres_server,
    requires_web,
    team,
    version_of,
    workspace,
)

pytestmark = requires_web


def snapshot(app, slug: str = "film") -> tuple:
    """Everything an action could change: the journal, the team, the invitations, the stored files."""
    from raccord.web.models import Blob, Event, Invitation, Membership, Production

    with app.state.workspace.sessions() as db:
        production = db.scalar(select(Production).where(Production.slug == slug))
        return (production.version, db.scalar(select(func.count()).select_from(Event)),
                sorted(db.execute(select(Membership.user_id, Membership.role)).all()),
                db.scalar(select(func.count()).select_from(Invitation)),
                db.scalar(select(func.count()).select_from(Blob)))


def act(client, action: str, version: int, slug: str = "film"):
    """Perform `action` as a browser would, with a valid CSRF token and the current version (a fresh form)."""
    base = f"/p/{slug}"
    page = client.get(f"{base}/evidence")
    if page.status_code != 200:
        return page
    csrf = csrf_of(page.text)
    if action == "view":
        return page
    if action == "edit_facts":
        return client.post(f"{base}/facts/work", data={"csrf": csrf, "version": version, "present:work.shooting_days": "1",
                                                       "work.shooting_days": "36"})
    if action == "manage_evidence":
        return client.post(f"{base}/evidence", data={"csrf": csrf, "version": version, "kind": "menus_restauration"},
                           files={"file": ("menus.txt", b"Menus du tournage", "text/plain")})
    if action == "declare":
        return client.post(f"{base}/criteria/AFN-INC-03/declare",
                           data={"csrf": csrf, "version": version, "as": "not_applicable", "text": "Pas de recrutement."})
    if action == "review":
        return client.post(f"{base}/review/EV-001", data={"csrf": csrf, "version": version, "decision": "rejected",
                                                          "reason": "Pièce illisible"})
    if action == "finding":
        return client.post(f"{base}/findings", data={"csrf": csrf, "text": "Registre incomplet", "type": "minor",
                                                     "criteria": "AFN-GOV-01"})
    if action == "close_finding":  # an open finding (the auditor's own, written just before), or any finding
        review = client.get(f"{base}/review").text
        found = re.search(r'/findings/(F-[0-9A-F]+)/close"', review) or re.search(r'id="finding-(F-[0-9A-F]+)"', review)
        fid = found[1] if found else "F-000000000000"
        return client.post(f"{base}/findings/{fid}/close", data={"csrf": csrf, "version": version,
                                                                 "comment": "Registre complété"})
    if action == "sign_off":
        return client.post(f"{base}/sign-off", data={"csrf": csrf, "text": "Audit clos", "stage": "intermediate",
                                                     "decision": "favorable"})
    if action == "manage_team":
        return client.post(f"{base}/team", data={"csrf": csrf, "email": "nouveau@film.test", "role": "viewer"})
    if action == "import":
        return import_example(None, client, slug, "film_publicitaire", csrf, version)
    if action == "log_event":  # a child on set without the supervisor (a new child each time: a new alert)
        return client.post(f"{base}/live", data={"csrf": csrf, "type": "child.arrive", "person": f"E-{next(CHILDREN)}",
                                                 "supervised": "false"})
    if action == "acknowledge":  # the first alert not yet acknowledged (forms are shown to those who may)
        alerts = client.get(f"{base}/alerts").text
        found = re.search(r'/alerts/(A-[0-9a-f]{10})/ack"', alerts) or re.search(r'id="alert-(A-[0-9a-f]{10})"', alerts)
        return client.post(f"{base}/alerts/{found[1] if found else 'A-0000000000'}/ack",
                           data={"csrf": csrf, "comment": "Responsable enfants rappelé", "by": "regisseur_general"})
    raise AssertionError(action)


CHILDREN = itertools.count(1)


def test_authorization_matrix(workspace):  # noqa: F811
    """Every role × every action: allowed ones take effect, forbidden ones answer 403 and change nothing."""
    clients = team(workspace)
    assert import_example(workspace, clients["producer"], "film", "long_metrage").status_code == 303
    assert set(MATRIX) == {(r, a) for r in ROLES for a in ACTIONS}
    for role in ROLES:
        for action in ACTIONS:
            before = snapshot(workspace)
            response = act(clients[role], action, before[0])
            after = snapshot(workspace)
            if MATRIX[role, action]:
                assert response.status_code in (200, 303), (role, action, response.status_code, response.text[:800])
                if action != "view":
                    assert after != before, (role, action, "allowed but nothing changed")
            else:
                assert response.status_code == 403, (role, action, response.status_code)
                assert "ne permet pas" in response.text
                assert after == before, (role, action, "forbidden yet something changed")


def test_auditor_never_edits(workspace):  # noqa: F811
    clients = team(workspace)
    auditor = clients["auditor"]
    for action in ("edit_facts", "manage_evidence", "declare", "import", "manage_team"):
        assert act(auditor, action, snapshot(workspace)[0]).status_code == 403


def test_outsider_sees_nothing(workspace):  # noqa: F811
    from tests.web_helpers import add_user

    team(workspace)
    add_user(workspace, "autre@ailleurs.test")
    outsider = login(workspace, "autre@ailleurs.test")
    assert outsider.get("/p/film").status_code == 404
    assert "Le Film" not in outsider.get("/").text


STATE_CHANGING = [("/p/film/facts/work", {"present:work.shooting_days": "1", "work.shooting_days": "12"}),
                  ("/p/film/interview", {"fact": "work.shooting_days", "work.shooting_days": "12"}),
                  ("/p/film/criteria/AFN-INC-03/declare", {"as": "declined", "text": "Pas prévu"}),
                  ("/p/film/evidence/EV-001/remove", {}),
                  ("/p/film/review/EV-001", {"decision": "accepted"}),
                  ("/p/film/findings", {"text": "Constat"}), ("/p/film/sign-off", {"text": "Signé"}),
                  ("/p/film/findings/F-000000000000/close", {"comment": "Clos"}),
                  ("/p/film/team", {"email": "x@y.test", "role": "viewer"}),
                  ("/p/film/live", {"type": "day.open"}),
                  ("/p/film/alerts/A-0000000000/ack", {"comment": "Vu"}),
                  ("/p/film/evidence/journal/JOURNAL-ACK-0000000000/review", {"decision": "accepted"}),
                  ("/p/film/roster/roster.crew", {"ref": "P-900", "role": "technicien"}),
                  ("/productions", {"slug": "autre", "title": "Autre"}), ("/logout", {})]
MULTIPART = ("/p/film/evidence", "/p/film/evidence/EV-001", "/p/film/import", "/p/film/live/import")  # upload, replace, imports


@pytest.mark.parametrize("token", [None, "forged-token-0123456789abcdef0123456789"])
def test_csrf_on_every_state_changing_route(workspace, token):  # noqa: F811
    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    for url, data in STATE_CHANGING:
        client = auditor if "review" in url or "findings" in url or "sign-off" in url else producer
        before = snapshot(workspace)
        fields = dict(data, version=snapshot(workspace)[0])
        if token:
            fields["csrf"] = token
        response = client.post(url, data=fields)
        assert response.status_code == 403, (url, response.status_code)
        assert "Formulaire expiré" in response.text
        assert snapshot(workspace) == before, url
    # uploads (evidence, import) are multipart: same rule
    for url in MULTIPART:
        before = snapshot(workspace)
        data = {"kind": "menus_restauration", "version": "99"}
        if token:
            data["csrf"] = token
        response = producer.post(url, data=data, files={"file": ("a.zip", b"PK\x03\x04", "application/zip")})
        assert response.status_code == 403, url
        assert snapshot(workspace) == before
    assert producer.get("/").status_code == 200  # the session survived: logout needed its token too
    # accepting an invitation is a form shown before logging in (the token of the pre-login cookie)
    page = producer.get("/p/film/team")
    invited = producer.post("/p/film/team", data={"csrf": csrf_of(page.text), "email": "nouvelle@film.test", "role": "viewer"})
    path = re.search(r'id="invite-link" readonly value="([^"]+)"', invited.text)[1].replace("http://127.0.0.1", "")
    newcomer = client_for(workspace)
    assert newcomer.get(path).status_code == 200
    before, users = snapshot(workspace), user_count(workspace)
    fields = {"name": "Nadia", "password": "assez-long-pour-passer", **({"csrf": token} if token else {})}
    response = newcomer.post(path, data=fields)
    assert response.status_code == 403 and "Formulaire expiré" in response.text
    assert snapshot(workspace) == before and user_count(workspace) == users  # still invited, no account made


def user_count(app) -> int:
    from raccord.web.models import User

    with app.state.workspace.sessions() as db:
        return db.scalar(select(func.count()).select_from(User))


def test_the_csrf_list_covers_every_post_route_of_the_app(workspace):  # noqa: F811
    """A route added later without a CSRF case makes this fail: every POST route of the application
    (the login has its own test) is one the test above posts to without a valid token."""
    from starlette.routing import Match

    tested = [url for url, _ in STATE_CHANGING] + list(MULTIPART) + ["/invitation/0123456789abcdef"]

    def post_routes(routes, prefix=""):
        for route in routes:
            if hasattr(route, "routes"):
                yield from post_routes(route.routes, prefix + route.path)
            elif "POST" in (getattr(route, "methods", None) or ()):
                yield route

    routes = [r for r in post_routes(workspace.routes) if r.path != "/login"]
    assert len(routes) >= 20
    for route in routes:
        assert any(route.matches({"type": "http", "path": url, "method": "POST"})[0] == Match.FULL for url in tested), \
            f"{route.path}: no CSRF case in test_csrf_on_every_state_changing_route"


def test_login_form_needs_its_token(workspace):  # noqa: F811
    from tests.web_helpers import PASSWORD, add_user, client_for

    add_user(workspace, "a@b.test")
    client = client_for(workspace)
    client.get("/login")
    response = client.post("/login", data={"email": "a@b.test", "password": PASSWORD})
    assert response.status_code == 403
    assert "raccord_session" not in response.cookies


def test_session_fixation_and_logout(workspace):  # noqa: F811
    from raccord.web.security import COOKIE
    from tests.web_helpers import PASSWORD, add_user, client_for

    add_user(workspace, "a@b.test")
    add_user(workspace, "c@d.test")
    client = client_for(workspace)
    # An attacker's own valid session, planted in the victim's browser before the victim logs in...
    attacker = login(workspace, "c@d.test")
    planted = attacker.cookies[COOKIE]
    client.cookies.set(COOKIE, planted, domain="127.0.0.1", path="/")
    page = client.get("/login")
    client.post("/login", data={"email": "a@b.test", "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/"})
    # ...is replaced by a new one at login, and the planted one no longer exists on the server.
    assert client.cookies[COOKIE] != planted
    assert client_with(workspace, planted).get("/").status_code == 303
    assert client.get("/").status_code == 200
    cookie = client.cookies[COOKIE]
    page = client.get("/")
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    # the old cookie, replayed, is no longer a session
    assert client_with(workspace, cookie).get("/").status_code == 303
    # a cookie with a forged signature is not a session either
    assert client_with(workspace, cookie[:-3] + "abc").get("/").status_code == 303


def client_with(app, cookie: str):
    from raccord.web.security import COOKIE
    from tests.web_helpers import client_for

    client = client_for(app)
    client.cookies.set(COOKIE, cookie, domain="127.0.0.1", path="/")
    return client


def test_login_rate_limited(workspace):  # noqa: F811
    from tests.web_helpers import PASSWORD, add_user, client_for

    add_user(workspace, "a@b.test")
    client = client_for(workspace)
    for _ in range(5):
        page = client.get("/login")
        response = client.post("/login", data={"email": "a@b.test", "password": "mauvais", "csrf": csrf_of(page.text)})
        assert response.status_code == 401
        assert "incorrect" in response.text
    page = client.get("/login")
    response = client.post("/login", data={"email": "a@b.test", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert response.status_code == 429  # even the right password waits out the window
    assert "Trop de tentatives" in response.text


def test_session_key_owner_only_and_not_committed(tmp_path):
    from raccord.web.config import session_key

    key = session_key(tmp_path)
    path = tmp_path / "session.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(key) >= 48 and session_key(tmp_path) == key  # made once, then kept
    assert session_key(tmp_path / "other") != key
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [name for name in tracked if name.endswith((".key", ".db")) or "session" in name.rsplit("/", 1)[-1]]


INJECTIONS = ["'; DROP TABLE users; --", "{{ 7*191 }}", "{% raw %}x", "<script>alert(1)</script>", "\" onmouseover=\"x",
              "${7*191}", "#{7*191}", "Robert'); DELETE FROM events;--"]


def test_injection_in_text_fields(workspace):  # noqa: F811
    clients = team(workspace)
    producer, auditor = clients["producer"], clients["auditor"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    for i, attempt in enumerate(INJECTIONS):
        page = producer.get("/")
        assert producer.post("/productions", data={"csrf": csrf_of(page.text), "slug": f"inj-{i}", "title": attempt,
                                                   "company": attempt}).status_code == 303
        page = auditor.get("/p/film/review")
        refused = auditor.post("/p/film/findings", data={"csrf": csrf_of(page.text), "text": attempt, "criteria": attempt})
        assert refused.status_code == 400 and "Critère inconnu" in refused.text  # shown back escaped, below
        assert "<script>alert(1)</script>" not in refused.text and "1337" not in refused.text
        assert auditor.post("/p/film/findings", data={"csrf": csrf_of(page.text), "text": attempt}).status_code == 303
        page = auditor.get("/p/film/review")
        assert auditor.post("/p/film/review/EV-002", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                           "decision": "rejected", "reason": attempt}).status_code == 303
    portfolio = producer.get("/").text
    review = auditor.get("/p/film/review").text
    evidence = producer.get("/p/film/evidence").text
    history = producer.get("/p/film/history").text
    for html in (portfolio, review, evidence, history):
        assert "<script>alert(1)</script>" not in html
        assert "1337" not in html  # no template was evaluated
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in portfolio
    assert "{{ 7*191 }}" in review and "&#39;; DROP TABLE users; --" in review
    # the tables are intact and hold the text as given
    from raccord.web.models import Event, Production, User

    with workspace.state.workspace.sessions() as db:
        assert db.scalar(select(func.count()).select_from(User)) == 5
        titles = set(db.scalars(select(Production.title)))
        assert set(INJECTIONS) <= titles
        assert db.scalar(select(func.count()).select_from(Event)) > len(INJECTIONS)


def test_injection_in_every_other_text_field(workspace):  # noqa: F811
    """The remaining free-text fields: a declaration's justification, the auditor's sign-off text and
    a finding's closing comment, an evidence item's note, a set event's person (refused, shown back),
    an alert's acknowledgement comment and its `by`, an invitation's e-mail (shown back) and
    the invited person's name, a fact's value (refused). Each is kept as text or refused with the text shown escaped; no page
    runs a template or a script from it, and the tables stay intact."""
    clients = team(workspace)
    producer, auditor, coordinator = clients["producer"], clients["auditor"], clients["coordinator"]
    assert import_example(workspace, producer, "film", "long_metrage").status_code == 303
    evil = "<script>alert(1)</script> {{ 7*191 }} '; DROP TABLE events; --"

    def form(client, url):
        page = client.get(url)
        return {"csrf": csrf_of(page.text), "version": version_of(page.text) if 'name="version"' in page.text else ""}

    declared = {**form(producer, "/p/film/criteria/AFN-INC-03"), "as": "declined", "text": evil}
    assert producer.post("/p/film/criteria/AFN-INC-03/declare", data=declared).status_code == 303
    upload = {**form(producer, "/p/film/evidence"), "kind": "menus_restauration", "note": evil}
    assert producer.post("/p/film/evidence", data=upload,
                         files={"file": ("menus.txt", b"Menus du tournage", "text/plain")}).status_code == 303
    assert auditor.post("/p/film/findings", data={**form(auditor, "/p/film/review"), "text": "Registre", "type": "minor"}
                        ).status_code == 303
    fid = re.search(r'/findings/(F-[0-9A-F]+)/close"', auditor.get("/p/film/review").text)[1]
    assert auditor.post(f"/p/film/findings/{fid}/close", data={**form(auditor, "/p/film/review"), "comment": evil}
                        ).status_code == 303
    assert auditor.post("/p/film/sign-off", data={**form(auditor, "/p/film/review"), "text": evil, "stage": "intermediate",
                                                  "decision": "favorable"}).status_code == 303
    refused = coordinator.post("/p/film/live", data={**form(coordinator, "/p/film/live?type=child.arrive"),
                                                     "type": "child.arrive", "person": evil, "supervised": "false"})
    assert refused.status_code == 400
    assert coordinator.post("/p/film/live", data={**form(coordinator, "/p/film/live?type=child.arrive"), "type": "child.arrive",
                                                  "person": "E-77", "supervised": "false"}).status_code in (200, 303)
    aid = re.search(r'/alerts/(A-[0-9a-f]{10})/ack"', coordinator.get("/p/film/alerts").text)[1]
    coordinator.post(f"/p/film/alerts/{aid}/ack", data={**form(coordinator, "/p/film"), "comment": evil, "by": evil})
    bad_mail = producer.post("/p/film/team", data={**form(producer, "/p/film/team"), "role": "viewer",
                                                   "email": "<script>alert(1)</script>{{ 7*191 }}@film.test"})
    assert bad_mail.status_code == 400  # not an address (spaces): refused beside the field, its text shown back escaped
    invited = producer.post("/p/film/team", data={**form(producer, "/p/film/team"), "email": "n@film.test", "role": "viewer"})
    path = re.search(r'id="invite-link" readonly value="([^"]+)"', invited.text)[1].replace("http://127.0.0.1", "")
    newcomer = client_for(workspace)
    assert newcomer.post(path, data={"csrf": csrf_of(newcomer.get(path).text), "name": evil,
                                     "password": "assez-long-pour-passer"}).status_code == 303
    bad_fact = producer.post("/p/film/facts/work", data={**form(producer, "/p/film/facts/work"),
                                                         "present:work.shooting_days": "1", "work.shooting_days": evil})
    assert bad_fact.status_code == 400  # a number expected: refused beside the field, the text shown back
    pages = [refused.text, bad_mail.text, bad_fact.text] + [client.get(url).text for client, url in [
        (producer, "/p/film/criteria/AFN-INC-03"), (producer, "/p/film/evidence"), (auditor, "/p/film/review"),
        (producer, "/p/film/history"), (producer, "/p/film/team"), (coordinator, "/p/film"), (coordinator, "/p/film/live")]]
    for text in pages:
        assert "<script>alert(1)</script>" not in text and "1337" not in text  # escaped, no template evaluated
    shown = "\n".join(pages)
    assert shown.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # the texts are there, as text
    from raccord.web.models import Event

    with workspace.state.workspace.sessions() as db:
        assert user_count(workspace) == 6 and db.scalar(select(func.count()).select_from(Event)) > 5


def test_upload_names_cannot_escape(workspace):  # noqa: F811
    clients = team(workspace)
    producer = clients["producer"]
    blobs = workspace.state.workspace.settings.blobs
    for name in ("../../etc/passwd", "/etc/passwd", "..\\..\\win.ini", "C:\\x\\evil.txt", ".htaccess", "../"):
        page = producer.get("/p/film/evidence")
        response = producer.post("/p/film/evidence", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                           "kind": "menus_restauration"},
                                 files={"file": (name, f"contenu {name}".encode(), "text/plain")})
        assert response.status_code == 303, (name, response.text[:500])
    register = producer.get("/p/film/evidence").text
    assert "evidence/passwd" in register and "evidence/win.ini" in register and "evidence/evil.txt" in register
    assert "evidence/htaccess" in register and "evidence/piece" in register
    stored = [p for p in blobs.rglob("*") if p.is_file()]
    assert stored and all(p.resolve().is_relative_to(blobs.resolve()) for p in stored)
    assert all(len(p.name) == 64 for p in stored)  # stored by hash, never by the sent name


@pytest.mark.parametrize("name,content", [("page.html", b"<html><script>alert(document.cookie)</script></html>"),
                                          ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')])
def test_html_and_svg_never_rendered(workspace, name, content):  # noqa: F811
    producer = team(workspace)["producer"]
    page = producer.get("/p/film/evidence")
    assert producer.post("/p/film/evidence", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                   "kind": "menus_restauration"},
                         files={"file": (name, content, "text/html")}).status_code == 303
    response = producer.get("/p/film/evidence/EV-001/file")
    assert response.status_code == 200 and response.content == content
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]


def test_upload_over_the_limit_refused(workspace):  # noqa: F811
    """Over the limit (5 MB in the tests): 413, nothing stored, nothing left in the incoming folder."""
    producer = team(workspace)["producer"]
    limit = workspace.state.workspace.settings.max_upload
    page = producer.get("/p/film/evidence")
    before = snapshot(workspace)
    response = producer.post("/p/film/evidence", data={"csrf": csrf_of(page.text), "version": version_of(page.text),
                                                       "kind": "menus_restauration"},
                             files={"file": ("gros.bin", io.BytesIO(b"\0" * (limit + 1)), "application/octet-stream")})
    assert response.status_code == 413
    assert "trop volumineux" in response.text
    assert snapshot(workspace) == before
    incoming = workspace.state.workspace.settings.blobs / "incoming"
    assert not [p for p in incoming.rglob("*") if p.is_file()]
