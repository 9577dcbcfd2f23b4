"""Cells a seal printed black or grey crosses, read again without it.

A fax or a greyscale scanner leaves no colour to take a seal off by (``extractor.layout.orient``
removes red ones); ``extractor.ocr.seal`` finds its ring by shape, and takes off the seal's
pixels (``seal.seal_mask``): a grey seal's ring, star and words by their grey, a black seal's
ring alone. The table structure is found with the seal in place (its arcs are no rules:
``extractor.grid.image_grid``); the cells it crosses — titles of table 三's header as much as
values — and the prose under it are then read with those pixels turned to paper.

Input: the page's tables (``ImageTable``), the seal's pixel mask (bool, upright page), the grey
page and its text ink (uint8, 255 = ink), the paper's grey level. Changes the cells in place.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from extractor.ocr.cells import read_boxes
from extractor.ocr.normalise import _NUMBER
from extractor.ocr.registry_bands import header_word
from extractor.ocr.structure import DOUBT


def _reads_as_value(text: str) -> bool:
    """A cell's reading is a count or a zero mark (what a lost number cell should have read)."""
    return text in ("—", "/") or _NUMBER.fullmatch(text) is not None


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


def _reread_under_seal(tables, seal: np.ndarray, gray, ink, paper, dpi, glyph, engine, whole: bool = False) -> list:
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
    seal's words, 督 or A; a stroke of its word read as 1): the seal was all the ink there.

    Returns the cells whose text changed (their first reading's text lines are stale)."""
    clean_gray, clean_ink = _without_ring(gray, ink, seal, paper)
    changed = []
    for table in tables:
        crossed = []
        for k, box in enumerate(table.boxes):
            x0, y0, x1, y1 = (int(round(v)) for v in box)
            if seal[max(0, y0) : y1, max(0, x0) : x1].any():
                crossed.append(k)
        if not crossed:
            continue
        cells = [table.grid.cells[k] for k in crossed]
        again = [replace(c) for c in cells]
        read_boxes(again, [table.boxes[k] for k in crossed], clean_gray, clean_ink, dpi, glyph, engine)
        for cell, new in zip(cells, again):
            if new.text == cell.text:
                continue
            blank = whole and not new.text and _not_label(cell.text)
            if not (_reads_as_value(new.text) or _reads_as_value(cell.text) or blank):
                if new.text and new.confidence >= cell.confidence + LABEL_GAIN:  # a label the ring garbled
                    changed.append(cell)
                    cell.text, cell.confidence = new.text, new.confidence
                    cell.char_scores, cell.alternatives = new.char_scores, new.alternatives
                continue
            if _reads_as_value(new.text) or blank:
                changed.append(cell)
                cell.text, cell.confidence = new.text, new.confidence
                cell.char_scores, cell.alternatives = new.char_scores, new.alternatives
            cell.structure = min(cell.structure, new.structure, DOUBT)
    return changed
