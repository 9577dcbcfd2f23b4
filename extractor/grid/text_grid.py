"""The text-alignment grid builder: tables printed with no rules, or with too few to close cells.

Every label and number is in the text layer even when no rule is drawn; the structure is in
where the text sits. The builder works on the characters that no ruled grid took:

1. lines are cut into *chunks*, runs of lines into *blocks* and blocks into *sub-tables*
   (``grid.text_blocks``);
2. *value columns* come from the x-extents of the number chunks; where the registry expects
   more (a column printed all blank), from the column titles over no numbers (a title over
   several columns — 法人或其他组织 — is a group title, not a column);
3. *label columns* start where a label chunk starts right of another on the same line;
   *labels* are lines that start with an enumeration (一、 （一） 1.) plus the lines under
   them that continue them;
4. *rows* are the row labels (no label to their right at their height), each joined with the
   line of numbers within its height (none: a row printed blank), and lines of numbers under
   no row label; group labels go to their rows as context.

The result is the same ``models.page.Grid`` the rule builder makes, one per sub-table, its
cells' ``structure`` capped at ``INFERRED_TEXT``: a value read from it is ``ok`` only where
the arithmetic of the report vouches for it. The registry's known shape is the cross-check:
only tables the registry knows are built (table 二's parts, 三, 四), and one that holds table
三's labels but not its 7 value columns, or table 四's header but not its 15, is capped lower
still (``MISSHAPEN``).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from extractor.grid.text_blocks import ENUMERATED, Chunk, blocks, chunks_of, sub_tables, value_left, x_components
from models.extraction import BBox
from models.page import Cell, Grid

INFERRED_TEXT = 0.3  # structure of a cell in a grid built from text alignment alone
MISSHAPEN = 0.05  # ... when the registry's known shape of the table is not met


def expected_columns(header: list[list[Chunk]], body: list[list[Chunk]]) -> int | None:
    """How many value columns the registry says this sub-table has, from its words: table 三
    (its row labels or header words) 7, table 四 (行政复议 / 复议后起诉) 15, a part of table 二
    as many as its row's columns; None when it is none of them."""
    from extractor.mapping.labels import contains, similarity
    from models.fields import APPLICANT_COLUMNS, Layout, active_rows, APPLICATION_ROWS, LITIGATION_COLUMNS, LITIGATION_GROUPS

    head = "".join(k.text for ln in header for k in ln)
    if contains(head, "行政复议") or contains(head, "复议后起诉"):
        return len(LITIGATION_GROUPS) * len(LITIGATION_COLUMNS)
    firsts = [ln[0].text for ln in body if ln and not ln[0].numeric]
    text = head + "".join(firsts)
    if sum(contains(text, w) for w in ("本年新收", "上年结转", "予以公开", "不予公开", "结转下年度", "自然人")) >= 1:
        return len(APPLICANT_COLUMNS)
    for label in firsts:  # a part of table 二, in either layout (2019's blocks have more columns)
        counts = [len(columns) for lay in (Layout.L2021, Layout.L2019) for row, columns in active_rows(lay)
                  if similarity(label, row.label) >= 0.8]
        if counts:  # the fewest columns that hold every column of numbers printed
            found = len(x_components([(k.x0, k.x1) for ln in body for k in ln if k.numeric and k.text != label]))
            return min((n for n in counts if n >= found), default=max(counts))
        if any(similarity(label, r.label) >= 0.8 for r in APPLICATION_ROWS):
            return len(APPLICANT_COLUMNS)
    return None


