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


def test_one_misread_glyph_of_the_titles_own_words_is_read_as_them():
    """A skewed blue LibreOffice title read 工作 as 工乍 (soffice scan seed 7111): the agency was
    lost. One glyph after the year, put back as a glyph of the title's words, makes it a title;
    a line that is no report title stays none."""
    from extractor.layout.title import match_title

    assert match_title("安平县自然资源和规划局2021年政府信息公开工乍年度报告") == ("安平县自然资源和规划局", 2021)
    assert match_title("2021年安平县自然资源和规划局政府信息公井工作年度报告") == ("安平县自然资源和规划局", 2021)
    assert match_title("本机关2021年工作总结报告") == ("", None)
    assert match_title("本机关2021年度财务审计报告") == ("", None)


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


def _lines(texts_widths: list[tuple[str, float]], size: float = 18.0) -> PageContent:
    lines = [TextLine(text=t, bbox=BBox(x0=300 - w / 2, top=72 + 24 * i, x1=300 + w / 2, bottom=92 + 24 * i), page=1,
                      size=size, confidence=0.99)
             for i, (t, w) in enumerate(texts_widths)]
    return PageContent(number=1, width=595, height=842, kind=PageKind.TEXT, lines=lines)


def test_a_title_wrapped_inside_the_agency_name_is_joined_and_doubted():
    """黑龙江省哈尔滨市道里区人力资源和社会保 / 障局2023年…: the wrap fell inside 保障, so the line with
    the year names 障局 alone (helper-59: 障局, ok, on the text layer and every scan). The full
    line above is taken in; the type alone cannot tell it from other words above the title, so
    the name goes to review."""
    from models.extraction import FieldStatus

    title = find_title([_lines([("黑龙江省哈尔滨市道里区人力资源和社会保", 440), ("障局2023年政府信息公开工作年度报告", 430),
                                ("本报告根据……", 400)])])
    assert title.agency == "黑龙江省哈尔滨市道里区人力资源和社会保障局" and title.year == 2023
    assert title.fields["report.agency"].status == FieldStatus.REVIEW
    # a name wrapped where a word ends (区 / 人民政府…) is a plain two-line title: ok as before
    title = find_title([_lines([("江苏省淮安市洪泽区", 300), ("人民政府2023年政府信息公开工作年度报告", 430)])])
    assert title.agency == "江苏省淮安市洪泽区人民政府"
    assert title.fields["report.agency"].status == FieldStatus.OK


def test_navigation_above_a_title_is_no_part_of_its_name():
    """A site's menu item or breadcrumb in the title's type (政务公开, 首页 > 信息公开): the title
    line's own agency stands, ok."""
    from models.extraction import FieldStatus

    for above, width in (("政务公开", 440), ("首页信息公开目录", 440), ("首页>政务公开>年度报告", 440)):
        title = find_title([_lines([(above, width), ("东山市民政局2023年政府信息公开工作年度报告", 430)])])
        assert title.agency == "东山市民政局", above
        assert title.fields["report.agency"].status == FieldStatus.OK, above


def test_a_possible_head_of_the_name_above_its_line_doubts_the_agency():
    """helper-60's title shapes, each wrong and ``ok`` before: a line of words above the agency's
    line may be the name's head (a wrap, a hand split) or other words (a slogan); full, it is
    taken in; either way the agency goes to review."""
    from models.extraction import FieldStatus

    cases = [
        # …政务服务和大数据管 / 理局2020年…: 政务 is a name's word, not navigation
        ([("黑龙江省哈尔滨市道里区政务服务和大数据管", 440), ("理局2020年政府信息公开工作年度报告", 400)],
         "黑龙江省哈尔滨市道里区政务服务和大数据管理局"),
        # the agency's own line wrapped, the year on a third line
        ([("新疆维吾尔自治区乌鲁木齐市水磨沟区住房和", 440), ("城乡建设局", 200), ("2020年政府信息公开工作年度报告", 400)],
         "新疆维吾尔自治区乌鲁木齐市水磨沟区住房和城乡建设局"),
        # split by hand, the head shorter than the line below: left out, the tail doubted
        ([("江苏省南京市江北新区管理委员会教育和", 300), ("社会保障局2022年政府信息公开工作年度报告", 440)], "社会保障局"),
        # a slogan as wide as the title in its type: taken in (wrong), doubted
        ([("坚持以人民为中心的发展思想持续深化改革", 440), ("东山市教育局2022年政府信息公开工作年度报告", 430)],
         "坚持以人民为中心的发展思想持续深化改革东山市教育局"),
    ]
    for lines, agency in cases:
        title = find_title([_lines(lines)])
        assert title.agency == agency, lines[0][0]
        assert title.fields["report.agency"].status == FieldStatus.REVIEW, lines[0][0]


