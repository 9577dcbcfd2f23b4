"""Cell reading, the ink half: a cell's ink cut into text lines and turned into recogniser
jobs, and the recogniser's results back into the cell.

The ink inside a cell (rules removed, specks and dust dropped, a rule's remnants at its edge
dropped) is cut into text lines by its horizontal projection. Several lines (a wrapped label)
are read one by one and joined without a break. A tall narrow cell whose "lines" are single
glyphs is vertical text, read as one strip. A lone bar or slash is a zero mark, read from its
shape; specks and seal traces with nothing glyph-tall make a blank cell.

Ink that is no text (specks, dust, a rule's remnants) is ``extractor.ocr.no_text``; a minus
sign's bar before the digits, ``extractor.ocr.minus_sign``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from extractor.ocr.crops import PxBox, _crop, _k, _strip, recognize_unique
from extractor.ocr.engine import Recognition
from extractor.ocr.normalise import (
    DASH_CONFIDENCE,
    STRAY_CONFIDENCE,
    _combine,
    _normalise,
    _strip_stray,
)
from extractor.ocr.minus_sign import MINUS, SHORT_MINUS, _minus_bar, _signed
from extractor.ocr.no_text import (
    _drop_edge_remnants,
    _edge_stroke,
    drop_stray_ink,
    _glyph_sized_remains,
    _has_glyph,
    _only_specks,
    _split_dust,
)
from extractor.ocr.structure import DOUBT
from extractor.ocr.zero_marks import SMUDGE_SHORT, smudged_bar, zero_mark
from models.extraction import Alternative
from models.page import Cell


@dataclass
class CellJob:
    """The crops one cell (or one prose line) is read from, and how to join them."""

    crops: list[np.ndarray]
    vertical: bool = False
    empty_confidence: float = 1.0
    dash: str | None = None  # the ink is one bar or slash (a zero mark): read from its shape
    first: int = 0  # index of its first crop in the page's batch
    boxes: list[PxBox] = field(default_factory=list)
    doubt: bool = False  # the cell holds ink that may be no text (a rule's piece at its edge)
    stray: bool = False  # ink beside the text was left out (``drop_stray_ink``): a number read is doubted
    bar: bool = False  # the ink is a long bar with a smudge glued on (``smudged_bar``): read as — unless read so
    minus: bool = False  # the line's first stroke is a minus sign's bar (see ``_minus_bar``)
    minus_if_read: bool = False  # … a shorter bar: a minus when the recogniser reads one there too
    ink_em: float | None = None  # one line: its ink's width in the page's glyph heights


def _bands(profile: np.ndarray) -> list[tuple[int, int]]:
    on = profile > 0
    out = []
    i, n = 0, len(on)
    while i < n:
        if on[i]:
            j = i
            while j < n and on[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _merge_fragments(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join bands that are pieces of one glyph row (三 is three strokes, with gaps) to a neighbour."""
    bands = list(bands)
    if len(bands) < 2:
        return bands
    full = max(b - a for a, b in bands)
    typical = np.median([b - a for a, b in bands if b - a >= 0.55 * full])
    while len(bands) > 1:
        heights = [b - a for a, b in bands]
        i = int(np.argmin(heights))
        if heights[i] >= 0.55 * typical:
            break
        # merge with the closer neighbour if the result still fits one glyph row
        cands = []
        if i > 0:
            cands.append((bands[i][0] - bands[i - 1][1], i - 1))
        if i + 1 < len(bands):
            cands.append((bands[i + 1][0] - bands[i][1], i + 1))
        cands.sort()
        merged = False
        for _, j in cands:
            a, b = min(bands[i][0], bands[j][0]), max(bands[i][1], bands[j][1])
            if b - a <= 1.35 * typical:
                lo, hi = min(i, j), max(i, j)
                bands[lo : hi + 1] = [(a, b)]
                merged = True
                break
        if not merged:
            break
    return bands


