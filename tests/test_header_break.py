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
