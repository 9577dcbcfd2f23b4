"""Open a file into pages, with a clear, specific error for every way a file can be bad.

The content decides what a file is (magic bytes), not its name: a PNG renamed ``.pdf`` is
refused as such, with the reason. PDFs are validated with pypdfium2 (fast, tells encrypted
from corrupt) and read with pdfplumber for their text layer; scanned pages are rendered with
pypdfium2 on demand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from extractor.errors import UnreadableFile
from extractor.io.text_layer import TextLayer, from_pdfium, from_plumber, pdfium_compatible
from extractor.limits import current as current_limits
from extractor.limits import safe_reason

if TYPE_CHECKING:  # numpy only where pages are rendered (scans): a text report never loads it
    import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}

Kind = Literal["pdf", "png", "jpeg", "tiff", "bmp", "webp", "zip", "ole", "rtf", "unknown"]


def sniff(head: bytes) -> Kind:
    """What the first bytes of a file say it is."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # a .docx, or an archive
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # a .doc or .wps (Word 97-2003, WPS)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    return "unknown"


@dataclass
class PageSource:
    """One page as opened: its size, its text layer if any, and a way to get its pixels."""

    number: int  # 1-based
    width: float  # PDF points
    height: float
    plumber: object | None = None  # pdfplumber Page, for text-layer pages
    _render: Callable[[float], np.ndarray] | None = None
    native_dpi: float | None = None  # image inputs: the dpi the pixels were made at
    _pdfium_chars: Callable[[], int] | None = None
    _read_layer: Callable[[], "TextLayer"] | None = None
    _layer: "TextLayer | None" = None

    def text_layer(self) -> "TextLayer | None":
        """The page's characters, rules and images (read once); None for image inputs."""
        if self._layer is None and self._read_layer is not None:
            self._layer = self._read_layer()
        return self._layer

    def pdfium_char_count(self) -> int:
        """Characters pdfium finds in the text layer (pdfminer misses some embedded CFF fonts)."""
        return self._pdfium_chars() if self._pdfium_chars is not None else 0

    def render(self, dpi: float) -> np.ndarray:
        """The page as an RGB uint8 array at ``dpi`` (image inputs: at their own resolution, or,
        asked for a coarser ``dpi``, reduced by the largest integer factor that keeps it at least
        that fine; ``native_dpi`` × its width over the page's at ``native_dpi`` is what it is)."""
        if self._render is None:
            raise UnreadableFile(f"page {self.number} cannot be rendered", code="render_failed")
        return self._render(dpi)


