"""A number wrapped over lines in its cell, told from two rows' numbers stacked in one cell.

A narrow value column (LibreOffice's and Word's tables size columns to their titles) wraps a
number by its digits: 6533 prints as 65 over 33, 10037 as 10 / 03 / 7. Read line by line, the
cell holds numbers one above the other, as a cell does whose row rule was lost and whose labels
were not read apart (two rows' values in one cell; ``band_check.doubt_stacked_numbers`` doubts
those). A wrap is told by three things together, every one of them needed:

* **the row is one**: the cell stands beside exactly one of table 三's registry bands, its label
  matched well (``LABEL_SURE``), and the bands above and below it are its neighbours in the
  registry's order (in a layout that has all three): no registry row is missing where the cell
  stands, so no second row's value can be in it;
* **every line but the last is full**: it holds as many digits as the most any one line of that
  column holds (a line wraps only when the next digit would not fit);
* **the last line is no longer** than the lines above it.

Positions are upright page pixels; lines are ``registry_bands.Line``.
"""

from __future__ import annotations

from extractor.mapping.numbers import looks_numeric
from extractor.ocr.registry_bands import Bands, Line, RowBand
from models.fields import Layout, application_rows

LABEL_SURE = 0.9  # a row band's label score at least this: the label cell held that label alone
TOL = 3.0  # px


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def column_capacity(numbers: list[list[Line]]) -> int:
    """The most digits one line holds among the number lines of one column's cells."""
    return max((_digits(ln.text) for lines in numbers for ln in lines), default=0)


def _neighbours(band: RowBand, rows: list[RowBand]) -> bool:
    """Are the bands just above and below ``band`` (where there are any) its neighbours in the
    registry's order of some layout?"""
    ordered = sorted(rows, key=lambda b: b.middle)
    i = next(k for k, b in enumerate(ordered) if b is band)
    around = [ordered[k].key for k in (i - 1, i + 1) if 0 <= k < len(ordered)]
    for layout in Layout:
        keys = [r.key for r in application_rows(layout)]
        if band.key not in keys:
            continue
        at = keys.index(band.key)
        if all(k in keys and abs(keys.index(k) - at) == 1 for k in around):
            return True
    return False


def wrapped(box: tuple[float, float, float, float], lines: list[Line], capacity: int, bands: Bands) -> bool:
    """Is the cell at ``box`` (x0, y0, x1, y1) one number wrapped over its ``lines`` (its number
    lines, top to bottom), in a column whose lines hold at most ``capacity`` digits?"""
    numbers = [ln for ln in lines if ln.text.strip() and looks_numeric(ln.text)]
    if len(numbers) < 2 or len(numbers) != len([ln for ln in lines if ln.text.strip()]):
        return False
    counts = [_digits(ln.text) for ln in numbers]
    if capacity < 1 or any(c != capacity for c in counts[:-1]) or counts[-1] > capacity:
        return False
    beside = [b for b in bands.rows if box[1] - TOL < b.middle < box[3] + TOL]
    if len(beside) != 1 or beside[0].score < LABEL_SURE:
        return False
    return _neighbours(beside[0], bands.rows)
