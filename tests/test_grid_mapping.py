"""Grid building, page-break closing, stitching and row alignment on small hand-made inputs."""

from __future__ import annotations

from extractor.grid.cells import cluster_positions, grid_from_boxes
from extractor.grid.stitch import stitch_tables
from extractor.layout.text_page import close_open_ends
from extractor.mapping.tables import ObservedRow, align_rows, layout_of, map_tables, rows_by_order
from models.extraction import BBox, Source
from models.fields import APPLICANT_COLUMNS, APPLICATION_ROWS, Layout, ValueType, application_rows
from models.page import Cell, Grid, PageContent, PageKind, TextLine


def test_cluster_positions_merges_close_rules():
    assert cluster_positions([10.0, 10.8, 50.0, 51.5, 90.0], 2.0) == [10.4, 50.75, 90.0]


def test_grid_from_boxes_gives_spans():
    # a 2x3 grid whose left column is one merged cell
    boxes = [(0, 0, 10, 20), (10, 0, 20, 10), (20, 0, 30, 10), (10, 10, 20, 20), (20, 10, 30, 20)]
    g = grid_from_boxes(boxes, page=1)
    assert (g.n_rows, g.n_cols) == (2, 3)
    merged = g.cells[0]
    assert (merged.row, merged.col, merged.row_span, merged.col_span) == (0, 0, 2, 1)
    assert [c.col for c in g.row_cells(1)] == [0, 1, 2]  # the merged cell covers row 1 too


def _line(x0, top, x1, bottom):
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}


def test_open_table_end_is_closed_at_a_page_break():
    rules = [_line(0, 0, 100, 0), _line(0, 20, 100, 20)] + [_line(x, 0, x, 60) for x in (0, 50, 100)]
    added = close_open_ends(rules)
    assert len(added) == 1 and added[0]["top"] == 60 and added[0]["x0"] == 0 and added[0]["x1"] == 100


def _row_cells(row: int, page: int, label: str, values: list[str], top: float, label_x0: float = 0) -> list[Cell]:
    cells = [Cell(row=row, col=1, page=page, bbox=BBox(x0=label_x0 + 40, top=top, x1=100, bottom=top + 10), text=label)]
    for i, v in enumerate(values):
        x0 = 100 + 20 * i
        cells.append(Cell(row=row, col=2 + i, page=page, bbox=BBox(x0=x0, top=top, x1=x0 + 20, bottom=top + 10), text=v))
    return cells


def _table(rows: list[tuple[str, list[str]]], page: int, first_row: int = 0) -> Grid:
    cells: list[Cell] = []
    for i, (label, values) in enumerate(rows):
        cells += _row_cells(i, page, label, values, top=100 + 10 * i)
    col_edges = [40.0, 100.0] + [100.0 + 20 * (i + 1) for i in range(7)]
    return Grid(cells=cells, n_rows=len(rows), n_cols=8, pages=[page], bbox=BBox(x0=40, top=100, x1=240, bottom=100 + 10 * len(rows)), col_edges=col_edges)


def _report_rows(layout: Layout):
    rows = []
    for spec in application_rows(layout):
        values = [str(i) for i in range(1, 7)] + ["21"]
        rows.append((spec.label, values))
    return rows


def test_map_tables_over_a_page_break_with_typos_and_2019_layout():
    rows = _report_rows(Layout.L2019)
    rows[5] = ("2.其他法律行政止公开", rows[5][1])  # a real typo
    rows[18] = ("4.无正当理由大量反复 申请", ["—", "", "/", "无", "-", "0", "0"])  # blank/dash zeros
    first, second = _table(rows[:10], page=3), _table(rows[10:], page=4)
    pages = [
        PageContent(number=3, width=595, height=842, kind=PageKind.TEXT, grids=[first]),
        PageContent(number=4, width=595, height=842, kind=PageKind.TEXT, grids=[second],
                    lines=[TextLine(text="四、政府信息公开行政复议、行政诉讼情况", bbox=BBox(x0=0, top=400, x1=100, bottom=410), page=4)]),
    ]
    tables = stitch_tables(pages)
    assert len(tables) == 1 and tables[0].pages == [3, 4] and tables[0].n_rows == 23
    mapped = map_tables(tables)
    assert mapped.found_applications and mapped.layout == Layout.L2019
    assert mapped.fields["applications.denied.prohibited_by_law.total"].value == 21
    assert mapped.fields["applications.other.total.natural_person"].value == 1
    dash = mapped.fields["applications.not_processed.excessive.natural_person"]
    assert dash.value == 0 and dash.raw == "—"
    assert mapped.fields["applications.carried_forward.total"].page == 4
    assert not any(k.startswith("applications.other.no_supplement") for k in mapped.fields)


