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
* text outside the tables is read only as far as the pipeline needs it (``Settings.ocr_prose``,
  default "needed"; see ``ProseReader``): a left crop of each line that can start a paragraph
  to spot section headings (the stitcher looks for them between two parts of a table), in full
  only the headings, page 1's title and opening lines, and section 六 (the 信息处理费, followed
  across pages). "all" reads every line in full, for narrative checks over the whole prose.

Memory: the colour render is let go of once the grey page is made; the binary page and the
rule masks once the cells are cut out.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.grid.image_grid import ImageTable, PageLines, component_boxes, find_grids, find_lines
from extractor.layout.orient import PageTransform, upright
from extractor.layout.title import TITLE, clean_agency
from extractor.ocr.engine import Recognition
from extractor.ocr.structure import DOUBT, split_by_ink
from models.extraction import Alternative, BBox, Source
from models.page import Cell, PageContent, PageKind, TextLine

PxBox = tuple[int, int, int, int]


@dataclass
class CellJob:
    """The crops one cell (or one prose line) is read from, and how to join them."""

    crops: list[np.ndarray]
    vertical: bool = False
    empty_confidence: float = 1.0
    dash: str | None = None  # the ink is one bar or slash (a zero mark): read from its shape
    first: int = 0  # index of its first crop in the page's batch
    boxes: list[PxBox] = field(default_factory=list)


def _k(dpi: float, inches: float, minimum: int = 1) -> int:
    return max(minimum, int(round(dpi * inches)))


def read_scan_page(page, settings, engine) -> PageContent:
    dpi = float(page.native_dpi or settings.dpi)
    # the render is handed on, not kept: read_scan_image drops it once the grey page is made
    return read_scan_image(page.render(dpi), dpi, page.number, engine, width=page.width, height=page.height,
                           prose=getattr(settings, "ocr_prose", "needed"))


def read_scan_image(rgb: np.ndarray, dpi: float, number: int, engine, *, width: float | None = None,
                    height: float | None = None, prose: str = "needed") -> PageContent:
    """``read_scan_page`` on an already rendered page (tests and the benchmark use this).

    ``prose``: "needed" (default), "all" or "none" (no text outside the tables) — see ``ProseReader``.
    """
    h, w = rgb.shape[:2]
    width = width if width is not None else w * 72.0 / dpi
    height = height if height is not None else h * 72.0 / dpi
    up, tf = upright(rgb, dpi)  # grey, red suppressed
    del rgb  # the caller's; nothing here needs the colour page again
    lines = find_lines(up, dpi)
    del up
    tables = find_grids(lines, dpi, number, tf.box_to_source)
    ink = _drop_specks(lines.text_ink(), dpi)
    for table in tables:  # a rule missing between two numbers: cut where the numbers stand
        split_by_ink(table, ink, dpi)
    gray = lines.clean_gray()
    del lines  # binary page and rule masks

    layouts = [_cell_layout(ink, box, dpi) for table in tables for box in table.boxes]
    glyph = _glyph_height([b for lay in layouts for b in lay[0]], dpi)
    jobs: list[CellJob] = [_cell_job(gray, lay, glyph) for lay in layouts]
    rows = _prose_rows(ink, tables, dpi, glyph) if prose != "none" else []
    reader = ProseReader(rows, gray, ink, glyph, number, prose, _context(engine))

    # one batched call: every cell's crops and the prose's first pass
    crops: list[np.ndarray] = []
    for job in jobs:
        job.first = len(crops)
        crops.extend(job.crops)
    first_pass = reader.first_pass()
    n_cells = len(crops)
    crops.extend(first_pass)
    results = recognize_unique(engine, crops) if crops else []
    del crops

    k = 0
    for table in tables:
        for cell in table.grid.cells:
            _fill_cell(cell, jobs[k], results)
            k += 1
    second = reader.second_pass(results[n_cells:])
    if second:
        reader.finish(recognize_unique(engine, second))
        third = reader.third_pass()
        if third:
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
    )


# --------------------------------------------------------------------------------------------
# ink and crops
# --------------------------------------------------------------------------------------------


