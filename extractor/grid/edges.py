"""Table rules of any drawing merged into edges: the first step of the vector-rule grid builder.

Producers draw the same rule in many ways: a stroked line, a thin filled rectangle, the four
sides of a stroked cell rectangle, a chain of tiny filled rectangles touching end to end
(3 × 0.6 pt pieces, some converters), a dashed or a dotted line. Each drawing is reduced to
axis-parallel pieces (``Edge``: an orientation, a position across it, a span along it, all in
PDF points from the page's top-left), then pieces on one line whose gaps are small are merged
into one edge. Pieces that stay short (an isolated dot, a glyph-sized mark) are dropped.

``close_frames`` then gives every table skeleton its outer border where the producer drew none
(rules inside the table only): the border is the bounding box of the connected rules. Those
added sides are ``inferred``; the grid built on them says so in its cells' ``structure``.

Pure functions over plain dicts (``TextLayer.lines`` / ``rects``, pdfplumber's keys).
"""

from __future__ import annotations

from dataclasses import dataclass

THIN = 2.0  # points: a filled rectangle no thicker than this is a rule (or a piece of one)
MERGE_GAP = 4.0  # points: pieces on one line this close are one edge (dashes, dots, rect runs)
SNAP = 1.5  # points: pieces this close across the line are on one line
MIN_EDGE = 6.0  # points: a merged edge shorter than this is a mark, not a rule


@dataclass(slots=True)
class Edge:
    """One straight rule. ``orient`` 'h' (``pos`` = y, span in x) or 'v' (``pos`` = x, span in y)."""

    orient: str
    pos: float
    start: float
    end: float
    inferred: bool = False  # added where the drawing had no rule (a missing outer border)

    @property
    def length(self) -> float:
        return self.end - self.start


def is_white(color) -> bool:
    """Gray 1, RGB (1, 1, 1) or CMYK (0, 0, 0, 0): an invisible fill on a white page."""
    values = color if isinstance(color, (tuple, list)) else (color,)
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False
    if len(values) == 4:
        return all(v <= 0.03 for v in values)
    return all(v >= 0.97 for v in values)


def rule_pieces(lines: list[dict], rects: list[dict]) -> list[Edge]:
    """Every axis-parallel piece of rule drawn on a page, before merging.

    Lines give themselves; stroked rectangles their four sides (a thin one its centre line);
    thin dark filled rectangles their centre line along the long side; tiny filled squares
    (dots, the corners of a rectangle run) a piece in each direction, kept only if they chain.
    White fills and broad fills (shading behind text) are not rules.
    """
    out: list[Edge] = []
    dots: list[tuple[float, float, float, float]] = []
    for ln in lines:
        w, h = ln["x1"] - ln["x0"], ln["bottom"] - ln["top"]
        if h <= THIN and w > h:
            out.append(Edge("h", (ln["top"] + ln["bottom"]) / 2, ln["x0"], ln["x1"]))
        elif w <= THIN and h > w:
            out.append(Edge("v", (ln["x0"] + ln["x1"]) / 2, ln["top"], ln["bottom"]))
    for r in rects:
        x0, x1, top, bottom = r["x0"], r["x1"], r["top"], r["bottom"]
        w, h = x1 - x0, bottom - top
        stroked = bool(r.get("stroke")) and not is_white(r.get("stroking_color"))
        filled = bool(r.get("fill")) and not is_white(r.get("non_stroking_color"))
        thin = min(w, h) <= THIN
        if max(w, h) <= THIN and (stroked or filled):
            dots.append((x0, top, x1, bottom))  # a dot, or the corner piece of a rectangle run
        elif thin and (stroked or filled):
            if w >= h:
                out.append(Edge("h", (top + bottom) / 2, x0, x1))
            if h >= w:
                out.append(Edge("v", (x0 + x1) / 2, top, bottom))
        elif stroked:
            out += [Edge("h", top, x0, x1), Edge("h", bottom, x0, x1), Edge("v", x0, top, bottom),
                    Edge("v", x1, top, bottom)]
    return out + dot_chains(dots)


def dot_chains(dots: list[tuple[float, float, float, float]], gap: float = MERGE_GAP,
               snap: float = SNAP) -> list[Edge]:
    """Rows and columns of dots (``(x0, top, x1, bottom)``, each at most ``THIN`` across) spaced
    at most ``gap`` apart, as pieces of rule. A dot is a piece only as part of a chain of three:
    the dots of a vertical dotted rule are not horizontal rules one dot long."""
    out: list[Edge] = []
    for orient in ("h", "v"):
        # (across, along-start, along-end) of each dot
        keyed = sorted(((t + b) / 2, x0, x1) if orient == "h" else ((x0 + x1) / 2, t, b) for x0, t, x1, b in dots)
        rows: list[list[tuple[float, float, float]]] = []
        for d in keyed:
            if rows and d[0] - rows[-1][0][0] <= snap:
                rows[-1].append(d)
            else:
                rows.append([d])
        for row in rows:
            row.sort(key=lambda d: d[1])
            chain = [row[0]]
            for d in row[1:] + [None]:
                if d is not None and d[1] - chain[-1][2] <= gap:
                    chain.append(d)
                    continue
                if len(chain) >= 3:
                    pos = sum(c[0] for c in chain) / len(chain)
                    out.append(Edge(orient, pos, chain[0][1], max(c[2] for c in chain)))
                if d is not None:
                    chain = [d]
    return out


