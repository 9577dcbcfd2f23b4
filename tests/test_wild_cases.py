"""The text-layer cases of ../shared/cases: inputs the extractor once got wrong, each a kind.

open_sides.pdf (no outer table border), rect_segments.pdf (rules as chains of tiny rectangles),
outlines.pdf (glyphs as vector outlines: read by OCR, page by page), watermark.pdf (grey
diagonal text with digits across the tables): each must extract exactly, 202 of 202 fields.
"""

from __future__ import annotations

import json

import pytest

from conftest import SHARED
from extractor import extract
from helpers_compare import exact_or_flagged, mismatches
from models import DocumentStatus

CASES = SHARED / "cases"


def case_file(name: str):
    path = CASES / name
    if not path.exists():
        pytest.skip(f"the shared cases are absent: {path} not found (tests read ../shared/cases)")
    return path


_RESULTS: dict[str, object] = {}


def extracted(name: str):
    """Each case extracted once per session (outlines.pdf is OCR'd: seconds)."""
    if name not in _RESULTS:
        _RESULTS[name] = extract(case_file(f"{name}.pdf"))
    return _RESULTS[name]


@pytest.mark.parametrize("name", ["open_sides", "rect_segments", "watermark", "outlines"])
def test_case_extracts_exactly(name):
    pdf = case_file(f"{name}.pdf")
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extracted(name)
    assert result.status != DocumentStatus.FAILED, result.errors
    wrong = [m for m in mismatches(result, truth) if not m.startswith("keys not in truth")]
    assert wrong == []  # the truth files cover the tables and the title; prose fields may be extra
    right, unflagged = exact_or_flagged(result, truth)
    assert (right, unflagged) == (len(truth), [])


def test_outlined_pages_go_to_ocr_and_others_do_not():
    outlined = extracted("outlines")
    assert outlined.report.ocr_pages == list(range(1, outlined.report.pages + 1))
    assert outlined.report.text_pages == []
    watermarked = extracted("watermark")
    assert watermarked.report.ocr_pages == []


def test_inferred_border_is_carried_in_structure():
    """open_sides has no outer border: its cells' structure says the border was inferred."""
    result = extracted("open_sides")
    structures = {f.evidence.get("structure") for k, f in result.fields.items() if k.startswith("applications.")}
    assert structures and max(structures) < 1.0
    drawn = extracted("rect_segments")
    assert {f.evidence.get("structure") for k, f in drawn.fields.items() if k.startswith("applications.")} == {1.0}
