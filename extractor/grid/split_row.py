"""A table row that a page break cut in two, joined back into one row.

Word lets a row break across pages: the first part (the start of a long label and, top-aligned,
the row's numbers) sits at the foot of one page, the rest of the label on the next page over
empty value cells. Read as two rows, the second half's empty cells would be taken for the
row's values (blank means 0 in these reports). The stitcher calls ``join_split_row`` when it
joins two parts of a table; the halves are one row when

* the first row of the lower part has text only in label columns, and that text is a
  fragment — it does not start a new row (no enumeration 一、 / （一） / 1.) and is not itself
  a label the registry knows;
* exactly one of the two halves has values (the other's value cells are all blank).

The fragment's text is appended to the label cell above it; the values of whichever half has
them are kept.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Callable

from extractor.mapping.labels import normalize_label, similarity
from extractor.mapping.numbers import looks_numeric
from models.page import Cell, Grid

ENUMERATED = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[）)]|\d+\s*[.、．])")
KNOWN_LABEL = 0.8  # a fragment this similar to a registry label is a row of its own


@cache
def _known_labels() -> tuple[str, ...]:
    from models.fields import ACTIVE_ROWS, APPLICATION_ROWS

    labels = {r.label for r in APPLICATION_ROWS} | {r.group for r in APPLICATION_ROWS if r.group}
    labels |= {r.label for r, _ in ACTIVE_ROWS} | {r.group for r, _ in ACTIVE_ROWS if r.group}
    return tuple(sorted(labels))


def is_fragment(text: str) -> bool:
    """Text that continues a label rather than starting a row."""
    t = text.strip()
    if not t or ENUMERATED.match(t) or looks_numeric(t):
        return False
    n = normalize_label(t)
    return not any(similarity(n, label) >= KNOWN_LABEL for label in _known_labels())


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _plain_x(cell: Cell) -> tuple[float, float]:
    return cell.bbox.x0, cell.bbox.x1


def join_split_row(a: Grid, b: Grid, x_of: Callable[[Cell], tuple[float, float]] = _plain_x,
                   x_of_a: Callable[[Cell], tuple[float, float]] = _plain_x) -> bool:
    """Fold ``b``'s first row into ``a``'s last row when they are two halves of one row.

    ``x_of(cell)`` gives a ``b`` cell's (x0, x1) laid onto ``a``'s frame, ``x_of_a`` an ``a``
    cell's (PDF points; scanned pages may be shifted or turned against each other).
    Changes both grids in place (``b`` loses its first row); returns whether it did.
    """
    last = a.n_rows - 1
    if last < 0 or b.n_rows < 2:
        return False
    upper = [c for c in a.cells if c.row == last and c.row_span == 1]
    lower = [c for c in b.cells if c.row == 0 and c.row_span == 1]
    if not upper or not lower:
        return False
    up_values = [c for c in upper if c.text.strip() and looks_numeric(c.text)]
    low_text = [c for c in lower if c.text.strip()]
    low_values = [c for c in low_text if looks_numeric(c.text)]
    fragments = [c for c in low_text if c not in low_values]
    if not fragments or not all(is_fragment(c.text) for c in fragments):
        return False
    if bool(up_values) == bool(low_values):  # both halves (or neither) carry values: two rows
        return False
    if len(up_values or low_values) < 2:
        return False
    value_span = [x_of(c) for c in low_values] or [x_of_a(c) for c in up_values]
    if any(_overlap(*x_of(f), *v) > 0.5 * (x_of(f)[1] - x_of(f)[0]) for f in fragments for v in value_span):
        return False  # a fragment under a value column: not a label
    covering = [c for c in a.cells if c.row <= last < c.row + c.row_span]
    for f in fragments:
        fx = x_of(f)
        target = max(covering, key=lambda c: (_overlap(*x_of_a(c), *fx), c.row == last))
        if _overlap(*x_of_a(target), *fx) <= 0:
            return False
    for f in fragments:
        fx = x_of(f)
        target = max(covering, key=lambda c: (_overlap(*x_of_a(c), *fx), c.row == last))
        target.text += f.text
    if low_values:  # the numbers are on the lower half: they take the places of the blank ones
        for v in low_values:
            vx = x_of(v)
            blank = max(upper, key=lambda c: _overlap(*x_of_a(c), *vx))
            if _overlap(*x_of_a(blank), *vx) > 0 and not blank.text.strip():
                blank.text, blank.page, blank.bbox, blank.structure = v.text, v.page, v.bbox, v.structure
                blank.confidence, blank.source = v.confidence, v.source
                blank.alternatives, blank.char_scores = v.alternatives, v.char_scores
                blank.bbox_px, blank.dpi = v.bbox_px, v.dpi
    kept: list[Cell] = []
    for c in b.cells:
        if c.row == 0 and c.row_span == 1:
            continue
        if c.row == 0:
            c.row_span -= 1
        else:
            c.row -= 1
        kept.append(c)
    b.cells = kept
    b.n_rows -= 1
    b._by_row = None
    a._by_row = None
    return True
