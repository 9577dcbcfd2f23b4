"""A page's text layer as plain dicts: characters, straight rules, rectangles and images.

Read with pdfium (C++; about ten times faster than pdfminer on these reports, and it decodes
embedded CFF fonts pdfminer drops) or, where pdfium's page space differs from pdfplumber's
(a rotated page, a crop box off the origin), with pdfplumber. Both give the same shapes —
pdfplumber's own keys (``x0``, ``top``, ``x1``, ``bottom`` in PDF points from the top-left) —
so page classification and the text-page reader do not care which one ran.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

WHITESPACE = {" ", "\t", "\r", "\n", "\u3000", "\xa0", "\ufffe"}
AXIS_TOLERANCE = 0.5  # points: a segment this close to axis-parallel is a rule
FONT_SAMPLE = 25  # read the font name of every 25th character


@dataclass
class TextLayer:
    width: float
    height: float
    chars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    rects: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    source: str = "pdfium"
    # what is drawn but not read: characters left out as not content (see ``not_content``),
    # invisible characters (render mode 3: an OCR layer, or a text layer not the visible text),
    # and vector shapes that look like glyphs (curved or small filled paths: outlined text)
    watermark_chars: int = 0
    invisible_chars: int = 0
    glyph_shapes: int = 0
    # text objects pdfium could not decode (a string shown but no character read: a single glyph of
    # a non-embedded CID font, as reportlab draws STSong-Light digits). Their ink is on the page and
    # not in ``chars``: the page must be read by the other reader (``document.read_layer``).
    unread_text_objects: int = 0
    unread_points: list[tuple[float, float]] = field(default_factory=list)  # (x, top) of each, points


LIGHT = 0.65  # a fill this light (0 black – 1 white, every channel) is a watermark's grey
ANGLE_TOLERANCE = 0.03  # radians: text turned further than this off a right angle is not body text


def not_content(angle: float, rgb: tuple[float, float, float] | None) -> bool:
    """A watermark character: turned off the page's axes (diagonal text), or a very light fill
    (``is_light``; the readers keep light text that sits on a dark fill — a header cell
    printed white on blue — see ``keep_light``).

    Body text, table text, headings, vertical text in merged cells (90°) all sit on the axes
    and print dark; watermarks are drawn diagonally and/or in light grey across the tables.
    """
    turn = angle % (math.pi / 2)
    if min(turn, math.pi / 2 - turn) > ANGLE_TOLERANCE:
        return True
    return is_light(rgb)


def is_light(rgb: tuple[float, float, float] | None) -> bool:
    return rgb is not None and min(rgb) >= LIGHT


def keep_light(layer: TextLayer, light: list[dict]) -> None:
    """Light characters on a dark filled rectangle are content (white on a shaded header);
    the others are a watermark's."""
    def is_dark(color) -> bool:
        rgb = _plumber_rgb(color)
        return rgb is not None and 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 0.5  # luma

    dark = [r for r in layer.rects
            if r.get("fill") and is_dark(r.get("non_stroking_color")) and r["width"] > 2 and r["height"] > 2]
    for ch in light:
        ch.pop("_ink", None)
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if any(r["x0"] <= cx <= r["x1"] and r["top"] <= cy <= r["bottom"] for r in dark):
            layer.chars.append(ch)
        else:
            layer.watermark_chars += 1


def from_plumber(page) -> TextLayer:
    """pdfplumber's parse of the page (pdfminer): the fallback reader."""
    layer = TextLayer(
        width=float(page.width), height=float(page.height), lines=page.lines,
        rects=page.rects, images=page.images, source="pdfplumber", glyph_shapes=len(page.curves),
    )
    light: list[dict] = []
    for c in page.chars:
        m = c.get("matrix") or (1, 0, 0, 1, 0, 0)
        rgb = _plumber_rgb(c.get("non_stroking_color"))
        if not_content(math.atan2(m[1], m[0]), None):
            layer.watermark_chars += 1
        elif is_light(rgb):
            light.append(c)
        else:
            layer.chars.append(c)
    if light:
        keep_light(layer, light)
    return layer


def _plumber_rgb(color) -> tuple[float, float, float] | None:
    """pdfminer's fill colour (gray, RGB or CMYK tuple) as RGB 0–1, or None if unknown."""
    values = color if isinstance(color, (tuple, list)) else (color,)
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return None
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return tuple(values)
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def pdfium_compatible(page: pdfium.PdfPage) -> bool:
    """pdfium's page space matches pdfplumber's: no /Rotate, crop box at the media box origin."""
    if page.get_rotation() % 360:
        return False
    crop, media = page.get_cropbox(), page.get_mediabox()
    return all(abs(a - b) < 0.01 for a, b in zip(crop, media)) and abs(media[0]) < 0.01 and abs(media[1]) < 0.01


