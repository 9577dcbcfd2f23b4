"""Read a text-layer page: its tables as grids and the rest as text lines.

Grids come from two builders behind one ``models.page.Grid``: the page's rules of any drawing
merged into edges (``grid.edges``; a missing outer border inferred and carried in the cells'
``structure``) and pdfplumber's table finder on them; then, for the text no ruled grid took
(tables with no rules, or rules between columns only), the text-alignment builder
(``grid.text_grid``).

Characters, not words, are put into cells: a word pdfplumber would glue across a rule, a
number split into two words, and vertical text one character per line all come out right
when each character goes to the cell holding its centre.
"""

from __future__ import annotations

from bisect import bisect_right

from extractor.grid.cells import cell_index, grid_from_boxes
from extractor.grid.edges import Edge, as_lines, close_frames, is_white, merge_edges, rule_pieces  # noqa: F401
from extractor.io import PageSource
from extractor.settings import Settings
from models.extraction import BBox
from models.page import Cell, Grid, PageContent, PageKind, TextLine

INFERRED_FRAME = 0.7  # structure of cells in a grid whose outer border was not drawn
OVERSIZE = 2.5  # × the page's median character height: not table text


def ruling_objects(pp) -> list[dict]:  # pp: a TextLayer (or anything with lines and rects)
    """The visible rules of a page, any drawing merged into edges, as pdfplumber line objects
    (outer borders the producer left out included: see ``page_rules``)."""
    return as_lines(page_rules(pp)[0])


def page_rules(pp) -> tuple[list[Edge], list[Edge]]:
    """(every rule edge, the inferred ones among them) of a text-layer page.

    Rules of any drawing are merged (``grid.edges``); where vertical rules stop without a
    horizontal one (a table cut by a page break) the closing rule is added as drawn; then each
    skeleton still open on a side gets that side as an inferred edge.
    """
    edges = merge_edges(rule_pieces(pp.lines, pp.rects))
    drawn_rows = any(e.orient == "h" for e in edges)
    ends = [Edge("h", ln["top"], ln["x0"], ln["x1"], inferred=not drawn_rows)
            for ln in close_open_ends(as_lines(edges))]  # with no drawn row rule, a guess
    edges += ends
    inferred = [e for e in ends if e.inferred] + close_frames(edges)
    return edges + [e for e in inferred if e not in ends], inferred


def close_open_ends(rules: list[dict], tolerance: float = 2.0) -> list[dict]:
    """Horizontal rules where vertical rules stop without one: a table cut by a page break.

    Word draws no bottom rule on the part of a table before a page break (nor a top rule on
    the part after it); without one the last row's cells never close.
    """
    verticals = [r for r in rules if r["x1"] - r["x0"] <= tolerance and r["bottom"] - r["top"] > tolerance]
    horizontals = [r for r in rules if r["bottom"] - r["top"] <= tolerance and r["x1"] - r["x0"] > tolerance]

    by_y: dict[int, list[dict]] = {}  # horizontals by the y bucket they sit in, for quick lookups
    for h in horizontals:
        by_y.setdefault(round((h["top"] + h["bottom"]) / 2 / tolerance), []).append(h)

    def covered(x: float, y: float) -> bool:
        key = round(y / tolerance)
        return any(
            abs((h["top"] + h["bottom"]) / 2 - y) <= tolerance and h["x0"] - tolerance <= x <= h["x1"] + tolerance
            for k in (key - 1, key, key + 1)
            for h in by_y.get(k, ())
        )

    ends: dict[tuple[str, int], list[float]] = {}
    for v in verticals:
        x = (v["x0"] + v["x1"]) / 2
        for side in ("top", "bottom"):
            y = v[side]
            if not covered(x, y):
                ends.setdefault((side, round(y / tolerance)), []).append(x)
    out: list[dict] = []
    for (side, key), xs in ends.items():
        if len(xs) < 2:
            continue
        y = key * tolerance
        out.append({"x0": min(xs), "x1": max(xs), "top": y, "bottom": y, "width": max(xs) - min(xs), "height": 0.0,
                    "object_type": "line"})
    return out


def find_tables(settings: Settings, rules: list[dict]) -> list:
    """pdfplumber's table finder (edges → intersections → cells → tables) on explicit rules."""
    from pdfplumber.table import TableFinder

    return TableFinder(None, table_settings(settings, rules)).tables


def table_settings(settings: Settings, rules: list[dict]) -> dict:
    return {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": rules,
        "explicit_horizontal_lines": rules,
        "snap_tolerance": settings.snap_tolerance,
        "join_tolerance": settings.join_tolerance,
        "intersection_tolerance": settings.intersection_tolerance,
    }


