"""A reader's pen on a scanned page: blue ticks (✓) and strokes over the print, found by colour
and taken off before the page is read.

Printed reports are black (and red seals); a blue stroke is a reader's mark, never part of a
value: read as ink, a tick over a 0 becomes a 1, a V or a √ beside it. Shapes: ``rgb`` is a
colour page ``uint8`` (H, W, 3) in RGB order; masks are ``uint8`` (H, W), 255 = pen.

Two tiers find the pen (``pen_ink``):

* a stroke mostly pen-blue (``PEN_BLUENESS`` over the other channels at ``PEN_CORE_SHARE`` of
  its pixels): a ballpoint's ink scanned at a fair JPEG quality;
* a fainter bluish stroke (``FAINT_*``) standing alone: a thin pen line that a low JPEG quality
  (4:2:0 chroma at quality 40–60) left only half as blue, as pale as a navy print's glyph. A
  navy print (a word processor's Title style, 17365D) is a run of such glyphs side by side on
  one line; a reader's tick stands among black print, no bluish neighbour beside it at its
  height (pen_tick seeds 900, 901, 903, 904: ticks at blueness 28–55 were missed and read as
  1, V, 11).

The pen is taken off by inpainting (``without_pen``): where it crossed a printed stroke (the
tick over a 无 or a 0), the stroke is carried on under it from both sides; on bare paper it
becomes paper. What the pen covered along a stroke is still lost: a cell with pen ink is
doubted by the caller (``pen_share``), however its value reads.
"""

from __future__ import annotations

import cv2
import numpy as np

PEN_BLUENESS = 40  # blue over the other channels (above the paper's): a ballpoint's ink
PEN_EDGE = 20  # … and its JPEG-smeared rim
PEN_MIN_PIXELS = 30  # fewer such pixels: colour noise, no pen
PEN_CORE_SHARE = 0.35  # a stroke is pen when this share of it is pen-blue (a navy print's glyph: under 0.2)
FAINT_BLUENESS = 18  # the fainter tier: a thin stroke's blue after a low JPEG quality …
FAINT_EDGE = 12  # … its rim …
FAINT_CORE_SHARE = 0.35  # … and the share of it that must reach FAINT_BLUENESS
FAINT_DARK = 0.75  # … and its bluish pixels darker than this share of the paper's grey …
FAINT_INKED_SHARE = 0.3  # … at this share of them at least (a light-blue fill: none)
FAINT_JOIN = 1  # a closing this many px round each bluish pixel: a faint stroke's pieces JPEG broke apart are one
FAINT_MIN_PIXELS = 30  # a faint stroke (or a piece of one) this large at least (a tick at 150 dpi: 150–300 px)
RUN_GAP = 0.6  # a bluish neighbour within this share of the stroke's height beside it: a run of glyphs (set tight: two ticks side by side are ~1.4 heights apart)
PIECE_REACH = 4  # px round a pen stroke its broken-off pieces lie in
INPAINT_RADIUS = 3  # px the inpainting looks around each pen pixel


def _blueness(rgb: np.ndarray) -> np.ndarray:
    """Blue over the larger of red and green, less the paper's own tint (uint8, (H, W))."""
    blueness = cv2.subtract(rgb[:, :, 2], np.maximum(rgb[:, :, 0], rgb[:, :, 1]))
    tint = int(np.median(blueness[::7, ::7]))
    return cv2.subtract(blueness, tint) if tint > 0 else blueness


def _strokes(blueness: np.ndarray, edge: int, core: int, share: float, join: int = 0):
    """Bluish components (over ``edge``; a closing of ``join`` px joins the pieces of a thin
    stroke JPEG broke apart) and which of them are pen-blue (over ``core``) at ``share`` of their
    bluish pixels: (labels, stats, keep, core counts)."""
    bluish = (blueness > edge).view(np.uint8)
    joined = cv2.morphologyEx(bluish, cv2.MORPH_CLOSE, np.ones((2 * join + 1,) * 2, np.uint8)) if join else bluish
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    cores = np.bincount(labels[blueness > core], minlength=n)
    areas = np.bincount(labels[bluish > 0], minlength=n)
    keep = cores >= share * np.maximum(areas, 1)
    keep[0] = False
    stats[:, cv2.CC_STAT_AREA] = areas
    return labels, stats, keep, cores


