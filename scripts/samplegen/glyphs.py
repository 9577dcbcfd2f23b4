"""Printed forms of text that NFKC folds back: Kangxi radicals and full-width forms.

Some PDF converters map CJK ideographs to the Kangxi Radicals block (⼈ U+2F08 for 人,
⼯ U+2F2F for 工); some authors type digits full width (２０２２年). The generator prints titles
that way (``Style.title_glyphs``); the truth keeps the plain text, as a reader would type it.
"""

from __future__ import annotations

import unicodedata
from functools import cache


@cache
def _kangxi() -> dict[str, str]:
    """Ideograph → its Kangxi-radical code point (every radical NFKC maps to one ideograph)."""
    out: dict[str, str] = {}
    for cp in range(0x2F00, 0x2FD6):
        plain = unicodedata.normalize("NFKC", chr(cp))
        if len(plain) == 1 and plain != chr(cp):
            out.setdefault(plain, chr(cp))
    return out


def kangxi(text: str) -> str:
    """Every ideograph that has a Kangxi-radical twin printed as the radical."""
    table = _kangxi()
    return "".join(table.get(ch, ch) for ch in text)


def fullwidth(text: str) -> str:
    """ASCII digits and letters printed full width (２０２２年)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def printed(text: str, form: str) -> str:
    """``text`` in the glyph form ``form``: plain / kangxi / fullwidth / both."""
    if form in ("kangxi", "both"):
        text = kangxi(text)
    if form in ("fullwidth", "both"):
        text = fullwidth(text)
    return text
