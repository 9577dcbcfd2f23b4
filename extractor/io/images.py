"""Page images read frame by frame: sizes from the headers, pixels decoded on demand.

A multi-page TIFF is a sequence of frames; decoding them all up front made a 268 KB, 300-page
TIFF cost 3.6 GB. ``ImageFrames`` reads every frame's size and dpi (cheap: the headers only),
refuses the file with a one-line ``UnreadableFile`` naming it when it has more than
``max_pages`` frames, a frame over ``max_image_pixels`` (a decompression bomb) or under
``min_image_side`` pixels (a 1 × 1 image cannot hold a report page), and decodes a frame's
pixels only when its page is rendered, keeping just the last one decoded.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from extractor.errors import UnreadableFile
from extractor.limits import Limits

DEFAULT_IMAGE_DPI = 200.0
# the long side of a page the dpi in an image's header makes, in inches: a report's page, or a
# photographed part of one, is between a postcard's and an A2 sheet's
PAGE_INCHES = (4.0, 24.0)


def page_shaped(w: int, h: int, lim: Limits) -> bool:
    """Whether ``w`` × ``h`` px has a page's shape: no side over ``max_image_side`` (OpenCV's
    warps stop at 32767) and the long side at most ``max_image_aspect`` times the short one (a
    strip is no page). The smallest side is ``min_image_side``'s, checked on its own."""
    return max(w, h) <= lim.max_image_side and max(w, h) <= lim.max_image_aspect * min(w, h)


def plausible_dpi(w: int, h: int, dpi: float) -> bool:
    """Whether ``dpi`` from an image's header makes a page of paper of ``w`` × ``h`` px: 50–4800
    dpi and a long side within ``PAGE_INCHES``. A placeholder some writers leave (72 or 1 on a
    200 dpi scan: a 32-inch page) or an absurd one (3600 on an A4 scan: 0.6 inch, and every
    kernel sized for 3600 dpi) is not; the caller takes ``untagged_dpi``."""
    return 50 <= dpi <= 4800 and PAGE_INCHES[0] <= max(w, h) / dpi <= PAGE_INCHES[1]


A4_LONG_INCHES = 297 / 25.4
KEEP_DECODED_PIXELS = 12_000_000  # a first frame up to this many pixels (A4 at ~350 dpi) is kept decoded


def untagged_dpi(w: int, h: int) -> float:
    """The dpi of a page image whose header gives none (or none that makes a page of paper,
    ``plausible_dpi``): ``DEFAULT_IMAGE_DPI``, or finer when the image is larger than an A4 page
    at that dpi — its long side taken as an A4 page's (most reports are printed on A4). An
    untagged 600 dpi scan is then read as one (and shrunk to ``Settings.scan_max_dpi``), not as
    a 35-inch page at 200 dpi: that took twice the memory and sent 21 of the real page 4's
    fields to review. Smaller images (up to 5 % over A4 at the default) keep the default: a
    cropped screenshot is no whole page, and an A4 page at 200 dpi reads as it always did."""
    a4 = max(w, h) / A4_LONG_INCHES
    return a4 if a4 > 1.05 * DEFAULT_IMAGE_DPI else DEFAULT_IMAGE_DPI


def page_dpi(w: int, h: int, tag) -> float:
    """The dpi a page image of ``w`` × ``h`` px is read at: its header's (``tag``: Pillow's
    ``info["dpi"]``, an (x, y) pair or None) when it makes a page of paper (``plausible_dpi``),
    else ``untagged_dpi``. One rule for extraction and the review's crops, so a field's box
    lands where it was read."""
    try:
        dpi = float(tag[0]) if tag and tag[0] else None
    except (TypeError, ValueError, IndexError):
        dpi = None
    if dpi is None or not plausible_dpi(w, h, dpi):
        return untagged_dpi(w, h)
    return dpi


