"""The rule grid held against table 三's registry bands (``extractor.ocr.registry_bands``): where
they disagree the grid is mended the bands' way and the cells concerned are flagged, not guessed.

* a value cell holding two row bands (two labels beside it: the rules lost a row) is cut at the
  labels' boundary — the label cell too when it held both labels — every part ``DOUBT``, the
  value parts to be read again from their own crops; likewise under the header when a rule is
  lost there: the titles holding the first row's numbers and the note holding its label are cut
  where the header ends (a new row line where the grid has none, else the grid's own);
* a row line inside one label's band (no label boundary stands there: a stray stroke, a fax's
  streak, taken for a rule) splits no row: the value cells it cut are joined again, the line
  dropped when no cell is left cut by it (``join_split_rows``);
* a value cell reading as a header word (``registry_bands.header_word``) is emptied: confidence
  0 and ``DOUBT`` (the field is for a person, by construction never a word taken for a value);
* two value cells of one row inside one title's band (a doubled rule made an extra column)
  become one cell spanning both, ``DOUBT``;
* a value cell across two titles' bands, or whose ink stands outside the band of its title, or
  holding two numbers one above the other (two rows' values, the labels not read apart), gets
  ``DOUBT``.

``DOUBT`` is under ``extractor.validate.stage.STRUCTURE_REVIEW``: such fields are never ``ok``.
Positions are upright page pixels (``ImageTable.boxes``); each cell's ``bbox`` (PDF points of the
source page) and ``bbox_px`` are cut in the same proportions.
"""

from __future__ import annotations

from dataclasses import replace

from extractor.grid.image_grid import ImageTable
from extractor.mapping.numbers import looks_numeric
from extractor.ocr.registry_bands import DOUBT, Bands, ColumnBand, Line, find_bands, header_word
from extractor.ocr.structure import drop_unused_rows
from extractor.ocr.wrapped_number import column_capacity, wrapped
from models.extraction import BBox
from models.page import Cell

TOL = 3.0  # px: a box edge this close to a line is on it


def _value_cells(table: ImageTable, bands: Bands) -> list[int]:
    return [i for i, b in enumerate(table.boxes) if b[0] >= bands.value_x0 - TOL and b[1] >= bands.header_y1 - TOL]


def _doubt(cell: Cell) -> None:
    cell.structure = min(cell.structure, DOUBT)


def empty_header_words(table: ImageTable, bands: Bands) -> int:
    """Empty every value cell that reads as a header word. Returns how many."""
    n = 0
    for i in _value_cells(table, bands):
        cell = table.grid.cells[i]
        if header_word(cell.text):
            cell.text, cell.confidence, cell.char_scores, cell.alternatives = "", 0.0, [], []
            _doubt(cell)
            n += 1
    return n


def doubt_stacked_numbers(table: ImageTable, bands: Bands, lines: dict[int, list[Line]]) -> int:
    """A value cell holding two numbers one above the other holds two rows' values (a row rule
    lost, the labels beside it not read apart): whatever it reads as is doubtful — unless it is
    one number wrapped in a narrow column (``wrapped_number.wrapped``). Returns how many."""
    n = 0
    values = _value_cells(table, bands)
    for i in values:
        cell = table.grid.cells[i]
        numbers = [ln for ln in lines.get(id(cell)) or [] if ln.text.strip() and looks_numeric(ln.text)]
        if not any(b.y0 >= a.y1 for a, b in zip(numbers, numbers[1:])) or cell.structure <= DOUBT:
            continue
        x0, _, x1, _ = table.boxes[i]
        column = [lines.get(id(table.grid.cells[j])) or [] for j in values
                  if min(x1, table.boxes[j][2]) - max(x0, table.boxes[j][0]) > 0.5 * (x1 - x0)]
        if not wrapped(table.boxes[i], lines.get(id(cell)) or [], column_capacity(column), bands):
            _doubt(cell)
            n += 1
    return n