def merge_edges(pieces: list[Edge], snap: float = SNAP, gap: float = MERGE_GAP,
                min_length: float = MIN_EDGE) -> list[Edge]:
    """Pieces on one line (positions within ``snap``) joined where they overlap or their gap is
    at most ``gap``; the result's position is the mean of its pieces'. Short edges dropped."""
    out: list[Edge] = []
    for orient in ("h", "v"):
        same = sorted((e for e in pieces if e.orient == orient), key=lambda e: e.pos)
        lines: list[list[Edge]] = []
        for e in same:
            if lines and e.pos - lines[-1][0].pos <= snap:
                lines[-1].append(e)
            else:
                lines.append([e])
        for group in lines:
            pos = sum(e.pos for e in group) / len(group)
            run: Edge | None = None
            for e in sorted(group, key=lambda e: e.start):
                if run is not None and e.start <= run.end + gap:
                    run.end = max(run.end, e.end)
                    run.inferred = run.inferred and e.inferred
                else:
                    if run is not None:
                        out.append(run)
                    run = Edge(orient, pos, e.start, e.end, e.inferred)
            if run is not None:
                out.append(run)
    return [e for e in out if e.length >= min_length]


def _touch(h: Edge, v: Edge, tol: float) -> bool:
    return h.start - tol <= v.pos <= h.end + tol and v.start - tol <= h.pos <= v.end + tol


STACK_GAP = 30.0  # points: full-width rules this close, same ends, are rows of one table


def components(edges: list[Edge], tol: float = 3.0) -> list[list[Edge]]:
    """Edges grouped into table skeletons: a horizontal and a vertical that cross or touch, and
    horizontals with the same ends stacked less than ``STACK_GAP`` apart (the rows of a table
    whose column rule is broken by a full-width row)."""
    parent = list(range(len(edges)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, e in enumerate(edges) if e.orient == "h"]
    vs = [i for i, e in enumerate(edges) if e.orient == "v"]
    for i in hs:
        for j in vs:
            if _touch(edges[i], edges[j], tol):
                parent[find(i)] = find(j)
    hs.sort(key=lambda i: edges[i].pos)
    verticals = [edges[j] for j in vs]
    for a, b in zip(hs, hs[1:]):
        ea, eb = edges[a], edges[b]
        if (eb.pos - ea.pos <= STACK_GAP and abs(ea.start - eb.start) <= tol and abs(ea.end - eb.end) <= tol
                and not _boxed_apart(ea, eb, verticals, tol)):
            parent[find(a)] = find(b)
    groups: dict[int, list[Edge]] = {}
    for i, e in enumerate(edges):
        groups.setdefault(find(i), []).append(e)
    return list(groups.values())


def _boxed_apart(upper: Edge, lower: Edge, verticals: list[Edge], tol: float) -> bool:
    """At both ends of two stacked full-width rules a side rule stops at the upper one and
    another starts at the lower one: the bottom of one boxed table and the top of the next, a
    heading between them (LibreOffice: table 二, 三、收到和处理…, table 三, 25 pt apart), not
    the rows of one table around a full-width row (whose sides run on or are not drawn)."""
    for x in (upper.start, upper.end):
        stops = any(abs(v.pos - x) <= tol and abs(v.end - upper.pos) <= tol for v in verticals)
        starts = any(abs(v.pos - x) <= tol and abs(v.start - lower.pos) <= tol for v in verticals)
        if not (stops and starts):
            return False
    return True


def _covered(edges: list[Edge], orient: str, pos: float, start: float, end: float, tol: float) -> bool:
    """Existing edges of ``orient`` at ``pos`` cover [start, end] (all but a rounding sliver)."""
    span = sum(
        max(0.0, min(e.end, end) - max(e.start, start))
        for e in edges if e.orient == orient and abs(e.pos - pos) <= tol
    )
    return span >= 0.98 * (end - start)


def close_frames(edges: list[Edge], tol: float = 3.0) -> list[Edge]:
    """The sides of each table skeleton's bounding box that no rule draws, as ``inferred`` edges.

    Only skeletons of at least two horizontal rules, a vertical one and four in all count as
    tables (an underline, a lone rule, a cross do not get framed).
    """
    added: list[Edge] = []
    for comp in components(edges, tol):
        hs = [e for e in comp if e.orient == "h"]
        vs = [e for e in comp if e.orient == "v"]
        if len(vs) < 1 or len(hs) < 2 or len(hs) + len(vs) < 4:
            continue
        x0 = min([e.start for e in hs] + [e.pos for e in vs])
        x1 = max([e.end for e in hs] + [e.pos for e in vs])
        top = min([e.start for e in vs] + [e.pos for e in hs])
        bottom = max([e.end for e in vs] + [e.pos for e in hs])
        for side in (Edge("h", top, x0, x1, True), Edge("h", bottom, x0, x1, True),
                     Edge("v", x0, top, bottom, True), Edge("v", x1, top, bottom, True)):
            if not _covered(comp, side.orient, side.pos, side.start, side.end, tol):
                added.append(side)
    return added


def as_lines(edges: list[Edge]) -> list[dict]:
    """Edges as pdfplumber line objects (for its explicit-lines table finder)."""
    out = []
    for e in edges:
        if e.orient == "h":
            x0, x1, top, bottom = e.start, e.end, e.pos, e.pos
        else:
            x0, x1, top, bottom = e.pos, e.pos, e.start, e.end
        out.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
                    "object_type": "line"})
    return out


def page_edges(lines: list[dict], rects: list[dict]) -> list[Edge]:
    """A page's rules of any drawing, merged, with inferred outer borders added."""
    edges = merge_edges(rule_pieces(lines, rects))
    return edges + close_frames(edges)
