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


def _row_texts(grid: Grid, row: int) -> list[str]:
    return [c.text for c in sorted((c for c in grid.cells if c.row == row), key=lambda c: c.col)]


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


def test_a_lower_half_with_a_sliver_cell_left_of_its_label_pairs_from_the_right():
    """LibreOffice seed 1603: the lower half of the split 总计 row has one cell more, a sliver
    left of its label, and lies a column aside: its digits still continue the numbers over them,
    counted from the right (the value columns' side)."""
    a = _grid([["（六）其他处理", "19", "5", "6", "21", "21", "0", "25"],
               ["（七）总计", "37", "97", "98", "39", "36", "0", "47"]], page=2)
    b = _grid([["", "56", "", "", "4", "3", "", "08"],
               ["四、结转下年度继续办理", "0", "1", "0", "0", "32", "0", "33"]], page=3, shift=33.0)
    sliver = Cell(row=0, col=0, page=3, text="", bbox=BBox(x0=86, top=0, x1=103, bottom=10))
    for c in b.cells:
        c.col += 1
        c.bbox = BBox(x0=c.bbox.x0 + (17 if c.col == 1 else 0), top=c.bbox.top, x1=c.bbox.x1, bottom=c.bbox.bottom)
    b.cells.insert(0, sliver)
    assert join_split_row(a, b)
    last = sorted((c for c in a.cells if c.row == 1), key=lambda c: c.col)
    assert [c.text for c in last] == ["（七）总计", "3756", "97", "98", "394", "363", "0", "4708"]
    assert all(last[k].structure <= SPLIT_DOUBT for k in (1, 4, 5, 7))
    # a surplus cell that holds text is no sliver: no pairing from the right
    a = _grid([["（七）总计", "37", "97", "98", "39", "36", "0", "47"]], page=2)
    b = _grid([["", "56", "", "", "4", "3", "", "08"], ["四、结转下年度继续办理"] + ["1"] * 7], page=3, shift=33.0)
    b.cells.insert(0, Cell(row=0, col=0, page=3, text="x", bbox=BBox(x0=86, top=0, x1=103, bottom=10)))
    assert not join_split_row(a, b)


def test_the_tables_last_row_split_alone_onto_the_next_page_is_joined():
    """LibreOffice seed 9302: 四、结转下 | 1 0 0 1 0 / 2 at one page's foot, and the next page's
    part of the table is nothing but the label's rest (年度继续办理) over blank cells — one row,
    the values the upper half's (read as a row of its own, its blanks were taken for zeros)."""
    a = _grid([["（七）总计", "0", "0", "0", "2", "无", "0", "2"],
               ["四、结转下", "1", "0", "0", "1", "0", "/", "2"]], page=1)
    b = _grid([["年度继续办理", "", "", "", "", "", "", ""]], page=2)
    assert join_split_row(a, b)
    assert _row_texts(a, 1) == ["四、结转下年度继续办理", "1", "0", "0", "1", "0", "/", "2"]
    assert b.n_rows == 0 and b.cells == []
    new_row = _grid([["（二）部分公开", "", "", "", "", "", "", ""]], page=2)  # a label of its own: no fragment
    assert not join_split_row(a, new_row)


def test_values_under_a_garbled_label_are_not_moved_up_into_a_blank_whole_row():
    """A row printed blank (8.属于行政查询事项: 0s) at a page's foot, and the next page's first
    row, its label garbled by a seal to a fragment (相关), holding values: the fragment does not
    complete the label above (it is whole), so they are two rows — moved up, the values would
    stand as row 8's, unflagged (a fresh user's probe, 2026-12-01)."""
    a = _grid([["7.重复申请", "0", "0", "0", "0", "0", "0", "0"],
               ["8.属于行政查询事项", "", "", "", "", "", "", ""]], page=1)
    b = _grid([["相关", "39", "5", "5", "0", "5", "0", "54"],
               ["2.没有现成信息需要另行制作", "0", "0", "0", "0", "0", "0", "0"]], page=2)
    assert not join_split_row(a, b)
    assert _row_texts(a, 1)[1:] == [""] * 7 and b.n_rows == 2
    # the label's true rest completes it: one row, the values the lower half's
    a = _grid([["（七）总计", "0", "0", "0", "0", "0", "0", "0"],
               ["1.信访举", "", "", "", "", "", "", ""]], page=1)
    b = _grid([["报投诉类申请", "14", "0", "0", "0", "0", "1", "15"]], page=2)
    assert join_split_row(a, b)
    assert _row_texts(a, 1) == ["1.信访举报投诉类申请", "14", "0", "0", "0", "0", "1", "15"]


def test_a_2019_table_two_row_at_the_next_pages_top_is_a_row_of_its_own(tmp_path):
    """2019 table 二 (seed 131313): 行政许可 | 1207 | 0 | 10432 at page 1's foot, 其他对外管理服务事项 |
    1207 | +2 | 10432 at page 2's top. The 2019 row was no label the joiner knew: taken for a
    label's fragment, its numbers for tails — 12071207, ok, on the text layer."""
    from extractor import extract
    from helpers_compare import exact_or_flagged
    from scripts.samplegen.build import write_report
    from scripts.samplegen.content import generate_report, truth_dict

    a = _grid([["行政许可", "1207", "0", "10432"]], page=1)
    b = _grid([["其他对外管理服务事项", "1207", "+2", "10432"]], page=2)
    assert not join_split_row(a, b)
    assert [c.text for c in sorted(a.cells, key=lambda c: c.col)][1] == "1207"

    report = generate_report(131313)
    report.name = "split-2019-131313"
    rendered = write_report(report, tmp_path)
    truth = truth_dict(report)["fields"]
    right, unflagged = exact_or_flagged(extract(rendered.path), truth)
    assert unflagged == [] and right == len(truth), (right, len(truth))