def test_alignment_uses_order_for_context_free_sub_rows():
    labels = [r.label for r in application_rows(Layout.L2021)]
    rows = [ObservedRow(label=lab, context="", values=[]) for lab in labels]
    rows[22] = ObservedRow(label="3、其他", context="", values=[])  # other.other, its group cell elsewhere
    matches = align_rows(rows, APPLICATION_ROWS)
    keys = [APPLICATION_ROWS[j].key for _, j, _ in matches]
    assert keys == [r.key for r in application_rows(Layout.L2021)]
    assert layout_of(j for _, j, _ in matches) == Layout.L2021
    assert len(APPLICANT_COLUMNS) == 7


def test_scanned_parts_shifted_a_few_points_still_stitch_and_unreadable_cells_go_to_review():
    rows = _report_rows(Layout.L2021)
    rows[3] = (rows[3][0], ["1", "O", "0", "0", "0", "0", "1"])  # an OCR misread: the row must stay
    first, second = _table(rows[:12], page=2), _table(rows[12:], page=3)
    for cell in second.cells:  # the next page's scan sits 5 points to the right
        cell.bbox = BBox(x0=cell.bbox.x0 + 5, top=cell.bbox.top, x1=cell.bbox.x1 + 5, bottom=cell.bbox.bottom)
    second.col_edges = [x + 5 for x in second.col_edges]
    pages = [
        PageContent(number=2, width=595, height=842, kind=PageKind.SCAN, grids=[first]),
        PageContent(number=3, width=595, height=842, kind=PageKind.SCAN, grids=[second]),
    ]
    tables = stitch_tables(pages)
    assert len(tables) == 1
    mapped = map_tables(tables)
    misread = mapped.fields["applications.partially_granted.commercial_enterprise"]
    # the 0 it looks like, as a candidate a person confirms (misread_zero): never ok
    assert misread.value == 0 and misread.raw == "O" and misread.status.value == "review"
    assert mapped.fields["applications.partially_granted.total"].value == 1
    # table 四 and 二 are absent here: their fields are present, empty, and await a person
    absent = mapped.fields["review.total"]
    assert absent.value is None and absent.status.value == "review" and absent.confidence == 0.0


def test_table_four_printed_all_blank_is_fifteen_zeros():
    from extractor.mapping.tables import map_litigation

    def cell(row, col, text, span=1, rows=1):
        return Cell(row=row, col=col, page=4, bbox=BBox(x0=10 * col, top=10 * row, x1=10 * (col + span), bottom=10 * (row + rows)),
                    text=text, col_span=span, row_span=rows)

    header = [cell(0, 0, "行政复议", 5, 2), cell(0, 5, "行政诉讼", 10), cell(1, 5, "未经复议直接起诉", 5), cell(1, 10, "复议后起诉", 5)]
    titles = [cell(2, g * 5 + j, t) for g in range(3) for j, t in enumerate(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))]
    blanks = [cell(3, i, "") for i in range(15)]
    grid = Grid(cells=header + titles + blanks, n_rows=4, n_cols=15, pages=[4])
    issues: list[str] = []
    fields = map_litigation([grid], issues)
    assert issues == [] and len(fields) == 15
    assert all(f.value == 0 and f.raw == "" for f in fields.values())
    assert fields["litigation_after_review.pending"].bbox.x0 == 130


