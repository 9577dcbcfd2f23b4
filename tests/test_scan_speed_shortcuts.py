"""The scan path's shortcuts give what the long way gives: the cell checks' labelling cache
(``extractor.ocr.components``), the black-ring search's gate (``seal._may_hold_ring``) and the
pen search cut to the page's bluish part (``pen._bluish_box``)."""

import cv2
import numpy as np
import pytest

from extractor.ocr import seal
from extractor.ocr.components import components
from extractor.ocr.pen import _blueness, _pen_in, pen_ink
from tests.test_seal import DPI, _page


def _cell() -> np.ndarray:
    sub = np.zeros((30, 60), np.uint8)
    cv2.putText(sub, "10", (5, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    sub[2, 50] = 255  # a speck
    return sub


@pytest.mark.parametrize("connectivity", [4, 8])
def test_components_are_opencvs_and_read_only(connectivity):
    sub = _cell()
    n, labels, stats = components(sub, connectivity)
    n0, labels0, stats0, _ = cv2.connectedComponentsWithStats(sub, connectivity=connectivity)
    assert n == n0 and np.array_equal(labels, labels0) and np.array_equal(stats, stats0)
    again = components(sub.copy(), connectivity)  # the same pixels in another array: the same answer
    assert again[1] is labels
    with pytest.raises(ValueError):
        labels[0, 0] = 7  # shared by every caller: nobody may edit it


def test_components_follow_the_pixels_not_the_array():
    sub = _cell()
    n, _, _ = components(sub)
    sub[:, 40:] = 0  # edited in place: the speck and part of the 0 go
    n2, labels2, _ = components(sub)
    assert n2 == cv2.connectedComponentsWithStats(sub, connectivity=8)[0] and n2 != n
    assert components(sub.astype(bool))[0] == n2  # bool ink is the same ink


def test_ring_gate_passes_a_ring_and_spares_a_table(monkeypatch):
    calls = []
    confirm = seal._confirm
    monkeypatch.setattr(seal, "_confirm", lambda *a: calls.append(a) or confirm(*a))
    assert seal.find_ring(_page(ring=False), DPI) is None
    assert calls == []  # no candidate of the plain table reaches the three full searches
    ring = seal.find_ring(_page(), DPI)
    assert ring is not None and abs(ring.cx - 560) <= 3 and abs(ring.cy - 700) <= 3


def test_ring_gate_is_no_stricter_than_the_search():
    """Every candidate the full search confirms passes the gate: here a ring a fax broke into
    specks (a quarter of its pixels dropped), found by the dense-ink mask."""
    page = _page(ring=False)
    ring = np.zeros_like(page)
    cv2.circle(ring, (560, 700), 150, 255, 7)
    drop = np.random.default_rng(3).random(page.shape) < 0.25
    page[(ring > 0) & ~drop] = 15
    found = seal.find_ring(page, DPI)
    assert found is not None and abs(found.cx - 560) <= 3


def _ticked(h: int = 900, w: int = 700) -> np.ndarray:
    page = np.zeros((h, w, 3), np.uint8)
    page[:] = (236, 232, 214)
    rng = np.random.default_rng(2)
    for y in range(60, h - 40, 50):
        cv2.putText(page, str(int(rng.integers(0, 999))), (80, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (25, 25, 25), 2)
    cv2.rectangle(page, (300, 100), (600, 160), (200, 215, 240), -1)  # a header shaded light blue
    cv2.polylines(page, [np.array([[400, 500], [420, 530], [460, 470]], np.int32)], False, (40, 50, 150), 3)
    cv2.polylines(page, [np.array([[90, 700], [104, 716], [126, 690]], np.int32)], False, (110, 120, 175), 2)
    return cv2.GaussianBlur(page, (3, 3), 0)


def test_pen_cut_to_the_bluish_part_is_the_pen_of_the_whole_page():
    page = _ticked()
    pen = pen_ink(page)
    assert pen is not None and pen[470:531, 400:461].any() and pen[690:717, 90:127].any()
    grey = cv2.cvtColor(page[::7, ::7].copy(), cv2.COLOR_RGB2GRAY)
    whole = _pen_in(page, _blueness(page), float(np.percentile(grey, 90)))
    assert np.array_equal(pen, whole)
