"""The Starlette application: authentication, CSRF, security headers, and the routes (pages.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from raccord.cli.i18n import money, percent, text
from raccord.cli.review_text import w as review_word

from . import db as database
from . import security
from .authz import ROLE_TITLES, allowed
from .config import Settings
from .evaluation import Evaluator
from .models import LoginSession, User
from .words import describe_event, w

HERE = Path(__file__).parent
LANG_COOKIE = "raccord_lang"
PRE_COOKIE = "raccord_pre"  # CSRF token of the forms shown before logging in (double-submit cookie)


@dataclass(frozen=True)
class Account:
    """The logged-in user as the pages read it (a Core row: no ORM instance per request)."""

    id: int
    email: str
    name: str


@dataclass(frozen=True)
class Login:
    """The request's login session (models.LoginSession's row)."""

    token: str
    user_id: int
    csrf: str


@dataclass
class Context:
    """One request: its database session, user, login session and language."""

    request: Request
    db: Session
    user: Account | None
    session: Login | None
    lang: str
    app: Workspace
    form: Any = None
    upload: Any = None
    upload_error: str | None = None
    found: dict = field(default_factory=dict)  # what this request read once (a production and the user's role)

    @property
    def csrf(self) -> str:
        if self.session:
            return self.session.csrf
        return self.request.state.pre_token


class AfterCommit:
    """A response made once the request's transaction is committed: a page showing the version the
    request wrote (so that nothing derived from a version that may yet be rolled back is cached)."""

    def __init__(self, make: Callable[[], Response]) -> None:
        self.make = make


def is_htmx(request: Request) -> bool:
    """A request htmx sent for a part of the page (the form's hx-post): it gets a fragment back."""
    return request.headers.get("hx-request") == "true"


def whole_page(request: Request, response: Response) -> Response:
    """A whole page answering an htmx request (an error, a stale write): htmx puts its <main> in
    place of the page's, instead of the fragment it asked for."""
    if is_htmx(request):
        response.headers.update({"HX-Retarget": "#main", "HX-Reselect": "#main", "HX-Reswap": "outerHTML"})
    return response


class ForbiddenError(Exception):
    pass


class NotFoundError(Exception):
    pass


class Workspace:
    """Everything the routes share: settings, database, engine, templates, the clock."""

    def __init__(self, settings: Settings, engine=None, today: Callable[[], dt.date] | None = None) -> None:
        from raccord.engine import Engine

        self.settings = settings
        self.db_engine = database.make_engine(settings.database_url)
        self.sessions = database.sessions(self.db_engine)  # pages that only read
        self.write_engine = database.make_engine(settings.database_url, writer=True) if self.sqlite else self.db_engine
        self.writer = database.sessions(self.write_engine)  # a POST's transaction
        # SQLite has one writer at a time: this process's writers wait their turn here (woken the
        # moment the previous one commits) rather than in SQLite's busy handler, which sleeps and
        # polls (up to 100 ms a sleep: the tail of the latency at 50 users). PostgreSQL: row locks.
        self.write_lock = threading.Lock() if self.sqlite else contextlib.nullcontext()
        self.engine = engine or Engine.load()
        self.evaluator = Evaluator(self.engine)
        self.today = today or dt.date.today  # the server's date, passed to the engine
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # the server's instant, for the live alerts
        self.cookies = security.Cookies(settings.secret)
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                            undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
                                            auto_reload=False)  # templates ship with the package: no stat per page
        self.templates.globals["static"] = static_urls()

    @property
    def sqlite(self) -> bool:
        return self.settings.database_url.startswith("sqlite")

    @contextlib.contextmanager
    def transaction(self, writing: bool) -> Iterator[Session]:
        """A request's database session: a writer's after the process's other writers (write_lock)."""
        if not writing:
            with self.sessions() as db:
                yield db
            return
        with self.write_lock, self.writer() as db:
            yield db

    def dispose(self) -> None:
        self.db_engine.dispose()
        self.write_engine.dispose()

    def render(self, ctx: Context, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = ctx.lang
        template = self.templates.get_template(name)
        html = template.render(
            ctx=ctx, lang=lang, user=ctx.user, csrf=ctx.csrf, today=self.today(), w=lambda key, **v: w(key, lang, **v),
            text=lambda v: text(v, lang), percent=lambda v: percent(v, lang), money=lambda v: money(v, lang),
            role_title=lambda r: ROLE_TITLES[r][lang], event_text=lambda e: describe_event(e.kind, e.payload, lang),
            date=lambda d: format_date(d, lang), rw=lambda key, **v: review_word(key, lang, **v), path=ctx.request.url.path,
            **values)
        return HTMLResponse(html, status_code=status)


def static_urls() -> dict[str, str]:
    """Each static file's URL with its content's hash: a browser keeps it (STATIC_CACHE) and asks
    again only when the file changed, instead of on every page."""
    import hashlib

    return {path.name: f"/static/{path.name}?v={hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
            for path in (HERE / "static").iterdir() if path.is_file()}


def format_date(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10]) if len(value) <= 10 else dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M") + " UTC"
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in ("fr", "en") else "fr"


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the private calendar feed URL never leaks in a Referer
    "Cache-Control": "no-store",
}
STATIC_CACHE = "public, max-age=31536000, immutable"  # /static/NAME?v=HASH: a new file is a new address