def _drop_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Noise, JPEG ringing and dust: ink components too small to be part of a glyph (fewer than
    ``min_area`` pixels, or under ``min_side`` both ways). Components come from their outer
    contours (see ``component_boxes``); only those whose box is small enough to hold a speck
    have their pixels counted."""
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return ink
    min_area = max(3, int((dpi / 200.0) ** 2 * 6))
    min_side = max(2, int(dpi * 0.012))
    out = None
    for c, hier in zip(contours, hierarchy[0]):
        if hier[3] >= 0:  # a hole's boundary
            continue
        x, y, w, h = cv2.boundingRect(c)
        if w >= min_side or h >= min_side:
            if w >= min_area or h >= min_area:
                continue  # too long to hold fewer than min_area pixels
        local = np.zeros((h, w), np.uint8)
        cv2.drawContours(local, [c], -1, 255, -1, offset=(-x, -y))
        part = ink[y : y + h, x : x + w]
        mine = (local > 0) & (part > 0)
        if max(w, h) >= min_side and int(np.count_nonzero(mine)) >= min_area:
            continue
        if out is None:
            out = ink.copy()
        out[y : y + h, x : x + w][mine] = 0
    return ink if out is None else out


# Recognition cost grows with the crop's width at the recogniser's fixed 48 px height. Long
# lines (labels, prose) are narrowed: CJK glyphs are square, so at 0.7 a glyph still spans
# ~4 CTC steps, enough to read it; short crops (numbers) keep their shape.
SQUEEZE = 0.75
SQUEEZE_ASPECT = 3.0  # crops wider than this many line heights are narrowed
PAD = 0.12  # white margin around a crop, in line heights


def _crop(gray: np.ndarray, box: PxBox, glyph: float, ink: np.ndarray | None = None,
          origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """A recogniser crop around ``box``: at least a glyph tall (a dash or a dot alone must not
    be blown up to fill the recogniser's 48 px), with a white margin. With ``ink`` (the cleaned
    ink of a region whose top-left is ``origin``) only the ink and a rim around it keep their
    grey; paper texture, dust and noise become white."""
    x0, y0, x1, y1 = box
    cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
    if y1 - y0 < glyph:
        y0, y1 = int(round(cy - glyph / 2)), int(round(cy + glyph / 2))
    if x1 - x0 < 0.6 * glyph:
        x0, x1 = int(round(cx - 0.3 * glyph)), int(round(cx + 0.3 * glyph))
    H, W = gray.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    sub = gray[y0:y1, x0:x1]
    if sub.size == 0:
        return _finish(np.full((8, 8), 255, np.uint8), glyph)
    if ink is not None:
        ox, oy = origin
        keep = np.zeros(sub.shape, np.uint8)
        ya, xa = max(y0, oy), max(x0, ox)
        yb, xb = min(y1, oy + ink.shape[0]), min(x1, ox + ink.shape[1])
        if yb > ya and xb > xa:
            keep[ya - y0 : yb - y0, xa - x0 : xb - x0] = ink[ya - oy : yb - oy, xa - ox : xb - ox]
        keep = cv2.dilate(keep, np.ones((3, 3), np.uint8))
        sub = np.where(keep > 0, sub, 255).astype(np.uint8)
    return _finish(sub, glyph)


CROP_MAX_GAIN = 3.0  # at most this stretch of a crop's ink contrast
FAINT = 80  # a crop whose darkest ink is lighter than this grey is a faint print


def _stretch(sub: np.ndarray) -> np.ndarray:
    """The crop's darkest ink to black, its paper kept white: a faint print (a faded toner, a
    light scan: a 1 at grey 110) reads as the recogniser was trained, on dark glyphs. The gain is
    capped so a crop of paper noise stays noise."""
    if sub.size == 0:
        return sub
    darkest = int(sub.min())
    if darkest < FAINT or darkest > 220:
        return sub  # black enough as printed (stretching would darken specks beside it too)
    gain = min(CROP_MAX_GAIN, 255.0 / (255 - darkest))
    return np.clip(255.0 - (255.0 - sub.astype(np.float32)) * gain, 0, 255).astype(np.uint8)


def _finish(sub: np.ndarray, glyph: float) -> np.ndarray:
    sub = _stretch(sub)
    h, w = sub.shape[:2]
    if w > SQUEEZE_ASPECT * h:
        sub = cv2.resize(sub, (max(1, int(w * SQUEEZE)), h), interpolation=cv2.INTER_AREA)
    pad = max(2, int(round(max(h, glyph) * PAD)))
    sub = cv2.copyMakeBorder(sub, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(sub, cv2.COLOR_GRAY2RGB)


def _bands(profile: np.ndarray) -> list[tuple[int, int]]:
    on = profile > 0
    out = []
    i, n = 0, len(on)
    while i < n:
        if on[i]:
            j = i
            while j < n and on[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _merge_fragments(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join bands that are pieces of one glyph row (三 is three strokes, with gaps) to a neighbour."""
    bands = list(bands)
    if len(bands) < 2:
        return bands
    full = max(b - a for a, b in bands)
    typical = np.median([b - a for a, b in bands if b - a >= 0.55 * full])
    while len(bands) > 1:
        heights = [b - a for a, b in bands]
        i = int(np.argmin(heights))
        if heights[i] >= 0.55 * typical:
            break
        # merge with the closer neighbour if the result still fits one glyph row
        cands = []
        if i > 0:
            cands.append((bands[i][0] - bands[i - 1][1], i - 1))
        if i + 1 < len(bands):
            cands.append((bands[i + 1][0] - bands[i][1], i + 1))
        cands.sort()
        merged = False
        for _, j in cands:
            a, b = min(bands[i][0], bands[j][0]), max(bands[i][1], bands[j][1])
            if b - a <= 1.35 * typical:
                lo, hi = min(i, j), max(i, j)
                bands[lo : hi + 1] = [(a, b)]
                merged = True
                break
        if not merged:
            break
    return bands


