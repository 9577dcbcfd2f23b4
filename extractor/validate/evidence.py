"""The non-arithmetic evidence of one field: recogniser score, structure certainty, label match.

Extraction may set ``Field.evidence`` parts ``ocr``, ``structure`` and ``label`` (each 0–1); every
part defaults to 1.0. Text-layer fields read their digits exactly, so their ``ocr`` part is 1.0
whatever is set. For an OCR field without an ``ocr`` part the recogniser's per-character scores
(their minimum) or else the field's incoming ``confidence`` stand in.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.extraction import Field, Source


@dataclass(frozen=True)
class Evidence:
    ocr: float = 1.0
    structure: float = 1.0
    label: float = 1.0
    is_ocr: bool = False

    @property
    def product(self) -> float:
        return self.ocr * self.structure * self.label


def _clip(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


def evidence_of(field: Field) -> Evidence:
    ev = field.evidence or {}
    is_ocr = field.source == Source.OCR
    if not is_ocr:
        ocr = 1.0
    elif "ocr" in ev:
        ocr = ev["ocr"]
    elif field.char_scores:
        ocr = min(field.char_scores)
    else:
        ocr = field.confidence if field.confidence is not None else 1.0
    return Evidence(
        ocr=_clip(ocr),
        structure=_clip(ev.get("structure", 1.0)),
        label=_clip(ev.get("label", 1.0)),
        is_ocr=is_ocr,
    )