def _cell_layout(ink: np.ndarray, box, dpi: float):
    """The text lines (bands) of one cell's ink, and its dust. Returns (pieces, sub, origin, shape)."""
    inset = _k(dpi, 0.015, 2)
    x0, y0 = int(round(box[0])) + inset, int(round(box[1])) + inset
    x1, y1 = int(round(box[2])) - inset, int(round(box[3])) - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return [], None, (x0, y0), (0, 0)
    sub = _drop_edge_remnants(ink[y0:y1, x0:x1], dpi)
    sub, _dust = _split_dust(sub, dpi)
    rows = sub.sum(axis=1, dtype=np.int64)
    if not rows.any():
        return [], sub, (x0, y0), (y1 - y0, x1 - x0)
    bands = _merge_fragments(_bands(rows))
    # bands with next to no ink (a speck row, a seal trace) are not text lines
    mass = [int(rows[a:b].sum()) for a, b in bands]
    bands = [b for b, m in zip(bands, mass) if m >= 0.08 * max(mass)]
    pieces: list[PxBox] = []
    for a, b in bands:
        cols = sub[a:b].sum(axis=0)
        xs = np.nonzero(cols)[0]
        pieces.append((x0 + int(xs[0]), y0 + a, x0 + int(xs[-1]) + 1, y0 + b))
    return pieces, sub, (x0, y0), (y1 - y0, x1 - x0)


def _glyph_height(pieces: list[PxBox], dpi: float, weights: list[float] | None = None) -> float:
    """The page's text height, px: a high quantile (75 %) of the cells' line heights — of the
    text's ink when ``weights`` (each piece's ink pixels, ``piece_ink``) are given. Dashes, dots
    and commas are lower; whole lines of digits or CJK are this tall. Weighted, a page's dust
    does not count: on a 150 dpi or fax-like scan whose zeros are printed blank, the specks
    left in the blank cells are hundreds of 3–5 px "lines", more than the text's own, and the
    unweighted quantile fell to a speck's height (7–10 px for 25 px text) — every threshold
    taken from it then took dust for digits. Each weight is capped at a glyph's ink, so one big
    blob (a seal's words) cannot be the page's height either."""
    keep = [i for i, p in enumerate(pieces) if p[3] - p[1] >= 3]
    if len(keep) < 3:
        return dpi * 0.11  # ~8 pt
    hs = np.array([pieces[i][3] - pieces[i][1] for i in keep], float)
    if weights is None:
        return float(np.percentile(hs, 75))
    w = np.array([max(float(weights[i]), 0.0) for i in keep])
    if w.sum() <= 0:
        return float(np.percentile(hs, 75))
    # a piece weighs at most a glyph's ink (a quarter of a 0.1 in square): every line of text
    # counts alike, as unweighted, and only what holds less (a speck) counts less. Uncapped, a
    # seal's blob of ink (grey scan, its words and star over a cell) is one tall piece holding a
    # third of the page's ink, and was the page's height (70 px for 26 px text)
    w = np.minimum(w, 0.25 * (0.1 * dpi) ** 2)
    order = np.argsort(hs, kind="stable")
    cum = np.cumsum(w[order])
    return float(hs[order][int(np.searchsorted(cum, 0.75 * cum[-1]))])


def piece_ink(layout) -> list[int]:
    """Ink pixels of each text line (piece) of a cell layout (``_cell_layout``)."""
    pieces, sub, (ox, oy), _ = layout
    if sub is None:
        return [0] * len(pieces)
    return [int(np.count_nonzero(sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox])) for x0, y0, x1, y1 in pieces]


def _cell_job(gray: np.ndarray, layout, glyph: float) -> CellJob:
    job = _cell_job_of(gray, layout, glyph)
    if job.crops and not job.vertical:
        job.doubt = job.doubt or _edge_stroke(layout[1], glyph)
        if len(job.boxes) == 1:
            x0, _, x1, _ = job.boxes[0]
            job.ink_em = round((x1 - x0) / glyph, 3) if glyph > 0 else None
            bar = _minus_bar(layout[1], glyph)
            job.minus, job.minus_if_read = bar == MINUS, bar == SHORT_MINUS
    return job


NUMBER_READ = re.compile(r"^[-+]?[0-9][0-9.,]*$")  # what a value cell reads: a stray mark beside it doubts it
ONE_LINE = 1.15  # bands that together stand no taller than this many glyphs are one line