@dataclass
class DocumentSource:
    path: Path
    kind: Literal["pdf", "images", "html", "docx"]
    pages: list[PageSource]
    sha256: str
    size: int
    content: list | None = None  # web pages and Word files: pages already read (``PageContent``)
    encoding: str | None = None  # web pages: the encoding the text was decoded with
    title_hint: str | None = None  # a web page whose report is images (图片版): the page's title
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in self._closers:
            try:
                close()
            except Exception:  # closing must never hide the real outcome
                pass
        self._closers.clear()

    def __enter__(self) -> "DocumentSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_document(path: str | Path) -> DocumentSource:
    """Open ``path`` (a PDF, an image, a multi-page TIFF, or a folder of page images)."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file", code="not_found")
    if path.is_dir():
        from extractor.io.html import find_page_file

        page = find_page_file(path)
        if page is not None:  # a saved page folder: the page (and its images)
            from extractor.io.web import open_structured

            return open_structured(page, "html", page.stat().st_size)
        return _open_image_folder(path)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(f"{path}: the file is empty (0 bytes)", code="empty_file")
    with path.open("rb") as f:
        head = f.read(1024)
    kind = sniff(head)
    if kind == "pdf":
        return _open_pdf(path, size)
    if kind in ("zip", "ole", "rtf") or (kind == "unknown" and _is_html(path, head)):
        from extractor.io.web import open_structured

        return open_structured(path, "html" if kind == "unknown" else kind, size)
    if kind == "unknown":
        raise UnreadableFile(  # never the file's bytes: they may be anyone's secrets
            f"{path}: not a PDF or an image (PDF, PNG, JPEG, TIFF, BMP, WebP)", code="unknown_format"
        )
    if path.suffix.lower() == ".pdf":
        raise UnreadableFile(
            f"{path}: named .pdf but holds a {kind.upper()} image, not a PDF; "
            f"rename it to .{kind} to read it as a scanned page",
            code="misnamed_image",
        )
    return _open_images(path, [path], size)


def _is_html(path: Path, head: bytes) -> bool:
    from extractor.io.html import HTML_SUFFIXES, looks_like_html

    return path.suffix.lower() in HTML_SUFFIXES or looks_like_html(head)


def _open_pdf(path: Path, size: int) -> DocumentSource:
    import pdfplumber
    import pypdfium2 as pdfium

    try:
        pdoc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        text = str(e).lower()
        if "password" in text:
            raise UnreadableFile(f"{path}: the PDF is encrypted with a password", code="encrypted") from None
        raise UnreadableFile(f"{path}: the PDF is corrupt or truncated ({safe_reason(e)})", code="corrupt_pdf") from None
    n = len(pdoc)
    if n == 0:
        pdoc.close()
        raise UnreadableFile(f"{path}: the PDF has no pages", code="no_pages")
    max_pages = current_limits().max_pages
    if n > max_pages:
        pdoc.close()
        raise UnreadableFile(
            f"{path}: {n} pages, more than the {max_pages} a report may have (max_pages)", code="too_many_pages"
        )
    try:
        plumb = pdfplumber.open(str(path))
        plumber_pages = list(plumb.pages)
    except Exception as e:  # pdfminer raises many types for broken files
        pdoc.close()
        name = type(e).__name__
        if "Password" in name or "Encrypt" in name:
            raise UnreadableFile(f"{path}: the PDF is encrypted with a password", code="encrypted") from None
        raise UnreadableFile(
            f"{path}: the PDF is corrupt or truncated ({name}: {safe_reason(e)})", code="corrupt_pdf"
        ) from None
    if len(plumber_pages) != n:  # a damaged file pdfium repaired and pdfminer half read
        plumber_pages = plumber_pages[:n] + [None] * (n - len(plumber_pages))

    pages: list[PageSource] = []
    for i in range(n):
        ppage = pdoc[i]
        width, height = ppage.get_size()
        rotation = ppage.get_rotation()
        if rotation in (90, 270):
            width, height = height, width

        def render(dpi: float, i: int = i, width: float = width, height: float = height) -> np.ndarray:
            import numpy as np

            _check_render_size(path, i + 1, width, height, dpi)
            bitmap = pdoc[i].render(scale=dpi / 72.0, rev_byteorder=True)
            try:  # a copy: the bitmap's memory is freed here, not by a later garbage collection
                return np.array(bitmap.to_numpy()[:, :, :3], copy=True, order="C")
            finally:
                bitmap.close()

        def pdfium_chars(i: int = i) -> int:
            textpage = pdoc[i].get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
            return sum(1 for ch in text if not ch.isspace())

        def read_layer(i: int = i) -> TextLayer:
            page = pdoc[i]
            if pdfium_compatible(page):
                layer = from_pdfium(page)
                # text pdfium shows but could not decode (its ink would read as empty cells, i.e.
                # printed zeros): pdfminer reads those fonts; take its reading of the page
                if not layer.unread_text_objects or plumber_pages[i] is None:
                    return layer
            if plumber_pages[i] is None:
                raise UnreadableFile(f"{path}: page {i + 1} cannot be read", code="corrupt_pdf")
            return from_plumber(plumber_pages[i])

        pages.append(
            PageSource(
                number=i + 1, width=width, height=height, plumber=plumber_pages[i], _render=render,
                _pdfium_chars=pdfium_chars, _read_layer=read_layer,
            )
        )
    return DocumentSource(
        path=path, kind="pdf", pages=pages, sha256=file_sha256(path), size=size,
        _closers=[plumb.close, pdoc.close],
    )


def _check_render_size(path: Path, number: int, width: float, height: float, dpi: float) -> None:
    """Refuse (one line, ``page_too_large``) to render a page of ``width`` × ``height`` points at
    ``dpi`` into more than ``max_render_pixels`` pixels: a 200-inch page or ``--dpi 3000`` would
    otherwise take gigabytes and end in a raw MemoryError. The message names the dpi that fits.
    A long side over ``max_image_side`` pixels (a 5-metre strip of a page) is refused too:
    OpenCV's warps stop at 32767."""
    cap = current_limits().max_render_pixels
    if not (dpi > 0 and width > 0 and height > 0):
        raise UnreadableFile(f"{path}: page {number} has no size to render ({width:g} × {height:g} pt at {dpi:g} dpi)",
                             code="render_failed")
    px = (width * dpi / 72.0) * (height * dpi / 72.0)
    side = max(width, height) * dpi / 72.0
    if side > current_limits().max_image_side and px <= cap:
        raise UnreadableFile(
            f"{path}: page {number} is {width / 72:,.1f} × {height / 72:,.1f} in; at {dpi:g} dpi its long side is "
            f"{side:,.0f} pixels, over max_image_side ({current_limits().max_image_side:,}): no report page",
            code="page_too_large",
        )
    if px > cap:
        fits = int(72.0 * (cap / (width * height)) ** 0.5)
        raise UnreadableFile(
            f"{path}: page {number} is {width / 72:,.1f} × {height / 72:,.1f} in; at {dpi:g} dpi that is "
            f"{px:,.0f} pixels, over max_render_pixels ({cap:,})"
            + (f"; at most {fits} dpi fits (--dpi {fits})" if fits >= current_limits().min_dpi else ""),
            code="page_too_large",
        )


