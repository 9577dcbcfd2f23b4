"""A mapped table cell → a canonical field, and the field a document should print but does not.

Shared by every table's mapping (``tables`` for 三, ``active`` for 二, ``litigation`` for 四): a
field is ``ok`` only when its value parses and its row label and column title were both
positively matched (``titles.POSITIVE``); anything else is ``review``.
"""

from __future__ import annotations

from extractor.mapping.numbers import (
    Parsed,
    misread_zero,
    parse_number,
    readable_alternative,
    stray_sign,
    unsure_empty,
    worn_zero,
)
from extractor.mapping.titles import POSITIVE
from models.extraction import Field, FieldStatus, Source
from models.fields import ValueType
from models.page import Cell


def missing_field(key: str, source: Source = Source.TEXT) -> Field:
    """A field the document should print but that was not found: a person must supply it."""
    return Field(
        key=key, value=None, raw="", confidence=0.0, status=FieldStatus.REVIEW, source=source,
        evidence={"ocr": 0.0, "structure": 0.0, "label": 0.0, "parsed": 0.0, "found": 0.0},
    )


def spaces_real(cell: Cell) -> bool:
    """Whether a space in the cell's text is evidence (``numbers.digits_apart``): on a scan it
    was seen, in a web page or a Word file it is printed; a PDF's text layer makes one of the
    gap between two glyph boxes (4119 in a font whose 1 is narrow reads 41 19), so there it is
    none."""
    return cell.source == Source.OCR or cell.ref is not None


def make_field(
    key: str, cell: Cell, type_: ValueType, label_score: float = 1.0, column_score: float = 1.0
) -> Field:
    """A mapped cell. ``ok`` only when it parses and its row label and column title were both
    positively matched (``titles.POSITIVE``); otherwise ``review``."""
    parsed = parse_number(cell.text, type_, spaces_real=spaces_real(cell))
    zero = misread_zero(cell.text) if parsed.value is None else None
    if zero is not None:  # a 0 read as O: the value it most likely is, for a person to confirm
        parsed = Parsed(parse_number(zero, type_).value, False, reason="misread_zero")
    elif parsed.value is None and cell.source == Source.OCR:
        # no number read first (尤 for a worn 无): the recogniser's next reading that is one, else
        # the 0 a worn 无 is, else a count's digits read with a speck's minus before them
        other = readable_alternative(cell.text, cell.alternatives) or worn_zero(cell.text)
        if other is None and type_ == ValueType.INT:
            other = stray_sign(cell.text)
        if other is not None:
            parsed = Parsed(parse_number(other, type_).value, False, reason="alternative_reading")
    positive = label_score >= POSITIVE and column_score >= POSITIVE
    status = FieldStatus.OK if parsed.ok and positive and not unsure_empty(cell.text, cell.confidence) else FieldStatus.REVIEW
    return Field(
        key=key,
        value=parsed.value,
        raw=cell.text,
        confidence=cell.confidence if parsed.ok else 0.0,
        page=cell.page,
        bbox=cell.bbox,
        bbox_px=cell.bbox_px,
        dpi=cell.dpi,
        source=cell.source,
        status=status,
        alternatives=list(cell.alternatives),
        char_scores=list(cell.char_scores),
        evidence={"ocr": cell.confidence, "structure": cell.structure, "label": round(label_score, 3),
                  "column": round(column_score, 3), "parsed": 1.0 if parsed.ok else 0.0,
                  "mapped": 1.0 if positive else 0.0},
    )