def create_app(settings: Settings, engine=None, today: Callable[[], dt.date] | None = None, migrate: bool = True) -> Starlette:
    if migrate:
        database.upgrade(settings.database_url)
    workspace = Workspace(settings, engine, today)
    from . import pages

    app = Starlette(routes=[*pages.routes(workspace),
                            Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
                    middleware=[Middleware(SecurityHeaders, secure=settings.secure_cookies)])
    app.state.workspace = workspace
    return app


def from_environment() -> Starlette:
    """The application of one worker process of `raccord serve --workers N` (uvicorn imports it by
    name in each process): the settings from RACCORD_DATABASE_URL and RACCORD_DATA_DIR, which `serve`
    sets; the schema was migrated once by `serve` before the workers started."""
    import os

    return create_app(Settings.from_environment(os.environ.get("RACCORD_DATABASE_URL")), migrate=False)


class SecurityHeaders:
    """Pure ASGI middleware (the request body stays a stream): security headers on every response, and
    the pre-login CSRF token kept in a cookie (double submit) for the forms shown before logging in."""

    def __init__(self, app, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.cookies.get(PRE_COOKIE)
        token = given if given and len(given) >= 32 else security.secrets.token_urlsafe(32)
        scope.setdefault("state", {})["pre_token"] = token

        static = scope["path"].startswith("/static/")

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if static and message["status"] == 200:
                    headers["Cache-Control"] = STATIC_CACHE
                for key, value in SECURITY_HEADERS.items():
                    if key not in headers:
                        headers[key] = value
                if given != token:
                    flags = "; Secure" if self.secure else ""
                    headers.append("set-cookie", f"{PRE_COOKIE}={token}; HttpOnly; Path=/; SameSite=Lax{flags}")
            await send(message)

        await self.app(scope, receive, sending)


_LS, _US = LoginSession.__table__, User.__table__
# Built once (every request runs it): the login session and its user in one query (each query is a
# round trip on PostgreSQL), Core columns (no ORM instances: ~0.08 ms instead of ~0.7 ms).
LOGIN_QUERY = (select(_LS.c.token, _LS.c.user_id, _LS.c.csrf, _US.c.email, _US.c.name)
               .join(_US, _US.c.id == _LS.c.user_id).where(_LS.c.token == bindparam("token")))


def context(workspace: Workspace, request: Request, db: Session) -> Context:
    token = workspace.cookies.load(request.cookies.get(security.COOKIE))
    session = user = None
    if token:
        found = db.connection().execute(LOGIN_QUERY, {"token": token}).first()
        if found:
            session, user = Login(found[0], found[1], found[2]), Account(found[1], found[3], found[4])
    return Context(request, db, user, session, language(request), workspace)


def check_csrf(ctx: Context):
    """Every state-changing request carries the form's CSRF token (or the error page says why not)."""
    if not security.csrf_ok(ctx.csrf, ctx.form.get("csrf")):
        raise CsrfError()
    return ctx.form


class CsrfError(Exception):
    pass


def require(ctx: Context, production, action: str, role: str | None = None) -> str:
    """The user's role on `production` (given, or read), if it allows `action`."""
    from .store import role_of

    if role is None:
        role = role_of(ctx.db, ctx.user, production)
    if role is None:
        raise NotFoundError()  # a production one is not a member of does not exist, as far as one can tell
    if not allowed(role, action):
        raise ForbiddenError()
    return role


def production_and_role(ctx: Context, slug: str):
    """The production named `slug` (store.ProductionRecord) and the user's role on it, in one query
    (NotFoundError: no such production)."""
    from . import store

    found = store.production_and_role(ctx.db, slug, ctx.user.id)
    if found is None:
        raise NotFoundError()
    return found


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_path(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def error_page(workspace: Workspace, ctx: Context, status: int, key: str) -> Response:
    return workspace.render(ctx, "error.html", status=status, message=w(key, ctx.lang))
