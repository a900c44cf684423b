"""`raccord serve` (the team workspace) and `raccord db upgrade`; they need the `web` extra."""

from __future__ import annotations

import sys

import click


def _require_web() -> None:
    try:
        import sqlalchemy  # noqa: F401
        import starlette  # noqa: F401
    except ImportError:
        click.echo("raccord serve a besoin de l'extra « web » : pip install 'raccord[web]'", err=True)
        sys.exit(2)


def register(cli: click.Group) -> None:
    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
    @click.option("--port", default=8000, show_default=True, type=int, help="Port d'écoute.")
    @click.option("--database", default=None,
                  help="URL de la base (sinon RACCORD_DATABASE_URL, sinon SQLite dans le dossier de données).")
    @click.option("--demo", is_flag=True, help="Charge les quatre exemples et un compte de démonstration par rôle.")
    def serve(host: str, port: int, database: str | None, demo: bool) -> None:
        """Lance l'espace de travail web de l'équipe (http://127.0.0.1:8000)."""
        _require_web()
        import uvicorn

        from raccord.web.app import create_app
        from raccord.web.config import Settings

        settings = Settings.from_environment(database)
        app = create_app(settings)
        click.echo(f"raccord : données dans {settings.folder}")
        if demo:
            from raccord.web import demo as demo_data

            lines = demo_data.load(app.state.workspace)
            click.echo(f"Démonstration : connectez-vous avec l'un de ces comptes, mot de passe « {demo_data.PASSWORD} » :")
            click.echo("\n".join(lines))
        click.echo(f"Espace de travail : http://{host}:{port}/")
        uvicorn.run(app, host=host, port=port, log_level="warning")

    @cli.group()
    def db() -> None:
        """Base de données de l'espace de travail."""

    @db.command()
    @click.option("--database", default=None, help="URL de la base (sinon RACCORD_DATABASE_URL, sinon SQLite).")
    def upgrade(database: str | None) -> None:
        """Applique les migrations du schéma (Alembic)."""
        _require_web()
        from raccord.web import db as web_db
        from raccord.web.config import Settings

        settings = Settings.from_environment(database)
        web_db.upgrade(settings.database_url)
        click.echo(f"schéma à jour : {web_db.current_revision(settings.database_url)}")
