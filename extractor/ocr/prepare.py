"""Page preparation for real scans: the grey page's contrast made even before anything is read.

A scanner or a phone gives paper that is not white (yellowed, tinted), light that is not even
(a shadow across the page, a darker spine), ink that is not black (a faded print, a toner
running low: glyphs at grey 110–130 on paper at 235) and cells printed with a grey fill (a
shaded header). The rule finder's adaptive threshold copes with most of that, but the crops the
recogniser reads and the ink masks that compare them (``recognize_unique``) take the grey as it
is: a faded 7 at grey 120 is, below a fixed threshold, a speck or two, and two such specks look
like the same print.

``flatten_contrast`` divides the page by its background (the paper's own light, measured at
~50 dpi by a max filter wider than any glyph stroke, so text, rules and pen marks do not count
but a shaded cell or a shadow does) and then stretches the ink: the page's darkest ink goes to
near black, its paper to white. Shapes: grey ``uint8`` (H, W) in, the same shape out. The gain
is capped (``MAX_GAIN``) so a blank page's noise is not blown up into ink.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BACKGROUND_DPI = 50.0  # the background is measured on a copy at this resolution
BACKGROUND_INCHES = 0.22  # max-filter width: wider than a stroke of body text or of a heading
INK_TARGET = 24  # the page's dark ink is mapped to this grey
MAX_GAIN = 4.0  # at most this stretch of the ink's contrast
INK_PERCENTILE = 3  # of the pixels darker than the paper: the page's dark ink level
EVEN_GAIN = 1.25  # a page whose ink needs less stretch than this …
EVEN_LIGHT = 30  # … and whose paper's light varies by less than this (grey levels) is left as is


def background(gray: np.ndarray, dpi: float, shape: tuple[int, int] | None = None) -> np.ndarray:
    """The paper's brightness under every pixel (uint8), at ``shape`` (rows, cols; default the
    page's): a grey closing at ~``BACKGROUND_DPI`` (ink is darker than the paper around it:
    strokes narrower than the kernel vanish, a shaded cell's or a shadow's edge stays sharp),
    smoothed, scaled."""
    h, w = gray.shape[:2]
    f = min(1.0, BACKGROUND_DPI / max(dpi, 1.0))
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA) if f < 1 else gray
    k = max(3, int(round(BACKGROUND_INCHES * dpi * f)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (3, 3), 0)
    rows, cols = shape if shape is not None else (h, w)
    if bg.shape[:2] != (rows, cols):
        bg = cv2.resize(bg, (cols, rows), interpolation=cv2.INTER_LINEAR)
    return np.maximum(bg, 1)


def _light_range(bg: np.ndarray, blocks: tuple[int, int] = (8, 6)) -> tuple[float, float]:
    """The lowest and highest light over a coarse lattice of the page (each block's upper
    quartile): a gradient or a shadow across the page shows, a shaded table row (a small part
    of any block) does not — shading alone is the adaptive threshold's to handle, and
    flattening it where a lifted seal crosses it leaves grey arcs."""
    h, w = bg.shape[:2]
    by, bx = blocks
    vals = [float(np.percentile(bg[i * h // by : (i + 1) * h // by, j * w // bx : (j + 1) * w // bx], 75))
            for i in range(by) for j in range(bx) if h // by and w // bx]
    if not vals:
        return 0.0, 0.0
    return min(vals), max(vals)


STRIP_ROWS = 256  # the full page is stretched this many rows at a time (float32 only per strip)


def flatten_contrast(gray: np.ndarray, dpi: float) -> np.ndarray:
    """``gray`` divided by its background and its ink stretched (see the module's docstring).
    The page's levels are measured on every 4th pixel; a page of dark ink on evenly lit paper
    is returned as it is (the same array)."""
    if gray.ndim != 2 or gray.size == 0 or min(gray.shape) < 8:
        return gray
    sample_gray = gray[::4, ::4]
    bg_sample = background(gray, dpi, sample_gray.shape[:2]).astype(np.float32)
    sample = sample_gray.astype(np.float32) / bg_sample  # paper ~1, ink < 1
    paper = float(np.percentile(sample, 60))  # most of a page is paper
    darker = sample[sample < 0.8 * paper]
    if darker.size < 50:
        return gray  # no ink to stretch
    ink = float(np.percentile(darker, INK_PERCENTILE))
    span = max(paper - ink, 1e-3)
    gain = min(MAX_GAIN, (255.0 - INK_TARGET) / (255.0 * span))
    lo, hi = _light_range(bg_sample)
    if gain < EVEN_GAIN and hi - lo < EVEN_LIGHT:
        # dark ink on evenly lit paper: nothing to mend, and the division would only sharpen
        # the paper's noise (specks beside a dash make it two strokes)
        return gray
    bg = background(gray, dpi)
    out = np.empty_like(gray)
    for y in range(0, gray.shape[0], STRIP_ROWS):
        ratio = gray[y : y + STRIP_ROWS].astype(np.float32) / bg[y : y + STRIP_ROWS]
        # paper -> 255; the ink level -> INK_TARGET (or as near as the capped gain allows)
        out[y : y + STRIP_ROWS] = np.clip(255.0 - (paper - ratio) * (255.0 * gain), 0, 255).astype(np.uint8)
    return out


# --------------------------------------------------------------------------------------------
# straightening: perspective (a photographed page) and curl, from the ruling lines
# --------------------------------------------------------------------------------------------

FIT_DPI = 100.0  # rules are measured on a copy at this resolution
MAX_BEND_INCHES = 0.6  # a fit that moves any point further than this is not trusted
MIN_BEND_INCHES = 0.012  # a page whose rules bend less than this is left as is (~2.4 px at 200 dpi)


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


def _terms(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Displacement along v of a line running along u: a slope that changes across the page
    (perspective), a bend (curl), each varying with the line's position."""
    u = np.asarray(u, np.float64)
    v = np.asarray(v, np.float64)
    return np.stack([u, u * v, u * u, u * u * v, u * v * v, u ** 3], axis=-1)


def _rule_samples(mask: np.ndarray, min_len: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(along, across) centre samples of each long thin component of a rule mask (horizontal)."""
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
        ok = ok[:: max(1, len(ok) // 60)]
        out.append((x + ok.astype(np.float64), y + sums[ok] / cnt[ok]))
    return out


def _fit(lines: list[tuple[np.ndarray, np.ndarray]], size_along: float, size_across: float) -> np.ndarray | None:
    """Joint least squares: across = offset_line + terms(along, offset) @ coeffs. Few lines, or
    lines bunched in a strip of the page, fit only the two perspective terms (u, u·v): the
    bends and their variation need lines across the page to be told from noise."""
    if len(lines) < 3:
        return None
    rows, rhs = [], []
    n = len(lines)
    offsets = [float(np.median(c)) for _, c in lines]
    spread = (max(offsets) - min(offsets)) / size_across
    reach = (max(float(a.max()) for a, _ in lines) - min(float(a.min()) for a, _ in lines)) / size_along
    full = len(lines) >= 6 and spread >= 0.3 and reach >= 0.5
    n_terms = _terms(np.zeros(1), np.zeros(1)).shape[1]
    keep = n_terms if full else 2
    for i, (a, c) in enumerate(lines):
        u = (a - size_along / 2) / size_along
        v = np.full_like(u, (offsets[i] - size_across / 2) / size_across)
        t = _terms(u, v)
        t[:, keep:] = 0.0
        onehot = np.zeros((len(a), n))
        onehot[:, i] = 1.0
        rows.append(np.hstack([t, onehot]))
        rhs.append(c)
    A = np.vstack(rows)
    b = np.concatenate(rhs)
    sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    return sol[:n_terms]


def measure_bend(gray: np.ndarray, dpi: float) -> Bend | None:
    """The page's bend measured from its long ruling lines (at ``FIT_DPI``), or None when the
    rules are straight to within ``MIN_BEND_INCHES`` or too few to tell."""
    from extractor.layout.orient import binarize

    h, w = gray.shape[:2]
    f = min(1.0, FIT_DPI / dpi)
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA) if f < 1 else gray
    sdpi = dpi * f
    binary = binarize(small, sdpi)
    k = max(9, int(sdpi * 0.3))
    hmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    sh, sw = small.shape[:2]
    hl = _rule_samples(hmask, int(sdpi * 1.5))
    vl = [(a, c) for a, c in _rule_samples(np.ascontiguousarray(vmask.T), int(sdpi * 1.0))]
    hy = _fit(hl, sw, sh)
    hx = _fit(vl, sh, sw)
    if hy is None and hx is None:
        return None
    bend = Bend(width=sw, height=sh, hy=hy if hy is not None else np.zeros(0),
                hx=hx if hx is not None else np.zeros(0))
    # the largest displacement over the page's ruled area, in inches
    xs = np.linspace(0, sw, 9)
    ys = np.linspace(0, sh, 9)
    gx, gy = np.meshgrid(xs, ys)
    dx, dy = bend.offsets(gx.ravel(), gy.ravel())
    worst = float(max(np.abs(dx).max(), np.abs(dy).max())) / sdpi
    if worst < MIN_BEND_INCHES or worst > MAX_BEND_INCHES:
        return None  # straight; or a fit no page photographed flat enough to read could give
    # back to the full page's pixels: offsets scale with the page
    return Bend(width=w, height=h, hy=bend.hy / f, hx=bend.hx / f)


def straighten(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, Bend | None]:
    """``gray`` with its ruling lines made straight (perspective, curl), and the ``Bend`` used
    (None: the page was straight and is returned as is). Shapes kept; white where the source
    lies outside the page."""
    bend = measure_bend(gray, dpi)
    if bend is None:
        return gray, None
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
    out = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return out, bend


# --------------------------------------------------------------------------------------------
# pen marks: a reader's ticks and strokes in blue over the print
# --------------------------------------------------------------------------------------------

PEN_BLUENESS = 40  # blue over the other channels (above the paper's): a ballpoint's ink
PEN_EDGE = 20  # … and its JPEG-smeared rim
PEN_MIN_PIXELS = 30  # fewer such pixels: colour noise, no pen


def pen_ink(rgb: np.ndarray) -> np.ndarray | None:
    """Where a blue pen wrote over the page (ticks ✓, a stroke): ``uint8`` mask (H, W), 255 =
    pen, grown by a pixel for its rim; None when the page has no pen ink (or is grey). Printed
    reports are black (and red seals); a blue stroke is a reader's mark, never part of a value:
    read as ink, a tick over a 0 becomes a 1, a V or a √ beside it."""
    if rgb.ndim != 3 or rgb.size == 0:
        return None
    blueness = cv2.subtract(rgb[:, :, 2], np.maximum(rgb[:, :, 0], rgb[:, :, 1]))
    tint = int(np.median(blueness[::7, ::7]))
    if tint > 0:
        blueness = cv2.subtract(blueness, tint)
    if np.count_nonzero(blueness > PEN_BLUENESS) < PEN_MIN_PIXELS:
        return None
    return cv2.dilate(((blueness > PEN_EDGE) * 255).astype(np.uint8), np.ones((3, 3), np.uint8))


def without_pen(rgb: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """A copy of ``rgb`` with the ``pen`` pixels turned to the paper's colour (each channel's
    level over most of the page). What the pen covered is lost with it: a cell that held pen
    ink is doubted by the caller (``pen_share``), however its value reads."""
    out = rgb.copy()
    paper = np.percentile(rgb[::7, ::7].reshape(-1, 3), 90, axis=0).astype(np.uint8)
    out[pen > 0] = paper
    return out


def pen_share(pen: np.ndarray, box: tuple[float, float, float, float]) -> int:
    """Pen pixels inside ``box`` (x0, y0, x1, y1 in the pen mask's pixels)."""
    h, w = pen.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(round(box[2]))), min(h, int(round(box[3])))
    if x1 <= x0 or y1 <= y0:
        return 0
    return int(np.count_nonzero(pen[y0:y1, x0:x1]))
