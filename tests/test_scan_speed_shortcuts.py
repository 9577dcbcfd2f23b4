"""The scan path's shortcuts give what the long way gives: the cell checks' labelling cache and
its labelling on the ink's box (``extractor.ocr.components``), the dense-ink mask of the
black-ring search as a box sum (``seal._dense_ink``), the pen search cut to the page's bluish
part (``pen._bluish_box``), the colour steps made band by band (``pen._blueness``,
``orient._redness``) and the prose lines' smear and pieces (``prose_lines``)."""

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


@pytest.mark.parametrize("line_px,grey", [(2, 110), (2, 150), (3, 180), (4, 170), (7, 15)])
def test_thin_light_rings_are_found_as_the_full_search_finds_them(line_px, grey):
    """A seal's ring drawn thin and light (0.25-0.4 mm at 200 dpi, a grey scan of a worn stamp)
    is found: a cheaper gate before the full search, tried for speed, dropped such rings (a
    verifier's sweep: 89 of 896 rings at 0.2-0.6 mm lost) and is not used."""
    page = _page(ring=False)
    ring = np.zeros_like(page)
    cv2.circle(ring, (560, 700), 150, 255, line_px)
    page = cv2.GaussianBlur(np.where(ring > 0, np.minimum(page, grey), page).astype(np.uint8), (3, 3), 0)
    found = seal.find_ring(page, DPI)
    assert found is not None and abs(found.cx - 560) <= 3 and abs(found.cy - 700) <= 3


def test_dense_ink_box_sum_is_the_mean_it_replaces():
    rng = np.random.default_rng(4)
    for dpi in (96, 150, 200, 300, 600):
        k = max(3, int(round(dpi / seal.MM_PER_INCH)))
        gray = np.where(rng.random((300, 260)) < 0.27, 30, 230).astype(np.uint8)
        mean = cv2.blur((gray < 130).astype(np.float32), (k, k)) >= 0.25
        assert np.array_equal(seal._dense_ink(gray, dpi, 130), mean), dpi


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


@pytest.mark.parametrize("connectivity", [4, 8])
def test_labelling_on_the_inks_box_is_opencvs_on_the_whole_crop(connectivity):
    """``components._label_ink_box`` (labelled on the ink's box from an even row and column):
    OpenCV's labels and statistics of the whole crop, the background's row included — on ink
    anywhere in the crop, at its edges too, and in boxes starting at odd rows and columns (where
    a box taken as it is renumbers 8-connected components)."""
    from extractor.ocr.components import _label_ink_box

    rng = np.random.default_rng(11)
    for t in range(1500):
        h, w = int(rng.integers(1, 60)), int(rng.integers(1, 120))
        a = np.zeros((h, w), np.uint8)
        bh, bw = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
        y, x = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
        a[y : y + bh, x : x + bw] = (rng.random((bh, bw)) < rng.random() * 0.7) * 255
        if t % 3 == 0:
            a = cv2.dilate(a, np.ones((2, 2), np.uint8))
        n0, labels0, stats0, _ = cv2.connectedComponentsWithStats(a, connectivity=connectivity)
        n, labels, stats = _label_ink_box(a, connectivity)
        assert n == n0 and np.array_equal(labels, labels0) and np.array_equal(stats, stats0), t


def test_prose_smear_and_pieces_by_bands_and_contours_are_the_labellings():
    """``prose_lines._smeared_boxes`` (the smear dilated and traced band by band) gives the boxes
    of the whole page's dilation, and ``_piece_boxes`` (outer contours) the boxes labelling
    gives, ink at the crop's edges included."""
    from extractor.grid.page_lines import component_boxes
    from extractor.ocr.prose_lines import _piece_boxes, _smeared_boxes

    rng = np.random.default_rng(12)
    for _ in range(200):
        h, w = int(rng.integers(20, 300)), int(rng.integers(20, 200))
        a = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(0, 25))):
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            a[y : y + int(rng.integers(1, 12)), x : x + int(rng.integers(1, 30))] = 255
        for kx, ky in ((18, 2), (3, 1), (27, 4)):
            whole = component_boxes(cv2.dilate(a, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, ky))))
            assert sorted(_smeared_boxes(a, kx, ky)) == sorted(whole)
        n, _, stats, _ = cv2.connectedComponentsWithStats(a, connectivity=8)
        assert sorted(_piece_boxes(a)) == sorted(tuple(int(v) for v in s[:4]) for s in stats[1:])


def test_banded_colour_steps_are_the_whole_page_steps():
    """``pen._blueness`` and ``orient._redness``, made a band of rows at a time with the channels
    split once, equal the same steps on the whole page (a page whose height is no multiple of
    the band, with a yellowed paper and blue, red and black ink)."""
    from extractor.layout.orient import _redness
    from extractor.ocr.pen import BALANCED_PAPER

    rng = np.random.default_rng(13)
    rgb = rng.integers(0, 256, (203, 157, 3), dtype=np.uint8)
    rgb[:, :, 2] = (rgb[:, :, 2] * 0.9).astype(np.uint8)  # paper short of blue
    r, g, b = (np.ascontiguousarray(rgb[:, :, i]) for i in range(3))
    assert np.array_equal(_redness(rgb), cv2.subtract(r, np.maximum(g, b)))
    paper = np.percentile(rgb[::7, ::7].reshape(-1, 3), 90, axis=0)
    scaled = [cv2.convertScaleAbs(c, alpha=BALANCED_PAPER / max(float(p), 1.0)) for c, p in zip((r, g, b), paper)]
    whole = cv2.convertScaleAbs(cv2.subtract(scaled[2], np.maximum(scaled[0], scaled[1])), alpha=255.0 / BALANCED_PAPER)
    tint = int(np.median(whole[::7, ::7]))
    assert np.array_equal(_blueness(rgb), cv2.subtract(whole, tint) if tint > 0 else whole)
