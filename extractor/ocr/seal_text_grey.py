"""Whether a grey seal is told from the text by its grey: the rule tried on the text beside it.

``extractor.ocr.seal.grey_seal_pixels`` takes, within a grey seal's disc, the ink at the seal's
grey and keeps the text's strokes: pixels darker than the seal by ``TEXT_CORE`` of the way to the
darkest ink, and a halo of ``HALO`` px around them. That holds when the text prints near black.
A page whose digits print a mid grey (thin strokes blurred, seed 900 at 200 dpi: a 5's stem at
110–160, the seal at 120) has strokes with no such core, and the rule takes them with the seal:
a 5 read blank, a 2 read as —.

Outside the seal's disc there is no seal ink, only the page's own text and rules. The same rule
applied there says how much of the text it would take: on pages whose text is near black next
to none (0.1–0.7 %, generated grey scans 901–904, 1301; 4 % for table 三's small header titles,
905), on the grey-digit pages a tenth (9–11 %, 900 with and without the seal over the numbers).
Above ``TEXT_TAKEN`` the seal is not told from the text by its grey: only its ring is taken
(``seal.ring_mask``), and the cells under its star and words stay in doubt.
"""

from __future__ import annotations

import cv2
import numpy as np

# share of the text's ink beside the seal the grey rule may take (see the module docstring)
TEXT_TAKEN = 0.06
# how far beyond the seal's disc the text is looked at: this share of its reach again
AROUND = 0.6


def text_taken_share(gray: np.ndarray, cx: float, cy: float, reach: float, seal: float, core: float,
                     paper: float, halo: int) -> float:
    """Share (0–1) of the ink around a seal's disc (centre cx, cy; radius ``reach``, page px;
    out to ``AROUND`` of it again) that lies at the seal's grey away from a stroke's core: ink
    darker than halfway from ``seal`` to ``paper``, not within ``halo`` px of a pixel darker than
    ``core`` (grey levels of ``gray``, uint8). 0 when there is no ink there."""
    h, w = gray.shape
    r = (1 + AROUND) * reach
    x0, x1 = max(0, int(cx - r)), min(w, int(cx + r) + 1)
    y0, y1 = max(0, int(cy - r)), min(h, int(cy + r) + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(xx - cx, yy - cy)
    sub = gray[y0:y1, x0:x1]
    around = (d > reach + halo + 1) & (d <= r)
    ink = around & (sub < (seal + paper) / 2)
    if not ink.any():
        return 0.0
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * halo + 1, 2 * halo + 1))
    text = cv2.dilate((sub < core).astype(np.uint8), kernel) > 0
    return float(np.count_nonzero(ink & ~text)) / float(np.count_nonzero(ink))
