"""Apply the store's Alembic migrations programmatically (``alembic upgrade head`` on open).

The migrations live inside the package (``extractor/store/migrations``), so an installed
govreport can create and upgrade its own database with no ``alembic.ini`` around. Opening a
store takes a lock while upgrading (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory
lock), so several processes opening the same fresh database at once do not race.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from extractor.store.engine import PG_LOCK_KEY

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision``; returns the revision it is at afterwards."""
    head = head_revision() if revision == "head" else revision
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return head
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn = conn.execution_options(immediate=True)  # see store.engine: BEGIN IMMEDIATE
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
        else:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
                command.upgrade(alembic_config(conn), revision)
        return current_revision(conn)
