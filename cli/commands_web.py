"""`raccord serve` (the team workspace) and `raccord db upgrade`; they need the `web` extra."""

from __future__ import annotations

import sys

import click

from .language import bi, current_lang

WORDS = {
    "extra": {"fr": "raccord serve a besoin de l'extra « web » : pip install 'raccord[web]'",
              "en": "raccord serve needs the `web` extra: pip install 'raccord[web]'"},
    "data": {"fr": "raccord : données dans {folder}", "en": "raccord: data in {folder}"},
    "demo": {"fr": "Démonstration : connectez-vous avec l'un de ces comptes, mot de passe « {password} » :",
             "en": "Demo: log in with one of these accounts, password “{password}”:"},
    "url": {"fr": "Espace de travail : {url}", "en": "Workspace: {url}"},
    "schema": {"fr": "schéma à jour : {revision}", "en": "schema up to date: {revision}"},
}


def say(key: str, **values: str) -> str:
    entry = WORDS[key]
    return entry.get(current_lang(), entry["fr"]).format(**values)


def _require_web() -> None:
    try:
        import sqlalchemy  # noqa: F401
        import starlette  # noqa: F401
    except ImportError:
        click.echo(say("extra"), err=True)
        sys.exit(2)


def register(cli: click.Group) -> None:
    database_help = bi("URL de la base (sinon RACCORD_DATABASE_URL, sinon SQLite dans le dossier de données).",
                       "Database URL (else RACCORD_DATABASE_URL, else SQLite in the data folder).")

    @cli.command(help=bi("Lance l'espace de travail web de l'équipe (http://127.0.0.1:8000).",
                         "Start the team's web workspace (http://127.0.0.1:8000)."))
    @click.option("--host", default="127.0.0.1", show_default=True, help=bi("Adresse d'écoute.", "Address to listen on."))
    @click.option("--port", default=8000, show_default=True, type=int, help=bi("Port d'écoute.", "Port to listen on."))
    @click.option("--database", default=None, metavar="URL", help=database_help)
    @click.option("--demo", is_flag=True, help=bi("Charge les quatre exemples et un compte de démonstration par rôle.",
                                                  "Load the four examples and one demo account per role."))
    @click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
                  help=bi("Nombre de processus qui servent les requêtes (un par cœur pour une équipe nombreuse).",
                          "Number of processes serving requests (one per core for a large team)."))
    def serve(host: str, port: int, database: str | None, demo: bool, workers: int) -> None:
        _require_web()
        import os

        import uvicorn

        from raccord.web.app import create_app
        from raccord.web.config import Settings

        settings = Settings.from_environment(database)
        app = create_app(settings)  # migrates the schema once, before any worker starts
        click.echo(say("data", folder=str(settings.folder)))
        if demo:
            from raccord.web import demo as demo_data

            lines = demo_data.load(app.state.workspace)
            click.echo(say("demo", password=demo_data.PASSWORD))
            click.echo("\n".join(lines))
        click.echo(say("url", url=f"http://{host}:{port}/"))
        if workers == 1:
            uvicorn.run(app, host=host, port=port, log_level="warning")
            return
        # Each worker process loads the engine and opens its own connections; they share the database
        # and the data folder (each cache is keyed by the journal's version, so none goes stale).
        app.state.workspace.dispose()
        os.environ["RACCORD_DATABASE_URL"], os.environ["RACCORD_DATA_DIR"] = settings.database_url, str(settings.folder)
        uvicorn.run("raccord.web.app:from_environment", factory=True, workers=workers, host=host, port=port,
                    log_level="warning")

    @cli.group(help=bi("Base de données de l'espace de travail.", "The workspace's database."))
    def db() -> None:
        pass

    @db.command(help=bi("Applique les migrations du schéma (Alembic).", "Apply the schema migrations (Alembic)."))
    @click.option("--database", default=None, metavar="URL", help=database_help)
    def upgrade(database: str | None) -> None:
        _require_web()
        from raccord.web import db as web_db
        from raccord.web.config import Settings

        settings = Settings.from_environment(database)
        web_db.upgrade(settings.database_url)
        click.echo(say("schema", revision=str(web_db.current_revision(settings.database_url))))
