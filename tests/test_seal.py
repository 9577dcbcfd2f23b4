"""A seal printed black (a fax): its ring found by shape and taken out of the cells' ink."""

import cv2
import numpy as np
import pytest

from extractor.ocr.seal import find_ring, ring_pixels

DPI = 200


def _page(ring: bool = True, disc: bool = False) -> np.ndarray:
    """A grey page (paper 235) with a table's rules, rows of text-like blobs and, over them, a
    black ring 150 px (19 mm) across its radius, 7 px thick — a fax's seal."""
    page = np.full((1400, 1100), 235, np.uint8)
    for y in range(300, 1101, 80):  # a table: rows 80 px apart, columns 160
        cv2.line(page, (100, y), (1000, y), 20, 2)
    for x in range(100, 1001, 150):
        cv2.line(page, (x, 300), (x, 1100), 20, 2)
    rng = np.random.default_rng(5)
    for y in range(320, 1080, 80):
        for x in range(130, 980, 150):
            for k in range(int(rng.integers(1, 4))):  # digits: ~30 px tall strokes
                cv2.rectangle(page, (x + 20 * k, y + 10), (x + 20 * k + 12, y + 42), 25, 3)
    if ring:
        cv2.circle(page, (560, 700), 150, 15, 7)
    if disc:
        cv2.circle(page, (560, 700), 150, 15, -1)
    return cv2.GaussianBlur(page, (3, 3), 0)


def test_black_ring_found_by_its_shape():
    ring = find_ring(_page(), DPI)
    assert ring is not None
    assert abs(ring.cx - 560) <= 3 and abs(ring.cy - 700) <= 3
    assert ring.inner <= 150 <= ring.outer and ring.outer - ring.inner <= 12


def test_no_ring_on_a_plain_table_or_under_a_dark_disc():
    assert find_ring(_page(ring=False), DPI) is None
    assert ring_pixels(_page(ring=False), DPI) is None
    assert find_ring(_page(ring=False, disc=True), DPI) is None  # dark all through: no thin ring


def test_ring_pixels_leave_a_stroke_that_crosses_the_ring():
    page = _page()
    cv2.line(page, (560 - 4, 820), (560 - 4, 880), 20, 4)  # a digit's stroke across the ring's bottom
    mask = ring_pixels(page, DPI)
    assert mask is not None and mask.shape == page.shape
    assert mask[700 - 150, 560]  # the ring's top: taken
    assert mask[700 - 106, 560 + 106] and mask[700 + 106, 560 - 106]  # its diagonals
    assert not mask[700, 560 + 150]  # where the table's rule crosses it: the rule's pixels stay
    assert not mask[700 + 150, 560 - 4]  # the stroke through its bottom: kept
    assert not mask[700, 560]  # the centre (a star, text): not the ring
    ink = page < 128
    left = ink & ~mask
    # what is left of the ring: under 3 % of its pixels (a stroke's crossing, the table's rules)
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    d = np.hypot(xx - 560, yy - 700)
    band = (d >= 146) & (d <= 154)
    assert np.count_nonzero(left & band) <= 0.08 * np.count_nonzero(ink & band)


def test_ring_pixels_leave_a_zero_the_arc_runs_through():
    """A 0 (a loop 22 px tall) whose loop the ring's bottom arc runs through (fax seed 933's 10):
    its top and bottom strokes lie inside the ring's grown band, apart from the ring's own ink,
    and stay; only the ring's run (and its rim) goes."""
    page = _page()
    cv2.ellipse(page, (560 - 40, 700 + 145), (7, 11), 0, 0, 360, 20, 3)  # on the ring's bottom
    ring = find_ring(page, DPI)
    assert ring is not None
    from extractor.ocr.seal import ring_mask

    mask = ring_mask(ring, page)
    ink = page < 128
    y_top, y_bot = 700 + 145 - 11, 700 + 145 + 11  # the loop's top and bottom strokes
    assert not mask[y_top, 560 - 40] and not mask[y_bot, 560 - 40]
    # the ring's own ink away from the 0: taken all across its width
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    d = np.hypot(xx - 560, yy - 700)
    band = (d >= 146) & (d <= 154) & (np.abs(xx - 520) > 30)
    assert np.count_nonzero(ink & band & ~mask) <= 0.08 * np.count_nonzero(ink & band)


