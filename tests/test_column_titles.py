"""Every column is mapped by its printed title, in every table, never by where it sits: a title
the registry does not know sends its cells nowhere, names itself in the errors and puts the
document in review; a field is ok only when its row label and column title both matched."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402
from extractor.mapping.active import map_active  # noqa: E402
from extractor.mapping.tables import map_litigation, map_tables  # noqa: E402
from extractor.mapping.titles import match_column  # noqa: E402
from models import DocumentStatus, FieldStatus, Layout  # noqa: E402
from models.extraction import BBox, Source  # noqa: E402
from models.fields import APPLICANT_COLUMNS, LITIGATION_COLUMNS, LITIGATION_GROUPS, application_rows  # noqa: E402
from models.page import Cell, Grid  # noqa: E402

W = 40  # points per grid column


def cell(row: int, col: int, text: str, span: int = 1, rows: int = 1, page: int = 1) -> Cell:
    return Cell(row=row, col=col, page=page, text=text, col_span=span, row_span=rows,
                bbox=BBox(x0=W * col, top=12 * row, x1=W * (col + span), bottom=12 * (row + rows)))


def applications_grid(titles: list[str], values_of=lambda row_i, col_i: str(row_i + col_i)) -> Grid:
    """Table 三 (2021 rows) with the given column titles over the value columns, in that order."""
    cells = [cell(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")]
    cells += [cell(0, 1 + j, t) for j, t in enumerate(titles)]
    for i, row in enumerate(application_rows(Layout.L2021)):
        cells.append(cell(1 + i, 0, row.label))
        cells += [cell(1 + i, 1 + j, values_of(i, j)) for j in range(len(titles))]
    n = len(application_rows(Layout.L2021))
    return Grid(cells=cells, n_rows=n + 1, n_cols=1 + len(titles), pages=[1])


def test_title_matching_is_positive_or_nothing():
    cols = [("2021", c) for c in APPLICANT_COLUMNS]
    assert match_column("社会公益 组织", cols)[0] == "public_interest_org"
    assert match_column("科研机构", cols)[0] == "research_institution"
    assert match_column("个体工商户", cols)[0] is None
    assert match_column("", cols)[0] is None


def test_table_three_columns_printed_in_another_order_land_by_title():
    titles = [c.label for c in APPLICANT_COLUMNS]
    reordered = [titles[-1], *titles[:-1]]  # 总计 printed first
    mapped = map_tables([applications_grid(reordered)])
    assert mapped.unmapped == []
    # row 0 (received): values 0..6 printed under 总计, 自然人, 商业企业, …
    assert mapped.fields["applications.received.total"].value == 0
    assert mapped.fields["applications.received.natural_person"].value == 1
    assert mapped.fields["applications.received.other_org"].value == 6
    assert mapped.fields["applications.received.total"].status == FieldStatus.OK


def test_table_three_unknown_title_is_not_mapped_by_position():
    titles = [c.label for c in APPLICANT_COLUMNS]
    titles[2] = "个体工商户"  # where 科研机构 would be
    mapped = map_tables([applications_grid(titles)])
    assert any("'个体工商户'" in m and "not mapped" in m for m in mapped.unmapped)
    f = mapped.fields["applications.received.research_institution"]
    assert f.value is None and f.status == FieldStatus.REVIEW  # its cell went nowhere
    assert mapped.fields["applications.received.public_interest_org"].value == 3  # neighbours by title
    assert all(f.raw != "2" for k, f in mapped.fields.items() if k.startswith("applications.received."))


def test_table_three_without_any_title_is_placed_by_position_for_review():
    titles = ["", "", "", "", "", "", ""]
    mapped = map_tables([applications_grid(titles)])
    assert any("no column titles" in m for m in mapped.unmapped)
    f = mapped.fields["applications.received.natural_person"]
    assert f.value == 0 and f.status == FieldStatus.REVIEW


def test_doubtful_row_label_is_never_ok():
    titles = [c.label for c in APPLICANT_COLUMNS]
    grid = applications_grid(titles)
    target = next(c for c in grid.cells if c.text == "2.重复申请")
    target.text = "2.重申"  # aligned by order, but only a doubtful match
    mapped = map_tables([grid])
    f = mapped.fields["applications.not_processed.repeated.natural_person"]
    assert f.status == FieldStatus.REVIEW and f.evidence["mapped"] == 0.0
    assert mapped.fields["applications.not_processed.publications.natural_person"].status == FieldStatus.OK


def litigation_grid(column_titles: list[str]) -> Grid:
    cells = [cell(0, 0, "行政复议", 5, 2), cell(0, 5, "行政诉讼", 10), cell(1, 5, "未经复议直接起诉", 5), cell(1, 10, "复议后起诉", 5)]
    cells += [cell(2, g * 5 + j, t) for g in range(3) for j, t in enumerate(column_titles)]
    cells += [cell(3, i, str(i)) for i in range(15)]
    return Grid(cells=cells, n_rows=4, n_cols=15, pages=[1])


def test_table_four_by_titles_and_unknown_title():
    titles = [c.label for c in LITIGATION_COLUMNS]
    swapped = [titles[4], *titles[:4]]  # 总计 first in every group
    issues: list[str] = []
    fields = map_litigation([litigation_grid(swapped)], issues)
    assert issues == []
    assert fields["review.total"].value == 0 and fields["review.upheld"].value == 1
    assert fields["litigation_after_review.pending"].value == 14
    titles[1] = "撤销"  # 结果纠正 printed as something the format does not have
    issues = []
    fields = map_litigation([litigation_grid(titles)], issues)
    assert any("'撤销'" in m for m in issues)
    assert "review.corrected" not in fields and fields["review.other"].value == 2
    assert len(fields) == 12 and len(LITIGATION_GROUPS) * (len(LITIGATION_COLUMNS) - 1) == 12


def active_grid(rows: list[tuple[str, list[str]]], titles: list[str]) -> Grid:
    cells = [cell(0, 0, "第二十条第（五）项", 4), cell(1, 0, "信息内容")]
    cells += [cell(1, 1 + j, t) for j, t in enumerate(titles)]
    for i, (label, values) in enumerate(rows):
        cells.append(cell(2 + i, 0, label))
        cells += [cell(2 + i, 1 + j, v) for j, v in enumerate(values)]
    return Grid(cells=cells, n_rows=2 + len(rows), n_cols=4, pages=[1])


def test_table_two_2019_columns_by_title_in_any_order():
    grid = active_grid([("行政许可", ["181", "−3", "396"])], ["处理决定数量", "本年增/减", "上一年项目数量"])
    result = map_active([grid])
    assert result.layout == Layout.L2019 and result.unmapped == []
    assert result.fields["active.licensing.decisions"].value == 181
    assert result.fields["active.licensing.change"].value == -3
    assert result.fields["active.licensing.prior_items"].value == 396


def test_table_two_unknown_title_and_unknown_row():
    grid = active_grid([("行政许可", ["396", "7", "181"]), ("行政备案", ["5", "0", "9"])],
                       ["上一年项目数量", "本年撤销数量", "处理决定数量"])
    result = map_active([grid])
    assert any("'本年撤销数量'" in m for m in result.unmapped)
    assert any("'行政备案'" in m for m in result.unmapped)
    assert "active.licensing.change" not in result.fields
    assert result.fields["active.licensing.decisions"].value == 181


def test_unknown_title_in_a_real_pdf_names_it_and_sends_the_document_to_review(tmp_path: Path):
    from scripts.samplegen.build import write_report
    from scripts.samplegen.content import generate_report

    report = generate_report(620, active_layout="2021", layout="2021", inconsistencies=0)
    report.active_titles["repealed"] = "本年撤销件数"  # not a column of either format
    report.name = "unknown-title"
    pdf = write_report(report, tmp_path).path
    result = extract(pdf)
    assert result.status == DocumentStatus.REVIEW
    named = [e for e in result.errors if e.code == "unmapped"]
    assert named and all("本年撤销件数" in e.message for e in named)
    for row in ("regulations", "normative_documents"):
        f = result.fields[f"active.{row}.repealed"]
        assert f.value is None and f.status == FieldStatus.REVIEW  # not read from its position
        assert result.fields[f"active.{row}.in_force"].value == report.values[f"active.{row}.in_force"]


def test_table_two_titles_split_over_grid_rows_are_read_whole():
    cells = [cell(0, 0, "第二十条第（一）项", 4), cell(1, 0, "信息内容"),
             cell(1, 1, "本年新"), cell(1, 2, "本年新"), cell(1, 3, "对外公开"),
             cell(2, 1, "制作数量"), cell(2, 2, "公开数量"), cell(2, 3, "总数量"),
             cell(3, 0, "规范性文件"), cell(3, 1, "89"), cell(3, 2, "88"), cell(3, 3, "120")]
    result = map_active([Grid(cells=cells, n_rows=4, n_cols=4, pages=[1])])
    assert result.unmapped == [] and result.layout == Layout.L2019
    assert result.titles == ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert [result.fields[f"active.normative_documents.{c}"].value for c in ("made", "published", "public_total")] == [89, 88, 120]


def test_a_garbled_first_value_does_not_shift_the_columns():
    """Watermark digits glued into a cell (政40) in the first value row: the columns still come
    from the titles, so the labels stay labels and only that cell is doubtful."""
    grid = applications_grid([c.label for c in APPLICANT_COLUMNS])
    next(c for c in grid.cells if c.row == 1 and c.col == 1).text = "政40"
    for c in grid.cells:
        if c.row == 0 and c.col == 7:
            c.text = "450总计"  # watermark digits in a title
    mapped = map_tables([grid])
    assert mapped.unmapped == []
    bad = mapped.fields["applications.received.natural_person"]
    assert bad.value is None and bad.status == FieldStatus.REVIEW and bad.raw == "政40"
    assert mapped.fields["applications.received.commercial_enterprise"].value == 1
    assert mapped.fields["applications.received.total"].value == 6
    assert mapped.fields["applications.carried_forward.total"].status == FieldStatus.OK


def test_table_three_title_misread_past_recognition_takes_the_column_its_place_leaves():
    """A scan read 总计 as ``2if``: six titles were read and the format's order leaves the
    seventh column to it. Its values are mapped for a person to confirm (review, never ok)
    instead of a whole column going nowhere; a title where no column is left out (个体工商户
    between 自然人 and 商业企业) still goes nowhere."""
    titles = [c.label for c in APPLICANT_COLUMNS]
    for misread, key in (("2if", "total"), ("科石开木几木勾", "research_institution")):
        printed = [misread if c.key == key else c.label for c in APPLICANT_COLUMNS]
        grid = applications_grid(printed)
        for c in grid.cells:
            c.source = Source.OCR
        mapped = map_tables([grid])
        assert len(mapped.unmapped) == 1 and repr(misread) in mapped.unmapped[0] and key in mapped.unmapped[0]
        j = [c.key for c in APPLICANT_COLUMNS].index(key)
        field = mapped.fields[f"applications.received.{key}"]
        assert field.value == j and field.status == FieldStatus.REVIEW
        assert mapped.fields["applications.received.natural_person"].status == FieldStatus.OK
    extra = [titles[0], "个体工商户", *titles[1:]]
    grid = applications_grid(extra)
    for c in grid.cells:
        c.source = Source.OCR
    mapped = map_tables([grid])
    assert any("个体工商户" in u and "not mapped" in u for u in mapped.unmapped)


def test_two_neighbouring_titles_misread_take_the_two_columns_their_place_leaves():
    """A seal over two neighbouring titles (商业企业 read 商年企亚, 科研机构 read 1燃M答: corpus
    2023, fax+stamp_numbers seed 7247): two titles where the read ones leave two columns out take
    them in order, for review (46 fields had been lost). Three titles for two places: none."""
    garbled = {"commercial_enterprise": "商年企亚", "research_institution": "1燃M答"}
    printed = [garbled.get(c.key, c.label) for c in APPLICANT_COLUMNS]
    grid = applications_grid(printed)
    for c in grid.cells:
        c.source = Source.OCR
    mapped = map_tables([grid])
    for key in garbled:
        j = [c.key for c in APPLICANT_COLUMNS].index(key)
        field = mapped.fields[f"applications.received.{key}"]
        assert field.value == j and field.status == FieldStatus.REVIEW, key
    assert mapped.fields["applications.received.natural_person"].status == FieldStatus.OK
    extra = [printed[0], printed[1], "个体", printed[2], *printed[3:]]
    grid = applications_grid(extra)
    for c in grid.cells:
        c.source = Source.OCR
    mapped = map_tables([grid])
    assert "applications.received.commercial_enterprise" not in mapped.fields or \
        mapped.fields["applications.received.commercial_enterprise"].value is None


def test_table_three_first_row_with_zeros_read_as_o_stays_a_value_row():
    """A 0 the recogniser read as the letter O (one print for every 0 of the page: all of them)
    leaves the row a value row: its other values mapped, each O a flagged 0 candidate; never the
    row lost with its header (the first value row is found under the titles)."""
    titles = [c.label for c in APPLICANT_COLUMNS]
    first = ["5", "O", "o", "〇", "O", "1O", "15"]  # received: 5, 0, 0, 0, 0, 10, 15 (〇: a printed zero)
    mapped = map_tables([applications_grid(titles, lambda i, j: first[j] if i == 0 else str(i + j))])
    got = {c.key: mapped.fields[f"applications.received.{c.key}"] for c in APPLICANT_COLUMNS}
    assert [f.value for f in got.values()] == [5, 0, 0, 0, 0, 10, 15]
    assert got["natural_person"].status == FieldStatus.OK and got["total"].status == FieldStatus.OK
    for key in ("commercial_enterprise", "research_institution", "legal_service_org", "other_org"):
        assert got[key].status == FieldStatus.REVIEW, key  # read as a letter: a person confirms
    assert mapped.fields["applications.carried_over.natural_person"].value == 1  # the next row in place


def test_table_four_continued_without_its_first_header_row_places_the_review_group_by_order():
    """A page break right under 行政复议 | 行政诉讼 (a word processor's table split after its
    first header row) leaves the continuation with its column titles and the two litigation
    groups: the first five columns are the review's by the registry's order — placed, not read,
    so for review; two groups lost, or one out of place, stay unmapped."""
    cols = [c.label for c in LITIGATION_COLUMNS]

    def grid(group_titles: list[tuple[int, str]]) -> Grid:
        cells = [cell(0, 0, "", span=5)] + [cell(0, c, t, span=5) for c, t in group_titles]
        cells += [cell(1, j, cols[j % 5]) for j in range(15)]
        cells += [cell(2, j, str(j + 1)) for j in range(15)]
        return Grid(cells=cells, n_rows=3, n_cols=15, pages=[3])

    fields = map_litigation([grid([(5, "未经复议直接起诉"), (10, "复议后起诉")])], [])
    assert [fields[f"review.{c.key}"].value for c in LITIGATION_COLUMNS] == [1, 2, 3, 4, 5]
    assert all(fields[f"review.{c.key}"].status == FieldStatus.REVIEW for c in LITIGATION_COLUMNS)
    assert fields["litigation_after_review.total"].value == 15
    assert fields["litigation_after_review.total"].status == FieldStatus.OK
    lost_two = map_litigation([grid([(10, "复议后起诉")])], [])
    assert "review.upheld" not in lost_two and "litigation_direct.upheld" not in lost_two
    swapped = map_litigation([grid([(5, "复议后起诉"), (10, "未经复议直接起诉")])], [])
    assert "review.upheld" not in swapped


def _scanned_litigation_grid(group_cells: list[Cell], column_titles: list[str] | None = None) -> Grid:
    """Table 四 read from a scan: 行政复议 over the first five columns, ``group_cells`` in the
    second header row over the other ten, ``column_titles`` (default the format's) in each group."""
    cols = column_titles or [c.label for c in LITIGATION_COLUMNS] * 3
    cells = [cell(0, 0, "行政复议", 5, 2), cell(0, 5, "行政诉讼", 10), *group_cells]
    cells += [cell(2, j, t) for j, t in enumerate(cols)]
    cells += [cell(3, j, str(j + 1)) for j in range(15)]
    for c in cells:
        c.source = Source.OCR
    return Grid(cells=cells, n_rows=4, n_cols=15, pages=[4])


def _misread_litigation_grid(group_cells: list[Cell], misread: dict[str, str], source: Source) -> Grid:
    """``_scanned_litigation_grid`` with the titles in ``misread`` read as their values, every
    cell from ``source``."""
    g = _scanned_litigation_grid(group_cells)
    for c in g.cells:
        c.text = misread.get(c.text, c.text)
        c.source = source
    return g


def _assert_fifteen_in_order(fields) -> None:
    assert _values(fields, "review") == [1, 2, 3, 4, 5]
    assert _values(fields, "litigation_direct") == [6, 7, 8, 9, 10]
    assert _values(fields, "litigation_after_review") == [11, 12, 13, 14, 15]


def _values(fields, group: str) -> list:
    return [fields[f"{group}.{c.key}"].value for c in LITIGATION_COLUMNS]


def _statuses(fields, group: str) -> set:
    return {fields[f"{group}.{c.key}"].status for c in LITIGATION_COLUMNS}


def test_table_four_group_cell_over_both_litigation_groups_places_them_by_order():
    """The rule between 未经复议直接起诉 and 复议后起诉 lost under a seal (or a warped, shaded
    header): one cell over ten columns reads both titles. Its columns are placed by the format's
    order, for review; never two columns keyed litigation_direct.*."""
    issues: list[str] = []
    merged = cell(1, 5, "未经复议真，接起诉复议后起诉", span=10)  # as a scan read it
    fields = map_litigation([_scanned_litigation_grid([merged])], issues)
    assert _values(fields, "review") == [1, 2, 3, 4, 5] and _statuses(fields, "review") == {FieldStatus.OK}
    assert _values(fields, "litigation_direct") == [6, 7, 8, 9, 10]
    assert _values(fields, "litigation_after_review") == [11, 12, 13, 14, 15]
    for group in ("litigation_direct", "litigation_after_review"):
        assert _statuses(fields, group) == {FieldStatus.REVIEW}, group
    assert any("placed by the format's order" in m for m in issues)
    # the second title lost under the seal: still the pair's start, placed the same way, for review
    fields = map_litigation([_scanned_litigation_grid([cell(1, 5, "未经复议直接起诉", span=10)])], [])
    assert _values(fields, "litigation_after_review") == [11, 12, 13, 14, 15]
    assert _statuses(fields, "litigation_after_review") == {FieldStatus.REVIEW}
    # a cell over both groups that reads as neither: no group, nothing of the ten columns mapped
    fields = map_litigation([_scanned_litigation_grid([cell(1, 5, "公开", span=10)])], [])
    assert sorted(fields) == sorted(f"review.{c.key}" for c in LITIGATION_COLUMNS)


def test_table_four_two_group_titles_read_the_same_are_placed_by_order():
    """复议后起诉 misread so that it matches 未经复议直接起诉 best: both groups read as
    litigation_direct. Both are placed by the format's order and flagged, never one picked."""
    same = [cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "未经复议直接起诉", span=5)]
    issues: list[str] = []
    fields = map_litigation([_scanned_litigation_grid(same)], issues)
    assert _values(fields, "litigation_direct") == [6, 7, 8, 9, 10]
    assert _values(fields, "litigation_after_review") == [11, 12, 13, 14, 15]
    assert _statuses(fields, "litigation_direct") == _statuses(fields, "litigation_after_review") == {FieldStatus.REVIEW}
    assert _statuses(fields, "review") == {FieldStatus.OK}
    # two groups read swapped stay as read: the document says so (as for text-layer tables)
    swapped = [cell(1, 5, "复议后起诉", span=5), cell(1, 10, "未经复议直接起诉", span=5)]
    fields = map_litigation([_scanned_litigation_grid(swapped)], [])
    assert _values(fields, "litigation_after_review") == [6, 7, 8, 9, 10]


