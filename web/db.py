"""Database connection and migrations: SQLite in WAL mode (a killed server loses no committed write),
or PostgreSQL; Alembic migrations from web/migrations, applied on start and by `raccord db upgrade`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# Seconds a SQLite writer waits for another process's write lock (sqlite3's busy handler, which polls
# with sleeps); writers of one process queue on Workspace.write_lock instead and never reach it.
BUSY_TIMEOUT = 30.0


def make_engine(url: str, writer: bool = False) -> Engine:
    """On SQLite, a writer's transactions begin IMMEDIATE (they take the write lock at once and queue
    instead of failing half-way); readers begin deferred and read the last committed state (WAL)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged commit is on disk
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            connection.isolation_level = None  # transactions begun explicitly (BEGIN IMMEDIATE below)

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the schema to the latest revision (creates it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with make_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
