"""Fields stated in the prose: the 信息处理费 collected (section 六)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from models.extraction import Field
from models.page import PageContent, TextLine

FEE = re.compile(r"信息处理费[^0-9。；;]{0,12}?(?P<amount>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万元|元)")
NO_FEE = re.compile(r"(未|没有|无|不)(收取|产生|涉及)[^。；;]{0,12}信息处理费|信息处理费[^。；;]{0,6}(为零|为0|无|均未)")


def prose_text(pages: list[PageContent]) -> tuple[str, list[tuple[int, TextLine]]]:
    """All running text joined, with the offset where each line starts."""
    parts: list[str] = []
    starts: list[tuple[int, TextLine]] = []
    pos = 0
    for page in pages:
        for line in page.lines:
            t = unicodedata.normalize("NFKC", line.text).replace(" ", "")
            starts.append((pos, line))
            parts.append(t)
            pos += len(t)
    return "".join(parts), starts


def _line_at(starts: list[tuple[int, TextLine]], offset: int) -> TextLine:
    found = starts[0][1]
    for pos, line in starts:
        if pos > offset:
            break
        found = line
    return found


def prose_fields(pages: list[PageContent]) -> dict[str, Field]:
    text, starts = prose_text(pages)
    if not starts:
        return {}
    m = FEE.search(text)
    if m:
        amount = Decimal(m.group("amount").replace(",", "").replace("，", ""))
        if m.group("unit") == "万元":
            amount *= 10000
        value: int | Decimal = int(amount) if amount == amount.to_integral_value() else amount
        line = _line_at(starts, m.start("amount"))
        raw = m.group(0)
    else:
        m = NO_FEE.search(text)
        if not m:
            return {}
        value, raw = 0, m.group(0)
        line = _line_at(starts, m.start())
    return {
        "fees.information_processing": Field(
            key="fees.information_processing", value=value, raw=raw, page=line.page, bbox=line.bbox,
            source=line.source, confidence=line.confidence,
            evidence={"ocr": line.confidence, "structure": 1.0, "label": 1.0, "parsed": 1.0},
        )
    }
