"""Scanned copies: render a text PDF's pages with pdfium, degrade them like a print-stamp-scan,
and write an image-only PDF (JPEG pages at the scan's physical size).

Degradations, all drawn from the seed: a red seal (ring, star, agency name on the arc) stamped
semi-transparently over part of a table, skew up to ±3°, paper tint, Gaussian noise and specks,
blur, JPEG compression (quality 35–70), and in some reports one page turned by 90°.

Harder kinds (``kinds``, each a name of ``HARD_KINDS``; their drawn parameters go to the truth's
meta under ``degradations``): what real scans and photographs add.

* ``perspective``: a photographed page, corners moved by up to 2.5 % of the page;
* ``curl``: a page lifted at one edge, lines bent by up to 0.6 % of the height;
* ``uneven_light``: a lighting gradient (to 55–75 % at the dark side) and a shadow band;
* ``faded``: ink at 35–55 % of its contrast (a toner running low), on yellowed paper;
* ``yellowed``: old, strongly yellowed paper (blue at 60–70 % of red), the print's contrast kept;
* ``fax``: a fax-like 1-bit page (threshold, dropped and added pixels);
* ``dithered``: a scanner's black-and-white mode, the page error-diffused (Floyd–Steinberg) to
  1 bit and stored losslessly (PNG in the PDF; ``scan_sources.write_kind_scan`` also writes the
  pages as a CCITT G4 TIFF and gives that as the scan): grey shading and light rules become dots;
* ``grey``: a greyscale scan (the seal a grey ring, pen marks grey: no colour to tell them by);
* ``jpeg_low``: JPEG quality 20–35;
* ``stamp_numbers``: the red seal over table 三's number columns;
* ``pen_tick``: pen ticks and a stroke in dark blue over table 三's cells;
* ``missing_rule``: a piece of a vertical rule between two number columns of table 三 painted out;
* ``missing_label_rule``: a piece of the rule between table 三's labels and its first number
  column painted out at the table's foot, one or two rows tall (四、结转下年度继续办理 and
  （七）总计, labels across three columns): a row's label and its first number in one cell;
* ``missing_header_rule``: in table 三's header, the rule between two titles under 法人或其他组织
  painted out in the titles' row (two titles in one cell over two columns of numbers);
* ``doubled_rule``: a vertical rule between two number columns of table 三 printed twice, the
  second 3–5 px beside it over a third to two thirds of the table's height;
* ``faint_rule``: a vertical rule between two number columns of table 三 at 25–40 % of its contrast;
* ``missing_t4_rule``: a vertical rule between two of table 四's number columns painted out from
  its column titles down (a seal ring along it, a curl, a faint rule): the row of 15 numbers
  stands under 14 cells of the rule grid;
* ``missing_hrule``: a piece of a horizontal rule across table 三's number columns painted out
  (two rows of numbers with no rule between them);
* ``rotated_middle``: the middle page of table 三 (of three: the second) turned by 90° or 270°,
  and no other page — a sheet put in the feeder the wrong way in a long table.

Kinds that change the document before it is scanned (shaded header cells, narrow label columns,
LibreOffice's layout, the real corpus reports) are in ``scan_sources.py``.
"""

from __future__ import annotations

