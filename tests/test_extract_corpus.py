"""End to end: the real reports of ../shared/corpus extract to their truth files exactly."""

from __future__ import annotations

import pytest

from conftest import corpus_file, load_truth
from extractor import extract
from helpers_compare import mismatches
from models import DocumentStatus, Layout, Source

REAL = ["huaian-hongze-district-gov_2023.pdf", "huaian-hongze-district-gov_2024.pdf"]


@pytest.mark.parametrize("name", REAL)
def test_real_report_every_field_exact(name):
    pdf = corpus_file(name)
    result = extract(pdf)
    assert result.status != DocumentStatus.FAILED, result.errors
    assert mismatches(result, load_truth(pdf)) == []
    assert result.report.layout == Layout.L2019
    assert result.report.ocr_pages == []


def test_real_report_fields_carry_provenance():
    pdf = corpus_file(REAL[0])
    result = extract(pdf)
    cell = result.fields["applications.received.total"]
    assert cell.source == Source.TEXT
    assert cell.page == 3
    assert cell.bbox is not None and cell.bbox.x0 > 450  # the 总计 column, right edge of the table
    # table 三 continues on page 4 without a header: its rows keep their own page
    assert result.fields["applications.closed_total.total"].page == 4
    assert result.fields["active.fees.amount"].raw == "7730.28"