def test_cell_the_ring_crosses_is_read_again_without_it():
    """A 0 with the seal's arc beside it reads as 10 (the arc a 1): read again with the ring
    taken out it is 0, and the cell is doubted (what the ring covered cannot be known)."""
    from types import SimpleNamespace

    from extractor.ocr.engine import make_engine
    from extractor.ocr.cells import read_boxes
    from extractor.ocr.seal_reread import _reread_under_seal
    from extractor.ocr.structure import DOUBT
    from extractor.settings import Settings
    from models.page import BBox, Cell

    engine = make_engine(Settings())
    gray = np.full((700, 700), 240, np.uint8)
    box = (300, 420, 420, 500)
    cv2.putText(gray, "0", (342, 482), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 20, 4)
    cv2.circle(gray, (210, 300), 175, 15, 7)  # the ring's arc through the cell, left of the 0
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    cell = Cell(row=1, col=1, page=1, bbox=BBox(x0=108, top=151, x1=151, bottom=180))
    read_boxes([cell], [box], gray, ink, DPI, 40.0, engine)
    assert cell.text == "10"  # the arc read as a 1: the reason for this stage
    seal = ring_pixels(gray, DPI, ink)
    assert seal is not None
    table = SimpleNamespace(grid=SimpleNamespace(cells=[cell]), boxes=[box])
    _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, engine)
    assert cell.text == "0" and cell.structure <= DOUBT


class _Reads:
    """A recogniser that reads every crop as one text (the reading without the ring)."""

    def __init__(self, text: str, score: float):
        self.text, self.score = text, score

    def recognize(self, crops):
        from extractor.ocr.engine import Recognition

        return [Recognition(text=self.text, score=self.score, char_scores=[self.score] * len(self.text))
                for _ in crops]


def test_label_the_ring_garbled_takes_the_surer_reading_only():
    """A column title the ring crosses (结果纠 read 甜是, 0.30): read without the ring the
    recogniser is surer (0.93), so that reading stands; a title read well the first time
    (0.98) keeps it against a worse one without the ring."""
    from types import SimpleNamespace

    from extractor.ocr.seal_reread import _reread_under_seal
    from models.page import BBox, Cell

    gray = np.full((700, 700), 240, np.uint8)
    box = (300, 420, 460, 500)
    cv2.putText(gray, "AB", (342, 482), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 20, 4)
    cv2.circle(gray, (210, 300), 175, 15, 7)
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    seal = ring_pixels(gray, DPI, ink)
    assert seal is not None
    for first, score, again, again_score, expected in (("甜是", 0.30, "结果纠", 0.93, "结果纠"),
                                                       ("行政诉讼", 0.98, "行政诉讼佛", 0.42, "行政诉讼")):
        cell = Cell(row=1, col=1, page=1, bbox=BBox(x0=108, top=151, x1=166, bottom=180), text=first,
                    confidence=score)
        table = SimpleNamespace(grid=SimpleNamespace(cells=[cell]), boxes=[box])
        _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads(again, again_score))
        assert cell.text == expected


def test_ring_a_fax_broke_into_specks_is_found():
    """A red seal's grey sits at a fax's threshold: its ring comes out as specks (here 60 % of
    its pixels lost); found by the ink's density around it."""
    page = _page(ring=False)
    ring = np.full_like(page, 255)
    cv2.circle(ring, (560, 700), 150, 0, 7)
    lost = np.random.default_rng(3).random(page.shape) < 0.6
    page[(ring == 0) & ~lost] = 15
    found = find_ring(page, DPI)
    assert found is not None and abs(found.cx - 560) <= 4 and abs(found.cy - 700) <= 4


def test_prose_and_cells_read_from_the_page_without_the_ring():
    """The page the prose (table 五's heading under the seal) and the re-read cells are read
    from: the ring's pixels paper and out of the ink, the rest as it was; no ring, no copy."""
    from extractor.ocr.seal_reread import _without_ring

    page = _page()
    ink = np.where(page < 128, 255, 0).astype(np.uint8)
    seal = ring_pixels(page, DPI, ink)
    gray, clean = _without_ring(page, ink, seal, np.uint8(235))
    assert not clean[seal].any() and (gray[seal] == 235).all()
    assert (clean[~seal] == ink[~seal]).all() and ink[seal].any()  # the caller's arrays untouched
    same_gray, same_ink = _without_ring(page, ink, None, np.uint8(235))
    assert same_gray is page and same_ink is ink



