"""The pages of one production: dashboard, facts, interview, evidence, review, missing items, plan,
calendar, criteria, history and past states, team, downloads, import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from raccord.cli.review_text import figures_line, finding_text, signoff_text, validated_line
from raccord.engine import InputError
from raccord.engine.review import FINDING_TYPES, SIGNOFF_DECISIONS, STAGES, item_reviews

from . import forms, journal, live_pages, store, transfer, uploads
from .app import (
    AfterCommit,
    Context,
    NotFoundError,
    Workspace,
    check_csrf,
    is_htmx,
    production_and_role,
    redirect,
    require,
    whole_page,
)
from .authz import ROLES, allowed
from .chart import score_chart
from .evaluation import summary
from .history import Walk
from .history import rows as history_rows
from .models import Membership, Production, User
from .team import TeamChange, change_team
from .words import w

CHART_POINTS = 40


@dataclass
class View:
    """A production as one page sees it: its state at a version, evaluated at a date. The evaluation
    and the result document are made when a page first asks for them (a form's POST reads the state
    and writes; the page it redirects to evaluates)."""

    production: Production
    role: str
    state: dict[str, Any]
    version: int
    as_of: dt.date
    evaluator: Any
    readonly: bool = False

    @functools.cached_property
    def evaluation(self) -> Any:
        return self.evaluator.evaluation((self.production.id, self.version), self.state, self.as_of)

    @property
    def result(self) -> dict[str, Any]:
        return self.evaluator.result((self.production.id, self.version), self.evaluation)

    @property
    def summary(self) -> list[dict[str, Any]]:
        return self.evaluator.summary((self.production.id, self.version), self.evaluation)

    def may(self, action: str) -> bool:
        return not self.readonly and allowed(self.role, action)


def as_of_of(ws: Workspace, ctx: Context) -> dt.date:
    text = ctx.request.query_params.get("as_of")
    try:
        return dt.date.fromisoformat(text) if text else ws.today()
    except ValueError:
        return ws.today()


def view_of(ws: Workspace, ctx: Context, slug: str, action: str = "view", upto: int | None = None) -> View:
    key = ("production", slug)
    if key not in ctx.found:  # a POST asks again with its action: read once per request
        ctx.found[key] = production_and_role(ctx, slug)
    production, role = ctx.found[key]
    role = require(ctx, production, action, role)
    version = production.version if upto is None else max(0, min(upto, production.version))
    state = store.state_at(ctx.db, production, version)
    return View(production, role, state, version, as_of_of(ws, ctx), ws.evaluator, readonly=upto is not None)


def written_view(ctx: Context, view: View) -> View:
    """`view` at the version this request's committed append made (store.state_after: no re-read)."""
    state = store.state_after(ctx.db, view.production, view.state, view.version)
    return dataclasses.replace(view, state=state, version=view.production.version)


def summary_of(ws: Workspace, ctx: Context, production: Production) -> list[dict[str, Any]]:
    state = store.state_at(ctx.db, production)
    key = (production.id, production.version)
    return summary(ws.evaluator.summary(key, ws.evaluator.evaluation(key, state, ws.today())), ctx.lang)


def page(ws: Workspace, ctx: Context, name: str, view: View, status: int = 200, **values: Any) -> Response:
    return ws.render(ctx, name, status=status, view=view, p=view.production, **values)


def int_field(form, key: str) -> int | None:
    try:
        return int(form.get(key, ""))
    except (TypeError, ValueError):
        return None


def stale_page(ws: Workspace, ctx: Context, view: View, error: store.StaleError) -> Response:
    return page(ws, ctx, "stale.html", view, status=409, changes=error.changes)


def append_or_stale(ws: Workspace, ctx: Context, view: View, changes: list[tuple[str, dict[str, Any]]]) -> Response | None:
    """Append `changes` after the version the form was read from; the stale page (409, what changed)
    when someone changed the same things since, else None (the route answers as it does)."""
    try:
        store.append(ctx.db, view.production, ctx.user, changes, int_field(ctx.form, "version"))
    except store.StaleError as error:
        return whole_page(ctx.request, stale_page(ws, ctx, view, error))
    return None


