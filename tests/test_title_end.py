"""The title ends at its 报告 line: a heading printed in the title's type (OCR lines carry no size,
body-type titles) is not part of it."""

from __future__ import annotations

from extractor.layout.title import find_title
from models.extraction import BBox
from models.page import PageContent, PageKind, TextLine


def _page(texts: list[str], size: float) -> PageContent:
    lines = [TextLine(text=t, bbox=BBox(x0=72, top=72 + 20 * i, x1=500, bottom=88 + 20 * i), page=1, size=size)
             for i, t in enumerate(texts)]
    return PageContent(number=1, width=595, height=842, kind=PageKind.TEXT, lines=lines)


def test_heading_in_title_type_is_not_title():
    for size in (0.0, 12.0):  # OCR (no size) and a text layer in one type size
        title = find_title([_page(["南湖区自然资源和规划局2023年政府信息公开工作年度", "报告", "一、总体情况", "本年度……"], size)])
        assert title.text == "南湖区自然资源和规划局2023年政府信息公开工作年度报告"
        assert title.agency == "南湖区自然资源和规划局" and title.year == 2023


def test_two_line_title_kept_whole():
    title = find_title([_page(["洪泽区人民政府", "2023年政府信息公开工作年度报告", "一、总体情况"], 18.0)])
    assert title.text == "洪泽区人民政府2023年政府信息公开工作年度报告"


def test_one_stray_glyph_where_a_scanned_title_wraps_is_left_out():
    """A scan reads a speck or the next line's first stroke into the title where it wraps:
    the agency and year are still found (verifier: 公开工二作 / 公开工1作 lost the agency)."""
    from extractor.layout.title import match_title

    assert match_title("东山市民政局2023年政府信息公开工二作年度报告") == ("东山市民政局", 2023)
    assert match_title("东山市民政局2023年度政府信息公开工1作年度报告") == ("东山市民政局", 2023)
    assert match_title("2021年清河市司法局政府信息公开工·作年度报告") == ("清河市司法局", 2021)
    assert match_title("东山市民政局关于开展工作的报告") == ("", None)  # not a report title, however read


def test_scanned_agency_that_ends_as_no_organ_does_is_doubted():
    """A recogniser sure of a misread last glyph (委员会 read 委员云, soffice scan seed 5101) gives a
    fluent wrong name: read by OCR, a name that ends as no organ's name does goes to review; the
    same name in a text layer is what is printed; a well-formed scanned name stays ok."""
    from models.extraction import FieldStatus, Source

    def scanned(texts):
        page = _page(texts, 0.0)
        for ln in page.lines:
            ln.source = Source.OCR
        return find_title([page])

    bad = scanned(["临江市卫生健康委员云2020年度政府信息公开工作年度报告", "一、总体情况"])
    assert bad.agency == "临江市卫生健康委员云"
    assert bad.fields["report.agency"].status == FieldStatus.REVIEW
    assert bad.fields["report.agency"].evidence["mapped"] < 1.0  # kept by the validate stage
    good = scanned(["临江市卫生健康委员会2020年度政府信息公开工作年度报告", "一、总体情况"])
    assert good.fields["report.agency"].status == FieldStatus.OK
    bracketed = scanned(["平潭综合实验区管委会（平潭县人民政府）2022年政府信息公开工作年度报告", "一、总体情况"])
    assert bracketed.fields["report.agency"].status == FieldStatus.OK
    printed = find_title([_page(["临江市卫生健康委员云2020年度政府信息公开工作年度报告", "一、总体情况"], 16.0)])
    assert printed.fields["report.agency"].status == FieldStatus.OK


def test_a_title_whose_last_glyph_was_not_read_still_names_its_agency():
    """fax seed 6106: the title wrapped its lone 告 onto a line of its own, not read."""
    from extractor.layout.title import match_title

    assert match_title("安平县民政局2024年度政府信息公开工作年度报") == ("安平县民政局", 2024)
    assert match_title("安平县民政局情报") == ("", None)  # no report title for all its 报