def _litigation_table(ring: tuple[int, int, int] | None) -> np.ndarray:
    """A grey page (no colour) with a table like 四: header rows and one value row of 15 columns,
    80 px wide, 50 px tall (rules at y 300-530), and over it a black seal ``ring`` (x, y,
    radius): its ring 5 px thick and its star, point up, 0.3 of the radius."""
    page = np.full((1000, 1500), 235, np.uint8)
    xs = list(range(100, 1301, 80))
    ys = [300, 350, 400, 480, 530]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 20, 2)
    for i, x in enumerate(xs):
        top = ys[0] if i in (0, 5, 10, 15) else ys[2]
        cv2.line(page, (x, top), (x, ys[-1]), 20, 2)
    for x in xs[:-1]:
        cv2.putText(page, "0", (x + 30, 518), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 25, 2)
    if ring:
        cx, cy, r = ring
        cv2.circle(page, (cx, cy), r, 15, 5)
        star = [(cx + (0.3 if k % 2 == 0 else 0.12) * r * np.sin(k * np.pi / 5),
                 cy - (0.3 if k % 2 == 0 else 0.12) * r * np.cos(k * np.pi / 5)) for k in range(10)]
        cv2.fillPoly(page, [np.array(star, np.int32)], 15)
    return cv2.GaussianBlur(page, (3, 3), 0)


@pytest.mark.parametrize("ring", [(1020, 375, 140),  # its bottom arc flat in the value row, rule to rule
                                  (1000, 448, 150)])  # its star over row 3, its spine to the rule under it
def test_ring_arcs_are_no_rules(ring):
    """A seal printed black over a table: the opening keeps its flat bottom arc as a piece of
    rule, which split the one value row in two (15 numbers on two rows, none mapped), and its
    star's spine as a column rule. The ring's and star's pieces are left out of the rules; the
    rules they cross stay."""
    from extractor.grid.image_grid import find_grids, find_lines

    plain = find_grids(_litigation_table(None), DPI, 1)
    lines = find_lines(_litigation_table(ring), DPI)
    assert lines.ring is not None
    sealed = find_grids(lines, DPI, 1)
    assert len(plain) == len(sealed) == 1
    assert (sealed[0].grid.n_rows, sealed[0].grid.n_cols) == (plain[0].grid.n_rows, plain[0].grid.n_cols) == (4, 15)
    assert sealed[0].rows == pytest.approx(plain[0].rows, abs=2)
    assert sealed[0].cols == pytest.approx(plain[0].cols, abs=2)


def _star_page(outside: bool = False):
    """A black seal (ring 150 px across its radius, a filled star at its centre) over a blank
    cell of a row of values; ``outside``: a stroke in the cell beyond the ring's disc too."""
    gray = np.full((900, 900), 240, np.uint8)
    cv2.circle(gray, (450, 450), 150, 15, 7)
    pts = [(450 + r * np.sin(a), 450 - r * np.cos(a)) for k in range(10)
           for a, r in [(k * np.pi / 5, 40 if k % 2 == 0 else 16)]]
    cv2.fillPoly(gray, [np.array(pts, np.int32)], 15)
    if outside:
        cv2.line(gray, (880, 430), (880, 470), 20, 3)
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    return gray, ink


@pytest.mark.parametrize("row_texts,outside,blank", [(("3", "10", "1"), False, True),  # a row of values
                                                    (("结果维持", "结果纠正", "其他结果"), False, False),  # titles
                                                    (("3", "10", "1"), True, False)])  # ink beyond the seal
def test_a_black_seals_star_over_a_blank_cell_reads_blank_with_doubt(row_texts, outside, blank):
    """A fax prints the seal black: its star over a blank cell (a 0 printed blank) read 清 or X,
    with and without the ring. In a row of values, with nothing in the cell beyond the ring's
    disc, the seal explains all the cell holds: blank, doubted (a 0 under review, never ``ok``).
    A title row keeps its reading (the star over 总计), and so does a cell holding ink beyond
    the seal — doubted, as every value cell in the disc is."""
    from types import SimpleNamespace

    from extractor.ocr.seal_reread import _reread_under_seal
    from extractor.ocr.structure import DOUBT
    from models.page import BBox, Cell

    gray, ink = _star_page(outside)
    ring = find_ring(gray, DPI)
    seal = ring_pixels(gray, DPI, ink)
    assert ring is not None and seal is not None
    cells = [Cell(row=1, col=k, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text=t, confidence=0.99)
             for k, t in enumerate(row_texts)]
    star = Cell(row=1, col=3, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text="清", confidence=0.6)
    boxes = [(0, 410, 80, 490), (80, 410, 160, 490), (160, 410, 240, 490), (400, 400, 900, 500)]
    table = SimpleNamespace(grid=SimpleNamespace(cells=[*cells, star]), boxes=boxes)
    _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads("X", 0.5), ring=ring)
    assert (star.text == "") is blank
    values = row_texts[0] == "3"
    # in a row of values every cell in a black seal's disc is doubted, whatever it reads (a star's
    # point beside a 1 read 11, helper-65); a title row's reading is judged as before (a label's)
    assert (star.structure <= DOUBT) is values
    assert [c.text for c in cells] == list(row_texts)


