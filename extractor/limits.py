"""Limits that keep hostile or careless input bounded: numbers, archives, images, logins.

One object (``Limits``), part of ``extractor.settings.Settings`` (``settings.limits``), with
safe defaults. Each limit can be overridden from the environment as ``GOVREPORT_<NAME>`` in
upper case (``GOVREPORT_MAX_PAGES=400``), read by ``Limits.from_env()``; the review server and
the CLIs use ``current()``.

Where the defaults come from:

- numbers: a count in a disclosure report is a number of requests, items or cases; 10⁹ is far
  above any agency's year (the largest provincial totals are in the millions). Fees are in 元 /
  万元, bounded the same. 15 significant digits is what a float64 keeps exactly, so every value
  we accept survives CSV, XLSX and Parquet unchanged.
- archives: the zip-bomb bounds follow the usual advice (OWASP "file upload", ``zipfile`` docs):
  a per-member size, a total expanded size, a compression ratio and a member count, checked
  from the central directory *and* while streaming (the directory may lie).
- login throttling: per account and per client address, exponential backoff then a lock.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from pydantic import BaseModel

MAX_INT64 = 2**63 - 1


class Limits(BaseModel):
    # numbers (extractor.mapping.numbers)
    max_number_chars: int = 64  # longer text is not a printed number (checked before any parsing)
    max_significant_digits: int = 15
    max_count: int = 10**9  # counts: 0 … max_count
    max_amount: int = 10**9  # amounts (元 / 万元): 0 … max_amount
    min_year: int = 2000
    max_year: int = 2100
    # documents (extractor.io.document)
    max_pages: int = 200  # pages per document (TIFF frames, PDF pages)
    max_image_pixels: int = 200_000_000  # pixels per decoded image (Pillow's bomb check)
    min_image_side: int = 16  # pixels: a smaller image cannot hold a report page
    # pixels: a longer side is refused (OpenCV's warps and remaps stop at 32767; a long
    # screenshot is split into pages first)
    max_image_side: int = 32_000
    max_image_aspect: float = 40.0  # long side / short side: a narrower strip is no report page
    # rendered PDF pages: 64 M pixels is A0 at 200 dpi or A4 at ~790 dpi; its RGBA bitmap and RGB
    # copy take ~450 MB. A bigger page at the asked dpi is refused in one line (never scaled
    # silently: OCR boxes are mapped back to the page with that dpi)
    max_render_pixels: int = 64_000_000
    min_dpi: int = 50  # --dpi below this cannot be read by OCR: a usage error
    max_dpi: int = 1200  # --dpi above this is a usage error (scans are made at 150–600 dpi)
    # archives (extractor.ingest.archives)
    max_member_bytes: int = 512 * 1024**2  # one member, expanded
    max_archive_bytes: int = 2 * 1024**3  # all members of one top-level archive, expanded
    max_compression_ratio: int = 200  # expanded / compressed size of a member
    max_members: int = 10_000  # members in one top-level archive (nested ones included)
    max_archive_depth: int = 8  # zips inside zips
    # manifests (extractor.ingest.inputs)
    max_manifest_rows: int = 1_000_000
    max_manifest_cell_chars: int = 4096
    # review login throttling (extractor.review.throttle)
    login_free_failures: int = 3  # failures before any delay
    login_backoff_base_s: float = 1.0  # delay after the first non-free failure, doubled each time
    login_backoff_max_s: float = 60.0
    login_lock_after: int = 10  # failures in the window: locked for login_lock_s
    login_lock_s: float = 900.0
    login_window_s: float = 900.0  # failures older than this are forgotten

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Limits":
        env = os.environ if environ is None else environ
        values = {}
        for name, field in cls.model_fields.items():
            raw = env.get(f"GOVREPORT_{name.upper()}")
            if raw is not None and raw.strip():
                values[name] = raw.strip()
        return cls(**values)


@lru_cache(maxsize=1)
def current() -> Limits:
    """The process's limits: defaults, overridden from the environment."""
    return Limits.from_env()


# --- library exception texts in messages ------------------------------------------------------

MAX_REASON_CHARS = 200
_BYTES_REPR = re.compile(r"""(?<!\w)b'(?:[^'\\]|\\.)*(?:'|$)|(?<!\w)b"(?:[^"\\]|\\.)*(?:"|$)""")
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[nrtabfv])")


def safe_reason(error: BaseException | str, max_chars: int = MAX_REASON_CHARS) -> str:
    """A library's exception text fit for a message: one line, printable, bounded.

    pdfminer and others put the file's own bytes in their messages
    (``Invalid dictionary construct: [/'CreationDate', b'D:2024…\\xc3…``); a message must never
    carry a file's bytes (they may be anyone's data, or terminal escapes). Byte literals become
    ``b'…'``, backslash escapes ``?``, anything not printable is dropped, whitespace is collapsed
    and the text is cut at ``max_chars`` (ending ``…``)."""
    text = str(error) if not isinstance(error, str) else error
    text = _BYTES_REPR.sub("b'…'", text)
    text = _ESCAPE.sub("?", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text
