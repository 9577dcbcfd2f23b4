"""``--dpi``, checked the same way by ``extract`` and ``ingest``.

Its own module so that ``govreport extract`` loads no database code (``commands.db`` imports the
store's engine, and with it SQLAlchemy).
"""

from __future__ import annotations

import sys

import typer


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
