"""Table 三's structure from what the registry knows, checked against the rule grid.

Table 三 has a known shape: its rows in a known order with known labels (``APPLICATION_ROWS``),
its seven known columns (``APPLICANT_COLUMNS``). After the cells of a scanned table are read,
this stage finds, independently of the rules:

* **row bands**: the label cells read, a label cell holding the lines of several registry labels
  (a row rule lost across the whole table) cut between them, aligned to the registry's rows by
  the mapping's own dynamic program (``extractor.mapping.tables.align_rows``); each aligned
  label's y-extent is its row's band;
* **column bands**: the header cells whose text names a registry column
  (``titles.match_column``), each title's x-extent; where the header ends (a title holding the
  first row's number under its words, 自然人8349, ends at the gap between them).

``extractor.ocr.band_check`` then holds the grid's value cells against the bands and mends the
grid where they disagree (issue 13: rules are evidence, not the only truth); a header word read
as a value (``header_word``) is emptied there.

Input: an ``ImageTable`` whose cells are read, and for each read cell its text lines (``Line``:
box in upright page pixels and reading, per ``id(cell)``). Output: ``Bands`` (None: not a part of
table 三); the table is not changed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.grid.image_grid import ImageTable
from extractor.mapping.labels import similarity
from extractor.mapping.numbers import looks_numeric
from extractor.mapping.tables import MIN_ROW_SCORE, ObservedRow, align_rows, row_score
from extractor.mapping.titles import POSITIVE, joined_titles, match_column
from models.fields import APPLICANT_COLUMNS, APPLICATION_ROWS

DOUBT = 0.3  # structure of a cell whose row or column the rules and the registry disagree on
MIN_ROWS = 3  # aligned labels a part of table 三 shows before its bands are trusted …
MIN_COLUMNS = 4  # … unless it shows this many of its column titles (a header with a row or two)
MAX_PARTS = 6  # labels one label cell may hold (rules lost over several rows) …
MAX_LINES = 14  # … of at most this many lines (the cuts tried grow as lines choose parts)
SPLIT_MARGIN = 0.05  # each part must match this much better than the joined lines (titles.MARGIN)
_TITLES = [("2021", c) for c in APPLICANT_COLUMNS]
_HEADER_WORDS = tuple({c.label for c in APPLICANT_COLUMNS} | {c.group for c in APPLICANT_COLUMNS if c.group})
_ROW_WORDS = tuple(r.label for r in APPLICATION_ROWS)


@dataclass(frozen=True)
class Line:
    """One text line of a read cell: its box (upright page px) and its reading."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class RowBand:
    """A registry row found by its label: key, y-extent (upright page px), label match score."""

    key: str
    y0: float
    y1: float
    score: float

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class ColumnBand:
    """A registry column found by its title: key, x-extent and the title's bottom (upright page px)."""

    key: str
    x0: float
    x1: float
    y1: float
    cell: int = -1  # the title's index in ``grid.cells``


@dataclass
class Bands:
    rows: list[RowBand]
    columns: list[ColumnBand]
    value_x0: float  # where the value side starts (px): left of it stand the labels
    header_y1: float  # where the header ends (px): the bottom of the lowest title
    cuts: list[LabelCut] = field(default_factory=list)  # label cells holding several registry labels


@dataclass(frozen=True)
class LabelCut:
    """A cell (index in ``grid.cells``) holding what belongs to several rows: each part's text
    (None: a value, to be read from its own crop) and y-extent, and the gaps (px) between the
    parts, where the rules lost a line. A label cell holding several registry labels; a header
    cell holding the first row's label or value under its own words."""

    cell: int
    texts: list[str | None]
    extents: list[tuple[float, float]]
    gaps: list[tuple[float, float]]


def job_lines(job, results) -> list[Line]:
    """The text lines of a read cell (``cells.CellJob`` and the page's recognitions): each crop's
    box and reading; none for vertical text, a dash or a blank."""
    if job.vertical or job.dash or not job.crops or len(job.boxes) != len(job.crops):
        return []
    return [Line(float(b[0]), float(b[1]), float(b[2]), float(b[3]), results[job.first + k].text)
            for k, b in enumerate(job.boxes)]


