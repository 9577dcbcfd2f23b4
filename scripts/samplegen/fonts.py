"""Embeddable CJK fonts, from the dev extras (no downloads).

* ``serif`` / ``sans``: Noto Serif SC / Noto Sans SC (package ``pylopdf-fonts-zh-cn``). They
  ship as CFF-flavoured OpenType; pdfminer (hence pdfplumber) drops the text of CFF CID fonts
  that fpdf2 embeds, so each document gets a subset converted to TrueType (glyf) outlines.
* ``wqy``: WenQuanYi Micro Hei (package ``paperang-p2-fonts-cjk``), TrueType already.

All faces end up embedded as CIDFontType2 with a ToUnicode map, like a Word/WPS export.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from functools import cache
from pathlib import Path

FONT_NAMES = ("serif", "sans", "wqy")
# characters always kept in a subset (digits, ASCII, common full-width punctuation)
_BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "（）：，。、；“”—／《》〔〕·•…％"


def _noto_path(name: str) -> Path:
    import pylopdf_fonts_zh_cn as noto  # dev extra

    return noto.serif_path() if name == "serif" else noto.sans_path()


def _wqy_path() -> Path:
    import paperang_p2_fonts_cjk as wqy  # dev extra

    return Path(wqy.__path__[0]) / "fonts" / "wqy-microhei.ttc"


def wqy_path() -> Path:
    """A TrueType CJK face PIL can load (used for seal text on scans)."""
    return _wqy_path()


def _cff_subset_to_ttf(src: Path, chars: str) -> bytes:
    """Subset an OpenType/CFF font to ``chars`` and convert its outlines to TrueType quadratics."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(src), recalcTimestamp=False)
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = True
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    glyphset = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphset)
        glyphset[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    for tag in ("VORG",):
        if tag in font:
            del font[tag]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _cache_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="samplegen-fonts-"))


def font_file(name: str, chars: str) -> tuple[str, int]:
    """(path, collection index) of a TrueType file for face ``name`` covering ``chars``."""
    if name == "wqy":
        return str(_wqy_path()), 0
    if name not in FONT_NAMES:
        raise ValueError(f"unknown font {name!r}")
    needed = "".join(sorted(set(chars) | set(_BASE_CHARS)))
    digest = hashlib.sha1(f"{name}:{needed}".encode()).hexdigest()[:16]
    path = _cache_dir() / f"{name}-{digest}.ttf"
    if not path.exists():
        path.write_bytes(_cff_subset_to_ttf(_noto_path(name), needed))
    return str(path), 0
