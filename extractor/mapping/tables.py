"""Grid → canonical fields: find tables 二, 三 and 四 among the grids and map their cells.

Rows of table 三 are aligned to the registry's rows in printed order (a small dynamic program
over label similarity), so a mistyped, wrapped or context-free label (a sub-row like
``3.其他`` whose group cell stayed on the previous page) still lands on the right key, and the
layout (2021 or 2019) follows from which rows were found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.mapping.labels import contains, similarity
from extractor.mapping.numbers import looks_numeric, parse_number
from models.extraction import Field, FieldStatus, Source
from models.fields import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    LITIGATION_COLUMNS,
    LITIGATION_GROUPS,
    Layout,
    RowSpec,
    Table,
    ValueType,
    field_map,
    registry,
)
from models.page import Cell, Grid

TABLES = (Table.ACTIVE, Table.APPLICATIONS, Table.LITIGATION)
N_APPLICANT = len(APPLICANT_COLUMNS)
N_LITIGATION = len(LITIGATION_GROUPS) * len(LITIGATION_COLUMNS)
MIN_ROW_SCORE = 0.55
MIN_ACTIVE_SCORE = 0.75


def mostly_numeric(cells: list[Cell], share: float = 0.7) -> bool:
    """A value row: most cells read as numbers (an OCR misread must not lose the whole row)."""
    numeric = sum(1 for c in cells if looks_numeric(c.text))
    return numeric >= max(1, round(share * len(cells))) and any(c.text.strip() for c in cells) or numeric == len(cells)


@dataclass
class ObservedRow:
    """A data row of table 三 as printed: its own label, the group labels around it, its values."""

    label: str
    context: str
    values: list[Cell]


@dataclass
class MappedTables:
    fields: dict[str, Field] = field(default_factory=dict)
    layout: Layout = Layout.L2021
    found_applications: bool = False
    issues: list[str] = field(default_factory=list)


def map_tables(tables: list[Grid]) -> MappedTables:
    out = MappedTables()
    app_index = find_applications_table(tables)
    if app_index is None:
        return out
    out.found_applications = True
    rows = observed_application_rows(tables[app_index])
    matches = align_rows(rows, APPLICATION_ROWS)
    out.layout = layout_of(m[1] for m in matches)
    specs = field_map(out.layout)
    for obs_i, spec_i, score in matches:
        spec_row = APPLICATION_ROWS[spec_i]
        if out.layout not in spec_row.layouts:
            out.issues.append(f"row {rows[obs_i].label!r} does not belong to the {out.layout} layout")
            continue
        for col, cell in zip(APPLICANT_COLUMNS, rows[obs_i].values):
            key = f"applications.{spec_row.key}.{col.key}"
            out.fields[key] = make_field(key, cell, specs[key].type, score)
    found = {APPLICATION_ROWS[s].key for _, s, _ in matches}
    for spec_row in APPLICATION_ROWS:
        if out.layout in spec_row.layouts and spec_row.key not in found:
            out.issues.append(f"table 三: row {spec_row.label} not found")
    active_grids = tables[:app_index] or tables
    out.fields.update(map_active(active_grids, out.issues))
    out.fields.update(map_litigation(tables[app_index + 1 :] + tables[: app_index + 1], out.issues))
    source = tables[app_index].cells[0].source if tables[app_index].cells else Source.TEXT
    for spec in registry(out.layout):  # every table field is present; those not found await a person
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


def own_cells(grid: Grid, row: int) -> list[Cell]:
    return grid.row_cells(row)


def observed_application_rows(grid: Grid) -> list[ObservedRow]:
    out: list[ObservedRow] = []
    for r in range(grid.n_rows):
        cells = grid.row_cells(r)
        if len(cells) < N_APPLICANT + 1:
            continue
        values = cells[-N_APPLICANT:]
        if any(c.row != r or c.row_span != 1 for c in values):
            continue
        if not mostly_numeric(values):
            continue
        labels = cells[:-N_APPLICANT]
        own = [c for c in labels if c.row == r and c.row_span == 1 and c.text.strip()]
        if own:
            label_cell = own[-1]
        else:  # a row whose only label is a merged cell starting here
            starting = [c for c in labels if c.text.strip()]
            if not starting:
                continue
            label_cell = starting[-1]
        context = "".join(c.text for c in labels if c is not label_cell)
        out.append(ObservedRow(label=label_cell.text, context=context, values=values))
    return out


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


def layout_of(spec_indexes) -> Layout:
    keys = {APPLICATION_ROWS[j].key for j in spec_indexes}
    if "other.total" in keys and not keys & {"other.no_supplement", "other.fee_unpaid", "other.other"}:
        return Layout.L2019
    return Layout.L2021


def missing_field(key: str, source: Source = Source.TEXT) -> Field:
    """A field the document should print but that was not found: a person must supply it."""
    return Field(
        key=key, value=None, raw="", confidence=0.0, status=FieldStatus.REVIEW, source=source,
        evidence={"ocr": 0.0, "structure": 0.0, "label": 0.0, "parsed": 0.0, "found": 0.0},
    )


def make_field(key: str, cell: Cell, type_: ValueType, label_score: float = 1.0) -> Field:
    parsed = parse_number(cell.text, type_)
    status = FieldStatus.OK if parsed.ok else FieldStatus.REVIEW
    return Field(
        key=key,
        value=parsed.value,
        raw=cell.text,
        confidence=cell.confidence if parsed.ok else 0.0,
        page=cell.page,
        bbox=cell.bbox,
        bbox_px=cell.bbox_px,
        dpi=cell.dpi,
        source=cell.source,
        status=status,
        alternatives=list(cell.alternatives),
        char_scores=list(cell.char_scores),
        evidence={"ocr": cell.confidence, "structure": cell.structure, "label": round(label_score, 3),
                  "parsed": 1.0 if parsed.ok else 0.0},
    )


def map_active(grids: list[Grid], issues: list[str]) -> dict[str, Field]:
    """Table 二: rows found by their label anywhere in the tables before table 三."""
    specs = field_map(Layout.L2021)
    found: dict[str, tuple[float, list[Cell]]] = {}
    for grid in grids:
        for r in range(grid.n_rows):
            cells = [c for c in grid.row_cells(r) if c.row == r]
            if len(cells) < 2:
                continue
            for row, columns in ACTIVE_ROWS:
                score = similarity(cells[0].text, row.label)
                values = cells[1 : 1 + len(columns)]
                if score < MIN_ACTIVE_SCORE or len(values) != len(columns):
                    continue
                # a row whose label matches keeps an unreadable value (it goes to review);
                # between two matching rows, the one with numbers wins
                rank = score + (0.5 if mostly_numeric(values) else 0.0)
                if rank > found.get(row.key, (0.0, []))[0]:
                    found[row.key] = (rank, values)
    out: dict[str, Field] = {}
    for row, columns in ACTIVE_ROWS:
        if row.key not in found:
            issues.append(f"table 二: row {row.label} not found")
            continue
        rank, values = found[row.key]
        for col, cell in zip(columns, values):
            key = f"active.{row.key}.{col}"
            out[key] = make_field(key, cell, specs[key].type, min(rank, 1.0))
    return out


def map_litigation(grids: list[Grid], issues: list[str]) -> dict[str, Field]:
    """Table 四: the one row of 15 numbers under the 行政复议 / 行政诉讼 header."""
    keys = [f"{g.key}.{c.key}" for g in LITIGATION_GROUPS for c in LITIGATION_COLUMNS]
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
                return {k: make_field(k, c, ValueType.INT) for k, c in zip(keys, values)}
    issues.append("table 四: the row of 15 numbers was not found")
    return {}