def _one_line(pieces: list[PxBox], glyph: float) -> list[PxBox]:
    """Neighbouring bands (``_cell_layout``'s, top to bottom) that together fit in one glyph's
    height (``ONE_LINE``) joined: the pieces of one glyph a fax's threshold broke across (a 2's
    arc over its base, the two cut at a blank row), each read whole from its crop's margin
    and joined: 2 read 22 (fax+dpi150 seed 1302). The cell's own bands cannot tell: both halves
    are as tall as each other; the page's glyph height can."""
    out: list[PxBox] = []
    for p in pieces:
        if out and max(p[3], out[-1][3]) - min(p[1], out[-1][1]) <= ONE_LINE * glyph:
            q = out[-1]
            out[-1] = (min(p[0], q[0]), min(p[1], q[1]), max(p[2], q[2]), max(p[3], q[3]))
        else:
            out.append(p)
    return out


def _cell_job_of(gray: np.ndarray, layout, glyph: float) -> CellJob:
    pieces, sub, origin, (ch, cw) = layout
    if not pieces:
        return CellJob(crops=[], empty_confidence=1.0)
    mark = zero_mark(sub, glyph)
    if mark:
        return CellJob(crops=[], dash=mark, boxes=pieces)
    bar = smudged_bar(sub, glyph)  # a bar with a smudge glued on: a zero mark, doubted (a faded digit's piece?)
    if bar and max(p[2] for p in pieces) - min(p[0] for p in pieces) <= SMUDGE_SHORT * glyph:
        return CellJob(crops=[], dash="—", boxes=pieces, doubt=True)
    if (all(p[3] - p[1] < 0.4 * glyph and p[2] - p[0] < 0.6 * glyph for p in pieces) or _only_specks(sub, glyph)
            or not _has_glyph(sub, glyph)):
        # only blots smaller than any digit: dirt on a blank cell, not text. Blank, with a
        # confidence that says how much ink was thrown away
        ink = int(np.count_nonzero(sub))
        return CellJob(crops=[], empty_confidence=0.95 if ink < 0.05 * glyph * glyph else 0.85,
                       doubt=_glyph_sized_remains(sub, glyph))
    # a tall cell whose rows are single glyphs: vertical text, read as one strip
    glyph_like = [(p[2] - p[0]) <= 1.6 * (p[3] - p[1]) for p in pieces]
    vertical = len(pieces) >= 3 and ch > 2.0 * cw and all(glyph_like)
    if vertical:
        em = max(p[2] - p[0] for p in pieces)
        pieces = [q for p in pieces for q in _split_stacked(p, sub, origin, em)]
        return CellJob(crops=[_strip(gray, pieces, glyph, sub, origin)], vertical=True, boxes=pieces)
    pieces = [q for p in pieces for q in _split_run_together(p, sub, origin, glyph)]
    pieces, sub, stray = drop_stray_ink(_one_line(pieces, glyph), sub, origin, glyph)
    return CellJob(crops=[_crop(gray, p, glyph, sub, origin) for p in pieces], boxes=pieces, stray=stray, bar=bar)


RUN_TOGETHER = 1.7  # glyphs: a band of horizontal text taller than this is lines that touch
LINE_PITCH = 1.3  # glyphs: a wrapped cell's line pitch, to count the lines run together


def _split_run_together(piece: PxBox, sub: np.ndarray, origin, glyph: float) -> list[PxBox]:
    """A band of horizontal text taller than ``RUN_TOGETHER`` glyphs: the lines of a wrapped
    label or column title with no blank row between them (a fax's blur, a descender reaching
    the next line), cut into its lines (height / ``LINE_PITCH``) at the emptiest row within a
    third of a glyph of each even cut. Read as one crop, two lines squeezed into the
    recogniser's height come out as one or two glyphs (其他结果 read 其; fax seed 1602's table 四)."""
    x0, y0, x1, y1 = piece
    h = y1 - y0
    n = int(round(h / (LINE_PITCH * glyph)))
    if h <= RUN_TOGETHER * glyph or x1 - x0 < glyph or n < 2:
        return [piece]
    ox, oy = origin
    rows = sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox].sum(axis=1, dtype=np.int64)
    reach = max(1, int(glyph / 3))
    cuts = [0]
    for k in range(1, n):
        at = int(round(k * h / n))
        lo, hi = max(cuts[-1] + 1, at - reach), min(h - 1, at + reach + 1)
        if hi <= lo:
            return [piece]
        cuts.append(lo + int(np.argmin(rows[lo:hi])))
    cuts.append(h)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        on = np.flatnonzero(rows[a:b])
        if len(on):
            out.append((x0, y0 + a + int(on[0]), x1, y0 + a + int(on[-1]) + 1))
    return out or [piece]


