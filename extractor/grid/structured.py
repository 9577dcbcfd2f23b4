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

from extractor.mapping.labels import IDEOGRAPH
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
# a printed value: a count or amount, or a zero printed as a dash, slash or 无
_VALUE = re.compile(r"^(?:[\d.,+\-−%]*\d[\d.,+\-−%]*|[-－—–−/／\\]+|无)$")
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
    are appended under the part above (``_append_rows``); each cell keeps its own ``SourceRef``
    (the source table, row and column it came from)."""
    out: list[Grid] = []
    for i, g in enumerate(grids):
        if out and i < len(blank_between) and blank_between[i] and g.n_cols == out[-1].n_cols and g.n_rows:
            out[-1] = _append_rows(out[-1], g)
        else:
            out.append(g)
    return out


def _carried_columns(g: Grid) -> dict[int, int]:
    """Per source row of a continuation: how many leading columns it lacks. A cut through a
    row-spanning label (三、本年度办理结果 spanning table 三's outcome rows) leaves the rows under
    the cut one cell short in HTML: the browser lays them out from column 0, so their cells sit
    one column left of the columns they belong to. A row whose cells (spans counted, rows merged
    from above within the part included) cover columns ``0..w-1`` with ``w < n_cols`` lacks
    ``n_cols - w`` leading columns; rows in full width lack none."""
    covered: dict[int, set[int]] = {}
    for c in g.cells:
        for r in range(c.row, min(g.n_rows, c.row + c.row_span)):
            covered.setdefault(r, set()).update(range(c.col, c.col + c.col_span))
    short: dict[int, int] = {}
    for r in range(g.n_rows):
        cols = covered.get(r, set())
        w = max(cols) + 1 if cols else 0
        if cols and len(cols) == w and w < g.n_cols:
            short[r] = g.n_cols - w
    return short


def _append_rows(a: Grid, g: Grid) -> Grid:
    """``g``'s rows appended under ``a``. The leading rows of ``g`` that lack leading columns
    (``_carried_columns``) are rows that cut spanning labels of ``a`` still cover: their cells move
    right by what they lack, and each of ``a``'s cells covering those columns in its last row is
    extended down over the rows that lack its columns (so the outcome rows keep their row labels
    as printed before the cut; the lack may shrink as inner spans end: a cut inside （四）无法提供
    lacks two columns for its rows, then one). Only labels carry (text with CJK characters): a row
    short of trailing cells under a row of numbers (an editor left out empty ``<td>``s) is not
    shifted. Cells get boxes under ``a`` on the notional page."""
    short = _carried_columns(g)
    ending = [c for c in a.cells if c.row + c.row_span == a.n_rows]
    shift: dict[int, int] = {}
    prev = a.n_cols
    for r in range(g.n_rows):
        lack = short.get(r, 0)
        carriers = [c for c in ending if c.col < lack]
        if not lack or lack > prev or not all(IDEOGRAPH.search(c.text) for c in carriers) or sorted(
                col for c in carriers for col in range(c.col, c.col + c.col_span)) != list(range(lack)):
            break
        shift[r], prev = lack, lack
    if not _values_left_of_their_columns(a, g, shift):
        shift = {}
    for c in ending:
        rows = sum(1 for k in shift.values() if c.col + c.col_span <= k)
        if rows:
            c.row_span += rows
            c.bbox = BBox(x0=c.bbox.x0, top=c.bbox.top, x1=c.bbox.x1, bottom=c.bbox.bottom + rows * ROW_H)
    base = a.bbox.bottom if a.bbox is not None else a.n_rows * ROW_H
    moved = []
    for c in g.cells:
        c.col += shift.get(c.row, 0)
        top = base + c.row * ROW_H
        c.row += a.n_rows
        c.bbox = BBox(x0=c.col * COL_W, top=top, x1=(c.col + c.col_span) * COL_W, bottom=top + c.row_span * ROW_H)
        moved.append(c)
    bbox = a.bbox.union(BBox(x0=0.0, top=base, x1=a.n_cols * COL_W, bottom=base + g.n_rows * ROW_H)) \
        if a.bbox is not None else None
    return Grid(cells=a.cells + moved, n_rows=a.n_rows + g.n_rows, n_cols=a.n_cols, pages=a.pages,
                bbox=bbox, col_edges=a.col_edges)


def _values_left_of_their_columns(a: Grid, g: Grid, shift: dict[int, int]) -> bool:
    """Whether the short rows of ``g`` really lack *leading* cells: unshifted, a value of theirs
    (``_VALUE``: a number, or a zero printed as —, / or 无) stands left of the first column where
    ``a`` prints values (in the label columns), and shifted none does. Rows short of *trailing*
    cells (left-out empty ``<td>``s) have all their values under ``a``'s value columns already:
    no shift. No value to judge by (all blank): no shift, and mapping reports the rows."""
    values = [c.col for c in a.cells if _VALUE.match(c.text)]
    if not shift or not values:
        return False
    first_value = min(values)
    misplaced = False
    for r, lack in shift.items():
        cols = [c.col for c in g.cells if c.row == r and _VALUE.match(c.text)]
        if cols and min(cols) + lack < first_value:
            return False  # still among the labels when shifted: not a cut label
        misplaced |= bool(cols) and min(cols) < first_value
    return misplaced
