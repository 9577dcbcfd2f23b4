"""Alembic environment of the govreport store.

Run programmatically by ``extractor.store.migrate.upgrade`` (which hands over an open
connection in ``config.attributes["connection"]``), or from the command line for development:

    .venv/bin/alembic -c extractor/store/migrations/alembic.ini -x url=sqlite:///govreport.db upgrade head
    .venv/bin/alembic -c extractor/store/migrations/alembic.ini -x url=sqlite:///govreport.db revision --autogenerate -m "…"
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from extractor.store.schema import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _configure(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
