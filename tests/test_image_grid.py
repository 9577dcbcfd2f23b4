"""The image grid: rules found at any dpi, merged cells as spans, boxes back on the rendered page."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.grid.image_grid import find_grids
from extractor.layout.orient import estimate_skew, suppress_red, upright
from tests.conftest import corpus_file
from tests.ocr_helpers import degrade


def synthetic_table(dpi: float = 200) -> np.ndarray:
    """A 4x4 ruled table with a merged top-left 2x2 block and a merged header across cols 2-3."""
    s = dpi / 200
    img = np.full((int(1200 * s), int(1000 * s), 3), 255, np.uint8)
    xs = [int(v * s) for v in (100, 400, 550, 700, 850)]
    ys = [int(v * s) for v in (100, 160, 220, 280, 340)]
    t = max(1, int(2 * s))
    for i, y in enumerate(ys):
        x0 = xs[2] if i == 1 else xs[0]  # no rule under the top-left 2x2 block's first row
        cv2.line(img, (x0, y), (xs[-1], y), (0, 0, 0), t)
    for j, x in enumerate(xs):
        y0 = ys[0]
        if j == 1:
            y0 = ys[2]  # the block spans cols 0-1 in rows 0-1
        if j == 3:
            cv2.line(img, (x, ys[1]), (x, ys[-1]), (0, 0, 0), t)  # header row 0 spans cols 2-3
            continue
        cv2.line(img, (x, y0), (x, ys[-1]), (0, 0, 0), t)
    cv2.putText(img, "12", (xs[2] + int(20 * s), ys[3] - int(15 * s)), cv2.FONT_HERSHEY_SIMPLEX, 1.0 * s, (0, 0, 0), t)
    return img


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_merged_cells_at_any_dpi(dpi):
    img = synthetic_table(dpi)
    tables = find_grids(img, dpi, page=2)
    assert len(tables) == 1
    g = tables[0].grid
    assert (g.n_rows, g.n_cols) == (4, 4)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in g.cells}
    assert spans[(0, 0)] == (2, 2)
    assert spans[(0, 2)] == (1, 2)
    assert spans[(3, 3)] == (1, 1)
    assert len(g.cells) == 16 - 3 - 1
    c = next(c for c in g.cells if (c.row, c.col) == (0, 0))
    assert c.page == 2 and c.source == "ocr" and c.dpi == dpi
    assert c.bbox.x0 == pytest.approx(100 * dpi / 200 * 72 / dpi, abs=1.5)  # PDF points
    assert c.bbox_px.x0 == pytest.approx(100 * dpi / 200, abs=3)
    assert all(c.structure > 0.8 for c in g.cells)


def test_missing_bottom_rule_is_closed():
    img = synthetic_table()
    img[338:343, :] = 255  # a table cut by the page end: no bottom rule
    g = find_grids(img, 200, page=1)[0].grid
    assert g.n_rows == 4


def test_red_seal_is_lifted():
    rgb = np.full((50, 50, 3), 255, np.uint8)
    rgb[:, :25] = (220, 30, 30)
    rgb[20:30, :] = (10, 10, 10)
    gray = suppress_red(rgb)
    assert gray[5, 5] == 255 and gray[25, 5] < 60 and gray[25, 40] < 60


def test_real_page_degraded_turned_and_skewed():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(corpus_file("huaian-hongze-district-gov_2023.pdf")))
    rgb = pdf[2].render(scale=150 / 72).to_numpy()[:, :, :3].copy()
    pdf.close()
    img = degrade(rgb, angle=-2.0, seal=True, turn=90, seed=1)
    up, tf = upright(img, 150)
    assert tf.rotation == 90
    assert tf.skew == pytest.approx(-2.0, abs=0.2)
    assert abs(estimate_skew(up, 150)) < 0.2
    tables = find_grids(up, 150, 3, tf.box_to_source)
    big = max(tables, key=lambda t: len(t.grid.cells))
    assert big.grid.n_cols == 10
    vertical = [c for c in big.grid.cells if c.col == 0 and c.row_span >= 10]
    assert vertical, "the 三、本年度办理结果 block is one merged cell"
    # boxes are on the page as rendered (turned back): inside its pixel frame
    h, w = img.shape[:2]
    for c in big.grid.cells:
        assert -5 <= c.bbox_px.x0 < c.bbox_px.x1 <= w + 5 and -5 <= c.bbox_px.top < c.bbox_px.bottom <= h + 5


def test_an_l_shaped_union_of_slots_is_cut_into_rectangles():
    """A group title's rule lost under one of its columns, and that column's rule lost too: the
    union is an L (or a T); its cells are its rectangles, none lying over another's box."""
    from extractor.grid.region_grid import _blocks

    square = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert _blocks(square) == [(square, True)]
    t_shape = [(1, 10), (1, 11), (1, 12), (1, 13), (2, 11), (3, 11)]
    blocks = _blocks(t_shape)
    assert [sorted(b) for b, _ in blocks] == [[(1, 10), (1, 11), (1, 12), (1, 13)], [(2, 11), (3, 11)]]
    assert not any(rect for _, rect in blocks)


def _ruled_table(size: int = 1400) -> np.ndarray:
    """A table of 10 rows (100 px) by 8 columns (150 px) at 200 dpi on a white page."""
    img = np.full((size, size, 3), 255, np.uint8)
    xs = list(range(100, 1301, 150))
    ys = list(range(100, 1101, 100))
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), (0, 0, 0), 2)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), (0, 0, 0), 2)
    return img


def test_rules_cut_off_inside_a_table_make_no_second_table():
    """A seal lifted to white across table 三's rules (or a fade) cuts a piece of them off: its
    rules inside the ring are a group of their own, inside the table's box, with the table's
    rules running through that box outside the ring. Read as a table it overlapped the real
    one, and the continuation on the next page was stitched to it (faded + stamp_numbers seed
    5102 lost 54 fields). Tables never nest."""
    img = _ruled_table()
    cv2.circle(img, (700, 600), 200, (255, 255, 255), 14)  # the ring's band, lifted with the seal
    tables = find_grids(img, 200, page=1)
    assert len(tables) == 1
    assert tables[0].grid.n_cols == 8 and tables[0].grid.n_rows == 10


def test_a_table_inside_a_page_frame_is_kept():
    """A frame drawn round the page holds the table's box, but no rule of the frame runs through
    it: the table is no piece of the frame's group, and stays."""
    img = _ruled_table(1500)
    cv2.rectangle(img, (30, 30), (1470, 1470), (0, 0, 0), 2)
    tables = find_grids(img, 200, page=1)
    assert any(t.grid.n_cols == 8 and t.grid.n_rows == 10 for t in tables)
