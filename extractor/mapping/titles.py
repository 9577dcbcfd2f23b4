"""Column titles: which printed title stands over a value cell, and which registry column it names.

Every table maps its value cells by the title printed above them, never by where they sit. A
header is the rows above the first value row; over each grid column the title is the lowest
non-empty header cell covering it (a title spanning two columns with an empty cell under it,
as web pages print 自然人, still counts). A title that names no registry column is *unknown*:
the cells under it go nowhere and the document is sent to review with the title named.

Shapes: a ``Title`` is one header cell with the registry column it matched (``key`` None when
unknown) and the score of the match (0–1, ``labels.similarity`` after the unit in brackets is
dropped). A match is *positive* at ``POSITIVE`` or above and clearly better than the best other
column. A near match (``NEAR``, far ahead of every other column: an OCR misread) is mapped with
its lower score, so its fields are ``review``; anything weaker is unknown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractor.mapping.labels import normalize_label, similarity
from extractor.mapping.numbers import looks_numeric
from models.extraction import Source
from models.fields import ColumnSpec
from models.page import Cell, Grid

POSITIVE = 0.8  # a label or title at least this similar to the registry's is positively matched
MARGIN = 0.05  # and beats the best other candidate by this much
# a misread title (OCR: 结果线持 for 结果维持) is still that column when it is this similar and
# far ahead of every other column: mapped, but its fields are doubtful (review), never ok
NEAR, NEAR_MARGIN = 0.6, 0.2
_UNIT = re.compile(r"\((?:单位:?)?(?:万元|元|件|个|项)\)")


@dataclass
class Title:
    cell: Cell
    key: str | None  # the matched column key; None: unknown
    score: float
    candidates: tuple[str, ...] = ()  # every candidate key as good as ``key`` (same column, other layouts)
    reading: str | None = None  # the title as read when it is more than the cell (stacked fragments)

    @property
    def text(self) -> str:
        return " ".join((self.reading or self.cell.text).split())


# no column title of the format holds a digit or a Latin letter: digits are a watermark or a
# stray mark; a bar (| l I 丨) is a scan's piece of rule at the edge of the title's cell
_STRAY = re.compile(r"[0-9|lI丨]")


def title_text(text: str) -> str:
    """The part of a title that names the column: the unit in brackets, any digit and any bar
    dropped (本年收费金额（单位：万元） → 本年收费金额; 450总计 with a watermark's digits → 总计;
    总计| with a piece of the cell's rule read as a bar → 总计)."""
    t = unicodedata.normalize("NFKC", text or "")
    t = re.sub(r"\s+", "", t)
    return _STRAY.sub("", _UNIT.sub("", t))


def match_column(text: str, columns: list[tuple[str, ColumnSpec]]) -> tuple[str | None, float, tuple[str, ...]]:
    """Best registry column for a printed title among ``(tag, spec)`` pairs.

    Returns (key, score, tags of every pair matching that well with that key); key None when the
    best match is below ``POSITIVE`` or another key comes within ``MARGIN`` of it.
    """
    t = title_text(text)
    if not normalize_label(t):
        return None, 0.0, ()
    scored: list[tuple[float, str, str]] = []
    for tag, spec in columns:
        s = max(similarity(t, title_text(x)) for x in (spec.label, *spec.aliases))
        scored.append((s, spec.key, tag))
    scored.sort(key=lambda x: -x[0])
    best, key, _ = scored[0]
    rival = max((s for s, k, _ in scored if k != key), default=0.0)
    positive = best >= POSITIVE and best - rival >= MARGIN
    near = best >= NEAR and best - rival >= NEAR_MARGIN
    if not (positive or near):
        return None, best, ()
    tags = tuple(tag for s, k, tag in scored if k == key and s >= best - 1e-9)
    return key, best, tags


def ancestors(grid: Grid, header_rows: range, col0: int, col1: int) -> list[Cell]:
    """Every header cell holding a word over columns col0..col1, lowest first. A cell holding only
    strays (a scan's rule fragment or speck read as "/" or "·" in the empty cell under a title
    spanning two columns) is no title: it must not hide the title above it."""
    cells = [
        c for c in grid.cells
        if any(ch.isalnum() for ch in c.text) and c.row < header_rows.stop and c.last_row >= header_rows.start
        and c.col <= col0 and c.last_col >= col1
    ]
    return sorted(cells, key=lambda c: (-c.last_row, -c.row))


def stacked_texts(chain: list[Cell]) -> list[str]:
    """Readings of the lowest title of ``chain`` (header cells over one value column, lowest first):
    its own text, then with the fragments stacked right above it over the same columns prepended —
    a title whose lines the grid split into rows (结 / 果 / 维持 → 结果维持)."""
    if not chain:
        return []
    low = chain[0]
    texts = [low.text]
    text, top = low.text, low.row
    for up in chain[1:]:
        if (up.col, up.last_col) != (low.col, low.last_col) or up.last_row != top - 1:
            break
        text, top = up.text + text, up.row
        texts.append(text)
    return texts


def best_title(chain: list[Cell], columns: list[tuple[str, ColumnSpec]]) -> tuple[str, str | None, float, int]:
    """The best reading of the title over a value column: (text, key, score, cells used)."""
    best: tuple[str, str | None, float, int] = ("", None, 0.0, 1)
    for i, text in enumerate(stacked_texts(chain)):
        key, score, _ = match_column(text, columns)
        if key is not None:
            better = best[1] is None or score > best[2]
        else:
            better = best[1] is None and score > best[2]
        if better:
            best = (text, key, score, i + 1)
    if not best[0] and chain:
        best = (chain[0].text, None, 0.0, 1)
    return best


def match_cut_title(grid: Grid, cell: Cell, columns: list[tuple[str, ColumnSpec]]) -> tuple[str | None, float]:
    """Registry column (key, score) of the header ``cell``, read together with a neighbour when a
    false column rule cut one title in two (a scan: a glyph's stroke standing on a column line
    of the row below was taken for a rule there, 复议 | 后起诉). The neighbour is the cell
    beside it in the same rows; the two texts joined, left one first, are the title when they
    name a column positively (``POSITIVE``, clear of the others) and better than either cell
    alone: a whole title beside a fragment (未经复议直接起诉 beside 复议) names its column
    better alone, and two whole titles joined name none. Only read (OCR) cells: a text layer's
    cells are as printed."""
    key, score, _ = match_column(cell.text, columns)
    if cell.source != Source.OCR:
        return key, score
    for other in grid.cells:
        if other is cell or (other.row, other.row_span) != (cell.row, cell.row_span):
            continue
        if other.col + other.col_span == cell.col:
            text = other.text + cell.text
        elif cell.col + cell.col_span == other.col:
            text = cell.text + other.text
        else:
            continue
        k, s, _ = match_column(text, columns)
        if k is not None and s >= POSITIVE and s > score and s > match_column(other.text, columns)[1]:
            key, score = k, s
    return key, score


def titles_over_x(cell: Cell, titles: list[Title]) -> list[Title]:
    """Titles over a value cell by horizontal overlap (header and values in different grids)."""
    out = []
    w = max(cell.bbox.x1 - cell.bbox.x0, 1e-6)
    for t in titles:
        overlap = min(cell.bbox.x1, t.cell.bbox.x1) - max(cell.bbox.x0, t.cell.bbox.x0)
        if overlap > 0.5 * min(w, t.cell.bbox.x1 - t.cell.bbox.x0):
            out.append(t)
    return out


def split_joined_titles(columns: dict[int, Title], specs: list[ColumnSpec]) -> list[Title]:
    """A title over n ≥ 2 neighbouring grid columns that reads as n of the format's titles side
    by side, in the format's order, better than as any one title (法律服务机构 | 其他 in one
    cell: the rule between them lost in the header's titles row, the columns' rules below
    intact) is those titles, one a column (``joined_score``), left to right in the order the
    reading shows them (``printed_order``: 其他法律服务机构 puts 其他 left — columns may be printed
    in another order). A reading whose lines ran across both titles (法律服务其他机构) cannot tell
    which stands left: they are placed in the format's order, doubted (``ORDER_SCORE``, never
    ``ok``; a fresh user's probe swapped the two and got 22 wrong fields ``ok``). Any other
    title over several columns stays one (a stray rule splitting 总计's column).
    ``columns``: grid column → Title, changed in place; ``specs``: the table's columns in
    printed order (``models.fields.APPLICANT_COLUMNS``). Returns the titles made. Where the rule
    comes from: the titles are printed in the format's fixed order (format-2021.md)."""
    spans: dict[int, tuple[Title, list[int]]] = {}
    for c, t in sorted(columns.items()):
        spans.setdefault(id(t), (t, []))[1].append(c)
    made: list[Title] = []
    for t, cols in spans.values():
        n = len(cols)
        if n < 2 or cols != list(range(cols[0], cols[0] + n)):
            continue
        found = joined_titles(t.text, specs, n)
        if found is None or found[1] <= t.score:
            continue
        window, score, order = found
        if order is None:  # lines interleaved (法律 / 服务 其他 / 机构): which stands left is unknown
            order, score = list(range(n)), min(score, ORDER_SCORE)
        for c, j in zip(cols, order):
            columns[c] = Title(cell=t.cell, key=window[j].key, score=score, reading=window[j].label)
            made.append(columns[c])
    return made


def joined_titles(reading: str, specs: list[ColumnSpec], n: int) -> tuple[list[ColumnSpec], float, list[int] | None] | None:
    """The ``n`` neighbouring titles of ``specs`` (a table's columns in the format's order) that
    ``reading`` holds side by side, best by ``joined_score``: (those titles in the format's order,
    the score, the order they stand in left to right — ``printed_order``, None when the reading
    cannot tell). None when no ``n`` titles reach ``POSITIVE``."""
    text = normalize_label(title_text(reading))
    names = [normalize_label(title_text(s.label)) for s in specs]
    score, k = max(((joined_score(text, names[i:i + n]), i) for i in range(len(specs) - n + 1)), default=(0.0, 0))
    if score < POSITIVE:
        return None
    return specs[k:k + n], score, printed_order(text, names[k:k + n])


def printed_order(text: str, titles: list[str]) -> list[int] | None:
    """The order, left to right, in which ``titles`` stand in the one-line reading ``text``
    (indices into ``titles``): each title's characters (its alignment with the text, ``_lcs_positions``)
    a block of its own, the blocks one after another — 法律服务机构其他 → [0, 1], 其他法律服务机构 →
    [1, 0]. None when the blocks overlap: the cell's lines were read across both titles
    (法律服务其他机构, or 法律其他服务机构 with the two swapped), and the reading cannot tell
    which stands left."""
    spans = []
    for i, t in enumerate(titles):
        pos = _lcs_positions(text, t)
        if not pos:
            return None
        spans.append((min(pos), max(pos), i))
    spans.sort()
    if any(a[1] >= b[0] for a, b in zip(spans, spans[1:])):
        return None
    return [i for _, _, i in spans]


def joined_score(text: str, titles: list[str]) -> float:
    """How well ``text`` reads as ``titles`` printed side by side in one cell, their lines
    interleaved (法律 / 服务 其他 / 机构 → 法律服务其他机构): each title found in order within the
    text (its longest common subsequence at least ``POSITIVE`` of it), the F-measure of how much
    of the titles the text holds and how much of the text they account for; 0 when a title is
    not there."""
    if not text or not all(titles):
        return 0.0
    found = [len(_lcs_positions(text, t)) for t in titles]
    if any(f < POSITIVE * len(t) for f, t in zip(found, titles)):
        return 0.0
    held = sum(found) / sum(len(t) for t in titles)
    accounted = min(1.0, sum(found) / len(text))
    return 2 * held * accounted / (held + accounted)


def _lcs_positions(a: str, b: str) -> list[int]:
    """Positions in ``a`` of a longest common subsequence of ``a`` and ``b``."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.append(i)
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


ORDER_SCORE = 0.5  # a title known only by its place among read ones: mapped, never ok (review)


def confirm_by_order(columns: dict[int, Title], order: list[str]) -> list[Title]:
    """A scanned title read in part (a fax's 自然人 read 白然人: a near match, under ``POSITIVE``)
    whose column is the very one its place leaves — the titles beside it read positively as the
    format's columns just before and just after it (at the table's edge: it is the format's first
    or last) — is that column: its reading and its place agree, so its score is raised to
    ``POSITIVE`` (its values may be ``ok``; before, a whole column of right values went to
    review: fax seed 9305, 27 fields). A printed title (text layer, web page) is as printed and
    is never raised; a title whose place leaves another column keeps its doubt.

    ``columns``: grid column → Title. Changes the titles in place; returns those raised. Where the
    rule comes from: table 三's columns are printed in the format's fixed order (format-2021.md)."""
    titles = sorted({id(t): t for t in columns.values()}.values(), key=lambda t: t.cell.col)
    rank = {k: i for i, k in enumerate(order)}

    def sure(t: Title | None, r: int) -> bool:
        return t is not None and t.key in rank and rank[t.key] == r and t.score >= POSITIVE

    raised = []
    for i, t in enumerate(titles):
        if t.key not in rank or t.score >= POSITIVE or t.cell.source != Source.OCR:
            continue
        r = rank[t.key]
        before = titles[i - 1] if i > 0 else None
        after = titles[i + 1] if i + 1 < len(titles) else None
        left = sure(before, r - 1) if r > 0 else before is None
        right = sure(after, r + 1) if r < len(order) - 1 else after is None
        if left and right:
            t.score = POSITIVE
            raised.append(t)
    return raised


def infer_by_order(columns: dict[int, Title], order: list[str]) -> list[Title]:
    """Give an unknown *scanned* title the registry column its place leaves: a title misread past
    recognition (OCR: 总计 read as ``2if``) standing between two read titles whose registry
    columns (in ``order``, the format's left-to-right order) leave out as many columns as there
    are such titles between them (right of the last read title: up to the format's end). Its fields are
    mapped with ``ORDER_SCORE`` (under ``POSITIVE``: review, never ok): a person confirms a
    value whose column was inferred, instead of retyping a whole column.

    Only a title read by the recogniser: a title printed in a text layer or a web page that the
    format does not know is a column the format does not have (个体工商户), never inferred.

    ``columns``: grid column → Title (several grid columns may share one Title). Changes the
    titles in place; returns those inferred. Where the rule comes from: table 三's columns are
    printed in the format's fixed order (format-2021.md)."""
    titles = sorted({id(t): t for t in columns.values()}.values(), key=lambda t: t.cell.col)
    rank = {k: i for i, k in enumerate(order)}
    inferred: list[Title] = []
    read = [i for i, t in enumerate(titles) if t.key in rank]
    # each stretch of titles after a read one, up to the next read one (or the end): its unknown
    # scanned titles take the columns left out there, in order, when they are exactly as many
    # (a seal over two neighbouring titles: 商业企业 read 商年企亚, 科研机构 read 1燃M答, corpus
    # 2023 fax+stamp_numbers seed 7247)
    for a, b in zip(read, read[1:] + [len(titles)]):
        lo = rank[titles[a].key]
        hi = rank[titles[b].key] if b < len(titles) else len(order)
        between = titles[a + 1 : b]
        if not between or hi - lo - 1 != len(between):
            continue  # not as many titles as left-out columns
        if any(t.key is not None or t.cell.source != Source.OCR for t in between):
            continue  # a title read as another column, or printed: nothing to go by
        for k, t in enumerate(between):
            t.key, t.score = order[lo + 1 + k], min(t.score, ORDER_SCORE)
            inferred.append(t)
    return inferred


def _holds_values(grid: Grid, col: int, first_value: int) -> bool:
    """Grid column ``col`` is a value column: its own cells under the header read mostly as
    numbers, at least ``MIN_VALUE_CELLS`` of them (a label column holds words)."""
    own = [c for c in grid.cells if c.row >= first_value and c.col == col and c.col_span == 1 and c.text.strip()]
    numbers = [c for c in own if looks_numeric(c.text)]
    return len(numbers) >= MIN_VALUE_CELLS and len(numbers) >= 0.7 * len(own)


MIN_VALUE_CELLS = 3


def leading_columns(grid: Grid, header: dict[int, Title], titled: dict[int, Title], first_value: int,
                    order: list[str]) -> dict[int, Title]:
    """Titles for the value columns left of the first title read, by the format's order: a
    scanned title the recogniser could not read at all (a seal over 自然人 read as 云 or as
    nothing) leaves its column under no title, and the column would be taken for the labels.

    Only when it is sure: the titles read (``titled``, grid column → Title, from the first known
    one) name the format's last columns in order, every one of them known; exactly as many grid
    columns left of them as the format's columns they leave out hold numbers (``_holds_values``),
    side by side and next to the first titled one; the column left of those holds none (the
    labels). Each gets a new ``Title`` over its lowest header cell with ``ORDER_SCORE`` (review,
    never ok). Only scans (``Source.OCR``). Returns grid column → Title (empty: none inferred)."""
    if not titled:
        return {}
    first = min(titled)
    titles = list({id(t): t for t in (titled[c] for c in sorted(titled))}.values())
    keys = [t.key for t in titles]
    if None in keys or titles[0].cell.source != Source.OCR:
        return {}
    k = len(order) - len(keys)
    if k <= 0 or keys != order[k:]:
        return {}
    lead = list(range(first - k, first))
    if lead[0] < 0 or not all(_holds_values(grid, c, first_value) for c in lead):
        return {}
    if lead[0] > 0 and _holds_values(grid, lead[0] - 1, first_value):
        return {}  # more number columns than the titles leave out: which is which is not known
    out: dict[int, Title] = {}
    for c, key in zip(lead, order[:k]):
        t = header.get(c)
        cell = t.cell if t is not None else next((x for x in grid.cells if x.row < first_value and x.col <= c <= x.last_col), None)
        if cell is None:
            return {}
        out[c] = Title(cell=cell, key=key, score=ORDER_SCORE)
    return out
