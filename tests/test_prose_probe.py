"""The left crop a prose line is probed with for a heading (四、) ends between glyphs, not
inside one (issue 13, 150 dpi): 六、其 cut inside 其 was read 六其 — no heading, and section
六's 信息处理费 was lost."""

from __future__ import annotations

import numpy as np

from extractor.ocr.prose import HEAD_EMS, ProseReader, ProseRow


def _reader(ink: np.ndarray, rows: list[ProseRow]) -> ProseReader:
    return ProseReader(rows, np.full(ink.shape, 255, np.uint8), ink, 30.0, 3, "needed", None)


def test_the_heading_probe_ends_in_the_gap_after_the_glyph_it_would_cut():
    h = 30
    ink = np.zeros((60, 400), np.uint8)
    # glyphs 30 px wide with 6 px gaps from x 10: the 3.2-em mark (x 106) falls inside the third
    for k in range(8):
        ink[15:45, 10 + 36 * k : 40 + 36 * k] = 255
    row = ProseRow(runs=[(10, 15, 298, 15 + h)])
    end = _reader(ink, [row])._probe_end(0)
    assert 10 + int(HEAD_EMS * h) < end <= 118 and not ink[15:45, end].any()


def test_touching_glyphs_or_a_short_line_keep_the_plain_probe():
    h = 30
    ink = np.zeros((60, 400), np.uint8)
    ink[15:45, 10:300] = 255  # no gap anywhere
    reader = _reader(ink, [ProseRow(runs=[(10, 15, 300, 45)]), ProseRow(runs=[(10, 15, 80, 45)])])
    assert reader._probe_end(0) == 10 + int(HEAD_EMS * h)
    assert reader._probe_end(1) == 80  # the whole line is shorter than the probe
