"""Alembic environment: the URL comes from the config `raccord` builds (web/db.py), not an .ini file."""

from alembic import context

from raccord.web.db import make_engine
from raccord.web.models import Base

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