def _alone(stats: np.ndarray, i: int, others: np.ndarray) -> bool:
    """Component ``i`` has no bluish neighbour (``others``: component indices) beside it on its
    line: none at least half as tall, overlapping half its height, within ``RUN_GAP`` of its
    height left or right."""
    x, y, w, h = stats[i, :4]
    for j in others:
        if j == i:
            continue
        ox, oy, ow, oh = stats[j, :4]
        overlap = min(y + h, oy + oh) - max(y, oy)
        gap = max(ox - (x + w), x - (ox + ow))
        # a glyph's neighbour in a run is about as tall (a piece of the stroke itself is not)
        if oh >= 0.5 * h and overlap >= 0.5 * min(h, oh) and gap <= RUN_GAP * h:
            return False
    return True


def pen_ink(rgb: np.ndarray) -> np.ndarray | None:
    """Where a blue pen wrote over the page (ticks ✓, a stroke): ``uint8`` mask (H, W), 255 =
    pen, grown by a pixel for its rim; None when the page has no pen ink (or is grey). The two
    tiers: see the module's docstring."""
    if rgb.ndim != 3 or rgb.size == 0:
        return None
    blueness = _blueness(rgb)
    if np.count_nonzero(blueness > FAINT_BLUENESS) < PEN_MIN_PIXELS:
        return None
    # each bluish stroke on its own: pen when mostly pen-blue. A title printed in navy is bluish
    # at its rim and pen-blue only at a few JPEG-noisy pixels; taken for pen as a whole, it was
    # painted out and the title lost
    labels, stats, keep, cores = _strokes(blueness, PEN_EDGE, PEN_BLUENESS, PEN_CORE_SHARE)
    pen = keep[labels] if int(cores[keep].sum()) >= PEN_MIN_PIXELS else np.zeros(blueness.shape, bool)
    f_labels, f_stats, f_keep, _ = _strokes(blueness, FAINT_EDGE, FAINT_BLUENESS, FAINT_CORE_SHARE, FAINT_JOIN)
    areas = f_stats[:, cv2.CC_STAT_AREA]
    # ink, not a tint: a pen's stroke is dark where it is bluish; a header cell shaded light
    # blue (a WPS table's fill) is as bluish and paper-light (the corpus scan: two whole header
    # rows of table 二 were taken for pen and painted out)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    paper = float(np.percentile(grey[::7, ::7], 90))
    n = len(f_keep)
    inked = np.bincount(f_labels[(blueness > FAINT_EDGE) & (grey < FAINT_DARK * paper)], minlength=n)
    f_keep &= inked >= FAINT_INKED_SHARE * np.maximum(areas, 1)
    pieces = f_keep.copy()  # pen-blue, of any size
    f_keep &= areas >= FAINT_MIN_PIXELS
    if f_keep.any():
        bluish = np.flatnonzero(areas >= 0.2 * FAINT_MIN_PIXELS)
        bluish = bluish[bluish > 0]
        for i in np.flatnonzero(f_keep):
            f_keep[i] = _alone(f_stats, i, bluish)
        pen |= f_keep[f_labels]
    if not pen.any():
        return None
    # a stroke's small pen-blue pieces within PIECE_REACH px of it are the stroke too (a tick's
    # short arm JPEG broke off, left on a 0, read it as 5)
    # (only round a stroke standing alone, and only pieces too small to be judged on their own:
    # a navy glyph the first tier took in part must not spread to its neighbours)
    pieces &= areas < FAINT_MIN_PIXELS
    if f_keep.any() and pieces.any():
        near = cv2.dilate(f_keep[f_labels].view(np.uint8), np.ones((2 * PIECE_REACH + 1,) * 2, np.uint8)) > 0
        touching = np.zeros(len(pieces), bool)
        touching[np.unique(f_labels[near])] = True
        pen |= (pieces & touching)[f_labels]
    return cv2.dilate(pen.astype(np.uint8) * 255, np.ones((3, 3), np.uint8))


