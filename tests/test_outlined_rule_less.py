"""Outlined glyphs (gs -dNoOutputFonts) of a report printed with no table rules: OCR reads its title
and headings but no table structure. It is a report — never refused as "not an annual report" —
and every table field of its format is in the output, awaiting a person (review)."""

from __future__ import annotations

import shutil

import pytest

from extractor import extract
from models import DocumentStatus
from models.extraction import FieldStatus
from models.fields import registry

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) is not installed: outlined PDFs cannot be made")


def test_outlined_rule_less_report_goes_to_review(tmp_path):
    from scripts.samplegen.build import write_report
    from scripts.samplegen.wild import outline_pdf, wild_report

    report = wild_report("no_rules", 91)
    pdf = write_report(report, tmp_path).path
    outline_pdf(pdf, tmp_path / "outlined.pdf")
    result = extract(tmp_path / "outlined.pdf")
    assert result.status == DocumentStatus.REVIEW, result.errors
    table_keys = {s.key for s in registry(report.layouts) if s.key.split(".")[0] in
                  ("active", "applications", "review", "litigation_direct", "litigation_after_review")}
    assert table_keys <= set(result.fields)
    assert all(f.status == FieldStatus.REVIEW for k, f in result.fields.items() if k in table_keys and f.value is None)


def test_a_letter_is_still_not_a_report(tmp_path):
    from helpers_badfiles import make_letter_pdf

    result = extract(make_letter_pdf(tmp_path / "letter.pdf"))
    assert result.status == DocumentStatus.FAILED
