"""Table 二 (主动公开政府信息情况): rows by their printed label, columns by their printed title.

The table prints blocks (第二十条第（一）项 …), each with a header row (信息内容 + column titles)
and its rows. A value lands on ``active.<row>.<column>`` only when its row label and the title
above it both name registry entries; the block's titles decide the layout (2021: 本年制发件数 …;
2019: 本年新制作数量 …, 上一年项目数量 · 本年增/减 · 处理决定数量, 采购项目数量 · 采购总金额) —
the year printed on the report plays no part. A title or a row label the registry does not know
is reported by name and its cells are not mapped.

Values: counts via ``numbers.parse_number``; 本年增/减 via ``change.parse_change`` (signed);
amounts via ``change.parse_amount`` (万元, the printed unit in ``Field.unit``; an amount with no
unit printed in its cell or title goes to review).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from extractor.mapping.active_order import SeenBlock, SeenRow, place_by_order
from extractor.mapping.cell_field import spaces_real
from extractor.mapping.change import parse_amount, parse_change, unit_in_title, unseen_sign
from extractor.mapping.labels import contains, similarity
from extractor.mapping.numbers import (
    looks_numeric,
    misread_zero,
    parse_number,
    readable_alternative,
    stray_sign,
    unsure_empty,
    worn_zero,
)
from extractor.mapping.titles import POSITIVE, Title, match_column, titles_over_x
from models.extraction import Field, FieldStatus, Source
from models.fields import ColumnSpec, Layout, RowSpec, ValueType, active_rows, field_map
from models.page import Cell, Grid

CONTENT_HEADER = "信息内容"
MIN_LABEL = 0.75  # below this a first cell is not taken for a table 二 row label at all


def _columns() -> list[tuple[str, ColumnSpec]]:
    out: list[tuple[str, ColumnSpec]] = []
    for layout in (Layout.L2021, Layout.L2019):
        seen: set[str] = set()
        for _, cols in active_rows(layout):
            for c in cols:
                if c.key not in seen:
                    seen.add(c.key)
                    out.append((layout.value, c))
    return out


def _rows() -> list[tuple[str, RowSpec]]:
    return [(lay.value, r) for lay in (Layout.L2021, Layout.L2019) for r, _ in active_rows(lay)]


COLUMNS = _columns()
ROWS = _rows()
BLOCK_GROUPS = tuple(sorted({spec.group for _, spec in ROWS if spec.group}))


@dataclass
class ActiveResult:
    fields: dict[str, Field] = field(default_factory=dict)
    layout: Layout = Layout.L2021
    titles: list[str] = field(default_factory=list)  # printed titles found, in order
    issues: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # printed cells that went nowhere: review
    found: bool = False  # some block of table 二 was recognised


def match_row(text: str) -> tuple[str | None, float]:
    best, key = 0.0, None
    for _, spec in ROWS:
        s = max(similarity(text, x) for x in (spec.label, *spec.aliases))
        if s > best:
            best, key = s, spec.key
    return key, best


BLOCK_HEADING = 0.8  # a row label this like a block's heading (``RowSpec.group``) is that heading


def _is_block_heading(text: str) -> bool:
    """``text`` is a block's heading of table 二 (第二十条第（五）项: ``RowSpec.group`` in the
    registry), not a row label."""
    return bool(text.strip()) and max((similarity(text, g) for g in BLOCK_GROUPS), default=0.0) >= BLOCK_HEADING


def _is_header(cells: list[Cell]) -> bool:
    if not cells:
        return False
    if contains(cells[0].text, CONTENT_HEADER):
        return True
    rest = [c for c in cells[1:] if c.text.strip()]
    return bool(rest) and all(not looks_numeric(c.text) for c in rest) and any(
        match_column(c.text, COLUMNS)[0] for c in rest
    )


def map_active(grids: list[Grid], layout_hint: Layout | None = None) -> ActiveResult:
    """Every table 二 value whose row label and column title are both known; see the module doc."""
    out = ActiveResult()
    found: dict[str, tuple[float, Field]] = {}
    votes: Counter[str] = Counter()
    header: dict[int, Title] = {}
    header_list: list[Title] = []
    header_grid = -1
    blocks: list[SeenBlock] = []  # for rows and titles misread past recognition (``active_order``)
    unknown: dict[int, str] = {}  # id(row or title) -> its unmapped message, unless order places it
    for gi, grid in enumerate(grids):  # a header holds until the next one, across a page break
        continued: set[int] = set()  # rows read as the lower lines of a header's titles
        for r in range(grid.n_rows):
            if r in continued:
                continue
            cells = [c for c in grid.row_cells(r) if c.row == r]
            if not cells:
                continue
            if _is_header(cells):
                header, header_list, header_grid = {}, [], gi
                readings = _title_readings(grid, r, cells, continued)
                for c in cells[1:]:
                    if not c.text.strip():
                        continue
                    text = readings.get(id(c), c.text)
                    key, score, tags = match_column(text, COLUMNS)
                    t = Title(cell=c, key=key, score=score, candidates=tags, reading=text if text != c.text else None)
                    header_list.append(t)
                    for col in range(c.col, c.last_col + 1):
                        header[col] = t
                    out.titles.append(t.text)
                    if key is None:
                        unknown[id(t)] = f"table 二: column title {t.text!r} is not a column of the format; its cells are not mapped"
                    elif len(tags) == 1:
                        votes[tags[0]] += 1
                blocks.append(SeenBlock(titles=header_list))
                continue
            if len(cells) < 2 or _is_block_heading(cells[0].text):
                # a block heading (第二十条第（…）项) or a stray line. A heading prints no values:
                # a scan's speck or a rule's piece in its last column read 11 (helper-65)
                continue
            row_key, row_score = match_row(cells[0].text)
            values = cells[1:]
            known = row_key is not None and row_score >= MIN_LABEL
            numeric = [looks_numeric(v.text) or parse_change(v.text).ok or parse_amount(v.text).ok
                       for v in values if v.text.strip()]
            if blocks and header_list and numeric and 2 * sum(numeric) >= len(numeric):
                # a row of values (a scan's misread value or two among them): order may place it
                over = [(v, _titles_for(v, header, header_list, header_grid == gi)) for v in values]
                blocks[-1].rows.append(SeenRow(cells[0], over, row_key if known else None, row_score))
                if not known and cells[0].text.strip() and all(numeric):
                    unknown[id(blocks[-1].rows[-1])] = (f"table 二: row label {cells[0].text.strip()!r} is not a row "
                                                        "of the format; its cells are not mapped")
            if not known:
                continue
            out.found = True
            if not header_list:
                out.unmapped.append(f"table 二: row {cells[0].text.strip()!r} has no column titles above it; its cells are not mapped")
                continue
            for cell in values:
                over = _titles_for(cell, header, header_list, header_grid == gi)
                if len(over) != 1 or over[0].key is None:
                    if len(over) > 1:
                        out.unmapped.append(f"table 二: a cell of row {cells[0].text.strip()!r} spans several column titles; not mapped")
                    continue
                title = over[0]
                key = f"active.{row_key}.{title.key}"
                f = _make_field(key, cell, title, min(row_score, title.score))
                rank = min(row_score, title.score) + (0.5 if f.status == FieldStatus.OK else 0.0)
                if rank > found.get(key, (-1.0, None))[0]:
                    found[key] = (rank, f)
    out.layout = _decide(votes, layout_hint)
    placed = place_by_order(blocks, out.layout)
    for blk in blocks:
        for row in blk.rows:
            for cell, over in row.values:
                _place(cell, over, row, placed, found)
    out.issues.extend(placed.notes)
    out.unmapped.extend(m for k, m in unknown.items() if k not in placed.rows and k not in placed.titles)
    specs = field_map(out.layout)
    for key, (_, f) in found.items():
        if key not in specs:
            out.unmapped.append(f"table 二: {key} is not a field of the {out.layout} table 二; not mapped")
            continue
        out.fields[key] = f
    return out


def _place(cell: Cell, over: list[Title], row: SeenRow, placed, found: dict[str, tuple[float, Field]]) -> None:
    """A value cell whose row or title only order placed (``active_order``): its field, in review
    (``ORDER_SCORE``), unless a field of that key was read from labels and titles."""
    if len(over) != 1:
        return
    title = over[0]
    row_key, row_score = placed.rows.get(id(row), (row.key, row.score))
    col_key, col_score = placed.titles.get(id(title), (title.key, title.score))
    if row_key is None or col_key is None or (id(row) not in placed.rows and id(title) not in placed.titles):
        return
    key = f"active.{row_key}.{col_key}"
    if key not in found:
        found[key] = (0.0, _make_field(key, cell, title, min(row_score, col_score)))


def _title_readings(grid: Grid, r: int, cells: list[Cell], continued: set[int]) -> dict[int, str]:
    """Titles whose lines the grid split into rows (本年新 / 制作数量): the rows right under the
    header row that print no row label and no number, each cell under a title of the same columns,
    are read as the title's lower lines. Returns id(title cell) → the whole title; marks the rows."""
    by_cols = {(c.col, c.last_col): c for c in cells[1:] if c.text.strip()}
    texts = {id(c): c.text for c in by_cols.values()}
    for below in range(r + 1, grid.n_rows):
        row = [c for c in grid.row_cells(below) if c.row == below and c.text.strip()]
        if not row or any(looks_numeric(c.text) for c in row):
            break
        if any((c.col, c.last_col) not in by_cols for c in row) or match_row(row[0].text)[1] >= MIN_LABEL:
            break
        if any(match_column(c.text, COLUMNS)[0] for c in row) and not any(
            match_column(texts[id(by_cols[(c.col, c.last_col)])], COLUMNS)[0] is None for c in row
        ):
            break  # a header of its own (a block printed without its heading row)
        for c in row:
            title = by_cols[(c.col, c.last_col)]
            texts[id(title)] += c.text
        continued.add(below)
    return texts


