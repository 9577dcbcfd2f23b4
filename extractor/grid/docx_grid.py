"""Word ``<w:tbl>`` → ``Grid``: cells laid out on the table's column grid as Word does.

``w:gridBefore`` skips columns at a row's start; ``w:gridSpan`` is a colspan; ``w:vMerge``
(``restart`` starts a merged cell, an empty or ``continue`` value extends the one above in the
same column) becomes a rowspan; legacy ``w:hMerge`` continuation widens the cell to its left.
Rows and cells inside content controls (``w:sdt``) count; nested tables do not (their text is
left out of the cell). Cell text: paragraphs joined, tabs as spaces, breaks as line ends, deleted
and hidden (``w:vanish``) text left out — then ``structured.clean_text``.
"""

from __future__ import annotations

from lxml import etree

from extractor.grid.structured import MAX_SPAN, SourceCell, build_grid, clean_text
from models.page import Grid

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "mc": MC}


def xp(el, expr: str) -> list:
    """XPath with the w:/mc: prefixes on any element (python-docx's own elements included)."""
    return etree._Element.xpath(el, expr, namespaces=NS)


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


STOP = {q("tbl"), q("txbxContent"), f"{{{MC}}}Fallback", q("del"), q("moveFrom"), q("rPr"), q("pPr")}


def run_hidden(r) -> bool:
    rpr = r.find(q("rPr"))
    if rpr is None:
        return False
    v = rpr.find(q("vanish"))
    return v is not None and v.get(q("val"), "true") not in ("0", "false", "off")


def xml_text(el, *, root: bool = True) -> str:
    """Text under ``el``: nested tables, text boxes (unless ``el`` is one), deleted and hidden runs out."""
    parts: list[str] = []

    def walk(node, top: bool) -> None:
        tag = node.tag
        if not isinstance(tag, str):
            return
        if not top and tag in STOP:
            return
        if tag == q("r") and run_hidden(node):
            return
        if tag == q("t"):
            parts.append(node.text or "")
        elif tag in (q("tab"), q("ptab")):
            parts.append(" ")
        elif tag in (q("br"), q("cr")):
            parts.append("\n")
        for child in node:
            walk(child, False)
        if tag == q("p"):
            parts.append("\n")

    walk(el, root)
    return "".join(parts)


def _val(el, tag: str) -> str | None:
    pr = el.find(q("tcPr")) if tag in ("gridSpan", "vMerge", "hMerge") else el.find(q("trPr"))
    if pr is None:
        return None
    x = pr.find(q(tag))
    if x is None:
        return None
    return x.get(q("val"), "")


def _int(v: str | None, default: int) -> int:
    try:
        return int(v) if v not in (None, "") else default
    except ValueError:
        return default


def table_rows(tbl) -> list:
    return xp(tbl, "./w:tr | ./w:sdt/w:sdtContent/w:tr")


def row_cells(tr) -> list:
    return xp(tr, "./w:tc | ./w:sdt/w:sdtContent/w:tc")


def layout_table(tbl, path: str = "") -> tuple[list[SourceCell], int, int]:
    rows = table_rows(tbl)
    cells: list[SourceCell] = []
    open_at: dict[int, SourceCell] = {}  # grid column → the cell that a vMerge continuation extends
    n_cols = 0
    for r, tr in enumerate(rows):
        col = max(0, min(_int(_val(tr, "gridBefore"), 0), MAX_SPAN))
        last: SourceCell | None = None
        for k, tc in enumerate(row_cells(tr)):
            span = max(1, min(_int(_val(tc, "gridSpan"), 1), MAX_SPAN))
            vmerge = _val(tc, "vMerge")
            hmerge = _val(tc, "hMerge")
            if hmerge is not None and hmerge != "restart" and last is not None and last.row == r:
                last.col_span += span
                col += span
                continue
            if vmerge is not None and vmerge != "restart" and col in open_at:
                above = open_at[col]
                above.row_span = r - above.row + 1
                extra = clean_text(xml_text(tc))
                if extra:  # Word shows only the first cell's text; keep a stray continuation's too
                    above.text = clean_text(above.text + " " + extra)
                last = above
                col += span
                continue
            cell = SourceCell(row=r, col=col, text=clean_text(xml_text(tc)), col_span=span,
                              path=f"{path}/tr[{r + 1}]/tc[{k + 1}]")
            cells.append(cell)
            for c in range(col, col + span):
                open_at.pop(c, None)
            if vmerge == "restart":
                open_at[col] = cell
            last = cell
            col += span
        n_cols = max(n_cols, col)
        # a column not continued in this row closes its merge
        continued = {c.col for c in cells if c.row + c.row_span - 1 == r}
        for c in list(open_at):
            if c not in continued:
                open_at.pop(c)
    return cells, len(rows), n_cols


# A grid column this narrow (twips; 60 = 3 pt) holds no text: it is where two rows' borders stand
# a hair apart (LibreOffice writes a 1-twip ``w:gridCol`` when it saves a .doc as .docx, Word
# leaves them after dragged borders). Kept, it puts a header cell over two groups of columns.
SLIVER_TWIPS = 60


def sliver_columns(tbl) -> set[int]:
    """Indices of ``w:tblGrid`` columns narrower than ``SLIVER_TWIPS``."""
    out: set[int] = set()
    for i, gc in enumerate(xp(tbl, "./w:tblGrid/w:gridCol")):
        w = _int(gc.get(q("w")), SLIVER_TWIPS)
        if w < SLIVER_TWIPS:
            out.add(i)
    return out


def drop_columns(cells: list[SourceCell], n_cols: int, drop: set[int]) -> tuple[list[SourceCell], int]:
    """The grid without the columns in ``drop``: each cell's edges keep their places among the
    columns that remain (a cell lying only in dropped columns goes, unless it has text)."""
    if not drop:
        return cells, n_cols
    before = [0] * (n_cols + 1)  # remaining columns left of each boundary
    for i in range(n_cols):
        before[i + 1] = before[i] + (0 if i in drop else 1)
    kept: list[SourceCell] = []
    for c in cells:
        start, end = before[min(c.col, n_cols)], before[min(c.col + c.col_span, n_cols)]
        if end <= start:
            if not c.text:
                continue
            end = start + 1
        c.col, c.col_span = start, end - start
        kept.append(c)
    return kept, before[n_cols]


def docx_grid(tbl, *, index: int, top: float, path: str) -> Grid:
    """One ``w:tbl`` as a ``Grid`` at ``top`` on the notional page (``index``: provenance)."""
    cells, n_rows, n_cols = layout_table(tbl, path)
    cells, n_cols = drop_columns(cells, n_cols, {i for i in sliver_columns(tbl) if i < n_cols})
    return build_grid(cells, n_rows, n_cols, table=index, kind="docx", top=top)
