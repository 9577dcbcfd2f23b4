"""Read a scanned page into the same ``PageContent`` a text-layer page gives.

render (settings.dpi, or an image's own dpi) → upright (orientation + deskew) → rules → grids
→ each cell's crop read by the recogniser directly (no detector), all crops of the page in one
batched call → the ink outside the tables cut into text lines and read the same way.

Cells: the ink inside a cell (rules removed, specks dropped) is cut into text lines by its
horizontal projection. Several lines (a wrapped label) are read one by one and joined without
a break, as the text layer joins them. A tall narrow cell whose "lines" are single characters
is vertical text (三、本年度办理结果): its characters are laid side by side into one strip and
read at once. Boxes handed on refer to the page as rendered (before turning and deskew).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.grid.image_grid import ImageTable, PageLines, find_grids, find_lines
from extractor.layout.orient import PageTransform, upright
from extractor.ocr.engine import Recognition
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
    rgb = page.render(dpi)
    return read_scan_image(rgb, dpi, page.number, engine, width=page.width, height=page.height)


def read_scan_image(rgb: np.ndarray, dpi: float, number: int, engine, *, width: float | None = None,
                    height: float | None = None, read_prose: bool = True) -> PageContent:
    """``read_scan_page`` on an already rendered page (tests and the benchmark use this)."""
    h, w = rgb.shape[:2]
    width = width if width is not None else w * 72.0 / dpi
    height = height if height is not None else h * 72.0 / dpi
    up, tf = upright(rgb, dpi)  # grey, red suppressed
    lines = find_lines(up, dpi)
    tables = find_grids(lines, dpi, number, tf.box_to_source)
    ink = lines.text_ink()
    ink = _drop_specks(ink, dpi)
    gray = lines.clean_gray()

    layouts = [_cell_layout(ink, box, dpi) for table in tables for box in table.boxes]
    glyph = _glyph_height([b for lay in layouts for b in lay[0]], dpi)
    jobs: list[CellJob] = [_cell_job(gray, lay, glyph) for lay in layouts]
    prose_boxes = _prose_lines(ink, tables, dpi, glyph) if read_prose else []
    for box in prose_boxes:
        jobs.append(CellJob(crops=[_crop(gray, box, glyph, ink)], boxes=[box]))

    crops: list[np.ndarray] = []
    for job in jobs:
        job.first = len(crops)
        crops.extend(job.crops)
    results = engine.recognize(crops) if crops else []

    k = 0
    for table in tables:
        for cell in table.grid.cells:
            _fill_cell(cell, jobs[k], results)
            k += 1
    text_lines = []
    px_to_pt = 72.0 / dpi
    for box, job in zip(prose_boxes, jobs[k:]):
        rec = _combine(results[job.first : job.first + len(job.crops)], job.vertical)
        text = _normalise(rec.text)
        if not text or (len(text) <= 3 and rec.score < 0.5):  # dust, a seal's rim
            continue
        src = tf.box_to_source(box)
        text_lines.append(
            TextLine(
                text=text, bbox=BBox(x0=src[0] * px_to_pt, top=src[1] * px_to_pt, x1=src[2] * px_to_pt,
                                     bottom=src[3] * px_to_pt),
                page=number, size=round((box[3] - box[1]) * px_to_pt, 2), source=Source.OCR,
                confidence=round(rec.score, 4),
            )
        )
    text_lines.sort(key=lambda ln: (round(ln.bbox.top / max(ln.size, 1.0) / 0.8), ln.bbox.x0))
    return PageContent(
        number=number, width=width, height=height, kind=PageKind.SCAN, lines=text_lines,
        grids=[t.grid for t in tables], rotation=tf.rotation, skew=tf.skew, dpi=dpi,
    )


# --------------------------------------------------------------------------------------------
# ink and crops
# --------------------------------------------------------------------------------------------


def _drop_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Noise, JPEG ringing and dust: ink components too small to be part of a glyph."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    min_area = max(3, int((dpi / 200.0) ** 2 * 6))
    min_side = max(2, int(dpi * 0.012))
    areas = stats[:, cv2.CC_STAT_AREA]
    sides = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = (areas >= min_area) & (sides >= min_side)
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


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


def _finish(sub: np.ndarray, glyph: float) -> np.ndarray:
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
    if all(p[3] - p[1] < 0.4 * glyph and p[2] - p[0] < 0.6 * glyph for p in pieces):
        # only blots smaller than any digit: dirt on a blank cell, not text. Blank, with a
        # confidence that says how much ink was thrown away
        ink = int(np.count_nonzero(sub))
        return CellJob(crops=[], empty_confidence=0.95 if ink < 0.05 * glyph * glyph else 0.85)
    # a tall cell whose rows are single glyphs: vertical text, read as one strip
    glyph_like = [(p[2] - p[0]) <= 1.6 * (p[3] - p[1]) for p in pieces]
    vertical = len(pieces) >= 3 and ch > 2.0 * cw and all(glyph_like)
    if vertical:
        return CellJob(crops=[_strip(gray, pieces, glyph, sub, origin)], vertical=True, boxes=pieces)
    return CellJob(crops=[_crop(gray, p, glyph, sub, origin) for p in pieces], boxes=pieces)


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
    if h <= 0.3 * glyph and w >= 2.5 * h and w >= 0.3 * glyph and area >= 0.6 * w * h:
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
    """Boxes of the text lines outside every table (upright pixels), top to bottom."""
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
    n, _, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    min_h, max_h = max(_k(dpi, 0.04, 4), int(0.6 * glyph)), dpi * 0.7
    raw: list[PxBox] = []
    for i in range(1, n):
        x, y, w, h, _ = (int(s) for s in stats[i])
        x0, x1 = x + kx // 2, x + w - kx // 2  # undo the smear
        y0, y1 = y + ky // 2, y + h - ky // 2
        if x1 - x0 < 2 or y1 - y0 < min_h:
            continue
        if y1 - y0 > max_h:  # two or more lines fused: split at the projection's gaps
            sub = free[y0:y1, x0:x1]
            for a, b in _merge_fragments(_bands(sub.sum(axis=1))):
                if b - a >= min_h:
                    raw.append((x0, y0 + a, x1, y0 + b))
            continue
        raw.append((x0, y0, x1, y1))
    raw.sort(key=lambda b: (b[1], b[0]))
    return raw


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
