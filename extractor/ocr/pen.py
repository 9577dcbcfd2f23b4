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

Blueness is measured on the page white-balanced on its paper (``_blueness``), and a stroke found
is followed into its faint ends (``_dark_ends``).

The pen is taken off (``without_pen``) where it is dark, not over its whole colour: the JPEG's
blue halo round the stroke is paper-light and reads as paper. Where the stroke crossed a printed
one (the tick over a 无 or a 0), the print is carried on under it from both sides
(``pen_fill.carry_across``); elsewhere it becomes paper. What the pen covered along a stroke is
still lost: a cell with pen ink is doubted by the caller (``pen_share``), however its value reads.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.pen_fill import carry_across

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
END_BLUENESS = 8  # a dark pixel beside a pen stroke this bluish is its faint end (see _dark_ends)
END_REACH = 4  # px a stroke is followed on into its faint end
PIECE_REACH = 4  # px round a pen stroke its broken-off pieces lie in
CORE_DARK = 0.7  # a pen pixel darker than this share of its paper is the stroke (lighter: its bluish JPEG halo)
CORE_PAPER_REACH = 7  # px round a pixel its paper is looked for (a stroke is thinner than twice this)
RIDGE_SHARE = 0.4  # the stroke's dark lies where its blue is this share of its highest near it (0.65: a thin tick's edges were left)
RIDGE_REACH = 3  # px round a pixel that highest is looked for (a stroke's half-width and the chroma's blur)


PEN_MAX_STROKES = 40  # more pen strokes than this on a page …
PEN_MAX_SHARE = 0.15  # … together this share of its print (``PRINT_DARK``) or more: a colour cast
PRINT_DARK = 0.6  # print: darker than this share of the paper's grey


BALANCED_PAPER = 160.0  # the paper's level in ``_blueness``'s uint8 balance
BALANCE_ROWS = 64  # rows ``_blueness`` balances at a time


def _blueness(rgb: np.ndarray) -> np.ndarray:
    """Blue over the larger of red and green once the page is white-balanced on its paper (each
    channel scaled so the paper's 90th percentile is 255), less any bluish tint left (uint8,
    (H, W)).

    The balance is a scanner's paper tint taken off as it was put on, by product: a yellowed
    page is short of blue at the paper and hardly at all at the black print, so a subtracted
    tint either misses it (the page's blue deficit kept, a pen stroke's blue read 10–20 low) or
    takes it off the print too (black glyphs made bluish). A thin tick at 150 dpi and JPEG
    quality 40 keeps only ~25 of blue over its paper (shaded_header+pen_tick+dpi150 seed 5102:
    on a paper 17 short of blue, three of four ticks stayed ink and read 0 as 6, 10, 9)."""
    paper = np.percentile(rgb[::7, ::7].reshape(-1, 3), 90, axis=0)
    alphas = [BALANCED_PAPER / max(float(paper[i]), 1.0) for i in range(3)]
    # each channel scaled in uint8, the paper to BALANCED_PAPER (headroom for what is lighter
    # than the paper), the difference scaled back to a paper of 255 (a float copy of the page
    # cost four times its size); a band of rows at a time, so each step reads what the one
    # before left in the cache, its channels split once (three times as fast as whole-page
    # steps; the same values)
    h, w = rgb.shape[:2]
    blueness = np.empty((h, w), np.uint8)
    other = np.empty((min(h, BALANCE_ROWS), w), np.uint8)
    for y in range(0, h, BALANCE_ROWS):
        red, green, blue = cv2.split(rgb[y : y + BALANCE_ROWS])
        o, b = other[: len(red)], blueness[y : y + len(red)]
        cv2.convertScaleAbs(red, dst=o, alpha=alphas[0])
        cv2.max(o, cv2.convertScaleAbs(green, dst=green, alpha=alphas[1]), dst=o)
        cv2.convertScaleAbs(blue, dst=b, alpha=alphas[2])
        cv2.subtract(b, o, dst=b)
        cv2.convertScaleAbs(b, dst=b, alpha=255.0 / BALANCED_PAPER)
    tint = int(np.median(blueness[::7, ::7]))
    return cv2.subtract(blueness, tint) if tint > 0 else blueness


