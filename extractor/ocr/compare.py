"""Cell-level comparison of two grids of one page (an OCR grid against the text-layer grid).

Used by the OCR tests and ``scripts/bench_ocr.py`` until the mapping stage can compare fields.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from models.page import Cell, Grid

_TRANS = str.maketrans({"（": "(", "）": ")", "“": '"', "”": '"', "，": ",", "：": ":", "；": ";", "—": "-", "－": "-"})


def norm_text(text: str) -> str:
    """What must agree between two readings of one cell: NFKC, no spaces, one bracket style."""
    t = unicodedata.normalize("NFKC", text).translate(_TRANS)
    return "".join(t.split())


@dataclass
class CellDiff:
    page: int
    row: int
    col: int
    expected: str
    got: str | None  # None: no OCR cell there


@dataclass
class GridComparison:
    total: int = 0
    exact: int = 0
    numeric_total: int = 0
    numeric_exact: int = 0
    diffs: list[CellDiff] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.exact / self.total if self.total else 1.0

    @property
    def numeric_accuracy(self) -> float:
        return self.numeric_exact / self.numeric_total if self.numeric_total else 1.0

    def add(self, other: "GridComparison") -> None:
        self.total += other.total
        self.exact += other.exact
        self.numeric_total += other.numeric_total
        self.numeric_exact += other.numeric_exact
        self.diffs.extend(other.diffs)


def _center(c: Cell) -> tuple[float, float]:
    return (c.bbox.x0 + c.bbox.x1) / 2, (c.bbox.top + c.bbox.bottom) / 2


def _is_number(t: str) -> bool:
    t = t.replace(".", "", 1).replace(",", "")
    return bool(t) and t.isdigit()


def compare_grids(expected: list[Grid], got: list[Grid], skip_empty: bool = False) -> GridComparison:
    """Every cell of ``expected`` against the ``got`` cell under its centre (PDF points)."""
    out = GridComparison()
    cells = [c for g in got for c in g.cells]
    for g in expected:
        for c in g.cells:
            want = norm_text(c.text)
            if skip_empty and not want:
                continue
            cx, cy = _center(c)
            match = None
            for o in cells:
                if o.page == c.page and o.bbox.x0 <= cx <= o.bbox.x1 and o.bbox.top <= cy <= o.bbox.bottom:
                    match = o
                    break
            have = None if match is None else norm_text(match.text)
            out.total += 1
            num = _is_number(want)
            out.numeric_total += num
            if have == want:
                out.exact += 1
                out.numeric_exact += num
            else:
                out.diffs.append(CellDiff(page=c.page, row=c.row, col=c.col, expected=want, got=have))
    return out
