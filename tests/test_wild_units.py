"""Units of the wild text path: rules of any drawing into edges, inferred frames, watermark
characters, titles in every common form, a row split by a page break."""

from __future__ import annotations

import pytest

from extractor.grid.edges import close_frames, merge_edges, rule_pieces
from extractor.grid.split_row import join_split_row
from extractor.io.text_layer import not_content
from extractor.layout.title import find_title, match_title, period_year
from models.extraction import BBox, Extraction, FieldStatus, ReportMeta
from models.page import Cell, Grid, PageContent, PageKind, TextLine


def rect(x0, top, x1, bottom, fill=True, stroke=False):
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "fill": fill, "stroke": stroke, "non_stroking_color": (0, 0, 0), "stroking_color": (0, 0, 0)}


def line(x0, top, x1, bottom):
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom}


def test_a_run_of_tiny_rectangles_is_one_rule():
    pieces = [rect(100 + 3 * i, 50, 103 + 3 * i, 50.6) for i in range(100)]  # 3 x 0.6 pt, end to end
    edges = merge_edges(rule_pieces([], pieces))
    assert len(edges) == 1 and edges[0].orient == "h"
    assert edges[0].start == pytest.approx(100) and edges[0].end == pytest.approx(400)


def test_dashes_and_dots_are_rules_and_a_lone_dot_is_not():
    dashes = [line(100 + 5 * i, 80, 103 + 5 * i, 80) for i in range(40)]  # 3 on, 2 off
    dots = [rect(300, 100 + 1.8 * i, 300.6, 100.6 + 1.8 * i) for i in range(60)]  # a vertical dotted rule
    lone = [rect(50, 50, 50.6, 50.6)]
    edges = merge_edges(rule_pieces(dashes, dots + lone))
    kinds = sorted((e.orient, round(e.length)) for e in edges)
    assert kinds == [("h", 198), ("v", 107)]


def test_white_and_broad_fills_are_not_rules():
    white = dict(rect(100, 100, 300, 100.5), non_stroking_color=(1, 1, 1))
    shading = rect(100, 100, 300, 130)
    assert merge_edges(rule_pieces([], [white, shading])) == []


def test_inner_rules_only_get_an_inferred_frame():
    inner = [line(100, 130, 400, 130), line(100, 160, 400, 160), line(200, 100, 200, 190), line(300, 100, 300, 190)]
    edges = merge_edges(rule_pieces(inner, []))
    added = close_frames(edges)
    assert len(added) == 4 and all(e.inferred for e in added)
    framed = edges + added
    assert close_frames(framed) == []  # a drawn frame is not inferred again


def test_watermark_characters_are_not_content():
    import math

    assert not_content(math.radians(30), (0, 0, 0))  # diagonal
    assert not_content(0.0, (0.72, 0.72, 0.72))  # light grey
    assert not not_content(math.pi / 2, (0, 0, 0))  # vertical text in a merged cell
    assert not not_content(0.0, (0.2, 0.2, 0.2))  # dark grey body text


@pytest.mark.parametrize("title,agency,year", [
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
    ("洪泽区人民政府2023年度政府信息公开工作年度报告", "洪泽区人民政府", 2023),
    ("上海市⼈⼒资源和社会保障局２０２２年政府信息公开⼯作年度报告", "上海市人力资源和社会保障局", 2022),
    ("平潭综合实验区管委会(平潭县人民政府)2023年政府信息公开工作年度报告", "平潭综合实验区管委会（平潭县人民政府）", 2023),
    ("南京市民政局关于2021年度政府信息公开工作的年度报告", "南京市民政局", 2021),
    ("2020年度上海市人民政府信息公开工作年度报告", "上海市人民政府", 2020),
    ("清河市自然资源和规划局政府信息公开工作年度报告", "清河市自然资源和规划局", None),
    ("关于2023年政府信息公开工作年度报告", "", 2023),
])
def test_title_forms(title, agency, year):
    assert match_title(title) == (agency, year)


