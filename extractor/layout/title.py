"""The report's title: the publishing agency and the year reported on.

Titles are printed in the largest type at the top of page 1, over one or two lines
(``洪泽区人民政府`` / ``2023 年政府信息公开工作年度报告``). Where the title names no agency, the
opening sentence usually does (现公布朝阳市民政局2023年度政府信息公开工作报告).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from models.extraction import BBox, Field
from models.page import PageContent, TextLine

TITLE = re.compile(
    r"(?P<agency>[^\d]*?)\s*(?:关于)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*"
    r"(?:政府)?\s*(?:信息|政务)\s*公开\s*(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*报告"
)
BODY = re.compile(
    r"(?:现|特)?(?:公布|发布|编制)(?:了)?(?P<agency>[^，。,；;《》]{2,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*"
    r"(?:政府)?(?:信息|政务)公开"
)


@dataclass
class Title:
    text: str | None = None
    agency: str | None = None
    year: int | None = None
    fields: dict[str, Field] = field(default_factory=dict)


def clean_agency(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    return t.strip("：:，,。 ")


def title_lines(page: PageContent, limit: int = 8) -> list[TextLine]:
    """The lines in the largest type among the first few lines of the page."""
    head = [ln for ln in page.lines[:limit] if ln.text.strip()]
    if not head:
        return []
    biggest = max(ln.size for ln in head)
    if biggest <= 0:  # OCR lines carry a height instead of a size: use the first lines
        return head[:3]
    return [ln for ln in head if ln.size >= 0.85 * biggest]


def find_title(pages: list[PageContent]) -> Title:
    first = next((p for p in pages if p.lines), None)
    if first is None:
        return Title()
    lines = title_lines(first)
    text = "".join(ln.text for ln in lines)
    out = Title(text=text or None)
    match = TITLE.search(re.sub(r"\s+", "", text))
    source_lines = lines
    if match is None:  # look in the opening lines for a title printed in body type
        window = first.lines[:12]
        joined = "".join(ln.text for ln in window)
        match = TITLE.search(re.sub(r"\s+", "", joined))
        source_lines = window
    agency = clean_agency(match.group("agency")) if match else ""
    year = int(match.group("year")) if match else None
    if not agency:
        body = "".join(ln.text for p in pages[:2] for ln in p.lines[:30])
        m2 = BODY.search(re.sub(r"\s+", "", body))
        if m2:
            agency = clean_agency(m2.group("agency"))
            year = year or int(m2.group("year"))
    out.agency = agency or None
    out.year = year
    if source_lines:
        box = source_lines[0].bbox
        for ln in source_lines[1:]:
            box = box.union(ln.bbox)
        page = source_lines[0].page
        src = source_lines[0].source
        conf = min(ln.confidence for ln in source_lines)
        raw = "".join(ln.text for ln in source_lines)
        if out.agency:
            out.fields["report.agency"] = _field("report.agency", out.agency, raw, page, box, src, conf)
        if out.year:
            out.fields["report.year"] = _field("report.year", out.year, raw, page, box, src, conf)
    return out


def _field(key, value, raw, page, box: BBox, source, confidence) -> Field:
    return Field(key=key, value=value, raw=raw, page=page, bbox=box, source=source, confidence=confidence,
                 evidence={"ocr": confidence, "structure": 1.0, "label": 1.0, "parsed": 1.0})
