"""Options the commands share, checked the same way: ``--db`` and ``--dpi``.

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


def checked_dpi(dpi: int) -> int:
    """``--dpi`` within ``min_dpi``…``max_dpi`` (``extractor.limits``, 50…1200); else a one-line
    usage error (exit 2). A page that would still render over ``max_render_pixels`` at a valid
    dpi is refused by the renderer (``page_too_large``), naming the dpi that fits."""
    from extractor.limits import current

    lim = current()
    if not lim.min_dpi <= dpi <= lim.max_dpi:
        sys.stderr.write(f"govreport: --dpi {dpi} is out of range: use {lim.min_dpi}…{lim.max_dpi} "
                         f"(scans are usually 200–400 dpi)\n")
        raise typer.Exit(2)
    return dpi
