"""A seal's ring in black: found by its shape and taken off the page.

A fax (or a black-and-white copy) prints the agency's red seal black, so ``suppress_red`` has no
colour to go by; its ring then crosses table 四/五's cells and their numbers are lost (a 0 inside
a ring's arc reads as nothing, a 1 against it as 11). A Chinese official seal (公章) is a ring
about 40 mm across (GB/T and the State Council's rules on seals: 4.2 cm for a government's,
smaller for a department's), a thin even line; nothing else on a report is a near-closed circle
of ink that size. The ring is found at a low resolution (``cv2.HoughCircles``; on the page
without its rules first, whose crossings draw a circle search's votes), confirmed at full
resolution — ink at one radius at most angles, paper just inside and outside it — and its band
of pixels is taken out of the page the prose and the cells' second reading are read from. The
table's rules are found with the ring in place (taken out of the rules' ink, the rules it runs
along went with it, fax seed 929), but a piece of the rule masks that lies on the ring's band
(its flat arcs) is no rule (``extractor.grid.page_lines._ring_pieces``): the ring is found
before the rules. What crosses it (a digit's stroke) keeps its ink where
it runs on both sides of the band; the star and the arc's text inside stay (they lie on labels
as often as on numbers, and are no circle to tell them by).

Speed: every scanned page with a circle candidate is searched, up to three ink masks over up to
12 candidates, each a 7 x 7 grid of centres twice (``ring_search``): the masks are made only
round the candidates, as bits of one image, and a candidate's coarse search is one gather of
its grid's samples for all of them. (A cheap gate on the masks' union before the searches
dropped thin light rings the searches find — a 0.25 mm grey ring at 300 dpi — and, widened to
keep them, saved a tenth: none is used.)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractor.layout.orient import shrink
from extractor.ocr.ring_runs import ring_run_pixels, ring_runs
from extractor.ocr.ring_search import MM_PER_INCH, Ring, RingSearch, ink_bits_in_boxes, search_box
from extractor.ocr.seal_overprint import seal_beside_strokes
from extractor.ocr.seal_text_grey import TEXT_TAKEN, text_taken_share

# a seal's outer radius, mm (公章 4.2 cm, department seals ~3.8 cm; the generator 15–21 mm)
RADIUS_MM = (13.0, 24.0)
# a seal printed this much lighter than the text (a share of paper − the darkest ink: a red seal
# scanned in grey is a mid grey, the text near black) is told from the text by its grey alone
GREY_APART = 0.3
# … a text stroke's core is darker than the seal's grey by this share of the way to the darkest
# ink (a blurred 1 px dash: ~95 against a seal's ~145, ink 40; the seal's own specks ≥ 139), and
# its blurred rim reaches this many px beyond
TEXT_CORE, HALO = 0.25, 2


def find_ring(gray: np.ndarray, dpi: float, rules: np.ndarray | None = None) -> Ring | None:
    """The black ring of a seal on the grey page (ink dark), or None.

    Candidates come from ``cv2.HoughCircles`` on the page at ~50 dpi, radii ``RADIUS_MM``
    (``_candidates``; with ``rules``, the page's rule pixels (non-zero, the page's shape), first
    from the page without them); each is confirmed at full resolution
    (``ring_search.RingSearch``: ``COVERAGE``, ``BESIDE``), mask by mask."""
    h, w = gray.shape
    paper, dark = _levels(gray)
    inside = _candidates(gray, dpi, rules, paper)
    # a seal is stamped on the page, whole
    inside = [(x, y, r) for x, y, r in inside if r <= x <= w - r and r <= y <= h - r]
    if not inside:
        return None
    # the ink as it is (the ring's own band, centre to a pixel); failing that, its density
    # (a ring the fax's threshold broke into specks); failing that, ink as light as a grey
    # scan prints a red seal (its ring at the page's own ink level, half its angles lost)
    # the masks are made only round the candidates (``search_box``: a confirmation reads nothing
    # else), as bits of one image: a candidate's first, coarse search of its centre reads the
    # same pixels for each and is made once for all (``RingSearch``)
    level = (paper + dark) / 2  # ``_ink_level``
    masks = ((lambda g: g < level, 0), (lambda g: _dense_ink(g, dpi, level), _dense_box(dpi)),
             (lambda g: g < (paper + level) / 2, 0))
    ink = ink_bits_in_boxes(gray, masks, [search_box(gray.shape, x, y, r, dpi) for x, y, r in inside])
    searches = [RingSearch(ink, x, y, r, dpi, len(masks)) for x, y, r in inside]
    for mask in range(len(masks)):
        for search in searches:
            ring = search.confirm(mask)
            if ring is not None:
                return ring
    return None


HOUGH_CANDIDATES = 12  # circles per Hough search confirmed at full resolution, the most voted first


def _hough(gray: np.ndarray, dpi: float) -> list[tuple[float, float, float]]:
    """Circles (x, y, r; page px) ``cv2.HoughCircles`` finds on ``gray`` at ~50 dpi, radii
    ``RADIUS_MM``, the most voted first (``HOUGH_CANDIDATES``)."""
    f = min(1.0, 50.0 / dpi)
    small = shrink(gray, f)
    px_mm = dpi * f / MM_PER_INCH
    rmin, rmax = int(RADIUS_MM[0] * px_mm), int(RADIUS_MM[1] * px_mm) + 1
    circles = cv2.HoughCircles(cv2.GaussianBlur(small, (3, 3), 0), cv2.HOUGH_GRADIENT, dp=1, minDist=rmin,
                               param1=120, param2=30, minRadius=rmin, maxRadius=rmax)
    return [] if circles is None else [(x / f, y / f, r / f) for x, y, r in circles[0][:HOUGH_CANDIDATES]]


def _candidates(gray: np.ndarray, dpi: float, rules: np.ndarray | None,
                paper: float | None = None) -> list[tuple[float, float, float]]:
    """Circles that may be a seal's ring (x, y, r; page px), to confirm in this order.

    A table's rules are the strongest edges of a page: where they cross, Hough's votes for a
    centre pile up, and a seal's own centre within ``minDist`` (its smallest radius) of such a
    crossing is dropped for it (a grey seal's light ring draws fewer votes: seed 1301's over
    table 三, at 200 dpi). With ``rules`` (the page's rule pixels) the search runs first on the
    page with them turned to paper, then on the page as it is (a ring whose arcs lie along the
    rules). ``paper``: the page's paper grey (``_levels``) when known."""
    found: list[tuple[float, float, float]] = []
    if rules is not None:
        paper = np.percentile(gray[::5, ::5], 90) if paper is None else paper
        without = gray.copy()
        np.copyto(without, np.uint8(paper), where=rules > 0)
        found = _hough(without, dpi)
        del without
    near = max(2.0, dpi / MM_PER_INCH * 2)  # the same circle from both searches: confirmed once
    for c in _hough(gray, dpi):
        if all(np.hypot(c[0] - x, c[1] - y) > near or abs(c[2] - r) > near for x, y, r in found):
            found.append(c)
    return found


def _dense_ink(gray: np.ndarray, dpi: float, level: float | None = None) -> np.ndarray:
    """Where ink covers a quarter of the ~1 mm around a pixel (bool image): a ring a fax's
    threshold broke into specks (a red seal's grey sits at the threshold) is a solid band
    again; a solid ring is one a little wider. ``level``: ``_ink_level(gray)`` when known."""
    k = _dense_box(dpi)
    level = _ink_level(gray) if level is None else level
    # the count of inked pixels round each (a box sum, exact in float32) against a quarter of
    # the box: three times faster than their mean as a float image
    count = cv2.boxFilter((gray < level).view(np.uint8), cv2.CV_32F, (k, k), normalize=False)
    return count >= 0.25 * k * k


def _dense_box(dpi: float) -> int:
    """The side of ``_dense_ink``'s box, px: ~1 mm, 3 at least."""
    return max(3, int(round(dpi / MM_PER_INCH)))


def _levels(gray: np.ndarray) -> tuple[float, float]:
    """The page's paper grey (90th percentile) and darkest ink (1st), from every 5th pixel."""
    paper, dark = np.percentile(gray[::5, ::5], [90, 1])  # one partition for both
    return float(paper), float(dark)


def _ink_level(gray: np.ndarray) -> float:
    """Grey below which a pixel is ink: halfway between the paper and the darkest ink."""
    paper, dark = _levels(gray)
    return (paper + dark) / 2


def _faint_level(gray: np.ndarray) -> float:
    """Grey below which a pixel is faint ink: halfway between the paper and ``_ink_level``. A
    red seal scanned in grey is a mid grey (its red's luminance, ~0.3 of the way from black):
    about as dark as ``_ink_level`` itself, so half its ring falls either side of that."""
    paper, dark = _levels(gray)
    return (paper + (paper + dark) / 2) / 2


def seal_mask(ring: Ring, gray: np.ndarray, text_ink: np.ndarray | None = None,
              rules: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """The pixels of a seal to take off the page (bool, the page's shape) and whether they are
    all of it. A seal printed lighter than the text: all of it, ring, star and words, by its
    grey (``grey_seal_pixels``; the text under its ring stays whole). A seal printed as dark as
    the text: its ring alone (``ring_mask``). ``rules``: the table's rules (non-zero, the page's
    shape), no text when the seal's grey is weighed against the text's (``seal_text_grey``)."""
    grey = grey_seal_pixels(ring, gray, rules)
    if grey is not None:
        return grey, True
    band = grey_ring_pixels(ring, gray)
    return (ring_mask(ring, gray, text_ink) if band is None else band), False


def grey_ring_pixels(ring: Ring, gray: np.ndarray) -> np.ndarray | None:
    """A grey seal whose text prints at its grey (``seal_text_grey``: its star and words are not
    told from the text): its ring's band alone (as ``ring_mask`` grows it), less what is darker
    than the seal by ``TEXT_CORE`` — a digit over the ring prints darker than either (the seal's
    ink over the text's). Bool, the page's shape; None for a seal as dark as the text
    (``GREY_APART``). ``ring_mask``'s rule for strokes that cross the band keeps a stroke only
    where it runs on both sides of it: a 0 lying along the ring lost its strokes and read A or
    J (grey seed 900, table 四)."""
    grey = _seal_grey(ring, gray)
    if grey is None:
        return None
    mask = np.zeros(gray.shape, bool)
    mask[grey.window] = (grey.d >= ring.inner - grey.grow) & (grey.d <= ring.outer + grey.grow) & (grey.sub >= grey.level)
    return mask


@dataclass
class _SealGrey:
    """The window around a grey seal's disc (``window``: slices of the page; ``sub`` its grey,
    ``d`` each pixel's distance from the centre, px), the band's growth ``grow`` and reach
    ``reach`` (px), and the grey levels (0-255): ``paper``, ``dark`` (the text's ink under it),
    ``seal`` (the ring band's median ink) and ``level`` (darker than this is a text stroke's core)."""

    window: tuple[slice, slice]
    sub: np.ndarray
    d: np.ndarray
    grow: float
    reach: float
    paper: float
    dark: float
    seal: float
    level: float


def _seal_grey(ring: Ring, gray: np.ndarray) -> _SealGrey | None:
    """The seal's grey around ``ring`` (``_SealGrey``), or None when its band holds no ink or the
    seal prints about as dark as the text (``GREY_APART``)."""
    h, w = gray.shape
    grow = 0.5 * (ring.outer - ring.inner) + 1.5
    reach = ring.outer + grow
    x0, x1 = max(0, int(ring.cx - reach)), min(w, int(ring.cx + reach) + 1)
    y0, y1 = max(0, int(ring.cy - reach)), min(h, int(ring.cy + reach) + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(xx - ring.cx, yy - ring.cy)
    sub = gray[y0:y1, x0:x1]
    paper = float(np.percentile(gray[::5, ::5], 90))
    # the text's darkest ink: under the seal (a page's is mostly seal) or on the page, whichever
    # is darker — a seal over blank cells has little text under it to go by (grey seed 41002:
    # 98 under it, 52 on the page, the seal 136; taken as 98 the seal was no lighter than the text)
    dark = min(float(np.percentile(sub, 0.5)), float(np.percentile(gray[::2, ::2], 0.5)))
    on = sub[(d >= ring.inner) & (d <= ring.outer)]
    on = on[on < _faint_level(gray)]
    if not len(on):
        return None
    seal = float(np.median(on))
    if seal - dark < GREY_APART * (paper - dark):
        return None
    level = seal - TEXT_CORE * (seal - dark)
    return _SealGrey((slice(y0, y1), slice(x0, x1)), sub, d, grow, reach, paper, dark, seal, level)


def grey_seal_pixels(ring: Ring, gray: np.ndarray, rules: np.ndarray | None = None) -> np.ndarray | None:
    """A seal printed lighter than the text (a red seal a greyscale scanner made mid grey): the
    pixels within its disc of the seal's own grey (bool, the page's shape) — its ring, the star
    and the words along it, which lie on the cells as often as beside them. A digit's stroke is
    darker (the text's ink, and darker still where the seal overprints it) and stays. None when
    the seal is about as dark as the text (``GREY_APART``: a fax or a copy prints it black; then
    only its ring is known by its shape), or the text beside it prints at its grey
    (``seal_text_grey``: the rule would take the text's strokes with it).

    The seal's grey is the median of the ring band's ink (``_faint_level``). The text's strokes
    are what is darker than it by ``TEXT_CORE`` of the way to the darkest ink (a thin dash
    blurred to a mid grey still has such a core), with ``HALO`` px around them (their blurred
    rim); the seal's pixels are the rest of the ink, up to halfway to the paper, and a pixel
    around (its own blurred rim)."""
    grey = _seal_grey(ring, gray)
    if grey is None:
        return None
    sub, d, reach, paper, seal, level = grey.sub, grey.d, grey.reach, grey.paper, grey.seal, grey.level
    if text_taken_share(gray, ring.cx, ring.cy, reach, seal, level, paper, HALO, rules) > TEXT_TAKEN:
        return None  # the text prints at the seal's grey: its strokes would go with the seal
    core = sub < level
    text = cv2.dilate(core.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * HALO + 1, 2 * HALO + 1))) > 0
    seal_grey = (d <= reach) & (sub < (seal + paper) / 2) & ~core
    seal_ink = seal_grey & ~text
    # the seal's ink beside a stroke (its star over a 0): reached from the seal, not the stroke
    beside = seal_beside_strokes(seal_ink, text & ~core, seal_grey, HALO)
    rim = cv2.dilate(seal_ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # its blurred edge, a pixel wide
    mask = np.zeros(gray.shape, bool)
    mask[grey.window] = (rim & ~text) | beside
    return mask


def ring_pixels(gray: np.ndarray, dpi: float, text_ink: np.ndarray | None = None) -> np.ndarray | None:
    """``ring_mask`` of the black seal's ring ``find_ring`` finds on the grey page, or None when
    there is none."""
    ring = find_ring(gray, dpi)
    return None if ring is None else ring_mask(ring, gray, text_ink)


def ring_mask(ring: Ring, gray: np.ndarray, text_ink: np.ndarray | None = None) -> np.ndarray:
    """The pixels of a black seal's ring on the grey page, a bool mask of its shape. The ring's
    measured band grown by a pixel each side (its blurred rim), except where a stroke crosses
    it: ink just inside and just outside the band in the same direction (a digit's line running
    through the ring) keeps its pixels. ``text_ink`` (the page's ink without its rules, non-zero
    ink, same shape) is where strokes are looked for: a rule the ring runs along is no stroke
    crossing it; without it, the ink of ``gray``."""
    h, w = gray.shape
    x0, x1 = max(0, int(ring.cx - ring.outer - 3)), min(w, int(ring.cx + ring.outer + 4))
    y0, y1 = max(0, int(ring.cy - ring.outer - 3)), min(h, int(ring.cy + ring.outer + 4))
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(xx - ring.cx, yy - ring.cy)
    # the band measured at mid-grey, grown by half its width and a pixel each side: a binarised
    # page's ring is as much thicker (its blurred rim), and a thin arc left inside it reads as 二
    grow = 0.5 * (ring.outer - ring.inner) + 1.5
    inner, outer = ring.inner - grow, ring.outer + grow
    band = (d >= inner) & (d <= outer)
    # directions, one per pixel of the ring's length: where a stroke runs on both sides of it
    n = max(90, int(2 * np.pi * ring.outer))
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ink = gray < _ink_level(gray) if text_ink is None else text_ink > 0
    gap = 3.0
    sides = []
    for r in (inner - gap, outer + gap):
        xs = np.clip(np.rint(ring.cx + r * np.cos(a)).astype(int), 0, w - 1)
        ys = np.clip(np.rint(ring.cy + r * np.sin(a)).astype(int), 0, h - 1)
        side = ink[ys, xs]
        sides.append(side | np.roll(side, 1) | np.roll(side, -1))  # a slanted stroke: a bin aside
    # the ring's own run along each radius: a digit apart from it inside the grown band stays
    start, end, long = ring_runs(ink, ring.cx, ring.cy, 0.5 * (ring.inner + ring.outer), inner, outer, n)
    crossed = (sides[0] & sides[1]) | long
    bins = np.rint(np.mod(np.arctan2(yy - ring.cy, xx - ring.cx), 2 * np.pi) / (2 * np.pi) * n).astype(int) % n
    mask = np.zeros((h, w), bool)
    mask[y0:y1, x0:x1] = band & ~crossed[bins] & ring_run_pixels(d, bins, start, end)
    return mask
