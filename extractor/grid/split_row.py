"""A table row that a page break cut in two, joined back into one row.

Word lets a row break across pages: the first part (the start of a long label and, top-aligned,
the row's numbers) sits at the foot of one page, the rest of the label on the next page over
empty value cells. Read as two rows, the second half's empty cells would be taken for the
row's values (blank means 0 in these reports). The stitcher calls ``join_split_row`` when it
joins two parts of a table; the halves are one row when

* the first row of the lower part has text only in label columns, and that text is a
  fragment — it does not start a new row (no enumeration 一、 / （一） / 1.) and is not itself
  a label the registry knows, unless the label above it with it is more like one than either
  alone (``_completes_label``: the longer part of a label cut near its start);
* exactly one of the two halves has values (the other's value cells are all blank).

The fragment's text is appended to the label cell above it; the values of whichever half has
them are kept.

A number wrapped inside its narrow cell splits with the row (LibreOffice: 276 at the foot of
one page, its 0 on the next): the lower half then has no label text at all, only digits, each
under a number of the upper half. Those are one number's lines, joined (``join_number_tails``:
276 + 0 = 2760) and doubted (``SPLIT_DOUBT``: a person confirms), never a row of their own.
Both can happen at once (LibreOffice, narrow number columns): the label goes on (1.信访举 |
报投诉类申请) and so do the numbers (14 | 9): fragments appended, digits joined, as above.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Callable

from extractor.mapping.labels import normalize_label, similarity
from extractor.mapping.numbers import looks_numeric
from models.page import Cell, Grid

ENUMERATED = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[）)]|\d+\s*[.、．])")
KNOWN_LABEL = 0.8  # a fragment this similar to a registry label is a row of its own
SPLIT_DOUBT = 0.3  # structure of a number joined across a page break (under STRUCTURE_REVIEW)
DIGITS = re.compile(r"\d+")
LABEL_SLACK = 1  # cells by which the two halves of a split row may differ, all in the label


@cache
def _known_labels() -> tuple[str, ...]:
    from models.fields import ACTIVE_ROWS, ACTIVE_ROWS_2019, APPLICATION_ROWS

    labels = {r.label for r in APPLICATION_ROWS} | {r.group for r in APPLICATION_ROWS if r.group}
    labels |= {x for r in APPLICATION_ROWS for x in r.aliases}
    # both layouts' table 二: a 2019 row (其他对外管理服务事项) at the next page's top is a row of its
    # own — taken for a fragment, its 1207 was joined to 行政许可's as 12071207, ok (seed 131313)
    for rows in (ACTIVE_ROWS, ACTIVE_ROWS_2019):
        labels |= {r.label for r, _ in rows} | {r.group for r, _ in rows if r.group}
        labels |= {x for r, _ in rows for x in r.aliases}
    return tuple(sorted(labels))


def is_fragment(text: str) -> bool:
    """Text that continues a label rather than starting a row."""
    t = text.strip()
    if not t or ENUMERATED.match(t) or looks_numeric(t):
        return False
    n = normalize_label(t)
    return not any(similarity(n, label) >= KNOWN_LABEL for label in _known_labels())


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _plain_x(cell: Cell) -> tuple[float, float]:
    return cell.bbox.x0, cell.bbox.x1


def join_split_row(a: Grid, b: Grid, x_of: Callable[[Cell], tuple[float, float]] = _plain_x,
                   x_of_a: Callable[[Cell], tuple[float, float]] = _plain_x) -> bool:
    """Fold ``b``'s first row into ``a``'s last row when they are two halves of one row.

    ``x_of(cell)`` gives a ``b`` cell's (x0, x1) laid onto ``a``'s frame, ``x_of_a`` an ``a``
    cell's (PDF points; scanned pages may be shifted or turned against each other).
    Changes both grids in place (``b`` loses its first row); returns whether it did.
    """
    last = a.n_rows - 1
    if last < 0 or b.n_rows < 1:  # ``b`` may be that one row (the table's last: LibreOffice seed 9302)
        return False
    upper = [c for c in a.cells if c.row == last and c.row_span == 1]
    lower = [c for c in b.cells if c.row == 0 and c.row_span == 1]
    if not upper or not lower:
        return False
    if join_number_tails(upper, lower, x_of, x_of_a):
        _drop_first_row(a, b)
        return True
    up_values = [c for c in upper if c.text.strip() and looks_numeric(c.text)]
    low_text = [c for c in lower if c.text.strip()]
    low_values = [c for c in low_text if looks_numeric(c.text)]
    fragments = [c for c in low_text if c not in low_values]
    if not fragments or not all(is_fragment(c.text) or _completes_label(a, last, c, x_of, x_of_a) for c in fragments):
        return False
    if up_values and low_values and _label_and_number_tails(upper, low_values, x_of, x_of_a):
        # the label and the wrapped numbers both went on: 1.信访举 | 14 … 15 over 报投诉类申请 | 9 … 9
        _append_fragments(a, last, fragments, x_of, x_of_a)
        _drop_first_row(a, b)
        return True
    if bool(up_values) == bool(low_values):  # both halves (or neither) carry values: two rows
        return False
    if len(up_values or low_values) < 2:
        return False
    value_span = [x_of(c) for c in low_values] or [x_of_a(c) for c in up_values]
    if any(_overlap(*x_of(f), *v) > 0.5 * (x_of(f)[1] - x_of(f)[0]) for f in fragments for v in value_span):
        return False  # a fragment under a value column: not a label
    targets = _fragment_targets(a, last, fragments, x_of, x_of_a)
    if targets is None:
        return False
    if low_values and not _labels_gain(targets, fragments):
        # a blank row above a row of values whose label reads as no label (a seal, a stain):
        # two rows, not one — moved up, its values would stand as the blank row's, unflagged
        return False
    for f, target in zip(fragments, targets):
        target.text += f.text
    if low_values:  # the numbers are on the lower half: they take the places of the blank ones
        for v in low_values:
            vx = x_of(v)
            blank = max(upper, key=lambda c: _overlap(*x_of_a(c), *vx))
            if _overlap(*x_of_a(blank), *vx) > 0 and not blank.text.strip():
                blank.text, blank.page, blank.bbox, blank.structure = v.text, v.page, v.bbox, v.structure
                blank.confidence, blank.source = v.confidence, v.source
                blank.alternatives, blank.char_scores = v.alternatives, v.char_scores
                blank.bbox_px, blank.dpi = v.bbox_px, v.dpi
    _drop_first_row(a, b)
    return True


def _append_fragments(a: Grid, last: int, fragments: list[Cell], x_of, x_of_a) -> bool:
    """Append each label fragment to the cell of ``a``'s last row over it; False (nothing
    changed) when a fragment has no cell over it."""
    targets = _fragment_targets(a, last, fragments, x_of, x_of_a)
    if targets is None:
        return False
    for f, target in zip(fragments, targets):
        target.text += f.text
    return True


def _fragment_targets(a: Grid, last: int, fragments: list[Cell], x_of, x_of_a) -> list[Cell] | None:
    """The cell of ``a``'s last row over each fragment (one per fragment), or None when a
    fragment has no cell over it."""
    covering = [c for c in a.cells if c.row <= last < c.row + c.row_span]
    targets = []
    for f in fragments:
        fx = x_of(f)
        target = max(covering, key=lambda c: (_overlap(*x_of_a(c), *fx), c.row == last))
        if _overlap(*x_of_a(target), *fx) <= 0:
            return None
        targets.append(target)
    return targets


def _best_known(text: str) -> float:
    n = normalize_label(text)
    return max((similarity(n, label) for label in _known_labels()), default=0.0)


def _completes_label(a: Grid, last: int, fragment: Cell, x_of, x_of_a) -> bool:
    """A fragment like a registry label (``is_fragment`` says no) that completes the label
    over it: not enumerated, and the two joined are more like a registry label than either
    alone. LibreOffice broke （二）部分公开（区 | 分处理的，只计这一情形，不计其他情形） over a page
    (soffice seed 5051): the second part alone is 0.84 like the row's label, and was read as
    the row, its blank cells its values (899 read as 0)."""
    t = fragment.text.strip()
    if not t or ENUMERATED.match(t) or looks_numeric(t):
        return False
    targets = _fragment_targets(a, last, [fragment], x_of, x_of_a)
    if not targets:
        return False
    joined = _best_known(targets[0].text + fragment.text)
    return joined > _best_known(fragment.text) and joined > _best_known(targets[0].text)


def _labels_gain(targets: list[Cell], fragments: list[Cell]) -> bool:
    """Whether the fragments complete their labels: each label with its fragment is at least
    as like a registry label as without, and one is more like one (1.信访举 + 报投诉类申请).
    A fragment appended to a label already whole (8.属于行政查询事项 + 相关) makes it less like."""
    joined: dict[int, str] = {}
    for f, t in zip(fragments, targets):
        joined[id(t)] = joined.get(id(t), t.text) + f.text
    by_id = {id(t): t for t in targets}
    gains = [_best_known(text) - _best_known(by_id[k].text) for k, text in joined.items()]
    return all(g >= 0 for g in gains) and any(g > 0 for g in gains)


def _label_and_number_tails(upper: list[Cell], low_values: list[Cell], x_of, x_of_a) -> bool:
    """The lower half's values (its label went on too: the caller has checked the fragments)
    are the last lines of the upper half's numbers: every digit run stands under a number of
    digits (joined as ``join_number_tails`` does, ``SPLIT_DOUBT``); a zero mark (/, —) is
    taken only under a blank cell (blank and the mark both print 0; a scan's speck in an
    empty cell reads as /). Anything else — a digit under a blank or a mark, a mark under a
    number — is a row of values of its own: False, nothing changed."""
    tails = [c for c in low_values if DIGITS.fullmatch(c.text.strip())]
    for m in (c for c in low_values if c not in tails):
        mx = x_of(m)
        over = max(upper, key=lambda c: _overlap(*x_of_a(c), *mx))
        if _overlap(*x_of_a(over), *mx) <= 0.5 * (mx[1] - mx[0]) or over.text.strip():
            return False
    return bool(tails) and join_number_tails(upper, tails, x_of, x_of_a)


def join_number_tails(upper: list[Cell], lower: list[Cell], x_of: Callable[[Cell], tuple[float, float]] = _plain_x,
                      x_of_a: Callable[[Cell], tuple[float, float]] = _plain_x) -> bool:
    """Append the lower half's digits to the numbers above them when the lower half of a split
    row holds nothing but digits (no label text), each under a cell of digits of the upper
    half (the number's first lines): 276 over 0 is 2760. The joined cells get ``SPLIT_DOUBT``.
    ``upper``/``lower``: the single-row cells of the two halves. Returns whether it joined
    (the cells are changed in place; dropping the lower row is the caller's)."""
    tails = [c for c in lower if c.text.strip()]
    if not tails or not all(DIGITS.fullmatch(c.text.strip()) for c in tails):
        return False
    options = [_heads_by_x(upper, tails, x_of, x_of_a)]
    if len(upper) == len(lower):
        # the halves' cells one for one, left to right (two scanned pages laid onto each other
        # can stand a column apart; the cells of one row cannot)
        pairs = zip(sorted(upper, key=lambda c: c.col), sorted(lower, key=lambda c: c.col))
        options.append([(h, t) for h, t in pairs if t.text.strip()])
    elif abs(len(upper) - len(lower)) <= LABEL_SLACK:
        # … from the right, the value columns' side: a label column's rule may stand only in
        # one half (LibreOffice, seed 1603: a sliver of a cell left of the lower half's label,
        # whose outer edge then misled the map between the pages by a column); the cells the
        # longer half has over are its leftmost and must be blank
        up, low = (sorted(h, key=lambda c: -c.col) for h in (upper, lower))
        surplus = (up if len(up) > len(low) else low)[min(len(up), len(low)):]
        if not any(c.text.strip() for c in surplus):
            options.append([(h, t) for h, t in zip(up, low) if t.text.strip()])
    heads = next((o for o in options if o and all(DIGITS.fullmatch(h.text.strip()) for h, _ in o)), None)
    if heads is None:
        return False
    for head, t in heads:
        head.text = head.text.strip() + t.text.strip()
        head.confidence = min(head.confidence, t.confidence)
        head.structure = min(head.structure, t.structure, SPLIT_DOUBT)
        head.alternatives, head.char_scores = [], list(head.char_scores) + list(t.char_scores)
    return True


def _heads_by_x(upper: list[Cell], tails: list[Cell], x_of, x_of_a) -> list[tuple[Cell, Cell]] | None:
    """Each tail with the upper cell over most of it (a different one each), or None."""
    heads: list[tuple[Cell, Cell]] = []
    for t in tails:
        tx = x_of(t)
        head = max(upper, key=lambda c: _overlap(*x_of_a(c), *tx))
        if _overlap(*x_of_a(head), *tx) <= 0.5 * (tx[1] - tx[0]) or any(head is h for h, _ in heads):
            return None
        heads.append((head, t))
    return heads


def _drop_first_row(a: Grid, b: Grid) -> None:
    """``b`` without its first row (folded into ``a``'s last)."""
    kept: list[Cell] = []
    for c in b.cells:
        if c.row == 0 and c.row_span == 1:
            continue
        if c.row == 0:
            c.row_span -= 1
        else:
            c.row -= 1
        kept.append(c)
    b.cells = kept
    b.n_rows -= 1
    b._by_row = None
    a._by_row = None