def _cell_layout(ink: np.ndarray, box, dpi: float):
    """The text lines (bands) of one cell's ink, and its dust. Returns (pieces, sub, origin, shape)."""
    inset = _k(dpi, 0.015, 2)
    x0, y0 = int(round(box[0])) + inset, int(round(box[1])) + inset
    x1, y1 = int(round(box[2])) - inset, int(round(box[3])) - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return [], None, (x0, y0), (0, 0)
    sub = _drop_edge_remnants(ink[y0:y1, x0:x1], dpi)
    sub, _dust = _split_dust(sub, dpi)
    rows = sub.sum(axis=1, dtype=np.int64)
    if not rows.any():
        return [], sub, (x0, y0), (y1 - y0, x1 - x0)
    bands = _merge_fragments(_bands(rows))
    # bands with next to no ink (a speck row, a seal trace) are not text lines
    mass = [int(rows[a:b].sum()) for a, b in bands]
    bands = [b for b, m in zip(bands, mass) if m >= 0.08 * max(mass)]
    pieces: list[PxBox] = []
    for a, b in bands:
        cols = sub[a:b].sum(axis=0)
        xs = np.nonzero(cols)[0]
        pieces.append((x0 + int(xs[0]), y0 + a, x0 + int(xs[-1]) + 1, y0 + b))
    return pieces, sub, (x0, y0), (y1 - y0, x1 - x0)


def _glyph_height(pieces: list[PxBox], dpi: float) -> float:
    """The page's text height: a high quantile of the cells' line heights (dashes, dots and
    commas are lower; whole lines of digits or CJK are this tall)."""
    hs = [p[3] - p[1] for p in pieces if p[3] - p[1] >= 3]
    if len(hs) < 3:
        return dpi * 0.11  # ~8 pt
    return float(np.percentile(hs, 75))


def _cell_job(gray: np.ndarray, layout, glyph: float) -> CellJob:
    pieces, sub, origin, (ch, cw) = layout
    if not pieces:
        return CellJob(crops=[], empty_confidence=1.0)
    mark = _is_dash(sub, glyph)
    if mark:
        return CellJob(crops=[], dash=mark, boxes=pieces)
    if (all(p[3] - p[1] < 0.4 * glyph and p[2] - p[0] < 0.6 * glyph for p in pieces) or _only_specks(sub, glyph)
            or not _has_glyph(sub, glyph)):
        # only blots smaller than any digit: dirt on a blank cell, not text. Blank, with a
        # confidence that says how much ink was thrown away
        ink = int(np.count_nonzero(sub))
        return CellJob(crops=[], empty_confidence=0.95 if ink < 0.05 * glyph * glyph else 0.85)
    # a tall cell whose rows are single glyphs: vertical text, read as one strip
    glyph_like = [(p[2] - p[0]) <= 1.6 * (p[3] - p[1]) for p in pieces]
    vertical = len(pieces) >= 3 and ch > 2.0 * cw and all(glyph_like)
    if vertical:
        em = max(p[2] - p[0] for p in pieces)
        pieces = [q for p in pieces for q in _split_stacked(p, sub, origin, em)]
        return CellJob(crops=[_strip(gray, pieces, glyph, sub, origin)], vertical=True, boxes=pieces)
    return CellJob(crops=[_crop(gray, p, glyph, sub, origin) for p in pieces], boxes=pieces)


def _only_specks(sub: np.ndarray, glyph: float) -> bool:
    """Every ink component of the cell is a speck: under 0.3 of a glyph both ways. A digit is a
    glyph tall; a dash is at least 0.3 of one wide and, alone, ``_is_dash`` has taken it
    already. Specks scattered across a wide blank cell make one long band of "text" whose crop
    the recogniser reads as a letter or a glyph (T, 大)."""
    if sub is None or not sub.any():
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    if n < 2:
        return False
    limit = 0.3 * glyph
    return bool(np.all((stats[1:, cv2.CC_STAT_WIDTH] < limit) & (stats[1:, cv2.CC_STAT_HEIGHT] < limit)))


def _has_glyph(sub: np.ndarray, glyph: float) -> bool:
    """Some ink component of the cell is as tall as a character: 0.45 of the page's glyph height
    (a digit is ~0.7 of it, a CJK glyph all of it; a broken stroke of one still reaches this).
    Specks clustered in a blank cell — dust, a seal's trace the red suppression left, JPEG
    smear — are each far lower, however widely they spread; read as a line, the recogniser
    turns them into a glyph (之, 平) or a mark (•, #, *). Lone bars and slashes (the zero marks)
    are taken before this by ``_is_dash``."""
    if sub is None or not sub.any():
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    return bool(n > 1 and stats[1:, cv2.CC_STAT_HEIGHT].max() >= 0.45 * glyph)


def _split_stacked(piece: PxBox, sub: np.ndarray, origin, em: int) -> list[PxBox]:
    """A band of vertical text holding more than one glyph (三 over 、; glyphs that touch, or
    whose gap blur filled): cut off one glyph after another from the top, each about ``em``
    (the column's width) tall, at the blank row nearest to one em down, else the emptiest."""
    x0, y0, x1, y1 = piece
    ox, oy = origin
    rows = sub[y0 - oy : y1 - oy, x0 - ox : x1 - ox].sum(axis=1, dtype=np.int64)
    out = []
    top = 0
    while len(rows) - top > 1.25 * em:
        lo, hi = top + int(0.6 * em), min(len(rows) - 1, top + int(1.3 * em))
        if hi <= lo:
            break
        window = rows[lo:hi]
        blank = np.nonzero(window == 0)[0]
        if len(blank):
            cut = lo + int(blank[np.argmin(np.abs(blank + lo - top - em))])
        else:
            cut = lo + int(np.argmin(window))
        out.append((top, cut))
        top = cut
    out.append((top, len(rows)))
    boxes = []
    for a, b in out:
        on = np.nonzero(rows[a:b])[0]
        if len(on):
            boxes.append((x0, y0 + a + int(on[0]), x1, y0 + a + int(on[-1]) + 1))
    return boxes or [piece]


