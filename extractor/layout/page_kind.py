"""Decide per page whether to read its text layer or OCR it.

Runs on every page of every document, so it only walks ``page.text_layer().chars`` once (read
parses them once and the text path reuses them). A page is a SCAN when:

* there is no text layer (image inputs), or ``settings.force_ocr``;
* it has too little text (< ``settings.min_text_chars``) and an image covering it;
* its text layer is garbage: ``(cid:NN)`` glyphs with no Unicode mapping, private-use code
  points, U+FFFD, control characters, or mojibake (a GBK report decoded as Latin-1 comes out as
  runs of Latin-1/Latin Extended letters and no CJK);
* its text is drawn as vector outlines (as "print to PDF" drivers and ``gs -dNoOutputFonts``
  do): many small filled shapes (``TextLayer.glyph_shapes``) and few or no characters, or
  characters that are all invisible — there is nothing to read but the pixels;
* it is a scan carrying an invisible OCR layer (an image over most of the page, text on top, no
  vector rules): the text layer holds no table rules for the grid, and its quality is unknown —
  our own recogniser reads the image (and gives per-character scores).

A page with a little text but no image (a signature line, a date) stays TEXT; a page with
nothing on it is EMPTY.
"""

from __future__ import annotations

from extractor.io import PageSource
from extractor.settings import Settings
from models.page import PageKind

IMAGE_COVER = 0.3  # a page whose images cover this much of it, with little text, is a scan
SCANNED_COVER = 0.6  # an image this large under a text layer: a scan with an OCR layer
GARBAGE_SHARE = 0.15  # this share of unusable characters makes the text layer garbage
MIN_RULES = 4  # vector lines/rects a real table page has at least
MIN_GLYPH_SHAPES = 150  # glyph-like vector shapes on a page of outlined text (a seal has fewer)


def image_cover(page) -> float:
    """The fraction of the page that its images cover (largest image, clipped to the page)."""
    area = max(page.width * page.height, 1.0)
    best = 0.0
    for im in page.images:
        w = max(0.0, min(im["x1"], page.width) - max(im["x0"], 0.0))
        h = max(0.0, min(im["bottom"], page.height) - max(im["top"], 0.0))
        best = max(best, w * h / area)
    return best


def _is_cjk(o: int) -> bool:
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def text_quality(chars) -> tuple[int, float, float]:
    """(real characters, share of garbage, share of CJK) of a page's characters."""
    real = garbage = cjk = latin_ext = 0
    for c in chars:
        t = c["text"]
        if not t or t.isspace():
            continue
        real += 1
        if t.startswith("(cid:"):
            garbage += 1
            continue
        o = ord(t[0])
        if 0xE000 <= o <= 0xF8FF or o == 0xFFFD or o < 0x20 or 0x7F <= o < 0xA0:
            garbage += 1
        elif _is_cjk(o):
            cjk += 1
        elif 0xA0 <= o <= 0x2FF:
            latin_ext += 1
    if real == 0:
        return 0, 0.0, 0.0
    # mojibake: accented Latin letters where a Chinese report has CJK
    if latin_ext > 0.2 * real and cjk < 0.2 * real:
        garbage += latin_ext
    return real, garbage / real, cjk / real


def _ocr_layer(pp) -> bool:
    """Fonts that OCR tools use for their invisible text layers."""
    for c in pp.chars[:200]:
        name = str(c.get("fontname", ""))
        if "GlyphLess" in name or "OCR" in name.upper():
            return True
    return False


def classify_page(page: PageSource, settings: Settings) -> PageKind:
    if settings.force_ocr:
        return PageKind.SCAN
    pp = page.text_layer()
    if pp is None:
        return PageKind.SCAN
    real, garbage, _cjk = text_quality(pp.chars)
    shapes = getattr(pp, "glyph_shapes", 0)
    if shapes >= MIN_GLYPH_SHAPES and shapes > 2 * real:
        return PageKind.SCAN  # text drawn as outlines: render it and read it
    if real >= settings.min_text_chars:
        if garbage >= GARBAGE_SHARE:
            return PageKind.SCAN
        n_rules = len(pp.lines) + len(pp.rects)
        if n_rules < MIN_RULES and (_ocr_layer(pp) or image_cover(pp) >= SCANNED_COVER):
            return PageKind.SCAN  # a scan with an (invisible) OCR layer
        return PageKind.TEXT
    if image_cover(pp) >= IMAGE_COVER:
        return PageKind.SCAN
    if page.pdfium_char_count() >= max(settings.min_text_chars, 2 * real + 1):
        return PageKind.SCAN  # text pdfminer cannot decode (some embedded CFF fonts): read the pixels
    if real or pp.lines or pp.rects:
        return PageKind.TEXT  # a sparse page (a signature, a date): little text, but all of it there
    return PageKind.EMPTY
