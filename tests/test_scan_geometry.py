"""Scan geometry (issue 13) on small synthetic inputs: a photographed table straightened from
its frame when its inner rules are only pieces, a shredded grid refused, a page of tall
wrapped rows turned upright whatever its rule lengths say."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.grid.image_grid import find_grids, find_tables, widest_table
from extractor.grid.stitch import stitch_tables
from extractor.layout import orient
from extractor.layout.orient import PageTransform
from extractor.layout.straighten import straighten
from models.extraction import BBox, Source
from models.page import Cell, Grid, PageContent, PageKind, TextLine

DPI = 200


def _sectioned_table(h: int = 1400, w: int = 1000) -> np.ndarray:
    """A table like 二: four sections, each a full-width title row over three rows of four
    columns, so every inner column rule is a piece three rows tall; only the frame's sides are
    long."""
    img = np.full((h, w), 255, np.uint8)
    left, right, top, row = 100, 900, 250, 50
    y = top
    for _ in range(4):
        cv2.line(img, (left, y), (right, y), 0, 2)  # the section's title row
        y += row
        for _ in range(3):
            cv2.line(img, (left, y), (right, y), 0, 2)
            for x in (300, 500, 700):
                cv2.line(img, (x, y), (x, y + row), 0, 2)
            cv2.putText(img, "12", (560, y + 35), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
            y += row
    cv2.line(img, (left, y), (right, y), 0, 2)
    cv2.line(img, (left, top), (left, y), 0, 2)
    cv2.line(img, (right, top), (right, y), 0, 2)
    return img


def _photographed(page: np.ndarray) -> np.ndarray:
    """Perspective: the left side leans by 1 in 20, the right by 1 in 90."""
    h, w = page.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[35, 10], [w - 5, 0], [w + 10, h - 5], [-35, h + 10]])
    return cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)


def test_photographed_table_with_pieces_of_inner_rules_keeps_its_columns():
    warped = _photographed(_sectioned_table())
    crooked = find_grids(warped, DPI, 1)
    assert max(t.grid.n_cols for t in crooked) > 4  # left as it is, the leaning rules split columns
    out, bend = straighten(warped, DPI)
    assert bend is not None and bend.hx.size  # the verticals were fitted: the frame's sides lean
    tables = find_grids(out, DPI, 1)
    assert [(t.grid.n_rows, t.grid.n_cols) for t in tables] == [(16, 4)]


def test_a_shredded_grid_is_refused_for_the_page_as_it_was(monkeypatch):
    """A straightening that makes the rules wave (here: a bend forced onto a straight page)
    gives a grid of slivers; the page as it was is read instead."""
    import extractor.layout.straighten as st

    page = _sectioned_table()
    # rules that wave sideways every few rows: each piece of a column rule at its own x
    wavy = page.copy()
    for k, y in enumerate(range(0, page.shape[0], 50)):
        wavy[y : y + 50] = np.roll(page[y : y + 50], (k % 7) * 15, axis=1)
    bend = st.Bend(width=page.shape[1], height=page.shape[0], hy=np.zeros(6), hx=np.zeros(6))
    monkeypatch.setattr(st, "straighten", lambda gray, dpi: (wavy, bend))
    assert max(t.grid.n_cols for t in find_grids(wavy, DPI, 1)) > 1.5 * widest_table()
    tf = PageTransform()
    _, tables = find_tables(page, tf, DPI, 1)
    assert tf.bend is None
    assert [(t.grid.n_rows, t.grid.n_cols) for t in tables] == [(16, 4)]


def _tall_rows_page() -> np.ndarray:
    """Upright: a table of four tall rows whose column rules are much longer than its row
    rules (labels wrapped over many lines in a narrow column)."""
    img = np.full((1400, 1000, 3), 255, np.uint8)
    for x in (100, 250, 400, 550):
        cv2.line(img, (x, 100), (x, 1300), (0, 0, 0), 2)
    for y in (100, 400, 700, 1000, 1300):
        cv2.line(img, (100, y), (550, y), (0, 0, 0), 2)
    return img


@pytest.mark.parametrize("turned", [90, 270])
def test_rule_lengths_do_not_overrule_legible_text(monkeypatch, turned):
    """The whole-page classifier unsure (0.85) that the page is turned; the rules, longer
    across that axis, say it is not; the page's text read at a legible scale (ink tiles) says it
    is, surely (0.92): the text wins."""
    page = np.ascontiguousarray(np.rot90(_tall_rows_page(), k=turned // 90))
    small, f = orient._small_binary(orient.suppress_red(page), DPI, target_dpi=60)
    hlen, vlen = orient.rule_axis(small, DPI * f)
    assert hlen > 1.6 * vlen  # turned, the column rules lie across
    monkeypatch.setattr(orient, "classify_orientation", lambda rgb: ((360 - turned) % 360, 0.85))
    monkeypatch.setattr(orient, "classify_ink_tiles", lambda rgb, dpi, gray=None: ((360 - turned) % 360, 0.92))
    assert orient.detect_orientation(page, DPI) == (360 - turned) % 360


def test_a_sparse_page_not_certain_of_its_turn_asks_its_text(monkeypatch):
    """A faded last page of four lines on tinted paper (seed 6108): the whole-page classifier
    said 180 at 0.83 (over ``SURE``, under ``CERTAIN``), the tiles of its text 0 at 0.92; taken
    as turned, its section 六 was read upside down and its fee lost. The surer reading wins."""
    page = np.full((1400, 1000, 3), 235, np.uint8)
    cv2.putText(page, "TEXT LINE", (120, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (150, 150, 150), 2)
    monkeypatch.setattr(orient, "classify_orientation", lambda rgb: (180, 0.83))
    monkeypatch.setattr(orient, "classify_ink_tiles", lambda rgb, dpi, gray=None: (0, 0.92))
    assert orient.detect_orientation(page, DPI) == 0
    monkeypatch.setattr(orient, "classify_orientation", lambda rgb: (180, 0.95))  # certain: it stands
    assert orient.detect_orientation(page, DPI) == 180


def test_the_tiles_reading_does_not_vouch_for_itself_against_the_rules(monkeypatch):
    """Page 1 of a 150 dpi fax (seed 7025): the whole page said 0 at 0.72, the tiles 270 at 0.82;
    the tiles' reading, taken over the page's, then stood by its own axis against table 二's row
    rules, and the title was read sideways (agency and year lost). Page and rules agree: upright."""
    page = np.full((1400, 1000, 3), 255, np.uint8)
    for y in range(300, 1100, 60):  # table 二: wide rows, its row rules long
        cv2.line(page, (100, y), (900, y), (0, 0, 0), 2)
    for x in (100, 400, 650, 900):
        cv2.line(page, (x, 300), (x, 1040), (0, 0, 0), 2)
    monkeypatch.setattr(orient, "classify_orientation", lambda rgb: (0, 0.72))
    monkeypatch.setattr(orient, "classify_ink_tiles", lambda rgb, dpi, gray=None: (270, 0.82))
    monkeypatch.setattr(orient, "_pick_sense", lambda rgb, options: options[0])
    assert orient.detect_orientation(page, DPI) == 0


def test_a_deskewed_pages_new_corners_take_the_scanner_beds_colour():
    """A scan on a grey bed (222) turned by 2°: its new corners were white, a step edge along the
    whole canvas that the rule finder took for ruling lines; joined with the title's underline
    and table 二, page 1 became one table and its title was lost (soffice+perspective seed 7223).
    Filled with the edge's own colour, the canvas holds no rule."""
    from extractor.grid.page_lines import find_lines

    page = np.full((1000, 800), 222, np.uint8)
    page[60:940, 50:750] = 242  # the paper on the bed, a margin of bed all round
    out, _ = orient.rotate_image(page, 2.0)
    assert abs(int(out[0, 0]) - 222) <= 2 and abs(int(out[-1, -1]) - 222) <= 2
    lines = find_lines(out, DPI)
    long = [s for s in lines.hsegs + lines.vsegs if s.b - s.a > 2 * DPI]
    assert long == []