def test_table_four_scanned_column_title_misread_is_the_one_its_group_leaves_out():
    """其他结果 read as 其代结 in one group: the one column the other four titles leave out,
    for review; the same misread in a text layer is a column the format does not have."""
    groups = [cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "复议后起诉", span=5)]
    cols = [c.label for c in LITIGATION_COLUMNS] * 3
    cols[7] = "其代结"
    fields = map_litigation([_scanned_litigation_grid(groups, cols)], [])
    other = fields["litigation_direct.other"]
    assert other.value == 8 and other.status == FieldStatus.REVIEW
    assert fields["litigation_direct.pending"].status == FieldStatus.OK
    text = _scanned_litigation_grid(groups, cols)
    for c in text.cells:
        c.source = Source.TEXT
    assert "litigation_direct.other" not in map_litigation([text], [])


def test_table_four_group_cell_split_by_a_stray_rule_places_its_untitled_columns_by_order():
    """A stray rule (a seal's star, a shading edge) splits 行政复议's cell: its first two columns
    stand under an empty cell. They are the review's by the format's order, for review; the
    columns under the title read stay ok."""
    grid = _scanned_litigation_grid([cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "复议后起诉", span=5)])
    grid.cells = [c for c in grid.cells if c.text != "行政复议"]
    grid.cells += [cell(0, 0, "", 2, 2), cell(0, 2, "行政复议", 3, 2)]
    for c in grid.cells:
        c.source = Source.OCR
    issues: list[str] = []
    fields = map_litigation([grid], issues)
    assert _values(fields, "review") == [1, 2, 3, 4, 5]
    assert fields["review.upheld"].status == fields["review.corrected"].status == FieldStatus.REVIEW
    assert fields["review.other"].status == FieldStatus.OK and _statuses(fields, "litigation_direct") == {FieldStatus.OK}
    assert any("placed in 行政复议 by the format's order" in m for m in issues)


