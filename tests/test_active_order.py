"""Table 二 on a scan whose words are misread past recognition (issue 13: a 150 dpi fax of a light
typeface, 行政规范性文件 read 行收现范性之们): a row or title placed by its order in its block,
its fields in review; never on a text layer, never when the block's count or read rows disagree."""

from __future__ import annotations

from extractor.mapping.active import map_active
from models.extraction import BBox, FieldStatus, Source
from models.page import Cell, Grid

EDGES = [60, 260, 340, 420, 500]  # a label column, three value columns


def _grid(rows: list[list[str]], source: Source = Source.OCR) -> Grid:
    cells = []
    for r, texts in enumerate(rows):
        top = 20.0 * r
        if len(texts) == 1:  # a block heading across the table
            cells.append(Cell(row=r, col=0, col_span=4, page=1, text=texts[0], source=source,
                              bbox=BBox(x0=EDGES[0], top=top, x1=EDGES[-1], bottom=top + 20)))
            continue
        span = 3 if len(texts) == 2 else 1  # one value column spans the three
        for c, t in enumerate(texts):
            x1 = EDGES[-1] if (c == 1 and span == 3) else EDGES[c + 1]
            cells.append(Cell(row=r, col=c, col_span=span if c == 1 else 1, page=1, text=t, source=source,
                              confidence=0.9, bbox=BBox(x0=EDGES[c], top=top, x1=x1, bottom=top + 20)))
    return Grid(cells=cells, n_rows=len(rows), n_cols=4, pages=[1])


ROWS = [
    ["第二十条第（一）项"],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "3", "0", "15"],
    ["行收现范性之们", "89", "1", "318"],
    ["第二十条第（五）项"],
    ["信息内容", "本年处理决定数量"],
    ["行向司", "2648"],
    ["第二十条第（六）项"],
    ["信息内容", "一教"],
    ["行政处罚", "396"],
    ["行政强制", "12"],
]


def test_misread_rows_and_titles_are_placed_by_their_order_in_review():
    out = map_active([_grid(ROWS)])
    f = out.fields
    assert [f[f"active.normative_documents.{c}"].value for c in ("issued", "repealed", "in_force")] == [89, 1, 318]
    assert f["active.licensing.decisions"].value == 2648
    assert f["active.penalty.decisions"].value == 396 and f["active.coercion.decisions"].value == 12
    for key in ("active.normative_documents.issued", "active.licensing.decisions", "active.penalty.decisions"):
        assert f[key].status == FieldStatus.REVIEW and f[key].evidence["mapped"] == 0.0
    assert f["active.regulations.issued"].status == FieldStatus.OK
    assert any("placed by its order as 行政规范性文件" in n for n in out.issues)
    assert not any("行收现范性之们" in m for m in out.unmapped)


def test_a_text_layer_or_a_block_that_disagrees_is_not_placed():
    out = map_active([_grid(ROWS, Source.TEXT)])
    assert "active.normative_documents.issued" not in out.fields
    assert any("行收现范性之们" in m for m in out.unmapped)
    extra = ROWS[:4] + [["自定义事项", "1", "2", "3"]] + ROWS[4:]  # one row more than the block has
    out = map_active([_grid(extra)])
    assert "active.normative_documents.issued" not in out.fields
    swapped = ROWS[:2] + [ROWS[3], ["规章", "3", "0", "15"]] + ROWS[4:]  # 规章 read, out of its place
    out = map_active([_grid(swapped)])
    assert "active.normative_documents.issued" not in out.fields


def test_a_misread_row_with_a_misread_value_among_its_numbers_is_placed():
    rows = [ROWS[0], ROWS[1], ["搜章", "3", "0", "a"]] + ROWS[3:]  # 规章 and one of its 0s misread (fax seed 1607)
    f = map_active([_grid(rows)]).fields
    assert f["active.regulations.issued"].value == 3 and f["active.regulations.issued"].status == FieldStatus.REVIEW
    assert f["active.regulations.in_force"].status == FieldStatus.REVIEW
    assert f["active.normative_documents.issued"].value == 89


def test_a_block_heading_with_a_speck_read_as_a_value_is_no_row():
    """A yellowed, unevenly lit scan of a real report (helper-65): a speck in the last column of
    第二十条第（五）项's row split the heading's cell and read 11 — an unknown row of values, the
    document sent to review for a printed row the format does not know. A block heading prints no
    values; the rows under it map as before."""
    rows = [r if r != ["第二十条第（五）项"] else ["第二十条第（五）项", "11"] for r in ROWS]
    rows = [r if r != ["行向司", "2648"] else ["行政许可", "2648"] for r in rows]
    out = map_active([_grid(rows)])
    assert not any("第二十条" in m for m in out.unmapped), out.unmapped
    assert out.fields["active.licensing.decisions"].value == 2648