def read_text_page(page: PageSource, settings: Settings) -> PageContent:
    layer = page.text_layer()
    chars = [c for c in layer.chars if not c["text"].isspace()]
    grids: list[Grid] = []
    edges, inferred = page_rules(layer)
    tables = find_tables(settings, as_lines(edges)) if len(edges) >= 4 else []
    priors: list[float] = []
    for table in tables:
        grid = grid_from_boxes([tuple(c) for c in table.cells], page.number)
        if grid.n_cols >= 2 and grid.n_rows >= 1:
            grids.append(grid)
            priors.append(INFERRED_FRAME if _on_frame(grid, inferred) else 1.0)
    open_rows: set[int] = set()
    loose = fill_grids(grids, chars, priors, open_rows)
    mark_unread(grids, getattr(layer, "unread_points", []))
    if open_rows:  # rules between columns only: the cells hold whole columns; read by alignment
        loose += [ch for gi in open_rows for ch in _grid_chars(grids[gi], chars)]
        grids = [g for gi, g in enumerate(grids) if gi not in open_rows]
    grids = [g for g in grids if any(c.text.strip() for c in g.cells)]  # a frame round nothing
    if loose:  # tables with no rules (or too few to close a cell): from the text's alignment
        from extractor.grid.text_grid import text_grids

        found, taken = text_grids(group_lines(loose), page.number, page.width)
        if found:
            grids.extend(found)
            loose = [c for c in loose if id(c) not in taken]
    return PageContent(
        number=page.number, width=page.width, height=page.height, kind=PageKind.TEXT,
        lines=text_lines(loose, page.number), grids=grids,
    )


def _on_frame(grid: Grid, inferred: list[Edge], tol: float = 3.0) -> bool:
    """An inferred edge lies on the grid's outer border: its extent was guessed, not drawn."""
    b = grid.bbox
    if b is None:
        return False
    for e in inferred:
        if e.orient == "h" and b.x0 - tol <= e.start and e.end <= b.x1 + tol and (
                abs(e.pos - b.top) <= tol or abs(e.pos - b.bottom) <= tol):
            return True
        if e.orient == "v" and b.top - tol <= e.start and e.end <= b.bottom + tol and (
                abs(e.pos - b.x0) <= tol or abs(e.pos - b.x1) <= tol):
            return True
    return False


def _grid_chars(grid: Grid, chars: list[dict]) -> list[dict]:
    b = grid.bbox
    return [ch for ch in chars if b.x0 <= (ch["x0"] + ch["x1"]) / 2 <= b.x1 and b.top <= (ch["top"] + ch["bottom"]) / 2 <= b.bottom]


def stacked_numbers(lines: list[list[dict]]) -> bool:
    """A cell whose lines are rows with no rule between them: a line that is a number alone
    under or over another line (a title over its value, a column of values), or two lines
    each with a number standing apart. A ruled value cell holds one number (maybe wrapped);
    a label no line that is only a number. A label printed a character or a few a line (a group
    label in a narrow column: （|四|）|无|法|提|供 or (四)|无|法|提|供) is text, though 四 and 无 alone
    read as numbers: no digit in it, and most of its lines no number."""
    from extractor.grid.text_grid import chunks_of
    from extractor.mapping.numbers import looks_numeric

    texts = ["".join(c["text"] for c in ln) for ln in lines]
    if (all(len(t) <= 3 for t in texts) and not any(ch.isdigit() for t in texts for ch in t)
            and 2 * sum(not looks_numeric(t) for t in texts) > len(texts)):
        return False
    size = max(max(c["bottom"] - c["top"] for c in ln) for ln in lines)
    tight = all(min(c["top"] for c in b) - max(c["bottom"] for c in a) < 0.6 * size for a, b in zip(lines, lines[1:]))
    if tight and looks_numeric("".join(c["text"] for ln in lines for c in ln)):
        return False  # one number wrapped in a narrow cell (10 / 52): its lines close together
    chunked = [chunks_of(ln) for ln in lines]
    alone = sum(1 for ks in chunked if len(ks) == 1 and ks[0].numeric)
    apart = sum(1 for ks in chunked if any(k.numeric for k in ks))
    return (alone >= 1 and len(lines) >= 2) or apart >= 2


UNREAD_CONFIDENCE = 0.0  # an empty cell over text the reader could not decode: not known to be empty