def _reduce(native: float, want: float) -> int:
    """The integer factor a page image made at ``native`` dpi is reduced by when read at
    ``want`` dpi: the largest that keeps it at ``want`` or finer, within 0.5 % (1: as made)."""
    return max(1, int(native / want + 0.01)) if want and want < native else 1


def _open_images(path: Path, files: list[Path], size: int) -> DocumentSource:
    """Page images: each frame's size is read from its header; its pixels are decoded only when
    the page is rendered (``images.ImageFrames``), one frame at a time, so a 300-frame TIFF
    costs one frame of memory. Over ``max_pages`` frames, or a frame over
    ``max_image_pixels`` / under ``min_image_side``, is a one-line ``UnreadableFile``."""
    from extractor.io.images import ImageFrames

    limits = current_limits()
    pages: list[PageSource] = []
    for file in files:
        frames = ImageFrames(file, limits, first_page=len(pages) + 1)
        for i, (w, h, dpi) in enumerate(frames.sizes()):
            pages.append(
                PageSource(
                    number=len(pages) + 1, width=w * 72.0 / dpi, height=h * 72.0 / dpi,
                    _render=lambda want, frames=frames, i=i, native=dpi: frames.pixels(i, _reduce(native, want)),
                    native_dpi=dpi,
                )
            )
            if len(pages) > limits.max_pages:
                raise UnreadableFile(
                    f"{path}: more than {limits.max_pages} pages (max_pages)", code="too_many_pages"
                )
    digest = hashlib.sha256()
    for file in files:
        digest.update(file_sha256(file).encode())
    return DocumentSource(path=path, kind="images", pages=pages, sha256=digest.hexdigest(), size=size)


def _open_image_folder(path: Path) -> DocumentSource:
    files = sorted(
        (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
        key=lambda p: _natural_key(p.name),
    )
    if not files:
        raise UnreadableFile(
            f"{path}: is a directory with no page images; to extract every report in it, "
            f"use `govreport ingest {path}`",
            code="is_directory",
        )
    return _open_images(path, files, sum(f.stat().st_size for f in files))


def _natural_key(name: str) -> list:
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]
