"""Decide per page whether to read its text layer or OCR it."""

from __future__ import annotations

from extractor.io import PageSource
from extractor.settings import Settings
from models.page import PageKind

IMAGE_COVER = 0.3  # a page whose images cover this much of it, with little text, is a scan


def image_cover(page) -> float:
    """The fraction of the page that its images cover (largest image, clipped to the page)."""
    area = max(page.width * page.height, 1.0)
    best = 0.0
    for im in page.images:
        w = max(0.0, min(im["x1"], page.width) - max(im["x0"], 0.0))
        h = max(0.0, min(im["bottom"], page.height) - max(im["top"], 0.0))
        best = max(best, w * h / area)
    return best


def classify_page(page: PageSource, settings: Settings) -> PageKind:
    if settings.force_ocr:
        return PageKind.SCAN
    if page.plumber is None:
        return PageKind.SCAN
    pp = page.plumber
    real = sum(1 for c in pp.chars if not c["text"].isspace())
    if real >= settings.min_text_chars:
        return PageKind.TEXT
    if image_cover(pp) >= IMAGE_COVER:
        return PageKind.SCAN
    if real or pp.lines or pp.rects:
        return PageKind.TEXT  # a sparse page (a signature, a date): little text, but all of it there
    return PageKind.EMPTY