def _warp(grid: Grid, f) -> None:
    """Move every x of ``grid`` through ``f`` and mark its cells as read from a scan."""
    from models.extraction import Source

    for cell in grid.cells:
        cell.bbox = BBox(x0=f(cell.bbox.x0), top=cell.bbox.top, x1=f(cell.bbox.x1), bottom=cell.bbox.bottom)
        cell.source = Source.OCR
    grid.col_edges = [f(x) for x in grid.col_edges]


def test_scanned_parts_with_uneven_scales_stitch_in_relative_terms():
    # a photographed page, straightened on its own: the next page's label column keeps its
    # width, its value columns come out 6 % wider, the table 5 % wider — one scale for the
    # whole table would put its inner rules 5-8 points off the first part's
    rows = _report_rows(Layout.L2021)
    first, second = _table(rows[:12], page=2), _table(rows[12:], page=3)
    for part in (first, second):
        for cell in part.cells:
            cell.source = cell.source.__class__("ocr")
    _warp(second, lambda x: x + 3 if x <= 100 else 103 + (x - 100) * 1.06)
    pages = [PageContent(number=2, width=595, height=842, kind=PageKind.SCAN, grids=[first]),
             PageContent(number=3, width=595, height=842, kind=PageKind.SCAN, grids=[second])]
    tables = stitch_tables(pages)
    assert len(tables) == 1 and tables[0].n_cols == 8  # no column doubled by the uneven scale
    mapped = map_tables(tables)
    assert mapped.fields["applications.carried_forward.total"].value == 21
    assert mapped.fields["applications.carried_forward.total"].page == 3
    assert mapped.fields["applications.carried_forward.natural_person"].value == 1


def test_scanned_tables_whose_rules_stand_elsewhere_are_not_joined():
    rows = _report_rows(Layout.L2021)
    first, second = _table(rows[:12], page=2), _table(rows[12:], page=3)
    for cell in first.cells:
        cell.source = cell.source.__class__("ocr")
    # same width, same number of rules, but the label column is twice as wide: another table
    _warp(second, lambda x: 40 + (x - 40) * 2 if x <= 100 else 160 + (x - 100) * 80 / 140)
    pages = [PageContent(number=2, width=595, height=842, kind=PageKind.SCAN, grids=[first]),
             PageContent(number=3, width=595, height=842, kind=PageKind.SCAN, grids=[second])]
    assert len(stitch_tables(pages)) == 2


def _tilted(box: BBox, degrees: float, w: float = 595, h: float = 842) -> BBox:
    """``box``'s axis-aligned hull after the page is turned ``degrees`` counter-clockwise
    (y down) about its centre: how a skewed scan's boxes come out (the page as rendered)."""
    import math

    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    pts = [(x, y) for x in (box.x0, box.x1) for y in (box.top, box.bottom)]
    out = [(w / 2 + c * (x - w / 2) + s * (y - h / 2), h / 2 - s * (x - w / 2) + c * (y - h / 2)) for x, y in pts]
    return BBox(x0=min(p[0] for p in out), top=min(p[1] for p in out), x1=max(p[0] for p in out),
                bottom=max(p[1] for p in out))


