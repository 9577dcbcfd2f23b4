"""Table 二 on a scan whose row labels or column titles were misread past recognition: each
placed by its order in the block the format prints, its fields in review.

Table 二 is blocks (``RowSpec.group``: 第二十条第（一）/（五）/（六）/（八）/（九）项), each a header
row (信息内容 + its column titles) over its rows, all in the format's order (``active_rows``).
A 150 dpi fax of a light typeface breaks every stroke (行政规范性文件 read 行收现范性之们, 本年新
制作数量 read 私计新制作教量; fax seed 1603): the numbers are legible, the words are not, and
the whole table was lost. Where a printed block has as many rows (titles) as the format's block
it stands for, its unread rows (titles) take the format's ones in order — provided every row
(title) that *was* read stands at its own place; otherwise nothing there is placed.

Printed blocks are paired with the format's blocks by the rows read in them, and the blocks
between two paired ones in order when as many are printed as the format has there.

Only scanned cells: a text layer's unknown label is a row the format does not have. A placed
row or title scores ``ORDER_SCORE`` (under ``POSITIVE``): its fields are ``review``, never ok.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.mapping.titles import ORDER_SCORE, POSITIVE, Title
from models.extraction import Source
from models.fields import ColumnSpec, Layout, RowSpec, active_rows
from models.page import Cell


@dataclass
class SeenRow:
    """A printed row of values under a header: its label cell, value cells, and the registry
    row its label matched (``key`` None: unread)."""

    label: Cell
    values: list[Cell]
    key: str | None
    score: float


@dataclass
class SeenBlock:
    """A header (its titles left to right) and the rows printed under it."""

    titles: list[Title]
    rows: list[SeenRow] = field(default_factory=list)


@dataclass
class Placement:
    """What order placed: row → (registry row key, score), title → (column key, score)."""

    rows: dict[int, tuple[str, float]] = field(default_factory=dict)  # id(SeenRow) -> …
    titles: dict[int, tuple[str, float]] = field(default_factory=dict)  # id(Title) -> …
    notes: list[str] = field(default_factory=list)


def format_blocks(layout: Layout) -> list[tuple[list[RowSpec], tuple[ColumnSpec, ...]]]:
    """The format's blocks in printed order: (rows, columns), rows of one ``group`` together."""
    out: list[tuple[list[RowSpec], tuple[ColumnSpec, ...]]] = []
    for row, cols in active_rows(layout):
        if out and out[-1][0][-1].group == row.group:
            out[-1][0].append(row)
        else:
            out.append(([row], cols))
    return out


def _scanned(cell: Cell) -> bool:
    return cell.source == Source.OCR


def _unread(t: Title, cols: tuple[ColumnSpec, ...]) -> bool:
    """A scanned title that names none of its block's columns with certainty: unknown, or a
    doubtful match to another block's (or layout's) column."""
    return _scanned(t.cell) and (t.key is None or (t.key not in {c.key for c in cols} and t.score < POSITIVE))


def _pair_blocks(seen: list[SeenBlock], blocks: list[tuple[list[RowSpec], tuple]]) -> dict[int, int]:
    """Printed block index → format block index: by the rows read in it, then the unpaired ones
    between two pairs (or the ends) in order when their counts agree."""
    of_key = {r.key: b for b, (rows, _) in enumerate(blocks) for r in rows}
    pairs: dict[int, int] = {}
    for i, blk in enumerate(seen):
        found = {of_key[r.key] for r in blk.rows if r.key in of_key}
        if len(found) == 1:
            pairs[i] = found.pop()
    order = sorted(pairs.items())
    if any(b1 <= b0 for (_, b0), (_, b1) in zip(order, order[1:])):
        return {}  # read rows out of the format's order: nothing to go by
    bounds = [(-1, -1)] + order + [(len(seen), len(blocks))]
    for (i0, b0), (i1, b1) in zip(bounds, bounds[1:]):
        if i1 - i0 == b1 - b0:
            for k in range(1, i1 - i0):
                pairs[i0 + k] = b0 + k
    return pairs


def place_by_order(seen: list[SeenBlock], layout: Layout) -> Placement:
    """Rows and titles of scanned table 二 blocks placed by their order (see the module doc)."""
    out = Placement()
    blocks = format_blocks(layout)
    for i, b in _pair_blocks(seen, blocks).items():
        blk, (rows, cols) = seen[i], blocks[b]
        if len(blk.rows) == len(rows) and all(r.key in (None, spec.key) for r, spec in zip(blk.rows, rows)):
            for r, spec in zip(blk.rows, rows):
                if r.key is None and _scanned(r.label):
                    out.rows[id(r)] = (spec.key, ORDER_SCORE)
                    out.notes.append(f"table 二: row label {r.label.text.strip()!r} is unreadable; placed by its "
                                     f"order as {spec.label}, its fields need review")
        titles = sorted(blk.titles, key=lambda t: t.cell.bbox.x0)
        unread = [_unread(t, cols) for t in titles]
        if len(titles) == len(cols) and all(u or t.key == c.key for t, c, u in zip(titles, cols, unread)):
            for t, c, u in zip(titles, cols, unread):
                if u:
                    out.titles[id(t)] = (c.key, ORDER_SCORE)
                    out.notes.append(f"table 二: column title {t.text!r} is unreadable; placed by its order "
                                     f"as {c.label}, its fields need review")
    return out
