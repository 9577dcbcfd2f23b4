"""Cells a seal printed black or grey crosses, read again without it.

A fax or a greyscale scanner leaves no colour to take a seal off by (``extractor.layout.orient``
removes red ones); ``extractor.ocr.seal`` finds its ring by shape, and takes off the seal's
pixels (``seal.seal_mask``): a grey seal's ring, star and words by their grey, a black seal's
ring alone. The table structure is found with the seal in place (its arcs are no rules:
``extractor.grid.image_grid``); the cells it crosses — titles of table 三's header as much as
values — and the prose under it are then read with those pixels turned to paper.

Input: the page's tables (``ImageTable``), the seal's pixel mask (bool, upright page), the grey
page and its text ink (uint8, 255 = ink), the paper's grey level, and for a black seal its
``Ring``. Changes the cells in place.

A black seal's star and words stay on the page (as dark as the text, no circle to tell them
by): every value cell reaching into its disc is doubted, whatever it reads (a star's point
beside a 1 reads 11). Over a blank cell they read as a glyph (清, X, t). Such a cell, read
neither as a value nor as a label with and without the ring, in a row of values, whose every
ink pixel lies inside the ring, holds nothing the seal does not explain: it is read blank,
doubted (``_seal_only``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from extractor.ocr.cells import read_boxes
from extractor.ocr.normalise import _NUMBER
from extractor.ocr.registry_bands import header_word
from extractor.ocr.ring_closed import ring_over_digits
from extractor.ocr.structure import DOUBT


def _reads_as_value(text: str) -> bool:
    """A cell's reading is a count or a zero mark (what a lost number cell should have read):
    a dash, a slash or 无 (the format's zero marks besides 0; ``shared/spec/format-2021.md``).
    A 无 the seal's ring crossed read 先 (grey seed 904), and read 无 without it."""
    return text in ("—", "/", "无") or _NUMBER.fullmatch(text) is not None


def _not_label(text: str) -> bool:
    """A first reading that is no label of the table: a count, a zero mark, or a few characters
    no header word or row label is (the seal's words and strokes read over a blank cell)."""
    return _reads_as_value(text) or (len(text.strip()) <= 6 and not header_word(text))


# how much surer the recogniser must be of a label read without the seal's ring to take it
LABEL_GAIN = 0.2


def _without_ring(gray, ink, seal: np.ndarray | None, paper) -> tuple[np.ndarray, np.ndarray]:
    """(grey page, ink) with a seal's pixels turned to paper; the same arrays when there is
    no seal."""
    if seal is None:
        return gray, ink
    clean_ink, clean_gray = ink.copy(), gray.copy()
    clean_ink[seal] = 0
    clean_gray[seal] = paper
    return clean_gray, clean_ink


# a cell whose ink with the seal in place was one slash (``zero_marks``) keeps it when the reading
# without the seal is 1: the grey seal's mask took the slash's blurred ends, as light as the seal,
# and a short stroke is left (grey seed 903). Any other reading replaces it: the seal's ink over
# a digit may itself make a slash's shape (a 4 read /, grey+stamp_numbers seed 905). Doubted either way.
CLIPPED_SLASH = "1"

SEAL_GLYPHS = 2  # a black seal's word or star over a blank cell reads as this many characters at most


def _seal_glyphs(text: str) -> bool:
    """A reading a seal's word or star over a blank cell gives: blank, or a character or two that
    are no value and no header word (a title under the seal reads longer: 结果纠E)."""
    t = text.strip()
    return not t or (len(t) <= SEAL_GLYPHS and not _reads_as_value(t) and _not_label(t))


def _seal_only(ink: np.ndarray, box, ring) -> bool:
    """Every ink pixel of the cell ``box`` (upright page px; ``ink`` without the ring, 255 = ink;
    a pixel in from the box's edges, where a rule's remnant may stand) lies inside ``ring``'s
    disc, where its star and words are, or on its grown band (the ring's rim the mask left):
    the seal explains all the cell holds."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, x0 + 2), max(0, y0 + 2)
    ys, xs = np.nonzero(ink[y0 : max(y0, y1 - 2), x0 : max(x0, x1 - 2)])
    if not len(xs):
        return True
    # the ring's own blurred rim the mask left (it takes the ring's run of ink only,
    # ``extractor.ocr.ring_runs``) lies on its grown band: the seal's too
    grown = 0.5 * (ring.outer - ring.inner) + 1.5
    return bool(np.all(np.hypot(xs + x0 - ring.cx, ys + y0 - ring.cy) <= ring.outer + grown))


def _in_value_row(table, cell) -> bool:
    """Most of the other cells of ``cell``'s row that hold text (three at least) read as values:
    a row of counts, not a header whose titles the seal's star covers (尚未审结 and 总计 in
    table 四)."""
    others = [c for c in table.grid.cells if c.row == cell.row and c is not cell and c.text.strip()]
    values = sum(1 for c in others if _reads_as_value(c.text))
    return values >= 3 and values >= 0.5 * len(others)


def _in_disc(box, ring) -> bool:
    """The cell ``box`` (upright page px) reaches into ``ring``'s disc, inside its band (where a
    black seal's star and words stand, which its ring mask does not hold)."""
    x0, y0, x1, y1 = box
    nx, ny = min(max(ring.cx, x0), x1), min(max(ring.cy, y0), y1)
    return bool(np.hypot(nx - ring.cx, ny - ring.cy) < ring.inner)