def without_pen(rgb: np.ndarray, pen: np.ndarray, dpi: float | None = None) -> np.ndarray:
    """A copy of ``rgb`` with the ``pen`` pixels inpainted from around them (``cv2.inpaint``,
    Telea): a printed stroke the pen crossed goes on under it, bare paper stays paper. Given the
    page's ``dpi``, a table's rule the pen crossed is drawn on across it first (``_rules_under``):
    inpainting carries a thin rule over a wide stroke only as a blot, and a rule lost there
    merges two cells (pen_tick seed 980: 6 and 0 read as one cell, 6ł0)."""
    out = np.ascontiguousarray(rgb).copy()
    rule = _rules_under(out, pen, dpi) if dpi else None
    if rule is None:
        return cv2.inpaint(out, pen, INPAINT_RADIUS, cv2.INPAINT_TELEA)
    under, rules, level = rule
    out[under] = level
    mask = pen.copy()
    mask[under] = 0
    out = cv2.inpaint(out, mask, INPAINT_RADIUS, cv2.INPAINT_TELEA)
    # the inpainting smears a rule's dark into the pen beside it: a blot on the rule that the
    # cell's ink keeps as a bar (一无). Pen pixels hard by a rule, not on it, are paper
    beside = cv2.dilate(rules.view(np.uint8), np.ones((2 * RULE_MARGIN + 1,) * 2, np.uint8)) > 0
    paper = np.percentile(rgb[::7, ::7].reshape(-1, 3), 90, axis=0).astype(np.uint8)
    out[beside & ~rules & (mask > 0)] = paper
    return out


RULE_INCHES = 0.25  # a rule: dark (or under the pen) and straight this long at least (a glyph: under 0.15)
RULE_MARGIN = 3  # px beside a rule where the pen becomes paper, not the rule's smear
RULE_DARK_SHARE = 0.6  # … and printed (not pen) over this share of that length


def _rules_under(rgb: np.ndarray, pen: np.ndarray, dpi: float):
    """The pixels under the ``pen`` where an upright or level rule runs through it: a straight
    run ``RULE_INCHES`` long at least of dark print or pen, mostly print (a tick's arm alone
    leans, its upright runs are short). Returns ``bool`` masks (H, W) of those pixels and of the
    whole rules, and the rules' colour; or None."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    paper = float(np.percentile(grey[::7, ::7], 90))
    dark = (grey < paper * 0.6) & (pen == 0)
    if not dark.any():
        return None
    candidate = (dark | (pen > 0)).astype(np.uint8)
    long = max(9, int(round(dpi * RULE_INCHES)))
    under = np.zeros(pen.shape, bool)
    rules = np.zeros(pen.shape, bool)
    for kernel in ((long, 1), (1, long)):  # upright, level
        lines = cv2.morphologyEx(candidate, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=4)
        if n < 2:
            continue
        printed = np.bincount(labels[dark], minlength=n)
        rule = printed >= RULE_DARK_SHARE * stats[:, cv2.CC_STAT_AREA]
        rule[0] = False
        under |= rule[labels] & (pen > 0)
        rules |= rule[labels]
    if not under.any():
        return None
    return under, rules, np.median(rgb[dark], axis=0).astype(np.uint8)


def pen_share(pen: np.ndarray, box: tuple[float, float, float, float]) -> int:
    """Pen pixels inside ``box`` (x0, y0, x1, y1 in the pen mask's pixels)."""
    h, w = pen.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(round(box[2]))), min(h, int(round(box[3])))
    if x1 <= x0 or y1 <= y0:
        return 0
    return int(np.count_nonzero(pen[y0:y1, x0:x1]))
