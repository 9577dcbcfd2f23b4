"""A fax's column rule broken into pieces, one touched by a speck: still a thin line."""

import numpy as np

from extractor.grid.rule_pieces import thin_line_share

DPI = 200


def _column(speck: int, stroke: bool = False) -> np.ndarray:
    """A binary page (ink 255) with a vertical rule at x = 100 from y 0 to 60 in three pieces
    (0-7, 10-38, 41-56), the middle one with ``speck`` pixels just beside the line's band;
    ``stroke``: a glyph's stroke crossing the line there instead (12 px across)."""
    img = np.zeros((80, 200), np.uint8)
    for a, b in ((0, 7), (10, 38), (41, 56)):
        img[a:b, 99:101] = 255
    if speck:
        img[20 : 20 + speck, 105] = 255
        img[20 : 20 + speck, 101:105] = 255  # joined to the rule's piece
    if stroke:
        img[24:27, 94:107] = 255
    return img


def test_piece_a_speck_touched_is_still_rule():
    clean = thin_line_share(_column(0), 100, 0, 56, horizontal=False, dpi=DPI)
    touched = thin_line_share(_column(1), 100, 0, 56, horizontal=False, dpi=DPI)
    assert clean > 0.9 and touched == clean


def test_a_glyph_stroke_across_the_line_is_no_rule_piece():
    # the stroke joins the middle piece and reaches well beyond the band: the middle piece is
    # no thin line, and the two left cover under half the stretch
    assert thin_line_share(_column(0, stroke=True), 100, 0, 56, horizontal=False, dpi=DPI) == 0.0