def test_rules_decide_when_the_text_is_not_legible(monkeypatch):
    page = np.ascontiguousarray(np.rot90(_tall_rows_page(), k=1))
    monkeypatch.setattr(orient, "classify_orientation", lambda rgb: (270, 0.6))
    monkeypatch.setattr(orient, "classify_ink_tiles", lambda rgb, dpi, gray=None: (0, 0.4))
    monkeypatch.setattr(orient, "_pick_sense", lambda rgb, options: options[0])
    assert orient.detect_orientation(page, DPI) == 0


def _scan_grid(page: int, edges: list[float], top: float, n_rows: int, row_h: float, lean: float) -> Grid:
    """A scanned grid's cells as their boxes come out of a page skewed by ``lean`` (pt of rise
    per pt across): upright boxes of turned cells, higher to the right."""
    cells = []
    for r in range(n_rows):
        for c in range(len(edges) - 1):
            x0, x1 = edges[c], edges[c + 1]
            y0 = top + r * row_h - lean * (x1 - edges[0])
            y1 = top + (r + 1) * row_h - lean * (x0 - edges[0])
            cells.append(Cell(row=r, col=c, page=page, bbox=BBox(x0=x0, top=y0, x1=x1, bottom=y1),
                              text="1", source=Source.OCR))
    box = BBox(x0=edges[0], top=min(c.bbox.top for c in cells), x1=edges[-1], bottom=max(c.bbox.bottom for c in cells))
    return Grid(cells=cells, n_rows=n_rows, n_cols=len(edges) - 1, pages=[page], bbox=box, col_edges=edges)


def test_a_heading_over_a_skewed_scan_table_keeps_it_apart():
    """Table 二 ends page 1; page 2 opens with the heading 三、 over table 三, whose rules line up
    with 二's where the piecewise scan mapping looks. The page is skewed 3°: the table's box
    reaches above the heading's bottom on the left, yet the heading stands between them."""
    lean = 0.052  # 3°
    two = _scan_grid(1, [88, 232, 333, 435, 539], 500, 4, 25, 0.0)
    three = _scan_grid(2, [97, 115, 169, 296, 332, 368, 405, 441, 477, 513, 550], 100, 8, 25, lean)
    # upright 80-95 pt, 5 pt over the table's top rule at 100; turned like the table
    heading = TextLine(text="三、收到和处理政府信息公开申请情况", page=2, source=Source.OCR,
                       bbox=BBox(x0=109, top=80 - lean * (330 - 97), x1=330, bottom=95 - lean * (109 - 97)))
    assert heading.bbox.bottom > three.bbox.top
    pages = [PageContent(number=1, width=595, height=842, kind=PageKind.SCAN, grids=[two]),
             PageContent(number=2, width=595, height=842, kind=PageKind.SCAN, grids=[three], lines=[heading])]
    assert [t.pages for t in stitch_tables(pages)] == [[1], [2]]
