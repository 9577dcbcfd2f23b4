"""Two boxed tables of one width, a heading line between them (LibreOffice: table 二, then
三、收到和处理…, then table 三, 25 pt apart) are two tables; the rows of one table whose sides
are not drawn, around a full-width row, are still one (the ``STACK_GAP`` rule)."""

from __future__ import annotations

from extractor.grid.edges import Edge, components


def _box(top: float, bottom: float, rows: list[float], sides: bool = True) -> list[Edge]:
    edges = [Edge("h", y, 84.6, 516.6) for y in [top, *rows, bottom]]
    if sides:
        edges += [Edge("v", 84.6, top, bottom), Edge("v", 516.6, top, bottom)]
    edges.append(Edge("v", 300.0, top, bottom))  # a column rule
    return edges


def test_two_boxed_tables_a_heading_apart_stay_two():
    edges = _box(72.0, 177.6, [98.4, 125.0, 151.0]) + _box(203.0, 400.0, [229.5, 306.9])
    assert len(components(edges)) == 2


def test_rows_of_an_open_sided_table_around_a_full_width_row_are_one():
    upper = [Edge("h", y, 84.6, 516.6) for y in (72.0, 98.4, 125.0)] + [Edge("v", 300.0, 72.0, 125.0)]
    lower = [Edge("h", y, 84.6, 516.6) for y in (150.0, 176.0)] + [Edge("v", 300.0, 150.0, 176.0)]
    assert len(components(upper + lower)) == 1  # 125 → 150: a full-width row, no sides drawn