def _strokes(blueness: np.ndarray, edge: int, core: int, share: float, join: int = 0):
    """Bluish components (over ``edge``; a closing of ``join`` px joins the pieces of a thin
    stroke JPEG broke apart) and which of them are pen-blue (over ``core``) at ``share`` of their
    bluish pixels: (labels, areas in bluish pixels, keep, core counts, the mask labelled). No
    boxes: OpenCV's statistics cost three times the labelling, and only a faint stroke's
    neighbours need them (``_boxes``)."""
    bluish = (blueness > edge).view(np.uint8)
    joined = cv2.morphologyEx(bluish, cv2.MORPH_CLOSE, np.ones((2 * join + 1,) * 2, np.uint8)) if join else bluish
    n, labels = cv2.connectedComponents(joined, connectivity=8)
    cores = np.bincount(labels[blueness > core], minlength=n)
    areas = np.bincount(labels[bluish > 0], minlength=n)
    keep = cores >= share * np.maximum(areas, 1)
    keep[0] = False
    return labels, areas, keep, cores, joined


def _boxes(joined: np.ndarray) -> np.ndarray:
    """x, y, w, h of each component of ``joined`` as ``_strokes`` labelled it (the same labelling,
    with OpenCV's statistics): (n, 4) int32."""
    return cv2.connectedComponentsWithStats(joined, connectivity=8)[2][:, :4]


def _alone(boxes: np.ndarray, i: int, others: np.ndarray) -> bool:
    """Component ``i`` has no bluish neighbour (``others``: component indices) beside it on its
    line: none at least half as tall, overlapping half its height, within ``RUN_GAP`` of its
    height left or right. ``boxes``: x, y, w, h of each component (``_boxes``)."""
    x, y, w, h = boxes[i, :4]
    for j in others:
        if j == i:
            continue
        ox, oy, ow, oh = boxes[j, :4]
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
    # the page's paper grey from every 7th pixel (as the page's other levels)
    paper = float(np.percentile(cv2.cvtColor(np.ascontiguousarray(rgb[::7, ::7]), cv2.COLOR_RGB2GRAY), 90))
    y0, y1, x0, x1 = _bluish_box(blueness)
    pen = _pen_in(rgb[y0:y1, x0:x1], blueness[y0:y1, x0:x1], paper)
    if pen is None:
        return None
    if _colour_cast(pen, rgb, paper):
        return None
    out = np.zeros(blueness.shape, np.uint8)
    out[y0:y1, x0:x1] = pen
    return out


def _colour_cast(pen: np.ndarray, rgb: np.ndarray, paper: float) -> bool:
    """Whether the "pen" found (``pen``, bool, a part of the page) is a colour cast, not a
    reader's marks: more than ``PEN_MAX_STROKES`` strokes, together ``PEN_MAX_SHARE`` of the
    page's print or more. Strongly yellowed paper under a JPEG: the paper's chroma smeared
    round the black glyphs is bluish once the page is balanced on it — 20–56 % of each page's
    print was taken for pen and 26 right fields of a real report sent to review (helper-66);
    a page's ticks are a few strokes, ~1 % of its print."""
    n = int(np.count_nonzero(pen))
    if not n:
        return False
    strokes = cv2.connectedComponents(pen.astype(np.uint8), connectivity=8)[0] - 1
    print_px = np.count_nonzero(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) < PRINT_DARK * paper)
    return strokes > PEN_MAX_STROKES and n >= PEN_MAX_SHARE * print_px


# px kept round the bluish pixels when the page is cut to them (``_bluish_box``): what
# ``_pen_in`` reads beside a stroke — its faint ends (``END_REACH``), their 3 x 3 blue, the
# paper round them (``CORE_PAPER_REACH``), the rim's dilation — lies within it
BOX_MARGIN = END_REACH + 1 + CORE_PAPER_REACH + 4


def _bluish_box(blueness: np.ndarray) -> tuple[int, int, int, int]:
    """Rows y0:y1 and columns x0:x1 holding every pixel bluish at all (over ``FAINT_EDGE``, the
    lower of the tiers' edges), ``BOX_MARGIN`` px round them, within the page: the pen is found
    in it alone, at the same pixels as on the whole page (a page's bluish pixels are a seal's
    rim, a shaded header, a tick: on the corpus's table pages a fifth to a half of the page)."""
    h, w = blueness.shape
    bluish = blueness > FAINT_EDGE
    rows, cols = np.flatnonzero(bluish.any(axis=1)), np.flatnonzero(bluish.any(axis=0))
    return (max(0, rows[0] - BOX_MARGIN), min(h, rows[-1] + 1 + BOX_MARGIN),
            max(0, cols[0] - BOX_MARGIN), min(w, cols[-1] + 1 + BOX_MARGIN))


