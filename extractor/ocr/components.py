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
    n, labels, stats, _ = cv2.connectedComponentsWithStats(a, connectivity=connectivity)
    labels.flags.writeable = False
    stats.flags.writeable = False
    return n, labels, stats
