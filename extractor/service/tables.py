"""Tables 二, 三 and 四 as printed, for the report page: ``extractor.render.render_tables`` (the
layout of ``govreport extract --format table``, driven by the field registry) turned into HTML
cells, each flagged cell linked to its review item.

The layout is not restated here: the report is rendered by ``render_tables`` with every field's
printed text swapped for a marker naming the field, and each marker in the rendered tables is
replaced by the field's cell. Whatever rows and columns the registry gives, the page follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup, escape

from extractor.render import flagged_keys, render_tables
from models.extraction import Extraction

_MARK = re.compile("\ue000(\\d+)\ue001⚑?")


@dataclass
class HtmlTable:
    title: str
    headers: list[str]
    rows: list[list[Markup]] = field(default_factory=list)


@dataclass
class Rendered:
    heading: str
    tables: list[HtmlTable]
    notes: list[Markup]  # the lines after the tables (fee, broken relations, suggestions, errors)
    flagged: set[str]


def _shown(f) -> str:
    v = f.value
    text = str(float(v) if isinstance(v, Decimal) else v) if v is not None else ""
    raw = (f.raw or "").strip()
    if v is None:
        return raw or "?"
    return raw if raw and raw != str(v) else text


def _plain(renderable) -> str:
    return renderable.plain if hasattr(renderable, "plain") else str(renderable)


def render_html(result: Extraction, *, field_ids: dict[str, int], printed: dict[str, object],
                reviewed_by: dict[str, str | None]) -> Rendered:
    """The report's tables as HTML cells.

    ``result``: the extraction with reviewed values applied; ``printed``: each field's value as
    extracted; ``field_ids``: key → field row id (the review item, ``/items/{id}``)."""
    flagged = flagged_keys(result)
    keys = list(result.fields)
    marked = result.model_copy(update={"fields": {
        k: f.model_copy(update={"raw": f"\ue000{i}\ue001"}) for i, (k, f) in enumerate(result.fields.items())}})

    def cell(m: re.Match) -> str:
        key = keys[int(m.group(1))]
        f = result.fields[key]
        shown = escape(_shown(f))
        who = reviewed_by.get(key)
        if who:  # the reviewed value, the printed one in the title
            was = printed.get(key)
            was = float(was) if isinstance(was, Decimal) else was
            v = f.value
            shown = escape(str(float(v) if isinstance(v, Decimal) else v))
            shown = Markup('<span class="reviewed" title="printed {}, reviewed by {}">{}✎</span>').format(was, who, shown)
        if key in flagged:
            fid = field_ids.get(key)
            href = f"/items/{fid}" if fid else "#"
            return str(Markup('<a class="flag" href="{}" data-key="{}" title="{}: to review">{}⚑</a>').format(href, key, key, shown))
        return str(Markup('<span class="v" data-key="{}" title="{} · confidence {:.2f}">{}</span>').format(
            key, key, f.confidence, shown))

    def html(renderable) -> Markup:
        text = str(escape(_plain(renderable)))
        return Markup(_MARK.sub(cell, text))

    group = render_tables(marked)
    heading, tables, notes = "", [], []
    for part in group.renderables:
        if hasattr(part, "columns"):  # a rich Table
            cols = part.columns
            t = HtmlTable(title=_plain(part.title or ""), headers=[_plain(c.header) for c in cols])
            n = max((len(c._cells) for c in cols), default=0)
            for i in range(n):
                t.rows.append([html(c._cells[i]) if i < len(c._cells) else Markup("") for c in cols])
            tables.append(t)
        elif not heading:
            heading = _plain(part)
        elif not _plain(part).strip().startswith(("Broken relations", "⚑", "→")):
            notes.append(html(part))  # the page lists relations and suggestions in tables of its own
    return Rendered(heading=heading, tables=tables, notes=notes, flagged=flagged)
