"""Table 四's columns held to its titles (``extractor.ocr.litigation_columns``): small read tables
without OCR. A value cell under two titles (a column rule lost over the numbers), or under a
title cell as wide as two (the rule lost through the titles too), is cut where the paper is
blank and both parts are flagged; ink across the boundary leaves the cell whole, flagged."""

from __future__ import annotations

import numpy as np

from extractor.mapping.litigation import N_LITIGATION
from extractor.ocr.litigation_columns import mend_litigation
from extractor.ocr.registry_bands import DOUBT
from tests.test_registry_bands import _table

TITLES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
W = 60  # px per column
COLS = [10 + W * k for k in range(16)]
ROWS = [0, 40, 80, 140, 180]


def _spec(merged_title: int | None, merged_value: int | None):
    """Table 四 with the value cells ``merged_value`` and +1 as one cell (and the title cells
    ``merged_title`` and +1 when given)."""
    spec = [(0, 0, 2, 5, "行政复议"), (0, 5, 1, 10, "行政诉讼"), (1, 5, 1, 5, "未经复议直接起诉"), (1, 10, 1, 5, "复议后起诉")]
    for k, t in enumerate(TITLES):
        if k == merged_title:
            spec.append((2, k, 1, 2, "结果其他纠正结果"))
        elif k - 1 != merged_title:
            spec.append((2, k, 1, 1, t))
    for k in range(15):
        if k == merged_value:
            spec.append((3, k, 1, 2, "12"))
        elif k - 1 != merged_value:
            spec.append((3, k, 1, 1, "3"))
    return spec


def _ink(merged: int, across: bool = False) -> np.ndarray:
    ink = np.zeros((200, 1000), np.uint8)
    for k in range(15):  # a number in the middle of each column, titles too
        mid = 10 + W * k + W // 2
        ink[150:170, mid - 8: mid + 8] = 255
        ink[90:130, mid - 20: mid + 20] = 255
    if across:  # a number written over the boundary
        x = COLS[merged + 1]
        ink[150:170, x - 25: x + 25] = 255
    return ink


def _value_row(table):
    return [c for c in table.grid.cells if c.row == 3]


def test_a_value_cell_under_two_titles_is_cut_between_them_and_flagged():
    table = _table(_spec(None, 6), ROWS, COLS)  # the rule between columns 6 and 7 lost over the numbers
    assert len(_value_row(table)) == N_LITIGATION - 1
    fresh = mend_litigation(table, {}, _ink(6))
    assert len(fresh) == 2 and all(c.structure <= DOUBT and c.confidence == 0 for c in fresh)
    row = _value_row(table)
    assert len(row) == N_LITIGATION and [c.col for c in row] == list(range(15))
    cut = [table.boxes[i] for i, c in enumerate(table.grid.cells) if c in fresh]
    assert abs(cut[0][2] - COLS[7]) < 16 and cut[0][2] == cut[1][0]


def test_a_title_cell_as_wide_as_two_is_cut_with_the_value_under_it():
    cols = COLS[:3] + COLS[4:]  # the rule between columns 2 and 3 lost through titles and numbers
    def lost(k: int) -> int:  # a column of 15 in the grid of 14
        return k if k <= 2 else k - 1

    spec = [(r, lost(c), rs, lost(c + cs - 1) - lost(c) + 1, t) for r, c, rs, cs, t in _spec(2, 2)]
    table = _table(spec, ROWS, cols)
    assert table.grid.n_cols == N_LITIGATION - 1
    fresh = mend_litigation(table, {}, _ink(2))
    assert len(fresh) == 4 and all(c.structure <= DOUBT for c in fresh)
    assert table.grid.n_cols == N_LITIGATION
    assert [c.col for c in _value_row(table)] == list(range(15))
    assert len([c for c in table.grid.cells if c.row == 2]) == N_LITIGATION
    group = next(c for c in table.grid.cells if c.text == "行政复议")
    assert group.col == 0 and group.col_span == 5  # the group over the new column spans it


def test_ink_across_the_boundary_is_not_cut_but_flagged():
    table = _table(_spec(None, 6), ROWS, COLS)
    assert mend_litigation(table, {}, _ink(6, across=True)) == []
    cell = next(c for c in _value_row(table) if c.col_span == 2)
    assert cell.structure <= DOUBT and cell.text == "12"


def test_table_three_is_left_alone():
    spec = [(0, 0, 1, 1, "申请人情况"), (0, 1, 1, 1, "自然人"), (0, 2, 1, 1, "总计"),
            (1, 0, 1, 1, "一、本年新收政府信息公开申请数量"), (1, 1, 1, 2, "5")]
    table = _table(spec, [0, 40, 80], [0, 300, 360, 420])
    assert mend_litigation(table, {}, np.zeros((100, 500), np.uint8)) == []