def value_columns(header: list[list[Chunk]], body: list[list[Chunk]], left: float,
                  expected: int | None = None) -> list[list[float]]:
    """[x0, x1] of each value column, left to right: the x-extents of the number chunks; where
    those give fewer columns than the registry expects (a column printed all blank), the
    column titles in the header lines that stand over no numbers fill the gaps (titles over
    several columns — 法人或其他组织 — are group titles and left out)."""
    nums = [k for ln in body for k in ln if k.numeric and k.xc >= left]
    cols = x_components([(k.x0, k.x1) for k in nums])
    if expected is None or len(cols) >= expected:
        return cols
    titles = [k for ln in header for k in ln if k.xc >= left]
    free = [t for t in titles if not any(c[0] < t.x1 and t.x0 < c[1] for c in cols)]
    accepted: list[list[float]] = []  # narrowest first: a wide group title overlaps its columns
    for t in sorted(free, key=lambda k: k.x1 - k.x0):
        if not any(a[0] < t.x1 and t.x0 < a[1] for a in accepted):
            accepted.append([t.x0, t.x1])
    cols += accepted[: expected - len(cols)]
    return sorted(cols)


def label_starts(body: list[list[Chunk]], vleft: float, size: float) -> list[float]:
    """Left edges of the label columns (group, sub-group, row label), left to right: where a
    label chunk starts to the right of another on the same line (clustered within a type size)."""
    labels = [k for ln in body for k in ln if k.xc < vleft]
    if not labels:
        return []
    xs = [min(k.x0 for k in labels) - 1.0]
    seps = sorted(b.x0 - 1.0 for ln in body for a, b in zip(ln, ln[1:]) if b.xc < vleft)
    clusters: list[list[float]] = []
    for x in seps:
        if clusters and x - clusters[-1][0] <= size:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    xs += [min(c) for c in clusters if min(c) > xs[0] + size]
    return xs


def _label_groups(chunks: list[Chunk], size: float) -> list[list[Chunk]]:
    """Label chunks of one label column into labels: an enumeration starts one, the lines
    right under it (and under its last line) continue it."""
    out: list[list[Chunk]] = []
    for k in sorted(chunks, key=lambda k: (k.top, k.x0)):
        prev = out[-1][-1] if out else None
        if (prev is not None and not ENUMERATED.match(k.text) and k.top - prev.bottom < 0.6 * size
                and k.x0 < prev.x1 and prev.x0 < k.x1):
            out[-1].append(k)
        else:
            out.append([k])
    return out


@dataclass
class _Row:
    values: list[Chunk]  # the number chunks on the row (none: a row printed all blank)
    labels: dict[int, list[Chunk]]  # label column -> chunks

    def extent(self) -> tuple[float, float]:
        ks = self.values + [k for g in self.labels.values() for k in g]
        return min(k.top for k in ks), max(k.bottom for k in ks)

    @property
    def yc(self) -> float:
        t, b = self.extent()
        return (t + b) / 2


def _span(group: list[Chunk]) -> tuple[float, float]:
    return min(k.top for k in group), max(k.bottom for k in group)


def _rows(anchors: list[list[Chunk]], groups: list[tuple[int, list[Chunk]]], size: float) -> list[_Row]:
    """Rows from row labels and lines of numbers.

    A *row label* is a label with no other label to its right at its height (a group label —
    （三）不予公开 beside its eight sub-rows — has). Each row label is a row, joined with the line
    of numbers within its height (none: a row printed all blank); a line of numbers under no
    row label is a row of its own. Group labels then go to the row nearest their middle, as
    context."""
    def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return a[0] < b[1] - 0.3 * size and b[0] < a[1] - 0.3 * size

    spans = [(li, g, _span(g)) for li, g in groups]
    def near(a: tuple[float, float], b: tuple[float, float]) -> bool:  # a group label centred
        return a[0] - 0.6 * size < b[1] and b[0] < a[1] + 0.6 * size  # between two of its rows

    row_groups = [(li, g, sp) for li, g, sp in spans
                  if not any(lj > li and near(sp, sq) for lj, _, sq in spans)]
    rows: list[_Row] = []
    used: set[int] = set()
    for li, g, (top, bottom) in sorted(row_groups, key=lambda x: x[2][0]):
        inside = [i for i, a in enumerate(anchors) if i not in used and top - 0.5 * size <= a[0].yc <= bottom + 0.5 * size]
        mid = (top + bottom) / 2
        if inside:
            i = min(inside, key=lambda i: abs(anchors[i][0].yc - mid))
            used.add(i)
            rows.append(_Row(values=list(anchors[i]), labels={li: list(g)}))
        else:
            rows.append(_Row(values=[], labels={li: list(g)}))
    rows += [_Row(values=list(a), labels={}) for i, a in enumerate(anchors) if i not in used]
    rows.sort(key=lambda r: r.yc)
    for li, g, sp in spans:
        if any(g is grp for _, grp, _ in row_groups):
            continue
        near = [r for r in rows if overlaps(sp, r.extent())]
        if near:
            row = min(near, key=lambda r: abs(r.yc - (sp[0] + sp[1]) / 2))
            row.labels.setdefault(li, []).extend(g)
    return rows


