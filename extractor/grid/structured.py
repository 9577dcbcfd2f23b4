"""What the HTML and DOCX grid builders share: cell text clean-up and laid-out cells → ``Grid``.

A web page or a Word file has no page geometry, so its cells get *grid-unit* boxes on one
notional page (``COL_W`` × ``ROW_H`` points per grid column and row, tables stacked top to
bottom in reading order): enough for stitching and mapping, which only compare positions. The
real place of each cell is ``Cell.ref`` (table index, row, column, element path), which the
review page uses instead of a crop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.extraction import BBox, Source, SourceRef
from models.page import Cell, Grid, TextLine

COL_W = 40.0  # points per grid column on the notional page
ROW_H = 20.0  # points per grid row
TABLE_GAP = 40.0  # points between stacked tables
LINE_H = 16.0  # points per prose line
CHAR_W = 12.0  # points per character of a prose line
NOTIONAL_PAGE = 1  # every cell and line of a structured source is on page 1
MAX_SPAN = 1000  # HTML's own cap on colspan; hostile rowspans are cut to the table

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def clean_text(text: str) -> str:
    """Cell or line text as a reader sees it: nbsp, ideographic and other spaces collapsed,
    no space left between two CJK characters (a label wrapped by ``<br>``, ``<p>`` or a
    line end in the source), trimmed. ``"\\xa0 \\xa0本年处理\\n决定数量"`` → ``"本年处理决定数量"``."""
    t = _SPACES.sub(" ", text.replace("\u200b", ""))
    t = _SPACE_BETWEEN_CJK.sub("", t)
    return t.strip()


@dataclass
class SourceCell:
    """One cell as laid out from the source: its first grid row/column and spans (0-based)."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1
    path: str | None = None


def drop_trailing_blank_rows(cells: list[SourceCell], n_rows: int) -> tuple[list[SourceCell], int]:
    """Empty rows left at a table's end (an editor's extra row, Word's sizing row) are no part of
    it when a row with digits stands above them: otherwise mapping could read an empty row under
    table 四's numbers as fifteen zeros printed blank. A blank row right under a header (no digits
    above) is kept: that is a table printed blank."""
    starts: dict[int, list[SourceCell]] = {}
    for c in cells:
        starts.setdefault(c.row, []).append(c)
    last = n_rows
    while last > 0 and not any(c.text for c in starts.get(last - 1, [])) and not any(
            c.row < last - 1 and c.row + c.row_span > last - 1 for c in cells):
        last -= 1
    if last == n_rows or last == 0 or not any(ch.isdigit() for c in starts.get(last - 1, []) for ch in c.text):
        return cells, n_rows
    return [c for c in cells if c.row < last], last


def build_grid(cells: list[SourceCell], n_rows: int, n_cols: int, *, table: int, kind: str, top: float) -> Grid:
    """A ``Grid`` of ``cells`` placed at ``top`` (points) on the notional page; each cell carries
    its ``SourceRef``. Trailing blank rows under a row of digits are left out
    (``drop_trailing_blank_rows``)."""
    cells, n_rows = drop_trailing_blank_rows(cells, n_rows)
    out: list[Cell] = []
    for c in cells:
        box = BBox(
            x0=c.col * COL_W, top=top + c.row * ROW_H,
            x1=(c.col + c.col_span) * COL_W, bottom=top + (c.row + c.row_span) * ROW_H,
        )
        ref = SourceRef(kind=kind, table=table, row=c.row, col=c.col, row_span=c.row_span,
                        col_span=c.col_span, path=c.path)
        out.append(
            Cell(row=c.row, col=c.col, page=NOTIONAL_PAGE, bbox=box, row_span=c.row_span, col_span=c.col_span,
                 text=c.text, source=Source.TEXT, ref=ref)
        )
    bbox = BBox(x0=0.0, top=top, x1=max(1, n_cols) * COL_W, bottom=top + max(1, n_rows) * ROW_H)
    return Grid(cells=out, n_rows=n_rows, n_cols=n_cols, pages=[NOTIONAL_PAGE], bbox=bbox,
                col_edges=[i * COL_W for i in range(n_cols + 1)])


def grid_height(grid: Grid) -> float:
    return grid.n_rows * ROW_H + TABLE_GAP


def text_lines(texts: list[tuple[str, float]], top: float = 0.0) -> list[TextLine]:
    """Prose paragraphs ``(text, size)`` as ``TextLine``s down the notional page."""
    lines: list[TextLine] = []
    y = top
    for text, size in texts:
        t = clean_text(text)
        if not t:
            continue
        lines.append(TextLine(text=t, bbox=BBox(x0=0.0, top=y, x1=max(1, len(t)) * CHAR_W, bottom=y + LINE_H),
                              page=NOTIONAL_PAGE, size=size))
        y += LINE_H
    return lines


def join_continued(grids: list[Grid], blank_between: list[bool]) -> list[Grid]:
    """Tables split in the source (a Word export cut at a page break, an editor's stray Enter):
    ``grids[i]`` continues ``grids[i - 1]`` when nothing but blank text stands between them
    (``blank_between[i]``) and both have the same number of columns. Rows of the continuation
    are appended; each cell keeps its own ``SourceRef`` (the source table and row it came from)."""
    out: list[Grid] = []
    for i, g in enumerate(grids):
        if out and i < len(blank_between) and blank_between[i] and g.n_cols == out[-1].n_cols and g.n_rows:
            a = out[-1]
            moved = []
            for c in g.cells:
                c.row += a.n_rows
                moved.append(c)
            out[-1] = Grid(cells=a.cells + moved, n_rows=a.n_rows + g.n_rows, n_cols=a.n_cols, pages=a.pages,
                           bbox=a.bbox, col_edges=a.col_edges)
        else:
            out.append(g)
    return out