import io
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .fonts import wqy_path
from .render import FIXED_DATE
from .rule_kinds import alter_rule, erase_header_rule, erase_label_rule, erase_rule, erase_t4_rule


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.38
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def seal_image(text: str, radius_px: int, rng: random.Random) -> Image.Image:
    """An RGBA seal: ring, five-pointed star, ``text`` along the upper arc."""
    size = radius_px * 2 + 8
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (rng.randint(200, 235), rng.randint(20, 50), rng.randint(25, 55))
    alpha = rng.randint(150, 200)
    c = size / 2
    ring = max(3, radius_px // 18)
    draw.ellipse((c - radius_px, c - radius_px, c + radius_px, c + radius_px), outline=red + (alpha,), width=ring)
    draw.polygon(_star(c, c, radius_px * 0.3), fill=red + (alpha,))
    font_px = max(10, int(radius_px * 0.26))
    font = ImageFont.truetype(str(wqy_path()), font_px, index=0)
    chars = [ch for ch in text if ch.strip()]
    span = min(250.0, 22.0 * len(chars))  # degrees of arc used
    start = -90 - span / 2
    r_text = radius_px - ring - font_px * 0.75
    for i, ch in enumerate(chars):
        ang = start + span * (i + 0.5) / len(chars)
        tile = Image.new("RGBA", (font_px * 2, font_px * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((font_px, font_px), ch, font=font, fill=red + (alpha,), anchor="mm")
        tile = tile.rotate(-(ang + 90), resample=Image.BICUBIC)
        x = c + r_text * math.cos(math.radians(ang)) - font_px
        y = c + r_text * math.sin(math.radians(ang)) - font_px
        img.alpha_composite(tile, (int(round(x)), int(round(y))))
    return img


def _degrade(img: Image.Image, rng: random.Random, nrng: np.random.Generator, angle: float) -> Image.Image:
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    tint = np.array([rng.uniform(238, 252), rng.uniform(236, 250), rng.uniform(228, 245)], dtype=np.float32) / 255
    arr = arr * tint
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    fill = tuple(int(255 * t) for t in tint)
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=fill)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + nrng.normal(0, rng.uniform(3, 9), size=arr.shape[:2])[..., None]
    specks = nrng.random(arr.shape[:2]) < rng.uniform(0.0002, 0.001)
    arr[specks] = nrng.uniform(40, 120)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


HARD_KINDS = ("perspective", "curl", "uneven_light", "faded", "fax", "grey", "jpeg_low", "stamp_numbers", "pen_tick",
              "missing_rule", "doubled_rule", "faint_rule", "missing_hrule", "rotated_middle", "missing_t4_rule",
              "missing_label_rule", "missing_header_rule", "dithered", "yellowed")
RULE_KINDS = ("missing_rule", "doubled_rule", "faint_rule", "missing_hrule")
def _perspective(img: Image.Image, rng: random.Random, fill) -> tuple[Image.Image, list]:
    import cv2

    arr = np.asarray(img)
    h, w = arr.shape[:2]
    d = 0.025
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[x + rng.uniform(-d, d) * w, y + rng.uniform(-d, d) * h] for x, y in src])
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(arr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=fill)
    return Image.fromarray(out), [[round(float(v), 1) for v in p] for p in dst]


