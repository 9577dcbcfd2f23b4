"""Options the commands share, checked the same way: ``--db`` (and ``--dpi``, from ``dpi``).

``--db``: one default, one environment variable, one check.

``--db`` defaults to ``$GOVREPORT_DB``, else ``sqlite:///govreport.db`` (in the working
directory) — for ``ingest``, ``status``, ``export``, ``serve``, ``users`` and ``review`` alike.
A URL that cannot be parsed or names another database (``foo``, ``mysql://…``) is a usage
error: one line on stderr, exit 2, before anything is opened or created.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from extractor.store.engine import DEFAULT_URL

DB_ENV = "GOVREPORT_DB"
DB_HELP = f"Database URL: sqlite:///FILE.db or postgresql://USER@HOST/DB (default: ${DB_ENV}, else {DEFAULT_URL})"
DbOpt = Annotated[str, typer.Option("--db", envvar=DB_ENV, help=DB_HELP, show_default=False)]


def checked_url(db: str) -> str:
    """``db`` if it is a SQLite or PostgreSQL URL; else a one-line usage error (exit 2)."""
    from extractor.store.engine import normalise_url

    try:
        normalise_url(db)
    except Exception as e:  # noqa: BLE001 — sqlalchemy's ArgumentError, our ValueError
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        sys.stderr.write(f"govreport: --db {db[:200]!r} is not a database URL ({reason}); "
                         f"use sqlite:///FILE.db or postgresql://USER@HOST/DB\n")
        raise typer.Exit(2) from None
    return db


from extractor.commands.dpi import checked_dpi  # noqa: E402,F401 — one place for --dpi's check