def _split_stacked(piece: PxBox, sub: np.ndarray, origin, em: int) -> list[PxBox]:
    """A band of vertical text holding more than one glyph (三 over 、; glyphs that touch, or
    whose gap blur filled): cut off one glyph after another from the top, each about ``em``
    (the column's width) tall, at the blank row nearest to one em down, else the emptiest."""
    x0, y0, x1, y1 = piece
    ox, oy = origin
    rows = sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox].sum(axis=1, dtype=np.int64)
    out = []
    top = 0
    while len(rows) - top > 1.25 * em:
        lo, hi = top + int(0.6 * em), min(len(rows) - 1, top + int(1.3 * em))
        if hi <= lo:
            break
        window = rows[lo:hi]
        blank = np.nonzero(window == 0)[0]
        if len(blank):
            cut = lo + int(blank[np.argmin(np.abs(blank + lo - top - em))])
        else:
            cut = lo + int(np.argmin(window))
        out.append((top, cut))
        top = cut
    out.append((top, len(rows)))
    boxes = []
    for a, b in out:
        on = np.nonzero(rows[a:b])[0]
        if len(on):
            boxes.append((x0, y0 + a + int(on[0]), x1, y0 + a + int(on[-1]) + 1))
    return boxes or [piece]


def _fill_cell(cell: Cell, job: CellJob, results: list[Recognition]) -> None:
    if job.dash:
        cell.text = job.dash
        cell.confidence = DASH_CONFIDENCE
        cell.char_scores = [DASH_CONFIDENCE]
        cell.alternatives = []
        if job.doubt:  # read from a smudged shape (``smudged_bar``): a faded digit's piece may look so
            cell.structure = min(cell.structure, DOUBT)
        return
    if not job.crops:
        cell.text = ""
        cell.confidence = job.empty_confidence
        cell.char_scores = []
        cell.alternatives = []
        if job.doubt:  # what was dropped may have been a faint number
            cell.structure = min(cell.structure, DOUBT)
        return
    rec = _combine(results[job.first : job.first + len(job.crops)], job.vertical)
    cell.ink_em = job.ink_em
    cell.text = _normalise(rec.text)
    cell.confidence = round(float(rec.score), 5)
    if job.bar and cell.text != "—":  # the shape is a dash's, the reading is not: the dash, doubted
        cell.text, cell.confidence, cell.char_scores, cell.alternatives = "—", DASH_CONFIDENCE, [DASH_CONFIDENCE], []
        cell.structure = min(cell.structure, DOUBT)
        return
    number = _strip_stray(cell.text)
    if job.doubt or (job.stray and NUMBER_READ.match(cell.text)):
        cell.structure = min(cell.structure, DOUBT)
    if number is not None and (job.minus or job.minus_if_read) and _signed(cell.text, number):
        cell.text, number = "-" + number, None  # a minus sign, as its ink shows: not a stray mark
    elif (job.minus or job.minus_if_read) and not cell.text.startswith(("-", "+")):
        # a minus's bar the recogniser left out: the sign cannot be known from the reading
        cell.structure = min(cell.structure, DOUBT)
    if number is not None:
        cell.text = number
        cell.confidence = min(cell.confidence, STRAY_CONFIDENCE)
        # stray ink in the cell: what it hid cannot be known, whatever the relations say
        cell.structure = min(cell.structure, DOUBT)
    cell.char_scores = list(rec.char_scores)
    seen = {cell.text}
    cell.alternatives = []
    for a in rec.alternatives:
        t = _normalise(a.text)
        if t not in seen:
            seen.add(t)
            cell.alternatives.append(Alternative(text=t, score=a.score))
    if len(job.crops) > 1 and not job.vertical:
        # several lines: a wrapped label; the split itself is a (small) structural doubt
        cell.structure = round(min(cell.structure, 0.98), 3)


def read_boxes(cells, boxes, gray, ink, dpi, glyph, engine) -> None:
    """Read ``cells`` from the crops of ``boxes`` (upright page pixels, one per cell), in one call."""
    jobs = [_cell_job(gray, _cell_layout(ink, box, dpi), glyph) for box in boxes]
    crops: list[np.ndarray] = []
    for job in jobs:
        job.first = len(crops)
        crops.extend(job.crops)
    results = recognize_unique(engine, crops) if crops else []
    for cell, job in zip(cells, jobs):
        _fill_cell(cell, job, results)
