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


DITHERED = 0.2  # a page whose ink is this much lone dots is a dithered (halftoned) bilevel scan
SAMPLE_ROWS = 64  # rows of each strip the dither is looked for in
DITHER_INK = 0.01  # … whose ink covers at least this share of it (a dithered page of text: 2–3 %)
BILEVEL_MID = 0.01  # a bilevel page has fewer mid greys (40–215) than this share of its pixels
DESCREEN_SIGMA = 1.0  # px: the blur that turns a dither's dots back into grey (their pitch is a pixel)
DOTTED_PAPER = 0.03  # lone dots per pixel of a page whose paper is dotted too (white paper: ~1.5 %)
DESCREEN_SIGMA_PAPER = 1.5  # px: the blur for such a page


def dithered_share(gray: np.ndarray) -> float:
    """Share (0–1) of a bilevel page's ink pixels (darker than mid grey) with at most one ink
    pixel among their 8 neighbours: lone dots; 0 for a page with greys between (``BILEVEL_MID``)
    or with little ink (``DITHER_INK``). A grey scan, a fax's binarised page and its specks
    hold 0.5–6 % of them; a page a scanner's black-and-white mode dithered (error diffusion:
    grey shading, light rules and the glyphs' soft edges as scattered dots) 40–75 %."""
    return _lone_dots(gray)[0]


def _lone_dots(gray: np.ndarray) -> tuple[float, float]:
    """(``dithered_share``, lone dots per pixel of the page), measured on a band of
    ``SAMPLE_ROWS`` rows in every ``STRIP_ROWS`` (a quarter of the page)."""
    total = lone = mid = seen = 0
    for y in range(0, gray.shape[0], STRIP_ROWS):
        band = gray[y : y + SAMPLE_ROWS]
        ink = (band < 128).view(np.uint8)
        near = cv2.boxFilter(ink, -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)  # itself included
        total += int(np.count_nonzero(ink))
        lone += int(np.count_nonzero(ink & (near <= 2)))
        mid += int(np.count_nonzero((band > 40) & (band < 215)))
        seen += band.size
    if total < DITHER_INK * seen or mid > BILEVEL_MID * seen:
        # little ink (a fax's specks on a near-blank page are all lone dots), or greys between
        # black and white: no bilevel page of text (a faded page's ink is mid grey)
        return 0.0, 0.0
    return lone / total, lone / seen


def descreen_sigma(gray: np.ndarray) -> float:
    """The blur (px, Gaussian sigma) ``descreen`` gives the page; 0.0 for a page that is not
    dithered."""
    if gray.ndim != 2 or gray.size == 0:
        return 0.0
    share, density = _lone_dots(gray)
    if share < DITHERED:
        return 0.0
    return DESCREEN_SIGMA_PAPER if density >= DOTTED_PAPER else DESCREEN_SIGMA


def descreen(gray: np.ndarray) -> np.ndarray:
    """A dithered bilevel page (``dithered_share`` at least ``DITHERED``) blurred back to grey:
    read as it is, a shaded cell is a field of dots, a light rule a dotted line no rule finder
    joins, and a real report's table 三 was not found at all (its page 4 dithered, helper-65).
    The blur is ``DESCREEN_SIGMA`` px; on a page whose paper too is dotted (tinted paper:
    ``DOTTED_PAPER`` lone dots per pixel or more) ``DESCREEN_SIGMA_PAPER``, or the dots left
    in the paper take the page's lines with them (the title lost, generated dithered scans).
    Any other page is returned as it is (the same array)."""
    sigma = descreen_sigma(gray)
    return cv2.GaussianBlur(gray, (0, 0), sigma) if sigma else gray


DESCREEN_DOUBT_DPI = 180  # a dithered page read under this dpi …


def descreen_doubts(sigma: float, dpi: float) -> bool:
    """Whether every value read on a page ``descreen`` blurred by ``sigma`` px (read at
    ``dpi``) is doubted (``PageContent.doubtful``; the pipeline doubts its fields after mapping):
    its paper was dotted too (``DESCREEN_SIGMA_PAPER``), or it is under ``DESCREEN_DOUBT_DPI`` —
    the dots the blur leaves lie in every cell, and digits 9 px tall blurred read surely and
    wrong (a 25 read 35 at 0.9999, a row's box one row low, 150 dpi dithered seed 148888,
    helper-66). A white page's dither at 200 dpi reads as its grey scan."""
    return bool(sigma) and (sigma >= DESCREEN_SIGMA_PAPER or dpi < DESCREEN_DOUBT_DPI)


# straightening (perspective, curl) is its own stage: ``extractor.layout.straighten``; these names
# stay importable from here
from extractor.layout.straighten import Bend, measure_bend, straighten  # noqa: E402,F401


# pen marks: their own stage (``extractor.ocr.pen``); the names stay importable from here
from extractor.ocr.pen import pen_ink, pen_share, without_pen  # noqa: E402,F401