def from_pdfium(page: pdfium.PdfPage) -> TextLayer:
    width, height = page.get_size()
    layer = TextLayer(width=width, height=height)
    textpage = page.get_textpage()
    light: list[dict] = []
    try:
        layer.chars = _chars(textpage, height, layer, light)
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
            point = _unread(obj, textpage)
            if point is not None:
                layer.unread_points.append((point[0], height - point[1]))
        layer.unread_text_objects = len(layer.unread_points)
    finally:
        textpage.close()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE]):
        matrix = _page_matrix(obj)
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            x0, y0, x1, y1 = matrix.on_rect(0, 0, 1, 1)  # an image fills the unit square of its matrix
            layer.images.append({"x0": x0, "x1": x1, "top": height - y1, "bottom": height - y0})
        else:
            _path(obj, matrix, height, layer)
    if light:
        keep_light(layer, light)
    return layer


def _chars(textpage: pdfium.PdfTextPage, height: float, layer: TextLayer, light: list[dict]) -> list[dict]:
    """The page's characters (pdfplumber's keys); watermark and invisible ones counted and left
    out, light upright ones put in ``light`` (kept only on a dark fill: ``keep_light``)."""
    out: list[dict] = []
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    rect = raw.FS_RECTF()
    fontname = ""
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if not code or raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        text = chr(code)
        if text in WHITESPACE:
            continue
        if not raw.FPDFText_GetLooseCharBox(textpage, i, rect):
            continue
        rgb = (r.value / 255, g.value / 255, b.value / 255) if raw.FPDFText_GetFillColor(textpage, i, r, g, b, a) else None
        if a.value == 0 or _invisible(textpage, i):
            layer.invisible_chars += 1
            continue
        angle = raw.FPDFText_GetCharAngle(textpage, i)
        pale = is_light(rgb)
        if not pale and not_content(angle, rgb) or pale and not_content(angle, None):
            layer.watermark_chars += 1
            continue
        raw.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
        # x from the glyph's own box (tight), y from the font's line box (loose): lines group by
        # the font's height, as pdfminer's boxes do, whatever the glyph's ink
        x0, x1 = left.value, right.value
        if x1 - x0 < 0.1:  # an empty glyph box (some dashes): the loose box
            x0, x1 = rect.left, rect.right
        line_top, line_bottom = height - rect.top, height - rect.bottom
        ink = (height - top.value, height - bottom.value)
        if len(out) % FONT_SAMPLE == 0:  # font names cost a call each: sampled, enough to spot OCR fonts
            fontname = _font_name(textpage, i)
        out.append({
            "text": text,
            "x0": x0,
            "x1": x1,
            "top": line_top,
            "bottom": line_bottom,
            "size": line_bottom - line_top,  # the font's line height (pdfium's font size ignores the text matrix)
            "fontname": fontname,
            "upright": True,
            "_ink": ink,
        })
        if pale:
            light.append(out.pop())
    return _mend_line_boxes(out)


