"""The routes: each handler runs in one database transaction, committed when it returns; the
authorization matrix is checked before anything is read or written."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import security, store, uploads
from .app import (
    LANG_COOKIE,
    PRE_COOKIE,
    AfterCommit,
    Context,
    CsrfError,
    ForbiddenError,
    NotFoundError,
    Workspace,
    check_csrf,
    context,
    error_page,
    is_htmx,
    local_path,
    redirect,
    whole_page,
)
from .authz import ROLES, allowed
from .models import Invitation, Membership, User
from .team import account_errors
from .words import w

MAX_FORM = 1024 * 1024  # bytes of a plain form (a file goes through the streaming upload)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def login_redirect(request: Request) -> Response:
    """To the login page, then back. A fragment htmx asked for (the dashboard's polled alerts) after
    the session ended must not get the login page swapped into the block: htmx sends the whole
    browser there instead (HX-Redirect), and back to the page the person was on."""
    if request.headers.get("HX-Request") != "true":
        return redirect("/login?next=" + quote(request.url.path))
    page = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return Response(status_code=200, headers={"HX-Redirect": "/login?next=" + quote(local_path(page or request.url.path))})


def handler(workspace: Workspace, login: bool = True):
    """Wrap a route: the request body is read first (a form, or an upload streamed to disk), then the
    handler runs in a worker thread with its database session and transaction (the event loop never
    waits on the database); errors become pages (403, 404, CSRF)."""
    def wrap(function):
        @functools.wraps(function)
        async def endpoint(request: Request) -> Response:
            form, upload, upload_error = None, None, None
            if request.method == "POST":
                multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
                if multipart and workspace.cookies.load(request.cookies.get(security.COOKIE)) is not None:
                    try:
                        upload = await uploads.read_upload(request, workspace.settings.blobs / "incoming",
                                                           workspace.settings.max_upload)
                        form = upload.fields
                    except uploads.TooLargeError:
                        upload_error = "too_large"
                    except uploads.BadUploadError:
                        upload_error = "bad"
                elif not multipart:
                    length = request.headers.get("content-length", "")
                    if not length.isdigit() or int(length) > MAX_FORM:
                        return Response("413", status_code=413)
                    form = await request.form(max_files=0, max_fields=2000)
            try:
                return await run_in_threadpool(run, request, form, upload, upload_error)
            finally:
                if upload is not None:
                    upload.discard()

        def run(request: Request, form, upload, upload_error) -> Response:
            response = transact(request, form, upload, upload_error)
            if isinstance(response, AfterCommit):  # made out of the transaction (SQLite: out of the write lock too)
                response = response.make()
            if is_htmx(request) and response.status_code in (301, 302, 303, 307, 308):
                # htmx would follow it and put the whole page in the fragment's place: a navigation instead
                return Response(status_code=204, headers={"HX-Redirect": response.headers["location"]})
            return response

        def transact(request: Request, form, upload, upload_error) -> Response:
            writing = request.method == "POST"
            with workspace.transaction(writing) as db:
                ctx = context(workspace, request, db)
                ctx.form, ctx.upload, ctx.upload_error = form or {}, upload, upload_error
                if login and ctx.user is None:
                    return login_redirect(request)
                try:
                    response = function(ctx, **request.path_params)
                except ForbiddenError:
                    db.rollback()
                    return whole_page(request, error_page(workspace, ctx, 403, "forbidden"))
                except NotFoundError:
                    db.rollback()
                    return whole_page(request, error_page(workspace, ctx, 404, "not_found"))
                except CsrfError:
                    db.rollback()
                    return whole_page(request, error_page(workspace, ctx, 403, "csrf"))
                db.commit()
                return response
        return endpoint
    return wrap


def routes(ws: Workspace) -> list[Route]:
    from . import production_pages

    h = functools.partial(handler, ws)

    @h(login=False)
    def login_page(ctx: Context) -> Response:
        if ctx.request.method == "GET":
            return ws.render(ctx, "login.html", next=local_path(ctx.request.query_params.get("next")), error=None)
        form = check_csrf(ctx)
        email = str(form.get("email", "")).strip().lower()
        keys = [f"account:{email}", f"address:{ctx.request.client.host if ctx.request.client else '-'}"]
        if security.throttled(ctx.db, keys):
            return ws.render(ctx, "login.html", status=429, next=local_path(form.get("next")), error=w("throttled", ctx.lang))
        user = ctx.db.scalar(select(User).where(User.email == email))
        if not security.check_password(user, str(form.get("password", ""))):
            security.record_failure(ctx.db, keys)
            return ws.render(ctx, "login.html", status=401, next=local_path(form.get("next")), error=w("bad_login", ctx.lang))
        security.clear_failures(ctx.db, keys[:1])
        if ctx.session:  # whatever session the browser held is ended: a new token after login
            security.close_session(ctx.db, ctx.session.token)
        session = security.open_session(ctx.db, user)
        response = redirect(local_path(form.get("next")))
        response.set_cookie(security.COOKIE, ws.cookies.dump(session.token), httponly=True, samesite="lax",
                            secure=ws.settings.secure_cookies)
        response.delete_cookie(PRE_COOKIE)
        return response

    @h()
    def logout(ctx: Context) -> Response:
        check_csrf(ctx)
        security.close_session(ctx.db, ctx.session.token)
        response = redirect("/login")
        response.delete_cookie(security.COOKIE)
        return response

    @h(login=False)
    def set_language(ctx: Context) -> Response:
        lang = ctx.request.query_params.get("to")
        response = redirect(local_path(ctx.request.query_params.get("next")))
        if lang in ("fr", "en"):
            response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
        return response

    @h()
    def portfolio(ctx: Context) -> Response:
        rows = []
        for production, role in store.productions_of(ctx.db, ctx.user):
            summary = production_pages.summary_of(ws, ctx, production)
            rows.append({"production": production, "role": role, "summary": summary})
        return ws.render(ctx, "portfolio.html", rows=rows, errors={}, values={})

    @h()
    def create_production(ctx: Context) -> Response:
        form = check_csrf(ctx)
        slug, title = str(form.get("slug", "")).strip(), str(form.get("title", "")).strip()
        company = str(form.get("company", "")).strip() or None
        errors = {}
        if not SLUG.match(slug):
            errors["slug"] = w("bad_slug", ctx.lang)
        elif ctx.db.scalar(select(store.Production).where(store.Production.slug == slug)):
            errors["slug"] = w("slug_taken", ctx.lang)
        if not title:
            errors["title"] = w("required", ctx.lang)
        if errors:
            rows = [{"production": p, "role": r, "summary": production_pages.summary_of(ws, ctx, p)}
                    for p, r in store.productions_of(ctx.db, ctx.user)]
            return ws.render(ctx, "portfolio.html", status=400, rows=rows, errors=errors,
                             values={"slug": slug, "title": title, "company": company or ""})
        store.create_production(ctx.db, ctx.user, slug, title[:300], company)
        return redirect(f"/p/{slug}")

    @h(login=False)
    def accept_invitation(ctx: Context, token: str) -> Response:
        invitation = ctx.db.get(Invitation, token)
        if invitation is None:
            raise NotFoundError()
        if ctx.request.method == "GET":
            return ws.render(ctx, "invitation.html", invitation=invitation, errors={}, typed_name="")
        form = check_csrf(ctx)
        password, name = str(form.get("password", "")), str(form.get("name", "")).strip()
        errors = account_errors(name, password, ctx.lang)
        if errors:  # the name typed is shown back, never the password
            return ws.render(ctx, "invitation.html", status=400, invitation=invitation, errors=errors, typed_name=name[:200])
        user = ctx.db.scalar(select(User).where(User.email == invitation.email))
        if user is None:
            user = User(email=invitation.email, name=name[:200], password_hash=security.hash_password(password),
                        created=security.now())
            ctx.db.add(user)
            ctx.db.flush()
        if ctx.db.scalar(select(Membership).where(Membership.user_id == user.id,
                                                  Membership.production_id == invitation.production_id)) is None:
            ctx.db.add(Membership(user_id=user.id, production_id=invitation.production_id, role=invitation.role))
        ctx.db.delete(invitation)
        return redirect("/login")

    return [
        Route("/", portfolio),
        Route("/login", login_page, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang", set_language),
        Route("/productions", create_production, methods=["POST"]),
        Route("/invitation/{token}", accept_invitation, methods=["GET", "POST"]),
        *production_pages.routes(ws, h),
    ]


def team_role_ok(role: str) -> bool:
    return role in ROLES


def may(role: str | None, action: str) -> bool:
    return allowed(role, action)


def parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


__all__ = ["Any", "may", "parse_day", "routes", "team_role_ok"]