def _bands(rows: list[_Row]) -> list[tuple[float, float]]:
    """Each row's (top, bottom): its own text's extent, split halfway where neighbours meet."""
    ext = [r.extent() for r in rows]
    out = []
    for i, (top, bottom) in enumerate(ext):
        t = top if i == 0 else (ext[i - 1][1] + top) / 2 if ext[i - 1][1] <= top else (rows[i - 1].yc + rows[i].yc) / 2
        b = bottom if i == len(ext) - 1 else (bottom + ext[i + 1][0]) / 2 if bottom <= ext[i + 1][0] else (rows[i].yc + rows[i + 1].yc) / 2
        out.append((t, b))
    return out


def _columns_under(k: Chunk, edges: list[float]) -> tuple[int, int] | None:
    """The grid columns a header chunk stands over: those it overlaps by more than a quarter of
    the narrower of the two (a title over several columns — 法人或其他组织 — spans them)."""
    over = [i for i in range(len(edges) - 1)
            if min(k.x1, edges[i + 1]) - max(k.x0, edges[i]) > 0.25 * min(k.x1 - k.x0, edges[i + 1] - edges[i])]
    return (over[0], over[-1]) if over else None


WRAP_FIT = 1.25  # a title line at most this × its columns' width can wrap on to the line below
TITLE_GAP = 0.3  # × type size: a header chunk parts here when the two sides stand over different columns


def _column_of(x: float, edges: list[float]) -> int:
    return max(0, min(len(edges) - 2, sum(1 for e in edges[1:-1] if e <= x)))


def split_titles(k: Chunk, edges: list[float]) -> list[Chunk]:
    """A header chunk cut where two titles of neighbouring columns run together on a line (narrow
    columns leave less than ``text_blocks.GAP`` between them: 结果维 结果纠): at a gap wider than
    ``TITLE_GAP`` whose two sides sit over different columns. A group title (法人或其他组织) has no
    such gap inside it and stays whole."""
    size = max(k.bottom - k.top, 1.0)
    parts: list[list[dict]] = [[k.chars[0]]] if k.chars else []
    for prev, ch in zip(k.chars, k.chars[1:]):
        gap = ch["x0"] - prev["x1"]
        if gap > TITLE_GAP * size and _column_of((prev["x0"] + prev["x1"]) / 2, edges) != _column_of((ch["x0"] + ch["x1"]) / 2, edges):
            parts.append([ch])
        else:
            parts[-1].append(ch)
    if len(parts) <= 1:
        return [k]
    return [Chunk("".join(c["text"] for c in p), min(c["x0"] for c in p), max(c["x1"] for c in p),
                  min(c["top"] for c in p), max(c["bottom"] for c in p), p) for p in parts]


def _is_title(text: str) -> bool:
    """A whole column title of the format (上一年项目数量): a title of its own, never the next line
    of the title above it (a heading over the block, 第二十条第（八）项)."""
    from extractor.mapping.active import COLUMNS
    from extractor.mapping.titles import match_column
    from models.fields import APPLICANT_COLUMNS, LITIGATION_COLUMNS

    columns = COLUMNS + [("", c) for c in (*APPLICANT_COLUMNS, *LITIGATION_COLUMNS)]
    key, score, _ = match_column(text, columns)
    return key is not None and score >= 0.8