def _is_dash(sub: np.ndarray, glyph: float) -> str | None:
    """A cell whose only real ink is one solid horizontal bar (—, -, 一) or one thin stroke
    leaning right (/): the zero marks. Returns the mark, or None. Read from the shape: alone in
    a crop, without context, the recogniser takes a bar for 一 or H and a slash for I or f."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    if n < 2:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    i = int(np.argmax(areas)) + 1
    dust = max(0.15 * areas[i - 1], (0.3 * glyph) ** 2)
    if n > 2 and np.sort(areas)[-2] > dust:
        return None  # more than one stroke
    x, y, w, h, area = stats[i]
    # (a hyphen, blurred and JPEG-smeared, may be only ~1.7 times as wide as it is thick)
    if h <= 0.3 * glyph and w >= 1.6 * h and w >= 0.3 * glyph and area >= 0.6 * w * h:
        return "—"
    pts = np.column_stack(np.nonzero(labels == i))[:, ::-1].astype(np.float32)
    (_, _), (rw, rh), angle = cv2.minAreaRect(pts)
    long, short = max(rw, rh), min(rw, rh)
    if long >= 0.6 * glyph and short <= 0.35 * long and h >= 0.6 * glyph and 0.25 * h <= w <= 0.8 * h:
        # a stroke leaning right: its top is to the right of its bottom
        top = pts[pts[:, 1] <= y + h * 0.2][:, 0].mean()
        bottom = pts[pts[:, 1] >= y + h * 0.8][:, 0].mean()
        if top - bottom >= 0.2 * h:
            return "/"
    return None


def _split_dust(sub: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray | None]:
    """Small blobs far from any glyph-sized blob are dust: (ink without them, the dust)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    if n <= 2:
        return sub, None
    small = (dpi / 200.0) ** 2 * 30
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = [i + 1 for i in np.nonzero(areas >= small)[0]]
    if not big:
        return sub, None
    reach = dpi * 0.03
    dust = np.zeros(n, bool)
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] >= small:
            continue
        x, y, w, h = stats[i, :4]
        near = False
        for j in big:
            bx, by, bw, bh = stats[j, :4]
            dx = max(0, bx - (x + w), x - (bx + bw))
            dy = max(0, by - (y + h), y - (by + bh))
            if dx <= reach and dy <= reach:
                near = True
                break
        dust[i] = not near
    if not dust.any():
        return sub, None
    mask = dust[labels]
    out = sub.copy()
    out[mask] = 0
    return out, np.where(mask, 255, 0).astype(np.uint8)


