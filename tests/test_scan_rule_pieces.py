"""Pieces of rule the opening gets wrong on a tight table (LibreOffice's ``--convert-to pdf``):
a rule one short row tall is found, a glyph's stroke standing on a rule is no rule."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.grid.image_grid import find_grids
from extractor.grid.rule_pieces import Segment, trim_overshoot

DPI = 200
XS = (100, 300, 500, 700, 900)
YS = (100, 180, 217, 254)  # a tall header row, then two rows 37 px tall (under the opening's 44)


def tight_table() -> np.ndarray:
    """Three rows: row 1 has a column rule at x=500 only, row 2 at x=700 only (each a rule one
    short row tall); a glyph's stroke (a 7: bar and stem) stands on row 2's rule at x=700 and
    reaches up into row 1; in row 1's left cell a stem stands on the bottom rule, its bar left."""
    img = np.full((400, 1000), 255, np.uint8)
    for y in YS:
        cv2.line(img, (XS[0], y), (XS[-1], y), 0, 2)
    for x in (XS[0], XS[-1]):
        cv2.line(img, (x, YS[0]), (x, YS[-1]), 0, 2)
    cv2.line(img, (500, YS[1]), (500, YS[2]), 0, 2)
    cv2.line(img, (700, YS[2]), (700, YS[3]), 0, 2)
    cv2.line(img, (700, 194), (700, YS[2]), 0, 3)  # the 7's stem, on the rule below
    cv2.line(img, (680, 194), (700, 194), 0, 3)  # … and its bar
    cv2.line(img, (250, 190), (250, YS[2]), 0, 3)  # a stem on row 1's bottom rule
    cv2.line(img, (232, 190), (250, 190), 0, 3)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def _row_spans(table, row: int) -> list[tuple[int, int]]:
    return sorted((round(table.boxes[i][0]), round(table.boxes[i][2]))
                  for i, c in enumerate(table.grid.cells) if c.row == row)


def test_a_rule_one_short_row_tall_cuts_its_row_and_a_stroke_on_a_rule_does_not():
    tables = find_grids(tight_table(), DPI, page=1)
    assert len(tables) == 1
    t = tables[0]
    assert t.grid.n_rows == 3
    near = lambda got, want: len(got) == len(want) and all(abs(a - c) <= 4 and abs(b - d) <= 4
                                                            for (a, b), (c, d) in zip(got, want))
    assert near(_row_spans(t, 0), [(100, 900)])
    assert near(_row_spans(t, 1), [(100, 500), (500, 900)])  # not cut at the 7's stem, nor at 250
    assert near(_row_spans(t, 2), [(100, 700), (700, 900)])


def test_trim_overshoot_cuts_a_stroke_back_to_the_rule_it_stands_on():
    rows = [Segment(pos=y, a=100, b=900) for y in YS]
    # a column rule of rows 1-2 lengthened up into row 0 by a stroke: cut back to row 1's top
    lengthened = Segment(pos=500, a=150, b=254)
    # strokes on both sides of one rule and nothing else: no rule at all
    strokes = Segment(pos=600, a=190, b=240)
    whole = Segment(pos=700, a=100, b=254)  # a rule from the top rule to the bottom: kept
    edge = Segment(pos=800, a=100, b=330)  # going on past the last rule (a page cut): kept
    out = trim_overshoot([lengthened, strokes, whole, edge], rows, DPI)
    assert [(s.pos, s.a, s.b) for s in out] == [(500, 180, 254), (700, 100, 254), (800, 100, 330)]
    assert lengthened.a == 150  # the page's segment is not changed


def test_a_table_of_one_short_row_alone_on_a_page_is_a_table():
    """A table's last row alone at the top of the next page (LibreOffice, soffice seed 1802: 四、
    结转下年度继续办理 with its 7 numbers): 0.18 in tall, its column rules shorter than the
    opening's kernel, so its two rules were no group and the row was lost. Text underlined
    twice, with no rules between, is no table."""
    img = np.full((300, 1000), 255, np.uint8)
    xs = (100, 400, 470, 540, 610, 680, 750, 820, 900)
    for y in (50, 86):  # 36 px = 0.18 in
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 2)
    for x in xs:
        cv2.line(img, (x, 50), (x, 86), 0, 2)
    for y in (200, 236):  # two long lines, nothing standing between them
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 2)
    cv2.putText(img, "1 0 0", (420, 225), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    tables = find_grids(cv2.cvtColor(img, cv2.COLOR_GRAY2RGB), DPI, page=1)
    assert len(tables) == 1
    t = tables[0]
    assert (t.grid.n_rows, t.grid.n_cols) == (1, 8)
    assert abs(t.boxes[0][1] - 50) <= 4