def lost_row_gaps(table: ImageTable, bands: Bands) -> list[tuple[float, float]]:
    """Where a value cell holds two row bands: the boundary between the two labels, as a gap
    (px, top and bottom; the bands meet, so both are one y)."""
    out: list[tuple[float, float]] = []
    for i in _value_cells(table, bands):
        x0, y0, x1, y1 = table.boxes[i]
        inside = sorted((b for b in bands.rows if y0 + TOL < b.middle < y1 - TOL), key=lambda b: b.y0)
        for a, b in zip(inside, inside[1:]):
            gap = (min(a.y1, b.y0), max(a.y1, b.y0))
            if all(abs(gap[0] - g[0]) > 2 * TOL for g in out):
                out.append(gap)
    return out


def _unsupported_lines(table: ImageTable, bands: Bands) -> set[int]:
    """Inner row lines (indices into ``table.rows``) under the header that stand inside a row
    band, more than ``2 * TOL`` from both its ends and outside every gap between the parts of a
    label cell holding several labels: no label boundary supports them."""
    gaps = [g for c in bands.cuts for g in c.gaps]
    out = set()
    for k in range(1, table.grid.n_rows):
        y = table.rows[k]
        if (y > bands.header_y1 + TOL and any(b.y0 + 2 * TOL < y < b.y1 - 2 * TOL for b in bands.rows)
                and not any(lo - TOL <= y <= hi + TOL for lo, hi in gaps)):
            out.add(k)
    return out


def _between_label_lines(table: ImageTable, bands: Bands, lines: dict[int, list[Line]], y: float) -> bool:
    """A label cell beside ``y`` (px) has text lines above and below it, ``y`` in the gap between
    two of them: two labels the reading did not tell apart may meet there (a lost rule), so a
    line there is doubtful, not known to be stray."""
    for cell, box in zip(table.grid.cells, table.boxes):
        if box[2] > bands.value_x0 + TOL or not box[1] < y < box[3]:
            continue
        own = sorted(lines.get(id(cell)) or [], key=lambda ln: ln.y0)
        if any(a.y1 <= y <= b.y0 for a, b in zip(own, own[1:])):
            return True
    return False


def _joined(upper: Cell, ubox, lower: Cell, lbox, doubt: bool = False) -> tuple[Cell, tuple, bool]:
    """One cell of ``upper`` and ``lower`` (one column, one above the other). Returns it, its box
    and whether it must be read again: both parts held text (the line ran through the ink, which
    neither part's crop held whole; the reading is then doubted). With one part blank the other's
    reading stands: its crop held all the ink. The structure is the lower of the parts', ``DOUBT``
    with ``doubt`` (the line may be a row's, ``_between_label_lines``)."""
    u, lo = upper.bbox, lower.bbox
    texts = [c for c in (upper, lower) if c.text.strip()]
    keep = texts[0] if len(texts) == 1 else upper
    px = None
    if upper.bbox_px is not None and lower.bbox_px is not None:
        px = BBox(x0=upper.bbox_px.x0, top=upper.bbox_px.top, x1=upper.bbox_px.x1, bottom=lower.bbox_px.bottom)
    cell = Cell(
        row=upper.row, col=upper.col, row_span=lower.last_row - upper.row + 1, col_span=upper.col_span,
        page=upper.page, bbox=BBox(x0=u.x0, top=u.top, x1=u.x1, bottom=lo.bottom), source=upper.source,
        text=keep.text if len(texts) == 1 else "", confidence=min(upper.confidence, lower.confidence),
        char_scores=list(keep.char_scores) if len(texts) == 1 else [],
        alternatives=list(keep.alternatives) if len(texts) == 1 else [],
        structure=min(upper.structure, lower.structure, DOUBT if len(texts) > 1 or doubt else 1.0),
        bbox_px=px, dpi=upper.dpi,
    )
    return cell, (ubox[0], ubox[1], ubox[2], lbox[3]), len(texts) > 1