def _drop_edge_remnants(sub: np.ndarray, dpi: float) -> np.ndarray:
    """Bits of a rule left at the cell's edge (skew, a thick or doubled rule): thin components
    touching the border along it."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    if n <= 1:
        return sub
    h, w = sub.shape
    thin = max(2, int(dpi * 0.015))
    drop = np.zeros(n, bool)
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        touches_lr = x == 0 or x + bw >= w
        touches_tb = y == 0 or y + bh >= h
        if (touches_lr and bw <= thin) or (touches_tb and bh <= thin):
            drop[i] = True
    if not drop.any():
        return sub
    out = sub.copy()
    out[drop[labels]] = 0
    return out


def _strip(gray: np.ndarray, pieces: list[PxBox], glyph: float, ink: np.ndarray, origin) -> np.ndarray:
    """Glyphs stacked vertically, laid side by side on one line."""
    height = max(p[3] - p[1] for p in pieces)
    gap = max(2, int(height * 0.15))
    parts = []
    ox, oy = origin
    for x0, y0, x1, y1 in pieces:
        g = gray[y0:y1, x0:x1]
        keep = cv2.dilate(ink[y0 - oy : y1 - oy, x0 - ox : x1 - ox], np.ones((3, 3), np.uint8))
        g = np.where(keep > 0, g, 255).astype(np.uint8)
        top = (height - g.shape[0]) // 2
        g = cv2.copyMakeBorder(g, top, height - g.shape[0] - top, gap, gap, cv2.BORDER_CONSTANT, value=255)
        parts.append(g)
    return _finish(np.hstack(parts), glyph)


# --------------------------------------------------------------------------------------------
# text outside the tables
# --------------------------------------------------------------------------------------------


def _prose_lines(ink: np.ndarray, tables: list[ImageTable], dpi: float, glyph: float) -> list[PxBox]:
    """Boxes of the runs of text outside every table (upright pixels), top to bottom. A run
    ends where the gap between glyphs is wide (a line of prose may be several runs)."""
    free = ink.copy()
    m = _k(dpi, 0.02, 2)
    for t in tables:
        x0, y0 = int(t.cols[0]) - m, int(t.rows[0]) - m
        x1, y1 = int(t.cols[-1]) + m, int(t.rows[-1]) + m
        free[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0
    if not free.any():
        return []
    # smear each line into one blob: wide horizontally (inter-character gaps), barely vertically
    kx, ky = _k(dpi, 0.09, 3), _k(dpi, 0.012, 1)
    blobs = cv2.dilate(free, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, ky)))
    boxes = component_boxes(blobs)
    del blobs
    max_h = dpi * 0.7
    raw: list[PxBox] = []
    for x, y, w, h in boxes:
        x0, x1 = x + kx // 2, x + w - kx // 2  # undo the smear
        y0, y1 = y + ky // 2, y + h - ky // 2
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        if y1 - y0 > max_h:  # two or more lines fused: split at the projection's gaps
            sub = free[y0:y1, x0:x1]
            for a, b in _merge_fragments(_bands(sub.sum(axis=1))):
                raw.append((x0, y0 + a, x1, y0 + b))
            continue
        raw.append((x0, y0, x1, y1))
    raw.sort(key=lambda b: (b[1], b[0]))
    return raw


@dataclass
class ProseRow:
    """One line of text outside the tables: its runs left to right."""

    runs: list[PxBox]

    @property
    def box(self) -> PxBox:
        return (min(r[0] for r in self.runs), min(r[1] for r in self.runs),
                max(r[2] for r in self.runs), max(r[3] for r in self.runs))

    @property
    def height(self) -> int:
        return max(r[3] - r[1] for r in self.runs)


def _prose_rows(ink: np.ndarray, tables: list[ImageTable], dpi: float, glyph: float) -> list[ProseRow]:
    """The runs of text outside the tables grouped into lines, top to bottom, each line's runs
    left to right. Tall runs make the lines (two overlapping by half the lower one's height
    are one line); a short run joins the line it lies in by half its height: the strokes of
    三 or 二, which the smear does not join, become part of their heading. A line lower than
    ``min_h`` is dust or a seal's rim."""
    min_h = max(_k(dpi, 0.04, 4), int(0.6 * glyph))
    runs = sorted(_prose_lines(ink, tables, dpi, glyph), key=lambda b: -(b[3] - b[1]))
    rows: list[list[PxBox]] = []
    spans: list[list[int]] = []
    for run in runs:
        h = run[3] - run[1]
        best, best_ov = -1, 0.0
        for i, (a, b) in enumerate(spans):
            ov = min(b, run[3]) - max(a, run[1])
            if ov >= 0.5 * min(h, b - a) and ov > best_ov:
                best, best_ov = i, ov
        if best < 0:
            rows.append([run])
            spans.append([run[1], run[3]])
        else:
            rows[best].append(run)
            spans[best] = [min(spans[best][0], run[1]), max(spans[best][1], run[3])]
    out = []
    for runs_, (a, b) in zip(rows, spans):
        if b - a < min_h:
            continue
        # runs stacked in one column (the strokes of 三) are one run, as tall as the line
        merged: list[list[int]] = []
        for r in sorted(runs_, key=lambda r: r[0]):
            if merged and r[0] <= merged[-1][2]:
                merged[-1][2] = max(merged[-1][2], r[2])
                merged[-1][1] = min(merged[-1][1], r[1])
                merged[-1][3] = max(merged[-1][3], r[3])
            else:
                merged.append(list(r))
        merged = _strip_margin_marks(merged)
        if not merged:
            continue
        a, b = min(m[1] for m in merged), max(m[3] for m in merged)
        if b - a < min_h:
            continue
        out.append(ProseRow(runs=[(m[0], a, m[2], b) for m in merged]))
    out.sort(key=lambda r: (r.box[1], r.box[0]))
    return out


def _strip_margin_marks(runs: list[list[int]]) -> list[list[int]]:
    """The runs of a line that are text. Dust and paper texture are small runs (under half the
    line's height, under 0.4 of it wide) standing apart from the glyphs (punctuation is as
    small but sits next to a glyph, and the smear has usually joined it already). Then a first
    or last run at most a glyph wide and 1.5 line heights away from the rest is a mark beside
    the text — dirt, a punch hole, a pen tick. Read, either would become a stray character
    and hide a heading's number."""
    if not runs:
        return []
    h = max(r[3] - r[1] for r in runs)
    real = [r for r in runs if r[2] - r[0] >= 0.4 * h or r[3] - r[1] >= 0.5 * h]
    if not real:
        return []

    def near_real(r: list[int]) -> bool:
        return any(max(q[0] - r[2], r[0] - q[2]) <= 0.3 * h for q in real if q is not r)

    runs = [r for r in runs if r in real or near_real(r)]
    while len(runs) > 1:
        h = max(r[3] - r[1] for r in runs)
        k = _mark_at_start(runs, h)
        if k:
            del runs[:k]
            continue
        k = _mark_at_start([[-r[2], r[1], -r[0], r[3]] for r in reversed(runs)], h)
        if k:
            del runs[len(runs) - k :]
            continue
        break
    return runs


def _mark_at_start(runs: list[list[int]], h: int) -> int:
    """How many leading runs make a mark beside the text: together at most ``h`` wide, then a
    gap of 1.5 ``h`` (a mark may be two or three slivers: a page edge's shadow, a hole's rim)."""
    for k in range(len(runs) - 1):
        if runs[k][2] - runs[0][0] > 1.0 * h:
            return 0
        if runs[k + 1][0] - runs[k][2] >= 1.5 * h:
            return k + 1
    return 0


