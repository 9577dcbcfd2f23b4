"""Rule segments of a scanned page, and the pieces of rule the morphological opening gets wrong.

The opening (``page_lines.find_lines``) keeps ink runs at least a kernel long (~0.22 in
vertical, ~0.28 in horizontal) as rules; text strokes are shorter. That misses and adds ink
where a word processor sets its rows tight (LibreOffice's ``--convert-to pdf``):

* ``trim_overshoot``: a glyph standing on a rule (a one-line cell's text set on its bottom
  rule) lengthens a rule running through that rule into the cell: the segment is cut back;
* ``short_rules``: a rule only one short row tall (under 0.3 in: the column rule LibreOffice
  draws between 未经复议直接起诉 and 复议后起诉, in their row only) is no run the opening keeps:
  found as a thin straight run of ink from the row's top rule to its bottom rule;
* ``thin_line_share``: a rule broken into pieces too short for the opening (a seal, a faint
  print) is still seen along a known grid line.

Shapes: positions in pixels of the upright page; a ``Segment`` is one rule (``pos`` its line,
``a``..``b`` its extent along it). Binary images are uint8, 255 = ink.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Segment:
    pos: float  # y of a horizontal rule, x of a vertical one
    a: float  # start along the rule
    b: float  # end along the rule
    synthetic: bool = False


def scaled_px(dpi: float, inches: float, minimum: int = 3) -> int:
    """``inches`` in pixels at ``dpi``, at least ``minimum`` (a fixed threshold loses pages at 300 dpi)."""
    return max(minimum, int(round(dpi * inches)))


_k = scaled_px


# px of a speck beside a rule's piece (a glyph's stroke has a stroke's width times more; two let a
# label's stroke stand for a row rule painted out across table 三, tests/test_registry_bands)
SPECK = 1


def _speck_touched(piece: np.ndarray, band: int, clear: int) -> bool:
    """A piece of a rule a fax's speck touched: ``piece`` (bool, the strip's rows × the piece's
    columns) has at most ``SPECK`` pixels beyond the line's band (rows ``clear`` to
    ``clear + 2 band``), and within it is as wide as it is tall. A glyph's stroke crossing the
    line or standing on it has a stroke's width times ``clear`` rows beyond, a few times more
    (fax seed 4711: a column rule's piece 28 px long with one pixel of a speck beside it)."""
    inside = piece[clear : clear + 2 * band + 1]
    beyond = int(np.count_nonzero(piece)) - int(np.count_nonzero(inside))
    rows = np.flatnonzero(inside.any(axis=1))
    return beyond <= SPECK and len(rows) > 0 and piece.shape[1] >= rows[-1] - rows[0] + 1


def thin_line_share(binary: np.ndarray, pos: float, lo: float, hi: float, horizontal: bool, dpi: float,
                    least: float = 0.5) -> float:
    """Share of [lo, hi] along the grid line at ``pos`` covered by thin pieces of a line: ink
    components lying wholly within a few pixels of the line. A rule broken into pieces too short
    for the opening (under a seal, a faint print) passes; text crossing the line does not: a
    glyph's strokes join strokes that reach beyond the band, so a merged cell's text never splits
    it; a piece a speck touched, a pixel or two beyond, still lies on it (``_speck_touched``).
    Pieces covering under ``least`` of the stretch are none (a dot or two)."""
    band = _k(dpi, 0.02, 3)  # the line (thickened by blur), with the deskew's residue
    clear = _k(dpi, 0.012, 2)  # room beside it, where a piece of a rule does not reach
    p, lo_i, hi_i = int(round(pos)), int(round(lo)), int(round(hi))
    img = binary if horizontal else binary.T
    lo_i, hi_i = max(0, lo_i), min(img.shape[1], hi_i)
    if hi_i - lo_i < 4 or p - band - clear < 0 or p + band + clear + 1 > img.shape[0]:
        return 0.0
    strip = np.ascontiguousarray(img[p - band - clear : p + band + clear + 1, lo_i:hi_i])
    if not strip.any():
        return 0.0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(strip, connectivity=8)
    covered = np.zeros(hi_i - lo_i, bool)
    for k, (x, y, w, h, _area) in enumerate(stats[1:], 1):
        if y >= clear and y + h <= clear + 2 * band + 1 and w >= max(h, 2 * clear):
            covered[x : x + w] = True
        elif w >= 2 * clear and _speck_touched(labels[:, x : x + w] == k, band, clear):
            covered[x : x + w] = True
    if np.count_nonzero(covered) < least * len(covered):  # pieces, not a dot or two
        return 0.0
    # gaps between the pieces (and at the ends) as short as the gaps ``_join`` bridges between
    # rule segments belong to the line: under a seal's densest ink a thin rule fades for a while
    idx = np.concatenate([[-1], np.flatnonzero(covered), [len(covered)]])
    gaps = np.diff(idx) - 1
    gap = _k(dpi, 0.08, 6)
    return float((len(covered) - gaps[gaps > gap].sum()) / len(covered))


def trim_overshoot(segs: list[Segment], across: list[Segment], dpi: float) -> list[Segment]:
    """``segs`` with each end that runs through a rule of the other direction (``across``) and
    stops inside the next cell — clear of the next rule — cut back to the last rule it ran
    through; a segment that is nothing but such ends (strokes on both sides of one rule) is
    dropped. A rule ends on a rule; what goes on a little past one and stops is a glyph's stroke
    standing on the rule (LibreOffice sets a one-line cell's text on its bottom rule: 诉's last
    stroke over a column rule lengthened that rule into the header cell above, which was cut in
    two there; 行's stroke over the row rule and 第's under it, one above the other, made a
    column rule of two rows). An end is on a rule within ~0.02 in of its line. A rule that
    fades inside a cell is still counted there: ``thin_line_share`` finds its thin pieces, and
    a glyph's strokes are no thin line. Segments are replaced, not changed (they are the page's)."""
    meet = scaled_px(dpi, 0.04, 5)  # a rule of ``across`` reaches this far past its ends
    contact = scaled_px(dpi, 0.02, 3)
    out = []
    for s in segs:
        cross = sorted(o.pos for o in across if o.a - meet <= s.pos <= o.b + meet)
        inside = [p for p in cross if s.a + contact < p < s.b - contact]
        if not inside:
            out.append(s)
            continue
        a, b = s.a, s.b
        after = [q for q in cross if q >= s.b - contact]
        if after and after[0] - s.b > contact:  # b stops in a cell that has a rule further on
            b = inside[-1]
        before = [q for q in cross if q <= s.a + contact]
        if before and s.a - before[-1] > contact:
            a = inside[0]
        if b - a <= contact:
            continue
        out.append(s if (a, b) == (s.a, s.b) else Segment(pos=s.pos, a=a, b=b, synthetic=s.synthetic))
    return out


FULL_RUN = 0.9  # a short rule's ink fills this share of its row's height, rule to rule, at its x
SHORT_ROW = 0.3  # inches: a row at most this tall (from rule to rule) can hide a rule from the opening


def _covered(segs: list[Segment], pos: float, lo: int, hi: int, tol: float) -> np.ndarray:
    """Which x in [lo, hi) the horizontal segments on the line at ``pos`` cover."""
    out = np.zeros(hi - lo, bool)
    for s in segs:
        if abs(s.pos - pos) <= tol:
            out[max(0, int(s.a) - lo) : max(0, int(s.b) + 1 - lo)] = True
    return out


def short_rules(binary: np.ndarray, hs: list[Segment], vs: list[Segment], dpi: float) -> list[Segment]:
    """Vertical rules standing in one short row only, which the opening does not keep: in every
    row at most ``SHORT_ROW`` tall between two horizontal rules (``hs``), a run of ink at most a
    rule's width wide that fills ``FULL_RUN`` of the height from one rule to the other and is a thin
    line there (``thin_line_share``: no glyph stroke, whose neighbours reach beyond a rule's
    band), where both rules are drawn and no segment of ``vs`` already stands. Returns one
    ``Segment`` per rule found, from the upper rule to the lower."""
    if not hs:
        return []
    band, thick, tol = scaled_px(dpi, 0.02, 3), scaled_px(dpi, 0.06, 5), scaled_px(dpi, 0.025, 3)
    lines: list[float] = []
    for p in sorted(s.pos for s in hs):
        if not lines or p - lines[-1] > tol:
            lines.append(p)
    x_lo = max(0, int(min(s.a for s in hs)))
    x_hi = min(binary.shape[1], int(max(s.b for s in hs)) + 1)
    out: list[Segment] = []
    for y0, y1 in zip(lines, lines[1:]):
        if y1 - y0 > dpi * SHORT_ROW:
            continue
        top, bottom = int(round(y0)) + band, int(round(y1)) - band
        if bottom - top < band or x_hi - x_lo < 2:
            continue
        ruled = _covered(hs, y0, x_lo, x_hi, tol) & _covered(hs, y1, x_lo, x_hi, tol)
        # from rule to rule: a glyph's stroke, however tall, leaves the cell's padding clear
        span = binary[int(round(y0)) : int(round(y1)) + 1, x_lo:x_hi] > 0
        full = (span.sum(axis=0) >= FULL_RUN * span.shape[0]) & ruled
        idx = np.flatnonzero(full)
        if idx.size == 0:
            continue
        for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
            x = x_lo + (run[0] + run[-1]) / 2
            if run[-1] - run[0] + 1 > thick:
                continue  # a block of ink, no rule
            if any(abs(v.pos - x) <= tol and v.a <= y0 + tol and v.b >= y1 - tol for v in vs):
                continue  # the rule is there already
            if thin_line_share(binary, x, top, bottom, False, dpi) >= FULL_RUN:
                out.append(Segment(pos=float(x), a=y0, b=y1))
    return out


DASH_GAP = 0.6  # inches: the longest stretch of a rule a fax's threshold breaks into dashes
DASHES = 0.35  # the share of such a stretch its dashes cover at least (short gaps between count too)


def bridge_dashes(segs: list[Segment], binary: np.ndarray, dpi: float, horizontal: bool) -> list[Segment]:
    """``segs`` (joined along their lines, ``page_lines._join``) with two segments on one line
    made one where the stretch between them (up to ``DASH_GAP``) holds a thin line's pieces
    (``thin_line_share`` at least a half): a rule a fax's threshold broke into dashes shorter than
    the opening's kernel, which drops them. The row rule between table 三's 予以公开 and 部分公开
    lay in three pieces 35 px apart at 200 dpi; each was too short to be kept alone, and the two
    rows became one (fax seed 4711). A gap over a merged cell holds no thin line (text, if
    any, crosses it or is no line): the segments stay apart."""
    tol = scaled_px(dpi, 0.025, 3)
    longest = dpi * DASH_GAP
    out: list[Segment] = []
    for s in sorted(segs, key=lambda s: s.a):
        # the piece this one continues: the nearest before it on its line
        prev = max((o for o in out if abs(o.pos - s.pos) <= tol and o.b <= s.a), key=lambda o: o.b, default=None)
        if (prev is not None and 0 < s.a - prev.b <= longest
                and thin_line_share(binary, (prev.pos + s.pos) / 2, prev.b, s.a, horizontal, dpi, DASHES) >= 0.5):
            w0, w1 = prev.b - prev.a, s.b - s.a
            out[out.index(prev)] = Segment(pos=(prev.pos * w0 + s.pos * w1) / (w0 + w1), a=prev.a, b=s.b,
                                           synthetic=prev.synthetic and s.synthetic)
        else:
            out.append(s)
    return out
