"""Page crops around a field's cell, with the cell's box drawn, for the item page.

Rendered on demand from the document at its stored path: PDFs with pypdfium2 (``Field.bbox``
is in PDF points, origin top-left, on 1-based ``page``), image inputs (PNG/JPEG/TIFF, or a
folder of page images) with Pillow, where the box is ``bbox_px`` at ``dpi`` or the points
scaled by the image's dpi. The crop spans the page's width (so the row label is in view) and a
band around the cell's row; ``full=True`` gives the whole page.

PNG bytes are cached on disk under ``cache_dir`` keyed by the document's sha256, page, box and
scale, and the last few rendered pages are kept in memory.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image, ImageDraw

from models.extraction import BBox

SCALE = 2.0  # pixels per PDF point (144 dpi): digits stay crisp
CROP_DPI = 300  # a page image finer than twice this is reduced for its crops (its box scaled alike)
ABOVE_PT = 110.0  # band above the cell (the row above, often the column header)
BELOW_PT = 70.0
BOX_COLOUR = (220, 30, 30)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


class CropUnavailable(Exception):
    """The document cannot be rendered (moved, deleted, no page or box)."""


def default_cache_dir(db_url: str) -> Path:
    """Beside a SQLite file (``x.db`` → ``x.db.crops/``), else under the user's cache dir."""
    if db_url.startswith("sqlite:///") and not db_url.endswith(":memory:"):
        db = Path(db_url[len("sqlite:///"):])
        if str(db):
            return db.parent.resolve() / (db.name + ".crops")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    try:
        Path(base).mkdir(parents=True, exist_ok=True)
    except OSError:
        base = tempfile.gettempdir()
    return Path(base) / "govreport" / "crops"


class CropRenderer:
    def __init__(self, cache_dir: str | Path | None = None, *, pages_in_memory: int = 8):
        self.cache_dir = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "govreport-crops"
        self._pages: OrderedDict[tuple, tuple[Image.Image, float]] = OrderedDict()
        self._max_pages = pages_in_memory
        self._lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------

    def crop_png(
        self,
        path: str | None,
        sha256: str,
        page: int | None,
        bbox: BBox | None,
        *,
        bbox_px: BBox | None = None,
        dpi: float | None = None,
        full: bool = False,
    ) -> bytes:
        if not path or page is None or (bbox is None and bbox_px is None):
            raise CropUnavailable("the field has no page or box to show")
        box_key = (bbox or bbox_px).model_dump()
        digest = hashlib.sha256(repr((sha256, page, sorted(box_key.items()), SCALE, full, ABOVE_PT, BELOW_PT,
                                      CROP_DPI, dpi)).encode()).hexdigest()[:32]
        cached = self.cache_dir / sha256[:2] / f"{digest}.png"
        try:
            return cached.read_bytes()
        except OSError:
            pass
        png = self._render(path, sha256, page, bbox, bbox_px, dpi, full)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}.part")
            tmp.write_bytes(png)
            tmp.replace(cached)
        except OSError:
            pass  # a read-only cache: serve without caching
        return png

    # -- rendering ----------------------------------------------------------------------------

    def _page_image(self, path: str, sha256: str, page: int) -> tuple[Image.Image, float]:
        """The page as RGB and its pixels per PDF point."""
        key = (sha256, page)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        p = Path(path)
        if not p.exists():
            raise CropUnavailable(f"the document is not at its stored path any more: {path}")
        web = _web_page_images(p)
        if web is not None:  # a web page whose report is images (图片版)
            img, per_pt = _image_page(p, page, files=web)
        elif p.is_dir() or p.suffix.lower() in IMAGE_SUFFIXES:
            img, per_pt = _image_page(p, page)
        else:
            img, per_pt = _pdf_page(p, page)
        with self._lock:
            self._pages[key] = (img, per_pt)
            while len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)
        return img, per_pt

    def _render(self, path, sha256, page, bbox, bbox_px, dpi, full) -> bytes:
        img, per_pt = self._page_image(path, sha256, page)
        if bbox_px is not None and dpi and (bbox is None or not Path(path).suffix.lower() == ".pdf"):
            # pixels at `dpi` → pixels of our image
            f = per_pt * 72.0 / dpi
            box = (bbox_px.x0 * f, bbox_px.top * f, bbox_px.x1 * f, bbox_px.bottom * f)
        else:
            box = (bbox.x0 * per_pt, bbox.top * per_pt, bbox.x1 * per_pt, bbox.bottom * per_pt)
        w, h = img.size
        if full:
            region = (0, 0, w, h)
        else:
            top = max(0, int(box[1] - ABOVE_PT * per_pt))
            bottom = min(h, int(box[3] + BELOW_PT * per_pt))
            region = (0, top, w, bottom)
        out = img.crop(region).copy()
        draw = ImageDraw.Draw(out)
        pad = 2
        rect = (box[0] - region[0] - pad, box[1] - region[1] - pad, box[2] - region[0] + pad, box[3] - region[1] + pad)
        draw.rectangle(rect, outline=BOX_COLOUR, width=3)
        buf = io.BytesIO()
        out.save(buf, format="PNG", optimize=False)
        return buf.getvalue()