def test_table_four_on_a_scan_with_no_group_title_read_is_placed_by_order_for_review():
    """A fax's threshold left only the downstrokes of the group titles (行政复议 read 'iRvi',
    fax+pen_tick+dpi150 5214): no group is read, and the whole table was lost. As when no header
    stands over the row, the format's order places the fifteen columns, every field for review;
    a text layer prints what it prints and stays unmapped."""
    def grid(source: Source) -> Grid:
        groups = [cell(1, 5, "经收门段起诉", span=5), cell(1, 10, "女议信起诉", span=5)]
        return _misread_litigation_grid(groups, {"行政复议": "iRvi", "行政诉讼": "((iR)"}, source)

    issues: list[str] = []
    fields = map_litigation([grid(Source.OCR)], issues)
    _assert_fifteen_in_order(fields)
    for group in ("review", "litigation_direct", "litigation_after_review"):
        assert _statuses(fields, group) == {FieldStatus.REVIEW}, group
    assert any("no group title found over 15 columns" in m for m in issues)
    assert map_litigation([grid(Source.TEXT)], []) == {}


def test_table_four_title_cell_over_two_columns_is_split_in_the_order_its_text_reads():
    """The rule between 尚未审结 and 总计 lost under a seal's star: one title cell, read 尚总计,
    over both value columns. Both were keyed total (two columns, one key: both lost); they are
    the two columns the group's other titles leave out, in the order the text reads, for review.
    A cell whose text reads as neither order places nothing."""
    groups = [cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "复议后起诉", span=5)]

    def grid(text: str) -> Grid:
        g = _scanned_litigation_grid(groups)
        g.cells = [c for c in g.cells if not (c.row == 2 and c.col in (8, 9))]
        merged = cell(2, 8, text, span=2)
        merged.source = Source.OCR
        g.cells.append(merged)
        return g

    issues: list[str] = []
    fields = map_litigation([grid("尚总计")], issues)
    assert fields["litigation_direct.pending"].value == 9 and fields["litigation_direct.total"].value == 10
    assert fields["litigation_direct.pending"].status == fields["litigation_direct.total"].status == FieldStatus.REVIEW
    assert fields["litigation_direct.upheld"].status == FieldStatus.OK
    fields = map_litigation([grid("合")], [])
    assert "litigation_direct.pending" not in fields
    assert fields.get("litigation_direct.total") is None or fields["litigation_direct.total"].value is None


