"""Straighten a scanned page's ruling lines: perspective (a photographed page) and curl.

After turning and deskew (``extractor.layout.orient``) a photographed page's rules still
converge (perspective: the verticals lean by different angles, the horizontals fan out) and a
curled page's rules bend near the lifted edge. Column rules that lean differently are, to the
rule finder, different columns at every row; left as they are they split one column into
several and shred the grid.

The page's displacement is measured from its rules (``measure_bend``), as a smooth field
(``Bend``): each rule family (horizontal, vertical) gives one joint least-squares fit in which
every rule has its own offset and all share the field's terms. Shapes and units: grey ``uint8``
(H, W) pages; the fit runs on a copy at ``FIT_DPI``; offsets are pixels of the full page.

Which rules count:

* horizontal rules at least ``H_MIN_INCHES`` long; vertical rules at least ``V_MIN_INCHES``
  (a table whose full-width section rows cut its inner column rules into pieces a few rows
  tall — table 二 — has only its outer frame as long verticals: the frame's two sides fix the
  perspective, the pieces add to it);
* every rule weighs by its length (samples at a fixed step), so a short piece's noisy slope
  cannot outvote a table's frame;
* a rule that the fit does not follow (a residual over ``OUTLIER_INCHES``: text run together
  into a stroke, a pen line, two rules merged at a corner) is dropped and the fit made again.

How many terms a family supports (``_fit``): one rule — its lean only; two or more spread over
a share of the page — lean and perspective (the lean changing across the page); six or more
across the page — the bends of a curl and their change too. A fit that would move any point
more than ``MAX_BEND_INCHES`` is no page flat enough to read, and is not applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FIT_DPI = 100.0  # rules are measured on a copy at this resolution
MAX_BEND_INCHES = 0.6  # a fit that moves any point further than this is not trusted
MIN_BEND_INCHES = 0.012  # a page whose rules bend less than this is left as is (~2.4 px at 200 dpi)
H_MIN_INCHES = 1.5  # horizontal rules at least this long are fitted
V_MIN_INCHES = 0.6  # vertical rules (and pieces of them) at least this long are fitted
SAMPLE_INCHES = 0.03  # one sample of a rule's centre line per this length
OUTLIER_INCHES = 0.03  # a rule whose samples stray from the fit by more than this (RMS) is dropped
SPREAD = 0.2  # two or more rules this far apart (share of the page) fit the perspective term


@dataclass
class Bend:
    """Where each pixel of the straightened page comes from: source = out + (dx, dy), with
    ``dy(x, y) = sum(hy[k] * term_k(u, v))`` (u, v: the point's position from the page centre,
    in page widths and heights) and ``dx`` the same over the swapped axes. Every term vanishes
    on the centre line, so the page centre's position and scale are kept."""

    width: int
    height: int
    hy: np.ndarray  # coefficients of dy
    hx: np.ndarray  # coefficients of dx

    def offsets(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = (x - self.width / 2) / self.width
        v = (y - self.height / 2) / self.height
        dy = _terms(u, v) @ self.hy if self.hy.size else np.zeros_like(u)
        dx = _terms(v, u) @ self.hx if self.hx.size else np.zeros_like(u)
        return dx, dy

    def to_source(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = self.offsets(np.array([float(x)]), np.array([float(y)]))
        return float(x + dx[0]), float(y + dy[0])


N_TERMS = 6


def _terms(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Displacement along v of a line running along u: a slope that changes across the page
    (perspective), a bend (curl), each varying with the line's position."""
    u = np.asarray(u, np.float64)
    v = np.asarray(v, np.float64)
    return np.stack([u, u * v, u * u, u * u * v, u * v * v, u ** 3], axis=-1)


Line = tuple[np.ndarray, np.ndarray]  # (along, across) samples of one rule's centre line


def _rule_samples(mask: np.ndarray, min_len: int, step: int) -> list[Line]:
    """(along, across) centre samples, one per ``step`` px, of each long thin component of a
    rule mask (horizontal rules; pass the transpose for vertical ones)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < min_len or h > 0.15 * w:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        cnt = np.bincount(xs, minlength=w)
        sums = np.bincount(xs, weights=ys, minlength=w)
        ok = np.flatnonzero(cnt > 0)
        if len(ok) < 10:
            continue
        ok = ok[:: max(1, step)]
        out.append((x + ok.astype(np.float64), y + sums[ok] / cnt[ok]))
    return out


def _n_terms(lines: list[Line], size_along: float, size_across: float) -> int:
    """How many of the field's terms the rules can tell from noise (see the module's docstring)."""
    offsets = [float(np.median(c)) for _, c in lines]
    spread = (max(offsets) - min(offsets)) / size_across
    reach = (max(float(a.max()) for a, _ in lines) - min(float(a.min()) for a, _ in lines)) / size_along
    if len(lines) >= 6 and spread >= 0.3 and reach >= 0.5:
        return N_TERMS
    if len(lines) >= 2 and spread >= SPREAD:
        return 2
    return 1


def _solve(lines: list[Line], size_along: float, size_across: float, keep: int
           ) -> tuple[np.ndarray, list[float]]:
    """Joint least squares: across = offset_line + terms(along, offset) @ coeffs (the first
    ``keep`` terms). The coefficients and each line's RMS residual (px). Each line's own offset
    is taken out by centring its samples and their terms on the line's means (the same
    solution as one unknown per line, without a column per line)."""
    offsets = [float(np.median(c)) for _, c in lines]
    blocks, rhs, sizes = [], [], []
    for (a, c), off in zip(lines, offsets):
        u = (a - size_along / 2) / size_along
        v = np.full_like(u, (off - size_across / 2) / size_across)
        t = _terms(u, v)[:, :keep]
        blocks.append(t - t.mean(axis=0))
        rhs.append(c - c.mean())
        sizes.append(len(a))
    A = np.vstack(blocks)
    b = np.concatenate(rhs)
    sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    res = b - A @ sol
    bounds = np.cumsum([0] + sizes)
    rms = [float(np.sqrt(np.mean(res[i:j] ** 2))) for i, j in zip(bounds[:-1], bounds[1:])]
    coeffs = np.zeros(N_TERMS)
    coeffs[:keep] = sol
    return coeffs, rms


def _fit(lines: list[Line], size_along: float, size_across: float, outlier: float) -> np.ndarray | None:
    """The field's coefficients for one family of rules, or None with no rule to go by. Rules
    the first fit does not follow (RMS residual over ``outlier`` px) are dropped, and it is made
    again on the rest."""
    if not lines:
        return None
    coeffs, rms = _solve(lines, size_along, size_across, _n_terms(lines, size_along, size_across))
    kept = [ln for ln, r in zip(lines, rms) if r <= outlier]
    if len(kept) < len(lines):
        if not kept:
            return None
        coeffs, _ = _solve(kept, size_along, size_across, _n_terms(kept, size_along, size_across))
    return coeffs


def measure_bend(gray: np.ndarray, dpi: float) -> Bend | None:
    """The page's bend measured from its ruling lines (at ``FIT_DPI``), or None when the rules
    are straight to within ``MIN_BEND_INCHES``, too few to tell, or the fit implausible."""
    from extractor.layout.orient import binarize

    h, w = gray.shape[:2]
    f = min(1.0, FIT_DPI / dpi)
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA) if f < 1 else gray
    sdpi = dpi * f
    binary = binarize(small, sdpi)
    # rules kept by an opening along them, after a dilation across them: a rule leaning by 1 in
    # 15 (a photographed page's side) is still one run within the opening's length
    k = max(9, int(sdpi * 0.3))
    across = np.ones((3, 1), np.uint8)
    hmask = cv2.morphologyEx(cv2.dilate(binary, across), cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vmask = cv2.morphologyEx(cv2.dilate(binary, across.T), cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    sh, sw = small.shape[:2]
    step = max(1, int(round(sdpi * SAMPLE_INCHES)))
    hl = _rule_samples(hmask, int(sdpi * H_MIN_INCHES), step)
    vl = _rule_samples(np.ascontiguousarray(vmask.T), int(sdpi * V_MIN_INCHES), step)
    outlier = max(1.0, sdpi * OUTLIER_INCHES)
    hy = _fit(hl, sw, sh, outlier)
    hx = _fit(vl, sh, sw, outlier)
    if hy is None and hx is None:
        return None
    bend = Bend(width=sw, height=sh, hy=hy if hy is not None else np.zeros(0),
                hx=hx if hx is not None else np.zeros(0))
    # the largest displacement over the page, in inches
    xs = np.linspace(0, sw, 9)
    ys = np.linspace(0, sh, 9)
    gx, gy = np.meshgrid(xs, ys)
    dx, dy = bend.offsets(gx.ravel(), gy.ravel())
    worst = float(max(np.abs(dx).max(), np.abs(dy).max())) / sdpi
    if worst < MIN_BEND_INCHES or worst > MAX_BEND_INCHES:
        return None  # straight; or a fit no page photographed flat enough to read could give
    # back to the full page's pixels: offsets scale with the page
    return Bend(width=w, height=h, hy=bend.hy / f, hx=bend.hx / f)


def warp(gray: np.ndarray, bend: Bend) -> np.ndarray:
    """``gray`` resampled through ``bend`` (white where the source lies outside the page)."""
    h, w = gray.shape[:2]
    step = 16  # offsets vary slowly: computed on a coarse lattice, scaled up
    xs = np.arange(0, w + step, step, dtype=np.float64)
    ys = np.arange(0, h + step, step, dtype=np.float64)
    gx, gy = np.meshgrid(xs, ys)
    dx, dy = bend.offsets(gx.ravel(), gy.ravel())
    dx = dx.reshape(gx.shape).astype(np.float32)
    dy = dy.reshape(gx.shape).astype(np.float32)
    big = (len(xs) * step, len(ys) * step)
    map_x = np.ascontiguousarray(cv2.resize(dx, big, interpolation=cv2.INTER_LINEAR)[:h, :w])
    map_x += np.arange(w, dtype=np.float32)[None, :]
    map_y = np.ascontiguousarray(cv2.resize(dy, big, interpolation=cv2.INTER_LINEAR)[:h, :w])
    map_y += np.arange(h, dtype=np.float32)[:, None]
    return cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def straighten(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, Bend | None]:
    """``gray`` with its ruling lines made straight (perspective, curl), and the ``Bend`` used
    (None: the page was straight and is returned as is). Shapes kept."""
    bend = measure_bend(gray, dpi)
    if bend is None:
        return gray, None
    return warp(gray, bend), bend
