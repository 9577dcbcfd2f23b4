"""Zero marks read from their shape: a cell whose only ink is a printed dash or a slash.

The format prints a zero as 0, blank, —, -, / or 无 (``shared/spec/format-2021.md``, "Zero
printed as …"; the value is 0, the printed text kept). 0 and 无 are glyphs the recogniser reads
like any other; a lone bar or slash is not: alone in a crop, without context, the recogniser
takes a bar for 一 or H and a slash for I or f. So a cell holding nothing but one such stroke is
read here from its shape, before any crop goes to the recogniser (``cells._cell_job_of``).

Input: ``sub``, a cell's ink (uint8, 0 or 255, shape (h, w), rules and dust already removed),
and ``glyph``, the page's glyph height in pixels (``cells._glyph_height``); every threshold is a
share of ``glyph``, so the rules hold from 150 to 600 dpi. Output: ``"—"`` (a bar), ``"/"`` (a
slash, whole or broken by a fax's threshold) or ``None`` (no zero mark: read the cell as text).
The shares come from measured marks: serif and sans slashes, 1s and broken 2s at 150–300 dpi,
plain and fax-binarised (the tests in ``tests/test_scan_cells.py`` and ``tests/test_scan_dust.py``).
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.components import components

# a slash's stroke: at most this thick for its length (a 150 dpi scan of a serif / binarises
# 0.36 thick; a serif 1 with its flag and foot is over 0.4) …
SLASH_THICK = 0.4
# … and leaning right by this share of its height between its top and bottom fifths (a serif /
# at 150 dpi leans 0.2–0.23; an upright 1 on a deskewed page ~0, its flag makes it lean left)
SLASH_LEAN = 0.15
# … and at least this tall, a share of the page's glyph height: a slash stands as tall as the
# digits, and on a page of table 三 the glyph height is its labels' (CJK, a full em): a sans
# slash of 16 px beside 16 px digits under a 29 px glyph (grey seed 41003, 200 dpi) is 0.55 of
# it; a comma or a speck is under a third
SLASH_TALL = 0.5


def _lean(xs: np.ndarray, ys: np.ndarray, top: float, h: float):
    """How far right (px) a stroke's top fifth stands of its bottom fifth: the mean x of its
    pixels (``xs``, ``ys``) within 0.2 ``h`` of its ``top`` less that of those from 0.8 ``h``
    down. A slash leans right; a 1 stands upright or, by its flag, leans left."""
    return xs[ys <= top + h * 0.2].mean() - xs[ys >= top + h * 0.8].mean()


def zero_mark(sub: np.ndarray, glyph: float) -> str | None:
    """A cell whose only real ink is one solid horizontal bar (—, -, 一) or one thin stroke
    leaning right (/): the zero marks. Returns the mark, or None. Read from the shape: alone in
    a crop, without context, the recogniser takes a bar for 一 or H and a slash for I or f.
    Pieces of a row rule left along the cell's top or bottom edge are not the cell's ink
    (``rule_remnants_cleared``); nor is a speck of the scan's dust touching the stroke at a
    corner (``_without_glued_specks``: beside a slash's top it is a 1's flag)."""
    sub = rule_remnants_cleared(sub, glyph)
    mark = _zero_mark(sub, glyph)
    if mark is None:
        bare = _without_glued_specks(sub, glyph)
        if bare is not sub:
            mark = _zero_mark(bare, glyph)
    return mark


def _without_glued_specks(sub: np.ndarray, glyph: float) -> np.ndarray:
    """``sub`` without the specks (under ``SPECK`` of a glyph both ways) that are pieces of their
    own when pixels touching at a corner only are not joined (4-connected: apart from the rest,
    or touching it at a corner), when they hold at most a third of its ink: a scan's dust speck (the generator's, 40–120 grey, one in a thousand
    pixels) blurred against a slash's top reads as a 1's flag, stamp_numbers seed 903. A glyph's
    own strokes join along pixel sides. Returns ``sub`` itself when nothing is dropped."""
    return _without_specks(sub, glyph, connectivity=4)


def _zero_mark(sub: np.ndarray, glyph: float) -> str | None:
    """``zero_mark`` on ink already cleared of a rule's remnants."""
    n, labels, stats = components(sub)
    if n < 2:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    i = int(np.argmax(areas)) + 1
    dust = max(0.15 * areas[i - 1], (0.3 * glyph) ** 2)
    if n > 2 and np.sort(areas)[-2] > dust:
        return broken_slash(sub, glyph, stats)  # more than one stroke: a slash a fax broke, or no mark
    x, y, w, h, area = stats[i]
    # (a hyphen, blurred and JPEG-smeared, may be only ~1.7 times as wide as it is thick)
    if h <= 0.3 * glyph and w >= 1.6 * h and w >= 0.3 * glyph and area >= 0.6 * w * h:
        return "—"
    # a 2 a fax broke apart is a slash (its arc and diagonal) over a bar (its base)
    others = [st for k, st in enumerate(stats[1:], 1) if k != i]
    alone = not any(ow >= 2 * oh and ow >= 0.3 * glyph for _, _, ow, oh, _ in others)
    if not (alone and h >= SLASH_TALL * glyph and 0.25 * h <= w <= 0.8 * h):  # its box is no slash's
        return broken_slash(sub, glyph, stats) if n > 2 else None
    pts = np.column_stack(np.nonzero(labels == i))[:, ::-1].astype(np.float32)
    (_, _), (rw, rh), angle = cv2.minAreaRect(pts)
    long, short = max(rw, rh), min(rw, rh)
    if long >= SLASH_TALL * glyph and short <= SLASH_THICK * long:
        if _lean(pts[:, 0], pts[:, 1], y, h) >= SLASH_LEAN * h:  # its top right of its bottom
            return "/"
    return broken_slash(sub, glyph, stats) if n > 2 else None