def _box(table: ImageTable, i: int) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in table.boxes[i])  # type: ignore[return-value]


def header_word(text: str) -> bool:
    """``text`` reads as a column title or a row label of table 三 (no number is ever one)."""
    t = (text or "").strip()
    if not t or looks_numeric(t):
        return False
    return any(similarity(t, w) >= POSITIVE for w in _HEADER_WORDS + _ROW_WORDS)


def first_number(table: ImageTable) -> float:
    """Top (px) of the highest cell reading as a number in a row with another number: the header
    ends above it. A lone one is no row of values: a speck in the header's blank label cell read
    as a dash (faded+stamp_numbers+header_break seed 7238) put the header's end above every
    title, and the continued header's titles were emptied as header words read as values."""
    numeric = [i for i, c in enumerate(table.grid.cells) if c.text.strip() and looks_numeric(c.text)]
    per_row: dict[int, int] = {}
    for i in numeric:
        per_row[table.grid.cells[i].row] = per_row.get(table.grid.cells[i].row, 0) + 1
    in_rows = [i for i in numeric if per_row[table.grid.cells[i].row] >= 2] or numeric
    return min((_box(table, i)[1] for i in in_rows), default=float("inf"))


def _number_line(line: Line) -> bool:
    return bool(line.text.strip()) and looks_numeric(line.text)


def column_bands(table: ImageTable, lines: dict[int, list[Line]] | None = None, titles=None,
                 each_key_once: bool = True, least: float = POSITIVE) -> tuple[list[ColumnBand], float]:
    """Header cells naming a registry column of ``titles`` (default table 三's), each key once
    (the lowest title of that key; ``each_key_once=False``: every title cell, for table 四 whose
    three groups print the same five titles), and where the header ends (px). A title cell that
    also holds a number under its words (the rule under the header lost: the first row's value
    read with the title) ends at the gap between them, and so does the header: in the gap all
    such titles share. ``least``: the similarity a title cell needs (``titles.POSITIVE``)."""
    lines = lines or {}
    titles = titles or _TITLES
    best: dict[str | int, ColumnBand] = {}
    gaps: list[tuple[float, float, int]] = []  # (words' end, number's start, the cell's index)
    top = first_number(table)
    for i, cell in enumerate(table.grid.cells):
        if not cell.text.strip() or looks_numeric(cell.text) or _box(table, i)[3] > top + 3:
            continue  # a title stands above every number (a row's 3.其他 is no column)
        key, score, _ = match_column(cell.text, titles)
        box = _box(table, i)
        joined = _joined_bands(table, i, titles, max(least, score)) if each_key_once else []
        for band in joined:  # two titles in one cell over their two columns
            if band.key not in best or box[3] > best[band.key].y1:
                best[band.key] = band
        if joined or key is None or score < least:
            continue
        own = lines.get(id(cell)) or []
        words = [ln for ln in own if not _number_line(ln)]
        if words and len(words) < len(own) and all(_number_line(ln) for ln in own[len(words):]):
            gaps.append((words[-1].y1, own[len(words)].y0, i))
        slot = key if each_key_once else i
        if slot not in best or box[3] > best[slot].y1:
            best[slot] = ColumnBand(key, box[0], box[2], box[3], i)
    bands = sorted(best.values(), key=lambda c: c.x0)
    if not bands:
        return [], 0.0
    # a few title cells ending on the rule the other titles end on hold no value under their
    # words: what reads as a number there is a seal's ink (总计 over a black star's point read
    # 总计4, fax seed 4711), and the header ends on the rule. A rule lost under the header
    # leaves a number under most titles, or its cells reach below the others
    plain = max((b.y1 for b in bands if b.cell not in {g[2] for g in gaps}), default=None)
    if plain is not None and 2 * len(gaps) < len(bands):
        gaps = [g for g in gaps if _box(table, g[2])[3] > plain + 3]
    lo, hi = max((g[0] for g in gaps), default=0.0), min((g[1] for g in gaps), default=0.0)
    header_y1 = (lo + hi) / 2 if gaps and lo <= hi else max(b.y1 for b in bands)
    return bands, header_y1


