"""Synthetic scans for the OCR tests (see extractor.ocr.synth)."""

from extractor.ocr.synth import degrade  # noqa: F401