def test_table_four_two_titles_lost_under_a_seal_are_placed_by_their_places():
    """Two titles of one group lost under a seal's words (fax seed 905: 尚未审结 read as nothing,
    总计 as i计), every other title read in the format's order: each lost one is its place's, for
    review; the same titles out of order, or in a text layer, are left as read."""
    groups = [cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "复议后起诉", span=5)]
    cols = [c.label for c in LITIGATION_COLUMNS] * 3
    cols[8], cols[9] = "", "i计"
    fields = map_litigation([_scanned_litigation_grid(groups, cols)], [])
    assert _values(fields, "litigation_direct") == [6, 7, 8, 9, 10]
    assert fields["litigation_direct.pending"].status == fields["litigation_direct.total"].status == FieldStatus.REVIEW
    assert fields["litigation_direct.upheld"].status == FieldStatus.OK
    swapped = list(cols)
    swapped[5], swapped[6] = swapped[6], swapped[5]
    assert "litigation_direct.pending" not in map_litigation([_scanned_litigation_grid(groups, swapped)], [])
    text = _scanned_litigation_grid(groups, cols)
    for c in text.cells:
        c.source = Source.TEXT
    assert "litigation_direct.pending" not in map_litigation([text], [])


def test_table_four_group_title_cut_by_a_false_rule_is_read_whole_on_a_scan():
    """A glyph's stroke standing on a column line (LibreOffice's tight header row) was taken for
    a rule: 复议后起诉 read as 复议 | 后起诉. On a scan the two pieces are one title again (the
    join names the group better than either piece, and than the whole title beside it); a text
    layer's cells are as printed. A piece of rule read as a bar beside a title is no part of it."""
    cols = [c.label for c in LITIGATION_COLUMNS]

    def grid(source: Source, col_titles: list[str] = cols) -> Grid:
        cells = [cell(0, 0, "行政复议", span=5, rows=2), cell(0, 5, "行政诉讼", span=10),
                 cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "复议"), cell(1, 11, "后起诉", span=4)]
        cells += [cell(2, j, col_titles[j % 5]) for j in range(15)]
        cells += [cell(3, j, str(j + 1)) for j in range(15)]
        for c in cells:
            c.source = source
        return Grid(cells=cells, n_rows=4, n_cols=15, pages=[3])

    fields = map_litigation([grid(Source.OCR)], [])
    assert [fields[f"litigation_after_review.{c.key}"].value for c in LITIGATION_COLUMNS] == [11, 12, 13, 14, 15]
    assert all(fields[f"litigation_after_review.{c.key}"].status == FieldStatus.OK for c in LITIGATION_COLUMNS)
    assert fields["litigation_direct.total"].value == 10  # 未经复议直接起诉 keeps its own five
    printed = map_litigation([grid(Source.TEXT)], [])
    assert "litigation_after_review.upheld" not in printed  # 复议 alone names no group
    barred = map_litigation([grid(Source.OCR, [*cols[:4], "总计|"])], [])
    assert barred["review.total"].value == 5 and barred["review.total"].status == FieldStatus.OK