ZERO_LIKE = frozenset("Oo〇")  # a closed loop read as a letter


def _close_under_ring(table, crossed, cells, again, seal, gray, ink, clean_gray, clean_ink, ring, dpi, glyph,
                      engine) -> None:
    """Cells of a row of values whose reading without a black seal's ring is no value (a 0 whose
    top the arc ran over, read U or p): read once more with the ring's pixels back over the
    digit's span (``extractor.ocr.ring_closed``); a value so read replaces the reading without
    the ring (``again``, in place). The caller doubts every cell the seal crosses."""
    todo = [i for i, (cell, new) in enumerate(zip(cells, again))
            if new.text.strip() and not _reads_as_value(new.text) and _not_label(new.text)
            and _in_value_row(table, cell)]
    if not todo:
        return
    boxes = [table.boxes[crossed[i]] for i in todo]
    band = 2.0 * (ring.outer - ring.inner) + 3.0  # the ring mask's width (``seal.ring_mask``)
    g, k = ring_over_digits(boxes, seal, gray, ink, clean_gray, clean_ink, band, dpi)
    closed = [replace(again[i]) for i in todo]
    read_boxes(closed, boxes, g, k, dpi, glyph, engine)
    for i, c in zip(todo, closed):
        if c.text.strip() in ZERO_LIKE:  # a loop the arc closed, in a row of counts: the digit 0
            c.text = "0"
        if _reads_as_value(c.text):
            again[i] = c


