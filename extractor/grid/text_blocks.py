"""Text lines into cells and tables: the first steps of the text-alignment grid builder.

A line (characters by baseline, left to right) is cut into *chunks* where the gap between
characters is wider than ``GAP`` × the type size — cells are padded, words inside a cell are
not spaced that wide. A *block* is a run of lines that makes a table (lines with a number
standing in its own chunk, the lines among them); a heading in larger type or a line of
prose ends it. A block is cut into *sub-tables* where a new header row starts (the four parts
of table 二). Positions are PDF points from the page's top-left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

import re

from extractor.mapping.change import parse_change
from extractor.mapping.numbers import looks_numeric

ENUMERATED = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[）)]|\d+\s*[.、．])")
NARROW = 0.25  # × type size: a gap this wide still parts two numbers
LABEL_GAP = 0.55  # × type size: ... and a label from an enumeration (a bracket's ink sits off-centre)
GAP = 0.8  # × type size: a wider gap between characters of a line separates two cells
@dataclass
class Chunk:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    chars: list[dict] = field(default_factory=list)

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def numeric(self) -> bool:
        # a count, or table 二's signed change (-3, +2: 本年增/减)
        return bool(self.text.strip()) and (looks_numeric(self.text) or parse_change(self.text).ok)


def chunks_of(line: list[dict]) -> list[Chunk]:
    """A line's characters (left to right) cut at wide gaps, and at narrower ones (``NARROW``)
    between two numbers (wide numbers fill narrow columns: 1337 1337) or before a label's
    enumeration (（三）不予 4.保护第三方合法权益: a group label beside a row label)."""
    size = max(max(c["bottom"] - c["top"] for c in line), 1.0)
    out: list[Chunk] = []
    for i, ch in enumerate(line):
        gap = ch["x0"] - out[-1].x1 if out else 0.0
        if out and (
            (gap > NARROW * size and _figure(out[-1].text[-1]) and _figure(ch["text"]))
            or (gap > LABEL_GAP * size and not out[-1].text.endswith("第")  # 第（六）项 is a reference
                and ENUMERATED.match("".join(c["text"] for c in line[i : i + 4])))
        ):
            out.append(Chunk(ch["text"], ch["x0"], ch["x1"], ch["top"], ch["bottom"], [ch]))
        elif out and gap <= GAP * size:
            k = out[-1]
            k.text += ch["text"]
            k.x1 = max(k.x1, ch["x1"])
            k.top, k.bottom = min(k.top, ch["top"]), max(k.bottom, ch["bottom"])
            k.chars.append(ch)
        else:
            out.append(Chunk(ch["text"], ch["x0"], ch["x1"], ch["top"], ch["bottom"], [ch]))
    return out


def _figure(text: str) -> bool:
    """A character of a printed number (digits, the decimal point, zero stand-ins)."""
    return text.isdigit() or text in ".,—-/无"


def _size(line: list[Chunk]) -> float:
    """The line's type size: the median of its characters' heights (a line grouped from two
    baselines a little apart is taller than its type)."""
    return median(c["bottom"] - c["top"] for k in line for c in k.chars)


def blocks(lines: list[list[Chunk]], width: float) -> list[list[list[Chunk]]]:
    """Runs of lines that make a table: lines with numbers in cells and the lines among them."""
    sizes = [_size(ln) for ln in lines if any(k.numeric for k in ln) and len(ln) >= 2]
    if not sizes:
        return []
    table_size = median(sizes)
    out: list[list[list[Chunk]]] = []
    current: list[list[Chunk]] = []
    for ln in lines:
        size = _size(ln)
        prose = len(ln) == 1 and (ln[0].x1 - ln[0].x0) > 0.6 * width and not ln[0].numeric
        if size > 1.12 * table_size or prose or (current and ln[0].top - current[-1][-1].bottom > 3 * table_size):
            if current:
                out.append(current)
            current = [] if size > 1.12 * table_size or prose else [ln]
            continue
        current.append(ln)
    if current:
        out.append(current)
    return [b for b in out if sum(1 for ln in b if any(k.numeric for k in ln[1:]) or
                                  (len(ln) == 1 and ln[0].numeric)) >= 1 and sum(len(ln) for ln in b) >= 2]


def x_components(intervals: list[tuple[float, float]], gap: float = 1.0) -> list[list[float]]:
    """Overlapping x-intervals merged: [x0, x1] of each group, left to right."""
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def value_left(block: list[list[Chunk]]) -> float | None:
    """Where the value zone starts: left of the leftmost column of number chunks that are
    not a row's first chunk (a row's first chunk is its label)."""
    nums = [k for ln in block for k in ln[1:] if k.numeric]
    if not nums:
        return None
    cols = x_components([(k.x0, k.x1) for k in nums])
    pitch = median([b[0] - a[0] for a, b in zip(cols, cols[1:])]) if len(cols) > 1 else 30.0
    return cols[0][0] - 0.5 * min(pitch, 40.0)


def sub_tables(block: list[list[Chunk]], left: float) -> list[tuple[list[list[Chunk]], list[list[Chunk]]]]:
    """(header lines, body lines) of each sub-table: a new one starts at a line with titles in
    the value zone and no numbers, after a body line with numbers."""
    out: list[tuple[list, list]] = []
    header: list[list[Chunk]] = []
    body: list[list[Chunk]] = []
    for ln in block:
        in_values = [k for k in ln if k.xc >= left]
        has_numbers = any(k.numeric for k in in_values)
        if in_values and not has_numbers:
            if body and any(any(k.numeric and k.xc >= left for k in b) for b in body):
                out.append((header, body))
                header, body = [], []
            if not body:
                header.append(ln)
                continue
        body.append(ln)
    if body:
        out.append((header, body))
    return out