def test_a_heading_under_a_table_on_a_skewed_scan_keeps_the_next_table_apart():
    """A 3° tilt widens every box of the page as rendered: the heading printed just under
    table 二's last row stands inside that row's box. Read by centres on the deskewed page it
    is still between the tables, and table 二 is not joined to table 三 on the next page
    (seen on a generated scan: table 三's 175 fields went to review under table 二's header)."""
    rows = [(f"第{i}行", ["1", "2", "3"]) for i in range(4)]
    first = _table(rows, page=1)
    heading = TextLine(text="三、收到和处理政府信息公开申请情况", bbox=BBox(x0=40, top=143, x1=200, bottom=153), page=1)
    for cell in first.cells:
        cell.bbox = _tilted(cell.bbox, 3.0)
    heading.bbox = _tilted(heading.bbox, 3.0)
    first.bbox = BBox(x0=min(c.bbox.x0 for c in first.cells), top=min(c.bbox.top for c in first.cells),
                      x1=max(c.bbox.x1 for c in first.cells), bottom=max(c.bbox.bottom for c in first.cells))
    assert heading.bbox.top < first.bbox.bottom  # inside the table's box as rendered
    second = _table(rows, page=2)
    pages = [PageContent(number=1, width=595, height=842, kind=PageKind.SCAN, grids=[first], lines=[heading], skew=-3.0),
             PageContent(number=2, width=595, height=842, kind=PageKind.SCAN, grids=[second])]
    assert len(stitch_tables(pages)) == 2
    pages[0].lines = []  # no heading: the same parts continue each other
    assert len(stitch_tables(pages)) == 1


def test_a_row_of_blank_cells_read_as_dust_is_found_by_its_label_and_all_its_fields_reviewed():
    # a 150 dpi scan of a report printing 0 as an empty cell: specks in the empty cells read as
    # strays, so most of the row reads as no number; its label still names the row (issue 13)
    rows = _report_rows(Layout.L2021)
    rows[4] = (rows[4][0], ["", "•", "è.", "", "·4", "★", "1"])  # 1.属于国家秘密
    mapped = map_tables([_table(rows, page=2)])
    assert not any("属于国家秘密 not found" in i for i in mapped.issues)
    fields = {c.key: mapped.fields[f"applications.denied.state_secret.{c.key}"] for c in APPLICANT_COLUMNS}
    assert fields["natural_person"].value == 0 and fields["total"].value == 1
    assert fields["commercial_enterprise"].value is None and fields["commercial_enterprise"].raw == "•"
    assert all(f.status.value == "review" for f in fields.values())  # no cell of such a row is sure
    assert mapped.fields["applications.denied.prohibited_by_law.total"].value == 21  # its neighbours stay
    # a row whose label is no row of the table is not taken for one by its label
    rows[4] = ("•·", rows[4][1])
    mapped = map_tables([_table(rows, page=2)])
    assert mapped.fields["applications.denied.state_secret.total"].value is None


