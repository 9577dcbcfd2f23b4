"""A scan whose section 六 was never found (issue 13: its heading lost on a noisy fax): the
信息处理费 sentence was not read, so the fee must not be silently absent — it is a missing field
in review with a ``fee_unread`` warning. A text layer shows all of its text: there an absent fee
is simply not stated, and a scan that read its section 六 without a fee states none either."""

from __future__ import annotations

from pathlib import Path

from extractor.mapping.prose import fee_section_read
from extractor.pipeline import FEE_KEY, Run, stage_prose
from extractor.settings import Settings
from models.extraction import BBox, Extraction, FieldStatus, Source
from models.page import PageContent, PageKind, TextLine


def _run(texts: list[str], source: Source) -> Run:
    lines = [TextLine(text=t, bbox=BBox(x0=0, top=20 * i, x1=300, bottom=20 * i + 12), page=3, source=source)
             for i, t in enumerate(texts)]
    run = Run(path=Path("r.pdf"), settings=Settings(), result=Extraction())
    run.pages = [PageContent(number=3, width=595, height=842, kind=PageKind.SCAN if source == Source.OCR else PageKind.TEXT,
                             lines=lines)]
    if source == Source.OCR:
        run.result.report.ocr_pages = [3]
    return run


def test_a_scan_without_section_six_gets_the_fee_as_a_missing_field_in_review():
    run = _run(["五、政府信息公开工作存在的主要问题及改进情况", "一是公开内容不够全面。"], Source.OCR)
    stage_prose(run)
    f = run.result.fields[FEE_KEY]
    assert f.value is None and f.status == FieldStatus.REVIEW
    assert [e.code for e in run.result.errors] == ["fee_unread"]


def test_section_six_read_or_a_text_layer_leaves_an_unstated_fee_absent():
    for texts, source in ((["六、其他需要报告的事项", "无。"], Source.OCR),
                          (["六1其他需要报告的事项"], Source.OCR),  # its 、 misread
                          (["五、存在的主要问题"], Source.TEXT)):
        run = _run(texts, source)
        stage_prose(run)
        assert FEE_KEY not in run.result.fields and not run.result.errors, texts


def test_a_fee_read_on_a_scan_is_kept():
    run = _run(["本年度共收取信息处理费120元。"], Source.OCR)
    stage_prose(run)
    assert run.result.fields[FEE_KEY].value == 120 and not run.result.errors
    assert fee_section_read(run.pages)


def test_a_scan_naming_the_fee_without_an_amount_read_gets_it_in_review():
    """grey+stamp_numbers+dpi150 seed 6129: 信息处理费0 with its 元 on the next line, not read."""
    run = _run(["六、其他需要报告的事项", "本年度收取信息处理费0"], Source.OCR)
    stage_prose(run)
    f = run.result.fields[FEE_KEY]
    assert f.value is None and f.status == FieldStatus.REVIEW and [e.code for e in run.result.errors] == ["fee_unread"]