def reduced(im, k: int):
    """Pillow image ``im`` with its sides divided by ``k`` (box average; sides rounded up). Grey
    and RGB frames are reduced as they are; any other mode (bilevel, RGBA, palette, CMYK, 16-bit)
    is made grey (bilevel) or RGB and reduced a strip of ``k`` × 256 rows at a time, so the frame
    never exists twice at full size (a 196 M pixel RGBA page: 1.6 GB when made RGB whole)."""
    if k <= 1:
        return im
    if im.mode in ("L", "RGB"):
        return im.reduce(k)
    from PIL import Image

    mode = "L" if im.mode == "1" else "RGB"
    w, h = im.size
    out = Image.new(mode, (-(-w // k), -(-h // k)))
    step = k * 256
    for y in range(0, h, step):
        out.paste(im.crop((0, y, w, min(h, y + step))).convert(mode).reduce(k), (0, y // k))
    return out


class ImageFrames:
    """The frames of one image file. ``sizes()`` → ``[(width_px, height_px, dpi)]``;
    ``pixels(i)`` → frame ``i`` as an RGB uint8 array (H × W × 3)."""

    def __init__(self, file: Path, limits: Limits, first_page: int = 1):
        self.file = file
        self.limits = limits
        self.first_page = first_page
        self._last: tuple[int, np.ndarray] | None = None

    def _open(self):
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = self.limits.max_image_pixels  # Pillow's own bomb check, same bound
        return Image.open(self.file)

    def _fail(self, e: Exception) -> UnreadableFile:
        from PIL import Image

        if isinstance(e, Image.DecompressionBombError):
            return UnreadableFile(
                f"{self.file}: the image has more than {self.limits.max_image_pixels:,} pixels "
                f"(max_image_pixels): a decompression bomb?", code="image_too_large",
            )
        first = (str(e).splitlines() or [""])[0][:160]
        return UnreadableFile(
            f"{self.file}: the image is corrupt or truncated ({type(e).__name__}{': ' + first if first else ''})",
            code="corrupt_image",
        )

    def sizes(self) -> list[tuple[int, int, float]]:
        from PIL import Image, UnidentifiedImageError

        lim = self.limits
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with self._open() as im:
                    n = getattr(im, "n_frames", 1) or 1
                    if n > lim.max_pages:
                        raise UnreadableFile(
                            f"{self.file}: {n} pages, more than the {lim.max_pages} a report may have (max_pages)",
                            code="too_many_pages",
                        )
                    out = []
                    for i in range(n):
                        if i:
                            im.seek(i)
                        w, h = im.size
                        if w * h > lim.max_image_pixels:
                            raise Image.DecompressionBombError(f"{w}x{h}")
                        if min(w, h) < lim.min_image_side:
                            page = f"page {self.first_page + i} " if n > 1 else ""
                            raise UnreadableFile(
                                f"{self.file}: {page}is {w} × {h} pixels, too small to hold a report page "
                                f"(min_image_side {lim.min_image_side})", code="image_too_small",
                            )
                        if not page_shaped(w, h, lim):
                            page = f"page {self.first_page + i} " if n > 1 else ""
                            raise UnreadableFile(
                                f"{self.file}: {page}is {w} × {h} pixels, not the shape of a report page (a side "
                                f"over {lim.max_image_side} px, max_image_side, or over {lim.max_image_aspect:g} "
                                f"times the other, max_image_aspect); split it into pages", code="image_not_a_page",
                            )
                        out.append((w, h, page_dpi(w, h, im.info.get("dpi"))))
        except UnreadableFile:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError, Image.DecompressionBombError) as e:
            raise self._fail(e) from None
        # the first frame decodes: a broken file is refused when opened. A frame of a page at
        # up to ~350 dpi is kept as RGB for its render; a larger one only decoded here (its
        # render reduces it as it decodes again, ``pixels``: never RGB at full size)
        if out[0][0] * out[0][1] <= KEEP_DECODED_PIXELS:
            self.pixels(0)
        else:
            self._decode_check()
        return out

    def _decode_check(self) -> None:
        from PIL import Image, UnidentifiedImageError

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with self._open() as im:
                    if im.format == "JPEG":  # every block decodes at 1/8 scale too
                        im.draft("RGB", (im.size[0] // 8, im.size[1] // 8))
                    im.load()
        except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError, Image.DecompressionBombError) as e:
            raise self._fail(e) from None

    def pixels(self, i: int, reduce: int = 1) -> np.ndarray:
        """Frame ``i`` as RGB (H × W × 3 uint8), each side divided by ``reduce`` (an integer,
        box-averaged by Pillow on the frame as decoded: a 1200 dpi frame read at 300 dpi is never
        RGB at full size, 418 MB for A4)."""
        key = (i, reduce)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        from PIL import Image, UnidentifiedImageError

        self._last = None  # free the previous frame before decoding the next
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with self._open() as im:
                    if i:
                        im.seek(i)
                    if reduce > 1:
                        w = im.size[0]
                        if im.format == "JPEG":  # libjpeg decodes at 1/2, 1/4 or 1/8 scale itself
                            im.draft("RGB", (im.size[0] // reduce, im.size[1] // reduce))
                        reduce = max(1, int(im.size[0] * reduce / w + 0.01))  # what is left to reduce
                        arr = np.asarray(reduced(im, reduce).convert("RGB"))
                    else:
                        arr = np.asarray(im.convert("RGB"))
        except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError, Image.DecompressionBombError) as e:
            raise self._fail(e) from None
        self._last = (key, arr)
        return arr