def test_a_wide_title_over_value_cells_of_one_column_each_is_cut_at_their_line():
    table = _table(_spec(6, None), ROWS, COLS)  # the rule lost through the titles only
    fresh = mend_litigation(table, {}, _ink(6))
    assert len(fresh) == 2 and all(c.row == 2 and c.structure <= DOUBT for c in fresh)
    assert all(c.structure == 1.0 for c in _value_row(table))  # the numbers stand apart: not touched
    assert [c.col for c in table.grid.cells if c.row == 2] == list(range(15))


def test_a_slot_holding_two_titles_and_their_numbers_is_cut_four_ways():
    """The rules around two columns' titles and numbers lost (a seal over them): one cell over
    both rows and both columns is cut where the header ends, then between the columns."""
    spec = [t for t in _spec(None, None) if not (t[0] in (2, 3) and t[1] in (6, 7))]
    spec.append((2, 6, 2, 2, "结果纠其化1 2"))
    table = _table(spec, ROWS, COLS)
    fresh = mend_litigation(table, {}, _ink(6))
    assert len(fresh) == 4 and all(c.structure <= DOUBT and c.confidence == 0 for c in fresh)
    assert [c.col for c in _value_row(table)] == list(range(15))
    assert [c.col for c in table.grid.cells if c.row == 2] == list(range(15))


def test_a_value_cell_under_a_title_and_a_wide_title_beside_it_is_cut_at_both():
    """A row of 13 cells: the rule between columns 2 and 3 lost through titles and numbers, and
    the one between 1 and 2 over the numbers only (a seal's star over them, fax seed 4711): the
    value cell under 结果纠正 and the wide title 其他结果|尚未审结 is cut at both boundaries."""
    cols = COLS[:3] + COLS[4:]

    def lost(k: int) -> int:
        return k if k <= 2 else k - 1

    spec = [(r, lost(c), rs, lost(c + cs - 1) - lost(c) + 1, t) for r, c, rs, cs, t in _spec(2, 2) if r != 3]
    spec += [(3, 0, 1, 1, "3"), (3, 1, 1, 2, "33")]  # under 结果纠正 and the wide title, one cell
    spec += [(3, lost(k), 1, 1, "3") for k in range(4, 15)]
    table = _table(spec, ROWS, cols)
    assert len(_value_row(table)) == N_LITIGATION - 2
    fresh = mend_litigation(table, {}, _ink(2))
    assert all(c.structure <= DOUBT for c in fresh)
    assert [c.col for c in _value_row(table)] == list(range(15))


def test_titles_a_low_resolution_fax_misreads_alike_still_place_the_cut():
    """结果 read 结累 in most titles (a 150 dpi fax): fewer than eight titles match positively,
    but each is near its title and stands where a column is; the value cell under two is cut."""
    table = _table(_spec(None, 6), ROWS, COLS)
    for c in table.grid.cells:
        if c.row == 2 and c.col % 5 in (0, 1, 2) and c.col != 7:
            c.text = c.text.replace("结果", "结累")
    fresh = mend_litigation(table, {}, _ink(6))
    assert len(fresh) == 2 and all(c.structure <= DOUBT for c in fresh)
    assert [c.col for c in _value_row(table)] == list(range(15))


def test_a_wide_title_with_ink_across_its_boundary_leaves_the_numbers_cut_alone():
    """The rule between columns 2 and 3 lost through titles and numbers, and a seal's ring (or a
    faded rule's stub) across the titles' boundary (faded seeds 968, 1501): the numbers, with paper
    between them, are cut and flagged; the title is left whole, flagged."""
    cols = COLS[:3] + COLS[4:]

    def lost(k: int) -> int:
        return k if k <= 2 else k - 1

    spec = [(r, lost(c), rs, lost(c + cs - 1) - lost(c) + 1, t) for r, c, rs, cs, t in _spec(2, 2)]
    table = _table(spec, ROWS, cols)
    ink = _ink(2)
    ink[85:135, COLS[3] - 25: COLS[3] + 25] = 255  # ink over the titles' boundary only
    fresh = mend_litigation(table, {}, ink)
    assert len(fresh) == 2 and all(c.row == 3 and c.structure <= DOUBT and c.confidence == 0 for c in fresh)
    assert [c.col for c in _value_row(table)] == list(range(15))
    title = next(c for c in table.grid.cells if c.row == 2 and c.col_span == 2)
    assert title.structure <= DOUBT and title.text == "结果其他纠正结果"
