"""Read a scanned page into the same ``PageContent`` a text-layer page gives.

render (settings.dpi, or an image's own dpi) → upright (orientation + deskew) → rules → grids
→ each cell's crop read by the recogniser directly (no detector), all crops of the page in one
batched call → the ink outside the tables cut into text lines and read the same way.

Cells: the ink inside a cell (rules removed, specks dropped) is cut into text lines by its
horizontal projection. Several lines (a wrapped label) are read one by one and joined without
a break, as the text layer joins them. A tall narrow cell whose "lines" are single characters
is vertical text (三、本年度办理结果): its characters are laid side by side into one strip and
read at once. Boxes handed on refer to the page as rendered (before turning and deskew).

Speed. Recognition costs time in proportion to crop width (at the recogniser's 48 px height),
so the page reader keeps the width it sends small:

* distinct short crops are read once (``recognize_unique``): the 0s of a page are one print;
* long cell crops (labels, column titles) are read narrowed first and kept only when they read
  as the format's printed words, else read again as usual (``extractor.ocr.known_words``);
* text outside the tables is read only as far as the pipeline needs it (``Settings.ocr_prose``,
  default "needed"; see ``ProseReader``): a left crop of each line that can start a paragraph
  to spot section headings (the stitcher looks for them between two parts of a table), in full
  only the headings, page 1's title and opening lines, and section 六 (the 信息处理费, followed
  across pages). "all" reads every line in full, for narrative checks over the whole prose.

Memory: the colour render is let go of once the grey page is made; the binary page and the
rule masks once the cells are cut out.

Stages, one module each: page preparation (``extractor.layout.orient.upright`` with
``extractor.ocr.prepare``: contrast, deskew, a reader's pen; ``extractor.layout.straighten``:
perspective and curl; ``extractor.ocr.seal``: a seal printed black or grey, whose cells
``extractor.ocr.seal_reread`` reads again without its ring), table structure
(``extractor.grid.image_grid``, ``extractor.ocr.structure`` and ``extractor.ocr.row_bands``; once the
cells are read, table 三 held against the registry's rows and titles: ``extractor.ocr.registry_bands``
and ``extractor.ocr.band_check``, a label run on into its value: ``extractor.ocr.label_runs``; table 四's columns against its titles:
``extractor.ocr.litigation_columns``), cell reading
(``extractor.ocr.cells`` and ``extractor.ocr.crops``), text normalisation
(``extractor.ocr.normalise``), prose and title (``extractor.ocr.prose_lines``: its lines;
``extractor.ocr.prose``: which are read).
"""

from __future__ import annotations

import numpy as np

from extractor.grid.image_grid import find_tables
from extractor.io.images import A4_LONG_INCHES
from extractor.layout.orient import shrink, upright
from extractor.ocr.cells import (CellJob, _cell_job, _cell_layout, _fill_cell, _glyph_height, piece_ink, queue,
                                 read_boxes, settle)
from extractor.ocr.no_text import _drop_specks
from extractor.ocr.crops import recognize_unique
from extractor.ocr.known_words import read_words_first
from extractor.ocr.normalise import _normalise
from extractor.ocr.prepare import descreen_doubts
from extractor.ocr.pen import pen_ink, pen_share, without_pen
from extractor.ocr.seal import seal_mask
from extractor.ocr.seal_reread import _reread_under_seal, _without_ring
from extractor.ocr.prose import ProseReader, _context
from extractor.ocr.prose_lines import _prose_rows
from extractor.ocr.band_check import empty_header_words, mend
from extractor.ocr.label_runs import cut_label_runs
from extractor.ocr.litigation_columns import mend_litigation
from extractor.ocr.registry_bands import job_lines
from extractor.ocr.row_bands import split_by_labels
from extractor.ocr.structure import DOUBT, drop_unused_rows, split_by_ink
from extractor.ocr.worn_wu import line_ink, read_worn_wu
from models.extraction import BBox, Source
from models.page import PageContent, PageKind, TextLine

TABLE_ROWS = 3  # a table of the report has more rows than this (a web page's search box has one)


def _read_cells(cells, table, gray, ink, dpi, glyph, engine) -> None:
    """Read ``cells`` of ``table`` (cut by a later stage) from their own crops, in one call."""
    at = {id(c): i for i, c in enumerate(table.grid.cells)}
    read_boxes(cells, [table.boxes[at[id(c)]] for c in cells], gray, ink, dpi, glyph, engine)


