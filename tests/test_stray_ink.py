"""Specks beside a cell's text on a 150 dpi fax (issue 13): read with the text they became part
of it — 1 read 11 (a speck line under the 1), 0 read 0E or 0≈ (specks after it; fax+dpi150
seed 1601). ``drop_stray_ink`` leaves them out of the crops and the cell is doubted; a minus's
bar before the digits and the digits of a wide number are kept."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.cells import _cell_job, _cell_layout
from extractor.ocr.no_text import drop_stray_ink

DPI = 200
GLYPH = 22.0


def _cell(text: str, specks: list[tuple[int, int]] = (), bar: bool = False) -> tuple[np.ndarray, tuple]:
    """A 200x60 px cell (page grey, 0 = ink) with ``text`` drawn at x=60, specks at ``specks``
    (cell px: 6x5 px, big enough that they are not dust far from a glyph), a minus's bar before
    the text when ``bar``. Returns (grey page, cell box)."""
    page = np.full((100, 260), 255, np.uint8)
    cv2.putText(page, text, (80, 62), cv2.FONT_HERSHEY_SIMPLEX, 0.75, 0, 2)
    if bar:
        page[51:54, 62:75] = 0
    for x, y in specks:
        page[20 + y : 25 + y, 20 + x : 26 + x] = 0
    return page, (20, 20, 220, 80)


def _job(page, box):
    ink = np.where(page < 128, 255, 0).astype(np.uint8)
    return _cell_job(page, _cell_layout(ink, box, DPI), GLYPH)


def test_a_speck_line_under_a_digit_is_left_out_and_doubted():
    page, box = _cell("1", specks=[(64, 50)])
    job = _job(page, box)
    assert len(job.boxes) == 1 and len(job.crops) == 1
    assert job.boxes[0][3] - job.boxes[0][1] >= 0.6 * GLYPH
    assert job.stray


def test_specks_after_a_digit_past_a_blank_are_trimmed():
    page, box = _cell("0", specks=[(100, 30), (110, 33)])
    job = _job(page, box)
    assert len(job.boxes) == 1
    x0, _, x1, _ = job.boxes[0]
    assert x1 - x0 < 0.8 * GLYPH  # the 0 alone, not the specks 1.5 glyphs to its right
    assert job.stray


def test_a_clean_number_and_a_minus_are_kept_whole():
    page, box = _cell("10")
    job = _job(page, box)
    assert len(job.boxes) == 1 and not job.stray and not job.doubt
    wide = job.boxes[0][2] - job.boxes[0][0]
    page, box = _cell("3", bar=True)
    job = _job(page, box)
    assert job.boxes[0][0] <= 20 + 42 + 1  # the bar (x 62) is in the line
    assert not job.stray and not job.doubt and wide > 0


def test_lines_of_a_wrapped_label_are_not_specks():
    ink = np.zeros((80, 200), np.uint8)
    ink[5:27, 10:150] = 255   # a line of text
    ink[40:62, 10:60] = 255   # its second line, short but glyph-tall
    pieces = [(10, 5, 150, 27), (10, 40, 60, 62)]
    out, _, dropped = drop_stray_ink(pieces, ink, (0, 0), GLYPH)
    assert out == pieces and not dropped


def test_a_speck_over_a_digit_is_left_out_undoubted_but_the_dot_of_a_cjk_glyph_is_not():
    page, box = _cell("0", specks=[(64, 14)])  # just over the 0's top (its top is ~y 27 in the cell)
    ink = np.where(page < 128, 255, 0).astype(np.uint8)
    sub = ink[20:80, 20:220].copy()
    ys = np.flatnonzero(sub.any(axis=1))
    pieces = [(20 + 60, 20 + int(ys[0]), 20 + 80, 20 + int(ys[-1]) + 1)]
    out, clean, dropped = drop_stray_ink(pieces, sub, (20, 20), GLYPH)
    assert not dropped and out[0][1] > pieces[0][1] and not clean[14:19].any()
    # 六: a dot over a wide stroke and two short ones — not a line of digits, its dot stays
    ink = np.zeros((40, 40), np.uint8)
    ink[2:6, 18:23] = 255
    ink[9:12, 4:36] = 255
    ink[16:30, 10:14] = 255
    ink[16:30, 26:30] = 255
    out, clean, dropped = drop_stray_ink([(0, 2, 40, 30)], ink, (0, 0), GLYPH)
    assert not dropped and clean is ink


def test_a_cjk_glyph_a_fax_broke_into_low_pieces_is_not_trimmed_as_specks():
    # 其 他 on a fax: 其 in four pieces none taller than 0.3 glyph, spanning the glyph's height
    ink = np.zeros((30, 80), np.uint8)
    for y in (2, 8, 14, 20):
        ink[y : y + 5, 4:24] = 255
    ink[2:24, 40:60] = 255  # 他, whole
    out, clean, dropped = drop_stray_ink([(0, 2, 60, 25)], ink, (0, 0), GLYPH)
    assert out == [(0, 2, 60, 25)] and not dropped


def test_a_line_of_specks_at_two_heights_over_a_glyph_is_left_out_and_doubted():
    """Dust over 无 in a tall cell (faded, low-quality JPEG at 150 dpi, seed 95011): two specks at
    different heights make a band a glyph tall, read 11 before the 无 — 11无, no value. A line
    with no piece a glyph tall and no bar, beside a line with one, is specks; a wide bar (一, a
    dash) over a glyph stays."""
    ink = np.zeros((90, 80), np.uint8)
    ink[2:12, 10:14] = 255    # a speck 10 px tall ...
    ink[20:31, 30:36] = 255   # ... and one 11 px tall lower down: one "line" 29 px tall
    ink[55:83, 20:48] = 255   # 无, glyph-tall
    pieces = [(10, 2, 36, 31), (20, 55, 48, 83)]
    out, clean, dropped = drop_stray_ink(pieces, ink, (0, 0), 28.0)
    assert out == [(20, 55, 48, 83)] and dropped and not clean[:40].any()
    ink[20:31, 30:36] = 0
    ink[20:23, 10:40] = 255   # a bar instead of the lower speck: a stroke, the line stays
    out, _, dropped = drop_stray_ink([(10, 2, 40, 23), (20, 55, 48, 83)], ink, (0, 0), 28.0)
    assert len(out) == 2
