"""A candidate circle confirmed as a seal's ring at full resolution (``seal.find_ring``'s second
step): ink at one radius at most angles round a refined centre, paper just inside and outside.

The page's ink is given as up to eight masks at once, one bit each of a ``uint8`` image padded by
a row and a column of paper (``ink_bits_in_boxes``): ``find_ring`` tries its masks one after
another on every candidate, and the first search of a candidate's centre — a 7 x 7 grid of
centres, every radius, 180 angles, the search's costliest part — reads the same pixels for
each; one gather of them serves all masks (``RingSearch``). The finer search and the
measurement are each mask's own, as they were.

Units: page pixels; ``dpi`` scales the ring's line (``thick``) and the coarse grid's step.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

MM_PER_INCH = 25.4
# the ring's ink shows at this share of the angles at one radius (table rules and text under
# it hide no part of it; a fax's dropped pixels take a few per cent)
COVERAGE = 0.8
# … and paper shows just inside and outside the band at most angles (a dark blob is no ring)
BESIDE = 0.45
# the five-pointed star at a seal's centre reaches a third of its radius (a 公章's 14 mm star in
# its 42 mm ring; the generator's 0.3): within this share of the inner radius, with its blur
STAR = 0.4
GRID = 3  # the centre searches reach this many steps each way


def _line(dpi: float) -> float:
    """A seal's line, px: ~1 mm (the search looks ± 1.5 mm round Hough's radius, 3 lines)."""
    return max(2.0, dpi / MM_PER_INCH * 1.5)


def _coarse_step(dpi: float) -> float:
    """The coarse centre search's step, px: Hough's centre is a ~50 dpi pixel off."""
    return max(1.0, dpi / 50.0)


@dataclass(frozen=True)
class Ring:
    """A seal's ring, page pixels: centre, inner and outer radius of its band of ink."""

    cx: float
    cy: float
    inner: float
    outer: float

    def in_star(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Which of the pixels (xs, ys; page pixels) lie where the seal's star is (``STAR``)."""
        return np.hypot(xs - self.cx, ys - self.cy) <= STAR * self.inner

    def on_band(self, xs: np.ndarray, ys: np.ndarray, margin: float) -> np.ndarray:
        """Which of the pixels (xs, ys; page pixels) lie on the ring's band or within ``margin``
        px of it (bool, one per pixel)."""
        d = np.hypot(xs - self.cx, ys - self.cy)
        return (d >= self.inner - margin) & (d <= self.outer + margin)


@functools.lru_cache(maxsize=4)
def _directions(n_angles: int) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of ``n_angles`` directions evenly round the circle (read-only arrays)."""
    a = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    cos, sin = np.cos(a), np.sin(a)
    cos.flags.writeable = sin.flags.writeable = False
    return cos, sin


def coverage(ink: np.ndarray, cxs, cys, radii: np.ndarray, n_angles: int = 360,
             bits: tuple[int, ...] = (0,)) -> np.ndarray:
    """Share of ``n_angles`` directions with ink at each radius around each centre of the grid
    ``cys`` x ``cxs`` (row-major: every x for the first y, then the next y), for each mask
    ``bits`` names of ``ink`` (``ink_bits_in_boxes``: uint8, bit m = mask m, its last row and
    column paper). Returns shape (len(bits), len(cys), len(cxs), len(radii)). A sample off the
    page is no ink. x and y are rounded apart (a sample's column depends on its centre's x
    alone), so the grid's samples cost one sum per point."""
    cos, sin = _directions(n_angles)
    h, w = ink.shape[0] - 1, ink.shape[1] - 1
    cxs, cys = np.atleast_1d(np.asarray(cxs, float)), np.atleast_1d(np.asarray(cys, float))
    xs = np.rint(cxs[:, None, None] + (radii[:, None] * cos[None, :])[None]).astype(np.int64)
    ys = np.rint(cys[:, None, None] + (radii[:, None] * sin[None, :])[None]).astype(np.int64)
    xs[(xs < 0) | (xs >= w)] = w  # the padded paper column
    ys[(ys < 0) | (ys >= h)] = h  # the padded paper row
    ys *= w + 1  # each sample's row as its offset in the flat image
    hit = ink.ravel()[ys[:, None] + xs[None, :]]
    counts = [np.bitwise_and(hit, 1 << m).sum(axis=-1, dtype=np.int32) >> m for m in bits]
    return np.stack(counts) / n_angles


class RingSearch:
    """The circle (x, y, r) from Hough (its centre a ~50 dpi pixel off) confirmed against each
    mask of ``ink`` (``confirm``; ``masks``: how many bits ``ink`` holds). Its centre is searched
    coarse, then to a pixel round the coarse best; each search gathers its grid's samples once
    for every mask that asks for it — the coarse one for all masks, the fine one for the masks
    whose coarse best is the same centre — the first time one of them is confirmed."""

    def __init__(self, ink: np.ndarray, x: float, y: float, r: float, dpi: float, masks: int):
        self.ink, self.x, self.y, self.masks = ink, x, y, masks
        self.thick = _line(dpi)
        self.radii = np.arange(max(1.0, r - 3 * self.thick), r + 3 * self.thick, 1.0)
        self.step = _coarse_step(dpi)
        self._coarse: list[tuple[float, float]] | None = None  # each mask's coarse best centre
        self._fine: dict[int, tuple[float, float]] = {}  # each mask's centre to a pixel

    def confirm(self, mask: int) -> Ring | None:
        """The ring measured on mask ``mask`` of the ink, or None when the ink there is no thin
        ring."""
        if self._coarse is None:
            offsets = np.arange(-GRID, GRID + 1) * self.step
            cxs, cys = self.x + offsets, self.y + offsets
            best = coverage(self.ink, cxs, cys, self.radii, 180, tuple(range(self.masks))).max(axis=-1)
            self._coarse = [_best(b, cxs, cys) for b in best]
        if mask not in self._fine:
            centre = self._coarse[mask]
            same = tuple(m for m in range(mask, self.masks) if m not in self._fine and self._coarse[m] == centre)
            offsets = np.arange(-GRID, GRID + 1) * 1.0
            cxs, cys = centre[0] + offsets, centre[1] + offsets
            best = coverage(self.ink, cxs, cys, self.radii, 180, same).max(axis=-1)
            for m, b in zip(same, best):
                self._fine[m] = _best(b, cxs, cys)
        cx, cy = self._fine[mask]
        return _measure(self.ink, mask, cx, cy, self.radii, self.thick)


def _best(best: np.ndarray, cxs: np.ndarray, cys: np.ndarray) -> tuple[float, float]:
    """The centre of the grid ``cys`` x ``cxs`` with the highest share (``best``: (y, x)); the
    first such, rows of y first (as the search was written)."""
    k = int(np.argmax(best))
    return cxs[k % len(cxs)], cys[k // len(cxs)]


def _measure(ink: np.ndarray, mask: int, cx: float, cy: float, radii: np.ndarray, thick: float) -> Ring | None:
    """The ring's band round (cx, cy) on mask ``mask`` of ``ink``: the run of radii
    inked at half the angles round the best one, if that one reaches ``COVERAGE``, the band is
    a line (not ``2.5 * thick`` wide) and paper lies beside it (``BESIDE``)."""
    cov = coverage(ink, cx, cy, radii, bits=(mask,))[0, 0, 0]
    on = np.flatnonzero(cov >= 0.5)
    if cov.max() < COVERAGE or not len(on):
        return None
    peak = int(np.argmax(cov))
    lo = hi = peak
    while lo - 1 >= 0 and cov[lo - 1] >= 0.5:
        lo -= 1
    while hi + 1 < len(cov) and cov[hi + 1] >= 0.5:
        hi += 1
    inner, outer = float(radii[lo]), float(radii[hi])
    if outer - inner > 2.5 * thick:
        return None  # a thick dark area, not a ring's line
    gap = _gap(thick)
    beside = coverage(ink, cx, cy, np.array([inner - 2 * gap, outer + 2 * gap]), bits=(mask,))[0, 0, 0]
    if beside.max() > BESIDE:
        return None
    return Ring(cx=float(cx), cy=float(cy), inner=inner, outer=outer)


def _gap(thick: float) -> float:
    """Half the distance, px, from the ring's band at which ``_measure`` looks for paper beside it."""
    return max(2.0, 0.3 * thick)


def search_box(shape: tuple[int, int], x: float, y: float, r: float, dpi: float) -> tuple[int, int, int, int]:
    """Rows y0:y1 and columns x0:x1 of the page holding every pixel ``RingSearch`` reads for the
    circle (x, y, r): its centre moved by both searches (``GRID`` coarse steps and ``GRID`` px),
    radii to ``3 * thick`` past ``r``, the paper looked at ``2 * gap`` beyond, and a pixel of
    rounding each side (within the page)."""
    h, w = shape
    thick = _line(dpi)
    reach = r + 3 * thick + 2 * _gap(thick) + GRID * _coarse_step(dpi) + GRID + 2
    return (max(0, int(y - reach)), min(h, int(y + reach) + 2), max(0, int(x - reach)), min(w, int(x + reach) + 2))


def ink_bits_in_boxes(gray: np.ndarray, masks, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The page's ink masks as bits of one image (uint8, (H + 1, W + 1): bit m = mask m, the last
    row and column paper), made within ``boxes`` (rows y0:y1, columns x0:x1) only and paper
    elsewhere. ``masks``: (make, margin) pairs, at most 8; ``make`` maps a grey image to its bool
    ink, and one that reads a pixel's neighbours (a box filter) is given ``margin`` px more round
    each box, so a box's pixels are what the whole page gives them (at the page's edge the image
    ends there as the page does)."""
    h, w = gray.shape
    ink = np.zeros((h + 1, w + 1), np.uint8)  # untouched pages of it stay the kernel's zero pages
    for m, (make, margin) in enumerate(masks):
        for y0, y1, x0, x1 in boxes:
            my0, my1, mx0, mx1 = max(0, y0 - margin), min(h, y1 + margin), max(0, x0 - margin), min(w, x1 + margin)
            part = make(gray[my0:my1, mx0:mx1])[y0 - my0 : y1 - my0, x0 - mx0 : x1 - mx0]
            ink[y0:y1, x0:x1] |= part.view(np.uint8) << m
    return ink