def routes(ws: Workspace, h) -> list[Route]:
    @h()
    def dashboard(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        return dashboard_page(ws, ctx, view)

    @h()
    def past_state(ctx: Context, slug: str, seq: str) -> Response:
        if not seq.isdigit():
            raise NotFoundError()
        view = view_of(ws, ctx, slug, upto=int(seq))
        return dashboard_page(ws, ctx, view)

    @h()
    def chart_svg(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        return Response(chart_of(ws, ctx, view), media_type="image/svg+xml")

    @h()
    def facts_page(ctx: Context, slug: str, group: str) -> Response:
        view = view_of(ws, ctx, slug)
        names = forms.groups(ws.evaluator.catalogue).get(group)
        if names is None:
            raise NotFoundError()
        if ctx.request.method == "GET":
            return facts_form(ws, ctx, view, group, names, {}, {})
        view = view_of(ws, ctx, slug, "edit_facts")
        form = check_csrf(ctx)
        changes, errors, raw = [], {}, {}
        for name in names:
            if f"present:{name}" not in form:
                continue
            fact = ws.evaluator.catalogue[name]
            given = form.getlist(name)
            try:
                value = forms.submitted(ws.engine, name, fact, given)
            except InputError as error:
                errors[name], raw[name] = forms.error_text(error, ctx.lang), (given[-1] if given and fact.type != "set" else None)
                continue
            before = view.state["facts"].get(name)
            if value != before:
                changes.append(("fact.set", {"name": name, "value": value}) if value is not None
                               else ("fact.cleared", {"name": name}))
        fragment = is_htmx(ctx.request)
        if errors:
            return facts_form(ws, ctx, view, group, names, errors, raw, status=400, fragment=fragment)
        if changes:
            stale = append_or_stale(ws, ctx, view, changes)
            if stale is not None:
                return stale
        if not fragment:
            return redirect(f"/p/{slug}/facts/{group}?saved={len(changes)}")
        # htmx's request: the panel at the new version, once committed (what the browser shows
        # after a save: the notice, the decisions now, the fields and the form's new version)
        return AfterCommit(lambda: facts_form(ws, ctx, written_view(ctx, view) if changes else view, group, names, {}, {},
                                              saved=str(len(changes)), fragment=True))

    @h()
    def roster(ctx: Context, slug: str, name: str) -> Response:
        """A pseudonymous list (a `collection` fact): add, edit or remove a member (a reference and
        fields, never a name), each value read by the engine; the whole list checked by the engine."""
        view = view_of(ws, ctx, slug)
        fact = ws.evaluator.catalogue.get(name)
        if fact is None or fact.type != "collection":
            raise NotFoundError()
        if ctx.request.method == "GET":
            return roster_page(ws, ctx, view, name, ctx.request.query_params.get("ref", ""), {}, {})
        view = view_of(ws, ctx, slug, "edit_facts")
        form = check_csrf(ctx)
        value, errors, raw = forms.roster_value(view.state["facts"].get(name), fact, form, ctx.lang)
        ref = str(form.get("ref", "")).strip()
        if not errors:
            try:
                ws.evaluator.dossier({**view.state, "facts": {**view.state["facts"], name: value}})
            except InputError as problem:  # the engine's check of the list: a reference that is not pseudonymous...
                errors["ref"] = problem.render(ctx.lang)
        if errors:
            return roster_page(ws, ctx, view, name, ref, errors, raw, status=400)
        done = redirect(f"/p/{slug}/roster/{name}")
        if value == view.state["facts"].get(name):
            return done
        return append_or_stale(ws, ctx, view, [("fact.set", {"name": name, "value": value})]) or done

    @h()
    def interview(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        if ctx.request.method == "POST":
            view = view_of(ws, ctx, slug, "edit_facts")
            form = check_csrf(ctx)
            name = str(form.get("fact", ""))
            fact = ws.evaluator.catalogue.get(name)
            if fact is None:
                raise NotFoundError()
            try:
                value = forms.submitted(ws.engine, name, fact, form.getlist(name))
                message = None if value is not None else w("required", ctx.lang)
            except InputError as error:
                message = forms.error_text(error, ctx.lang)
            if message:
                return interview_page(ws, ctx, view, error=message, status=400)
            stale = append_or_stale(ws, ctx, view, [("fact.set", {"name": name, "value": value})])
            if stale is not None:
                return stale
            skip = skipped(ctx)
            return redirect(f"/p/{slug}/interview" + (f"?skip={','.join(skip)}" if skip else ""))
        return interview_page(ws, ctx, view)

    @h()
    def evidence_page(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        if ctx.request.method == "GET":
            return evidence_register(ws, ctx, view, {})
        view = view_of(ws, ctx, slug, "manage_evidence")
        if ctx.upload_error == "too_large":
            return evidence_register(ws, ctx, view, {"file": w("too_large", ctx.lang, limit=size_text(ws.settings.max_upload))},
                                     status=413)
        if ctx.upload is None:
            return evidence_register(ws, ctx, view, {"file": w("empty_file", ctx.lang)}, status=400)
        check_csrf(ctx)
        return register_upload(ws, ctx, view, ctx.upload)

    @h()
    def evidence_file(ctx: Context, slug: str, eid: str) -> Response:
        view = view_of(ws, ctx, slug)
        item = view.state["evidence"].get(eid)
        wanted = ctx.request.query_params.get("sha256")
        if wanted and item is not None:  # an earlier version of this piece (never another piece's file)
            item = next((v["item"] for v in evidence_versions(ctx, view, eid) if v["item"].get("sha256") == wanted), None)
        if item is None or not item.get("sha256"):
            raise NotFoundError()
        path = uploads.blob_path(ws.settings.blobs, item["sha256"])
        if not path.exists():
            raise NotFoundError()
        name = uploads.safe_name(item.get("path"))
        # Never inline: a download, of an opaque type, sandboxed, whatever the file holds (HTML, SVG, script).
        return Response(path.read_bytes(), media_type="application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'"})

    @h()
    def evidence_item(ctx: Context, slug: str, eid: str) -> Response:
        """One piece: its versions (every file it held, from the journal) and, for the team, a new version."""
        view = view_of(ws, ctx, slug)
        if eid not in view.state["evidence"]:
            raise NotFoundError()
        if ctx.request.method == "GET":
            return evidence_item_page(ws, ctx, view, eid, {})
        view = view_of(ws, ctx, slug, "manage_evidence")
        if ctx.upload_error == "too_large":
            too_large = w("too_large", ctx.lang, limit=size_text(ws.settings.max_upload))
            return evidence_item_page(ws, ctx, view, eid, {"file": too_large}, status=413)
        if ctx.upload is None:
            return evidence_item_page(ws, ctx, view, eid, {"file": w("empty_file", ctx.lang)}, status=400)
        check_csrf(ctx)
        return replace_upload(ws, ctx, view, eid, ctx.upload)

    @h()
    def evidence_remove(ctx: Context, slug: str, eid: str) -> Response:
        view = view_of(ws, ctx, slug, "manage_evidence")
        check_csrf(ctx)
        if eid not in view.state["evidence"]:
            raise NotFoundError()
        return append_or_stale(ws, ctx, view, [("evidence.removed", {"id": eid})]) or redirect(f"/p/{slug}/evidence")

    @h()
    def review_queue(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        return review_page(ws, ctx, view, {})

    @h()
    def review_item(ctx: Context, slug: str, eid: str) -> Response:
        view = view_of(ws, ctx, slug, "review")
        form = check_csrf(ctx)
        if eid not in view.state["evidence"]:
            raise NotFoundError()
        decision, reason = str(form.get("decision", "")), str(form.get("reason", "")).strip()[:2000]
        if decision not in ("accepted", "rejected"):
            raise NotFoundError()
        if decision == "rejected" and len(reason) < 3:
            return review_page(ws, ctx, view, {eid: w("reason_required", ctx.lang)}, status=400)
        payload = {"evidence": eid, "status": decision}
        if reason:
            payload["reason"] = reason
        return append_or_stale(ws, ctx, view, [("review", payload)]) or redirect(f"/p/{slug}/review")

    @h()
    def finding(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug, "finding")
        form = check_csrf(ctx)
        text = str(form.get("text", "")).strip()[:5000]
        kind = str(form.get("type", "observation"))
        criteria = [c.strip() for c in str(form.get("criteria", form.get("criterion", ""))).split(",") if c.strip()]
        errors = {}
        if len(text) < 3:
            errors["finding"] = w("required", ctx.lang)
        unknown = [c for c in criteria if c not in ws.engine.library.criteria]
        if unknown:
            errors["finding_criteria"] = w("unknown_criteria", ctx.lang, ids=", ".join(unknown[:5]))
        if kind not in FINDING_TYPES:
            raise NotFoundError()
        if errors:
            return review_page(ws, ctx, view, errors, status=400)
        payload = {"id": "F-" + secrets.token_hex(6).upper(), "type": kind, "text": text, "criteria": criteria}
        store.append(ctx.db, view.production, ctx.user, [("finding", payload)], None)
        return redirect(f"/p/{slug}/review")

    @h()
    def close_finding(ctx: Context, slug: str, fid: str) -> Response:
        """The auditor closes an open finding with a comment: `status: closed` in the auditor's file, as
        `raccord audit finding close` sets it; the comment is the history's (the file has no field for it)."""
        view = view_of(ws, ctx, slug, "close_finding")
        form = check_csrf(ctx)
        found = next((f for f in view.state["findings"] if f["id"] == fid), None)
        if found is None:
            raise NotFoundError()
        comment = str(form.get("comment", "")).strip()[:2000]
        if len(comment) < 3:
            return review_page(ws, ctx, view, {f"close:{fid}": w("comment_required", ctx.lang)}, status=400)
        done = redirect(f"/p/{slug}/review")
        if found.get("status") == "closed":
            return done
        return append_or_stale(ws, ctx, view, [("finding.closed", {"id": fid, "comment": comment})]) or done

    @h()
    def sign_off(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug, "sign_off")
        form = check_csrf(ctx)
        stage, decision = str(form.get("stage", "")), str(form.get("decision", ""))
        if stage not in STAGES or decision not in SIGNOFF_DECISIONS:
            return review_page(ws, ctx, view, {"sign_off": w("required", ctx.lang)}, status=400)
        store.append(ctx.db, view.production, ctx.user, [("sign_off", {
            "stage": stage, "decision": decision, "text": str(form.get("text", "")).strip()[:5000]})], None)
        return redirect(f"/p/{slug}/review")

    @h()
    def declare(ctx: Context, slug: str, cid: str) -> Response:
        view = view_of(ws, ctx, slug, "declare")
        form = check_csrf(ctx)
        if cid not in ws.engine.library.criteria:
            raise NotFoundError()
        kind, justification = str(form.get("as", "")), str(form.get("text", "")).strip()[:2000]
        if kind == "clear":
            change = ("declaration.cleared", {"criterion": cid})
        elif kind in ("not_applicable", "declined") and len(justification) >= 3:
            change = ("declaration.set", {"criterion": cid, "as": kind, "text": justification})
        else:
            return criterion_page(ws, ctx, view, cid, error=w("required", ctx.lang), status=400)
        return append_or_stale(ws, ctx, view, [change]) or redirect(f"/p/{slug}/criteria/{cid}")

    @h()
    def criterion(ctx: Context, slug: str, cid: str) -> Response:
        view = view_of(ws, ctx, slug)
        if cid not in ws.engine.library.criteria:
            raise NotFoundError()
        return criterion_page(ws, ctx, view, cid)

    @h()
    def missing(ctx: Context, slug: str) -> Response:
        from raccord.cli.render_text import missing_lines

        view = view_of(ws, ctx, slug)
        items = view.result["missing"]
        return page(ws, ctx, "missing.html", view, items=items, text_lines=missing_lines(items, ctx.lang, 30))

    @h()
    def plan(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        target = ctx.request.query_params.get("target", "")
        document, error = None, None
        if target:
            try:
                document = ws.engine.plan(view.evaluation, target)
            except InputError as problem:
                error = problem.render(ctx.lang) if hasattr(problem, "render") else str(problem)
        return page(ws, ctx, "plan.html", view, target=target, plan=document, error=error)

    @h()
    def calendar(ctx: Context, slug: str) -> Response:
        from raccord.cli.render_calendar import detail, headline

        view = view_of(ws, ctx, slug)
        doc = ws.engine.calendar(view.evaluation)
        entries = [{"date": e["date"], "past": e["past"], "kind": e["kind"], "headline": headline(e, ctx.lang),
                    "detail": detail(e, ctx.lang)} for e in doc["entries"]]
        feed = str(ctx.request.url_for("feed", token=view.production.feed_token))
        return page(ws, ctx, "calendar.html", view, entries=entries, undated=doc.get("undated", []), feed=feed)

    def feed(request) -> Response:  # no login: the URL's token is the secret
        from raccord.cli.calendar_ics import render_ics

        token = request.path_params["token"]
        with ws.sessions() as db:
            production = db.scalar(select(Production).where(Production.feed_token == token))
            if production is None or len(token) < 20:
                return PlainTextResponse("not found", status_code=404)
            state = store.state_at(db, production)
        evaluation = ws.evaluator.evaluation((production.id, production.version), state, ws.today())
        lang = request.query_params.get("lang", "fr")
        body = render_ics(ws.engine.calendar(evaluation), lang if lang in ("fr", "en") else "fr")
        return Response(body, media_type="text/calendar; charset=utf-8")

    @h()
    def history(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        rows, older, newer = history_rows(ws, ctx.db, view, ctx.lang, int_field(ctx.request.query_params, "before"))
        return page(ws, ctx, "history.html", view, rows=rows, older=older, newer=newer)

    @h()
    def team(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        done = TeamChange()
        if ctx.request.method == "POST":
            view = view_of(ws, ctx, slug, "manage_team")
            form = check_csrf(ctx)
            done = change_team(ctx, view, form)
        members = ctx.db.execute(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                                 .where(Membership.production_id == view.production.id).order_by(User.name)).all()
        return page(ws, ctx, "team.html", view, status=400 if done.errors else 200, members=members, roles=ROLES,
                    link=done.link, errors=done.errors, values=done.values)

    @h()
    def downloads(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        return page(ws, ctx, "downloads.html", view, error=None)

    @h()
    def report(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        html = transfer.report_html(ws, view.evaluation, ws.engine.result(view.evaluation), ctx.lang)
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="rapport-{view.production.slug}.html"'})

    @h()
    def report_pdf(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        try:
            data = transfer.report_pdf(ws, (view.production.id, view.version), view.evaluation, ctx.lang)
        except InputError as problem:  # WeasyPrint or Pango missing: said on the downloads page
            return page(ws, ctx, "downloads.html", view, status=503, error=problem.render(ctx.lang))
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="rapport-{view.production.slug}.pdf"'})

    @h()
    def export(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        data = transfer.export_zip(ws, view.state)
        return Response(data, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{view.production.slug}.zip"'})

    @h()
    def bundle(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug)
        data = transfer.bundle_zip(ws, view.state, view.as_of, ctx.lang)
        return Response(data, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="audit-{view.production.slug}.zip"'})

    @h()
    def import_dossier(ctx: Context, slug: str) -> Response:
        view = view_of(ws, ctx, slug, "import")
        upload = ctx.upload
        if ctx.upload_error == "too_large":
            return page(ws, ctx, "downloads.html", view, status=413,
                        error=w("too_large", ctx.lang, limit=size_text(ws.settings.max_upload)))
        if upload is None or upload.temp is None or upload.size == 0:
            return page(ws, ctx, "downloads.html", view, status=400, error=w("empty_file", ctx.lang))
        check_csrf(ctx)
        try:
            imported = transfer.import_zip(ws, upload.temp.read_bytes())
        except InputError as problem:
            return page(ws, ctx, "downloads.html", view, status=400, error=problem.render(ctx.lang))
        return append_or_stale(ws, ctx, view, [("import", {"state": imported})]) or redirect(f"/p/{slug}")

    return [
        Route("/p/{slug}", dashboard),
        Route("/p/{slug}/at/{seq}", past_state),
        Route("/p/{slug}/chart.svg", chart_svg),
        Route("/p/{slug}/facts/{group}", facts_page, methods=["GET", "POST"]),
        Route("/p/{slug}/interview", interview, methods=["GET", "POST"]),
        Route("/p/{slug}/roster/{name}", roster, methods=["GET", "POST"]),
        Route("/p/{slug}/evidence", evidence_page, methods=["GET", "POST"]),
        Route("/p/{slug}/evidence/{eid}", evidence_item, methods=["GET", "POST"]),
        Route("/p/{slug}/evidence/{eid}/file", evidence_file),
        Route("/p/{slug}/evidence/{eid}/remove", evidence_remove, methods=["POST"]),
        Route("/p/{slug}/review", review_queue),
        Route("/p/{slug}/review/{eid}", review_item, methods=["POST"]),
        Route("/p/{slug}/findings", finding, methods=["POST"]),
        Route("/p/{slug}/findings/{fid}/close", close_finding, methods=["POST"]),
        Route("/p/{slug}/sign-off", sign_off, methods=["POST"]),
        Route("/p/{slug}/criteria/{cid}", criterion),
        Route("/p/{slug}/criteria/{cid}/declare", declare, methods=["POST"]),
        Route("/p/{slug}/missing", missing),
        Route("/p/{slug}/plan", plan),
        Route("/p/{slug}/calendar", calendar),
        Route("/feed/{token}.ics", feed, name="feed"),
        Route("/p/{slug}/history", history),
        Route("/p/{slug}/team", team, methods=["GET", "POST"]),
        Route("/p/{slug}/downloads", downloads),
        Route("/p/{slug}/report.html", report),
        Route("/p/{slug}/report.pdf", report_pdf),
        Route("/p/{slug}/export.zip", export),
        Route("/p/{slug}/bundle.zip", bundle),
        Route("/p/{slug}/import", import_dossier, methods=["POST"]),
        *live_pages.routes(ws, h),
    ]


def size_text(size: int) -> str:
    return f"{size // (1024 * 1024)} Mo"


def recorded(ctx: Context, view: View) -> dt.datetime:
    """When the version a past state shows was written (version 0: when the production was created)."""
    written = store.entries(ctx.db, view.production.id, upto=view.version, after=view.version - 1)
    return written[0].at if written else store._aware(view.production.created)


def dashboard_page(ws: Workspace, ctx: Context, view: View) -> Response:
    result = view.result
    # declared and validated figures in `raccord check`'s own lines (cli/review_text.py)
    figures = {rs["id"]: [line for line in (figures_line(rs, ctx.lang), validated_line(rs, ctx.lang)) if line]
               for rs in result["rulesets"]}
    return page(ws, ctx, "dashboard.html", view, rows=summary(view.summary, ctx.lang), figures=figures,
                urgent=result["missing"][:5], chart=chart_of(ws, ctx, view),
                live=live_pages.block(ws, ctx, view, at=recorded(ctx, view) if view.readonly else None),
                sign_offs=[signoff_text(s, ctx.lang) for s in result.get("review", {}).get("signoffs", [])])


def chart_of(ws: Workspace, ctx: Context, view: View) -> str:
    """The current score of each referential after each change (at most CHART_POINTS changes sampled)."""
    versions = list(range(1, view.version + 1))
    step = max(1, len(versions) // CHART_POINTS)
    sampled = versions[::step]
    if versions and sampled[-1] != versions[-1]:
        sampled.append(versions[-1])
    points = []
    walk = Walk(ws, view.production.id, view.as_of, journal.empty_state())  # the history's, sharing what it remembers
    wanted = set(sampled)
    for e in store.entries(ctx.db, view.production.id, view.version):
        walk.apply(e)
        if e.seq in wanted and (scores := walk.scores(e.seq)) is not None:  # None: not a valid dossier
            points.append((e.seq, scores))
    titles = {rs["id"]: rs["title"][ctx.lang] for rs in view.summary}
    return score_chart(points, titles, w("score_over_time", ctx.lang))


def facts_form(ws, ctx, view, group, names, errors, raw, status=200, saved: str | None = None,
               fragment: bool = False) -> Response:
    """The facts page of `group`; for an htmx request (`fragment`), only what its save changes: the
    notice and decisions with the form's new version (_facts_status.html), or the whole panel
    (_facts_panel.html) when there are errors to show or a form showing errors asked for it."""
    rows = summary(view.summary, ctx.lang, details=False)
    saved = saved if saved is not None else ctx.request.query_params.get("saved")
    if fragment and not errors and ctx.request.headers.get("hx-target") == "facts-status":
        return page(ws, ctx, "_facts_status.html", view, status=status, rows=rows, saved=saved, oob=True)
    catalogue = ws.evaluator.catalogue
    fields = [forms.field_of(n, catalogue[n], view.state["facts"].get(n), ctx.lang, errors.get(n), raw.get(n)) for n in names]
    values = {"fields": fields, "rows": rows, "saved": saved, "errors": errors,
              "action": f"/p/{view.production.slug}/facts/{group}"}
    if fragment:
        return whole_panel(page(ws, ctx, "_facts_panel.html", view, status=status, **values))
    all_groups = [(g, forms.group_title(g, ctx.lang)) for g in forms.groups(catalogue)]
    return page(ws, ctx, "facts.html", view, status=status, group=group, group_title=forms.group_title(group, ctx.lang),
                rosters=forms.rosters(catalogue, ctx.lang), groups=all_groups, **values)


def whole_panel(response: Response) -> Response:
    """The facts panel in place of the fragment the form targets (its errors, or the fields as saved)."""
    response.headers.update({"HX-Retarget": "#facts-panel", "HX-Reswap": "outerHTML"})
    return response


def roster_page(ws, ctx, view, name, ref, errors, raw, status=200) -> Response:
    fact = ws.evaluator.catalogue[name]
    current = view.state["facts"].get(name) or {"complete": False, "members": []}
    editing = next((m for m in current["members"] if m.get("ref") == ref), {})
    fields = [forms.field_of(f"field:{key}", spec, editing.get(key), ctx.lang, errors.get(key), raw.get(key))
              for key, spec in (fact.fields or {}).items()]
    columns = [(key, spec.title.get(ctx.lang)) for key, spec in (fact.fields or {}).items()]
    return page(ws, ctx, "roster.html", view, status=status, roster_name=name, title=fact.title.get(ctx.lang), roster=current,
                known=name in view.state["facts"], fields=fields, columns=columns, ref=ref, errors=errors,
                rosters=forms.rosters(ws.evaluator.catalogue, ctx.lang), pattern=fact.ref_pattern)


def skipped(ctx: Context) -> tuple[str, ...]:
    """Facts the user answered « je ne sais pas » to, carried in the page's address."""
    text = ctx.request.query_params.get("skip", "") or str(ctx.form.get("skip", "") if ctx.form else "")
    return tuple(sorted({name for name in text.split(",") if name in ctx.app.evaluator.catalogue}))


def interview_page(ws, ctx, view, error: str | None = None, status: int = 200) -> Response:
    skip = skipped(ctx)
    pending = ws.evaluator.questions((view.production.id, view.version), view.state, view.as_of, skip)
    field, question = None, None
    if pending:
        question = pending[0]
        field = forms.field_of(question.fact, question.definition, None, ctx.lang, error)
    return page(ws, ctx, "interview.html", view, status=status, field=field, question=question,
                remaining=len(pending), skip=",".join(skip))


def evidence_kinds(result: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    kinds: dict[str, str] = {}
    for rs in result["rulesets"]:
        for crit in rs["criteria"]:
            for e in crit["evidence_expected"]:
                kinds.setdefault(e["kind"], e["description"][lang])
    return sorted(kinds.items())


def reviewed_items(view: View) -> list[dict[str, Any]]:
    """The register, each item with the decision that holds for it (engine/review.py's ItemReview)."""
    held = item_reviews(view.evaluation.dossier)
    return [{**item, "review": held.get(item["id"])} for item in sorted(view.state["evidence"].values(), key=lambda i: i["id"])]


def evidence_register(ws, ctx, view, errors, status=200) -> Response:
    items = reviewed_items(view)
    return page(ws, ctx, "evidence.html", view, status=status, items=items, errors=errors,
                derived=live_pages.derived_items(view),
                kinds=evidence_kinds(view.result, ctx.lang), max_upload=size_text(ws.settings.max_upload))


def evidence_versions(ctx: Context, view: View, eid: str) -> list[dict[str, Any]]:
    """Every file the piece `eid` held up to this version, oldest first, with who put it there and when."""
    out = []
    for e in store.entries(ctx.db, view.production.id, view.version):
        if e.kind in ("evidence.registered", "evidence.replaced") and e.payload["item"].get("id") == eid:
            item = e.payload["item"]
        elif e.kind == "import" and eid in e.payload["state"].get("evidence", {}):
            item = e.payload["state"]["evidence"][eid]
        else:
            continue
        out.append({"seq": e.seq, "kind": e.kind, "by": e.author, "at": e.at, "item": item})
    return out


def evidence_item_page(ws, ctx, view, eid, errors, status=200) -> Response:
    item = next(i for i in reviewed_items(view) if i["id"] == eid)
    return page(ws, ctx, "evidence_item.html", view, status=status, item=item, errors=errors,
                versions=evidence_versions(ctx, view, eid)[::-1], max_upload=size_text(ws.settings.max_upload))


def item_dates(ctx: Context, fields: dict[str, str], errors: dict[str, str]) -> dict[str, str | None]:
    dates: dict[str, str | None] = {}
    for key in ("collected", "expires"):
        try:
            dates[key] = forms.day(fields.get(key, ""), ctx.lang)
        except ValueError as error:
            errors[key] = str(error)
    return dates


def replace_upload(ws: Workspace, ctx: Context, view: View, eid: str, upload: uploads.Upload) -> Response:
    """A new version of a piece: a new file (the old one stays stored, and listed), the same id, kind and
    criteria; the auditor's review was of the old file, so the piece is pending again (engine/review.py)."""
    errors: dict[str, str] = {}
    if upload.temp is None or upload.size == 0:
        errors["file"] = w("empty_file", ctx.lang)
    dates = item_dates(ctx, upload.fields, errors)
    if errors:
        return evidence_item_page(ws, ctx, view, eid, errors, status=400)
    old = view.state["evidence"][eid]
    if old.get("sha256") == upload.sha256:
        return evidence_item_page(ws, ctx, view, eid, {"file": w("same_file", ctx.lang)}, status=400)
    item = {k: v for k, v in old.items() if k not in ("url", "size", "sha256", "auditor")}
    item.update({"path": f"evidence/{uploads.safe_name(upload.filename)}", "sha256": upload.sha256, "size": upload.size,
                 "collected": dates.get("collected") or view.as_of.isoformat(), "author": ctx.user.name})
    if dates.get("expires"):
        item["expires"] = dates["expires"]
    else:
        item.pop("expires", None)  # the old file's validity is not the new one's
    note = upload.fields.get("note", "").strip()[:2000]
    if note:
        item["note"] = note
    trial = {**view.state, "evidence": {**view.state["evidence"], eid: item}}
    try:
        ws.evaluator.dossier(trial)
    except InputError as problem:
        return evidence_item_page(ws, ctx, view, eid, {"file": problem.render(ctx.lang)}, status=400)
    uploads.store_blob(ws.settings.blobs, upload)
    store.record_blob(ctx.db, upload.sha256, upload.size)
    payload = {"id": eid, "item": item, "previous": {k: old[k] for k in ("path", "sha256", "size") if old.get(k)}}
    return (append_or_stale(ws, ctx, view, [("evidence.replaced", payload)])
            or redirect(f"/p/{view.production.slug}/evidence/{eid}"))


def register_upload(ws: Workspace, ctx: Context, view: View, upload: uploads.Upload) -> Response:
    fields = upload.fields
    errors = {}
    if upload.temp is None or upload.size == 0:
        errors["file"] = w("empty_file", ctx.lang)
    kind = fields.get("kind", "").strip()
    if not kind:
        errors["kind"] = w("required", ctx.lang)
    dates = item_dates(ctx, fields, errors)
    collected, expires = dates.get("collected") or view.as_of.isoformat(), dates.get("expires")
    if errors:
        return evidence_register(ws, ctx, view, errors, status=400)
    store.lock(ctx.db, view.production)
    state = store.state_at(ctx.db, view.production)
    eid = next_evidence_id(state)
    item = {"id": eid, "kind": kind, "path": f"evidence/{uploads.safe_name(upload.filename)}", "sha256": upload.sha256,
            "size": upload.size, "collected": collected, "author": ctx.user.name}
    criteria = [c.strip() for c in fields.get("criteria", "").split(",") if c.strip()]
    if criteria:
        item["criteria"] = criteria
    if expires:
        item["expires"] = expires
    if fields.get("note", "").strip():
        item["note"] = fields["note"].strip()[:2000]
    trial = {**state, "evidence": {**state["evidence"], eid: item}}
    try:
        ws.evaluator.dossier(trial)
    except InputError as problem:
        return evidence_register(ws, ctx, view, {"kind": problem.render(ctx.lang)}, status=400)
    uploads.store_blob(ws.settings.blobs, upload)
    store.record_blob(ctx.db, upload.sha256, upload.size)
    store.append(ctx.db, view.production, ctx.user, [("evidence.registered", {"item": item})], None)
    return redirect(f"/p/{view.production.slug}/evidence")


def next_evidence_id(state: dict[str, Any]) -> str:
    numbers = [int(i[3:]) for i in state["evidence"] if i.startswith("EV-") and i[3:].isdigit()]
    return f"EV-{max(numbers, default=0) + 1:03d}"


def review_page(ws, ctx, view, errors, status=200) -> Response:
    """The auditor's queue and record: each item's decision as the engine's review model holds it
    (engine/review.py: the latest review of the item's current file; a replaced file is pending again)."""
    items = reviewed_items(view)
    queue = [i for i in items if i["review"] is None or i["review"].status == "pending"]
    done = [i for i in items if i not in queue]
    document = view.result.get("review") or {}
    return page(ws, ctx, "review.html", view, status=status, queue=queue, done=done, errors=errors,
                counts=document.get("counts"), findings=[(f, finding_text(f, ctx.lang)) for f in document.get("findings", [])],
                sign_offs=[signoff_text(s, ctx.lang) for s in document.get("signoffs", [])],
                # the first layout's sign-offs (no stage nor decision): not in the auditor's file (journal.audit_data)
                old_sign_offs=[s for s in view.state["sign_offs"] if not s.get("decision")],
                finding_types=FINDING_TYPES, stages=STAGES, decisions=SIGNOFF_DECISIONS)


def criterion_page(ws, ctx, view, cid, error=None, status=200) -> Response:
    from raccord.cli.render_text import render_explain

    if not any(c["id"] == cid for rs in view.result["rulesets"] for c in rs["criteria"]):
        raise NotFoundError()  # a criterion of a ruleset not evaluated
    explained = ws.engine.explain(view.evaluation, cid)
    entry = next(c for rs in view.result["rulesets"] for c in rs["criteria"] if c["id"] == cid)
    entry = {**entry, "evidence_used": explained.get("evidence_used", [])}
    explanation = render_explain(explained["trace"], entry, ctx.lang)
    declared = ("not_applicable" if cid in view.state["not_applicable"] else
                "declined" if cid in view.state["declined"] else None)
    used = [view.state["evidence"][e] for e in entry.get("evidence_used", []) if e in view.state["evidence"]]
    return page(ws, ctx, "criterion.html", view, status=status, entry=entry, explanation=explanation, cid=cid,
                declared=declared, used=used, error=error)
