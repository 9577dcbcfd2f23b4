"""Typesetting a report into a text-layer PDF with fpdf2, like a Word/WPS export.

Layout runs first and produces drawing operations per page (text runs, ruling segments, fills);
the operations are then emitted page by page. Coordinates are PDF points with the origin at the
top left (as pdfplumber reports them). Ruling segments shared by neighbouring cells are drawn
once. Tables break across pages between rows (inside the header too, at ``Style.header_break``);
a merged cell cut by a page break is closed on each page and keeps on each part the lines that fit
there, the rest running on into the next part (自然 | 人).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpdf import FPDF

from .content import Report
from .fonts import font_file
from .glyphs import printed
from .tables import TableSpec, TCell, active_table, application_table, litigation_table

PAGE_W, PAGE_H = 595.28, 841.89
FIXED_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
PAD = 2.5


@dataclass
class Page:
    texts: list[tuple[float, float, str, str, float]] = field(default_factory=list)  # x, baseline, text, font, size
    segments: set[tuple[float, float, float, float]] = field(default_factory=set)
    fills: list[tuple[float, float, float, float, tuple[int, int, int]]] = field(default_factory=list)


@dataclass
class Rendered:
    path: Path
    pages: int
    tables: list[dict[str, Any]]  # {"table", "page", "bbox": [x0, top, x1, bottom]}


class Layouter:
    def __init__(self, report: Report):
        self.r = report
        self.st = report.style
        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_creation_date(FIXED_DATE)
        self.pdf.set_producer("Microsoft® Word 2016" if self.st.font == "serif" else "WPS Office")
        self.pdf.set_creator("Microsoft® Word 2016" if self.st.font == "serif" else "WPS 文字")
        self.pdf.set_title(report.title_lines[0] if len(report.title_lines) == 1 else "".join(report.title_lines))
        self.pdf.set_auto_page_break(False)
        chars = report.all_text() + "".join(
            cell.text for spec in self._specs() for cell in spec.cells
        ) + "-第页共0123456789"
        if self.st.body_glyphs != "plain":
            chars += printed(chars, self.st.body_glyphs)
        faces = {self.st.font, self.st.heading_font or self.st.font}
        for face in sorted(faces):
            path, idx = font_file(face, chars)
            self.pdf.add_font(face, fname=path, collection_font_number=idx)
        self.pages: list[Page] = []
        self.y = 0.0
        self.left = self.st.margin_x
        self.right = PAGE_W - self.st.margin_x
        self.top = self.st.margin_top
        self.bottom = PAGE_H - self.st.margin_bottom
        self.table_boxes: list[dict[str, Any]] = []
        self.new_page()

    def _specs(self) -> list[TableSpec]:
        if not hasattr(self, "_spec_cache"):
            w = PAGE_W - 2 * self.st.margin_x
            apps = application_table(self.r, w)
            if self.st.split_row:
                from .wild import split_row

                apps = split_row(apps, self.st.split_row, values_below=self.st.split_values == "bottom",
                                 cut_share=self.st.split_cut)
            self._spec_cache = [active_table(self.r, w), apps, litigation_table(self.r, w)]
        return self._spec_cache

    # --- primitives ---------------------------------------------------------------------------
    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.top

    def width(self, text: str, font: str, size: float) -> float:
        self.pdf.set_font(font, size=size)
        return self.pdf.get_string_width(text)

    def wrap(self, text: str, font: str, size: float, width: float, first_indent: float = 0.0) -> list[str]:
        """Greedy wrap, any character may end a line (CJK), but runs of ASCII digits stay whole."""
        self.pdf.set_font(font, size=size)
        lines: list[str] = []
        cur = ""
        avail = width - first_indent
        tokens: list[str] = []
        for ch in text:
            if tokens and ch.isascii() and ch.isalnum() and tokens[-1][-1:].isascii() and tokens[-1][-1:].isalnum():
                tokens[-1] += ch
            else:
                tokens.append(ch)
        for tok in tokens:
            if cur and self.pdf.get_string_width(cur + tok) > avail:
                lines.append(cur)
                cur = tok.lstrip(" ")
                avail = width
            else:
                cur += tok
        if cur or not lines:
            lines.append(cur)
        return lines

    def text(self, x: float, baseline: float, s: str, font: str, size: float) -> None:
        if s:
            self.page.texts.append((x, baseline, s, font, size))

    # --- flow ---------------------------------------------------------------------------------
    def ensure(self, h: float) -> None:
        if self.y + h > self.bottom:
            self.new_page()

    def title(self) -> None:
        size = self.st.title_size
        font = self.st.heading_font or self.st.font
        self.y += size * 0.5
        for line in self.r.title_lines:
            for part in self.wrap(line, font, size, self.right - self.left):
                w = self.width(part, font, size)
                self.text((PAGE_W - w) / 2, self.y + size * 0.88, part, font, size)
                self.y += size * 1.45
        self.y += size * 0.8

    def paragraph(self, text: str, *, font: str | None = None, size: float | None = None, indent: bool = True) -> None:
        font = font or self.st.font
        size = size or self.st.body_size
        lh = size * 1.6
        ind = 2 * size if indent else 0.0
        for i, line in enumerate(self.wrap(text, font, size, self.right - self.left, ind)):
            self.ensure(lh)
            self.text(self.left + (ind if i == 0 else 0.0), self.y + size * 0.9, line, font, size)
            self.y += lh

    def heading(self, text: str) -> None:
        size = self.st.body_size + 1
        self.ensure(size * 1.8 + self.st.body_size * 1.6 * 2)
        self.y += size * 0.3
        self.paragraph(text, font=self.st.heading_font or self.st.font, size=size)
        self.y += size * 0.2

    def closing(self) -> None:
        if not self.r.closing:
            return
        self.y += self.st.body_size * 2
        for line in self.r.closing:
            self.ensure(self.st.body_size * 1.6)
            w = self.width(line, self.st.font, self.st.body_size)
            self.text(self.right - w - self.st.body_size * 2, self.y + self.st.body_size * 0.9, line, self.st.font, self.st.body_size)
            self.y += self.st.body_size * 1.6

    # --- tables -------------------------------------------------------------------------------
    def _cell_lines(self, cell: TCell, widths: list[float]) -> list[str]:
        w = sum(widths[cell.col : cell.col + cell.colspan]) - 2 * PAD
        if cell.vertical:
            return [ch for ch in cell.text if ch.strip()]
        return self.wrap(cell.text, self.st.font, self.st.table_size, w)

    def table(self, spec: TableSpec) -> None:
        size = self.st.table_size
        lh = size * 1.3
        min_h = size * 2.0
        widths = spec.col_widths
        heights = [min_h] * spec.n_rows
        lines = {id(c): self._cell_lines(c, widths) for c in spec.cells}
        for c in sorted(spec.cells, key=lambda c: c.rowspan):
            need = len(lines[id(c)]) * lh + 2 * PAD
            have = sum(heights[c.row : c.row + c.rowspan])
            if need > have:
                heights[c.row + c.rowspan - 1] += need - have
        total_w = sum(widths)
        x0 = self.left + max(0.0, (self.right - self.left - total_w) / 2)
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        # place rows
        cut = self.st.header_break.get(spec.name)
        if cut is not None and 0 < cut < spec.header_rows:
            # the header's first rows at the foot of the page, the rest on the next one
            first = sum(heights[:cut])
            self.ensure(first)
            self.y = max(self.y, self.bottom - first)
        else:
            cut = None
            self.ensure(sum(heights[: spec.header_rows + 1]))
        pos: list[tuple[int, float]] = []
        start_page = len(self.pages)
        for r in range(spec.n_rows):
            # the forced break (as if the prose above had filled the page) only while the table
            # has not broken by itself yet
            split = bool(spec.row_keys) and str(spec.row_keys[r]).endswith("#split") and self.y > self.top
            forced = split or (cut == r and self.y > self.top) or (
                self.st.break_row is not None
                and spec.row_keys
                and spec.row_keys[r] == self.st.break_row
                and self.y > self.top
                and len(self.pages) == start_page
            )
            if self.y + heights[r] > self.bottom or forced:
                self.new_page()
            pos.append((len(self.pages) - 1, self.y))
            self.y += heights[r]
        self.y += size
        # per-page bounding boxes
        by_page: dict[int, list[float]] = {}
        for r, (p, y) in enumerate(pos):
            box = by_page.setdefault(p, [y, y + heights[r]])
            box[1] = y + heights[r]
        for p, (top, bot) in by_page.items():
            self.table_boxes.append(
                {"table": spec.name, "page": p + 1, "bbox": [round(xs[0], 2), round(top, 2), round(xs[-1], 2), round(bot, 2)]}
            )
        outer = {p: (top, bot) for p, (top, bot) in by_page.items()}
        for c in spec.cells:
            frags: list[tuple[int, float, float]] = []  # page, top, bottom
            for r in range(c.row, c.row + c.rowspan):
                p, y = pos[r]
                if frags and frags[-1][0] == p:
                    frags[-1] = (p, frags[-1][1], y + heights[r])
                else:
                    frags.append((p, y, y + heights[r]))
            cx0, cx1 = xs[c.col], xs[c.col + c.colspan]
            for p, top, bot in frags:
                page = self.pages[p]
                if c.shade:
                    page.fills.append((cx0, top, cx1 - cx0, bot - top, c.shade))
                for seg in ((cx0, top, cx1, top), (cx0, bot, cx1, bot), (cx0, top, cx0, bot), (cx1, top, cx1, bot)):
                    if self._drawn(seg, xs, outer[p]):
                        page.segments.add(tuple(round(v, 2) for v in seg))
            self._cell_text(c, lines[id(c)], frags, cx0, cx1, lh)

    def _drawn(self, seg, xs: list[float], rows: tuple[float, float]) -> bool:
        """Whether a rule is drawn: all (frame full), none (frame none), or the inner ones only
        (frame open: no rule on the table's outer border, on any page)."""
        frame = self.st.frame
        if frame == "none":
            return False
        if frame == "horizontal":  # rules between rows only (a "three-line" table)
            return seg[1] == seg[3]
        if frame == "vertical":  # rules between columns only
            return seg[0] == seg[2]
        if frame == "open":
            x0, y0, x1, y1 = seg
            if x0 == x1 and (abs(x0 - xs[0]) < 0.01 or abs(x0 - xs[-1]) < 0.01):
                return False
            if y0 == y1 and (abs(y0 - rows[0]) < 0.01 or abs(y0 - rows[1]) < 0.01):
                return False
        return True

    def _cell_text(self, c: TCell, lines: list[str], frags, cx0: float, cx1: float, lh: float) -> None:
        size = self.st.table_size
        font = self.st.font
        remaining = list(lines)
        for p, top, bot in frags:
            if not remaining:
                break
            # text that does not fit the part of a merged cell on this page runs on to the next
            cap = max(1, int((bot - top - 2 * PAD + 0.01) // lh))
            last = (p, top, bot) == frags[-1]
            chunk, remaining = (remaining, []) if last else (remaining[:cap], remaining[cap:])
            block = len(chunk) * lh
            y = top + (bot - top - block) / 2
            page = self.pages[p]
            for line in chunk:
                w = self.width(line, font, size)
                x = cx0 + PAD if c.align == "left" else cx0 + (cx1 - cx0 - w) / 2
                if line:
                    page.texts.append((x, y + size * 1.02, line, font, size))
                y += lh

    # --- document -----------------------------------------------------------------------------
    def build(self) -> None:
        self.title()
        for para in self.r.intro:
            self.paragraph(para)
        specs = dict(zip(("二", "三", "四"), self._specs(), strict=True))
        for sec, (heading, paras) in self.r.sections.items():
            self.heading(heading)
            for para in paras:
                self.paragraph(para)
            if sec in specs:
                self.table(specs[sec])
        self.closing()

    def emit(self, path: Path) -> int:
        if self.st.backend == "reportlab_cid":
            return self.emit_reportlab(path)
        pdf = self.pdf
        lw = self.st.rule_width
        for i, page in enumerate(self.pages):
            pdf.add_page()
            for x, y, w, h, rgb in page.fills:
                pdf.set_fill_color(*rgb)
                pdf.rect(x, y, w, h, style="F")
            pdf.set_draw_color(0, 0, 0)
            pdf.set_fill_color(0, 0, 0)
            pdf.set_line_width(lw)
            for x0, y0, x1, y1 in sorted(page.segments):
                draw_rule(pdf, self.st.rules, lw, x0, y0, x1, y1)
            for x, y, s, font, size in page.texts:
                pdf.set_font(font, size=size)
                pdf.text(x, y, s if self.st.body_glyphs == "plain" else printed(s, self.st.body_glyphs))
            if self.st.watermark:
                draw_watermark(pdf, self.st.watermark, self.st.font, self.st.watermark_angle, self.st.watermark_grey)
            if self.st.page_numbers:
                label = f"- {i + 1} -"
                size = 10.5
                pdf.set_font(self.st.font, size=size)
                w = pdf.get_string_width(label)
                pdf.text((PAGE_W - w) / 2, PAGE_H - self.st.margin_bottom / 2, label)
        path.parent.mkdir(parents=True, exist_ok=True)
        pdf.output(str(path))
        return len(self.pages)


CID_SAFE = str.maketrans({"\u2212": "-"})  # no glyph in STSong-Light's CMap: drawn as nothing


def _emit_reportlab(self, path: Path) -> int:
    """The same pages drawn by reportlab in its STSong-Light CID font (not embedded): solid rules,
    no fills, watermark or glyph variants. Requires reportlab (a dev dependency)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)
    for i, page in enumerate(self.pages):
        c.setLineWidth(self.st.rule_width)
        for x0, y0, x1, y1 in sorted(page.segments):
            c.line(x0, PAGE_H - y0, x1, PAGE_H - y1)
        for x, y, s, _font, size in page.texts:
            c.setFont(font, size)
            c.drawString(x, PAGE_H - y, s.translate(CID_SAFE))
        if self.st.page_numbers:
            c.setFont(font, 10.5)
            c.drawCentredString(PAGE_W / 2, self.st.margin_bottom / 2, f"- {i + 1} -")
        c.showPage()
    c.save()
    return len(self.pages)


Layouter.emit_reportlab = _emit_reportlab


def draw_rule(pdf: FPDF, kind: str, lw: float, x0: float, y0: float, x1: float, y1: float) -> None:
    """One rule, drawn the way ``kind`` says (see ``Style.rules``)."""
    horizontal = y0 == y1
    if kind == "rects":
        if horizontal:
            pdf.rect(x0 - lw / 2, y0 - lw / 2, x1 - x0 + lw, lw, style="F")
        else:
            pdf.rect(x0 - lw / 2, y0 - lw / 2, lw, y1 - y0 + lw, style="F")
    elif kind in ("runs", "dotted"):
        # runs: 3-pt pieces end to end; dotted: square dots with gaps as wide as two dots
        piece, step = (3.0, 3.0) if kind == "runs" else (lw, 3 * lw)
        length = (x1 - x0) if horizontal else (y1 - y0)
        t = 0.0
        while t < length - 1e-6:
            n = min(piece, length - t)
            if horizontal:
                pdf.rect(x0 + t, y0 - lw / 2, n, lw, style="F")
            else:
                pdf.rect(x0 - lw / 2, y0 + t, lw, n, style="F")
            t += step
    elif kind == "dashed":
        with pdf.local_context():
            pdf.set_dash_pattern(dash=3, gap=2)
            pdf.line(x0, y0, x1, y1)
    else:
        pdf.line(x0, y0, x1, y1)


def draw_watermark(pdf: FPDF, text: str, font: str, angle: float = 30.0, grey: int = 184) -> None:
    """``text`` tiled at ``angle`` degrees in grey ``grey`` over the whole page, drawn last, as real text."""
    with pdf.local_context():
        pdf.set_text_color(grey, grey, grey)
        pdf.set_font(font, size=22)
        for row, y in enumerate(range(120, int(PAGE_H), 170)):
            for x in range(-40 + 90 * (row % 2), int(PAGE_W), 260):
                with pdf.rotation(angle, x, y):
                    pdf.text(x, y, text)


def render_pdf(report: Report, path: Path) -> Rendered:
    """Write ``report`` as a text-layer PDF; return where its tables went."""
    lay = Layouter(report)
    lay.build()
    n = lay.emit(Path(path))
    return Rendered(Path(path), n, lay.table_boxes)