def join_split_rows(table: ImageTable, bands: Bands, lines: dict[int, list[Line]]) -> list[Cell]:
    """Join the value cells a row line no label boundary supports cut in two (a stray line is no
    row), then drop the lines no cell is left cut by (``structure.drop_unused_rows``). A joined
    cell's text lines (``lines``, per ``id(cell)``) are its parts'; ``bands.cuts`` follow their
    cells to their new indices. Returns the joined cells to read again from their crops (both
    parts held text)."""
    unsupported = _unsupported_lines(table, bands)
    if not unsupported:
        return []
    grid = table.grid
    cut_cells = [grid.cells[c.cell] for c in bands.cuts]
    doubt = {k: _between_label_lines(table, bands, lines, table.rows[k]) for k in unsupported}
    values = set(_value_cells(table, bands))
    fresh: list[Cell] = []
    for k in sorted(unsupported, reverse=True):  # a lower line first: a cell joined below it may join again
        above = {(c.col, c.col_span): i for i, c in enumerate(grid.cells) if i in values and c.last_row == k - 1}
        gone: set[int] = set()
        for j, c in enumerate(grid.cells):
            i = above.get((c.col, c.col_span)) if j in values and c.row == k else None
            if i is None:
                continue
            cell, box, again = _joined(grid.cells[i], table.boxes[i], c, table.boxes[j], doubt[k])
            lines[id(cell)] = (lines.get(id(grid.cells[i])) or []) + (lines.get(id(c)) or [])
            grid.cells[i], table.boxes[i] = cell, box
            gone.add(j)
            fresh = [f for f in fresh if f is not grid.cells[j]] + ([cell] if again else [])
        if gone:
            grid.cells = [c for j, c in enumerate(grid.cells) if j not in gone]
            table.boxes = [b for j, b in enumerate(table.boxes) if j not in gone]
            values = {i - sum(1 for g in gone if g < i) for i in values if i not in gone}
    table.set_cells(grid.cells, table.boxes)
    drop_unused_rows(table)
    at = {id(c): i for i, c in enumerate(table.grid.cells)}
    bands.cuts = [replace(c, cell=at[id(cell)]) for c, cell in zip(bands.cuts, cut_cells)]
    return fresh


def part(cell: Cell, box, sub, row: int, row_span: int, col: int, col_span: int) -> tuple[Cell, tuple]:
    """The part ``sub`` (px box inside ``box``, the box of ``cell``) of a cell cut by a lost rule,
    at grid place (``row``, ``col``) with those spans: its ``bbox`` (PDF points) and ``bbox_px``
    cut in the same proportions, not read yet (confidence 0), structure ``DOUBT``."""
    def frac(v: float, lo: float, hi: float) -> float:
        return (v - lo) / max(hi - lo, 1e-6)

    tx0, tx1 = frac(sub[0], box[0], box[2]), frac(sub[2], box[0], box[2])
    ty0, ty1 = frac(sub[1], box[1], box[3]), frac(sub[3], box[1], box[3])

    def scaled(b: BBox) -> BBox:
        w, h = b.x1 - b.x0, b.bottom - b.top
        return BBox(x0=b.x0 + w * tx0, x1=b.x0 + w * tx1, top=b.top + h * ty0, bottom=b.top + h * ty1)

    return Cell(
        row=row, col=col, row_span=row_span, col_span=col_span, page=cell.page, bbox=scaled(cell.bbox),
        source=cell.source, confidence=0.0, structure=min(cell.structure, DOUBT),
        bbox_px=None if cell.bbox_px is None else scaled(cell.bbox_px), dpi=cell.dpi,
    ), tuple(sub)


def _part(cell: Cell, box, y0: float, y1: float, row: int, row_span: int) -> tuple[Cell, tuple]:
    return part(cell, box, (box[0], y0, box[2], y1), row, row_span, cell.col, cell.col_span)


