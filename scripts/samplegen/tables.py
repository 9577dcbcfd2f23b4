"""The three fixed tables of a report as grids of (possibly merged) cells.

Rows, columns and labels are generated from the registry (``models.fields``); only the texts
of the format that are not fields (the note cell, 申请人情况, 信息内容) are written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.fields import (
    APPLICANT_COLUMNS,
    LITIGATION_COLUMNS,
    LITIGATION_GROUPS,
    active_rows,
    application_rows,
)

from .content import APPLICANT_HEADER, CONTENT_HEADER, NOTE_TEXT, Report, style_label


@dataclass
class TCell:
    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    align: str = "center"  # left / center
    vertical: bool = False  # one character per line
    shade: tuple[int, int, int] | None = None  # fill colour (RGB) of the cell, None: unfilled
    key: str | None = None  # the canonical key of a value cell


@dataclass
class TableSpec:
    name: str  # 二 / 三 / 四
    col_widths: list[float]
    n_rows: int
    cells: list[TCell]
    header_rows: int = 0  # rows kept together with the first body row
    row_keys: list[str | None] = field(default_factory=list)  # table 三: the row key of each row


LIGHT_BLUE = (221, 235, 247)


def _shade_header(cells: list[TCell], header_rows: int, fill: tuple[int, int, int] | None) -> None:
    """Fill every cell that starts in the first ``header_rows`` rows (the column titles)."""
    for c in cells:
        if fill and c.row < header_rows:
            c.shade = fill


def _band(base: tuple[int, int, int]) -> tuple[int, int, int]:
    """The lighter tone of ``base`` that banded body rows take."""
    return tuple(min(255, v + (255 - v) // 2) for v in base)  # type: ignore[return-value]


def _group_runs(items: list, key) -> list[tuple[object, int, int]]:
    """Runs of consecutive items with the same key: (key, start, length)."""
    runs: list[tuple[object, int, int]] = []
    for i, it in enumerate(items):
        k = key(it)
        if runs and runs[-1][0] == k:
            runs[-1] = (k, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((k, i, 1))
    return runs


def active_table(report: Report, width: float) -> TableSpec:
    """Table 二 in the report's table-二 layout: per block a heading row (第二十条第（…）项), a header
    row (信息内容 + the column titles) and its rows; a block with fewer than three columns lets its
    last column span the rest (as the 2021 fee block and the 2019 （八）/（九） blocks print)."""
    st = report.style
    c0 = width * (0.28 + 0.1 * (st.label_scale - 0.7))
    rest = (width - c0) / 3
    cells: list[TCell] = []
    row = 0
    rows = active_rows(report.layouts.active)
    for group, start, length in _group_runs(list(rows), key=lambda rc: rc[0].group):
        members = rows[start : start + length]
        cols = members[0][1]
        spans = [1] * (len(cols) - 1) + [3 - (len(cols) - 1)]
        if st.active_label_in_header:  # 第二十条第（一）项 | 本年新制作数量 | …: one row
            cells.append(TCell(row, 0, style_label(str(group), st)))
        else:
            cells.append(TCell(row, 0, style_label(str(group), st), colspan=4,
                               shade=LIGHT_BLUE if st.shade_headers else st.header_shade))
            row += 1
            cells.append(TCell(row, 0, CONTENT_HEADER, shade=st.header_shade))
        at = 1
        for col, span in zip(cols, spans):
            title = report.active_titles.get(col.key, col.label)
            cells.append(TCell(row, at, style_label(title, st), colspan=span, shade=st.header_shade))
            at += span
        row += 1
        for spec, rcols in members:
            cells.append(TCell(row, 0, report.active_labels[spec.key], align=st.label_align))
            at = 1
            for col, span in zip(rcols, spans):
                key = f"active.{spec.key}.{col.key}"
                cells.append(TCell(row, at, report.printed[key], colspan=span, key=key))
                at += span
            row += 1
    return TableSpec("二", [c0, rest, rest, rest], row, cells, header_rows=2)


def application_table(report: Report, width: float) -> TableSpec:
    st = report.style
    rows = application_rows(report.layout)
    nw = st.number_width
    label_w = max(st.label_min, min(width - 7 * nw, (width - 7 * nw) * st.label_scale))
    c0 = max(16.0, st.table_size * 2.0)
    c1 = (label_w - c0) * 0.3
    c2 = label_w - c0 - c1
    widths = [c0, c1, c2] + [nw] * len(APPLICANT_COLUMNS)
    cells: list[TCell] = []
    ncol = len(APPLICANT_COLUMNS)
    # header: note | 申请人情况 over 自然人 | 法人或其他组织 (its five) | 总计
    cells.append(TCell(0, 0, NOTE_TEXT, rowspan=3, colspan=3, align=st.label_align))
    cells.append(TCell(0, 3, APPLICANT_HEADER, colspan=ncol))
    for group, start, length in _group_runs(list(APPLICANT_COLUMNS), key=lambda c: c.group):
        if group is None:
            for j in range(start, start + length):
                cells.append(TCell(1, 3 + j, APPLICANT_COLUMNS[j].label, rowspan=2))
        else:
            cells.append(TCell(1, 3 + start, str(group), colspan=length))
            for j in range(start, start + length):
                cells.append(TCell(2, 3 + j, APPLICANT_COLUMNS[j].label))
    header = 3
    # the outcome block: the result group (the group of the first outcome row) and its sub-groups
    result_group = next(r.group for r in rows if r.outcome)
    in_result = [r.outcome or r.group == result_group for r in rows]
    first = in_result.index(True)
    last = len(rows) - 1 - in_result[::-1].index(True)
    cells.append(TCell(header + first, 0, result_group or "", rowspan=last - first + 1, vertical=True))
    for group, start, length in _group_runs(list(rows), key=lambda r: r.group):
        if group is None or group == result_group:
            continue
        cells.append(TCell(header + start, 1, report.group_labels[str(group)], rowspan=length, align=st.label_align))
    for i, r in enumerate(rows):
        rr = header + i
        label = report.row_labels[r.key]
        if r.group is None:
            cells.append(TCell(rr, 0, label, colspan=3, align="left"))
        elif r.group == result_group:
            cells.append(TCell(rr, 1, label, colspan=2, align="left"))
        else:
            cells.append(TCell(rr, 2, label, align="left"))
        for j, col in enumerate(APPLICANT_COLUMNS):
            key = f"applications.{r.key}.{col.key}"
            cells.append(TCell(rr, 3 + j, report.printed[key], key=key))
    _shade_header(cells, header, st.header_shade)
    if st.header_shade and (st.shade_labels or st.shade_alternate):
        for c in cells:
            if c.row < header:
                continue
            if st.shade_labels and c.key is None:
                c.shade = st.header_shade
            elif st.shade_alternate and c.key is not None and (c.row - header) % 2 == 1:
                c.shade = _band(st.header_shade)
    row_keys: list[str | None] = [None] * header + [r.key for r in rows]
    return TableSpec("三", widths, header + len(rows), cells, header_rows=header, row_keys=row_keys)


def litigation_table(report: Report, width: float) -> TableSpec:
    st = report.style
    ncols = len(LITIGATION_GROUPS) * len(LITIGATION_COLUMNS)
    widths = [width / ncols] * ncols
    k = len(LITIGATION_COLUMNS)
    cells: list[TCell] = []
    # top row: each group without a parent spans two header rows; parents (行政诉讼) span their children
    parents = _group_runs(list(LITIGATION_GROUPS), key=lambda g: g.group)
    for parent, start, length in parents:
        if parent is None:
            for gi in range(start, start + length):
                g = LITIGATION_GROUPS[gi]
                if st.litigation_header == 0:
                    cells.append(TCell(0, gi * k, g.label, rowspan=2, colspan=k))
                    for j, c in enumerate(LITIGATION_COLUMNS):
                        cells.append(TCell(2, gi * k + j, c.label))
                else:
                    cells.append(TCell(0, gi * k, g.label, colspan=k))
                    for j, c in enumerate(LITIGATION_COLUMNS):
                        cells.append(TCell(1, gi * k + j, c.label, rowspan=2))
        else:
            cells.append(TCell(0, start * k, str(parent), colspan=length * k))
            for gi in range(start, start + length):
                cells.append(TCell(1, gi * k, LITIGATION_GROUPS[gi].label, colspan=k))
                for j, c in enumerate(LITIGATION_COLUMNS):
                    cells.append(TCell(2, gi * k + j, c.label))
    for gi, g in enumerate(LITIGATION_GROUPS):
        for j, c in enumerate(LITIGATION_COLUMNS):
            key = f"{g.key}.{c.key}"
            cells.append(TCell(3, gi * k + j, report.printed[key], key=key))
    _shade_header(cells, 3, st.header_shade)
    return TableSpec("四", widths, 4, cells, header_rows=3)