def test_table_four_a_lost_title_and_a_wide_title_beside_it_are_placed_by_their_places():
    """A black seal over 其他结果 (read 其集制) and over 尚未审结 | 总计, one cell read 未计 (fax
    seed 905), every other title of the group read in the format's order: each column is its
    place's, for review."""
    groups = [cell(1, 5, "未经复议直接起诉", span=5), cell(1, 10, "复议后起诉", span=5)]
    cols = [c.label for c in LITIGATION_COLUMNS] * 3
    cols[7] = "其集制"
    g = _scanned_litigation_grid(groups, cols)
    g.cells = [c for c in g.cells if not (c.row == 2 and c.col in (8, 9))]
    merged = cell(2, 8, "未计", span=2)
    merged.source = Source.OCR
    g.cells.append(merged)
    fields = map_litigation([g], [])
    assert _values(fields, "litigation_direct") == [6, 7, 8, 9, 10]
    for key in ("other", "pending", "total"):
        assert fields[f"litigation_direct.{key}"].status == FieldStatus.REVIEW
    assert fields["litigation_direct.upheld"].status == FieldStatus.OK


def test_table_four_on_a_scan_with_two_group_titles_lost_places_them_by_order_for_review():
    """A black seal over 复议后起诉 (read '701') and 行政复议 read 行此专议 (fax seed 2301): only
    未经复议直接起诉 is read, in its place. The other ten columns are placed by the format's
    order, for review, as when no title is read at all; in a text layer they stay unmapped, and a
    group read out of its place leaves the rest as read."""
    def grid(source: Source, at: int = 5) -> Grid:
        groups = [cell(1, at, "未经复议直接起诉", span=5), cell(1, 15 - at, "701", span=5)]
        return _misread_litigation_grid(groups, {"行政复议": "行此专议"}, source)

    issues: list[str] = []
    fields = map_litigation([grid(Source.OCR)], issues)
    _assert_fifteen_in_order(fields)
    assert _statuses(fields, "review") == _statuses(fields, "litigation_after_review") == {FieldStatus.REVIEW}
    assert _statuses(fields, "litigation_direct") == {FieldStatus.OK}
    assert any("no group title found over 10 columns" in m for m in issues)
    assert "review.upheld" not in map_litigation([grid(Source.TEXT)], [])
    out_of_place = map_litigation([grid(Source.OCR, at=10)], [])  # read over the last five columns
    assert "review.upheld" not in out_of_place and "litigation_direct.upheld" in out_of_place