def _mend_line_boxes(chars: list[dict]) -> list[dict]:
    """pdfium gives some text objects (vertical text in merged cells) line boxes many lines tall:
    those characters get a box the page's usual line height, centred on their ink."""
    heights = sorted(c["size"] for c in chars)
    usual = heights[len(heights) // 2] if heights else 0.0
    for c in chars:
        ink_top, ink_bottom = c.pop("_ink")
        if usual and c["size"] > 3 * usual and ink_bottom > ink_top:
            middle = (ink_top + ink_bottom) / 2
            c["top"], c["bottom"], c["size"] = middle - usual / 2, middle + usual / 2, usual
    return chars


def _unread(obj, textpage: pdfium.PdfTextPage) -> tuple[float, float] | None:
    """The object's origin (x, y up, points) when pdfium decoded nothing of a text object: its box is a point (no glyph advanced) and its
    text is empty, though the content stream shows a string there. pdfium's text page then lacks
    that ink entirely (a lost single digit reads as an empty cell, i.e. a printed 0)."""
    try:
        x0, y0, x1, y1 = obj.get_bounds()
    except Exception:  # noqa: BLE001 — no bounds: nothing drawn
        return None
    if x1 - x0 > 0.01 or y1 - y0 > 0.01:
        return None
    n = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    return (x0, y0) if n <= 2 else None  # the terminating NUL only: no character decoded


def _invisible(textpage: pdfium.PdfTextPage, index: int) -> bool:
    """Drawn in render mode 3 (neither filled nor stroked): a text layer not on the page's face."""
    obj = raw.FPDFText_GetTextObject(textpage, index)
    return bool(obj) and raw.FPDFTextObj_GetTextRenderMode(obj) == raw.FPDF_TEXTRENDERMODE_INVISIBLE


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    n = raw.FPDFText_GetFontInfo(textpage, index, buf, len(buf), flags)
    return buf.value.decode("utf-8", "replace") if n else ""


def _page_matrix(obj: pdfium.PdfObject) -> pdfium.PdfMatrix:
    """The object's matrix composed with those of the form XObjects holding it."""
    matrix = obj.get_matrix()
    container = obj.container
    while container is not None:
        matrix = matrix.multiply(container.get_matrix())
        container = container.container
    return matrix


def _color(getter, obj) -> tuple[float, float, float] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


def _path(obj: pdfium.PdfObject, matrix: pdfium.PdfMatrix, height: float, layer: TextLayer) -> None:
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, fillmode, stroke)
    filled = fillmode.value != raw.FPDF_FILLMODE_NONE
    stroked = bool(stroke.value)
    if not (filled or stroked):
        return
    style = {
        "fill": filled,
        "stroke": stroked,
        "non_stroking_color": _color(raw.FPDFPageObj_GetFillColor, obj),
        "stroking_color": _color(raw.FPDFPageObj_GetStrokeColor, obj),
    }
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    curved: list[bool] = []
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        px, py = matrix.on_point(x.value, y.value)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([(px, height - py)])
            curved.append(False)
        else:
            subpaths[-1].append((px, height - py))
            if kind == raw.FPDF_SEGMENT_BEZIERTO:
                curved[-1] = True
        if raw.FPDFPathSegment_GetClose(seg) and subpaths[-1][0] != subpaths[-1][-1]:
            subpaths[-1].append(subpaths[-1][0])
    rects = [None if is_curve or len(points) < 2 else _as_rect(points) for points, is_curve in zip(subpaths, curved)]
    if filled and not stroked and _glyph_like(subpaths, curved, rects):
        layer.glyph_shapes += 1
    for points, is_curve, rect in zip(subpaths, curved, rects):
        if is_curve or len(points) < 2:
            continue
        if rect is not None:
            layer.rects.append(_box(style, *rect, height, "rect"))
        elif stroked:
            for (ax, ay), (bx, by) in zip(points, points[1:]):
                if abs(ay - by) <= AXIS_TOLERANCE:  # horizontal: exactly, as pdfplumber's edges expect
                    y = (ay + by) / 2
                    layer.lines.append(_box(style, min(ax, bx), y, max(ax, bx), y, height, "line"))
                elif abs(ax - bx) <= AXIS_TOLERANCE:
                    x = (ax + bx) / 2
                    layer.lines.append(_box(style, x, min(ay, by), x, max(ay, by), height, "line"))


GLYPH_SIZE = 60.0  # points: a filled shape smaller than this either way may be a glyph outline


def _glyph_like(subpaths: list[list[tuple[float, float]]], curved: list[bool], rects: list) -> bool:
    """A small filled shape that is not one rectangle: a glyph drawn as an outline."""
    if len(subpaths) == 1 and rects[0] is not None:
        return False  # one rectangle: a rule, a rule's piece, a cell's fill
    points = [p for sp in subpaths for p in sp]
    if not points:
        return False
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    if w > GLYPH_SIZE or h > GLYPH_SIZE or max(w, h) < 0.5:
        return False
    return any(curved) or len(subpaths) > 1 or min(w, h) > 1.0


def _box(style: dict, x0: float, top: float, x1: float, bottom: float, height: float, kind: str) -> dict:
    """pdfplumber's keys for a line or a rectangle (``y0``/``y1`` count from the page bottom)."""
    return {
        **style, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
        "y0": height - bottom, "y1": height - top, "width": x1 - x0, "height": bottom - top,
        "object_type": kind,
    }


def _as_rect(points: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """An axis-parallel rectangle drawn as one closed subpath (4 corners, maybe the first again)."""
    pts = points[:-1] if len(points) == 5 and points[0] == points[-1] else points
    if len(pts) != 4:
        return None
    xs = sorted({round(p[0], 2) for p in pts})
    ys = sorted({round(p[1], 2) for p in pts})
    if len(xs) > 2 or len(ys) > 2:
        return None
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
        if abs(ax - bx) > AXIS_TOLERANCE and abs(ay - by) > AXIS_TOLERANCE:
            return None
    return xs[0], ys[0], xs[-1], ys[-1]