HEADING_START = re.compile(r"^\s*[一二三四五六七八九十—\-－]{1,3}\s*[、.．，,]")
HEADING = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]{1,3})\s*[、.．]")
NUMERALS = "一二三四五六七八九十"
FEE_SECTION = 6  # 六、其他需要报告的事项: the 信息处理费
TITLE_ROWS = 8  # page 1: at most this many lines above the first heading are read (title, opening)
SURE_HEADING = 0.3  # a left crop's score from which its heading form ends the title block
TITLE_SIZE = 0.85  # page 1: lines at least this share of the tallest above the first heading are the title
HEAD_EMS = 3.2  # the left crop that shows a heading's number (四、), in line heights


def _numeral(text: str) -> int | None:
    m = HEADING.match(text)
    if not m:
        return None
    t = m.group("num")
    if t == "十":
        return 10
    if t.startswith("十"):
        return 10 + NUMERALS.index(t[1]) + 1
    if len(t) >= 2 and t[1] == "十":
        return (NUMERALS.index(t[0]) + 1) * 10 + (NUMERALS.index(t[2]) + 1 if len(t) == 3 else 0)
    return NUMERALS.index(t[0]) + 1 if len(t) == 1 else None


@dataclass
class DocumentProse:
    """What the pages read so far tell about the next one: the section its text continues.
    Kept per engine (one engine per worker, pages read in order); a page number not above the
    last one seen starts a new document."""

    last_page: int = 0
    section: int | None = None


_CONTEXTS: "weakref.WeakKeyDictionary[object, DocumentProse]" = weakref.WeakKeyDictionary()


def _context(engine) -> DocumentProse | None:
    try:
        return _CONTEXTS.setdefault(engine, DocumentProse())
    except TypeError:  # an engine that takes no weak reference: every page on its own
        return None


class ProseReader:
    """Which text outside the tables is read, and how far.

    ``all``: every line in full, in the page's one batched call.
    ``needed``: what the pipeline uses from prose. The first pass (batched with the cells) reads
    only a left crop (``HEAD_EMS`` line heights: 四、) of each line that can start a paragraph
    (first on the page, indented, after a short line or a gap) — enough to spot a section
    heading, which the stitcher needs between two parts of a table. The second pass reads in
    full: the headings; on page 1, the lines above the first heading (title, agency, year;
    the opening sentence naming the agency); and every line in section 六 (the 信息处理费),
    carried on to the next pages. Other lines are left unread and out of ``PageContent.lines``
    (narrative checks, which are information only, then see less prose).
    """

    def __init__(self, rows: list[ProseRow], gray: np.ndarray, ink: np.ndarray, glyph: float, number: int,
                 policy: str, context: DocumentProse | None):
        self.rows = rows
        self.gray, self.ink, self.glyph = gray, ink, glyph
        self.number = number
        self.policy = policy
        self.context = context
        if context is not None and number <= context.last_page:
            context.section = None  # a new document
        self.section_at_start = context.section if context is not None else None
        self.full: dict[int, list[int]] = {}  # row index -> positions of its runs' crops
        self.results: list[Recognition] = []
        self._probes: list[int] = []
        self._heads: dict[int, int | None] = {}  # heading line -> its number (None: unreadable)
        self._probe_text: dict[int, str] = {}  # heading line -> what its left crop read
        self._opening: list[int] = []  # page 1: lines above the first heading, not the title's
        self._title: list[int] = []  # page 1: the title's lines
        self._more: dict[int, list[int]] = {}  # those lines -> positions of their crops (third pass)

    def _row_crops(self, i: int, out: list[np.ndarray]) -> None:
        self.full[i] = list(range(len(out), len(out) + len(self.rows[i].runs)))
        out.extend(_crop(self.gray, run, self.glyph, self.ink) for run in self.rows[i].runs)

    def first_pass(self) -> list[np.ndarray]:
        crops: list[np.ndarray] = []
        if self.policy == "all":
            for i in range(len(self.rows)):
                self._row_crops(i, crops)
            return crops
        self._probes = [i for i in self._starts()]
        for i in self._probes:
            x0, y0, x1, y1 = self.rows[i].box  # across runs: 一 and 、 may be two
            crops.append(_crop(self.gray, (x0, y0, min(x1, x0 + int(HEAD_EMS * (y1 - y0))), y1), self.glyph,
                               self.ink))
        return crops

    def _starts(self) -> list[int]:
        """Lines that can start a paragraph (a heading is one)."""
        rows = self.rows
        if len(rows) < 4:
            return list(range(len(rows)))
        left = float(np.percentile([r.box[0] for r in rows], 20))
        right = float(np.percentile([r.box[2] for r in rows], 80))
        out = [0]
        for i in range(1, len(rows)):
            b, prev, h = rows[i].box, rows[i - 1].box, rows[i].height
            # also a short line (a heading is one, even right under a full line with no gap) and
            # a line under a much lower one (a seal's rim or a rule's remnant is no text line)
            if (b[0] > left + 0.8 * h or prev[2] < right - 1.5 * h or b[1] - prev[3] > 1.0 * h
                    or b[2] < right - 1.5 * h or prev[3] - prev[1] < 0.7 * h):
                out.append(i)
        return out

    def second_pass(self, first: list[Recognition]) -> list[np.ndarray]:
        if self.policy == "all":
            self.results = first
            self._update_context()
            return []
        # headings and their numbers, from the left crops (四、 is all a left crop needs to show)
        self._heads = {}
        sure: list[int] = []
        for i, rec in zip(self._probes, first):
            text = _normalise(rec.text)
            if HEADING_START.match(text):
                self._heads[i] = _numeral(text)
                self._probe_text[i] = text
                if rec.score >= SURE_HEADING:
                    sure.append(i)
        # the title ends at the first heading read with some confidence: a title line's first
        # glyphs, barely legible, can look like 一, to a left crop (it is read in full anyway)
        first_head = min(sure, default=len(self.rows))
        want: list[int] = []
        section = self.section_at_start
        opening = [i for i in range(min(first_head, TITLE_ROWS, len(self.rows)))
                   if i not in self._heads] if self.number == 1 else []
        if opening:
            # the title is in the largest type: read it now, the opening lines only if it
            # names no agency and year (``third_pass``)
            tallest = max(self.rows[i].height for i in opening)
            self._opening = [i for i in opening if self.rows[i].height < TITLE_SIZE * tallest]
            # (a title line a left crop took for a heading, unsure, is read as one and is the title's)
            self._title = [i for i in range(min(first_head, TITLE_ROWS, len(self.rows))) if i not in self._opening]
        for i in range(len(self.rows)):
            if i in self._heads:
                want.append(i)
                section = self._heads[i] if self._heads[i] is not None else section
            elif i in opening and i not in self._opening:
                want.append(i)  # the title
            elif section is not None and section >= FEE_SECTION:
                want.append(i)  # section 六 (on this page, or carried on from the page before)
        crops: list[np.ndarray] = []
        self.full = {}
        for i in want:
            self._row_crops(i, crops)
        return crops

    def finish(self, results: list[Recognition]) -> None:
        self.results = results
        self._update_context()

    def third_pass(self) -> list[np.ndarray]:
        """Page 1's opening lines in body type, when the title lines read do not give the agency
        and the year (a title in body type, or one naming no agency: the opening sentence
        does, 现公布朝阳市民政局2023年度…)."""
        if not self._opening:
            return []
        title = "".join(_normalise(self._line(i).text) for i in self._title)
        m = TITLE.search(re.sub(r"\s+", "", title))
        if m and clean_agency(m.group("agency")):
            self._opening = []
            return []
        crops: list[np.ndarray] = []
        self._more = {}
        for i in self._opening:
            self._more[i] = list(range(len(crops), len(crops) + len(self.rows[i].runs)))
            crops.extend(_crop(self.gray, run, self.glyph, self.ink) for run in self.rows[i].runs)
        return crops

    def finish_third(self, results: list[Recognition]) -> None:
        base = len(self.results)
        self.results = list(self.results) + list(results)
        for i, ks in self._more.items():
            self.full[i] = [base + k for k in ks]

    def _update_context(self) -> None:
        if self.context is None:
            return
        self.context.last_page = self.number
        for i in sorted(self.full):
            if self.policy == "all" or i in self._heads:
                n = _numeral(_normalise(self._line(i).text))
                if n is None and self.policy != "all":
                    n = self._heads[i]
                if n is not None:
                    self.context.section = n

    def _line(self, i: int) -> Recognition:
        return _combine([self.results[k] for k in self.full[i]], False)

    def lines(self) -> list[tuple[ProseRow, Recognition]]:
        out = []
        for i in sorted(self.full):
            rec = self._line(i)
            if i in self._probe_text:
                rec = _heading_from_probe(rec, self._probe_text[i])
            out.append((self.rows[i], rec))
        return out