def test_table_three_title_read_in_part_where_its_place_puts_that_column_is_that_column():
    """A fax read 自然人 as 白然人 (a near match, under POSITIVE): the whole column went to review
    though the titles beside it were read right (fax seed 9305, 27 fields). Its reading and its
    place agree: its values may be ok. Printed (not scanned), or where its place leaves another
    column (two near matches side by side), it keeps its doubt."""
    order = [c.key for c in APPLICANT_COLUMNS]
    for misread, key in (("白然人", "natural_person"), ("科研机木", "research_institution"), ("法律服多机木", "legal_service_org")):
        printed = [misread if c.key == key else c.label for c in APPLICANT_COLUMNS]
        for source, status in ((Source.OCR, FieldStatus.OK), (Source.TEXT, FieldStatus.REVIEW)):
            grid = applications_grid(printed)
            for c in grid.cells:
                c.source = source
            field = map_tables([grid]).fields[f"applications.received.{key}"]
            assert field.value == order.index(key) and field.status == status, (misread, source)
    both = ["白然人", "商业企亚", *[c.label for c in APPLICANT_COLUMNS[2:]]]  # neighbours both in doubt
    grid = applications_grid(both)
    for c in grid.cells:
        c.source = Source.OCR
    fields = map_tables([grid]).fields
    assert fields["applications.received.natural_person"].status == FieldStatus.REVIEW
    assert fields["applications.received.commercial_enterprise"].status == FieldStatus.REVIEW