def _joined_bands(table: ImageTable, i: int, titles, least: float) -> list[ColumnBand]:
    """One band a grid column for the title cell ``i`` over n ≥ 2 grid columns that reads as n
    of ``titles`` side by side in their printed order better than ``least`` (法律服务其他机构: the
    rule between 法律服务机构 and 其他 lost in the titles' row, the columns' rules below intact —
    as one band, the title would have joined the two columns' numbers into one cell, —22).
    ``titles.joined_titles`` tells; the bands take the format's order (they keep the columns'
    numbers apart; which title stands where is the mapping's to read); [] when no such pair."""
    cell = table.grid.cells[i]
    n = cell.col_span
    if n < 2 or cell.col + n >= len(table.cols):
        return []
    found = joined_titles(cell.text, list({spec.key: spec for _, spec in titles}.values()), n)
    if found is None or found[1] <= least:
        return []
    y1 = _box(table, i)[3]
    return [ColumnBand(spec.key, table.cols[cell.col + m], table.cols[cell.col + m + 1], y1, i)
            for m, spec in enumerate(found[0])]


def title_cuts(table: ImageTable, columns: list[ColumnBand], header_y1: float) -> list[LabelCut]:
    """Titles reaching below the header's end: cut there, the part below a value to be read."""
    out = []
    for band in {b.cell: b for b in columns}.values():  # a cell split over two columns: cut once
        i = band.cell
        box = _box(table, i)
        if box[3] > header_y1 + 3 and box[1] < header_y1 - 3:
            words = "".join(ch for ch in table.grid.cells[i].text if not ch.isdigit())  # no title holds a digit
            out.append(LabelCut(i, [words.strip(), None], [(box[1], header_y1), (header_y1, box[3])],
                                [(header_y1, header_y1)]))
    return out


def _best(text: str) -> tuple[float, int]:
    """The best registry row for a label text: (score, index in ``APPLICATION_ROWS``)."""
    row = ObservedRow(label=text, context="", values=[])
    return max((row_score(row, spec), j) for j, spec in enumerate(APPLICATION_ROWS))


def split_label(lines: list[Line]) -> list[list[Line]]:
    """The labels a label cell's lines make: one (a wrapped label) unless some cut into
    2..``MAX_PARTS`` runs of lines makes every run a positive match of a registry row, in the
    registry's order, each better than the joined lines match any (the rules lost the lines
    between them)."""
    if len(lines) < 2 or len(lines) > MAX_LINES:
        return [lines]
    whole, _ = _best("".join(ln.text for ln in lines))
    best: tuple[float, list[list[Line]]] = (max(whole + SPLIT_MARGIN, POSITIVE), [lines])

    def parts_of(start: int, k: int) -> list[list[list[Line]]]:
        if k == 1:
            return [[lines[start:]]]
        out = []
        for end in range(start + 1, len(lines) - k + 2):
            out.extend([[lines[start:end], *rest] for rest in parts_of(end, k - 1)])
        return out

    for k in range(2, min(MAX_PARTS, len(lines)) + 1):
        for parts in parts_of(0, k):
            scored = [_best("".join(ln.text for ln in p)) for p in parts]
            low = min(s for s, _ in scored)
            in_order = all(a[1] < b[1] for a, b in zip(scored, scored[1:]))
            if in_order and low >= best[0] and (low > best[0] or len(best[1]) == 1):
                best = (low, parts)
    return best[1]


def _leaf_labels(table: ImageTable, value_x0: float, header_y1: float) -> list[int]:
    """Label cells (left of the values, reaching below the header, read as words) with no other label
    cell right of them beside them: each row's own label, not a group's (（三）不予公开)."""
    cand = [i for i, c in enumerate(table.grid.cells)
            if c.text.strip() and not looks_numeric(c.text) and _box(table, i)[2] <= value_x0 + 3
            and _box(table, i)[3] > header_y1 + 3]
    out = []
    for i in cand:
        x0, y0, x1, y1 = _box(table, i)
        beside = False
        for j in cand:
            bx0, by0, _, by1 = _box(table, j)
            beside = beside or (j != i and bx0 >= x1 - 3 and min(y1, by1) - max(y0, by0) > 0.5 * (by1 - by0))
        if not beside:
            out.append(i)
    return out


