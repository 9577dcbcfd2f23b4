"""A printed 无 worn down to a few strokes, read by its likeness to the page's own 无.

A fax's threshold set low (or a light 150 dpi scan) keeps a serif 无's strokes that run down and
drops its thin horizontal ones: what is left reads 九, ん, h, t, 七, 克, 毛 … — another glyph at
each cell, no number among them — and a row of them is no value row. Table 三 lost half its rows
so (fax+pen_tick+dpi150 seed 5214: 89/203; its first rows went into the header, seed 981), all
honestly for review, but lost. ``numbers.worn_zero`` knows the commonest misreading (尤); the rest
cannot be listed.

The page prints one 无 (one font at one size), and the cells the recogniser does read as 无 (or
as 尤 / 尢) with confidence are that print. A cell of one line of ink, read as no number, whose
ink matches their shape is a 无 as well, whatever it was read as: its ink, scaled to its own box,
correlates with their mean shape (``ALIKE``) and is about as big. Measured on fax 150 dpi
pages (seeds 9xx and 5214): worn 无s 0.6-0.95; digits as big as a 无 at most 0.4 (a 1, narrower,
0.52), once specks beside the ink are left out of its box (``glyph_ink``). Read from a
likeness, not by the recogniser, such a cell is doubted (``structure.DOUBT``): its 0 is a
candidate a person confirms, never ``ok``; the recogniser's reading is kept as an alternative.
When the recogniser's own next reading is 无 as well, the mapping took its 0 from that before
(``numbers.readable_alternative``) and still does: the cell is not doubted, as it was not. A
cell read as a number that looks so much like the page's 无 is doubted too (a worn 无 read 2,
seed 5214), its reading kept. A page with fewer than ``MIN_PRINTS`` sure 无s has no
print to go by and nothing is changed.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.mapping.numbers import WORN_WU, looks_numeric, parse_number, readable_alternative
from extractor.ocr.no_text import ink_box
from extractor.ocr.structure import DOUBT
from models.extraction import Alternative
from models.fields import ValueType

WU = "无"
PRINTS = {WU} | WORN_WU  # what the recogniser reads a page's 无 as, when it is sure
SURE = 0.8  # a cell read so at least this sure is the page's print of 无
MIN_PRINTS = 3  # sure prints needed to know the page's 无
ALIKE = 0.6  # correlation with the prints' mean shape that makes a cell a worn 无
SIZE = 20  # px of the square a cell's ink is scaled to before comparing
MAX_CHARS = 2  # a worn 无 is read as a glyph, or one with a speck beside it (九.)
SPECK = 0.05  # of a glyph's square: ink pieces smaller than this do not set the ink's box
HEIGHT_SLACK = 0.25  # its ink as tall as the prints' (median) to within this share …
WIDTH_SLACK = 0.4  # … and as wide to within this (a worn 无 may have lost a stroke's ends)


def glyph_ink(mask: np.ndarray, glyph: float) -> np.ndarray:
    """``mask`` cut to the box of its pieces of ``SPECK`` or more (pieces inside stay): a speck
    beside a glyph (a fax's flipped pixel, dust, a dot read as 。) stretches its box, and the
    glyph scaled to that box is no longer like itself."""
    box = ink_box(mask, SPECK * glyph * glyph)
    if box is None:
        return mask
    x0, y0, x1, y1 = box
    return mask[y0:y1, x0:x1]


def ink_shape(mask: np.ndarray) -> np.ndarray | None:
    """``mask`` (a cell's one line of ink, cut to its box; nonzero = ink) scaled to ``SIZE`` square."""
    if mask.size == 0 or not mask.any():
        return None
    return cv2.resize((mask > 0).astype(np.float32), (SIZE, SIZE), interpolation=cv2.INTER_AREA)


def line_ink(layout, job, glyph: float) -> np.ndarray | None:
    """The ink of a cell read as one line (``cells._cell_layout``'s ``layout``, its ``cells.CellJob``),
    cut to the box of its glyph-sized pieces (``glyph_ink``; ``glyph``: the page's glyph height,
    px); None for a blank cell, a zero mark, several lines or vertical text."""
    _, sub, (ox, oy), _ = layout
    if sub is None or job.dash or job.vertical or len(job.crops) != 1 or len(job.boxes) != 1:
        return None
    x0, y0, x1, y1 = job.boxes[0]
    return glyph_ink(sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox], glyph)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / den if den > 0 else 0.0


def worn_wu(cells: list, masks: list[np.ndarray | None]) -> list[tuple[int, float]]:
    """Which of ``cells`` (``models.page.Cell``, read) look like the page's 无 and are not read
    as one: (index, likeness) pairs. ``masks``: each cell's ink cut to its box when it is one line
    of text, else None."""
    prints = [i for i, (c, m) in enumerate(zip(cells, masks))
              if m is not None and c.text in PRINTS and c.confidence >= SURE]
    if len(prints) < MIN_PRINTS:
        return []
    shapes = [ink_shape(masks[i]) for i in prints]
    mean = np.mean([s for s in shapes if s is not None], axis=0)
    h = float(np.median([masks[i].shape[0] for i in prints]))
    w = float(np.median([masks[i].shape[1] for i in prints]))
    out = []
    for i, (c, m) in enumerate(zip(cells, masks)):
        text = c.text.strip()
        if m is None or not text or len(text) > MAX_CHARS or text in PRINTS:
            continue
        if abs(m.shape[0] - h) > HEIGHT_SLACK * h or abs(m.shape[1] - w) > WIDTH_SLACK * w:
            continue
        shape = ink_shape(m)
        if shape is not None and (likeness := _corr(shape, mean)) >= ALIKE:
            out.append((i, likeness))
    return out


def read_worn_wu(cells: list, masks: list[np.ndarray | None]) -> int:
    """``worn_wu``'s cells read as no number read as 无, the recogniser's reading kept as an
    alternative; doubted unless the recogniser's own next reading is a zero as well (then it is
    what the mapping would have taken from that alternative anyway: ``numbers.readable_alternative``).
    Those read as a number are doubted, their reading kept. Returns how many were read anew."""
    n = 0
    for i, likeness in worn_wu(cells, masks):
        c = cells[i]
        if looks_numeric(c.text):  # a number (or a worn 无 the mapping knows): its reading stands
            c.structure = min(c.structure, DOUBT)
            continue
        n += 1
        other = readable_alternative(c.text, c.alternatives)
        read = Alternative(text=c.text, score=round(float(c.confidence), 5))
        if other is None or parse_number(other, ValueType.DECIMAL).value != 0:
            c.structure = min(c.structure, DOUBT)
            c.confidence = round(likeness, 5)
            c.char_scores = [round(likeness, 5)]
        c.alternatives = [read] + [a for a in c.alternatives if a.text != WU]
        c.text = WU
    return n
