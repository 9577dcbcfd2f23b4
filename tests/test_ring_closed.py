"""A digit's stroke under a black seal's ring: the ring's pixels put back over the digit only."""

import numpy as np

from extractor.ocr.ring_closed import digit_span, ring_over_digits


def _cell():
    """A 60 x 40 cell: a U (a 0 whose top the ring took) at x 20-34, y 15-32; the ring's band
    a horizontal strip at y 8-14 across the whole cell; a speck at (50, 35)."""
    ink = np.zeros((40, 60), np.uint8)
    ink[15:32, 20:23] = 255
    ink[15:32, 31:34] = 255
    ink[29:32, 20:34] = 255
    ink[35, 50] = 255  # a speck: no part of the digit's span
    seal = np.zeros((40, 60), bool)
    seal[8:15, :] = True
    with_ring = ink.copy()
    with_ring[seal] = 255
    gray = np.where(with_ring > 0, 20, 235).astype(np.uint8)
    clean_gray = np.where(ink > 0, 20, 235).astype(np.uint8)
    return ink, with_ring, gray, clean_gray, seal


def test_digit_span_leaves_out_specks():
    ink, *_ = _cell()
    assert digit_span(ink, (0, 0, 60, 40), 200) == (20, 15, 34, 32)
    assert digit_span(np.zeros_like(ink), (0, 0, 60, 40), 200) is None


def test_ring_put_back_over_the_digit_only():
    ink, with_ring, gray, clean_gray, seal = _cell()
    g, k = ring_over_digits([(0, 0, 60, 40)], seal, gray, with_ring, clean_gray, ink, band=10, dpi=200)
    assert k[10, 25] == 255 and g[10, 25] == 20  # the arc over the U closes it
    assert k[10, 5] == 0 and k[10, 45] == 0  # the arc beside the digit stays off
    assert g[10, 45] == 235
    assert ink[10, 25] == 0  # inputs untouched