def mark_unread(grids: list[Grid], points: list[tuple[float, float]], pad: float = 2.0) -> None:
    """Cells that hold a text object no reader decoded (``TextLayer.unread_points``, (x, top) in
    points) are not positively empty: their confidence drops to ``UNREAD_CONFIDENCE`` so that an
    empty reading is never taken for a printed zero (mapping: ``numbers.EMPTY_SURE``)."""
    for x, top in points:
        for grid in grids:
            for cell in grid.cells:
                b = cell.bbox
                if b.x0 - pad <= x <= b.x1 + pad and b.top - pad <= top <= b.bottom + pad:
                    cell.confidence = min(cell.confidence, UNREAD_CONFIDENCE)


def fill_grids(grids: list[Grid], chars: list[dict], priors: list[float] | None = None,
               open_rows: set[int] | None = None) -> list[dict]:
    """Put each character into the cell under its centre; return those in no table.

    ``priors`` (one per grid, 0–1) caps each cell's ``structure``: a grid whose border was
    inferred, or built from text alignment, is less certain than one drawn in full.
    Characters far larger than the page's usual type (``OVERSIZE`` ×: a watermark printed
    upright and dark) never enter a cell. The index of a grid with a cell of stacked numbers
    (``stacked_numbers``: no rules between its rows) is added to ``open_rows``.
    """
    indexes = [(g, *cell_index(g)) for g in grids]
    per_cell: dict[tuple[int, int], list[dict]] = {}
    loose: list[dict] = []
    heights = sorted(ch["bottom"] - ch["top"] for ch in chars) if grids else []
    too_big = OVERSIZE * heights[len(heights) // 2] if heights else float("inf")
    for ch in chars:
        if ch["bottom"] - ch["top"] > too_big:
            loose.append(ch)
            continue
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        for gi, (grid, ys, xs, table) in enumerate(indexes):
            if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]):
                continue
            r = min(max(bisect_right(ys, cy) - 1, 0), grid.n_rows - 1)
            k = min(max(bisect_right(xs, cx) - 1, 0), grid.n_cols - 1)
            ci = table[r][k]
            if ci >= 0:
                per_cell.setdefault((gi, ci), []).append(ch)
                break
        else:
            loose.append(ch)
    for (gi, ci), cell_chars in per_cell.items():
        cell = indexes[gi][0].cells[ci]
        lines = group_lines(cell_chars)
        cell.text = join_lines(lines)
        if open_rows is not None and len(lines) >= 2 and stacked_numbers(lines):
            open_rows.add(gi)
        cell.structure = structure_score(cell, cell_chars)
    for gi, (grid, *_rest) in enumerate(indexes):
        prior = priors[gi] if priors else 1.0
        if prior < 1.0:
            for cell in grid.cells:
                cell.structure = min(cell.structure, prior)
    return loose


def structure_score(cell: Cell, chars: list[dict]) -> float:
    """1.0 when every character lies inside the cell; less when some straddle its rules."""
    b = cell.bbox
    out = 0.0
    for ch in chars:
        w = max(ch["x1"] - ch["x0"], 1e-6)
        overhang = max(0.0, b.x0 - ch["x0"]) + max(0.0, ch["x1"] - b.x1)
        out = max(out, overhang / w)
    return round(1.0 - min(out, 1.0) * 0.5, 3)


def group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters into lines: top to bottom, each left to right."""
    lines: list[list[dict]] = []
    current_top = None
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        size = max(ch["bottom"] - ch["top"], 1.0)
        if current_top is None or ch["top"] - current_top > 0.5 * size:
            lines.append([ch])
            current_top = ch["top"]
        else:
            lines[-1].append(ch)
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def join_lines(lines: list[list[dict]]) -> str:
    """A cell's text: its lines joined without breaks (Chinese labels wrap mid-word)."""
    return "".join(line_text(line) for line in lines)


def line_text(line: list[dict]) -> str:
    """Characters of one line; a space where a gap is wider than half a character."""
    out: list[str] = []
    prev = None
    for ch in line:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = max(prev["x1"] - prev["x0"], ch["x1"] - ch["x0"], 1.0)
            if gap > 0.6 * size and (_is_ascii_alnum(prev["text"]) and _is_ascii_alnum(ch["text"])):
                out.append(" ")
        out.append(ch["text"])
        prev = ch
    return "".join(out)


def _is_ascii_alnum(s: str) -> bool:
    return s.isascii() and s.isalnum()


def text_lines(chars: list[dict], page: int) -> list[TextLine]:
    out: list[TextLine] = []
    for line in group_lines(chars):
        bbox = BBox(
            x0=min(c["x0"] for c in line), top=min(c["top"] for c in line),
            x1=max(c["x1"] for c in line), bottom=max(c["bottom"] for c in line),
        )
        size = max(c.get("size", 0.0) for c in line)
        out.append(TextLine(text=line_text(line), bbox=bbox, page=page, size=size))
    return out
