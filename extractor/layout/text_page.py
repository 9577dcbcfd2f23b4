"""Read a text-layer page: its tables as grids (from ruling lines) and the rest as text lines.

Characters, not words, are put into cells: a word pdfplumber would glue across a rule, a
number split into two words, and vertical text one character per line all come out right
when each character goes to the cell holding its centre.
"""

from __future__ import annotations

from bisect import bisect_right

from extractor.grid.cells import cell_index, grid_from_boxes
from extractor.io import PageSource
from extractor.settings import Settings
from models.extraction import BBox
from models.page import Cell, Grid, PageContent, PageKind, TextLine


def is_white(color) -> bool:
    """Gray 1, RGB (1, 1, 1) or CMYK (0, 0, 0, 0): an invisible fill on a white page."""
    values = color if isinstance(color, (tuple, list)) else (color,)
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False
    if len(values) == 4:
        return all(v <= 0.03 for v in values)
    return all(v >= 0.97 for v in values)


def ruling_objects(pp) -> list[dict]:  # pp: a TextLayer (or anything with lines and rects)
    """The visible rules of a page: lines, stroked rectangles, thin dark filled rectangles.

    Word and WPS put white filled rectangles behind text and shade header cells; those are not
    rules, and taking them as rules turns paragraphs into one-column "tables".
    """
    out: list[dict] = list(pp.lines)
    for r in pp.rects:
        thin = min(r["width"], r["height"]) <= 2.0
        if r.get("stroke") and not is_white(r.get("stroking_color")):
            out.append(r)
        elif r.get("fill") and thin and not is_white(r.get("non_stroking_color")):
            out.append(r)
    return out + close_open_ends(out)


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
    rules = ruling_objects(layer)
    tables = find_tables(settings, rules) if len(rules) >= 4 else []
    for table in tables:
        grid = grid_from_boxes([tuple(c) for c in table.cells], page.number)
        if grid.n_cols >= 2 and grid.n_rows >= 1:
            grids.append(grid)
    loose = fill_grids(grids, chars)
    return PageContent(
        number=page.number, width=page.width, height=page.height, kind=PageKind.TEXT,
        lines=text_lines(loose, page.number), grids=grids,
    )


def fill_grids(grids: list[Grid], chars: list[dict]) -> list[dict]:
    """Put each character into the cell under its centre; return those in no table."""
    indexes = [(g, *cell_index(g)) for g in grids]
    per_cell: dict[tuple[int, int], list[dict]] = {}
    loose: list[dict] = []
    for ch in chars:
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
        cell.text = join_lines(group_lines(cell_chars))
        cell.structure = structure_score(cell, cell_chars)
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
