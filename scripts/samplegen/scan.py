"""Scanned copies: render a text PDF's pages with pdfium, degrade them like a print-stamp-scan,
and write an image-only PDF (JPEG pages at the scan's physical size).

Degradations, all drawn from the seed: a red seal (ring, star, agency name on the arc) stamped
semi-transparently over part of a table, skew up to ±3°, paper tint, Gaussian noise and specks,
blur, JPEG compression (quality 35–70), and in some reports one page turned by 90°.
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


def make_scan(
    src_pdf: Path,
    out_pdf: Path,
    *,
    seed: int,
    agency: str,
    tables: list[dict[str, Any]] | None = None,
    dpi: int | None = None,
    quality: int | None = None,
    rotate_page: bool | None = None,
    image_pages: str | None = None,
) -> dict[str, Any]:
    """Write the scan of ``src_pdf`` to ``out_pdf``; return the meta entries describing it.

    ``image_pages``: also write the page images, ``"png"`` (``NAME.p01.png`` …) or ``"tiff"``
    (one multi-page ``NAME.tiff``).
    """
    rng = random.Random(seed * 7919 + 17)
    nrng = np.random.default_rng(seed)
    dpi = dpi or rng.choice([150, 200, 200, 240, 300])
    quality = quality or rng.randint(35, 70)
    doc = pdfium.PdfDocument(str(src_pdf))
    n = len(doc)
    if rotate_page is None:
        rotate_page = rng.random() < 0.3
    rotated = [rng.randint(2, n) if n > 1 else 1] if rotate_page else []
    # the seal goes over part of the last table fragment (table 四, or 三 when 四 is absent)
    seal_at = None
    if tables:
        box = tables[-1]
        x0, top, x1, bot = box["bbox"]
        seal_at = (box["page"], x0 + (x1 - x0) * rng.uniform(0.55, 0.8), top + (bot - top) * rng.uniform(0.2, 0.8))
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
        angle = round(rng.uniform(-3, 3), 2) if rng.random() < 0.85 else 0.0
        skews.append(angle)
        img = _degrade(img, rng, nrng, angle)
        if i + 1 in rotated:
            img = img.transpose(Image.Transpose.ROTATE_90)
        images.append(img)
    doc.close()

    pdf = FPDF(unit="pt")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer("Scanner")
    pdf.set_auto_page_break(False)
    for img in images:
        w, h = img.width / dpi * 72, img.height / dpi * 72
        buf = io.BytesIO()
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
        frames[0].save(
            out_pdf.with_suffix(".tiff"), save_all=True, append_images=frames[1:], compression="jpeg",
            quality=quality, dpi=(dpi, dpi),
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
    if seal_at:
        meta["seal"] = {"page": seal_at[0], "center_pt": [round(seal_at[1], 1), round(seal_at[2], 1)], "radius_pt": round(radius_pt, 1)}
    return meta
