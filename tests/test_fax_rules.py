"""Fax scans: rules broken into dashes, broken glyphs, worn characters (issue 13)."""

import numpy as np

from extractor.grid.broken_rules import LONE, PRESENT, mend_broken_rules
from extractor.grid.rule_pieces import Segment, bridge_dashes
from extractor.mapping.labels import similarity
from extractor.mapping.numbers import looks_numeric, worn_zero
from extractor.mapping.tables import garbled
from extractor.ocr.cells import _one_line


def _dashed_row(binary, y, x0, x1, dash=6, space=5):
    for x in range(x0, x1, dash + space):
        binary[y : y + 2, x : min(x + dash, x1)] = 255


def test_a_rule_broken_into_dashes_between_two_pieces_is_one_segment():
    binary = np.zeros((200, 600), np.uint8)
    binary[100:102, 20:200] = 255
    _dashed_row(binary, 100, 200, 300)  # 100 px of dashes (0.5 in at 200 dpi)
    binary[100:102, 300:560] = 255
    segs = [Segment(pos=100.5, a=20, b=200), Segment(pos=100.5, a=300, b=560)]
    out = bridge_dashes(segs, binary, 200, True)
    assert len(out) == 1 and (out[0].a, out[0].b) == (20, 560)


def test_an_empty_gap_or_one_over_text_keeps_the_segments_apart():
    binary = np.zeros((200, 600), np.uint8)
    binary[100:102, 20:200] = 255
    binary[100:102, 300:560] = 255
    segs = [Segment(pos=100.5, a=20, b=200), Segment(pos=100.5, a=300, b=560)]
    assert len(bridge_dashes(segs, binary, 200, True)) == 2  # a merged cell: no rule there
    binary[85:115, 230:236] = 255  # a glyph's stroke crossing the line: no thin line
    binary[85:115, 260:266] = 255
    assert len(bridge_dashes(segs, binary, 200, True)) == 2


def _grid_with_stroke():
    """3 rows × 2 columns; the column line at x=100 drawn in no row; thin ink on it in row 1."""
    binary = np.zeros((160, 200), np.uint8)
    binary[62:92, 99:101] = 255  # an upright stroke standing on the line (a broken 开)
    rows, cols = [0.0, 50.0, 100.0, 150.0], [0.0, 100.0, 200.0]
    vcov, hcov = np.zeros((3, 3)), np.ones((4, 2))
    vcov[:, 0] = vcov[:, 2] = 1.0
    return binary, rows, cols, vcov, hcov


def test_a_lone_thin_piece_on_a_grid_line_cuts_no_cell_but_is_doubted():
    binary, rows, cols, vcov, hcov = _grid_with_stroke()
    mend_broken_rules(binary, rows, cols, vcov, hcov, 6, 200)
    assert vcov[1, 1] == LONE < PRESENT


def test_a_thin_piece_continuing_a_drawn_rule_is_the_rule():
    binary, rows, cols, vcov, hcov = _grid_with_stroke()
    vcov[0, 1] = 1.0  # the rule is drawn in the row above
    mend_broken_rules(binary, rows, cols, vcov, hcov, 6, 200)
    assert vcov[1, 1] >= PRESENT


def test_bands_of_one_glyph_a_fax_broke_are_one_line():
    glyph = 20.0
    assert _one_line([(10, 10, 20, 18), (10, 20, 22, 30)], glyph) == [(10, 10, 22, 30)]
    two_lines = [(10, 10, 40, 30), (10, 36, 40, 56)]  # a wrapped label
    assert _one_line(two_lines, glyph) == two_lines


def test_a_worn_wu_and_a_broken_glyph_in_a_value_row():
    assert worn_zero("尤") == "0" and worn_zero("尤其") is None and looks_numeric("尤")
    assert garbled("+") and not garbled("4") and not garbled("其他") and not garbled("")


def test_a_traditional_form_read_for_a_label_matches_it():
    assert similarity("規章", "规章") == 1.0
    assert similarity("本年新收政府信息公開申請數量", "本年新收政府信息公开申请数量") == 1.0