def test_other_title_shapes_helper_60_found_wrong_and_ok():
    """…赛罕区政府信息公开 / 办公室2024年…: the joined name is no agency to the matcher (信息公开 is the
    title's own words), another path finds 办公室 — still doubted; a narrow slogan above a title
    whose 告 wraps alone: not taken in (the title ends on its 告 line); an agency of two glyphs
    (a lost head: 障局) is never ok."""
    from models.extraction import FieldStatus

    title = find_title([_lines([("内蒙古自治区呼和浩特市赛罕区政府信息公开", 436), ("办公室2024年度政府信息公开工作年度报告", 420)])])
    assert title.fields["report.agency"].status == FieldStatus.REVIEW
    title = find_title([_lines([("坚持以人民为中心深化公开", 260), ("北塘区市场监督管理局2022年政府信息公开工作年度报", 440), ("告", 20)])])
    assert title.agency == "北塘区市场监督管理局"
    title = find_title([_lines([("障局2020年政府信息公开工作年度报告", 308), ("一、总体情况", 90)])])
    assert title.agency == "障局" and title.fields["report.agency"].status == FieldStatus.REVIEW


def test_red_headers_repeated_names_and_short_lines_above_are_not_joined():
    """helper-61: a red header (…办公室文件) or a slogan over a name alone on its line was joined
    (the width was held against the name's line, not the title's widest); the issuing organ's
    name over its own title, or a parent area, was said twice, ``ok``."""
    from models.extraction import FieldStatus

    year_line = ("2023年政府信息公开工作年度报告", 400)
    for lines, agency, status in [
        ([("淮安市人民政府办公室文件", 300), ("淮安市人民政府办公室", 250), year_line], "淮安市人民政府办公室", FieldStatus.OK),
        ([("附件", 60), ("洪泽区人民政府", 180), year_line], "洪泽区人民政府", FieldStatus.OK),
        ([("不忘初心牢记使命", 200), ("洪泽区人民政府", 180), year_line], "洪泽区人民政府", FieldStatus.REVIEW),
        ([("洪泽区人民政府", 180), ("洪泽区人民政府2023年政府信息公开工作年度报告", 440)], "洪泽区人民政府", FieldStatus.REVIEW),
        ([("淮安市洪泽区", 150), ("洪泽区教育局2023年政府信息公开工作年度报告", 420)], "洪泽区教育局", FieldStatus.REVIEW),
        ([("江苏省淮安市洪泽区", 220), ("人民政府2023年政府信息公开工作年度报告", 420)], "江苏省淮安市洪泽区人民政府", FieldStatus.OK),
    ]:
        title = find_title([_lines(lines)])
        assert title.agency == agency, lines[0][0]
        assert title.fields["report.agency"].status == status, lines[0][0]


def test_an_agency_never_ends_in_a_quote_mark():
    """A 150 dpi scan's speck after the name read as " (临江市市场监督管理局"2023年…, helper-62)."""
    from extractor.layout.title import clean_agency

    for raw in ('临江市市场监督管理局"', "“临江市市场监督管理局”", "临江市市场监督管理局'", "临江市市场监督管理局」"):
        assert clean_agency(raw) == "临江市市场监督管理局", raw
