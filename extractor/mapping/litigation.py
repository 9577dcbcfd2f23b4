"""Table 四 (行政复议 / 行政诉讼): its one row of 15 numbers → canonical fields.

Each value is keyed by the titles printed above it: its group (行政复议 · 未经复议直接起诉 ·
复议后起诉, ``LITIGATION_GROUPS``) and its column (结果维持 … 总计, ``LITIGATION_COLUMNS``).
The format prints the three groups in that order, five columns each (format-2021.md), so a
value's place tells which group it should stand in. Reading comes first; the place is used only
where the reading cannot be trusted, and a field placed by order is never ``ok``:

- a group title cell spanning two groups' columns (the rule between them lost: a seal over it,
  a warped or shaded header) that reads as those groups' titles one after the other — its
  columns are placed by order;
- two group cells reading the same group (one misread as the other): both placed by order;
- columns with no group title over them (a page break under the first header row loses
  行政复议; a stray rule splits a group's cell, part of it empty), when at most one whole group
  is lost and every group read stands in place; all 15, on a scan none of whose group titles
  could be read (a fax's threshold that kept only their downstrokes);
- a scanned column title misread past recognition, or one title cell over two or three value
  columns, in a group whose other titles were read: the columns they leave out
  (``place_column_titles``).

A group read out of the format's order (two titles swapped) is kept as read: the document says
so. Never two columns with one key: both are left for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from extractor.mapping.labels import contains, similarity
from extractor.mapping.numbers import mostly_numeric
from extractor.mapping.titles import NEAR, ORDER_SCORE, ancestors, best_title, match_cut_title
from extractor.mapping.cell_field import make_field, missing_field
from models.extraction import Field, Source
from models.fields import LITIGATION_COLUMNS, LITIGATION_GROUPS, ValueType
from models.page import Cell, Grid

N_LITIGATION = len(LITIGATION_GROUPS) * len(LITIGATION_COLUMNS)
ORDER_MARGIN = 0.1  # a title cell over several columns reads as their titles in one order this far ahead of any other
INFERRED_GROUP = 0.5  # a group placed by the registry's order, its title not read: under POSITIVE (review)

_LITIGATION_TITLES = [("2021", c) for c in LITIGATION_COLUMNS]
_LITIGATION_GROUP_TITLES = [("2021", g) for g in LITIGATION_GROUPS]


@dataclass
class ReadColumn:
    """One of the 15 value columns as its header reads: the value cell, its column title (text,
    registry key or None, score), the header cell over that title naming its group (None: none
    above) and the group read from it (key or None, score)."""

    cell: Cell
    text: str
    key: str | None
    score: float
    chain: list[Cell]
    group_cell: Cell | None = None
    group: str | None = None
    group_score: float = 0.0


def map_litigation(
    grids: list[Grid], issues: list[str], titles: dict[str, list[str]] | None = None,
    unmapped: list[str] | None = None,
) -> dict[str, Field]:
    """Table 四: the one row of 15 numbers under the 行政复议 / 行政诉讼 header, each value keyed by
    the titles above it. ``issues`` gets what was not found; ``unmapped`` (default ``issues``)
    what was printed but not understood or placed by order; ``titles["四"]`` the column titles."""
    ordered = sorted(grids, key=lambda g: 0 if contains(g.text(), "行政复议") else 1)
    for grid in ordered:
        headed = contains(grid.text(), "行政复议")
        for r in range(grid.n_rows - 1, -1, -1):
            cells = [c for c in grid.row_cells(r) if c.row == r and c.row_span == 1]
            if len(cells) < N_LITIGATION:
                continue
            values = cells[-N_LITIGATION:]
            # all fifteen may be printed blank (zeros); then only under the 行政复议 header
            if mostly_numeric(values) and (headed or any(c.text.strip() for c in values)):
                return _litigation_fields(grid, r, values, issues if unmapped is None else unmapped, titles)
    issues.append("table 四: the row of 15 numbers was not found")
    return {}


def read_columns(grid: Grid, r: int, values: list[Cell]) -> list[ReadColumn]:
    """The header over each value cell of row ``r``, left to right; stops at the first value cell
    with no header cell over it (then there is no header to go by)."""
    out: list[ReadColumn] = []
    for cell in values:
        chain = ancestors(grid, range(0, r), cell.col, cell.last_col) if r > 0 else []
        if not chain:
            break
        text, key, score, used = best_title(chain, _LITIGATION_TITLES)
        col = ReadColumn(cell=cell, text=" ".join(text.split()), key=key, score=score, chain=chain)
        col.group_cell = chain[used] if used < len(chain) else None
        for up in chain[used:]:
            g, s = match_cut_title(grid, up, _LITIGATION_GROUP_TITLES)  # 复议 | 后起诉: one title
            if g is not None:
                col.group_cell, col.group, col.group_score = up, g, s
                break
        out.append(col)
    return out


def place_groups(columns: list[ReadColumn]) -> list[str]:
    """Put each of the 15 columns in its group where reading alone cannot (see the module's
    list), changing ``columns`` in place (a placed group gets ``INFERRED_GROUP``: review).
    Returns a note per group cell placed by order. Nothing changes when a group read stands out
    of the format's order (as read: its own duplicates are then left for a person; a cell over two
    groups' columns that reads as neither pair names no group)."""
    n = len(LITIGATION_COLUMNS)
    if len(columns) != N_LITIGATION:
        return []
    expected = [LITIGATION_GROUPS[i // n].key for i in range(N_LITIGATION)]
    cells: dict[int, tuple[Cell, list[int]]] = {}
    for i, col in enumerate(columns):
        if col.group_cell is not None:
            cells.setdefault(id(col.group_cell), (col.group_cell, []))[1].append(i)
    placed: dict[int, str] = {}  # column index → group key by order
    neither: set[int] = set()  # columns under a cell over two groups that reads as neither
    notes: list[str] = []
    readers: dict[str, list[int]] = {}  # group key → ids of the cells reading it
    for cid, (cell, idx) in cells.items():
        blocks = sorted({i // n for i in idx})
        if len(blocks) > 1:  # one cell over two groups' columns: a rule between them lost
            run = "".join(LITIGATION_GROUPS[b].label for b in blocks)
            if blocks == list(range(blocks[0], blocks[-1] + 1)) and similarity(cell.text, run) >= NEAR:
                placed.update({i: expected[i] for i in idx})
                notes.append(f"table 四: group title {_flat(cell.text)!r} stands over {len(blocks)} groups' "
                             f"columns; its columns are placed by the format's order, for review")
            else:  # what it reads names neither group for sure: its columns are not placed either
                for i in idx:
                    columns[i].group, columns[i].group_score = None, 0.0
                neither.update(idx)
            continue
        key = columns[idx[0]].group
        if key is not None:
            readers.setdefault(key, []).append(cid)
    for key, cids in readers.items():
        if len(cids) < 2:
            continue
        idx = [i for cid in cids for i in cells[cid][1]]
        if key not in {expected[i] for i in idx}:
            continue  # read twice and right for neither: left as read (and unmapped)
        if sorted(idx) == [i for i, e in enumerate(expected) if e == key]:
            continue  # one title cut in two (复议 | 后起诉, a false rule), over its own columns: as read
        placed.update({i: expected[i] for i in idx})
        notes.append(f"table 四: {len(cids)} group titles read as {key}; placed by the format's order, for review")
    groups = [placed.get(i, col.group) for i, col in enumerate(columns)]
    if any(g is not None and g != e for i, (g, e) in enumerate(zip(groups, expected)) if i not in placed):
        return []  # a group read out of the format's order: as read
    lost = [b for b in range(len(LITIGATION_GROUPS)) if all(g is None for g in groups[b * n: (b + 1) * n])]
    unread = [i for i, g in enumerate(groups) if g is None]
    whole = len(lost) == 1 and unread == list(range(lost[0] * n, (lost[0] + 1) * n))
    scanned = all(columns[i].cell.source == Source.OCR for i in unread)
    # on a scan, every column no group title was read over, however many, once every group read
    # stands in its place (checked above) and no title over two groups read as neither: no title
    # read at all (a fax's threshold left their
    # strokes that run down only: 行政复议 read 'iRvi', fax+pen_tick+dpi150 5214, 5306), as when
    # no header stands over the row (``_litigation_fields``), or two of three lost (a black seal
    # over 复议后起诉 and 行政复议 read 行此专议: fax 2301) — the format's order is all there is
    # to go by, and a group read in place only confirms it
    if unread and (len(lost) <= 1 and (whole or scanned) or scanned and not neither):  # part of a group: only a scan's stray rule
        # a page break right under the first header row leaves 行政复议 on the page before, in a
        # fragment no grid holds (the continuation keeps the other two groups); a stray rule
        # splits a group's title cell and leaves part of its columns under an empty one
        placed.update({i: expected[i] for i in unread})
        named = sorted({LITIGATION_GROUPS[i // n].label for i in unread})
        notes.append(f"table 四: no group title found over {len(unread)} columns; they are placed in "
                     f"{' / '.join(named)} by the format's order, for review")
    for i, key in placed.items():
        columns[i].group, columns[i].group_score = key, INFERRED_GROUP
    return notes


def place_column_titles(columns: list[ReadColumn]) -> list[str]:
    """Column titles a scan leaves in doubt, placed from what the rest of their group reads:

    - a title misread past recognition (其代结 for 其他结果) in a group whose other four titles
      were read, each once, is the one column they leave out;
    - one title cell over two or three value columns (the rule between them lost: 尚总计 over
      尚未审结 | 总计) is the columns the others leave out, in the order whose titles its text
      reads as (at least ``NEAR`` similar, clearly ahead of any other order).
    - several titles lost, each over a column of its own (a seal's words over two titles) or
      some under one cell, when every title read stands where the format's order puts it: each
      is its place's title.

    Placed titles get ``ORDER_SCORE`` (review). Only scanned titles: a title printed in a text
    layer is never placed (a column the format does not have). Changes ``columns`` in place;
    returns a note per cell placed."""
    notes: list[str] = []
    keys = [c.key for c in LITIGATION_COLUMNS]
    labels = {c.key: c.label for c in LITIGATION_COLUMNS}
    by_group: dict[str, list[ReadColumn]] = {}
    for col in columns:
        if col.group is not None:
            by_group.setdefault(col.group, []).append(col)
    for group, cols in by_group.items():
        under: dict[int, int] = {}  # title cell → value columns under it
        for c in cols:
            under[id(c.chain[0])] = under.get(id(c.chain[0]), 0) + 1
        doubtful = [c for c in cols if c.key is None or under[id(c.chain[0])] > 1]
        read = [c.key for c in cols if all(c is not d for d in doubtful)]
        left_out = [k for k in keys if k not in read]
        if (len(cols) != len(keys) or not doubtful or len(read) != len(set(read)) or len(left_out) != len(doubtful)
                or any(c.chain[0].source != Source.OCR for c in doubtful)):
            continue
        if len(doubtful) == 1:
            order = left_out
        elif len({id(c.chain[0]) for c in doubtful}) == 1:  # one cell over the columns left out
            text = doubtful[0].chain[0].text
            ranked = sorted(((similarity(text, "".join(labels[k] for k in p)), p) for p in permutations(left_out)),
                            reverse=True)
            if ranked[0][0] < NEAR or ranked[0][0] - ranked[1][0] < ORDER_MARGIN:
                continue
            order = list(ranked[0][1])
        elif all(c.key == k for c, k in zip(cols, keys) if all(c is not d for d in doubtful)):
            # several titles lost (a seal's words over 尚未审结 and 总计; or over 其他结果 and one
            # cell over 尚未审结 | 总计, fax seed 905), every title read where the format's order
            # puts it: each lost one is its place's
            order = [k for c, k in zip(cols, keys) if any(c is d for d in doubtful)]
        else:
            continue
        for col, key in zip(doubtful, order):
            col.key, col.score = key, min(col.score, ORDER_SCORE)
        notes.append(f"table 四: column title {doubtful[0].text!r} not recognised as a column of its own; placed "
                     f"under {', '.join(f'{group}.{k}' for k in order)} as the columns its group's other titles "
                     f"leave out, for review")
    return notes


def _flat(text: str) -> str:
    return " ".join(text.split())


def _litigation_fields(
    grid: Grid, r: int, values: list[Cell], issues: list[str], titles: dict[str, list[str]] | None
) -> dict[str, Field]:
    columns = read_columns(grid, r, values)
    if len(columns) != len(values):
        # no header above the row: by position, every field for a person to check
        issues.append("table 四: no column titles found above the row of 15 numbers; values placed by position need review")
        keys = [f"{g.key}.{c.key}" for g in LITIGATION_GROUPS for c in LITIGATION_COLUMNS]
        return {k: make_field(k, c, ValueType.INT, 1.0, 0.0) for k, c in zip(keys, values)}
    issues.extend(place_groups(columns))
    issues.extend(place_column_titles(columns))
    if titles is not None:
        titles["四"] = list(dict.fromkeys(c.text for c in columns))
    unknown: list[str] = []
    keyed: list[tuple[str, Cell, float]] = []
    for col in columns:
        if col.key is None or col.group is None:
            named = col.text if col.key is None else " / ".join(_flat(c.text) for c in col.chain)
            if named not in unknown:
                unknown.append(named)
            continue
        keyed.append((f"{col.group}.{col.key}", col.cell, min(col.score, col.group_score)))
    for named in unknown:
        issues.append(f"table 四: column title {named!r} is not a column of the format; its cells are not mapped")
    out: dict[str, Field] = {}
    twice = {k for k, _, _ in keyed if sum(1 for j, _, _ in keyed if j == k) > 1}
    for key, cell, score in keyed:
        if key in twice:  # never two columns with one key, and never one of them picked: a person decides
            if key not in out:
                issues.append(f"table 四: two columns are titled as {key}; neither is mapped")
            out[key] = missing_field(key, cell.source)
            continue
        out[key] = make_field(key, cell, ValueType.INT, 1.0, score)
    return out