def test_a_stray_in_the_empty_header_cell_under_a_title_spanning_two_columns_hides_no_title():
    # a report whose 自然人 spans its own column and 商业企业's, the cell under it empty; a scan
    # reads the rule's fragment there as "/": the 自然人 column must keep its title (issue 13)
    def cell(row, col, text, col_span=1, row_span=1):
        return Cell(row=row, col=col, col_span=col_span, row_span=row_span, page=4, text=text,
                    bbox=BBox(x0=100 + 20 * col, top=10 * row, x1=100 + 20 * (col + col_span), bottom=10 * (row + row_span)))
    titles = ["/", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    cells = [cell(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和）", row_span=3), cell(0, 1, "申请人情况", col_span=7),
             cell(1, 1, "自然人", col_span=2), cell(1, 3, "法人或其他组织", col_span=4), cell(1, 7, "总计", row_span=2)]
    cells += [cell(2, 1 + i, t) for i, t in enumerate(titles)]
    rows = _report_rows(Layout.L2021)
    for r, (label, values) in enumerate(rows, start=3):
        cells += [cell(r, 0, label)] + [cell(r, 1 + i, v) for i, v in enumerate(values)]
    grid = Grid(cells=cells, n_rows=3 + len(rows), n_cols=8, pages=[4], bbox=BBox(x0=100, top=0, x1=260, bottom=10 * (3 + len(rows))))
    mapped = map_tables([grid])
    first = mapped.fields["applications.received.natural_person"]
    assert first.value == 1 and first.status.value == "ok"
    assert mapped.fields["applications.received.commercial_enterprise"].value == 2
    assert mapped.fields["applications.carried_forward.total"].value == 21
    assert not any(i.startswith("table 三") for i in mapped.issues + mapped.unmapped)


def test_a_value_cell_read_as_no_number_takes_the_recognisers_next_reading_in_review():
    """A 无 a 150 dpi fax wore down is read 尤 first and 无 second: the field is the 0 the second
    reading is, for a person to confirm (never ok); with no number among its alternatives, a
    whole cell read 尤 is a worn 无 still (0, in review); another glyph stays empty, and a
    text-layer cell has none to take."""
    from extractor.mapping.tables import make_field
    from models.extraction import Alternative, Source

    def cell(text, alts, source=Source.OCR):
        return Cell(row=0, col=0, page=2, bbox=BBox(x0=0, top=0, x1=10, bottom=10), text=text, confidence=0.84,
                    source=source, alternatives=[Alternative(text=t, score=s) for t, s in alts])

    worn = make_field("applications.granted.natural_person", cell("尤", [("光", 0.2), ("无", 0.14)]), ValueType.INT)
    assert worn.value == 0 and worn.raw == "尤" and worn.status.value == "review"
    # no number among the alternatives: a whole cell read 尤 is the worn 无 still (fax seed 1302)
    lost = make_field("applications.granted.natural_person", cell("尤", [("光", 0.2)]), ValueType.INT)
    assert lost.value == 0 and lost.status.value == "review"
    other = make_field("applications.granted.natural_person", cell("光", [("尢", 0.2)]), ValueType.INT)
    assert other.value is None and other.status.value == "review"
    text = make_field("applications.granted.natural_person", cell("尤", [("无", 0.1)], Source.TEXT), ValueType.INT)
    assert text.value is None
    assert make_field("applications.granted.natural_person", cell("7", [("1", 0.3)]), ValueType.INT).value == 7


def test_garbled_labels_between_two_matched_rows_are_placed_by_order_for_review():
    # a seal stamped over table 三's label column garbles five labels (grey+stamp_numbers, issue
    # 13): each lies between two rows that read, so its place in the format's order is known
    rows = _report_rows(Layout.L2021)
    index = {spec.key: i for i, spec in enumerate(application_rows(Layout.L2021))}
    for key, garbled in (("not_processed.publications", "—"), ("not_processed.excessive", "布场"),
                         ("other.no_supplement", "政关不再"), ("other.fee_unpaid", "2公用、行政"), ("other.other", "1")):
        rows[index[key]] = (garbled, rows[index[key]][1][:-1] + [str(30 + index[key])])
    scanned = _table(rows, page=2)
    for c in scanned.cells:
        c.source = Source.OCR
    mapped = map_tables([scanned])
    for key in ("not_processed.publications", "not_processed.excessive", "other.no_supplement",
                "other.fee_unpaid", "other.other"):
        f = mapped.fields[f"applications.{key}.total"]
        assert f.value == 30 + index[key] and f.status.value == "review", key
    assert not any(i.startswith("table 三") and "not found" in i for i in mapped.issues)
    assert any("placed by its order" in i for i in mapped.issues)
    assert mapped.fields["applications.not_processed.repeated.total"].value == 21  # neighbours stay
    # a text layer prints its labels: one the format does not have is another row, not placed
    printed = map_tables([_table(rows, page=2)])
    assert printed.fields["applications.other.other.total"].value is None
    assert not any("placed by its order" in i for i in printed.issues)


def test_a_garbled_label_is_not_placed_when_its_gap_holds_more_rows_than_the_format():
    labels = [r.label for r in application_rows(Layout.L2021)]
    _read = [Cell(row=0, col=1, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text="1", source=Source.OCR)]
    rows = [ObservedRow(label=lab, context="", values=_read) for lab in labels]
    rows[18] = ObservedRow(label="布场", context="", values=_read)  # in place of one row ...
    rows.insert(18, ObservedRow(label="注：", context="", values=_read))  # ... and a row the format has not
    matches = align_rows(rows, APPLICATION_ROWS)
    assert rows_by_order(rows, matches, Layout.L2021) == []  # two rows for one place: none is guessed
    rows = [ObservedRow(label=lab, context="", values=_read) for lab in labels]
    rows[0] = ObservedRow(label="布场", context="", values=_read)  # at the table's head: no row bounds it
    matches = align_rows(rows, APPLICATION_ROWS)
    assert rows_by_order(rows, matches, Layout.L2021) == []
    rows[0] = ObservedRow(label=labels[0], context="", values=_read)
    rows[18] = ObservedRow(label="布场", context="", values=_read)  # between two rows that read: placed
    matches = align_rows(rows, APPLICATION_ROWS)
    assert [(i, APPLICATION_ROWS[j].key) for i, j, _ in rows_by_order(rows, matches, Layout.L2021)] == [
        (18, application_rows(Layout.L2021)[18].key)]


def test_a_garbled_sixth_row_decides_the_layout_by_how_many_rows_stand_in_its_place():
    """（六）其他处理 read 也处理 on a LibreOffice scan (soffice seed 2002): no row of （六） read,
    the 2021 layout was assumed by default, its three rows were "not found" and the 2019 row's
    seven fields never produced. One garbled row in （六）'s place: 2019; three: 2021."""
    _read = [Cell(row=0, col=1, page=1, bbox=BBox(x0=0, top=0, x1=1, bottom=1), text="0", source=Source.OCR)]
    for layout, garbled in ((Layout.L2019, ["也处理"]), (Layout.L2021, ["也处理", "布场", "尢"])):
        rows = []
        for spec in application_rows(layout):
            if spec.key.startswith("other."):
                if spec.key in ("other.total", "other.no_supplement"):
                    rows += [ObservedRow(label=g, context="", values=_read) for g in garbled]
                continue
            rows.append(ObservedRow(label=spec.label, context="", values=_read))
        grid_rows = [(r.label, ["0"] * 7) for r in rows]
        scanned = _table(grid_rows, page=2)
        for c in scanned.cells:
            c.source = Source.OCR
        mapped = map_tables([scanned])
        assert mapped.layout == layout, garbled
        key = "applications.other.total.total" if layout == Layout.L2019 else "applications.other.other.total"
        assert mapped.fields[key].value == 0 and mapped.fields[key].status.value == "review"


def test_a_seals_words_over_the_first_rows_middle_cells_keep_it_out_of_the_header():
    # a seal over 本年新收's middle cells: they read 0分, #, D, so the run of numbers at the
    # row's end was two long, the row was taken into the header and its seven fields were lost
    # (corpus 2024 scan, faded + stamp_numbers seed 5102). A header holds no row's label.
    def cell(row, col, text, col_span=1, row_span=1):
        return Cell(row=row, col=col, col_span=col_span, row_span=row_span, page=4, text=text,
                    bbox=BBox(x0=100 + 20 * col, top=10 * row, x1=100 + 20 * (col + col_span), bottom=10 * (row + row_span)))
    titles = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    cells = [cell(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和）", row_span=3), cell(0, 1, "申请人情况", col_span=7),
             cell(1, 1, "自然人", row_span=2), cell(1, 2, "法人或其他组织", col_span=5), cell(1, 7, "总计", row_span=2)]
    cells += [cell(2, 2 + i, t) for i, t in enumerate(titles)]
    rows = _report_rows(Layout.L2021)
    rows[0] = (rows[0][0], ["1", "2", "0分", "#", "D", "6", "21"])
    for r, (label, values) in enumerate(rows, start=3):
        cells += [cell(r, 0, label)] + [cell(r, 1 + i, v) for i, v in enumerate(values)]
    grid = Grid(cells=cells, n_rows=3 + len(rows), n_cols=8, pages=[4], bbox=BBox(x0=100, top=0, x1=260, bottom=10 * (3 + len(rows))))
    mapped = map_tables([grid])
    assert not any("本年新收" in i and "not found" in i for i in mapped.issues)
    assert mapped.fields["applications.received.natural_person"].value == 1
    assert mapped.fields["applications.received.total"].value == 21
    assert mapped.fields["applications.received.public_interest_org"].status.value == "review"
    assert mapped.fields["applications.carried_forward.total"].value == 21


def test_a_split_row_on_a_skewed_scan_is_joined_by_its_grid_lines():
    """LibreOffice seed 9102, a turned and skewed page: the cells of a table's last row on it,
    turned back onto the page as rendered, stood a narrow column left of their grid lines, so
    the next page's digits (0 under 29, 5 under 30) found no number over them and the row's
    second half was read as a row of its own (290 → 0). The halves pair by the grid lines."""
    from extractor.grid.split_row import SPLIT_DOUBT

    edges = [40.0, 100.0] + [100.0 + 20 * (i + 1) for i in range(7)]

    def part(rows, page, shift):
        cells = []
        for r, texts in enumerate(rows):
            for c, t in enumerate(texts):
                cells.append(Cell(row=r, col=c, page=page, text=t, source=Source.OCR, bbox=BBox(
                    x0=edges[c] + shift, top=100 + 10 * r, x1=edges[c + 1] + shift, bottom=110 + 10 * r)))
        return Grid(cells=cells, n_rows=len(rows), n_cols=8, pages=[page], col_edges=list(edges),
                    bbox=BBox(x0=40, top=100, x1=240, bottom=100 + 10 * len(rows)))

    upper = part([["2、没有现成信息需要另行制作", "58", "0", "0", "0", "1", "1", "60"],
                  ["3、补正后申", "29", "0", "0", "0", "8", "7", "30"]], page=2, shift=-18)
    lower = part([["请内容仍不明确", "0", "", "", "", "", "", "5"],
                  ["（五）不予处理", "0", "0", "0", "0", "0", "0", "0"]], page=3, shift=0)
    pages = [PageContent(number=2, width=595, height=842, kind=PageKind.SCAN, grids=[upper]),
             PageContent(number=3, width=595, height=842, kind=PageKind.SCAN, grids=[lower])]
    tables = stitch_tables(pages)
    assert len(tables) == 1 and tables[0].n_rows == 3
    joined = sorted((c for c in tables[0].cells if c.row == 1), key=lambda c: c.col)
    assert [c.text for c in joined] == ["3、补正后申请内容仍不明确", "290", "0", "0", "0", "8", "7", "305"]
    assert joined[1].structure <= SPLIT_DOUBT and joined[7].structure <= SPLIT_DOUBT


def test_a_scanned_row_whose_label_reads_as_nothing_is_placed_by_order_or_reported():
    """fax+dpi150 seed 41004: （七）总计's label left illegible, read as nothing; the row of numbers
    was dropped unseen and its eight fields "not found". Between two rows that read it is placed
    by its order, for review; where its place is not known it is reported, never dropped; a text
    layer's row with no label is no such row."""
    rows = _report_rows(Layout.L2021)
    index = {spec.key: i for i, spec in enumerate(application_rows(Layout.L2021))}
    at = index["closed_total"]
    rows[at] = ("", rows[at][1][:-1] + ["77"])
    scanned = _table(rows, page=2)
    for c in scanned.cells:
        c.source = Source.OCR
    mapped = map_tables([scanned])
    total = mapped.fields["applications.closed_total.total"]
    assert total.value == 77 and total.status.value == "review"
    assert not any("not found" in i for i in mapped.issues if i.startswith("table 三"))
    assert mapped.fields["applications.carried_forward.total"].value == 21  # neighbours stay
    # two rows read as nothing where the format has one: none is guessed, both are reported
    rows.insert(at, ("", ["5"] * 7))
    scanned = _table(rows, page=2)
    for c in scanned.cells:
        c.source = Source.OCR
    mapped = map_tables([scanned])
    assert mapped.fields["applications.closed_total.total"].value is None
    assert sum("label could not be read" in u for u in mapped.unmapped) == 2
    # a text layer: the row is not kept (its label is what is printed)
    printed = map_tables([_table(rows[:at] + rows[at + 1 :], page=2)])
    assert printed.fields["applications.closed_total.total"].value is None
    assert not any("label could not be read" in u for u in printed.unmapped)