SEPARATOR_MISREADS = set("1l|Il,，;；:：、.．")


def _heading_from_probe(rec: Recognition, probe: str) -> Recognition:
    """A heading read twice — its left crop (the first pass) and the whole line — where only the
    left crop shows the heading's form (一、) and the whole line misread or dropped the 、 after
    the same number (一1总体情况): the number and 、 as the left crop read them. The stitcher
    needs the form to see a section break between two parts of a table."""
    m = HEADING.match(probe)
    text = _normalise(rec.text)
    if m is None or HEADING.match(text):
        return rec
    num = m.group("num")
    body = text.lstrip()
    if not body.startswith(num):
        return rec
    rest = body[len(num) :]
    if rest[:1] in SEPARATOR_MISREADS:
        rest = rest[1:]
    return Recognition(text=f"{num}、{rest}", score=rec.score, char_scores=rec.char_scores,
                       alternatives=rec.alternatives, char_alternatives=rec.char_alternatives)


def recognize_unique(engine, crops: list[np.ndarray]) -> list[Recognition]:
    """``engine.recognize`` with each distinct short crop read once: a page's 0s, 1s, 2s… are
    printed from one font at one size, and a crop whose ink matches another's to within a pixel
    (``same_ink``) takes its reading. Long crops (labels, prose) are read as they are."""
    if not crops:
        return []
    reps: list[tuple[np.ndarray, int]] = []  # (ink mask cut to its box, crop index)
    rep_of = list(range(len(crops)))
    for i, c in enumerate(crops):
        h, w = c.shape[:2]
        if w > DEDUP_ASPECT * h:
            continue
        ink = _ink_mask(c)
        if ink is None:
            continue
        for mask, j in reps:
            if same_ink(mask, ink):
                rep_of[i] = j
                break
        else:
            reps.append((ink, i))
    unique = sorted(set(rep_of))
    read = engine.recognize([crops[i] for i in unique])
    by_rep = dict(zip(unique, read))
    return [by_rep[rep_of[i]] for i in range(len(crops))]


