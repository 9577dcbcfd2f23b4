"""Reports as they come from the wild: the drawing kinds the text path must survive.

Each kind is a set of ``Style`` choices (render.py draws them) plus, for outlined glyphs, a
Ghostscript pass. ``wild_report(kind, seed)`` makes one report of a kind with its truth;
``KINDS`` lists them. Used by tests/test_wild_kinds.py and ``make_samples.py --wild``.

| kind | what is drawn |
|---|---|
| open_sides | table rules inside the tables only, no outer border |
| no_rules | no table rules at all: structure only from the text's alignment |
| horizontal_only / vertical_only | rules between rows only / between columns only |
| rect_runs | every rule a chain of tiny filled rectangles (3 × 0.6 pt) |
| dashed / dotted | broken strokes / rows of square dots |
| watermark | grey text with digits tiled across every page, drawn last (angle, grey drawn) |
| split_row | a table-三 row broken across a page break, its label running on (its numbers on
  the first part, or on the second; cut at its middle, or a quarter in) |
| title_year_first / title_kangxi / title_fullwidth / title_no_year | title forms |
| kangxi_text | every ideograph with a Kangxi-radical twin printed as the radical, tables included |
| outlines | glyphs as vector outlines (``gs -dNoOutputFonts``): no text layer, needs OCR |
| reportlab_cid | drawn by reportlab in STSong-Light (CID, not embedded: pdfium reads no lone
  glyph of it); a 2019 table 二 with each block label in its column-title row |
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .content import Report, generate_report
from .tables import TableSpec, TCell

KINDS: dict[str, dict[str, Any]] = {
    "open_sides": dict(frame="open"),
    "no_rules": dict(frame="none", shade_headers=False),
    "horizontal_only": dict(frame="horizontal", shade_headers=False),
    "vertical_only": dict(frame="vertical", shade_headers=False),
    "rect_runs": dict(rules="runs", rule_width=0.6),
    "dashed": dict(rules="dashed"),
    "dotted": dict(rules="dotted", rule_width=0.6),
    "watermark": dict(watermark="政府信息公开 20240315041"),
    "split_row": dict(split_row="*", break_row=None),
    "title_year_first": dict(title_order="year"),
    "title_kangxi": dict(title_glyphs="kangxi", font="serif", heading_font=None),  # wqy has no radicals
    "kangxi_text": dict(title_glyphs="kangxi", body_glyphs="kangxi", font="serif", heading_font=None),
    "title_fullwidth": dict(title_glyphs="fullwidth"),
    "title_no_year": dict(title_order="noyear"),
    "outlines": dict(),
    # reportlab's non-embedded STSong-Light CID font, a 2019 table 二 whose block labels sit in the
    # column-title rows (第二十条第（一）项 | 本年新制作数量 | …)
    "reportlab_cid": dict(backend="reportlab_cid", active_label_in_header=True, active_layout="2019"),
}
SPLIT_SUFFIX = "#split"


def wild_report(kind: str, seed: int, **overrides: Any) -> Report:
    """A report of ``kind`` drawn from ``seed`` (other choices drawn as usual)."""
    style = dict(KINDS[kind])
    rng = random.Random(seed * 7919 + 17)
    if style.get("split_row") == "*":
        style["split_row"] = _long_label_row(seed)
        style["split_values"] = rng.choice(["top", "top", "bottom"])
        # a quarter: the label cut near its start, its longer rest alone almost the label
        # (LibreOffice: （二）部分公开（区 | 分处理的，只计这一情形，不计其他情形）)
        style["split_cut"] = rng.choice([0.5, 0.5, 0.25])
    if style.get("watermark"):
        style["watermark_angle"] = rng.choice([30.0, 45.0, -30.0, 0.0])
        style["watermark_grey"] = rng.choice([170, 184, 200, 215])
    style.update(overrides)
    report = generate_report(seed, name=f"wild-{kind}-{seed}", inconsistencies=0, **style)
    report.meta["kind"] = kind
    return report


def _long_label_row(seed: int) -> str:
    """A table-三 row with a long label (it wraps, so its label can run on to the next page)."""
    rows = ["unavailable.not_held", "not_processed.reconfirm", "other.no_supplement",
            "denied.prohibited_by_law", "not_processed.repeated"]
    return random.Random(seed).choice(rows)


def split_row(spec: TableSpec, key: str, values_below: bool = False, cut_share: float = 0.5) -> TableSpec:
    """``spec`` with row ``key`` printed in two parts: the first ``cut_share`` of its label
    (at least one character) and its values, then (on the next page: its row key ends in
    ``SPLIT_SUFFIX``) the rest of the label over empty value cells — or, ``values_below``, the
    values on the second part and empty cells on the first (cells centred vertically). Merged
    cells across the row stretch over both."""
    if key not in spec.row_keys:
        return spec
    r = spec.row_keys.index(key)
    own = [c for c in spec.cells if c.row == r and c.rowspan == 1 and c.key is None and c.text]
    if not own:
        return spec
    label = max(own, key=lambda c: c.col)
    cut = min(len(label.text) - 1, max(1, round(len(label.text) * cut_share))) if cut_share != 0.5 \
        else (len(label.text) + 1) // 2
    rest = label.text[cut:]
    label.text = label.text[:cut]
    added = [TCell(r + 1, label.col, rest, colspan=label.colspan, align=label.align)]
    for c in spec.cells:
        if c.row > r:
            c.row += 1
        elif c.row == r and c.key is not None:
            moved = TCell(r + 1, c.col, "", colspan=c.colspan, align=c.align)
            if values_below:  # the value cell (its key and printed text) moves to the lower part
                moved.text, moved.key, c.text, c.key = c.text, c.key, "", None
            added.append(moved)
        elif c is not label and c.row <= r < c.row + c.rowspan:
            c.rowspan += 1
    spec.cells.extend(added)
    spec.n_rows += 1
    spec.row_keys.insert(r + 1, key + SPLIT_SUFFIX)
    return spec


def outline_pdf(src: Path, dst: Path) -> Path:
    """``src`` rewritten with every glyph as a vector outline (Ghostscript ``-dNoOutputFonts``).

    Raises ``RuntimeError`` when Ghostscript (``gs``) is not installed.
    """
    gs = shutil.which("gs")
    if gs is None:
        raise RuntimeError("Ghostscript (gs) is not installed")
    subprocess.run(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-dNoOutputFonts",
         f"-sOutputFile={dst}", str(src)],
        check=True, capture_output=True, timeout=120,
    )
    return dst


def write_wild(kind: str, seed: int, outdir: Path) -> Path:
    """``wild-KIND-SEED.pdf`` + truth in ``outdir``; the path of the PDF."""
    from .build import write_report

    report = wild_report(kind, seed)
    rendered = write_report(report, outdir)
    if kind != "outlines":
        return rendered.path
    outlined = outline_pdf(rendered.path, rendered.path.with_suffix(".outlined.pdf"))
    outlined.replace(rendered.path)
    return rendered.path