def _titles_for(cell: Cell, header: dict[int, Title], header_list: list[Title], same_grid: bool) -> list[Title]:
    """The distinct titles over a value cell: by grid column in the header's grid, else by x overlap."""
    if not same_grid:
        return titles_over_x(cell, header_list)
    distinct: list[Title] = []
    for c in range(cell.col, cell.last_col + 1):
        t = header.get(c)
        if t is not None and all(t is not s for s in distinct):
            distinct.append(t)
    return distinct


def _decide(votes: Counter[str], hint: Layout | None) -> Layout:
    if votes:
        (top, n), *rest = votes.most_common()
        if not rest or n > rest[0][1]:
            return Layout(top)
    return hint or Layout.L2021


def _make_field(key: str, cell: Cell, title: Title, score: float) -> Field:
    """One table 二 cell: a count, a signed change or an amount in 万元 (its printed unit kept)."""
    column = key.rsplit(".", 1)[1]
    unit = None
    unit_known = True
    spaces = spaces_real(cell)  # a space between digits: evidence, or a text layer's gap
    if column == "change":
        p = parse_change(cell.text, spaces)
        value, ok = p.value, p.ok
    elif column == "amount":  # the unit in the title, else the one the format's title prints (2021: 万元)
        spec = next(c for tag, c in COLUMNS if c.key == "amount" and tag == (title.candidates or ("2021",))[0])
        p = parse_amount(cell.text, unit_in_title(title.cell.text) or unit_in_title(spec.label), spaces)
        value, ok, unit = p.value, p.ok, p.unit
        unit_known = p.unit is not None
    else:
        n = parse_number(cell.text, ValueType.INT, spaces_real=spaces)
        value, ok = n.value, n.ok
        other = (readable_alternative(cell.text, cell.alternatives) or stray_sign(cell.text)
                 if value is None and cell.source == Source.OCR else None)
        if other is not None:  # a candidate (尤 read for a worn 无), never ok
            value, ok = parse_number(other, ValueType.INT).value, False
    if value is None and cell.source == Source.OCR and (zero := misread_zero(cell.text) or worn_zero(cell.text)):
        # a 0 read as O, a worn 无 read 尤 with no other reading: a candidate, never ok
        value, ok = parse_number(zero, ValueType.INT if column != "amount" else ValueType.DECIMAL).value, False
    # a scanned positive change printed with no sign: a minus may have been lost (``unseen_sign``)
    sign_seen = not (column == "change" and cell.source == Source.OCR and unseen_sign(cell.text, value))
    positive = score >= POSITIVE and unit_known and sign_seen
    ev = {"ocr": cell.confidence, "structure": cell.structure, "label": round(score, 3),
          "parsed": 1.0 if ok else 0.0, "mapped": 1.0 if positive else 0.0}
    if not unit_known:
        ev["unit"] = 0.0  # 元 or 万元? neither the cell nor its title says
    if not sign_seen:
        ev["sign"] = 0.0  # -3 or 3? the ink says more than the reading
    return Field(
        key=key, value=value, raw=cell.text, confidence=cell.confidence if ok else 0.0, page=cell.page,
        bbox=cell.bbox, bbox_px=cell.bbox_px, dpi=cell.dpi, source=cell.source,
        status=FieldStatus.OK if ok and positive and not unsure_empty(cell.text, cell.confidence) else FieldStatus.REVIEW,
        alternatives=list(cell.alternatives), char_scores=list(cell.char_scores), evidence=ev, unit=unit,
    )