# pdfium is not thread-safe (pypdfium2's documentation): the web server renders crops and
# thumbnails in its thread pool, so every pdfium call of this process goes through one lock,
# and the document is closed inside it rather than left to a garbage collection in any thread.
PDFIUM_LOCK = threading.RLock()


def _pdf_page(path: Path, page: int) -> tuple[Image.Image, float]:
    with PDFIUM_LOCK:
        return _pdf_page_locked(path, page)


def _pdf_page_locked(path: Path, page: int) -> tuple[Image.Image, float]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise CropUnavailable(f"cannot open {path}: {e}") from None
    try:
        if not 1 <= page <= len(pdf):
            raise CropUnavailable(f"{path} has no page {page}")
        from extractor.limits import current

        pg = pdf[page - 1]
        try:
            w, h = pg.get_size()
            cap = current().max_render_pixels
            # a huge page is drawn smaller (the box is scaled with it), never gigabytes of pixels
            scale = min(SCALE, (cap / max(1.0, w * h)) ** 0.5)
            bitmap = pg.render(scale=scale)
            img = bitmap.to_pil().convert("RGB")
            bitmap.close()
        finally:
            pg.close()
    finally:
        pdf.close()
    return img, scale


def _web_page_images(path: Path) -> list[Path] | None:
    """A saved web page (file or folder) read as a scan: its report images, in page order."""
    from extractor.io.html import HTML_SUFFIXES, _parse, find_page_file, local_images

    page = find_page_file(path) if path.is_dir() else (path if path.suffix.lower() in HTML_SUFFIXES else None)
    if page is None:
        return None
    from extractor.io.encoding import decode_page

    try:
        root = _parse(decode_page(page.read_bytes(), page).text, page)
    except Exception as e:  # an unreadable page: nothing to crop
        raise CropUnavailable(f"cannot read {page}: {e}") from None
    return local_images(root, page)


def _image_page(path: Path, page: int, files: list[Path] | None = None) -> tuple[Image.Image, float]:
    import warnings

    from extractor.limits import current as current_limits

    try:  # the order extraction numbered the pages in
        from extractor.io.document import _natural_key as order
    except ImportError:  # pragma: no cover
        order = str
    files = files if files is not None else (
        sorted((q for q in path.iterdir() if q.is_file() and q.suffix.lower() in IMAGE_SUFFIXES), key=lambda q: order(q.name))
        if path.is_dir() else [path]
    )
    Image.MAX_IMAGE_PIXELS = current_limits().max_image_pixels  # extraction's bound, not Pillow's default
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return _nth_frame(files, page)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as e:
        raise CropUnavailable(f"cannot read page {page} of {path}: {e}") from None


def _nth_frame(files: list[Path], page: int) -> tuple[Image.Image, float]:
    """Frame ``page`` (1-based over all frames of ``files``) as RGB and its pixels per point."""
    from PIL import ImageSequence

    from extractor.io.images import page_dpi, reduced

    n = 0
    for f in files:
        with Image.open(f) as im:
            for frame in ImageSequence.Iterator(im):
                n += 1
                if n == page:
                    dpi = page_dpi(frame.width, frame.height, frame.info.get("dpi"))
                    k = int(dpi // CROP_DPI)  # a 1200 dpi page: crops of 10000 px, 2 s each
                    if k < 2:
                        return frame.convert("RGB"), float(dpi) / 72.0
                    # reduced before it is made RGB: never 418 MB of RGB for a 1200 dpi A4 page
                    img = reduced(frame, k).convert("RGB")
                    return img, float(dpi) * img.width / frame.width / 72.0
    raise CropUnavailable(f"no page {page} among {len(files)} image file(s)")