def _pen_in(rgb: np.ndarray, blueness: np.ndarray, paper: float) -> np.ndarray | None:
    """``pen_ink`` on a part of the page (``_bluish_box``): ``blueness`` is the page's
    (``_blueness``) there, ``paper`` the page's paper grey."""
    # each bluish stroke on its own: pen when mostly pen-blue. A title printed in navy is bluish
    # at its rim and pen-blue only at a few JPEG-noisy pixels; taken for pen as a whole, it was
    # painted out and the title lost
    pen = np.zeros(blueness.shape, bool)
    # (the kept strokes' pen-blue pixels must reach PEN_MIN_PIXELS: with fewer on the whole
    # part of the page, no labelling can find them)
    if np.count_nonzero(blueness > PEN_BLUENESS) >= PEN_MIN_PIXELS:
        labels, _, keep, cores, _ = _strokes(blueness, PEN_EDGE, PEN_BLUENESS, PEN_CORE_SHARE)
        if int(cores[keep].sum()) >= PEN_MIN_PIXELS:
            pen = keep[labels]
    f_labels, areas, f_keep, _, joined = _strokes(blueness, FAINT_EDGE, FAINT_BLUENESS, FAINT_CORE_SHARE, FAINT_JOIN)
    # ink, not a tint: a pen's stroke is dark where it is bluish; a header cell shaded light
    # blue (a WPS table's fill) is as bluish and paper-light (the corpus scan: two whole header
    # rows of table 二 were taken for pen and painted out)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    n = len(f_keep)
    inked = np.bincount(f_labels[(blueness > FAINT_EDGE) & (grey < FAINT_DARK * paper)], minlength=n)
    f_keep &= inked >= FAINT_INKED_SHARE * np.maximum(areas, 1)
    pieces = f_keep.copy()  # pen-blue, of any size
    f_keep &= areas >= FAINT_MIN_PIXELS
    if f_keep.any():
        bluish = np.flatnonzero(areas >= 0.2 * FAINT_MIN_PIXELS)
        bluish = bluish[bluish > 0]
        boxes = _boxes(joined)
        for i in np.flatnonzero(f_keep):
            f_keep[i] = _alone(boxes, i, bluish)
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
    pen = _dark_ends(pen, blueness, grey)
    return cv2.dilate(pen.astype(np.uint8) * 255, np.ones((3, 3), np.uint8))


def _dark_ends(pen: np.ndarray, blueness: np.ndarray, grey: np.ndarray) -> np.ndarray:
    """``pen`` (bool, (H, W)) grown, ``END_REACH`` px at most, over the dark pixels beside it
    that are bluish at all (over ``END_BLUENESS``): where a stroke starts or ends, a JPEG's
    half-resolution chroma mixes its blue with the paper's on every side and leaves its end only
    faintly blue, below both tiers. Left as ink, a tick's end beside a 0 read 01 (shaded_header+
    pen_tick+dpi150 seed 5102). Black print is not bluish once the page is balanced (99.9 % of
    its dark pixels under 7 on that page), and only dark pixels beside a pen are taken."""
    # bluish by its 3 x 3 neighbourhood: a JPEG's chroma blocks leave gaps of 3-7 along a faint end
    bluish = cv2.dilate(blueness, np.ones((3, 3), np.uint8)) > END_BLUENESS
    ends = (_dark(grey) & bluish).view(np.uint8)
    grown = pen.view(np.uint8).copy()
    for _ in range(END_REACH):
        grown = cv2.dilate(grown, np.ones((3, 3), np.uint8)) & (ends | grown)
    return grown > 0