def _curl(img: Image.Image, rng: random.Random, fill) -> tuple[Image.Image, dict]:
    import cv2

    arr = np.asarray(img)
    h, w = arr.shape[:2]
    amp = rng.uniform(0.003, 0.006) * h
    side = rng.choice(["left", "right"])
    xs = np.arange(w, dtype=np.float32)
    t = xs / w if side == "right" else 1 - xs / w
    dy = amp * t ** 2  # the lifted edge bends most
    dx = -0.004 * w * t ** 3 * (1 if side == "right" else -1)
    map_x = np.tile(xs + dx, (h, 1)).astype(np.float32)
    map_y = (np.arange(h, dtype=np.float32)[:, None] - dy[None, :]).astype(np.float32)
    out = cv2.remap(arr, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return Image.fromarray(out), {"side": side, "amplitude_px": round(amp, 1)}


def _uneven_light(arr: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    h, w = arr.shape[:2]
    low = rng.uniform(0.55, 0.75)
    angle = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    proj = (xx / w - 0.5) * math.cos(angle) + (yy / h - 0.5) * math.sin(angle)
    proj = (proj - proj.min()) / max(float(proj.max() - proj.min()), 1e-6)
    light = 1.0 - (1.0 - low) * proj
    band = rng.uniform(0.04, 0.09) * w  # a shadow along one side (the spine, a hand)
    light *= 1.0 - 0.25 * np.exp(-np.clip(xx if rng.random() < 0.5 else w - xx, 0, None) / band)
    return arr * light[..., None], {"darkest_light": round(low, 2)}


def _faded(arr: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    k = rng.uniform(0.35, 0.55)
    paper = np.array([rng.uniform(236, 246), rng.uniform(226, 238), rng.uniform(196, 215)], np.float32)
    out = paper - (255.0 - arr) * k * (paper / 255.0)
    return out, {"ink_contrast": round(k, 2)}


def _yellowed(arr: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    """The page on old yellowed paper: each channel scaled by the paper's colour (the print's
    black stays black; the JPEG then smears the paper's chroma round the glyphs)."""
    paper = np.array([rng.uniform(245, 252), rng.uniform(222, 235), rng.uniform(150, 175)], np.float32)
    return arr * (paper / 255.0), {"paper_rgb": [round(float(v)) for v in paper]}


def _fax(arr: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    g = arr.mean(axis=2)
    thr = rng.uniform(140, 175)
    bw = np.where(g < thr, 0.0, 255.0)
    flip = nrng.random(bw.shape) < 0.0008
    bw[flip] = 255.0 - bw[flip]
    return np.repeat(bw[..., None], 3, axis=2)


def _pen_ticks(img: Image.Image, box_px: tuple[float, float, float, float], rng: random.Random) -> list:
    """Ticks (✓) and one stroke in dark blue pen over the right part of table 三."""
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box_px
    ink = (rng.randint(20, 50), rng.randint(30, 60), rng.randint(110, 160))
    width = max(2, int((x1 - x0) / 400))
    marks = []
    for _ in range(rng.randint(2, 4)):
        cx, cy = rng.uniform(x0 + 0.45 * (x1 - x0), x1 - 20), rng.uniform(y0 + 0.15 * (y1 - y0), y1 - 20)
        s = rng.uniform(0.012, 0.02) * (x1 - x0)
        pts = [(cx - s, cy), (cx - s * 0.3, cy + s * 0.7), (cx + s, cy - s)]
        draw.line(pts, fill=ink, width=width, joint="curve")
        marks.append([round(cx), round(cy)])
    return marks


def _harder(img: Image.Image, kinds, rng: random.Random, nrng: np.random.Generator, record: dict, page: int
            ) -> Image.Image:
    """The harder kinds that act on the whole page image, in the order a scan makes them."""
    fill = tuple(int(v) for v in np.asarray(img)[2, 2])
    if "curl" in kinds:
        img, rec = _curl(img, rng, fill)
        record["curl"][page] = rec
    if "perspective" in kinds:
        img, rec = _perspective(img, rng, fill)
        record["perspective"][page] = rec
    if "grey" in kinds:  # a greyscale scanner: the red seal is a grey ring over the print
        img = img.convert("L").convert("RGB")
        record["grey"][page] = {"mode": "L"}
    if not {"uneven_light", "faded", "fax", "yellowed"} & set(kinds):
        return img
    arr = np.asarray(img, dtype=np.float32)
    if "faded" in kinds:
        arr, rec = _faded(arr, rng)
        record["faded"][page] = rec
    if "yellowed" in kinds:
        arr, rec = _yellowed(arr, rng)
        record["yellowed"][page] = rec
    if "uneven_light" in kinds:
        arr, rec = _uneven_light(arr, rng)
        record["uneven_light"][page] = rec
    if "fax" in kinds:
        arr = _fax(arr, rng, nrng)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _dithered(img: Image.Image, record: dict, page: int) -> Image.Image:
    """The page error-diffused to 1 bit (Pillow's Floyd–Steinberg), as a scanner's
    black-and-white mode without its text setting makes it."""
    record["dithered"][page] = {"mode": "1", "method": "floyd-steinberg"}
    return img.convert("L").convert("1")


def make_scan(
    src_pdf: Path,
    out_pdf: Path,
    *,
    seed: int,
    agency: str,
    tables: list[dict[str, Any]] | None = None,
    dpi: int | None = None,
    quality: int | None = None,
    rotate_page: bool | int | None = None,
    image_pages: str | None = None,
    kinds: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Write the scan of ``src_pdf`` to ``out_pdf``; return the meta entries describing it.

    ``kinds``: harder degradations from ``HARD_KINDS`` (see the module's docstring).

    ``rotate_page``: turn one page by 90° — True a page drawn from the seed, a number that page
    (1-based), None drawn (30 %), False none.

    ``image_pages``: also write the page images, ``"png"`` (``NAME.p01.png`` …) or ``"tiff"``
    (one multi-page ``NAME.tiff``).
    """
    unknown = set(kinds) - set(HARD_KINDS)
    if unknown:
        raise ValueError(f"unknown scan kinds {sorted(unknown)}; known: {HARD_KINDS}")
    rng = random.Random(seed * 7919 + 17)
    hard = random.Random(seed * 104729 + 3)  # the harder kinds draw from their own stream
    nrng = np.random.default_rng(seed)
    dpi = dpi or rng.choice([150, 200, 200, 240, 300])
    quality = quality or rng.randint(35, 70)
    if "jpeg_low" in kinds:
        quality = hard.randint(20, 35)
    degradations: dict[str, Any] = {k: {} for k in kinds}
    doc = pdfium.PdfDocument(str(src_pdf))
    n = len(doc)
    if rotate_page is None:
        rotate_page = rng.random() < 0.3
    rotated = [rng.randint(2, n) if n > 1 else 1] if rotate_page else []
    if rotate_page is not True and isinstance(rotate_page, int) and rotate_page:  # that page (1-based)
        rotated = [min(max(1, rotate_page), n)]
    turn = {p: Image.Transpose.ROTATE_90 for p in rotated}
    if "rotated_middle" in kinds:
        app_pages = sorted({t["page"] for t in (tables or []) if "三" in str(t.get("table", ""))
                            or "application" in str(t.get("table", ""))})
        if app_pages:
            mid = app_pages[len(app_pages) // 2]
            degrees = hard.choice([90, 270])
            rotated = [mid]
            turn = {mid: Image.Transpose.ROTATE_90 if degrees == 90 else Image.Transpose.ROTATE_270}
            degradations["rotated_middle"] = {"page": mid, "degrees_ccw": degrees, "table_三_pages": app_pages}
    # the seal goes over part of the last table fragment (table 四, or 三 when 四 is absent)
    seal_at = None
    apps = [t for t in (tables or []) if "三" in str(t.get("table", "")) or "application" in str(t.get("table", ""))]
    if tables:
        box = tables[-1]
        x0, top, x1, bot = box["bbox"]
        seal_at = (box["page"], x0 + (x1 - x0) * rng.uniform(0.55, 0.8), top + (bot - top) * rng.uniform(0.2, 0.8))
        if "stamp_numbers" in kinds and apps:
            box = hard.choice(apps)
            x0, top, x1, bot = box["bbox"]
            seal_at = (box["page"], x0 + (x1 - x0) * hard.uniform(0.5, 0.85), top + (bot - top) * hard.uniform(0.3, 0.7))
            degradations["stamp_numbers"] = {"page": box["page"]}
    t4 = [t for t in (tables or []) if "四" in str(t.get("table", "")) or "litigation" in str(t.get("table", ""))]
    t4_on = t4[-1] if ("missing_t4_rule" in kinds and t4) else None
    ticks_on = hard.choice(apps) if ("pen_tick" in kinds and apps) else None
    rule_on = max(apps, key=lambda t: t["bbox"][3] - t["bbox"][1]) if (set(RULE_KINDS) & set(kinds) and apps) else None
    label_rule_on = apps[-1] if ("missing_label_rule" in kinds and apps) else None  # its last rows: labels over 3 columns
    header_rule_on = apps[0] if ("missing_header_rule" in kinds and apps) else None  # the part with the header
    radius_pt = rng.uniform(42, 58)
    skews: list[float] = []
    images: list[Image.Image] = []
    scale = dpi / 72
    for i in range(n):
        page = doc[i]
        img = page.render(scale=scale).to_pil().convert("RGB")
        if seal_at and seal_at[0] == i + 1:
            seal = seal_image(agency, int(radius_pt * scale), rng)
            seal = seal.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)
            base = img.convert("RGBA")
            base.alpha_composite(seal, (int(seal_at[1] * scale - seal.width / 2), int(seal_at[2] * scale - seal.height / 2)))
            img = base.convert("RGB")
        if "missing_rule" in kinds and rule_on is not None and rule_on["page"] == i + 1:
            degradations["missing_rule"] = {"page": i + 1,
                                            **(erase_rule(img, tuple(v * scale for v in rule_on["bbox"]), hard) or {})}
        if label_rule_on is not None and label_rule_on["page"] == i + 1:
            degradations["missing_label_rule"] = {
                "page": i + 1, **(erase_label_rule(img, tuple(v * scale for v in label_rule_on["bbox"]), hard) or {})}
        if header_rule_on is not None and header_rule_on["page"] == i + 1:
            degradations["missing_header_rule"] = {
                "page": i + 1, **(erase_header_rule(img, tuple(v * scale for v in header_rule_on["bbox"]), hard) or {})}
        if t4_on is not None and t4_on["page"] == i + 1:
            degradations["missing_t4_rule"] = {"page": i + 1,
                                               **(erase_t4_rule(img, tuple(v * scale for v in t4_on["bbox"]), hard) or {})}
        for kind in RULE_KINDS[1:]:
            if kind in kinds and rule_on is not None and rule_on["page"] == i + 1:
                degradations[kind] = {"page": i + 1,
                                      **(alter_rule(img, kind, tuple(v * scale for v in rule_on["bbox"]), hard) or {})}
        if ticks_on is not None and ticks_on["page"] == i + 1:
            bx = [v * scale for v in ticks_on["bbox"]]
            degradations["pen_tick"] = {"page": i + 1, "at_px": _pen_ticks(img, tuple(bx), hard)}
        angle = round(rng.uniform(-3, 3), 2) if rng.random() < 0.85 else 0.0
        skews.append(angle)
        img = _degrade(img, rng, nrng, angle)
        img = _harder(img, kinds, hard, nrng, degradations, i + 1)
        if "dithered" in kinds:
            img = _dithered(img, degradations, i + 1)
        if i + 1 in rotated:
            img = img.transpose(turn[i + 1])
        images.append(img)
    doc.close()

    pdf = FPDF(unit="pt")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("Scanner")
    pdf.set_auto_page_break(False)
    for img in images:
        w, h = img.width / dpi * 72, img.height / dpi * 72
        buf = io.BytesIO()
        if img.mode == "1":  # bilevel: stored losslessly, as a scanner's black-and-white mode does
            img.save(buf, format="PNG")
        else:
            img.save(buf, format="JPEG", quality=quality, optimize=False)
        buf.seek(0)
        pdf.add_page(format=(w, h))
        pdf.image(buf, x=0, y=0, w=w, h=h)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out_pdf))

    if image_pages == "png":
        for i, img in enumerate(images, 1):
            img.save(out_pdf.with_suffix(f".p{i:02d}.png"), dpi=(dpi, dpi))
    elif image_pages == "tiff":
        frames = [img.copy() for img in images]  # fresh images: no encoder settings left from the JPEG pass
        bilevel = all(f.mode == "1" for f in frames)  # dithered: CCITT G4, as a black-and-white scanner writes
        frames[0].save(
            out_pdf.with_suffix(".tiff"), save_all=True, append_images=frames[1:],
            **({"compression": "group4"} if bilevel else {"compression": "jpeg", "quality": quality}), dpi=(dpi, dpi),
        )
    elif image_pages:
        raise ValueError(f"image_pages must be png or tiff, not {image_pages!r}")
    meta: dict[str, Any] = {
        "scan": True,
        "dpi": dpi,
        "jpeg_quality": quality,
        "pages": n,
        "skew_degrees": skews,
        "rotated_pages": rotated,
    }
    if kinds:
        meta["degradations"] = degradations
    if seal_at:
        meta["seal"] = {"page": seal_at[0], "center_pt": [round(seal_at[1], 1), round(seal_at[2], 1)], "radius_pt": round(radius_pt, 1)}
    return meta