def _line_in(table: ImageTable, gap: tuple[float, float]) -> int | None:
    """The grid's inner row line standing in ``gap`` (px), if any."""
    lo, hi = gap
    return next((k for k in range(1, table.grid.n_rows) if lo - TOL <= table.rows[k] <= hi + TOL), None)


def merge_gaps(gaps: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Gaps (px) that overlap are one lost line, standing in all of them: their intersection."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(gaps):
        if out and lo <= out[-1][1] + TOL:
            plo, phi = out[-1]
            out[-1] = (max(plo, lo), max(max(plo, lo), min(phi, hi)))
        else:
            out.append((lo, hi))
    return out


def cut_rows(table: ImageTable, bands: Bands, gaps: list[tuple[float, float]]) -> list[Cell]:
    """Cut the table at each gap of ``gaps`` and of ``bands.cuts`` (label cells holding several
    labels): at the grid's row line in the gap when it has one, else at a new row line in the
    gap's middle. Value cells and cut label cells crossing it are cut (``DOUBT``; a label part
    takes the text of its own lines), other cells crossing a new line (group labels) span one
    row more. Returns the value parts, to be read from their crops."""
    grid = table.grid
    label_cuts = {id(grid.cells[c.cell]): c for c in bands.cuts}
    values = {id(grid.cells[i]) for i in _value_cells(table, bands)}
    every = merge_gaps(list(gaps) + [g for c in bands.cuts for g in c.gaps])
    origin: dict[int, int] = {}  # id(part) → id(the cell it was cut from)
    for gap in sorted(every, reverse=True):  # a lower cut first: the rows above keep their indices
        line = _line_in(table, gap)
        y = table.rows[line] if line is not None else (gap[0] + gap[1]) / 2
        r = line - 1 if line is not None else next(
            (k for k in range(grid.n_rows) if table.rows[k] + TOL < y < table.rows[k + 1] - TOL), None)
        if r is None:
            continue
        cells, boxes = [], []
        for cell, box in zip(grid.cells, table.boxes):
            root = origin.get(id(cell), id(cell))
            crosses = cell.row <= r < cell.last_row if line is not None else cell.row <= r <= cell.last_row
            if crosses and (root in values or root in label_cuts) and box[1] + TOL < y < box[3] - TOL:
                shift = 0 if line is not None else 1
                upper, ubox = _part(cell, box, box[1], y, cell.row, r - cell.row + 1)
                lower, lbox = _part(cell, box, y, box[3], r + 1, cell.last_row - r + shift)
                for p, pb in ((upper, ubox), (lower, lbox)):
                    origin[id(p)] = root
                    cells.append(p)
                    boxes.append(pb)
                continue
            if line is None:
                if cell.row > r:
                    cell.row += 1
                elif cell.last_row >= r:
                    cell.row_span += 1
            cells.append(cell)
            boxes.append(box)
        grid.cells, table.boxes = cells, boxes
        if line is None:
            grid.n_rows += 1
            table.rows.insert(r + 1, y)
    fresh = [c for c in grid.cells if origin.get(id(c)) in values]
    for cell, box in zip(grid.cells, table.boxes):
        cut = label_cuts.get(origin.get(id(cell), 0))
        if cut is None:
            continue
        inside = [t for t, (a, b) in zip(cut.texts, cut.extents) if box[1] - TOL <= (a + b) / 2 <= box[3] + TOL]
        if inside and all(t is None for t in inside):
            fresh.append(cell)  # a value cut from under a title: read from its own crop
        else:  # a label's or a title's part: the text of the parts standing in it
            cell.text = "".join(t for t in inside if t is not None)
            cell.confidence = 0.5
    table.set_cells(table.grid.cells, table.boxes)
    return fresh


def columns_over(box, columns: list[ColumnBand]) -> list[ColumnBand]:
    """The column bands over ``box`` (px): those sharing more than half the narrower width."""
    w = box[2] - box[0]
    return [b for b in columns if min(box[2], b.x1) - max(box[0], b.x0) > 0.5 * min(w, b.x1 - b.x0)]


def check_columns(table: ImageTable, bands: Bands, lines: dict[int, list[Line]]) -> int:
    """Merge value cells of one row that share a title's band; flag a cell across two bands or
    whose ink stands outside its band. Returns how many cells were flagged or merged."""
    if not bands.columns:
        return 0
    grid = table.grid
    n = 0
    idx = [i for i in _value_cells(table, bands) if grid.cells[i].row_span == 1]
    by_slot: dict[tuple[int, str], list[int]] = {}
    drop: set[int] = set()
    for i in idx:
        cell, box = grid.cells[i], table.boxes[i]
        over = columns_over(box, bands.columns)
        if len(over) != 1:
            if len(over) > 1 and cell.text.strip():
                _doubt(cell)
                n += 1
            continue
        band = over[0]
        ink = lines.get(id(cell)) or []
        if ink:
            mid = (min(ln.x0 for ln in ink) + max(ln.x1 for ln in ink)) / 2
            if not band.x0 - TOL <= mid <= band.x1 + TOL:
                _doubt(cell)
                n += 1
        by_slot.setdefault((cell.row, band.key), []).append(i)
    for slot in by_slot.values():
        if len(slot) < 2:
            continue
        slot.sort(key=lambda i: grid.cells[i].col)
        keep = grid.cells[slot[0]]
        parts = [grid.cells[i] for i in slot]
        if any(b.col != a.last_col + 1 for a, b in zip(parts, parts[1:])):
            continue
        texts = [c for c in parts if c.text.strip()]
        keep.text = "".join(c.text for c in texts)
        keep.confidence = min((c.confidence for c in texts), default=min(c.confidence for c in parts))
        keep.char_scores = [s for c in texts for s in c.char_scores]
        keep.alternatives = [] if len(texts) != 1 else list(texts[0].alternatives)
        last = parts[-1]
        keep.col_span = last.last_col - keep.col + 1
        b0, b1 = keep.bbox, last.bbox
        keep.bbox = BBox(x0=b0.x0, top=b0.top, x1=b1.x1, bottom=b0.bottom)
        if keep.bbox_px is not None and last.bbox_px is not None:
            px = keep.bbox_px
            keep.bbox_px = BBox(x0=px.x0, top=px.top, x1=last.bbox_px.x1, bottom=px.bottom)
        box = table.boxes[slot[0]]
        table.boxes[slot[0]] = (box[0], box[1], table.boxes[slot[-1]][2], box[3])
        _doubt(keep)
        drop.update(slot[1:])
        n += 1
    if drop:
        grid.cells = [c for i, c in enumerate(grid.cells) if i not in drop]
        table.boxes = [b for i, b in enumerate(table.boxes) if i not in drop]
        grid._by_row = None
    return n


def mend(table: ImageTable, lines: dict[int, list[Line]]) -> tuple[Bands | None, list[Cell]]:
    """The whole check on one read table (``lines``: per ``id(cell)``, its text lines): header
    words emptied, stray row lines undone, lost rows cut, columns held to their titles. Returns the bands (None: not a
    part of table 三) and the cells to read from their crops (then ``empty_header_words`` again)."""
    bands = find_bands(table, lines)
    if bands is None:
        return None, []
    joined = join_split_rows(table, bands, lines)
    empty_header_words(table, bands)
    doubt_stacked_numbers(table, bands, lines)
    gaps = lost_row_gaps(table, bands)
    fresh = cut_rows(table, bands, gaps) if gaps or bands.cuts else []
    check_columns(table, bands, lines)
    # a joined cell the cut then split is no longer the table's: its parts are in ``fresh``
    alive = {id(c) for c in table.grid.cells}
    return bands, [c for c in joined + fresh if id(c) in alive]
