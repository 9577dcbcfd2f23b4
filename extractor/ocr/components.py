"""Connected components of a cell's ink, labelled once however many checks ask.

A value cell passes a dozen small checks (``zero_marks``, ``no_text``, ``minus_sign``, …), each
of which wants the components of the same binary crop: on a page of table 三 two thirds of the
``cv2.connectedComponentsWithStats`` calls were on pixels already labelled (bench_ocr, 6 corpus
table pages: 5,732 of 8,342). ``components`` answers from a small cache keyed by the pixels
themselves (shape, dtype and bytes: equal pixels, equal answer — no identity or mutation
hazard); its arrays are read-only, so a caller that wants to edit them copies.

Shapes: ``binary`` a 2-D uint8 (or bool) image, ink non-zero. Returns ``(n, labels, stats)`` as
OpenCV's: ``n`` components counting the background (label 0), ``labels`` int32 of the image's
shape, ``stats`` (n, 5) int32 rows of x, y, width, height, area (``cv2.CC_STAT_*``).
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

# images larger than this (pixels) are labelled without the cache: a cell is a few thousand
# pixels at 200-600 dpi; a page-sized mask is labelled once and would only crowd the cache out
CACHE_MAX_PX = 100_000
# labellings kept: a cell's checks ask one after another, so a few cells' worth catch every
# repeat (each entry holds the pixels and their labels, 5 bytes a pixel: 512 entries cost a
# worker ~35 MB of peak memory for no more hits)
CACHE_SIZE = 32

Components = tuple[int, np.ndarray, np.ndarray]


def components(binary: np.ndarray, connectivity: int = 8) -> Components:
    """The ``connectivity``-connected (4 or 8) components of ``binary`` (see the module)."""
    a = np.ascontiguousarray(binary, dtype=np.uint8) if binary.dtype == bool else np.ascontiguousarray(binary)
    if a.size > CACHE_MAX_PX:
        return _label(a, connectivity)
    return _cached(a.tobytes(), a.shape, a.dtype.str, connectivity)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached(data: bytes, shape: tuple[int, ...], dtype: str, connectivity: int) -> Components:
    return _label(np.frombuffer(data, dtype=dtype).reshape(shape), connectivity)


def _label(a: np.ndarray, connectivity: int) -> Components:
    n, labels, stats = _label_ink_box(a, connectivity)
    labels.flags.writeable = False
    stats.flags.writeable = False
    return n, labels, stats


def _label_ink_box(a: np.ndarray, connectivity: int) -> Components:
    """OpenCV's labelling of ``a``, computed on the box round its ink only: its statistics cost
    ~3 ns for every pixel, the background's included, and the box round a cell's ink is a
    quarter of its crop on the median (the bench pages' cells). The box starts at an even row and column (OpenCV labels 8-connected ink by 2 x 2
    blocks from the image's corner, numbering components in the order their first blocks come:
    the same blocks, the same numbers), and the background's row of ``stats`` is made what the
    whole image gives: its pixels outside the box added to those inside."""
    h, w = a.shape
    x, y, bw, bh = cv2.boundingRect(a)
    x0, y0, x1, y1 = x & ~1, y & ~1, x + bw, y + bh
    if bw == 0 or (x1 - x0) * (y1 - y0) > 0.8 * h * w:  # no ink, or little to save
        n, labels, stats, _ = cv2.connectedComponentsWithStats(a, connectivity=connectivity)
        return n, labels, stats
    n, part, stats, _ = cv2.connectedComponentsWithStats(a[y0:y1, x0:x1], connectivity=connectivity)
    labels = np.zeros((h, w), np.int32)
    labels[y0:y1, x0:x1] = part
    stats[1:, cv2.CC_STAT_LEFT] += x0
    stats[1:, cv2.CC_STAT_TOP] += y0
    stats[0] = _background(stats[0], (x0, y0, x1, y1), h, w)
    return n, labels, stats


def _background(inside: np.ndarray, box: tuple[int, int, int, int], h: int, w: int) -> np.ndarray:
    """The background's x, y, width, height, area on the whole (h, w) image, from its stats
    within ``box`` (x0, y0, x1, y1; a part of the image holding all the ink, smaller than it):
    every pixel outside the box is background."""
    x0, y0, x1, y1 = box
    boxes = []  # (left, top, right, bottom) exclusive, of background pieces
    if y0 > 0:
        boxes.append((0, 0, w, y0))
    if y1 < h:
        boxes.append((0, y1, w, h))
    if x0 > 0:
        boxes.append((0, 0, x0, h))
    if x1 < w:
        boxes.append((x1, 0, w, h))
    area_in = int(inside[cv2.CC_STAT_AREA])
    if area_in > 0:
        lx, ty = int(inside[0]) + x0, int(inside[1]) + y0
        boxes.append((lx, ty, lx + int(inside[2]), ty + int(inside[3])))
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    outside = h * w - (x1 - x0) * (y1 - y0)
    return np.array([left, top, right - left, bottom - top, area_in + outside], np.int32)