SLASH_COVER = 0.7  # share of a broken slash's rows its pieces must ink (a fax's breaks are short)


def broken_slash(sub: np.ndarray, glyph: float, stats: np.ndarray) -> str | None:
    """Pieces of one slash (a fax's threshold broke its thin stroke): all the cell's ink lies
    along one thin line leaning right, as a whole slash's does (``zero_mark``), its pieces ink
    ``SLASH_COVER`` of the rows between its ends (two or three specks that happen to line up
    leave most rows blank), each tall piece leans right itself, and none of the pieces is a bar
    (a 2's base). Two digits side by side, or a broken 1 (upright), are no such line. ``stats``: the cell's components (``cv2.connectedComponentsWithStats``)."""
    if any(w >= 2 * h and w >= 0.3 * glyph for _, _, w, h, _ in stats[1:]):
        return None
    sub = _without_specks(sub, glyph)
    ys, xs = np.nonzero(sub)
    if len(xs) < 8:
        return None
    h, w = int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)
    pts = np.column_stack([xs, ys]).astype(np.float32)
    (_, _), (rw, rh), _ = cv2.minAreaRect(pts)
    long, short = max(rw, rh), min(rw, rh)
    tall = min(long, h) >= SLASH_TALL * glyph
    if not (tall and short <= SLASH_THICK * long and 0.25 * h <= w <= 0.8 * h):
        return None
    y0 = ys.min()
    if len(np.unique(ys)) < SLASH_COVER * h:
        return None  # a few specks on a line (a 150 dpi scan's dust in a blank cell), no stroke
    if _lean(xs, ys, y0, h) < SLASH_LEAN * h:
        return None
    # each tall piece is a piece of the slash: it leans right too. A 1 (upright, its flag makes
    # it lean left) with a speck of a 150 dpi fax's dust below and left of its foot spans a
    # leaning box as a whole, its stem does not
    n, labels, pstats = components(sub)
    for k in range(1, n):
        px, py, pw, ph, _ = pstats[k]
        if ph < 0.4 * glyph:
            continue
        kys, kxs = np.nonzero(labels[py : py + ph, px : px + pw] == k)
        if _lean(kxs, kys, 0, ph) < 0.5 * SLASH_LEAN * ph:
            return None
    return "/"


# a slash with dust glued on: its rows' median ink at most this share of its height (a /'s
# stroke 0.29 at 150 dpi; a 2 or 0 drawn round 0.5), none of its top fifth's rows wider than
# ROUGH_TOP (a 7's bar is its width, over half its height)
ROUGH_ROW, ROUGH_TOP = 0.33, 0.4


