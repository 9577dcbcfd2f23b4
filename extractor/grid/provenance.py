"""Give fields read from a web page or Word file the source cell they came from.

Mapping copies a cell's page and box onto its field; on the notional page of a structured source
(``extractor.grid.structured``) every cell's box is unique, so the box finds the cell and its
``SourceRef`` (table, row, column, element path) without mapping knowing about sources.
"""

from __future__ import annotations

from models.extraction import Field
from models.page import Grid


def _key(page: int | None, box) -> tuple:
    return (page, round(box.x0, 3), round(box.top, 3), round(box.x1, 3), round(box.bottom, 3))


def attach_provenance(fields: dict[str, Field], grids: list[Grid]) -> int:
    """Set ``Field.provenance`` for every field whose box is a source cell's; returns how many."""
    refs = {_key(c.page, c.bbox): c.ref for g in grids for c in g.cells if c.ref is not None}
    n = 0
    for f in fields.values():
        if f.bbox is None or f.provenance is not None:
            continue
        ref = refs.get(_key(f.page, f.bbox))
        if ref is not None:
            f.provenance = ref
            n += 1
    return n
