"""A number wrapped in its narrow cell and split by a page break with its row (LibreOffice lets a
row break across pages: 276 at one page's foot, its 0 at the next page's top) is one number."""

from __future__ import annotations

from extractor.grid.split_row import SPLIT_DOUBT, join_split_row
from models.extraction import BBox
from models.page import Cell, Grid


def _row(row: int, page: int, texts: list[str], shift: float = 0.0) -> list[Cell]:
    """A label cell (200 pt) then value cells of 32 pt; ``shift`` moves the row right."""
    cells = [Cell(row=row, col=0, page=page, text=texts[0], bbox=BBox(x0=70 + shift, top=10 * row, x1=270 + shift,
                                                                      bottom=10 * row + 10))]
    for k, t in enumerate(texts[1:]):
        x0 = 270 + 32 * k + shift
        cells.append(Cell(row=row, col=1 + k, page=page, text=t, bbox=BBox(x0=x0, top=10 * row, x1=x0 + 32,
                                                                          bottom=10 * row + 10)))
    return cells


def _grid(rows: list[list[str]], page: int, shift: float = 0.0) -> Grid:
    cells = [c for r, texts in enumerate(rows) for c in _row(r, page, texts, shift)]
    return Grid(cells=cells, n_rows=len(rows), n_cols=8, pages=[page])


def test_digits_under_numbers_on_the_next_page_join_them():
    for shift in (0.0, 32.0):  # laid onto each other a column apart: the row's cells one for one
        a = _grid([["二、上年结转政府信息公开申请数量", "86", "/", "/", "/", "/", "/", "86"],
                   ["（一）予以公开", "276", "/", "/", "439", "109", "111", "342"]], page=1)
        b = _grid([["", "0", "", "", "", "", "", "1"],
                   ["（二）部分公开", "555", "/", "/", "87", "23", "22", "687"]], page=2, shift=shift)
        assert join_split_row(a, b)
        last = sorted((c for c in a.cells if c.row == 1), key=lambda c: c.col)
        assert [c.text for c in last] == ["（一）予以公开", "2760", "/", "/", "439", "109", "111", "3421"]
        assert last[1].structure <= SPLIT_DOUBT and last[7].structure <= SPLIT_DOUBT  # a person confirms
        assert last[4].structure == 1.0
        assert b.n_rows == 1 and {c.text for c in b.cells if c.row == 0} >= {"（二）部分公开", "555"}


def test_a_row_of_its_own_is_not_a_tail():
    a = _grid([["（一）予以公开", "276", "/", "/", "439", "109", "111", "342"]], page=1)
    digits_under_a_mark = _grid([["", "", "5", "", "", "", "", ""], ["（二）部分公开"] + ["1"] * 7], page=2)
    assert not join_split_row(a, digits_under_a_mark)  # 5 under "/": no number continues there
    labelled = _grid([["（二）部分公开", "5", "", "", "", "", "", "5"], ["（三）不予公开"] + ["1"] * 7], page=2)
    assert not join_split_row(a, labelled)
    assert [c.text for c in sorted(a.cells, key=lambda c: c.col)][1] == "276"


def test_label_and_numbers_both_cut_by_the_break_join_into_one_row():
    """LibreOffice, narrow number columns: 1.信访举 | 14 … 15 at one page's foot, 报投诉类申请 | 9 … 9
    at the next page's top: one row (149 … 159), the label joined, the joined numbers doubted; a
    speck read as "/" under a blank cell of the upper half is no value of its own."""
    a = _grid([["（四）无法提供", "889", "—", "—", "32", "33", "—", "954"],
               ["1.信访举", "14", "—", "—", "5", "5", "", "15"]], page=1)
    b = _grid([["报投诉类申请", "9", "", "", "", "", "/", "9"],
               ["2.重复申请", "119", "—", "—", "6", "4", "—", "129"]], page=2)
    assert join_split_row(a, b)
    last = sorted((c for c in a.cells if c.row == 1), key=lambda c: c.col)
    assert [c.text for c in last] == ["1.信访举报投诉类申请", "149", "—", "—", "5", "5", "", "159"]
    assert last[1].structure <= SPLIT_DOUBT and last[7].structure <= SPLIT_DOUBT
    assert last[4].structure == 1.0
    assert b.n_rows == 1 and sorted(c.text for c in b.cells)[0] == "119"


def test_values_of_a_row_of_their_own_under_a_fragment_are_not_tails():
    a = _grid([["1.信访举", "14", "—", "—", "5", "5", "", "15"]], page=1)
    digit_under_blank = _grid([["报投诉类申请", "9", "", "", "", "", "3", "9"], ["2.重复申请"] + ["1"] * 7], page=2)
    assert not join_split_row(a, digit_under_blank)  # 3 under a blank: no number continues there
    mark_under_number = _grid([["报投诉类申请", "9", "", "", "", "/", "", "9"], ["2.重复申请"] + ["1"] * 7], page=2)
    assert not join_split_row(a, mark_under_number)
    assert [c.text for c in sorted(a.cells, key=lambda c: c.col)][1] == "14"