def _title_above(cells: list[Cell], c0: int, c1: int) -> Cell | None:
    """The lowest header cell so far over any of columns c0..c1, when it covers exactly them."""
    over = [c for c in cells if c.col <= c1 and c0 <= c.col + c.col_span - 1]
    if not over:
        return None
    low = max(over, key=lambda c: (c.bbox.bottom, c.row))
    return low if (low.col, low.col + low.col_span - 1) == (c0, c1) else None


def header_cells(header: list[list[Chunk]], edges: list[float], page: int, first_value: int = 0) -> list[Cell]:
    """The header lines as header rows, one per printed line, each chunk a cell over the columns it
    stands over (``_columns_under``): the same shape a ruled header gives, so the mapping finds
    each column's title above it (a title wrapped over two lines is two stacked cells of the
    same columns, read together by ``titles.stacked_texts``; table 二's 信息内容 row keeps its
    titles in the row of the label cell). A title line as narrow as its columns (``WRAP_FIT``) takes
    the fragment under it over the same columns as its next line (商业企 / 业), even with a line of
    another column's title between; label-column text (信息内容) is never joined so. Lines with no
    chunk over the grid are left out."""
    out: list[Cell] = []
    row = 0
    # the first value column's left edge is its numbers' (no neighbour to halve the gap with): widths
    # are judged against the usual value column's too
    usual = median([b - a for a, b in zip(edges[first_value:], edges[first_value + 1:])] or [0.0])
    for line in sorted(header, key=lambda ln: min(k.top for k in ln)):
        by_span: dict[tuple[int, int], list[Chunk]] = {}
        for k in sorted((p for k in line for p in split_titles(k, edges)), key=lambda k: k.x0):
            span = _columns_under(k, edges)
            if span is not None:
                by_span.setdefault(span, []).append(k)
        if not by_span:
            continue
        spans = sorted(by_span)
        if any(a <= d and c <= b for i, (a, b) in enumerate(spans) for (c, d) in spans[i + 1:]):
            # titles wider than their columns claim their neighbours': each over the column under its centre
            merged: dict[tuple[int, int], list[Chunk]] = {}
            for ks in by_span.values():
                for k in ks:
                    c = _column_of(k.xc, edges)
                    merged.setdefault((c, c), []).append(k)
            by_span, spans = merged, sorted(merged)
        if not any(a <= d and c <= b for i, (a, b) in enumerate(spans) for (c, d) in spans[i + 1:]):
            for (c0, c1), ks in by_span.items():
                text = "".join(k.text for k in ks)
                box = BBox(x0=min(k.x0 for k in ks), top=min(k.top for k in ks),
                           x1=max(k.x1 for k in ks), bottom=max(k.bottom for k in ks))
                above = _title_above(out, c0, c1)
                fits = (above is not None and c0 >= first_value
                        and above.bbox.x1 - above.bbox.x0 <= WRAP_FIT * max(edges[c1 + 1] - edges[c0], usual * (c1 - c0 + 1)))
                if fits and box.top - above.bbox.bottom < 0.8 * (box.bottom - box.top) and not _is_title(text):
                    # the title's next line (商业企 / 业), a line of another column's title between
                    above.text += text
                    above.row_span = row - above.row + 1
                    above.bbox = BBox(x0=min(above.bbox.x0, box.x0), top=above.bbox.top,
                                      x1=max(above.bbox.x1, box.x1), bottom=box.bottom)
                    continue
                out.append(Cell(row=row, col=c0, col_span=c1 - c0 + 1, page=page, text=text, bbox=box))
            row += 1
            continue
        ks = sorted(line, key=lambda k: k.x0)  # one cell across the grid, as before: no titles to map
        out.append(Cell(row=row, col=0, col_span=len(edges) - 1, page=page, text="".join(k.text for k in ks),
                        bbox=BBox(x0=edges[0], top=min(k.top for k in ks), x1=edges[-1], bottom=max(k.bottom for k in ks))))
        row += 1
    return out


