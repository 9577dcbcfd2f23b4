"""What a pen stroke covered, filled back in: a printed stroke it crossed carried on across it,
paper everywhere else.

Shapes: ``rgb`` a colour page ``uint8`` (H, W, 3); ``mask`` ``uint8`` (H, W), 255 = a pixel to
fill (the pen's stroke, see ``pen.without_pen``).

Each masked pixel looks both ways along ``AXES`` (eight directions, 22.5° apart) for the first
pixel off the mask. Where, along some axis, both of those ends are print-dark, no farther apart
than ``CARRY_INCHES`` nor than ``CARRY_ACROSS`` times the pen's width there (its shortest
crossing), a printed stroke runs through the pixel along that axis: it gets the ends' colours
mixed by distance. Otherwise it is paper: the lightest end it found. A print stroke that only
touches the pen on one side, or runs along it, is not carried: along the pen the way out is
long, and a 0's hollow under a pen is no crossing.

A diffusing inpaint (``cv2.inpaint``) fills a mask from all of its rim at once: where the pen
ran along or through a small digit, the digit's dark leaked into the whole of it and left a blot
(uneven_light+pen_tick seed 5101: a ticked 0 read 8 and 3). Carried only where a stroke goes
in one side and out the other, the 0 keeps its ring and its hollow.
"""

from __future__ import annotations

import cv2
import numpy as np

AXES = tuple((np.cos(a), np.sin(a)) for a in np.arange(8) * np.pi / 8)  # unit steps (dx, dy)
CARRY_INCHES = 0.08  # a printed stroke is carried across this much of the pen at most (the pen's stroke: ~0.02 in)
CARRY_ACROSS = 2.0  # … and across at most this many times the pen's width there (a print stroke crossing it at 30° or more)
PRINT_DARK = 0.7  # an end darker than this share of its paper is print
PAPER_REACH = 7  # px round a pixel its paper is looked for (print strokes are thinner than twice this)


def _ends(mask: np.ndarray, ys: np.ndarray, xs: np.ndarray, step: tuple[float, float], reach: int):
    """For the masked pixels (``ys``, ``xs``), how far (px, 0 = none within ``reach``) along
    ``step`` the first pixel off the mask lies, and where: (distance, y, x)."""
    h, w = mask.shape
    dist = np.zeros(len(ys), np.int32)
    end_y = np.zeros(len(ys), np.int32)
    end_x = np.zeros(len(ys), np.int32)
    for k in range(1, reach + 1):
        y = np.rint(ys + k * step[1]).astype(np.int32)
        x = np.rint(xs + k * step[0]).astype(np.int32)
        inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
        y, x = np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)
        found = (dist == 0) & inside & (mask[y, x] == 0)
        dist[found], end_y[found], end_x[found] = k, y[found], x[found]
    return dist, end_y, end_x


def carry_across(rgb: np.ndarray, mask: np.ndarray, dpi: float | None = None, pen: np.ndarray | None = None,
                 rules: np.ndarray | None = None) -> np.ndarray:
    """``rgb`` with its ``mask`` pixels filled (a copy): printed strokes carried across, the rest
    paper (see the module's docstring). ``dpi`` sets the reach (``CARRY_INCHES``); None: 300.
    ``pen``: the whole of the pen's colour (``uint8`` (H, W), ``mask`` its dark part), on which
    its width is measured: print under the pen's colour is in ``mask`` and would narrow it.
    ``rules``: bool (H, W), a table's rules, no print to carry (the caller draws them on): a pen
    in a rules' corner carried from one to the other left a dark wedge there (pen_tick
    seed 907)."""
    out = np.ascontiguousarray(rgb).copy()
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return out
    reach = max(4, int(round((dpi or 300) * CARRY_INCHES)))
    grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)
    paper = cv2.dilate(grey, np.ones((2 * PAPER_REACH + 1,) * 2, np.uint8))
    dark = grey < PRINT_DARK * paper
    dark[mask > 0] = False
    if rules is not None:
        dark[rules] = False
    colour = out.astype(np.float32)
    n = len(ys)
    best_span = np.full(n, np.inf)  # the shortest print-to-print carry found
    carried = np.zeros((n, 3), np.float32)
    lightest = np.full(n, -1.0)
    light = np.zeros((n, 3), np.float32)
    ends = [(_ends(mask, ys, xs, (dx, dy), reach), _ends(mask, ys, xs, (-dx, -dy), reach)) for dx, dy in AXES]
    # the pen's width at each pixel: its shortest crossing on any axis
    wide = mask if pen is None else np.maximum(pen, mask)
    across = np.full(n, np.inf)
    for dx, dy in AXES:
        d1 = _ends(wide, ys, xs, (dx, dy), reach)[0]
        d2 = _ends(wide, ys, xs, (-dx, -dy), reach)[0]
        across = np.minimum(across, np.where((d1 > 0) & (d2 > 0), d1 + d2, np.inf))
    for (d1, y1, x1), (d2, y2, x2) in ends:
        for d, y, x in ((d1, y1, x1), (d2, y2, x2)):  # the lightest end on any side: the paper
            g = np.where(d > 0, grey[y, x], -1.0)
            better = g > lightest
            lightest[better], light[better] = g[better], colour[y[better], x[better]]
        span = d1 + d2
        both = (d1 > 0) & (d2 > 0) & (span <= reach) & (span <= CARRY_ACROSS * across) & dark[y1, x1] & dark[y2, x2]
        span = np.where(both, span, np.inf)
        better = span < best_span
        if better.any():
            t = (d1[better] / span[better])[:, None]  # the share of the way from end 1 to end 2
            carried[better] = (1 - t) * colour[y1[better], x1[better]] + t * colour[y2[better], x2[better]]
            best_span[better] = span[better]
    fill = np.where(np.isfinite(best_span)[:, None], carried, light)
    # deep inside a blot (no end within reach on any side): the page's paper
    none = ~np.isfinite(best_span) & (lightest < 0)
    if none.any():
        fill[none] = np.percentile(colour[::7, ::7].reshape(-1, 3), 90, axis=0)
    out[ys, xs] = np.clip(np.rint(fill), 0, 255).astype(np.uint8)
    return out
