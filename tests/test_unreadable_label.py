"""A merged label cell the grid cut in two on a scan, its empty half holding a seal's faint
remains read as a "label" at 0.013 (曾多 beside （六）其他处理; corpus faded+dpi150+stamp_numbers
6109): the row is known by its real label, not by the unreadable one beside it."""

from __future__ import annotations

from extractor.mapping.tables import observed_application_rows
from models.extraction import BBox, Source
from models.page import Cell, Grid


def _row(texts: list[tuple[str, float]]) -> Grid:
    cells = [Cell(row=0, col=c, page=1, text=t, source=Source.OCR, confidence=conf,
                  bbox=BBox(x0=40 * c, top=0, x1=40 * c + 40, bottom=20)) for c, (t, conf) in enumerate(texts)]
    return Grid(cells=cells, n_rows=1, n_cols=len(cells), pages=[1])


def test_the_label_is_the_readable_one_of_two():
    values = [("0", 0.99)] * 7
    rows = observed_application_rows(_row([("（六）其他处理", 0.9), ("曾多", 0.013)] + values))
    assert [r.label for r in rows] == ["（六）其他处理"]
    # two readable labels: the nearer the values stands, as before
    rows = observed_application_rows(_row([("（五）不予处理", 0.9), ("2.重复申请", 0.9)] + values))
    assert [r.label for r in rows] == ["2.重复申请"]


def test_a_label_cell_with_no_word_beside_the_label_is_not_the_label():
    values = [("0", 0.99)] * 7
    rows = observed_application_rows(_row([("（六）其他处理", 0.9), ("i", 0.6)] + values))
    assert [r.label for r in rows] == ["（六）其他处理"]
