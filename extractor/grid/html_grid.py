"""HTML ``<table>`` → ``Grid``: rows and cells laid out as a browser does (rowspan, colspan).

Rows are the table's own ``<tr>`` (directly or under ``<thead>``/``<tbody>``/``<tfoot>``), never a
nested table's; a cell's text leaves out nested tables. Layout follows the HTML table model: each
cell takes the first grid column not covered by a rowspan from above; ``rowspan="0"`` runs to the
end of the table; spans are capped (colspan at 1000, rowspan at the rows left) so a hostile page
cannot blow up memory. Cell text: ``<br>``, ``<p>``, ``&nbsp;``, full-width spaces and inline
markup (``<span>``, ``<font>``, ``<o:p>``) are reduced by ``structured.clean_text``.
"""

from __future__ import annotations

from lxml import etree

from extractor.grid.structured import MAX_SPAN, SourceCell, build_grid, clean_text
from models.page import Grid

SKIP_TAGS = {"script", "style", "noscript", "template"}


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def table_rows(table) -> list:
    """The table's own rows, in order; hidden rows and zero-height ones (Word's
    ``<![if !supportMisalignedColumns]>`` row of empty sizing cells) left out."""
    rows = []
    for child in table:
        t = _tag(child)
        if t == "tr":
            rows.append(child)
        elif t in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return [r for r in rows if not _hidden(r) and not _zero_height(r)]


def _zero_height(tr) -> bool:
    style = (tr.get("style") or "").replace(" ", "").lower()
    if (tr.get("height") or "").strip() in ("0", "0px") or "height:0;" in style + ";" or "height:0px" in style:
        return not any(cell_text(td) for td in tr)
    return False


def cell_text(cell) -> str:
    """The text a reader sees in the cell, nested tables, scripts and hidden parts left out."""
    parts: list[str] = []

    def walk(el) -> None:
        t = _tag(el)
        if t in SKIP_TAGS or t == "table" or _hidden(el):
            if el.tail and el is not cell:
                parts.append(el.tail)
            return
        if t == "br":
            parts.append("\n")
        elif el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in el:
            walk(child)
        if t in ("p", "div", "li"):
            parts.append("\n")
        if el is not cell and el.tail:
            parts.append(el.tail)

    if cell.text:
        parts.append(cell.text)
    for child in cell:
        walk(child)
    return clean_text("".join(parts))


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower() if isinstance(el.tag, str) else ""
    return "display:none" in style or el.get("hidden") is not None


def _span(value: str | None, default: int = 1) -> int:
    try:
        n = int(str(value).strip().split(".")[0]) if value is not None else default
    except ValueError:
        return default
    return n


def layout_table(table, path_of=None) -> tuple[list[SourceCell], int, int]:
    """The table's cells with their grid positions: (cells, n_rows, n_cols)."""
    rows = table_rows(table)
    n_rows = len(rows)
    taken: dict[int, set[int]] = {}
    cells: list[SourceCell] = []
    n_cols = 0
    for r, tr in enumerate(rows):
        col = 0
        for td in tr:
            if _tag(td) not in ("td", "th") or _hidden(td):
                continue
            occupied = taken.setdefault(r, set())
            while col in occupied:
                col += 1
            cs = max(1, min(_span(td.get("colspan")), MAX_SPAN))
            rs = _span(td.get("rowspan"))
            rs = n_rows - r if rs <= 0 else min(rs, n_rows - r)
            rs = max(1, rs)
            for rr in range(r, r + rs):
                taken.setdefault(rr, set()).update(range(col, col + cs))
            cells.append(SourceCell(row=r, col=col, text=cell_text(td), row_span=rs, col_span=cs,
                                    path=path_of(td) if path_of else None))
            col += cs
            n_cols = max(n_cols, col)
    return cells, n_rows, n_cols


def html_grid(table, *, index: int, top: float) -> Grid:
    """One ``<table>`` element as a ``Grid`` at ``top`` on the notional page; ``index`` is its
    place among the document's tables (provenance)."""
    tree = table.getroottree()
    cells, n_rows, n_cols = layout_table(table, path_of=lambda el: _element_path(tree, el))
    return build_grid(cells, n_rows, n_cols, table=index, kind="html", top=top)


def _element_path(tree: etree._ElementTree, el) -> str:
    try:
        return tree.getpath(el)
    except (ValueError, TypeError):
        return ""