DEDUP_ASPECT = 4.0  # crops wider than this many heights are not compared
MIN_DEDUP_INK = 12  # px: a crop with less ink than this is always read on its own


def _ink_mask(crop: np.ndarray) -> np.ndarray | None:
    """The crop's ink (dark pixels), cut to its bounding box."""
    g = crop[:, :, 0] if crop.ndim == 3 else crop
    darkest = int(g.min())
    if darkest > 200:
        return None
    # the faint strokes too (crops are stretched, ``_stretch``): a 4 whose bar and diagonal
    # printed light must not look like the 1 its stem is
    ink = g < darkest + 0.75 * (255 - darkest)
    if int(np.count_nonzero(ink)) < MIN_DEDUP_INK:
        return None  # too little ink to tell one print from another: read it on its own
    ys = np.flatnonzero(ink.any(axis=1))
    if len(ys) == 0:
        return None
    xs = np.flatnonzero(ink.any(axis=0))
    return ink[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]


_K3 = np.ones((3, 3), np.uint8)
SAME_INK_XOR = 0.12  # share of the ink that may differ between two prints of one glyph


def same_ink(a: np.ndarray, b: np.ndarray) -> bool:
    """Two ink masks (each cut to its box) are one print: boxes within a pixel of each other's
    size, and no ink of either more than a pixel away from the other's. Noise and JPEG move
    edges by a pixel; another digit adds or drops whole strokes, dozens of pixels."""
    if abs(a.shape[0] - b.shape[0]) > 1 or abs(a.shape[1] - b.shape[1]) > 1:
        return False
    na, nb = int(a.sum()), int(b.sum())
    if abs(na - nb) > 0.1 * max(na, nb):
        return False
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pa = np.zeros((h + 2, w + 2), np.uint8)
    pb = np.zeros((h + 2, w + 2), np.uint8)
    pa[1 : 1 + a.shape[0], 1 : 1 + a.shape[1]] = a
    pb[1 : 1 + b.shape[0], 1 : 1 + b.shape[1]] = b
    da, db = cv2.dilate(pa, _K3), cv2.dilate(pb, _K3)
    stray = int(np.count_nonzero(pa & ~db & 1)) + int(np.count_nonzero(pb & ~da & 1))
    if stray > max(1, int(0.01 * max(na, nb))):
        return False
    # small glyphs (a 9 pt digit at 200 dpi is ~14 px tall): a pixel's slack is a stroke's
    # width there, and 5 6 8 9 differ by less than a stroke. The masks must also overlap
    # pixel for pixel, at the best of the nine one-pixel shifts
    best = min(int(np.count_nonzero(pa[1:-1, 1:-1] != pb[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]))
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))
    return best <= SAME_INK_XOR * max(na, nb)


# --------------------------------------------------------------------------------------------
# results into cells
# --------------------------------------------------------------------------------------------


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


_STRAY = "-−–_.·•*#'`\",，。、:：;；~^°"
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
STRAY_CONFIDENCE = 0.5  # a number read with a stray mark: right more often than not, but reviewed


# a lone 1 whose foot a seal's stroke hid (what is left is its serif and the top of its stem)
_ONE_LIKE = set("】]」|丨lI")


def _strip_stray(text: str) -> str | None:
    """A number with marks glued on that no number in these tables has — a point after the last
    digit, a minus, dot or star before the first (7. -2 •3): a speck beside the digits, read as
    punctuation; or a cell holding nothing but one bar or closing bracket (】 ] |), which no
    label or value of these tables is: a 1 partly lost. Returns the number, or None when
    ``text`` is not one."""
    if len(text) == 1 and text in _ONE_LIKE:
        return "1"
    core = text.strip(_STRAY)
    if core == text or not _NUMBER.fullmatch(core):
        return None
    return core


def _fill_cell(cell: Cell, job: CellJob, results: list[Recognition]) -> None:
    if job.dash:
        cell.text = job.dash
        cell.confidence = DASH_CONFIDENCE
        cell.char_scores = [DASH_CONFIDENCE]
        cell.alternatives = []
        return
    if not job.crops:
        cell.text = ""
        cell.confidence = job.empty_confidence
        cell.char_scores = []
        cell.alternatives = []
        return
    rec = _combine(results[job.first : job.first + len(job.crops)], job.vertical)
    cell.text = _normalise(rec.text)
    cell.confidence = round(float(rec.score), 5)
    number = _strip_stray(cell.text)
    if number is not None:
        cell.text = number
        cell.confidence = min(cell.confidence, STRAY_CONFIDENCE)
        # stray ink in the cell: what it hid cannot be known, whatever the relations say
        cell.structure = min(cell.structure, DOUBT)
    cell.char_scores = list(rec.char_scores)
    seen = {cell.text}
    cell.alternatives = []
    for a in rec.alternatives:
        t = _normalise(a.text)
        if t not in seen:
            seen.add(t)
            cell.alternatives.append(Alternative(text=t, score=a.score))
    if len(job.crops) > 1 and not job.vertical:
        # several lines: a wrapped label; the split itself is a (small) structural doubt
        cell.structure = round(min(cell.structure, 0.98), 3)
