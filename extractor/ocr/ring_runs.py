"""A black seal's ring, told from the digits it passes over by its ink's run across the band.

``extractor.ocr.seal.ring_mask`` takes off a black seal's band, grown each side for a binarised
page's thicker, blurred ring. A digit the ring passes over (a 0 whose loop the arc runs
through, fax seed 933's 10; a 3's bowl beside it) lies inside that grown band and went with
it: the cell read '' or a mark. Along each radius the ring's own ink is one run of about the
ring's width; a digit's stroke apart from it, inside the grown band, is another run with paper
between, and stays. Only the run through the ring's middle (the radius nearest it that holds
ink) is the ring's, with ``RIM`` px each side (its blurred edge, which read as 二 when left).

A run much longer than the ring's usual one (``LONG`` × the median of all angles') is a stroke
lying on the ring along that radius: such an angle is left to ``ring_mask``'s crossing rule.
"""

from __future__ import annotations

import numpy as np

# px each side of the ring's run taken with it: its blurred rim (lighter than the ink threshold)
RIM = 1.5
# a run this many times the ring's usual width holds a stroke as well
LONG = 1.8


def ring_runs(ink: np.ndarray, cx: float, cy: float, mid: float, lo: float, hi: float,
              n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ring's run of ink along each of ``n`` radii (angles 2πk/n from the +x axis).

    ``ink``: bool page mask (True = ink); ``cx, cy``: centre, px; ``mid``: the ring's middle
    radius; ``lo, hi``: the radii searched (the grown band). Returns (start, end, long) per
    angle: radii (px) of the run holding the ink nearest ``mid`` (NaN where the radius holds
    none), and whether that run is ``LONG`` (a stroke on the ring there)."""
    h, w = ink.shape
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rs = np.arange(np.floor(lo), np.ceil(hi) + 1.0)
    xs = np.clip(np.rint(cx + rs[None, :] * np.cos(a)[:, None]).astype(int), 0, w - 1)
    ys = np.clip(np.rint(cy + rs[None, :] * np.sin(a)[:, None]).astype(int), 0, h - 1)
    on = ink[ys, xs]  # (n, radii)
    start = np.full(n, np.nan)
    end = np.full(n, np.nan)
    k_mid = int(np.argmin(np.abs(rs - mid)))
    for i in np.nonzero(on.any(axis=1))[0]:
        row = on[i]
        hits = np.nonzero(row)[0]
        k = int(hits[np.argmin(np.abs(hits - k_mid))])
        a0 = k
        while a0 > 0 and row[a0 - 1]:
            a0 -= 1
        b0 = k
        while b0 < len(row) - 1 and row[b0 + 1]:
            b0 += 1
        start[i], end[i] = rs[a0], rs[b0]
    width = end - start + 1
    typical = float(np.nanmedian(width)) if np.isfinite(width).any() else 0.0
    long = np.isfinite(width) & (width > LONG * typical)
    return start, end, long


def ring_run_pixels(d: np.ndarray, bins: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Pixels on the ring's own run (bool, ``d``'s shape): ``d`` the pixels' radius, ``bins``
    their angle's index into ``start``/``end`` (``ring_runs``), ``RIM`` px each side."""
    s, e = start[bins], end[bins]
    with np.errstate(invalid="ignore"):
        return (d >= s - RIM) & (d <= e + RIM)
