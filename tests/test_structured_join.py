"""Tables split in a web page or Word file (join_continued): rows under a cut row-spanning label
move under their own columns; rows merely short of trailing cells stay where they are."""

from __future__ import annotations

from extractor.grid.structured import SourceCell, build_grid, join_continued


def _grid(rows: list[list[tuple]], n_cols: int, table: int, top: float):
    """``rows``: per source row, cells as (text,) or (text, col_span) or (text, col_span, row_span),
    laid out left to right like a browser (columns covered from above skipped)."""
    cells, taken = [], {}
    for r, row in enumerate(rows):
        col = 0
        for spec in row:
            text, cs, rs = (tuple(spec) + (1, 1))[:3]
            rs = min(rs, len(rows) - r)  # a rowspan is cut at the table's end, as browsers do
            while col in taken.get(r, set()):
                col += 1
            for rr in range(r, r + rs):
                taken.setdefault(rr, set()).update(range(col, col + cs))
            cells.append(SourceCell(row=r, col=col, text=text, row_span=rs, col_span=cs))
            col += cs
    return build_grid(cells, len(rows), n_cols, table=table, kind="html", top=top)


def _at(grid, text):
    return next(c for c in grid.cells if c.text == text)


def test_rows_under_a_cut_label_move_under_their_columns():
    a = _grid([[("项目", 3), ("甲",), ("乙",)],
               [("三、本年度办理结果", 1, 9), ("（一）予以公开", 2), ("1",), ("2",)],
               [("（四）无法提供", 1, 3), ("1.本机不掌握",), ("3",), ("4",)]], 5, table=1, top=0)
    b = _grid([[("2.没有现成信息",), ("5",), ("6",)],  # under （四） and 三、: two cells short
               [("3.补正后",), ("7",), ("8",)],
               [("（七）总计", 2), ("9",), ("10",)],  # under 三、 only: one cell short
               [("四、结转下年度继续办理", 3), ("0",), ("11",)]], 5, table=2, top=100)
    (joined,) = join_continued([a, b], [False, True])
    assert joined.n_rows == 7 and joined.n_cols == 5
    assert (_at(joined, "5").row, _at(joined, "5").col) == (3, 3)
    assert (_at(joined, "2.没有现成信息").row, _at(joined, "2.没有现成信息").col) == (3, 2)
    assert (_at(joined, "（七）总计").col, _at(joined, "9").col, _at(joined, "10").col) == (1, 3, 4)
    assert _at(joined, "四、结转下年度继续办理").col == 0 and _at(joined, "11").col == 4
    assert _at(joined, "三、本年度办理结果").row_span == 5  # rows 1–5: down to （七）总计
    assert _at(joined, "（四）无法提供").row_span == 3
    assert _at(joined, "5").ref.table == 2 and _at(joined, "5").ref.col == 1  # the source cell, unchanged
    rows = {r: [c.text for c in joined.row_cells(r)] for r in range(joined.n_rows)}
    assert rows[4] == ["三、本年度办理结果", "（四）无法提供", "3.补正后", "7", "8"]


def test_rows_short_of_trailing_cells_stay():
    a = _grid([[("项目",), ("甲",), ("乙",), ("丙",)],
               [("收到",), ("1",), ("2",), ("3",)]], 4, table=0, top=0)
    b = _grid([[("结转",), ("4",), ("5",)],  # the last <td> left out by an editor
               [("合计",), ("5",), ("7",), ("3",)]], 4, table=1, top=100)
    (joined,) = join_continued([a, b], [False, True])
    assert [(c.text, c.col) for c in joined.cells if c.row == 2] == [("结转", 0), ("4", 1), ("5", 2)]
    assert _at(joined, "收到").row_span == 1


def test_number_columns_short_of_trailing_cells_stay():
    a = _grid([[("结果维持",), ("结果纠正",), ("总计",)], [("1",), ("2",), ("3",)]], 3, table=0, top=0)
    b = _grid([[("4",), ("5",)], [("6",), ("7",), ("8",)]], 3, table=1, top=100)
    (joined,) = join_continued([a, b], [False, True])
    assert [(c.text, c.col) for c in joined.cells if c.row == 2] == [("4", 0), ("5", 1)]


def test_not_joined_across_a_heading_or_width():
    a = _grid([[("项目",), ("甲",)], [("收到",), ("1",)]], 2, table=0, top=0)
    b = _grid([[("结转",), ("4",)]], 2, table=1, top=100)
    c = _grid([[("结转",), ("4",), ("5",)]], 3, table=2, top=200)
    assert len(join_continued([a, b], [False, False])) == 2
    assert len(join_continued([a, c], [False, True])) == 2


def test_rows_of_dashes_are_judged_as_values():
    """A report printing its zeros as — (no digit anywhere under the cut) still moves its rows."""
    a = _grid([[("项目", 2), ("甲",), ("乙",)],
               [("三、本年度办理结果", 1, 4), ("（一）予以公开",), ("—",), ("—",)]], 4, table=1, top=0)
    b = _grid([[("（二）部分公开",), ("—",), ("无",)],
               [("（七）总计",), ("/",), ("—",)],
               [("四、结转", 2), ("—",), ("—",)]], 4, table=2, top=100)
    (joined,) = join_continued([a, b], [False, True])
    assert [(c.text, c.col) for c in joined.cells if c.row == 2] == [("（二）部分公开", 1), ("—", 2), ("无", 3)]
    assert _at(joined, "三、本年度办理结果").row_span == 3