def read_scan_page(page, settings, engine) -> PageContent:
    """A scanned page: a PDF's page rendered at ``settings.dpi``; a page image at its own dpi, or
    at ``settings.scan_max_dpi`` when it was made finer (``working_resolution``)."""
    dpi = float(page.native_dpi or settings.dpi)
    if page.native_dpi:
        max_dpi = getattr(settings, "scan_max_dpi", WORK_DPI)
        native_w = page.width * dpi / 72.0
        want = dpi * working_scale(page.height * dpi / 72.0, native_w, dpi, max_dpi)
        rgb = page.render(want)  # reduced as it decodes by a whole factor, to ``want`` or finer
        rgb, dpi = working_resolution(rgb, dpi * rgb.shape[1] / round(native_w), max_dpi)
    else:
        rgb = page.render(dpi)
    # the render is handed on, not kept: read_scan_image drops it once the grey page is made
    return read_scan_image(rgb, dpi, page.number, engine, width=page.width, height=page.height,
                           prose=getattr(settings, "ocr_prose", "needed"))


WORK_DPI = 300  # a page image made finer is read at this dpi (``Settings.scan_max_dpi``)


def working_resolution(rgb: np.ndarray, dpi: float, max_dpi: float) -> tuple[np.ndarray, float]:
    """``(image, dpi)``: a page image made at more than ``max_dpi`` shrunk to it (area-averaged),
    with the dpi its new size gives; others as they are. Archives scan at 400–1200 dpi, and
    every stage before the recogniser costs time and memory in proportion to the pixels (a
    600 dpi A4 page: 3.6 times the time and 3.2 times the memory of 200 dpi), while the
    recogniser reads each line at its own 48 px height whatever the dpi: a glyph of 9 pt is
    37 px tall at 300 dpi, more than the recogniser keeps.

    The header's dpi is not trusted to shrink a page below an A4 page's size at ``max_dpi``
    (its long side ``A4_LONG_INCHES`` × ``max_dpi`` px): a 200 dpi scan tagged 500 dpi (a
    4.7-inch page, plausible) would be shrunk to an unreadable 120 dpi."""
    h, w = rgb.shape[:2]
    f = working_scale(h, w, dpi, max_dpi)
    if f >= 1.0:
        return rgb, dpi
    out = shrink(rgb, f)
    return out, dpi * out.shape[1] / w


def working_scale(h: float, w: float, dpi: float, max_dpi: float) -> float:
    """The scale ``working_resolution`` gives an ``h`` × ``w`` px page image made at ``dpi``
    (1.0: as it is)."""
    if not max_dpi or dpi <= max_dpi:
        return 1.0
    return min(1.0, max(max_dpi / dpi, A4_LONG_INCHES * max_dpi / max(h, w)))


