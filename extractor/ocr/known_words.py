"""Long cell crops read narrowed first, and again as usual unless they read as the format's words.

Recognition costs time in proportion to crop width, and a page's widest cell crops are its
labels and column titles — words the registry prints on every report (``models.fields``). Each
cell crop wider than ``WORDS_ASPECT`` heights is first read narrowed to ``WORDS_SQUEEZE`` of its
printed width (``crops.SQUEEZE`` is 0.75): a CJK glyph there still spans three CTC steps, and a
label reads the same (on 96 long cell crops of two whole scanned reports, 92 read the same at
0.5 as at 0.75, the other four in the width of a bracket). A reading is kept only when it is the
format's words (``is_known``): a line of a label, a column title or a caption of tables 二, 三
and 四 as printed (normalised as ``mapping.labels.normalize_label``), with as many characters as
its width holds glyphs. Every other long crop is read again at its usual width, and that reading
is the one used. So a value is never taken from a narrowed crop: narrowed further, a run of one
digit loses digits (12888888.50元 read 1288888.50元, table 二's 2019 amounts), and a fax at
150 dpi garbles its column titles (a fax lost table 三 when its titles were read at 0.5 alone);
neither is the format's words, so both are read again.

Shapes: crops are the recogniser's RGB uint8 crops (``crops._finish``: padded, long lines
already at ``crops.SQUEEZE``).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from extractor.mapping.labels import normalize_label
from extractor.ocr.crops import PAD, SQUEEZE, recognize_unique
from extractor.ocr.engine import Recognition

WORDS_SQUEEZE = 0.5  # a long cell crop's first reading: this share of its printed width
WORDS_ASPECT = 4.5  # crops wider than this many heights are read narrowed first
GLYPHS_READ = 0.75  # a kept reading has at least this share of the glyphs its width holds (characters as read)


@lru_cache(maxsize=1)
def known_words() -> tuple[str, ...]:
    """The printed words of tables 二, 三 and 四 in both formats (labels, groups, column titles,
    their aliases and the tables' captions), normalised (``normalize_label``)."""
    from models import fields as F

    words: set[str] = set(F.TABLE_CAPTIONS)
    for layout in (F.Layout.L2021, F.Layout.L2019):
        for spec in F.registry(layout):
            if spec.table in (F.Table.ACTIVE, F.Table.APPLICATIONS, F.Table.LITIGATION):
                words.update(w for w in (spec.row_label, spec.column_label, spec.group) if w)
    rows = [*F.APPLICATION_ROWS, *(r for r, _ in F.ACTIVE_ROWS), *(r for r, _ in F.ACTIVE_ROWS_2019)]
    columns = [*F.APPLICANT_COLUMNS, *F.ACTIVE_COLUMNS.values(), *F.ACTIVE_COLUMNS_2019.values(),
               *F.LITIGATION_GROUPS, *F.LITIGATION_COLUMNS]
    for spec in (*rows, *columns):
        words.update((spec.label, *spec.aliases, *((spec.group,) if spec.group else ())))
    return tuple(sorted({normalize_label(w) for w in words} - {""}, key=len, reverse=True))


def _glyphs(crop: np.ndarray) -> float:
    """How many glyph widths the line in ``crop`` (``crops._finish``'s, at ``SQUEEZE``) holds,
    taking a glyph as square as a CJK one is."""
    h, w = crop.shape[:2]
    inner = h / (1 + 2 * PAD)  # the line's height without the white margin
    return max(0.0, w - (h - inner)) / (inner * SQUEEZE)


def is_known(text: str, glyphs: float) -> bool:
    """``text`` is the format's words: normalised, a run of one printed label, title or caption
    (a line of a wrapped label is a run of it), with at least ``GLYPHS_READ`` of ``glyphs``
    characters as read (a reading that dropped glyphs is a shorter run of the same label; a
    bracket or a digit is half a glyph wide, so a label of words reads about one character a
    glyph)."""
    t = normalize_label(text)
    if len(t) < 2 or len("".join(text.split())) < GLYPHS_READ * glyphs:
        return False
    return any(t in w for w in known_words())


def _narrowed(crop: np.ndarray) -> np.ndarray:
    h, w = crop.shape[:2]
    return cv2.resize(crop, (max(1, int(round(w * WORDS_SQUEEZE / SQUEEZE))), h), interpolation=cv2.INTER_AREA)


def read_words_first(engine, crops: list[np.ndarray], words: list[bool]) -> list[Recognition]:
    """``recognize_unique(engine, crops)`` with the long crops ``words`` marks (a page's cell
    crops, by position; prose and what follows ``words`` is read as it is) read narrowed first,
    and again as usual unless they read as the format's words (``is_known``).

    Two calls: the narrowed crops alone, each its own reading (narrowed, a label's crop is as
    short as a number's, and 第二十条第（八）项 passed ``same_ink`` against （六）项, helper-62);
    then every other crop with the long ones read again, as they were batched before. A batch
    pads its crops to its widest and a crop's reading shifts a little with its batch: with the
    narrowed crops among them, a 150 dpi fax's table 四 titles read worse and the table was lost
    (helper-62, a mistyped report's fax)."""
    longs = [i for i, w in enumerate(words[: len(crops)]) if w and crops[i].shape[1] > WORDS_ASPECT * crops[i].shape[0]]
    if not longs:
        return recognize_unique(engine, crops)
    narrowed = engine.recognize([_narrowed(crops[i]) for i in longs])
    kept = {i: rec for i, rec in zip(longs, narrowed) if is_known(rec.text, _glyphs(crops[i]))}
    rest = [i for i in range(len(crops)) if i not in kept]
    results: list[Recognition | None] = [None] * len(crops)
    for i, rec in kept.items():
        results[i] = rec
    for i, rec in zip(rest, recognize_unique(engine, [crops[i] for i in rest])):
        results[i] = rec
    return results  # type: ignore[return-value]
