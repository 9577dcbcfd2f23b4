"""Cell reading, the ink half: a cell's text lines turned into recogniser jobs, and the
recogniser's results back into the cell.

The ink inside a cell (rules removed, specks and dust dropped, a rule's remnants at its edge
dropped) is cut into text lines by ``extractor.ocr.cell_lines``; specks beside the text are
left out (``no_text.drop_stray_ink``). A band that may be one line between faint ink (a seal's
arcs) is read both cut and whole, and the readings decide (``settle``). Several lines (a wrapped label) are read one by one and
joined without a break. A tall narrow cell whose "lines" are single
glyphs is vertical text, read as one strip. A lone bar or slash is a zero mark, read from its
shape; specks and seal traces with nothing glyph-tall make a blank cell.

Ink that is no text (specks, dust, a rule's remnants) is ``extractor.ocr.no_text``; a minus
sign's bar before the digits, ``extractor.ocr.minus_sign``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from extractor.ocr.cell_lines import (
    _cell_layout,
    _heavy_line,
    _one_line,
    _split_run_together,
    _split_stacked,
)
from extractor.ocr.crops import PxBox, _crop, _strip
from extractor.ocr.known_words import read_words_first
from extractor.ocr.engine import Recognition
from extractor.ocr.normalise import (
    DASH_CONFIDENCE,
    STRAY_CONFIDENCE,
    _combine,
    _normalise,
    _strip_stray,
)
from extractor.ocr.minus_sign import MINUS, SHORT_MINUS, THIN_MINUS, _minus_bar, _signed
from extractor.ocr.no_text import (
    _edge_stroke,
    drop_stray_ink,
    _glyph_sized_remains,
    _has_glyph,
    _only_specks,
)
from extractor.ocr.structure import DOUBT
from extractor.ocr.zero_marks import SMUDGE_SHORT, leans_right, rough_slash, smudged_bar, zero_mark
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
    # one line: whether its ink leans right as a slash does (``leans_right``), asked only of a
    # cell read 1 (a 1 read from such ink is doubted)
    leans: Callable[[], bool] | None = None
    bar: bool = False  # the ink is a long bar with a smudge glued on (``smudged_bar``): read as — unless read so
    minus: bool = False  # the line's first stroke is a minus sign's bar (see ``_minus_bar``)
    minus_if_read: bool = False  # … a shorter bar: a minus when the recogniser reads one there too
    alt: CellJob | None = None  # the cell read another way, chosen once read (``settle``)


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
    _line_marks(job, layout, glyph)
    if job.alt is not None:
        _line_marks(job.alt, layout, glyph)
    return job


def _line_marks(job: CellJob, layout, glyph: float) -> None:
    """What a text job's ink shows beside its reading: a stroke at the cell's edge, and for one
    line its width, its lean (a slash's?) and a minus sign's bar."""
    if job.crops and not job.vertical:
        job.doubt = job.doubt or _edge_stroke(layout[1], glyph)
        if len(job.boxes) == 1:
            job.leans = functools.partial(leans_right, layout[1], glyph)
            bar = _minus_bar(layout[1], glyph)
            job.minus, job.minus_if_read = bar in (MINUS, THIN_MINUS), bar == SHORT_MINUS
            job.doubt = job.doubt or bar == THIN_MINUS  # a sign from a line a pixel thick: a person looks


NUMBER_READ = re.compile(r"^[-+]?[0-9][0-9.,]*$")  # what a value cell reads: a stray mark beside it doubts it
def _cell_job_of(gray: np.ndarray, layout, glyph: float) -> CellJob:
    pieces, sub, origin, (ch, cw) = layout
    if not pieces:
        return CellJob(crops=[], empty_confidence=1.0)
    mark = zero_mark(sub, glyph)
    if mark:
        return CellJob(crops=[], dash=mark, boxes=pieces, doubt=mark == "—" and _stacked_on_bar(pieces, glyph))
    bar = smudged_bar(sub, glyph)  # a bar with a smudge glued on: a zero mark, doubted (a faded digit's piece?)
    if bar and max(p[2] for p in pieces) - min(p[0] for p in pieces) <= SMUDGE_SHORT * glyph:
        return CellJob(crops=[], dash="—", boxes=pieces, doubt=True)
    if rough_slash(sub, glyph):  # a slash with dust glued on: a zero mark, doubted
        return CellJob(crops=[], dash="/", boxes=pieces, doubt=True)
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
    cut = [_split_run_together(p, sub, origin, glyph) for p in pieces]
    job = _lines_job(gray, [q for c in cut for q in c], sub, origin, glyph, bar)
    # a band cut that may be one line between faint ink (``_heavy_line``): read that way too
    whole = [_heavy_line(p, sub, origin, glyph) if len(c) > 1 else None for p, c in zip(pieces, cut)]
    if any(w is not None for w in whole):
        job.alt = _lines_job(gray, [q for c, w in zip(cut, whole) for q in ([w] if w is not None else c)],
                             sub, origin, glyph, bar)
        job.alt.stray = True  # ink above or below the line left out: a number read from it is doubted
    return job


def _lines_job(gray: np.ndarray, pieces: list[PxBox], sub: np.ndarray, origin, glyph: float, bar: bool) -> CellJob:
    """A job reading ``pieces`` (text lines of the cell's ink ``sub``, page px) one crop each."""
    pieces, sub, stray = drop_stray_ink(_one_line(pieces, glyph), sub, origin, glyph)
    return CellJob(crops=[_crop(gray, p, glyph, sub, origin) for p in pieces], boxes=pieces, stray=stray, bar=bar)


SPLIT_DOUBT = 0.5  # a band's cut lines: one read less sure than this, and the band read as one line likelier


def queue(jobs: list[CellJob], crops: list[np.ndarray]) -> list[bool]:
    """Each job's crops, and its other reading's (``CellJob.alt``), onto ``crops`` (the page's
    batch), each job's ``first`` set to where its own begin. Returns, per crop queued, whether it
    may be read narrowed first (``known_words``): not a band read both ways (``settle``), whose
    lines hold ink that is no text, so that the narrowed reading would be read again anyway."""
    words: list[bool] = []
    for job in jobs:
        for j in (job, job.alt):
            if j is not None:
                j.first = len(crops)
                crops.extend(j.crops)
                words.extend([job.alt is None] * len(j.crops))
    return words


def settle(jobs: list[CellJob], results: list[Recognition]) -> list[CellJob]:
    """The job each cell is read by, once ``queue``'s crops are read: a band cut into lines
    whose cut reads unsure (``SPLIT_DOUBT``; a line cut through its glyphs reads as junk, 0.004
    and 0.08 on the corpus's table 二 label, read whole 0.54) is read as its one heavy line
    instead when that reading is the likelier (the product of its lines' scores); otherwise the
    cut stands (two lines run together, each read sure)."""
    out = []
    for job in jobs:
        alt = job.alt
        if alt is not None and job.crops and alt.crops:
            cut = results[job.first : job.first + len(job.crops)]
            one = results[alt.first : alt.first + len(alt.crops)]
            if min(r.score for r in cut) < SPLIT_DOUBT and np.prod([r.score for r in one]) > np.prod(
                    [r.score for r in cut]):
                job = alt
        out.append(job)
    return out


STACKED = 0.6  # a bar and a stroke beside it standing this many glyphs tall in all: a worn glyph's pieces
STROKE = 0.35  # … the stroke at least this many glyphs tall (dust and a fax's flipped pixels are less)
STROKE_GAP = 0.5  # … and at most this far above or below the bar


def _stacked_on_bar(pieces: list[PxBox], glyph: float) -> bool:
    """A stroke (a text line of the cell, ``_cell_layout``'s, ``STROKE`` of a glyph tall or more)
    just above or below the widest one, across the same columns, the two ``STACKED`` of a glyph
    tall: a 7 whose downstroke a fax's threshold broke into a piece smaller than ``zero_mark``'s
    dust, its top bar read as a dash — a 0 marked ok for a 7 (fax+dpi150 seed 981, table 二). A
    printed dash has at most specks about it; the cell is read as the mark still, and doubted."""
    if len(pieces) < 2:
        return False
    bar = max(pieces, key=lambda p: p[2] - p[0])
    for p in pieces:
        if p is bar or min(p[2], bar[2]) <= max(p[0], bar[0]) or p[3] - p[1] < STROKE * glyph:
            continue
        gap = max(p[1] - bar[3], bar[1] - p[3])
        if gap <= STROKE_GAP * glyph and max(p[3], bar[3]) - min(p[1], bar[1]) >= STACKED * glyph:
            return True
    return False


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
    cell.text = _normalise(rec.text)
    cell.confidence = round(float(rec.score), 5)
    if job.bar and cell.text != "—":  # the shape is a dash's, the reading is not: the dash, doubted
        cell.text, cell.confidence, cell.char_scores, cell.alternatives = "—", DASH_CONFIDENCE, [DASH_CONFIDENCE], []
        cell.structure = min(cell.structure, DOUBT)
        return
    number = _strip_stray(cell.text)
    if job.doubt or (job.stray and NUMBER_READ.match(cell.text)) or (cell.text == "1" and job.leans is not None and job.leans()):
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
    words = queue(jobs, crops)
    results = read_words_first(engine, crops, words) if crops else []
    for cell, job in zip(cells, settle(jobs, results)):
        _fill_cell(cell, job, results)