def test_a_title_over_two_cells_of_a_row_is_never_ok():
    """A title over two cells of every row (the rule between 法律服务机构 and 其他 lost in the
    header, and 其他 unread — a seal over it): which cell is its own cannot be known, so those
    fields go to review, never ``ok`` with the neighbour's numbers (a fresh user's probe,
    2026-12-01: 11 wrong fields were ``ok``); and a stray rule (a seal's arc)
    splitting value cells of some rows, their right half blank, does not overwrite the numbers
    with 0 — those rows' fields go to review, and so do the rows whose one cell spans both halves
    there (a fresh user's probe: 其他's number stood ok under 法律服务机构). A title and every
    value under it spanning the same two columns (a web page's colspan=2) is no doubt at all."""
    titles = [c.label for c in APPLICANT_COLUMNS]
    merged = applications_grid(titles)
    legal, other = (next(c for c in merged.cells if c.row == 0 and c.text == t) for t in ("法律服务机构", "其他"))
    legal.col_span = 2
    legal.bbox = BBox(x0=legal.bbox.x0, top=legal.bbox.top, x1=other.bbox.x1, bottom=legal.bbox.bottom)
    merged.cells.remove(other)
    mapped = map_tables([merged])
    assert any("under one column title twice" in m and "legal_service_org" in m for m in mapped.issues)
    assert mapped.fields["applications.received.legal_service_org"].status == FieldStatus.REVIEW
    assert not [k for k, f in mapped.fields.items() if "legal_service_org" in k and f.status == FieldStatus.OK]

    # 自然人's column split by a stray rule from the third row on: a blank half right of its numbers
    split = applications_grid(titles)
    for c in list(split.cells):
        if c.col >= 2:
            c.col += 1
            c.bbox = BBox(x0=c.bbox.x0 + W, top=c.bbox.top, x1=c.bbox.x1 + W, bottom=c.bbox.bottom)
        elif c.col == 1:
            if c.row >= 3:
                split.cells.append(cell(c.row, 2, ""))
            else:  # the header and the first two rows: one cell over both halves
                c.col_span = 2
                c.bbox = BBox(x0=c.bbox.x0, top=c.bbox.top, x1=c.bbox.x1 + W, bottom=c.bbox.bottom)
    split.n_cols += 1
    split._by_row = None
    mapped = map_tables([split])
    f = mapped.fields["applications.received.natural_person"]
    # a cell over both halves where other rows are split: the rule missing there too, doubted
    assert f.value == 0 and f.status == FieldStatus.REVIEW
    g = mapped.fields["applications.granted.natural_person"]
    assert g.value == 2 and g.raw == "2" and g.status == FieldStatus.REVIEW  # its own number, for review
    assert mapped.fields["applications.granted.total"].status == FieldStatus.OK
    # 自然人 and all its values over two columns (pingtan_2021.html's 商业企业, colspan=2)
    wide = applications_grid(titles)
    for c in wide.cells:
        if c.col >= 2:
            c.col += 1
            c.bbox = BBox(x0=c.bbox.x0 + W, top=c.bbox.top, x1=c.bbox.x1 + W, bottom=c.bbox.bottom)
        elif c.col == 1:
            c.col_span = 2
            c.bbox = BBox(x0=c.bbox.x0, top=c.bbox.top, x1=c.bbox.x1 + W, bottom=c.bbox.bottom)
    wide.n_cols += 1
    wide._by_row = None
    mapped = map_tables([wide])
    assert not [k for k, f in mapped.fields.items() if k.startswith("applications.") and f.status != FieldStatus.OK]


