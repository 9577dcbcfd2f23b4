"""Grid → canonical fields: find tables 二, 三 and 四 among the grids and map their cells.

Rows of table 三 are aligned to the registry's rows in printed order (a small dynamic program
over label similarity), so a mistyped, wrapped or context-free label (a sub-row like
``3.其他`` whose group cell stayed on the previous page) still lands on the right key, and the
layout (2021 or 2019) follows from which rows were found.

Columns, in every table, are mapped by the title printed above them (``titles``), never by
position: a value cell under a title the registry does not know goes nowhere, and the title is
named in the issues (the document then goes to review). A field is ``ok`` only when its row
label and its column title were both positively matched (``titles.POSITIVE``); a doubtful one
is kept for a person with status ``review``. When a table prints no column titles at all that
can be found (a header lost in a scan or split off into another grid), its values are placed by
position for a person to check: every such field is ``review`` and the issue says why.

Each table's layout is decided from what it prints: table 二 from its column titles
(``active``), table 三 from its rows; ``MappedTables.layouts`` records both. Table 四 is mapped
in ``litigation`` (by its titles too, its groups placed by the format's order only where a
misread leaves no other way, for review).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.mapping.active import map_active
from extractor.mapping.cell_field import make_field, missing_field
from extractor.mapping.labels import IDEOGRAPH, contains, similarity
from extractor.mapping.litigation import map_litigation
from extractor.mapping.numbers import looks_numeric, mostly_numeric
from extractor.mapping.titles import (ORDER_SCORE, POSITIVE, Title, ancestors, best_title, confirm_by_order,
                                      infer_by_order, leading_columns, split_joined_titles)
from models.extraction import Field, Source
from models.fields import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    Layout,
    RowSpec,
    Table,
    TableLayouts,
    field_map,
    registry,
)
from models.page import Cell, Grid

TABLES = (Table.ACTIVE, Table.APPLICATIONS, Table.LITIGATION)
N_APPLICANT = len(APPLICANT_COLUMNS)
MIN_ROW_SCORE = 0.55
NOISY_ROW_SCORE = 0.5  # a row taken by its label alone: below ``POSITIVE``, so each field goes to review
ORDER_ROW_SCORE = 0.5  # a garbled label placed by its order between two matched rows: review, never ok




@dataclass
class ObservedRow:
    """A data row of table 三 as printed: its own label, the group labels around it, its values
    (``mapped``: column key, cell, title score — only cells under a known title)."""

    label: str
    context: str
    values: list[Cell]
    mapped: list[tuple[str, Cell, float]] = field(default_factory=list)
    noisy: bool = False  # taken by its label though most of its cells do not read as numbers
    split: list[str] = field(default_factory=list)  # column keys over two cells of this row
    unread: bool = False  # a scan's row of numbers whose label cells read as nothing (``label`` "")


@dataclass
class MappedTables:
    fields: dict[str, Field] = field(default_factory=dict)
    layout: Layout = Layout.L2021  # table 三's (the relations follow it)
    layouts: TableLayouts = field(default_factory=TableLayouts)
    found_applications: bool = False
    issues: list[str] = field(default_factory=list)
    # printed cells that went nowhere (an unknown column title or row label) or were placed by
    # position: the document goes to review, and each message names what was not understood
    unmapped: list[str] = field(default_factory=list)
    titles: dict[str, list[str]] = field(default_factory=dict)  # table → printed column titles found


_APPLICANT_TITLES = [("2021", c) for c in APPLICANT_COLUMNS]


def map_tables(tables: list[Grid]) -> MappedTables:
    out = MappedTables()
    app_index = find_applications_table(tables)
    if app_index is None:
        return out
    out.found_applications = True
    grid = tables[app_index]
    columns, first_value = application_columns(grid, out.unmapped)
    out.titles["三"] = [t.text for t in unique(columns.values())]
    if not columns:
        out.unmapped.append("table 三: no column titles found above the values; values placed by position need review")
    rows = observed_application_rows(grid, columns, first_value)
    matches = align_rows(rows, APPLICATION_ROWS)
    out.layout = layout_by_order(rows, matches, layout_of(m[1] for m in matches))
    specs = field_map(out.layout)
    for obs_i, spec_i, _ in (placed := rows_by_order(rows, matches, out.layout)):
        out.issues.append(f"table 三: row label {rows[obs_i].label.strip()!r} is unreadable; placed by its order "
                          f"as {APPLICATION_ROWS[spec_i].label}, its fields need review")
    by_order = {obs_i for obs_i, _, _ in placed}
    matches = sorted(matches + placed)
    for obs_i, spec_i, score in matches:
        spec_row = APPLICATION_ROWS[spec_i]
        obs = rows[obs_i]
        if out.layout not in spec_row.layouts:
            out.issues.append(f"row {obs.label!r} does not belong to the {out.layout} layout")
            continue
        if score < POSITIVE and obs_i not in by_order:
            out.issues.append(f"table 三: row label {obs.label.strip()!r} is only a doubtful match for "
                              f"{spec_row.label} (score {score:.2f}); its fields need review")
        if obs.noisy:  # its numbers stand among cells read as ink that is no number: none is sure
            out.issues.append(f"table 三: row {spec_row.label} reads as values only in part; its fields need review")
            score = min(score, NOISY_ROW_SCORE)
        for col_key, cell, col_score in obs.mapped:
            key = f"applications.{spec_row.key}.{col_key}"
            out.fields[key] = make_field(key, cell, specs[key].type, score, col_score)
    split = sorted({f"{APPLICATION_ROWS[s].key}.{k}" for o, s, _ in matches for k in rows[o].split})
    if split:
        out.issues.append(f"table 三: {len(split)} cell(s) stand under one column title twice (a rule missing in "
                          f"the header, or a stray one among the values: {', '.join(split[:3])}…); they need review")
    found = {APPLICATION_ROWS[s].key for _, s, _ in matches}
    for spec_row in APPLICATION_ROWS:
        if out.layout in spec_row.layouts and spec_row.key not in found:
            out.issues.append(f"table 三: row {spec_row.label} not found")
    unknown_rows = [i for i, r in enumerate(rows) if i not in {m[0] for m in matches} and (r.label.strip() or r.unread)]
    for i in unknown_rows:
        if rows[i].unread:
            out.unmapped.append(f"table 三: a row of numbers whose label could not be read (row {i + 1} of the values); "
                                "its cells are not mapped")
            continue
        out.unmapped.append(f"table 三: row label {rows[i].label.strip()!r} is not a row of the format; "
                            "its cells are not mapped")
    active_grids = tables[:app_index] or tables
    active = map_active(active_grids, layout_hint=out.layout)  # no title read: guess table 三's format
    out.layouts = TableLayouts(active=active.layout, applications=out.layout)
    out.titles["二"] = active.titles
    out.fields.update(active.fields)
    out.issues.extend(active.issues)
    out.unmapped.extend(active.unmapped)
    if not active.found:
        out.issues.append("table 二: no row of the table was found")
    out.fields.update(
        map_litigation(tables[app_index + 1 :] + tables[: app_index + 1], out.issues, out.titles, out.unmapped)
    )
    source = grid.cells[0].source if grid.cells else Source.TEXT
    for spec in registry(out.layouts):  # every table field is present; those not found await a person
        if spec.table in TABLES and spec.key not in out.fields:
            out.fields[spec.key] = missing_field(spec.key, source)
    return out


def find_applications_table(tables: list[Grid]) -> int | None:
    best, best_score = None, 0
    for i, grid in enumerate(tables):
        text = grid.text()
        score = sum(
            contains(text, needle) for needle in ("本年新收", "上年结转", "予以公开", "不予公开", "结转下年度", "自然人")
        )
        if score > best_score:
            best, best_score = i, score
    return best if best_score >= 3 else None


def application_columns(grid: Grid, unmapped: list[str]) -> tuple[dict[int, Title], int]:
    """Grid column → its printed title in table 三's header (rows above the first value row), and
    that first value row. The columns are empty when no header can be found (no applicant title
    above the values)."""
    first_value = _first_value_row(grid)
    if first_value is None or first_value == 0:
        return {}, 0
    header = range(0, first_value)
    by_reading: dict[tuple[int, str], Title] = {}
    out: dict[int, Title] = {}
    known = False
    # every column right of the row labels that has a header cell over it: the value columns are
    # where the titles are (not where the first row happens to print numbers: a garbled cell there
    # must not shift the columns)
    for c in range(grid.n_cols):
        chain = ancestors(grid, header, c, c)
        if not chain:
            continue
        text, key, score, used = best_title(chain, _APPLICANT_TITLES)
        lowest = chain[0]
        t = by_reading.get((id(lowest), text))
        if t is None:
            t = by_reading[(id(lowest), text)] = Title(cell=lowest, key=key, score=score)
            t.reading = text
        known = known or key is not None
        out[c] = t
    first_known = min((c for c, t in out.items() if t.key is not None), default=None)
    header = out
    if first_known is not None:
        # the label area (the note, 申请人情况's left) is not a value column
        out = {c: t for c, t in out.items() if c >= first_known and t.cell.col >= first_known}
    if not known:  # no applicant title at all over the values: there is no header to go by
        return {}, 0
    order = [c.key for c in APPLICANT_COLUMNS]
    split_joined_titles(out, list(APPLICANT_COLUMNS))  # two titles in one cell over their two columns
    confirm_by_order(out, order)  # a title read in part where its place puts that very column
    for t in infer_by_order(out, order):  # a scanned title misread past recognition
        unmapped.append(f"table 三: column title {t.text!r} not recognised; its values are placed under "
                        f"{t.key} by where it stands among the titles read, for review")
    lead = leading_columns(grid, header, out, first_value, order)
    for c, t in lead.items():
        unmapped.append(f"table 三: no title read over grid column {c}; its values are placed under "
                        f"{t.key} by where numbers stand left of the titles read, for review")
    out = dict(sorted({**out, **lead}.items()))
    for t in unique(out.values()):
        if t.key is None:
            unmapped.append(f"table 三: column title {t.text!r} is not a column of the format; its cells are not mapped")
    return out, first_value


def unique(titles) -> list[Title]:
    out: list[Title] = []
    for t in titles:
        if all(t is not s for s in out):
            out.append(t)
    return out


def _first_value_row(grid: Grid) -> int | None:
    """The first row of table 三 below its header: the first whose trailing cells read as three
    numbers or more (``_value_run``), or whose own label names a row of the format with three
    numbers in it. A header never holds a row's label: a seal's words over 本年新收's middle
    cells (read 分, #, D) broke its run of numbers, and the row was taken into the header and
    lost with all seven fields (corpus 2024 scan, faded + stamp_numbers seed 5102)."""
    for r in range(grid.n_rows):
        if len(_value_run(grid, r)) >= 3 or _names_a_row(grid, r):
            return r
    return None


def _names_a_row(grid: Grid, r: int) -> bool:
    """Row ``r``'s first own cell (of this row alone) positively names a row of table 三, and three
    of its own cells or more read as numbers."""
    own = [c for c in grid.row_cells(r) if c.row == r and c.row_span == 1]
    label = next((c for c in own if c.text.strip()), None)
    if label is None or sum(1 for c in own if looks_numeric(c.text)) < 3:
        return False
    return _label_is_row(ObservedRow(label=label.text, context="", values=[]))


def _value_run(grid: Grid, r: int) -> list[Cell]:
    """The trailing cells of row ``r`` that read as numbers (the row's values), left to right. A
    cell between two numbers whose few marks are no number and no word (``garbled``: a fax's 4
    with its slant lost read '+') stays in the run: one such cell took 本年新收's row for a
    header row, and the header's titles from it (fax seed 1302)."""
    cells = [c for c in grid.row_cells(r) if c.row == r and c.row_span == 1]
    run: list[Cell] = []
    pending: list[Cell] = []  # a garbled cell, in the run once a number stands left of it
    for c in reversed(cells):
        if looks_numeric(c.text):
            run.extend(pending)
            pending = []
            run.append(c)
        elif run and not pending and garbled(c.text):
            pending.append(c)
        else:
            break
    run.reverse()
    if not any(c.text.strip() for c in run):
        return []
    return run


GARBLED_CHARS = 2  # a value cell's garble is a glyph or two, not a word


def garbled(text: str) -> bool:
    """A few marks read as neither digits nor letters nor ideographs ('+', '.', "'"): a value
    cell's ink the recogniser could not make into a number (a broken glyph), not a title or a
    label (those hold words)."""
    t = text.strip()
    return 0 < len(t) <= GARBLED_CHARS and not any(ch.isalnum() for ch in t)


def observed_application_rows(
    grid: Grid, columns: dict[int, Title] | None = None, first_value: int = 0
) -> list[ObservedRow]:
    """Table 三's value rows. With ``columns`` (the header's titles), a row's values are the cells
    under the titled columns, each mapped by its title; without, the last seven cells by position."""
    columns = columns or {}
    first_titled = min(columns) if columns else None
    out: list[ObservedRow] = []
    for r in range(first_value, grid.n_rows):  # the header's rows are not value rows
        cells = grid.row_cells(r)
        if first_titled is not None:
            values = [c for c in cells if c.col >= first_titled]
            labels = [c for c in cells if c.last_col < first_titled]
            if not values or any(c.row != r or c.row_span != 1 for c in values) or not labels:
                continue
        else:
            if len(cells) < N_APPLICANT + 1:
                continue
            values = cells[-N_APPLICANT:]
            labels = cells[:-N_APPLICANT]
            if any(c.row != r or c.row_span != 1 for c in values):
                continue
        own = [c for c in labels if c.row == r and c.row_span == 1 and c.text.strip()]
        if len(own) > 1:  # a seal's faint remains read as a "label" beside the real one (曾多 at 0.01)
            own = [c for c in own if not _unreadable(c)] or own
        if own:
            label_cell = own[-1]
        else:  # a row whose only label is a merged cell starting here
            starting = [c for c in labels if c.text.strip()]
            label_cell = starting[-1] if starting else None
        if label_cell is None and not _unread_label_row(values):
            continue
        context = "".join(c.text for c in labels if c is not label_cell)
        obs = ObservedRow(label=label_cell.text if label_cell else "", context=context, values=values,
                          unread=label_cell is None)
        if not mostly_numeric(values):
            # blank cells read as dust (a scan's specks, 150 dpi): the row is known by its label
            # alone, when that is a registry row's; its fields are kept for a person, never ``ok``
            if not any(c.text.strip() for c in values) or not _label_is_row(obs):
                continue
            obs.noisy = True
        if first_titled is not None:
            taken: dict[str, int] = {}  # key → its place in obs.mapped
            for cell in values:
                over = {id(columns[c]): columns[c] for c in range(cell.col, cell.last_col + 1) if c in columns}
                if len(over) == 1:
                    (t,) = over.values()
                    if t.key is None:
                        continue
                    if t.key in taken:  # one title over two cells of the row: ``_split_under_title``
                        _split_under_title(obs, taken[t.key], cell)
                        continue
                    taken[t.key] = len(obs.mapped)
                    obs.mapped.append((t.key, cell, t.score))
        else:  # no header found: by position, and a person checks every one (score 0)
            obs.mapped = [(col.key, cell, 0.0) for col, cell in zip(APPLICANT_COLUMNS, values)]
        out.append(obs)
    _doubt_spanning_cells(out)
    return out


def _unread_label_row(values: list[Cell]) -> bool:
    """A row whose label cells all read as nothing is kept, label "", when it is a scan's (every
    value read by OCR) and holds a number: a label a fax at 150 dpi left illegible (（七）总计,
    fax+dpi150 seed 41004), placed by its order between rows read (``rows_by_order``) or
    reported unmapped — never dropped unseen. A text layer's row with no label is no such row."""
    return all(c.source == Source.OCR for c in values) and any(c.text.strip()[:1].isdigit() for c in values)


def _doubt_spanning_cells(rows: list[ObservedRow]) -> None:
    """Where some row holds two cells under one title (``_split_under_title``), a row whose one
    cell spans that title's columns is no surer: the rule between them missing there too, its
    number may be either column's (其他's number under 法律服务机构). Its mapping is doubted."""
    split = {key for row in rows for key in row.split}
    for row in rows:
        for k, (key, cell, score) in enumerate(row.mapped):
            if key in split and cell.col_span > 1 and key not in row.split:
                row.mapped[k] = (key, cell, min(score, ORDER_SCORE))
                row.split.append(key)


def _split_under_title(obs: ObservedRow, k: int, cell: Cell) -> None:
    """A second cell of the row under the title of ``obs.mapped[k]``: which of the two is the
    title's number cannot be known — a rule missing between 法律服务机构 and 其他 in the header,
    其他 unread (a seal over it; read, the two are split: ``titles.split_joined_titles``), puts
    a title over two columns of numbers; a stray rule (a seal's arc) splits a value cell in two;
    two titles read as one key (其他, 其他). The cell with text is
    kept (a blank half would read as 0), its mapping doubted (``ORDER_SCORE``: never ``ok``)."""
    key, kept, score = obs.mapped[k]
    if cell.text.strip() and not kept.text.strip():
        kept = cell
    obs.mapped[k] = (key, kept, min(score, ORDER_SCORE))
    if key not in obs.split:
        obs.split.append(key)


UNREADABLE = 0.05  # a scanned label cell read at under this score is no reading at all


def _unreadable(cell: Cell) -> bool:
    """A scanned cell read at under ``UNREADABLE``, or with no ideograph (every label of the
    format has words): a seal's faint remains or dust in an empty part of a merged label cell
    (the grid cut （六）其他处理's cell in two; the empty half read 曾多 at 0.013, or i, taken as
    the row's label: the row was lost, corpus faded+stamp_numbers 6109, 6114)."""
    return cell.source == Source.OCR and (cell.confidence < UNREADABLE or not IDEOGRAPH.search(cell.text))


def _label_is_row(row: ObservedRow) -> bool:
    """The row's own label positively names a row of table 三 (``titles.POSITIVE``)."""
    return max(row_score(row, spec) for spec in APPLICATION_ROWS) >= POSITIVE


def row_score(row: ObservedRow, spec: RowSpec) -> float:
    score = max([similarity(row.label, spec.label)] + [similarity(row.label, a) for a in spec.aliases])
    if spec.group and row.context and contains(row.context, spec.group):
        score += 0.05
    return score


def align_rows(rows: list[ObservedRow], specs: tuple[RowSpec, ...]) -> list[tuple[int, int, float]]:
    """Match observed rows to registry rows, both in printed order, maximising total similarity."""
    n, m = len(rows), len(specs)
    scores = [[row_score(rows[i], specs[j]) for j in range(m)] for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = scores[i][j] + best[i + 1][j + 1] if scores[i][j] >= MIN_ROW_SCORE else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[tuple[int, int, float]] = []
    i = j = 0
    while i < n and j < m:
        s = scores[i][j]
        if s >= MIN_ROW_SCORE and abs(best[i][j] - (s + best[i + 1][j + 1])) < 1e-9:
            out.append((i, j, min(s, 1.0)))
            i, j = i + 1, j + 1
        elif abs(best[i][j] - best[i + 1][j]) < 1e-9:
            i += 1
        else:
            j += 1
    return out


def rows_by_order(
    rows: list[ObservedRow], matches: list[tuple[int, int, float]], layout: Layout
) -> list[tuple[int, int, float]]:
    """Rows whose label was garbled (a seal, a stain over the label column) placed by printed order.

    Between two consecutive matched rows (``align_rows``'s (observed, registry, score) triples,
    in order), when the observed rows left unmatched with a printed label are exactly as many as
    the ``layout``'s registry rows left unmatched there, they are paired in order. A row is never
    placed at the table's ends (no matched row on one side bounds its place), nor read from a text
    layer (its label is what is printed: another row, unmapped as issue 11 has it). Each placed row has
    score ``ORDER_ROW_SCORE`` (below ``POSITIVE``): its fields go to review, never ``ok``.
    Returns the new (observed index, registry index, score) triples."""
    out: list[tuple[int, int, float]] = []
    for (i0, j0, _), (i1, j1, _) in zip(matches, matches[1:]):
        garbled = [i for i in range(i0 + 1, i1) if (rows[i].label.strip() or rows[i].unread)
                   and rows[i].values and all(c.source == Source.OCR for c in rows[i].values)]
        missing = [j for j in range(j0 + 1, j1) if layout in APPLICATION_ROWS[j].layouts]
        if garbled and len(garbled) == len(missing) and i1 - i0 - 1 == len(garbled):
            out.extend((i, j, ORDER_ROW_SCORE) for i, j in zip(garbled, missing))
    return out


def layout_by_order(rows: list[ObservedRow], matches: list[tuple[int, int, float]], layout: Layout) -> Layout:
    """Table 三's layout when no row of （六）其他处理 was read (its label garbled on a scan, 其他
    处理 read 也处理): the layout whose （六） rows the garbled rows between the rows read fill in
    printed order (``rows_by_order``: one row, 2019; three, 2021), else ``layout`` (the default
    ``layout_of`` gave). LibreOffice seed 2002: a 2019 table taken for 2021, its
    ``applications.other.total.*`` never produced. A （六） row read decides: ``layout`` stands."""
    if any(APPLICATION_ROWS[j].key.startswith("other.") for _, j, _ in matches):
        return layout
    for candidate in (Layout.L2019, Layout.L2021):
        if any(APPLICATION_ROWS[j].key.startswith("other.") for _, j, _ in rows_by_order(rows, matches, candidate)):
            return candidate
    return layout


def layout_of(spec_indexes) -> Layout:
    keys = {APPLICATION_ROWS[j].key for j in spec_indexes}
    if "other.total" in keys and not keys & {"other.no_supplement", "other.fee_unpaid", "other.other"}:
        return Layout.L2019
    return Layout.L2021