def read_scan_image(rgb: np.ndarray, dpi: float, number: int, engine, *, width: float | None = None,
                    height: float | None = None, prose: str = "needed") -> PageContent:
    """``read_scan_page`` on an already rendered page (tests and the benchmark use this).

    ``prose``: "needed" (default), "all" or "none" (no text outside the tables) — see ``ProseReader``.
    """
    h, w = rgb.shape[:2]
    width = width if width is not None else w * 72.0 / dpi
    height = height if height is not None else h * 72.0 / dpi
    pen = pen_ink(rgb)  # a reader's blue ticks: taken off the page, their cells doubted
    if pen is not None:
        rgb = without_pen(rgb, pen, dpi)
    up, tf = upright(rgb, dpi, straighten=False)  # grey, red suppressed
    del rgb  # the caller's; nothing here needs the colour page again
    lines, tables = find_tables(up, tf, dpi, number)  # straightened first (perspective, curl)
    del up
    ink = _drop_specks(lines.text_ink(), dpi)
    gray = lines.clean_gray()
    # a seal printed black or grey, found by its ring (before the rules: its arcs are none)
    seal, whole_seal = seal_mask(lines.ring, lines.gray, ink, lines.rule_mask()) if lines.ring is not None else (None, False)
    paper = np.uint8(np.percentile(lines.gray[::5, ::5], 90))
    ring = lines.ring
    for table in tables:
        drop_unused_rows(table)  # a stray stroke taken for a rule splits no row
        split_by_ink(table, ink, dpi)  # a rule missing between two numbers: cut where they stand
        split_by_labels(table, ink, dpi)  # a row rule missing across the numbers: rows from the labels
    del lines  # binary page and rule masks

    layouts = [_cell_layout(ink, box, dpi) for table in tables for box in table.boxes]
    glyph = _glyph_height([b for lay in layouts for b in lay[0]], dpi, [n for lay in layouts for n in piece_ink(lay)])
    jobs: list[CellJob] = [_cell_job(gray, lay, glyph) for lay in layouts]
    # prose (table 五's heading) the ring crosses is read without it
    prose_gray, prose_ink = _without_ring(gray, ink, seal, paper)
    rows = _prose_rows(prose_ink, tables, dpi, glyph) if prose != "none" else []
    tables_top = [t.rows[0] for t in tables if len(t.rows) > TABLE_ROWS]  # a search box is no table
    reader = ProseReader(rows, prose_gray, prose_ink, glyph, number, prose, _context(engine),
                         stop_y=min(tables_top, default=float("inf")))

    # one batched call: every cell's crops and the prose's first pass
    crops: list[np.ndarray] = []
    words = queue(jobs, crops)
    first_pass = reader.first_pass()
    n_cells = len(crops)
    crops.extend(first_pass)
    results = read_words_first(engine, crops, words) if crops else []  # labels narrowed first
    del crops
    jobs = settle(jobs, results)  # a band cut into lines, or read as one

    k = 0
    lines_of = {}
    for table in tables:
        first = k
        for cell in table.grid.cells:
            _fill_cell(cell, jobs[k], results)
            lines_of[id(cell)] = job_lines(jobs[k], results)
            if pen is not None and pen_share(pen, tf.box_to_source(table.boxes[k - first])) > 0:
                cell.structure = min(cell.structure, DOUBT)  # what the pen covered cannot be known
            k += 1
    # a 无 worn to a few strokes (a fax's threshold), read as 九, ん, h …: by its likeness to the page's 无
    read_worn_wu([c for t in tables for c in t.grid.cells],
                 [line_ink(lay, job, glyph) for lay, job in zip(layouts, jobs)])
    if seal is not None:  # before the titles are held against the rules: a title the seal garbled
        for cell in _reread_under_seal(tables, seal, gray, ink, paper, dpi, glyph, engine,
                                       whole=whole_seal, ring=ring):
            lines_of.pop(id(cell), None)  # its lines were read with the seal: its text stands for them
    for table in tables:  # table 三's (四's) rows and columns from its labels and titles, against the rules
        bands, fresh = mend(table, lines_of)
        fresh += cut_label_runs(table, bands)  # a label run on into its first value
        if fresh:  # cells cut anew, read without the seal (``prose_gray``: the page with it taken off)
            _read_cells(fresh, table, prose_gray, prose_ink, dpi, glyph, engine)
            if bands is not None:
                empty_header_words(table, bands)
        if bands is None and (cut := mend_litigation(table, lines_of, prose_ink)):  # table 四's columns by its titles
            _read_cells(cut, table, prose_gray, prose_ink, dpi, glyph, engine)
    second = reader.second_pass(results[n_cells:])
    if second:
        reader.finish(recognize_unique(engine, second))
        while third := reader.third_pass():  # page 1's title, as deep as it needs to look
            reader.finish_third(recognize_unique(engine, third))
    text_lines = []
    px_to_pt = 72.0 / dpi
    for row, rec in reader.lines():
        text = _normalise(rec.text)
        if not text or (len(text) <= 3 and rec.score < 0.5):  # dust, a seal's rim
            continue
        src = tf.box_to_source(row.box)
        text_lines.append(
            TextLine(
                text=text, bbox=BBox(x0=src[0] * px_to_pt, top=src[1] * px_to_pt, x1=src[2] * px_to_pt,
                                     bottom=src[3] * px_to_pt),
                page=number, size=round(row.height * px_to_pt, 2), source=Source.OCR,
                confidence=round(rec.score, 4),
            )
        )
    return PageContent(
        number=number, width=width, height=height, kind=PageKind.SCAN, lines=text_lines,
        grids=[t.grid for t in tables], rotation=tf.rotation, skew=tf.skew, dpi=dpi,
        unread_lines=max(0, len(rows) - len(reader.lines())),
        doubtful=descreen_doubts(tf.descreened, dpi),
    )
