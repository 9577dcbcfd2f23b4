"""What a page becomes before mapping: text lines and table grids.

A text-layer page and a scanned page meet here, in the same shapes, so everything after this
(stitching, mapping, checks, confidence, storage, review) exists once. Plain dataclasses: these
are built by the hundred per page on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from models.extraction import Alternative, BBox, Source, SourceRef


class PageKind(StrEnum):
    TEXT = "text"  # a usable text layer
    SCAN = "scan"  # image only, or a text layer not worth trusting: OCR it
    EMPTY = "empty"  # nothing on it


@dataclass(slots=True)
class TextLine:
    """One line of running text (title, headings, prose), in reading order."""

    text: str
    bbox: BBox  # PDF points
    page: int  # 1-based
    size: float = 0.0  # font size in points (text layer) or line height (OCR)
    source: Source = Source.TEXT
    confidence: float = 1.0


@dataclass(slots=True)
class Cell:
    """One cell of a ruled table. ``row``/``col`` index the grid's own lines; spans cover merges."""

    row: int
    col: int
    page: int  # 1-based; a stitched grid holds cells of several pages
    bbox: BBox  # PDF points
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    source: Source = Source.TEXT
    confidence: float = 1.0  # recogniser's score; 1.0 on the text layer
    structure: float = 1.0  # how cleanly the cell was found and its text assigned (0–1)
    alternatives: list[Alternative] = field(default_factory=list)  # OCR: other readings, best first
    char_scores: list[float] = field(default_factory=list)  # OCR: per-character scores
    bbox_px: BBox | None = None  # OCR: pixels of the rendered page
    dpi: float | None = None
    ref: SourceRef | None = None  # web pages and Word files: the source table cell (no page box)

    @property
    def last_row(self) -> int:
        return self.row + self.row_span - 1

    @property
    def last_col(self) -> int:
        return self.col + self.col_span - 1


@dataclass(slots=True)
class Grid:
    """A table as a grid of cells with spans. Row indices run on across stitched pages."""

    cells: list[Cell]
    n_rows: int
    n_cols: int
    pages: list[int] = field(default_factory=list)
    bbox: BBox | None = None  # of the first page's part
    col_edges: list[float] = field(default_factory=list)  # x of the vertical rules, PDF points
    _by_row: dict[int, list[Cell]] | None = field(default=None, repr=False, compare=False)

    def row_cells(self, row: int) -> list[Cell]:
        """Every cell covering ``row`` (merged cells from above included), left to right."""
        if self._by_row is None:  # built once: mapping asks for every row, several times
            by_row: dict[int, list[Cell]] = {}
            for c in sorted(self.cells, key=lambda c: c.col):
                for r in range(c.row, c.row + c.row_span):
                    by_row.setdefault(r, []).append(c)
            self._by_row = by_row
        return list(self._by_row.get(row, ()))

    def text(self) -> str:
        return "".join(c.text for c in sorted(self.cells, key=lambda c: (c.row, c.col)))


@dataclass(slots=True)
class PageContent:
    """A page read: its running text and its tables, whatever the source."""

    number: int  # 1-based
    width: float  # PDF points
    height: float
    kind: PageKind
    lines: list[TextLine] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    rotation: int = 0  # degrees the page was turned to read it (OCR)
    skew: float = 0.0  # degrees of deskew applied (OCR)
    dpi: float | None = None  # render dpi (OCR)
    unread_lines: int = 0  # OCR: lines of prose found and left unread (``ocr_prose`` "needed")
    # OCR: every value read on the page is doubted, however it reads (a dithered page read under
    # 180 dpi or on dotted paper: ``extractor.ocr.prepare.descreen_doubts``)
    doubtful: bool = False