def test_coverage_grid_matches_one_centre_at_a_time():
    """The ring search's batched coverage (a grid of centres at once, samples off the page sent
    to a padded paper row/column, every mask of the bits image in one gather) equals sampling
    each centre on each mask on its own, off-page samples no ink."""
    from extractor.ocr.ring_search import coverage, ink_bits_in_boxes

    rng = np.random.default_rng(3)
    masks = [rng.random((90, 120)) < 0.3, rng.random((90, 120)) < 0.1, rng.random((90, 120)) < 0.6]
    gray = np.zeros((90, 120), np.uint8)  # the masks made from it: each its own random pixels
    makes = [((lambda g, m=m: m[: g.shape[0], : g.shape[1]]), 0) for m in masks]
    ink = ink_bits_in_boxes(gray, makes, [(0, 90, 0, 120)])
    radii = np.arange(5.0, 40.0, 1.0)
    cxs, cys = 10.5 + np.arange(-3, 4) * 4.0, 80.0 + np.arange(-3, 4) * 4.0  # circles leave the page
    got = coverage(ink, cxs, cys, radii, 180, bits=(0, 1, 2))
    assert np.array_equal(coverage(ink, cxs, cys, radii, 180, bits=(1,))[0], got[1])
    a = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    for m, mask in enumerate(masks):
        for i, cy in enumerate(cys):
            for j, cx in enumerate(cxs):
                xs = np.rint(cx + radii[:, None] * np.cos(a)[None, :]).astype(int)
                ys = np.rint(cy + radii[:, None] * np.sin(a)[None, :]).astype(int)
                inside = (xs >= 0) & (xs < 120) & (ys >= 0) & (ys < 90)
                hit = np.zeros(xs.shape, bool)
                hit[inside] = mask[ys[inside], xs[inside]]
                assert np.array_equal(got[m, i, j], hit.mean(axis=1))


def test_ring_rim_left_on_the_band_is_the_seals():
    """The ring mask takes the ring's run of ink only: a speck of its blurred rim left on its
    band (fax seed 905) is the seal's, as its star is; ink beyond the band is not."""
    from extractor.ocr.seal import Ring
    from extractor.ocr.seal_reread import _seal_only

    ring = Ring(cx=450.0, cy=450.0, inner=146.0, outer=153.0)
    ink = np.zeros((900, 900), np.uint8)
    ink[445:455, 440:460] = 255  # the star
    ink[448:451, 450 + 156 : 450 + 158] = 255  # the rim just outside the measured band
    assert _seal_only(ink, (400, 400, 700, 500), ring)
    ink[448:451, 650:653] = 255  # a stroke beyond the ring
    assert not _seal_only(ink, (400, 400, 700, 500), ring)


def test_cell_mostly_ring_loses_its_numeric_alternatives():
    """A cell of a row of values whose ink is mostly a black seal's ring, read 工 with and
    without it: the recogniser's alternatives read the ring (1 next), so none is kept for the
    mapping to take a number from (fax+dpi150 seed 976). A cell whose own ink outweighs the
    ring's keeps them."""
    from types import SimpleNamespace

    from extractor.ocr.engine import Alternative
    from extractor.ocr.seal_reread import _reread_under_seal, ring_share
    from models.page import BBox, Cell

    gray = np.full((900, 900), 240, np.uint8)
    cv2.circle(gray, (450, 450), 150, 15, 7)
    cv2.rectangle(gray, (690, 430), (715, 475), 20, 6)  # a digit in the second cell, off the ring
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    ring = find_ring(gray, DPI)
    seal = ring_pixels(gray, DPI, ink)
    assert ring is not None and seal is not None
    values = [Cell(row=1, col=k, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text=t, confidence=0.99)
              for k, t in enumerate(("3", "10", "1"))]
    boxes_values = [(0, 410, 80, 490), (80, 410, 160, 490), (160, 410, 240, 490)]
    on_ring = Cell(row=1, col=3, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text="工", confidence=0.3,
                   alternatives=[Alternative(text="1", score=0.2)])
    own = Cell(row=1, col=4, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text="工", confidence=0.3,
               alternatives=[Alternative(text="1", score=0.2)])
    boxes = [*boxes_values, (560, 420, 620, 480), (590, 420, 730, 480)]
    assert ring_share(ink, seal, boxes[3]) > 0.5 > ring_share(ink, seal, boxes[4])
    table = SimpleNamespace(grid=SimpleNamespace(cells=[*values, on_ring, own]), boxes=boxes)
    _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads("工", 0.3), ring=ring)
    assert on_ring.alternatives == []
    assert [a.text for a in own.alternatives] == ["1"]
