"""Fields stated in the prose: the 信息处理费 collected (section 六), and whether a scan's
section 六 was found at all (``fee_section_read``)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from models.extraction import Field
from models.page import PageContent, TextLine

FEE = re.compile(r"信息处理费[^0-9。；;]{0,12}?(?P<amount>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万元|元)")
# section 六's heading as a scan reads it: 六、其他需要报告的事项 (its 、 may be lost or misread)
FEE_HEADING = re.compile(r"^六\s*[、.．，,：:1lI|]?\s*其他|其他需要报告的事项")
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


def fee_section_read(pages: list[PageContent]) -> bool:
    """Some line of ``pages`` is section 六's heading (六、其他需要报告的事项) or mentions the
    信息处理费. False on a scan whose section 六 was never found: its fee sentence, if printed,
    was not read (the scan path reads section 六 only after its heading, ``extractor.ocr.prose``),
    so an absent ``fees.information_processing`` says nothing about the report."""
    for page in pages:
        for line in page.lines:
            t = unicodedata.normalize("NFKC", line.text).replace(" ", "")
            if FEE_HEADING.search(t) or "处理费" in t:
                return True
    return False


def fee_mentioned(pages: list[PageContent]) -> bool:
    """Some line of ``pages`` names the 信息处理费 (or 处理费). With no fee read (``prose_fields``
    empty), the sentence stating it was read in part only."""
    return any("处理费" in unicodedata.normalize("NFKC", line.text).replace(" ", "")
               for page in pages for line in page.lines)


def unread_fee(pages: list[PageContent]) -> str | None:
    """Why a scan's fee, with none read (``prose_fields`` empty), may still be printed: section
    六 was never found (``fee_section_read``), or the text names the fee with no amount read
    (``fee_mentioned``: 信息处理费0 with its 元 on a line not read). None: nothing says so."""
    if not fee_section_read(pages):
        return "section 六 (其他需要报告的事项) was not found on the scan; its 信息处理费, if stated, needs a person"
    if fee_mentioned(pages):
        return "the scan's text names the 信息处理费 but no amount or \"none\" could be read from it; it needs a person"
    return None