def rough_slash(sub: np.ndarray, glyph: float) -> bool:
    """One thin stroke leaning right as a slash does, whose box ``zero_mark`` found too thick: a
    speck of a 150 dpi scan's dust blurred onto its side or its top (dpi150 seed 41003: / read
    1 and t, boxes 0.40–0.48 thick). Measured by rows, not by the box: the median row's ink at
    most ``ROUGH_ROW`` of its height and no bar in its top or bottom fifth (``ROUGH_TOP``: a 7;
    a 2 whose flag a fax cut off, fax+dpi150 seed 95011, read /), at least
    ``SLASH_TALL`` of a glyph tall, leaning right by ``SLASH_LEAN``. A 1 stands upright or leans
    left by its flag. The caller reads such a cell as / and doubts it. ``sub``: uint8 0/255
    (h, w); ``glyph``: pixels."""
    sub = _without_specks(sub, glyph)
    n, labels, stats = components(sub)
    if n != 2:
        return False
    x, y, w, h, _ = stats[1]
    if h < SLASH_TALL * glyph or not 0.25 * h <= w <= 0.8 * h:
        return False
    stroke = labels[y : y + h, x : x + w] == 1
    rows = stroke.sum(axis=1)
    fifth = max(1, int(0.2 * h))
    if np.median(rows) > ROUGH_ROW * h or max(rows[:fifth].max(), rows[-fifth:].max()) > ROUGH_TOP * h:
        return False
    ys, xs = np.nonzero(stroke)
    return bool(_lean(xs, ys, 0, h) >= SLASH_LEAN * h)


SPECK = 0.2  # a fax's speck: under this share of a glyph both ways (a slash's piece is longer)


def _without_specks(sub: np.ndarray, glyph: float, connectivity: int = 8) -> np.ndarray:
    """``sub`` without its specks (components under ``SPECK`` of a glyph both ways) when they
    hold at most a third of its ink: a fax's flipped pixels beside a broken slash, which would
    widen its line past a slash's shape (as ``zero_mark``'s ``dust`` rule ignores them beside a
    whole one). Returns ``sub`` itself when nothing is dropped."""
    n, labels, stats = components(sub, connectivity)
    small = [k for k in range(1, n) if max(stats[k, 2], stats[k, 3]) < SPECK * glyph]
    if not small or len(small) == n - 1:
        return sub
    if stats[small, cv2.CC_STAT_AREA].sum() * 3 > stats[1:, cv2.CC_STAT_AREA].sum():
        return sub
    out = sub.copy()
    out[np.isin(labels, small)] = 0
    return out


RULE_LONG = 1.5  # a rule's remnant: its pieces ink at least this many glyphs of width (a dash ~1) …
RULE_THIN = 0.3  # … each at most this share of a glyph thick …
RULE_EDGE = 0.5  # … all within this share of a glyph of the cell's top or bottom edge


def rule_remnants_cleared(sub: np.ndarray, glyph: float) -> np.ndarray:
    """``sub`` (uint8 0/255, shape (h, w)) without the band of a row rule left along its top or
    bottom edge: thin components (at most ``RULE_THIN`` of a glyph thick) lying within
    ``RULE_EDGE`` of a glyph of that edge whose widths add up to ``RULE_LONG`` glyphs or more;
    the band is cleared from the edge to their far side (with the specks a fax broke off them).
    On a skewed page a fax breaks a rule into pieces the rule removal misses; beside them a
    slash looks like a slash over a bar (a 2's base) and the cell is read as 1 (issue 13, fax).
    Returns ``sub`` itself when there is no such band, else a copy. A bar zero mark (—) stands
    mid-cell and is one piece under ``RULE_LONG`` glyphs: it is kept."""
    n, _, stats = components(sub)
    rows = sub.shape[0]
    edge = RULE_EDGE * glyph
    thin = [st for st in stats[1:] if st[3] <= RULE_THIN * glyph]
    near_top = [st for st in thin if st[1] + st[3] <= edge]
    near_bottom = [st for st in thin if st[1] >= rows - edge]
    out = sub
    if sum(int(st[2]) for st in near_top) >= RULE_LONG * glyph:
        out = out.copy()
        out[: max(int(st[1] + st[3]) for st in near_top)] = 0
    if sum(int(st[2]) for st in near_bottom) >= RULE_LONG * glyph:
        out = out.copy()
        out[min(int(st[1]) for st in near_bottom):] = 0
    return out