def _reread_under_seal(tables, seal: np.ndarray, gray, ink, paper, dpi, glyph, engine, whole: bool = False,
                       ring=None) -> list:
    """Cells a seal crosses, read again with its pixels (``extractor.ocr.seal.seal_mask``)
    taken out: its arc beside a 0 reads as 10, across one
    as J or L. A value read without the ring that differs from the first reading replaces it;
    a value only the first reading gave is kept. Either way the cell is doubted (review unless
    the relations confirm it): what the ring covered, or a stroke it ran along and took with
    it, cannot be known. A label takes the reading without the ring only when the recogniser is
    surer of it by ``LABEL_GAIN`` (尚教 0.19 → 尚末审结 0.43, 甜是 0.30 → 结果纠 0.93; 行政诉讼 0.98
    stays, not 行政诉讼佛 0.42): a stroke of it the ring ran along goes with the ring.

    With ``whole`` (the mask is all of the seal: a grey one, ``seal.seal_mask``) a blank read
    without it also replaces a first reading that is no label (a 0 printed blank read as the
    seal's words, 督 or A; a stroke of its word read as 1): the seal was all the ink there. And a
    label read without it needs no gain, only to be read as surely: the grey mask takes no
    stroke of the text (4.无正当理由大量反复申请场 0.98 → 4.无正当理由大量反复申请 1.00, the
    seal's 场 beside it).

    A black seal's cell in a row of values left reading no value, whose ink is mostly the ring
    (``RING_MOSTLY``), loses its recogniser alternatives: they read the ring (a 0 under the arc
    read 工, 1 next), and the mapping would take a number from them.

    Returns the cells whose text changed (their first reading's text lines are stale)."""
    clean_gray, clean_ink = _without_ring(gray, ink, seal, paper)
    changed = []
    for table in tables:
        crossed = []
        for k, box in enumerate(table.boxes):
            x0, y0, x1, y1 = (int(round(v)) for v in box)
            if seal[max(0, y0) : y1, max(0, x0) : x1].any() or (ring is not None and not whole and _in_disc(box, ring)):
                crossed.append(k)
        if not crossed:
            continue
        cells = [table.grid.cells[k] for k in crossed]
        again = [replace(c) for c in cells]
        read_boxes(again, [table.boxes[k] for k in crossed], clean_gray, clean_ink, dpi, glyph, engine)
        if ring is not None and not whole:  # a digit's stroke along the ring: the arc stands in for it
            _close_under_ring(table, crossed, cells, again, seal, gray, ink, clean_gray, clean_ink, ring, dpi,
                              glyph, engine)
        for k, cell, new in zip(crossed, cells, again):
            blank = whole and not new.text and _not_label(cell.text)
            if (not whole and ring is not None and _seal_glyphs(cell.text) and _seal_glyphs(new.text)
                    and (new.text or cell.text) and _in_value_row(table, cell)
                    and _seal_only(clean_ink, table.boxes[k], ring)):
                # a black seal's star or word over a blank cell: nothing but the seal is there
                new.text, new.confidence, new.char_scores, new.alternatives, blank = "", 0.5, [], [], True
            if new.text == cell.text:
                continue
            if not (_reads_as_value(new.text) or _reads_as_value(cell.text) or blank):
                if new.text and new.confidence >= cell.confidence + (0.0 if whole else LABEL_GAIN):  # a label the seal garbled
                    changed.append(cell)
                    cell.text, cell.confidence = new.text, new.confidence
                    cell.char_scores, cell.alternatives = new.char_scores, new.alternatives
                continue
            if cell.text == "/" and new.text == CLIPPED_SLASH:
                pass  # a slash whole by its shape with the seal in place: taking the seal clipped it
            elif _reads_as_value(new.text) or blank:
                changed.append(cell)
                cell.text, cell.confidence = new.text, new.confidence
                cell.char_scores, cell.alternatives = new.char_scores, new.alternatives
            cell.structure = min(cell.structure, new.structure, DOUBT)
        if ring is not None and not whole:
            for k, cell in zip(crossed, cells):
                if (not _reads_as_value(cell.text) and _in_value_row(table, cell)
                        and ring_share(ink, seal, table.boxes[k]) >= RING_MOSTLY):
                    cell.alternatives = []  # readings of the ring, not of a value (工 read, 1 next)
                if _in_disc(table.boxes[k], ring) and _in_value_row(table, cell):
                    # a black seal's star and words stay on the page, as dark as the digits: a
                    # star's point beside a 1 read 11 at 0.99, a 10 under the arc read /, and the
                    # two cancelled in the row's sum (header_break+curl+fax seed 127771, helper-65).
                    # Whatever a value cell in the disc reads, what is the seal's cannot be told
                    cell.structure = min(cell.structure, DOUBT)
    return changed


RING_MOSTLY = 0.5  # a cell whose ink is this much a black seal's ring: its alternatives read the ring


def ring_share(ink: np.ndarray, seal: np.ndarray, box) -> float:
    """Share (0–1) of the ink (uint8, 255 = ink, with the ring) in the cell ``box`` (page px, a
    pixel in from its edges) that is the ring's (``seal``, bool); 0 for a cell with no ink."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, x0 + 2), max(0, y0 + 2)
    on = ink[y0 : max(y0, y1 - 2), x0 : max(x0, x1 - 2)] > 0
    n = int(np.count_nonzero(on))
    return 0.0 if not n else float(np.count_nonzero(on & seal[y0 : max(y0, y1 - 2), x0 : max(x0, x1 - 2)])) / n
