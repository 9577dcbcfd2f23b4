"""Lines of a wrapped column title with no blank row between them (a fax's blur; fax seed 1602's
table 四, 其他结果 read 其): cut into their lines before reading, each about a glyph tall."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.cells import _cell_layout, _split_run_together

GLYPH = 20.0


def _two_lines(bridge: bool) -> np.ndarray:
    page = np.full((120, 200), 255, np.uint8)
    cv2.putText(page, "ABCD", (40, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    cv2.putText(page, "EFG", (50, 76), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    if bridge:  # blur joins the lines: a stroke from one to the next
        page[45:62, 60:62] = 0
    return np.where(page < 128, 255, 0).astype(np.uint8)


def test_two_lines_run_together_are_cut_apart_at_the_emptiest_row():
    ink = _two_lines(bridge=True)
    pieces, sub, origin, _ = _cell_layout(ink, (10, 10, 190, 110), 200)
    assert len(pieces) == 1  # one band: no blank row between the lines
    lines = _split_run_together(pieces[0], sub, origin, GLYPH)
    assert len(lines) == 2
    assert lines[0][3] <= 52 and lines[1][3] >= 75  # cut in the gap: line 1 ends by row 51, line 2 whole
    assert all(b[3] - b[1] <= 1.3 * GLYPH for b in lines)


def test_one_line_and_separate_lines_are_left_alone():
    ink = _two_lines(bridge=False)
    pieces, sub, origin, _ = _cell_layout(ink, (10, 10, 190, 110), 200)
    assert len(pieces) == 2
    for p in pieces:
        assert _split_run_together(p, sub, origin, GLYPH) == [p]


def test_two_lines_under_a_seals_star_are_still_cut_apart():
    # a grey seal's star and words over a column title's two lines run together (商业 / 企业):
    # the gap between the lines holds as much ink as their middles, yet they are two lines (a
    # rule that kept a band whole when its cut held that much ink lost 商业企业 on
    # grey+stamp_numbers seed 9102; one on the extent of its heavy rows lost a fax's 111, seed 9101)
    ink = _two_lines(bridge=True)
    for a, b in (((60, 38), (100, 74)), ((85, 74), (125, 38)), ((140, 40), (150, 74)), ((30, 40), (40, 74))):
        cv2.line(ink, a, b, 255, 5)  # the star's arms and the words' strokes across both lines and the gap
    pieces, sub, origin, _ = _cell_layout(ink, (10, 10, 190, 110), 200)
    tall = max(pieces, key=lambda p: p[3] - p[1])
    assert tall[3] - tall[1] > 1.7 * GLYPH
    assert len(_split_run_together(tall, sub, origin, GLYPH)) == 2
