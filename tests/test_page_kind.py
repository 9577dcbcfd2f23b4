"""Page kind: text layer, scan, empty — cheap, from the characters pdfplumber parsed once."""

from __future__ import annotations

from types import SimpleNamespace

from extractor.layout.page_kind import classify_page, text_quality
from extractor.settings import Settings
from models.page import PageKind
from tests.conftest import corpus_file


def _page(text: str, *, images=(), lines=(), rects=(), font="SimSun"):
    chars = [{"text": t, "fontname": font} for t in text]
    pp = SimpleNamespace(chars=chars, images=list(images), lines=list(lines), rects=list(rects), width=595, height=842)
    return SimpleNamespace(
        plumber=pp, text_layer=lambda: pp, width=595, height=842, number=1, pdfium_char_count=lambda: len(chars)
    )


BODY = "二〇二三年政府信息公开工作年度报告本报告由本机关编制全文包括总体情况主动公开政府信息情况" * 2
RULES = [{}] * 10


def test_text_page():
    assert classify_page(_page(BODY, lines=RULES), Settings()) == PageKind.TEXT


def test_force_ocr_and_no_text_layer():
    assert classify_page(_page(BODY), Settings(force_ocr=True)) == PageKind.SCAN
    image_page = SimpleNamespace(plumber=None, text_layer=lambda: None, width=595, height=842, number=1)
    assert classify_page(image_page, Settings()) == PageKind.SCAN


def test_cid_glyphs_are_garbage():
    page = _page("", lines=RULES)
    page.plumber.chars = [{"text": f"(cid:{i})", "fontname": "F1"} for i in range(200)]
    assert classify_page(page, Settings()) == PageKind.SCAN


def test_private_use_and_mojibake_are_garbage():
    assert classify_page(_page("\ue000\ue001\ue002" * 30, lines=RULES), Settings()) == PageKind.SCAN
    mojibake = "¶þ¡¢Ö÷¶¯¹«¿ªÕþ¸®ÐÅÏ¢Çé¿ö" * 5  # GBK bytes read as Latin-1
    assert classify_page(_page(mojibake, lines=RULES), Settings()) == PageKind.SCAN
    real, garbage, cjk = text_quality([{"text": t} for t in BODY])
    assert real == len(BODY) and garbage == 0 and cjk > 0.9


def test_scan_with_invisible_ocr_layer():
    full = {"x0": 0, "x1": 595, "top": 0, "bottom": 842}
    assert classify_page(_page(BODY, images=[full]), Settings()) == PageKind.SCAN
    assert classify_page(_page(BODY, font="GlyphLessFont"), Settings()) == PageKind.SCAN


def test_sparse_and_empty_pages():
    assert classify_page(_page("二〇二四年一月"), Settings()) == PageKind.TEXT
    assert classify_page(_page(""), Settings()) == PageKind.EMPTY
    full = {"x0": 0, "x1": 595, "top": 0, "bottom": 842}
    assert classify_page(_page("", images=[full]), Settings()) == PageKind.SCAN


def test_real_report_pages_are_text():
    from extractor.io import open_document

    with open_document(corpus_file("huaian-hongze-district-gov_2023.pdf")) as doc:
        kinds = [classify_page(p, Settings()) for p in doc.pages]
    assert kinds == [PageKind.TEXT] * len(kinds)
