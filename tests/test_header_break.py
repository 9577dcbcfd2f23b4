"""A table header cut by a page break (issue 13; LibreOffice and Word let a row break across pages):
table 三's header rows 0..k-1 at the foot of one page, the rest at the top of the next, a merged
title over the cut (自然人, 总计) cut in two (自然 | 人). The generator makes it with truth
(``Style.header_break``, the ``header_break`` scan kind of ``scripts/samplegen/scan_sources.py``);
the columns must keep their titles on the text layer and on the scan. Seeds 674/675 are used by
no benchmark."""

from __future__ import annotations

import json
import sys

import pdfplumber
import pytest

from conftest import ROOT
from extractor import Extractor
from helpers_compare import exact_or_flagged, mismatches

sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def _box_text(pdf, box: dict) -> str:
    with pdfplumber.open(str(pdf)) as doc:
        return doc.pages[box["page"] - 1].within_bbox(box["bbox"]).extract_text() or ""


@pytest.mark.parametrize("cut", [1, 2])
def test_text_layer_header_cut_by_page_break(extractor, tmp_path, cut):
    """Cut before the last header row: 自然 ends one page, 人 opens the next; cut before the
    second: 申请人情况 alone at the page foot. Every field exact on the text layer."""
    from scripts.samplegen.build import write_report
    from scripts.samplegen.content import generate_report

    report = generate_report(674)
    report.style.header_break = {"三": cut}
    rendered = write_report(report, tmp_path)
    parts = [t for t in rendered.tables if t["table"] == "三"]
    assert len(parts) >= 2
    first = _box_text(rendered.path, parts[0])  # the header's first part alone on its page
    assert "申请人情况" in first and "新收" not in first and "新收" in _box_text(rendered.path, parts[1])
    if cut == 2:
        assert "自然" in first and "自然人" not in first
    truth = json.loads((tmp_path / f"{report.name}.truth.json").read_text(encoding="utf-8"))["fields"]
    result = extractor.extract(rendered.path)
    assert mismatches(result, truth) == []


def test_scan_header_cut_by_page_break(extractor, tmp_path):
    """The same cut, printed and scanned (the ``header_break`` scan kind)."""
    from scripts.samplegen.scan_sources import write_kind_scan

    scan = write_kind_scan(675, ("header_break",), tmp_path, dpi=200)
    doc = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))
    assert doc["meta"]["source_kinds"]["header_break"]["table"] == "三"
    truth = doc["fields"]
    right, unflagged = exact_or_flagged(extractor.extract(scan), truth)
    assert unflagged == []
    assert right / len(truth) >= 0.99, f"{right}/{len(truth)} exact"


def _column(texts: list[str], x0: float = 100.0, size: float = 10.0, gap: float = 3.0) -> list[list[dict]]:
    """Lines of one cell, one above the other, as the text layer gives them (pt)."""
    out, top = [], 50.0
    for t in texts:
        out.append([{"text": ch, "x0": x0 + i * size, "x1": x0 + (i + 1) * size, "top": top, "bottom": top + size}
                    for i, ch in enumerate(t)])
        top += size + gap
    return out


def test_label_one_character_a_line_is_no_stacked_numbers():
    """A group label in a narrow column (（|四|）|无|法|提|供: 四 and 无 alone read as numbers) is a
    label, so its ruled table stays ruled (it took table 三's pages past a break out of the
    stitch: 112/203 on narrow labels' text layer); a column of values stays stacked numbers."""
    from extractor.layout.text_page import stacked_numbers

    assert not stacked_numbers(_column(list("（四）无法提供")))
    assert not stacked_numbers(_column(list("（五）不予处理")))
    assert not stacked_numbers(_column(["(四)", "无", "法", "提", "供"]))
    assert stacked_numbers(_column(["其他", "无"], gap=8.0))
    assert stacked_numbers(_column(["1", "—", "3"], gap=8.0))
    assert stacked_numbers(_column(["自然人", "12"]))