SMUDGE_TALL = 0.5  # a smudged bar's whole blob: at most this share of a glyph tall (a digit ~1) …
SMUDGE_CORE = 0.5  # … its bar rows (``smudged_bar``) at least this share of its ink …
SMUDGE_WIDE = 0.5  # … a bar row: inked at least this share of the widest row's count
SMUDGE_LONG = 1.6  # … and the blob at most this share of a glyph wide (an em dash — is one glyph)
SMUDGE_SHORT = 0.8  # a blob up to this wide is a hyphen's: the recogniser misreads it alone (r, à)


def smudged_bar(sub: np.ndarray, glyph: float) -> bool:
    """A cell whose only real ink is a short bar with a smudge glued to it: a 150 dpi JPEG scan
    of a serif hyphen (6–9 px wide, glyph 20 px) binarises 3–5 rows thick with the JPEG's faint
    ghost below it joined on (9 × 9 px in all), too tall for ``zero_mark``'s bar; alone in its
    crop the recogniser reads it as r or à (seed 1501, none and faded). Shape: one blob (specks
    under ``SPECK`` aside) at most ``SMUDGE_TALL`` of a glyph tall and 0.3–``SMUDGE_LONG`` of one
    wide (an em dash with a speck glued on its top left read 1 at 0.65, perspective+curl seed
    1604; the caller reads a blob wider than ``SMUDGE_SHORT`` and keeps the reading when it is a
    dash) whose
    bar (the run of rows around its widest inked at least ``SMUDGE_WIDE`` as much) is at most 0.3
    of a glyph tall and 1.5 times as wide as that, holding ``SMUDGE_CORE`` of its ink (faded seed
    1501: a speck glued at the bar's left end too). No digit is that short, but a
    faded digit's piece may look so: the caller reads the cell as a zero mark and doubts it.
    ``sub``: uint8 0/255 (h, w); ``glyph``: pixels. Returns True for such a blob."""
    sub = _without_specks(rule_remnants_cleared(sub, glyph), glyph)
    n, labels, stats = components(sub)
    if n != 2:
        return False
    x, y, w, h, area = stats[1]
    if not (h <= SMUDGE_TALL * glyph and 0.3 * glyph <= w <= SMUDGE_LONG * glyph):
        return False
    blob = labels[y : y + h, x : x + w] == 1
    widths = blob.sum(axis=1)
    wide = widths >= SMUDGE_WIDE * widths.max()
    top = bottom = int(np.argmax(widths))  # the bar: the run of wide rows around the widest one
    while top > 0 and wide[top - 1]:
        top -= 1
    while bottom < h - 1 and wide[bottom + 1]:
        bottom += 1
    core = np.arange(top, bottom + 1)
    cols = np.flatnonzero(blob[core].any(axis=0))
    bar_w = cols[-1] - cols[0] + 1
    return bool(len(core) <= 0.3 * glyph and bar_w >= 1.5 * len(core) and bar_w >= 0.3 * glyph
                and widths[core].sum() >= SMUDGE_CORE * area)


def leans_right(sub: np.ndarray, glyph: float) -> bool:
    """The cell's ink (specks aside), at least half a glyph tall, leans right as a slash does:
    its top fifth stands ``SLASH_LEAN`` of its height right of its bottom fifth. A thin /
    that a fax broke into pieces too far apart for ``broken_slash`` is read 1 (fax+dpi150 seed
    5304, a 0 marked ok); a printed 1 stands upright or, by its flag, leans left. The caller
    doubts a 1 read from such ink. ``sub``: uint8 0/255 (h, w); ``glyph``: pixels."""
    if sub is None or not sub.any():
        return False
    ys, xs = np.nonzero(_without_specks(sub, glyph))
    if not len(ys):
        return False
    y0, h = int(ys.min()), int(ys.max() - ys.min() + 1)
    if h < 0.5 * glyph:
        return False
    return bool(_lean(xs, ys, y0, h) >= SLASH_LEAN * h)
