"""Database URLs and engines: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL (psycopg 3).

* ``sqlite:///govreport.db`` (the default; a path relative to the working directory) or
  ``sqlite:////abs/path.db``. Every connection gets ``journal_mode=WAL``,
  ``synchronous=NORMAL``, ``foreign_keys=ON`` and a 60 s busy timeout; transactions are real
  SQLite transactions (``BEGIN``), and write transactions start with ``BEGIN IMMEDIATE`` so a
  writer waits for the lock instead of failing half way.
* ``postgresql://…``, ``postgres://…`` or ``postgresql+psycopg://…`` — all use psycopg 3.
  ``?schema=NAME`` (stripped before connecting) puts every table in that schema, created on
  open if missing; it is how tests keep parallel runs apart.
"""

from __future__ import annotations

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL

DEFAULT_URL = "sqlite:///govreport.db"
PG_LOCK_KEY = 0x676F767265706F72  # advisory lock taken while creating schemas and migrating
SQLITE_BUSY_TIMEOUT_S = 60.0


def normalise_url(url: str | URL | None) -> tuple[URL, str | None]:
    """``(url, schema)``: the driver made explicit, the ``schema`` query parameter taken out."""
    if url is None or url == "":
        url = DEFAULT_URL
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    u = make_url(url)
    schema = None
    if u.get_backend_name() == "postgresql":
        if u.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
            u = u.set(drivername="postgresql+psycopg")
        schema = u.query.get("schema")
        if isinstance(schema, tuple):
            schema = schema[-1]
        if schema is not None:
            u = u.difference_update_query(["schema"])
    elif u.get_backend_name() != "sqlite":
        raise ValueError(f"unsupported database URL {u.render_as_string(hide_password=True)!r}: use sqlite:/// or postgresql://")
    return u, schema


def make_engine(url: str | URL | None = None, *, schema: str | None = None, echo: bool = False) -> Engine:
    u, url_schema = normalise_url(url)
    schema = schema or url_schema
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u, echo)
    return _postgres_engine(u, schema, echo)


def _sqlite_engine(u: URL, echo: bool) -> Engine:
    engine = create_engine(u, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        if u.database not in (None, "", ":memory:"):
            _wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _wal(cur) -> None:
    """``journal_mode=WAL`` on a connection, waiting as the busy timeout would. SQLite answers a
    journal-mode change with "database is locked" at once, without its busy handler, while
    another connection holds a write lock: concurrent first opens of a fresh database (one
    migrating, another connecting) failed under load. A database already in WAL (the mode is
    kept in the file) is left as it is."""
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(2 * delay, 0.5)


def _postgres_engine(u: URL, schema: str | None, echo: bool) -> Engine:
    engine = create_engine(u, echo=echo, pool_pre_ping=True)
    if schema:
        if not schema.replace("_", "").isalnum():
            raise ValueError(f"schema name {schema!r}: letters, digits and _ only")
        with engine.begin() as conn:  # serialised: concurrent IF NOT EXISTS can still collide
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))

        @event.listens_for(engine, "connect", insert=True)
        def _search_path(dbapi_conn, _record):
            autocommit = dbapi_conn.autocommit
            dbapi_conn.autocommit = True
            cur = dbapi_conn.cursor()
            cur.execute(f'SET SESSION search_path TO "{schema}"')
            cur.close()
            dbapi_conn.autocommit = autocommit

        engine.dispose()  # connections made before the listener must not be reused
    return engine
