"""A count read with a minus before it on a scan (-3; dpi150+jpeg_low seed 1605: a smear before
the 3 taken for the bar): a count is never negative, so its digits are the candidate, in review —
never ok, and never on a text layer (which prints what it prints)."""

from __future__ import annotations

from extractor.mapping.active import _make_field
from extractor.mapping.cell_field import make_field
from extractor.mapping.numbers import stray_sign
from extractor.mapping.titles import Title
from models.extraction import BBox, FieldStatus, Source
from models.fields import ValueType
from models.page import Cell


def _cell(text: str, source: Source = Source.OCR) -> Cell:
    return Cell(row=0, col=1, page=1, text=text, source=source, confidence=0.99,
                bbox=BBox(x0=0, top=0, x1=10, bottom=10))


def test_stray_sign_takes_only_a_bar_before_digits():
    assert stray_sign("-3") == "3" and stray_sign("－12") == "12" and stray_sign("—7") == "7"
    assert stray_sign("3") is None and stray_sign("-3.5") is None and stray_sign("-") is None and stray_sign("a-3") is None


def test_a_scanned_count_read_negative_is_its_digits_in_review():
    f = make_field("applications.received.total", _cell("-3"), ValueType.INT)
    assert f.value == 3 and f.status == FieldStatus.REVIEW
    title = Title(cell=_cell("本年处理决定数量"), key="decisions", score=1.0)
    f = _make_field("active.coercion.decisions", _cell("-3"), title, 1.0)
    assert f.value == 3 and f.status == FieldStatus.REVIEW


def test_a_text_layer_count_read_negative_is_not_mended():
    f = make_field("applications.received.total", _cell("-3", Source.TEXT), ValueType.INT)
    assert f.value is None and f.status == FieldStatus.REVIEW


def test_a_slash_with_a_speck_read_f_is_a_zero_candidate_in_review():
    """A 150 dpi fax's / with a speck at its top, alone in its crop, read f (fax+dpi150 seed 1608)."""
    f = make_field("applications.other.fee_unpaid.commercial_enterprise", _cell("f"), ValueType.INT)
    assert f.value == 0 and f.status == FieldStatus.REVIEW
    assert make_field("applications.received.total", _cell("l"), ValueType.INT).value is None  # a 1? not taken
    assert make_field("applications.received.total", _cell("f", Source.TEXT), ValueType.INT).value is None


def test_a_zero_with_a_speck_over_it_read_as_a_letter_is_a_zero_candidate_in_review():
    """fax seeds 1801, 5201: a 0 with a speck glued over it read à or a, its top worn off read u."""
    for read in ("à", "a", "u"):
        f = make_field("litigation_direct.total", _cell(read), ValueType.INT)
        assert f.value == 0 and f.status == FieldStatus.REVIEW, read
