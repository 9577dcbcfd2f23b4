"""Page 1's title in body type under a web site's navigation (a web page printed by a browser,
then scanned): found wherever it stands above the first heading, on text lines and on a scan."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.layout.title import find_title, title_line
from models.extraction import BBox, Source
from models.page import PageContent, PageKind, TextLine

NAV = ["国务院 省政府 省人大 省政协", "移动版", "闽政通APP", "登录 注册", "网站支持IPV6", "首页", "政务公开",
       "解读回应", "办事服务", "互动交流", "走进平潭", "请输入搜索内容", "热门搜索：", "当前位置：", "政府信息公开年报"]


def _line(text: str, k: int) -> TextLine:
    return TextLine(text=text, bbox=BBox(x0=40, top=40 + 16 * k, x1=40 + 11 * len(text), bottom=51 + 16 * k),
                    page=1, size=11.0, source=Source.OCR, confidence=0.99)


def _page(texts: list[str]) -> PageContent:
    return PageContent(number=1, width=595, height=842, kind=PageKind.SCAN,
                       lines=[_line(t, k) for k, t in enumerate(texts)])


def test_title_line_under_the_navigation():
    page = _page(NAV + ["平潭综合实验区2019年度政府信息公开工作年度报告", "来源：平潭县人民政府 时间：2020-01-20",
                        "一、总体情况"])
    title = find_title([page])
    assert (title.agency, title.year) == ("平潭综合实验区", 2019)
    assert title.fields["report.agency"].bbox.top == 40 + 16 * len(NAV)


def test_title_line_with_the_agency_on_the_line_before():
    found = title_line([_line(t, k) for k, t in enumerate(NAV + ["洪泽区人民政府", "2023年政府信息公开工作年度报告"])])
    assert found[:2] == ("洪泽区人民政府", 2023)
    # a sentence before the year's line is no agency; a line below the first heading is no title
    assert title_line([_line(t, k) for k, t in enumerate(["当前位置：首页", "2023年政府信息公开工作年度报告"])])[:2] \
        == ("", None)
    assert title_line([_line(t, k) for k, t in enumerate(["一、总体情况", "洪泽区2023年政府信息公开工作年度报告"])])[:2] \
        == ("", None)
    # the opening sentence names the report without ending in a title
    assert title_line([_line("根据《条例》编制洪泽区2023年政府信息公开工作年度报告。现予公布", 0)])[:2] == ("", None)


@pytest.fixture(scope="module")
def engine():
    from extractor.ocr.engine import make_engine
    from extractor.settings import Settings

    return make_engine(Settings())


def _render(texts: list[str], dpi: int = 150) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    from scripts.samplegen.fonts import wqy_path

    px = dpi / 72.0
    img = Image.new("RGB", (int(595 * px), int(842 * px)), (250, 250, 248))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(wqy_path()), int(11 * px))
    for k, t in enumerate(texts):
        draw.text((int(60 * px), int((50 + 26 * k) * px)), t, font=font, fill=(20, 20, 20))
    return np.asarray(img)


def test_scan_reads_a_title_line_deep_on_page_one(engine):
    """The prose reader finds the title line by its end (年度报告, a right crop) among the lines
    below the few it reads for a title, and reads it in full — not every line."""
    from extractor.ocr.prose import _CONTEXTS, DocumentProse
    from extractor.ocr.scan_page import read_scan_image

    texts = NAV + ["平潭综合实验区2021年度政府信息公开工作年度报告", "来源：平潭县人民政府 时间：2022-02-08",
                   "全文版", "文字版"]
    _CONTEXTS[engine] = DocumentProse()
    page = read_scan_image(_render(texts), 150, 1, engine)
    title = find_title([page])
    assert (title.agency, title.year) == ("平潭综合实验区", 2021)
    assert len(page.lines) < len(texts) - 4  # the other lines below the first few stay unread


def test_a_title_printed_in_navy_is_no_pen_ink():
    """A word processor's Title style prints navy (17365D): bluish, pen-blue only at a few of its
    JPEG-noisy pixels. Taken for a reader's pen as a whole it was painted out, and the title with
    it (LibreOffice's DOCX → PDF, scanned): each bluish stroke is pen only when mostly pen-blue."""
    import io

    import cv2
    from PIL import Image, ImageDraw, ImageFont

    from extractor.ocr.prepare import pen_ink
    from scripts.samplegen.fonts import wqy_path

    img = Image.new("RGB", (900, 200), (244, 241, 232))
    ImageDraw.Draw(img).text((30, 40), "朝阳市财政局2021年政府信息公开", fill=(23, 54, 93),
                             font=ImageFont.truetype(str(wqy_path()), 52))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=50)
    page = np.asarray(Image.open(buf).convert("RGB"))
    glyphs = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY) < 120
    pen = pen_ink(page)
    assert pen is None or np.count_nonzero(pen[glyphs]) < 0.15 * np.count_nonzero(glyphs)


def _sized(text: str, k: int, size: float, confidence: float = 0.99) -> TextLine:
    line = _line(text, k)
    line.size, line.confidence = size, confidence
    return line


def test_navigation_in_the_titles_type_is_no_part_of_the_agency():
    """A printed web page's navigation bar set in the title's type just above it was read into
    the title: the agency came out 政製公工私燈德是公干年框平潭综合实验区 (corpus_web 1801).
    The lines above a whole title are taken only as the first part of a wrapped name."""
    title = "平潭综合实验区2021年度政府信息公开工作年度报告"
    for above in (["政製公工", "私燈德是公干年框"], ["政务公开"], ["当前位置：首页"]):
        conf = 0.0 if above[0] == "政製公工" else 0.99
        page = PageContent(number=1, width=595, height=842, kind=PageKind.SCAN,
                           lines=[_sized(t, k, 12.5, conf) for k, t in enumerate(above)]
                           + [_sized(title, len(above), 11.5)])
        got = find_title([page])
        assert (got.agency, got.year) == ("平潭综合实验区", 2021), above
    # a name wrapped before its title line stays whole; a title wrapped after its agency too
    for lines in (["江苏省淮安市", "洪泽区人民政府2023年度政府信息公开工作年度报告"],
                  ["江苏省淮安市洪泽区人民政府", "2023年政府信息公开工作年度报告"]):
        page = PageContent(number=1, width=595, height=842, kind=PageKind.SCAN,
                           lines=[_sized(t, k, 12.0) for k, t in enumerate(lines)])
        assert (find_title([page]).agency, find_title([page]).year) == ("江苏省淮安市洪泽区人民政府", 2023), lines