def _inside(a, b, tol: float = 3.0) -> bool:
    """Box ``a`` lies within box ``b`` and is not ``b`` (px)."""
    return a != b and a[0] >= b[0] - tol and a[2] <= b[2] + tol and a[1] >= b[1] + tol and a[3] <= b[3] + tol


def find_bands(table: ImageTable, lines: dict[int, list[Line]]) -> Bands | None:
    """Row and column bands of a part of table 三 (``lines``: per ``id(cell)``, its text lines);
    None when the table shows fewer than ``MIN_COLUMNS`` of its titles and ``MIN_ROWS`` of its labels."""
    columns, header_y1 = column_bands(table, lines)
    cuts = title_cuts(table, columns, header_y1)
    cells = table.grid.cells
    if columns:
        value_x0 = columns[0].x0
    else:  # a part after a page break: the values start where most rows' numbers start
        starts = sorted(min((_box(table, i)[0] for i, c in enumerate(cells) if c.row == r and looks_numeric(c.text)
                             and c.text.strip()), default=float("inf")) for r in range(table.grid.n_rows))
        starts = [s for s in starts if s != float("inf")]
        if len(starts) < MIN_ROWS:
            return None
        value_x0, header_y1 = starts[len(starts) // 2], 0.0
    observed: list[ObservedRow] = []
    extents: list[tuple[float, float]] = []
    leaves = _leaf_labels(table, value_x0, header_y1)
    for i in sorted(leaves, key=lambda i: _box(table, i)[1]):
        x0, y0, x1, y1 = _box(table, i)
        # label cells the grid also found inside this one (it lost a rule and merged over them):
        # this cell's own labels end where theirs start
        y1 = min([y1] + [_box(table, j)[1] for j in leaves if j != i and _inside(_box(table, j), (x0, y0, x1, y1))])
        own = [ln for ln in lines.get(id(cells[i])) or [Line(x0, y0, x1, y1, cells[i].text)] if ln.y1 <= y1 + 3]
        above = [ln for ln in own if ln.y1 <= header_y1 + 3] if y0 < header_y1 - 3 else []
        own = own[len(above):]  # a header cell holding the first label: the rule under the header lost
        if not own:
            continue
        parts = split_label(own)
        if above:
            y0 = (above[-1].y1 + own[0].y0) / 2
        bounds = [y0] + [(a[-1].y1 + b[0].y0) / 2 for a, b in zip(parts, parts[1:])] + [y1]
        if len(parts) > 1 or above:
            seq = ([above] if above else []) + parts
            heads = [(_box(table, i)[1], y0)] if above else []
            cuts.append(LabelCut(i, ["".join(ln.text for ln in p) for p in seq], heads + list(zip(bounds, bounds[1:])),
                                 [(a[-1].y1, b[0].y0) for a, b in zip(seq, seq[1:])]))
        context = "".join(c.text for j, c in enumerate(cells) if j != i and _box(table, j)[2] <= x0 + 3
                          and _box(table, j)[1] <= y0 + 1 and _box(table, j)[3] >= y1 - 1)
        for k, p in enumerate(parts):
            observed.append(ObservedRow(label="".join(ln.text for ln in p), context=context, values=[]))
            extents.append((bounds[k], bounds[k + 1]))
    matches = align_rows(observed, APPLICATION_ROWS)
    if len(matches) < MIN_ROWS and len(columns) < MIN_COLUMNS:
        return None  # not table 三 (table 四 prints 总计 too), or too little of it to go by
    rows = [RowBand(APPLICATION_ROWS[s].key, *extents[o], score) for o, s, score in matches if score >= MIN_ROW_SCORE]
    return Bands(rows=rows, columns=columns, value_x0=value_x0, header_y1=header_y1, cuts=cuts)
