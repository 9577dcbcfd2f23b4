"""A document read as tables and paragraphs (web page, Word file) rather than as pages.

It becomes one ``PageContent`` on a notional page (see ``extractor.grid.structured``): a title
line in large type, the prose paragraphs, and the grids in reading order. From there the pipeline
is the PDF's: stitching (a no-op), title, mapping, prose, checks, storage, review.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractor.grid.structured import grid_height, text_lines
from models.extraction import BBox
from models.page import Grid, PageContent, PageKind, TextLine

TITLE_SIZE = 1e4  # above any size a source prints: the title found is page 1's title line
BODY_SIZE = 12.0


@dataclass
class StructuredContent:
    kind: str  # "html" | "docx"
    title: str | None
    paragraphs: list[str]  # the article's prose, tables left out, in reading order
    grids: list[Grid]
    encoding: str | None = None
    sizes: list[float] | None = None  # type size of each paragraph where the source has one (Word)

    def page(self) -> PageContent:
        texts: list[tuple[str, float]] = []
        if self.title:
            texts.append((self.title, TITLE_SIZE))
        sizes = self.sizes if self.sizes and len(self.sizes) == len(self.paragraphs) else None
        texts += [(p, sizes[i] if sizes else BODY_SIZE) for i, p in enumerate(self.paragraphs)]
        lines: list[TextLine] = text_lines(texts)
        height = sum(grid_height(g) for g in self.grids) + 16.0 * len(lines)
        return PageContent(number=1, width=max([g.bbox.x1 for g in self.grids if g.bbox] + [595.0]),
                           height=max(842.0, height), kind=PageKind.TEXT, lines=lines, grids=list(self.grids))


def hint_title_line(title: str) -> TextLine:
    """A web page's title given to a report read from its images (图片版): page 1's title line,
    in a size no line of the images reaches, at the page's top edge."""
    return TextLine(text=title, bbox=BBox(x0=0.0, top=0.0, x1=1.0, bottom=1.0), page=1, size=1e4)