def _lines(*texts, size=12.0):
    return [TextLine(text=t, bbox=BBox(x0=72, top=80 + 20 * i, x1=500, bottom=95 + 20 * i), page=1,
                     size=size * (1.6 if i == 0 else 1.0)) for i, t in enumerate(texts)]


def test_year_from_the_statistics_period_sentence():
    lines = _lines("某某市交通运输局政府信息公开工作年度报告", "本报告所列数据的统计期限为２０２３年1月1日至12月31日。")
    assert period_year(lines) == 2023
    page = PageContent(number=1, width=595, height=842, kind=PageKind.TEXT, lines=lines)
    title = find_title([page])
    assert (title.agency, title.year) == ("某某市交通运输局", 2023)
    assert title.fields["report.year"].raw.startswith("本报告")  # raw keeps the printed text


def test_agency_and_year_not_found_are_in_review():
    from extractor.validate import validate

    page = PageContent(number=1, width=595, height=842, kind=PageKind.TEXT, lines=_lines("工作报告", "正文。"))
    title = find_title([page])
    assert title.agency is None and title.year is None
    result = Extraction(report=ReportMeta(), fields=dict(title.fields))
    validate(result)
    assert {k: f.status for k, f in result.fields.items()} == {
        "report.agency": FieldStatus.REVIEW, "report.year": FieldStatus.REVIEW}
    assert result.status == "review"


def _cell(row, col, x0, x1, text, page):
    return Cell(row=row, col=col, page=page, text=text, bbox=BBox(x0=x0, top=100 + 20 * row, x1=x1, bottom=120 + 20 * row))


def _parts(lower_label: str):
    xs = [50, 200] + [200 + 40 * i for i in range(1, 8)]
    upper = Grid(cells=[_cell(0, 0, 50, 200, "1.本机关不掌", 1)] +
                 [_cell(0, k, xs[k], xs[k + 1], str(k), 1) for k in range(1, 8)], n_rows=1, n_cols=8, pages=[1])
    lower = Grid(cells=[_cell(0, 0, 50, 200, lower_label, 2)] + [_cell(0, k, xs[k], xs[k + 1], "", 2) for k in range(1, 8)]
                 + [_cell(1, 0, 50, 200, "2.没有现成信息需要另行制作", 2)] + [_cell(1, k, xs[k], xs[k + 1], "0", 2) for k in range(1, 8)],
                 n_rows=2, n_cols=8, pages=[2])
    return upper, lower


def test_a_row_cut_by_a_page_break_is_joined():
    upper, lower = _parts("握相关政府信息")
    assert join_split_row(upper, lower)
    assert upper.cells[0].text == "1.本机关不掌握相关政府信息"
    assert lower.n_rows == 1 and {c.text for c in lower.cells if c.col == 0} == {"2.没有现成信息需要另行制作"}


def test_a_new_row_on_the_next_page_is_not_joined():
    upper, lower = _parts("2.没有现成信息需要另行制作")  # a row of its own (printed blank: zeros)
    assert not join_split_row(upper, lower)
    assert lower.n_rows == 2


def test_light_text_is_kept_only_on_a_dark_fill():
    from extractor.io.text_layer import TextLayer, keep_light

    def ch(x):
        return {"text": "总", "x0": x, "x1": x + 9, "top": 100, "bottom": 110}

    layer = TextLayer(width=595, height=842, rects=[
        dict(rect(90, 95, 200, 115), non_stroking_color=(0.1, 0.2, 0.5)),  # a dark blue header cell
        dict(rect(300, 95, 400, 115), non_stroking_color=(0.0, 0.0, 0.0, 0.0)),  # CMYK white
    ])
    keep_light(layer, [ch(100), ch(320), ch(450)])
    assert [c["x0"] for c in layer.chars] == [100]
    assert layer.watermark_chars == 2