def test_a_zero_mark_whole_with_the_seal_keeps_it_when_the_mask_clips_it():
    """A / read from its shape with a grey seal in place, whose blurred ends the seal's mask took
    (read again, 1: grey seed 903): the zero mark stands, doubted; a first reading that is no
    zero mark (a seal's stroke with it, 11) takes the reading without the seal, and so does a
    / read again as another digit (the seal over a 4 made a slash's shape, seed 905)."""
    from types import SimpleNamespace

    from extractor.ocr.seal_reread import _reread_under_seal
    from extractor.ocr.structure import DOUBT
    from models.page import BBox, Cell

    gray = np.full((300, 300), 240, np.uint8)
    box = (100, 100, 180, 150)
    gray[108:142, 138:142] = 30  # what is left of the / once the mask took its ends: an upright bar
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    seal = np.zeros(gray.shape, bool)
    seal[100:106, 120:170] = True  # the seal's ink along the cell's top
    for first, expected in (("/", "/"), ("11", "1")):
        cell = Cell(row=1, col=1, page=1, bbox=BBox(x0=36, top=36, x1=65, bottom=54), text=first, confidence=0.9)
        table = SimpleNamespace(grid=SimpleNamespace(cells=[cell]), boxes=[box])
        _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads("1", 0.9), whole=True)
        assert cell.text == expected and cell.structure <= DOUBT
    cell = Cell(row=1, col=1, page=1, bbox=BBox(x0=36, top=36, x1=65, bottom=54), text="/", confidence=0.9)
    table = SimpleNamespace(grid=SimpleNamespace(cells=[cell]), boxes=[box])
    _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads("4", 0.9), whole=True)
    assert cell.text == "4"


def test_a_wu_the_seal_garbled_is_read_again_as_a_zero_mark():
    """无 is one of the format's zero marks: a 无 the grey seal's ring crossed, read 先 (sure of
    it), takes the reading without the seal (grey seed 904)."""
    from types import SimpleNamespace

    from extractor.ocr.seal_reread import _reread_under_seal
    from models.page import BBox, Cell

    gray = np.full((300, 300), 240, np.uint8)
    box = (100, 100, 180, 150)
    cv2.putText(gray, "W", (120, 140), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 3)  # some glyph for the recogniser
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    seal = np.zeros(gray.shape, bool)
    seal[100:106, 120:170] = True
    cell = Cell(row=1, col=1, page=1, bbox=BBox(x0=36, top=36, x1=65, bottom=54), text="先", confidence=0.999)
    table = SimpleNamespace(grid=SimpleNamespace(cells=[cell]), boxes=[box])
    _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads("无", 0.99), whole=True)
    assert cell.text == "无"


def test_grey_ring_band_keeps_a_digit_printed_over_it():
    """A grey seal whose star and words are not told from the text (seed 900's grey text): its
    ring's band is taken, but a 0 lying along the ring stays where it prints over it (darker than
    the ring: the seal's ink over the text's), not only where its strokes cross the band; a black
    ring is no grey seal (None)."""
    from extractor.ocr.seal import Ring, grey_ring_pixels

    page = np.full((400, 400), 240, np.uint8)
    cv2.circle(page, (200, 200), 150, 120, 7)  # the grey ring, 147–153
    zero = np.zeros_like(page)
    cv2.ellipse(zero, (200, 50), (12, 18), 0, 0, 360, 255, 3)  # a 0 on the ring's top
    page[(zero > 0) & (page < 200)] = 55  # over the ring: darker than either
    page[(zero > 0) & (page >= 200)] = 90
    page[300:340, 170:230] = 20  # the darkest text elsewhere (a block of it)
    ring = Ring(cx=200.0, cy=200.0, inner=147.0, outer=153.0)
    mask = grey_ring_pixels(ring, page)
    assert mask is not None
    band = (page == 120)
    assert mask[band].mean() > 0.99  # the ring goes
    assert not mask[zero > 0].any()  # the 0 stays, over the ring too
    black = np.full((400, 400), 240, np.uint8)
    cv2.circle(black, (200, 200), 150, 20, 7)
    black[300:340, 170:230] = 20
    assert grey_ring_pixels(ring, black) is None
