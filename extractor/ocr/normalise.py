"""Text normalisation of what the recogniser read: readings of several crops joined, spaces
between CJK glyphs dropped, a lone dash as —, stray marks around a number (7. -2 •3) taken off
(and the cell sent to review), a lone bracket or bar as the 1 it was.
"""

from __future__ import annotations

import re

import numpy as np

from extractor.ocr.engine import Recognition
from models.extraction import Alternative


def _combine(results: list[Recognition], vertical: bool) -> Recognition:
    if not results:
        return Recognition(text="", score=1.0)
    if len(results) == 1:
        return results[0]
    text = "".join(r.text for r in results)
    chars = [s for r in results for s in r.char_scores]
    score = float(np.prod([r.score for r in results]))
    alts: list[Alternative] = []
    # another reading of one line, the others as read
    for i, r in enumerate(results):
        for a in r.alternatives[:3]:
            t = "".join(a.text if j == i else o.text for j, o in enumerate(results))
            alts.append(Alternative(text=t, score=round(score / max(r.score, 1e-9) * a.score, 6)))
    alts.sort(key=lambda a: -a.score)
    return Recognition(text=text, score=score, char_scores=chars, alternatives=alts[:6],
                       char_alternatives=[c for r in results for c in r.char_alternatives])


DASH_CONFIDENCE = 0.98  # a lone solid bar is a dash; a little under 1: a faint digit could hide in it
DASHES = set("一—–-_－―‐")


def _normalise(text: str) -> str:
    """Spaces the recogniser put between CJK glyphs dropped (the text layer has none there); a
    cell holding only a dash, which the recogniser reads as 一 (one), becomes —."""
    t = text.strip()
    if t and all(ch in DASHES for ch in t) and len(t) <= 3:
        return "—"
    if " " not in text:
        return text.strip()
    out = []
    parts = text.strip().split(" ")
    for i, p in enumerate(parts):
        if not p:
            continue
        if out and (out[-1][-1:].isascii() and out[-1][-1:].isalnum() and p[:1].isascii() and p[:1].isalnum()):
            out.append(" ")
        out.append(p)
    return "".join(out)


# (一: a bar on a line of its own above or below the number — a pale seal's star point, a
# rule's piece — joined to it as the CJK one; a minus beside the digits is told by its shape
# first, ``minus_sign._minus_bar``)
_STRAY = "-−–_.·•*#'`\",，。、:：;；~^°一!！"
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
STRAY_CONFIDENCE = 0.5  # a number read with a stray mark: right more often than not, but reviewed


# a lone 1 whose foot a seal's stroke hid (what is left is its serif and the top of its stem)
_ONE_LIKE = set("】]」|丨lI")


def _strip_stray(text: str) -> str | None:
    """A number with marks glued on that no number in these tables has — a point after the last
    digit, a minus, dot or star before the first (7. -2 •3): a speck beside the digits, read as
    punctuation; or a cell holding nothing but one bar or closing bracket (】 ] |), which no
    label or value of these tables is: a 1 partly lost. A bar read as 一 (one) glued to the
    digits is a stray mark too (一3: no count is written so). Returns the number, or None when
    ``text`` is not one."""
    if len(text) == 1 and text in _ONE_LIKE:
        return "1"
    core = text.strip(_STRAY)
    if core == text or not _NUMBER.fullmatch(core):
        return None
    return core
