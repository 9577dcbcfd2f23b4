"""A seal scanned grey over table 三's number columns (``grey+stamp_numbers``, seed 1301 at
200 dpi): its ring found among the table's rules, its star and words taken off beside the digits
they touch, and the labels under its words read again without them."""

import random

import numpy as np

from extractor.grid.image_grid import find_lines
from extractor.ocr.seal import find_ring, grey_seal_pixels
from extractor.ocr.seal_overprint import seal_beside_strokes

DPI = 200


def _table_page(cx: int, cy: int, seal: bool = True, text_grey: int = 25, rule: tuple[int, int] = (25, 2),
                digits: bool = True) -> np.ndarray:
    """A 200 dpi grey page with a table of 17 rows (42 px) — a label column and 8 number columns
    72 px wide, as table 三's at 200 dpi — and the generator's red seal (radius 137 px) centred
    at (cx, cy) over the numbers, scanned grey and blurred a little. The rules print at
    ``rule`` (grey, width px), the text at ``text_grey``; without ``digits`` the number cells
    are blank (zeros printed blank)."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from scripts.samplegen.fonts import wqy_path
    from scripts.samplegen.scan import seal_image

    img = Image.new("RGBA", (1700, 1100), (245, 245, 240, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(wqy_path()), 22)
    line = (rule[0], rule[0], rule[0], 255)
    xs = [100, 560] + [560 + 72 * k for k in range(1, 9)]
    ys = [150 + 42 * k for k in range(18)]
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=line, width=rule[1])
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill=line, width=rule[1])
    rng = random.Random(7)
    ink = (text_grey, text_grey, text_grey, 255)
    for r in range(len(ys) - 1):
        cy_row = (ys[r] + ys[r + 1]) / 2
        draw.text((xs[0] + 10, cy_row), "4.无正当理由大量反复申请", font=font, fill=ink, anchor="lm")
        for k in range(1, len(xs) - 1 if digits else 1):
            draw.text(((xs[k] + xs[k + 1]) / 2, cy_row), str(rng.choice([0, 0, 0, 2, 8, 12])), font=font,
                      fill=ink, anchor="mm")
    if seal:
        stamp = seal_image("临江市市场监督管理局", 137, random.Random(7))
        img.alpha_composite(stamp, (int(cx - stamp.width / 2), int(cy - stamp.height / 2)))
    return np.asarray(img.convert("L").filter(ImageFilter.GaussianBlur(0.6)))


def test_grey_ring_among_the_rules_is_found_with_them_taken_out():
    """Hough's votes pile up where the rules cross; the seal's centre beside such a crossing is
    dropped for it. Searched on the page without its rules too, the ring is found."""
    page = _table_page(680, 460)
    assert find_ring(page, DPI) is None  # the page as it is: the rules' crossings win
    ring = find_lines(page, DPI).ring
    assert ring is not None and abs(ring.cx - 680) <= 4 and abs(ring.cy - 460) <= 4


def test_no_ring_on_a_table_without_a_seal():
    assert find_lines(_table_page(680, 460, seal=False), DPI).ring is None


def test_seal_ink_beside_a_digit_is_taken_its_stroke_kept():
    """The seal's pixels that touch a digit's stroke (its halo) go with the seal; the stroke's
    rim on the paper side, and its core, stay."""
    page = _table_page(680, 460)
    plain = _table_page(680, 460, seal=False)
    ring = find_lines(page, DPI).ring
    mask = grey_seal_pixels(ring, page)
    yy, xx = np.mgrid[0 : page.shape[0], 0 : page.shape[1]]
    disc = np.hypot(xx - ring.cx, yy - ring.cy) <= ring.outer + 3
    text = (plain < 128) & disc
    assert np.count_nonzero(mask & text) <= 0.03 * np.count_nonzero(text)
    # the seal's ink on paper within 2 px of the text: the halo the text kept before
    import cv2

    near = cv2.dilate(text.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    seal_near = (page < 200) & (plain > 230) & near & ~text
    assert np.count_nonzero(mask & seal_near) >= 0.8 * np.count_nonzero(seal_near)


def test_seal_beside_strokes_grows_from_the_seal_only():
    """A stroke (column 5) with a 2 px halo each side: the seal lies against its right side
    (columns 8+), paper on its left. The right halo's seal-grey pixels are the seal's; the
    left halo's (the stroke's rim over paper) are not."""
    shape = (5, 12)
    halo = np.zeros(shape, bool)
    halo[:, 3:5] = halo[:, 6:8] = True
    seal_ink = np.zeros(shape, bool)
    seal_ink[:, 8:] = True
    seal_grey = np.zeros(shape, bool)
    seal_grey[:, 3] = seal_grey[:, 6:] = True  # the rim's lighter pixel on the left, the seal right
    out = seal_beside_strokes(seal_ink, halo, seal_grey, steps=2)
    assert out[:, 6:8].all()
    assert not out[:, :6].any()
    assert not seal_beside_strokes(np.zeros(shape, bool), halo, seal_grey, steps=2).any()


def test_label_under_a_grey_seals_word_takes_a_reading_as_sure_without_it():
    """A grey seal's mask is all of the seal and no stroke of the text (``whole``): a label read
    without it as surely as with it (4.无正当理由大量反复申请场 0.98, the seal's 场 beside it;
    without: 0.98) takes that reading; a black ring's mask may take a stroke with it, so there
    the reading without it must be surer by ``LABEL_GAIN``. A worse one is never taken."""
    from types import SimpleNamespace

    import cv2

    from extractor.ocr.engine import Recognition
    from extractor.ocr.seal_reread import _reread_under_seal
    from models.page import BBox, Cell

    class _Reads:
        def __init__(self, text, score):
            self.text, self.score = text, score

        def recognize(self, crops):
            return [Recognition(text=self.text, score=self.score, char_scores=[self.score] * len(self.text))
                    for _ in crops]

    gray = np.full((300, 700), 240, np.uint8)
    box = (100, 100, 600, 160)
    cv2.putText(gray, "ABCDEF", (150, 145), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 20, 3)
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    seal = np.zeros(gray.shape, bool)
    seal[110:150, 520:560] = True  # the seal's word at the label's end
    first, again = "4.无正当理由大量反复申请场", "4.无正当理由大量反复申请"
    for whole, score, expected in ((True, 0.98, again), (False, 0.98, first), (True, 0.90, first)):
        cell = Cell(row=2, col=1, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text=first, confidence=0.98)
        table = SimpleNamespace(grid=SimpleNamespace(cells=[cell]), boxes=[box])
        _reread_under_seal([table], seal, gray, ink, np.uint8(240), DPI, 40.0, _Reads(again, score), whole=whole)
        assert cell.text == expected, (whole, score)


def test_text_at_the_seals_grey_keeps_its_strokes_only_the_ring_is_taken():
    """Digits printed a mid grey (seed 900's thin blurred strokes, as light as the seal): the
    grey rule would take them with the seal (its share of the text beside the seal is high), so
    no grey mask is made; near-black text beside the seal loses next to nothing to it."""
    from extractor.ocr.seal import HALO, TEXT_CORE
    from extractor.ocr.seal_text_grey import TEXT_TAKEN, text_taken_share

    shares = {}
    for grey in (25, 115):
        page = _table_page(680, 460, text_grey=grey)
        ring = find_lines(page, DPI).ring
        assert ring is not None
        seal, dark, paper = 125.0, 30.0, 240.0
        reach = ring.outer + 5
        shares[grey] = text_taken_share(page, ring.cx, ring.cy, reach, seal, seal - TEXT_CORE * (seal - dark),
                                        paper, HALO)
        mask = grey_seal_pixels(ring, page)
        assert (mask is None) == (grey == 115), grey
    assert shares[25] < 0.02 and shares[115] > TEXT_TAKEN


def test_a_grey_seal_over_blank_cells_is_told_from_the_text_by_its_grey():
    """Seed 41002 (grey, a seal over the numbers, zeros printed blank): under the seal only the
    thin rules, which a grey scan prints a mid grey with no dark core. The text's darkness is
    the page's (its labels), not the rules' under the seal, and the rules are no text when
    weighing what the grey rule would take — so the seal's star and words go by their grey,
    and no word of it is left on a blank cell to read as 1 or 多."""
    from extractor.ocr.seal import HALO, _seal_grey
    from extractor.ocr.seal_text_grey import TEXT_TAKEN, text_taken_share

    page = _table_page(1000, 460, rule=(150, 1), digits=False)
    lines = find_lines(page, DPI)
    ring, rules = lines.ring, lines.rule_mask()
    assert ring is not None
    grey = _seal_grey(ring, page)
    assert grey is not None and grey.dark < 100  # the labels' black, not the rules' grey
    share = text_taken_share(page, ring.cx, ring.cy, grey.reach, grey.seal, grey.level, grey.paper, HALO, rules)
    assert share < TEXT_TAKEN / 2
    assert text_taken_share(page, ring.cx, ring.cy, grey.reach, grey.seal, grey.level, grey.paper, HALO) > share
    mask = grey_seal_pixels(ring, page, rules)
    assert mask is not None
    star = mask[int(ring.cy) - 20 : int(ring.cy) + 20, int(ring.cx) - 20 : int(ring.cx) + 20]
    assert star.mean() > 0.2  # the star at its centre goes with the seal
