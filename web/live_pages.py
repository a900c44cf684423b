"""The shooting journal's pages: the set events (a form, one event type at a time, and the import of a
JSON Lines file), the alerts block of the dashboard (a fragment the page polls every 30 s with htmx)
and the acknowledgement of an alert. Events are checked by the engine's code (check_event,
parse_lines), as `raccord journal add` checks them: one bad event and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from raccord.engine import InputError
from raccord.engine.live.events import FIELDS, MODULES, ROLES, check_event, parse_lines

from . import live, store
from .app import Context, NotFoundError, Workspace, check_csrf, redirect
from .live_words import FORM_TYPES, field_title, type_title
from .live_words import w as lw
from .models import Event, User

RECENT = 30
POLL_SECONDS = 30  # how often the dashboard's alerts block asks for itself again (htmx)


def server_now(ws: Workspace) -> dt.datetime:
    return ws.clock()


def routes(ws: Workspace, h) -> list[Route]:
    from .production_pages import view_of

    @h()
    def journal_page(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        kind = ctx.request.query_params.get("type", "")
        if ctx.request.method == "GET":
            return live_page(ws, ctx, view, kind if kind in FORM_TYPES else "")
        view = view_of(ws, ctx, slug, "log_event")
        form = check_csrf(ctx)
        kind = str(form.get("type", ""))
        if kind not in FORM_TYPES:
            raise NotFoundError()
        data = live.event_data(kind, form, server_now(ws))
        try:
            check_event(data, lw("event", ctx.lang).lower())
        except InputError as error:
            field = getattr(error, "field", None)
            errors = {field if field in {*FIELDS[kind], "at", "source"} else "type": error.render(ctx.lang)}
            return live_page(ws, ctx, view, kind, errors=errors, values=form, status=400)
        store.append(ctx.db, view.production, ctx.user, [(live.KIND, {"event": data})], None)
        return redirect(f"/p/{slug}/live?type={kind}&logged=1")

    @h()
    def import_journal(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug, "log_event")
        upload = ctx.upload
        if ctx.upload_error == "too_large":
            from .production_pages import size_text
            from .words import w

            too_large = w("too_large", ctx.lang, limit=size_text(ws.settings.max_upload))
            return live_page(ws, ctx, view, "", errors={"file": too_large}, status=413)
        if upload is None or upload.temp is None or upload.size == 0:
            from .words import w

            return live_page(ws, ctx, view, "", errors={"file": w("empty_file", ctx.lang)}, status=400)
        check_csrf(ctx)
        name = upload.filename or "journal.jsonl"
        try:
            text = upload.temp.read_bytes().decode("utf-8")
            events = parse_lines(text.splitlines(), name)
        except UnicodeDecodeError:
            message = {"fr": f"{name} : texte non UTF-8", "en": f"{name}: not UTF-8 text"}[ctx.lang]
            return live_page(ws, ctx, view, "", errors={"file": message}, status=400)
        except InputError as error:
            return live_page(ws, ctx, view, "", errors={"file": error.render(ctx.lang)}, status=400)
        if events:  # one row (one version) for the file: a day's journal is not hundreds of changes to evaluate
            store.append(ctx.db, view.production, ctx.user, [(live.KIND, {"events": [e.data for e in events],
                                                                          "file": name[:200]})], None)
        return redirect(f"/p/{slug}/live?logged={len(events)}")

    @h()
    def alerts_fragment(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        return ws.render(ctx, "_alerts.html", view=view, p=view.production, live=block(ws, ctx, view))

    @h()
    def acknowledge(ctx: Context, slug: str, aid: str) -> Response:
        view = view_of(ws, ctx, slug, "acknowledge")
        form = check_csrf(ctx)
        now = server_now(ws)
        found, acks = live.alerts(ws.evaluator, (view.production.id, view.version), view.state, now)
        alert = next((a for a in found if a.id == aid), None)
        if alert is None:
            raise NotFoundError()
        if aid not in acks:
            by = str(form.get("by", "")).strip()
            data = live.ack_data(alert, str(form.get("comment", "")).strip(), by, now)
            try:
                check_event(data, lw("ack_comment", ctx.lang).lower())
            except InputError as error:
                field = "by" if getattr(error, "field", None) == "by" else "comment"
                return live_page(ws, ctx, view, "", ack_errors={aid: (field, error.render(ctx.lang))}, values=form, status=400)
            store.append(ctx.db, view.production, ctx.user, [(live.KIND, {"event": data})], None)
        target = str(form.get("back", ""))
        return redirect(f"/p/{slug}" if target == "dashboard" else f"/p/{slug}/live")

    @h()
    def review_derived(ctx: Context, slug: str, eid: str) -> Response:
        """The auditor's decision on an item the journal gives (an acknowledgement, the journal's record),
        of its hash now, as `raccord review DOSSIER JOURNAL-ACK-… --accept` records it."""
        from .production_pages import evidence_register
        from .words import w

        view = view_of(ws, ctx, slug, "review")
        form = check_csrf(ctx)
        item = next((i for i in derived_items(view) if i["id"] == eid), None)
        if item is None:
            raise NotFoundError()
        decision, reason = str(form.get("decision", "")), str(form.get("reason", "")).strip()[:2000]
        if decision not in ("accepted", "rejected"):
            raise NotFoundError()
        if decision == "rejected" and len(reason) < 3:
            return evidence_register(ws, ctx, view, {f"review:{eid}": w("reason_required", ctx.lang)}, status=400)
        payload = {"evidence": eid, "status": decision, "sha256": item["sha256"]}
        if reason:
            payload["reason"] = reason
        store.append(ctx.db, view.production, ctx.user, [("review", payload)], None)
        return redirect(f"/p/{slug}/evidence#ev-{eid}")

    return [
        Route("/p/{slug}/evidence/journal/{eid}/review", review_derived, methods=["POST"]),
        Route("/p/{slug}/live", journal_page, methods=["GET", "POST"]),
        Route("/p/{slug}/live/import", import_journal, methods=["POST"]),
        Route("/p/{slug}/alerts", alerts_fragment),
        Route("/p/{slug}/alerts/{aid}/ack", acknowledge, methods=["POST"]),
    ]


def block(ws: Workspace, ctx: Context, view, ack_errors: dict | None = None, values=None,
          at: dt.datetime | None = None) -> dict[str, Any]:
    """What the alerts block shows: the alerts of the journal up to the server's time, in the page's
    language; for a past state, up to `at`, the time its version was recorded (what the team saw then,
    replayed as `raccord watch --as-of` does), neither polled nor acknowledged there."""
    now = at or server_now(ws)
    found, acks = live.alerts(ws.evaluator, (view.production.id, view.version), view.state, now)
    return {"alerts": live.documents(found, acks, ctx.lang), "now": now.astimezone(dt.UTC), "engine": live.engine_name(),
            "past": at is not None,
            "events": len(view.state.get("live") or []), "ack_errors": ack_errors or {}, "typed": values or {},
            "by_default": live.DEFAULT_BY.get(view.role, "autre"), "roles": sorted(ROLES),
            "may_ack": view.may("acknowledge"), "poll": POLL_SECONDS, "w": lambda key, **v: lw(key, ctx.lang, **v)}


def recent(ctx: Context, view) -> list[dict[str, Any]]:
    """The latest set events, newest first, with who logged them and when."""
    query = (select(Event, User.name).outerjoin(User, User.id == Event.author_id)
             .where(Event.production_id == view.production.id, Event.kind == live.KIND, Event.seq <= view.version)
             .order_by(Event.seq.desc()).limit(RECENT))
    out = []
    for row, name in ctx.db.execute(query):
        for event in reversed(row.payload["events"] if "events" in row.payload else [row.payload["event"]]):
            out.append({"event": event, "by": name, "recorded": store._aware(row.at),
                        "title": type_title(event.get("type", ""), ctx.lang)})
    return out[:RECENT]


def live_page(ws: Workspace, ctx: Context, view, kind: str, errors: dict | None = None, values=None,
              ack_errors: dict | None = None, status: int = 200) -> Response:
    from .production_pages import page

    lang = ctx.lang
    fields = [{"name": name, "kind": field_kind, "title": field_title(name, lang), "optional": name in live.OPTIONAL}
              for name, field_kind in FIELDS.get(kind, {}).items()]
    return page(ws, ctx, "live.html", view, status=status, kind=kind, kinds=[(k, type_title(k, lang)) for k in FORM_TYPES],
                fields=fields, errors=errors or {}, values=values or {}, roles=sorted(ROLES), modules=sorted(MODULES),
                zones=live.ZONES, recent=recent(ctx, view), logged=logged_count(ctx.request.query_params.get("logged")),
                live=block(ws, ctx, view, ack_errors, values), lw=lambda key, **v: lw(key, lang, **v),
                type_title=lambda k: type_title(k, lang), source_title=field_title("source", lang))


def derived_items(view) -> list[dict[str, Any]]:
    """The register's items the journal gives (JOURNAL-<monitor>, JOURNAL-ACK-…), as the engine's dossier
    holds them (engine/live/derived.py), each with the decision that holds for it."""
    if not view.state.get("live"):
        return []
    from raccord.engine.review import item_reviews

    dossier = view.evaluation.dossier
    held = item_reviews(dossier)
    return [{"id": i.id, "kind": i.kind, "criteria": list(i.criteria), "collected": i.collected, "note": i.note,
             "author": i.author, "path": i.path, "sha256": i.sha256, "review": held.get(i.id)}
            for i in dossier.file.evidence if i.id.startswith("JOURNAL-")]


def logged_count(raw: str | None) -> int | None:
    """The « N événements notés » notice after a redirect: a count, or nothing for anything else in the URL."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else None