def without_pen(rgb: np.ndarray, pen: np.ndarray, dpi: float | None = None) -> np.ndarray:
    """A copy of ``rgb`` with the dark of the ``pen`` (its colour's mask, ``pen_ink``) filled
    from around it (``_pen_core``, ``pen_fill.carry_across``): a printed stroke the pen crossed
    goes on under it, bare paper stays paper. Given the page's ``dpi``, a table's rule the pen
    crossed is drawn on across it first (``_rules_under``): a fill carries a thin rule over a
    wide stroke only as a blot, and a rule lost there merges two cells (pen_tick seed 980: 6 and
    0 read as one cell, 6ł0)."""
    out = np.ascontiguousarray(rgb).copy()
    colour, pen = pen, _pen_core(out, pen)
    rule = _rules_under(out, pen, dpi) if dpi else None
    if rule is None:
        return _halo_lifted(carry_across(out, pen, dpi, colour), colour, pen)
    under, rules, level = rule
    out[under] = level
    mask = pen.copy()
    mask[under] = 0
    out = carry_across(out, mask, dpi, colour, rules)
    # a fill would carry a rule's dark into the pen beside it: a blot on the rule that the
    # cell's ink keeps as a bar (一无). Pen pixels hard by a rule, not on it, are paper
    beside = cv2.dilate(rules.view(np.uint8), np.ones((2 * RULE_MARGIN + 1,) * 2, np.uint8)) > 0
    paper = np.percentile(rgb[::7, ::7].reshape(-1, 3), 90, axis=0).astype(np.uint8)
    out[beside & ~rules & (mask > 0)] = paper
    return _halo_lifted(out, colour, pen, rules)


def _halo_lifted(out: np.ndarray, colour: np.ndarray, core: np.ndarray, rules: np.ndarray | None = None
                 ) -> np.ndarray:
    """``out`` (RGB, the pen's dark filled) with the pen's halo — its colour (``colour``) off its
    stroke (``core``) — made paper where it is nearer the paper than the page's print: the
    stroke's blurred rim, left a grey outline of the tick, was read as a 1 beside a 0 (01) and
    as a glyph in a blank cell (pen_tick seeds 1601, 1602). Print in the halo (a digit's stroke
    beside the tick) is as dark as print anywhere and stays; so do the rules."""
    halo = (colour > 0) & (core == 0)
    if rules is not None:
        halo &= ~rules
    if not halo.any():
        return out
    grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    paper_grey = float(np.percentile(grey[::7, ::7], 90))
    ink = float(np.percentile(grey[::7, ::7], 1))
    light = halo & (grey > (paper_grey + ink) / 2)
    paper = np.percentile(out[::7, ::7].reshape(-1, 3), 90, axis=0).astype(np.uint8)
    out[light] = paper
    return out


def _pen_core(rgb: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """The part of the ``pen`` mask (uint8, (H, W), 255 = pen) that is the stroke itself: its
    pixels darker than ``CORE_DARK`` of the paper around them and near the ridge of its blue
    (the blueness, smoothed, at ``RIDGE_SHARE`` of its highest within ``RIDGE_REACH`` px).

    The pen's blue is smeared by a JPEG's half-resolution chroma a few px each side of its
    stroke: the colour mask is two to three times the stroke's width, and print beside the
    stroke is as bluish as the stroke. Taken off as a whole, it cut a wide gap in a digit under
    it (or, inpainted, smeared the digit's dark across it: uneven_light+pen_tick seed 5101, a 0
    read 3 and 8, a 1 read i). The halo is paper-light and reads as paper as it is; print in it
    lies off the ridge, where the blue has fallen to under half."""
    blueness = cv2.GaussianBlur(_blueness(rgb).astype(np.float32), (0, 0), 1.0)
    near = 2 * RIDGE_REACH + 1
    ridge = blueness >= RIDGE_SHARE * cv2.dilate(blueness, np.ones((near, near), np.uint8))
    core = (pen > 0) & ridge & _dark(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    return core.astype(np.uint8) * 255


def _dark(grey: np.ndarray) -> np.ndarray:
    """Pixels darker than ``CORE_DARK`` of the paper round them (its lightest within
    ``CORE_PAPER_REACH`` px: the light falls off across a page): bool (H, W)."""
    reach = 2 * CORE_PAPER_REACH + 1
    paper = cv2.dilate(grey, np.ones((reach, reach), np.uint8)).astype(np.float32)
    return grey.astype(np.float32) < CORE_DARK * paper


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