def _group_titles() -> set[str]:
    from models.fields import LITIGATION_GROUPS

    return {g.label for g in LITIGATION_GROUPS} | {g.group for g in LITIGATION_GROUPS if g.group}


def widen_group_titles(cells: list[Cell], first: int, n_cols: int) -> None:
    """Table 四's group titles (行政复议, 行政诉讼, 未经复议直接起诉, 复议后起诉 — the registry's
    ``LITIGATION_GROUPS``), printed centred over their columns with no rule to bound them, made to
    span those columns: each grows evenly on both sides, highest line first, while it stays inside
    the value columns and nests with (or stays clear of) every group title already widened. The
    mapping then finds each value column's group above it, as in a ruled header."""
    from extractor.mapping.labels import similarity

    names = _group_titles()
    groups = sorted((c for c in cells if c.text and max(similarity(c.text, n) for n in names) >= 0.8),
                    key=lambda c: c.row)
    done: list[tuple[int, int]] = []

    def clean(a: int, b: int) -> bool:
        return all(b < x or y < a or (x <= a and b <= y) or (a <= x and y <= b) for x, y in done)

    for c in groups:
        a, b = c.col, c.col + c.col_span - 1
        while a - 1 >= first and b + 1 < n_cols and clean(a - 1, b + 1):
            a, b = a - 1, b + 1
        if clean(a, b):
            c.col, c.col_span = a, b - a + 1
            done.append((a, b))


def build_grid(header: list[list[Chunk]], body: list[list[Chunk]], left: float, page: int) -> tuple[Grid, list[dict]] | None:
    """One sub-table's grid and the characters it took, or None when it has no rows of numbers."""
    expected = expected_columns(header, body)
    if expected is None:
        return None  # no table the registry knows (prose beside a page number, a contact line)
    cols = value_columns(header, body, left, expected)
    if not cols:
        return None
    vleft = cols[0][0] - 1.0
    anchors: list[list[Chunk]] = []  # number chunks of each row
    for k in sorted((k for ln in body for k in ln if k.numeric and k.xc >= vleft), key=lambda k: k.yc):
        if anchors and k.yc - anchors[-1][0].yc <= 0.5 * (k.bottom - k.top):
            anchors[-1].append(k)
        else:
            anchors.append([k])
    if not anchors:
        return None
    size = median([k.bottom - k.top for a in anchors for k in a])
    labels = [k for ln in body for k in ln if k.xc < vleft]
    starts = label_starts(body, vleft, size)
    label_cols = [[x, x] for x in starts] if labels else []

    def label_col(k: Chunk) -> int:
        return max(0, sum(1 for x in starts if x <= k.x0 + 1.0) - 1)

    n_label = len(label_cols)
    rows = _rows(anchors, [(li, g) for li in range(n_label)
                           for g in _label_groups([k for k in labels if label_col(k) == li], size)], size)
    if not rows:
        return None
    bands = _bands(rows)
    edges = [min(k.x0 for k in labels) - 1.0] + starts[1:] if labels else []
    edges.append(vleft if labels else cols[0][0] - 1.0)
    for (a0, a1), (b0, b1) in zip(cols, cols[1:]):
        edges.append((a1 + b0) / 2)
    edges.append(cols[-1][1] + 1.0)
    cells: list[Cell] = []
    taken: list[dict] = []
    head_top = min((k.top for ln in header for k in ln), default=bands[0][0])
    row0 = 0
    if header:
        head_cells = header_cells(header, edges, page, n_label)
        widen_group_titles(head_cells, n_label, len(edges) - 1)
        cells += head_cells
        taken += [c for ln in header for k in ln for c in k.chars]
        row0 = 1 + max((c.row + c.row_span - 1 for c in head_cells), default=-1)
    for r, (t, b) in enumerate(bands):
        for li in range(n_label):
            group = rows[r].labels.get(li, [])
            text = "".join(k.text for k in sorted(group, key=lambda k: (k.top, k.x0)))
            taken += [c for k in group for c in k.chars]
            cells.append(Cell(row=row0 + r, col=li, page=page, text=text,
                              bbox=BBox(x0=edges[li], top=t, x1=edges[li + 1], bottom=b)))
        for ci in range(len(cols)):
            x0, x1 = edges[n_label + ci], edges[n_label + ci + 1]
            here = [k for k in rows[r].values if x0 <= k.xc < x1]
            taken += [c for k in here for c in k.chars]
            if here:  # a number's cell is as wide as its text: the stitcher re-columns by it
                x0, x1 = min(k.x0 for k in here), max(k.x1 for k in here)
            cells.append(Cell(row=row0 + r, col=n_label + ci, page=page, text="".join(k.text for k in here),
                              bbox=BBox(x0=x0, top=t, x1=x1, bottom=b)))
    grid = Grid(cells=cells, n_rows=row0 + len(bands), n_cols=len(edges) - 1, pages=[page],
                bbox=BBox(x0=edges[0], top=head_top if header else bands[0][0], x1=edges[-1], bottom=bands[-1][1]),
                col_edges=edges)
    prior = INFERRED_TEXT if len(cols) == expected else MISSHAPEN
    for c in cells:
        c.structure = prior
    return grid, taken