def test_two_titles_in_one_cell_over_their_two_columns_are_split_in_printed_order():
    """The rule between 法律服务机构 and 其他 lost in the header's titles row (generator kind
    ``missing_header_rule``): one cell over both columns. Read as one title after the other
    (法律服务机构其他, or 其他法律服务机构 where the columns are printed swapped) each column takes
    its own title and the values are ``ok``; read line by line across both (法律服务其他机构: which
    stands left cannot be told — a fresh user's probe swapped them and got 22 wrong ``ok``) they
    are placed in the format's order, for review. A title over two columns that holds one title
    only (总计 split by a stray rule) stays one."""
    from extractor.mapping.titles import joined_score, printed_order

    titles = [c.label for c in APPLICANT_COLUMNS]

    def merged(reading: str, swap: bool = False):
        grid = applications_grid(titles)
        legal, other = (next(c for c in grid.cells if c.row == 0 and c.text == t) for t in ("法律服务机构", "其他"))
        if swap:  # 其他's column printed left of 法律服务机构's: its values there too
            for c in grid.cells:
                if c.row and c.col in (legal.col, other.col):
                    c.col = other.col if c.col == legal.col else legal.col
                    c.bbox = BBox(x0=W * c.col, top=c.bbox.top, x1=W * (c.col + 1), bottom=c.bbox.bottom)
            grid._by_row = None
        legal.text, legal.col_span = reading, 2
        legal.bbox = BBox(x0=legal.bbox.x0, top=legal.bbox.top, x1=other.bbox.x1, bottom=legal.bbox.bottom)
        grid.cells.remove(other)
        return map_tables([grid])

    for reading, swap, status in (("法律服务机构 其他", False, FieldStatus.OK), ("其他 法律服务机构", True, FieldStatus.OK),
                                  ("法律服务\n其他\n机构", False, FieldStatus.REVIEW)):
        mapped = merged(reading, swap)
        assert mapped.fields["applications.received.legal_service_org"].value == 4, reading
        assert mapped.fields["applications.received.other_org"].value == 5, reading
        assert mapped.fields["applications.received.other_org"].status == status, reading
        assert not [m for m in mapped.issues if "twice" in m]
    # swapped, read across both lines: never ok under the format's order
    mapped = merged("法律\n其他 服务\n机构", swap=True)
    assert not [k for k, f in mapped.fields.items() if ("legal" in k or "other_org" in k) and f.status == FieldStatus.OK]
    assert joined_score("总计", ["其他", "总计"]) == 0.0  # one title only: no split
    assert joined_score("法律服务其他机构", ["法律服务机构", "其他"]) == 1.0
    assert joined_score("法律服务其他机构", ["法律服务机构"]) < 0.9  # the second title is text too
    assert printed_order("其他法律服务机构", ["法律服务机构", "其他"]) == [1, 0]
    assert printed_order("法律服务其他机构", ["法律服务机构", "其他"]) is None
