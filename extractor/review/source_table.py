"""The source table around a field read from a web page or Word file, its cell marked.

Such a document has no page to crop, so the item page shows the table itself: the source is read
again from its stored path (as a crop re-renders a PDF page), its grids laid out as extraction
laid them out, and the grid holding the field's cell (found by its box on the notional page, see
``extractor.grid.structured``) is returned as rows of cells for the template, which escapes
every text. PDFs and images give ``None`` (they have crops).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from models.extraction import BBox, SourceRef
from models.page import Grid

STRUCTURED_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml", ".docx", ".doc", ".wps", ".odt"}


@dataclass
class ShownCell:
    text: str
    row_span: int
    col_span: int
    hit: bool


@dataclass
class SourceTable:
    ref: SourceRef
    rows: list[list[ShownCell]]
    n_cols: int


class SourceTables:
    """Reads structured sources on demand; keeps the last few documents' grids in memory."""

    def __init__(self, keep: int = 8):
        self._grids: OrderedDict[str, list[Grid]] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def table_for(self, path: str | None, sha256: str, page: int | None, bbox: BBox | None) -> SourceTable | None:
        if not path or bbox is None or not _structured(Path(path)):
            return None
        grids = self._load(path, sha256)
        if grids is None:
            return None
        key = _key(page, bbox)
        for grid in grids:
            for cell in grid.cells:
                if _key(cell.page, cell.bbox) == key and cell.ref is not None:
                    return _shown(grid, cell)
        return None

    def _load(self, path: str, sha256: str) -> list[Grid] | None:
        with self._lock:
            if sha256 in self._grids:
                self._grids.move_to_end(sha256)
                return self._grids[sha256]
        from extractor.errors import ExtractionFailure
        from extractor.io.document import open_document

        try:
            with open_document(path) as source:
                if source.content is None or source.sha256 != sha256:
                    return None  # not a structured source, or the file changed since it was stored
                grids = [g for p in source.content for g in p.grids]
        except (ExtractionFailure, OSError):
            return None
        with self._lock:
            self._grids[sha256] = grids
            while len(self._grids) > self._keep:
                self._grids.popitem(last=False)
        return grids


def _structured(p: Path) -> bool:
    return p.suffix.lower() in STRUCTURED_SUFFIXES or (p.is_dir() and any(
        q.suffix.lower() in STRUCTURED_SUFFIXES for q in p.iterdir()))


def _key(page: int | None, box: BBox) -> tuple:
    return (page, round(box.x0, 3), round(box.top, 3), round(box.x1, 3), round(box.bottom, 3))


def _shown(grid: Grid, hit) -> SourceTable:
    rows: list[list[ShownCell]] = [[] for _ in range(grid.n_rows)]
    for c in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        rows[c.row].append(ShownCell(text=c.text, row_span=c.row_span, col_span=c.col_span, hit=c is hit))
    return SourceTable(ref=hit.ref, rows=rows, n_cols=grid.n_cols)