def is_text_grid(grid: Grid) -> bool:
    """A grid this builder made (its cells' structure is capped at ``INFERRED_TEXT``)."""
    return bool(grid.cells) and max(c.structure for c in grid.cells) <= INFERRED_TEXT


def fill_blank_columns(grid: Grid, first_value_col: int) -> None:
    """Blank cells where a row has none, from ``first_value_col`` on: a part of a text grid
    whose page printed a column all blank has no cell there until it is laid onto the columns
    of the part above it."""
    edges = grid.col_edges
    covered: dict[int, set[int]] = {}
    rows: dict[int, Cell] = {}
    header: set[int] = set()
    for c in grid.cells:
        for r in range(c.row, c.row + c.row_span):
            covered.setdefault(r, set()).update(range(c.col, c.col + c.col_span))
            rows.setdefault(r, c)
            if c.col_span > 1 and c.col + c.col_span > first_value_col:
                header.add(r)  # a title across the value columns
    for r, ref in rows.items():
        if r in header:
            continue
        for k in range(first_value_col, grid.n_cols):
            if k not in covered[r]:
                grid.cells.append(Cell(row=r, col=k, page=ref.page, text="", structure=ref.structure,
                                       bbox=BBox(x0=edges[k], top=ref.bbox.top, x1=edges[k + 1], bottom=ref.bbox.bottom)))
    grid._by_row = None


def text_grids(lines: list[list[dict]], page: int, width: float) -> tuple[list[Grid], set[int]]:
    """Grids of the rule-less tables among ``lines`` (characters grouped by line, left to
    right), and the ``id`` of every character they took."""
    chunked = [chunks_of(ln) for ln in lines if ln]
    if not any(sum(1 for k in ln if k.numeric) >= 1 and len(ln) >= 2 for ln in chunked):
        return [], set()
    grids: list[Grid] = []
    taken: set[int] = set()
    for block in blocks(chunked, width):
        words = "".join(k.text for ln in block for k in ln)
        if "行政复议" in words and ("复议后起诉" in words or "未经复议" in words):
            left = min(k.x0 for ln in block for k in ln) - 1.0  # table 四: values across its width
        else:
            left = value_left(block)
        if left is None:
            continue
        for header, body in sub_tables(block, left):
            built = build_grid(header, body, left, page)
            if built is None:
                continue
            grid, chars = built
            if grid.n_cols >= 2:
                grids.append(grid)
                taken |= {id(c) for c in chars}
    return grids, taken
