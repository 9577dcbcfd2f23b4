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

The table's rules are no text: a greyscale scan prints a thin rule a mid grey with no dark core
(seed 41002, grey with a seal over the numbers: the rules beside the seal were 8 % of the ink
around it, the text next to none), and counted as text they sent a seal told apart by its grey
to the ring-only rule, its words left on blank cells to read as 1 and 多. Nor is a scan's dust:
with the rules left out, the specks beside a seal were 6 % of what was left (seed 41005).
"""

from __future__ import annotations

import cv2
import numpy as np

# share of the text's ink beside the seal the grey rule may take (see the module docstring)
TEXT_TAKEN = 0.06
# how far beyond the seal's disc the text is looked at: this share of its reach again
AROUND = 0.6


def text_taken_share(gray: np.ndarray, cx: float, cy: float, reach: float, seal: float, core: float,
                     paper: float, halo: int, rules: np.ndarray | None = None) -> float:
    """Share (0–1) of the ink around a seal's disc (centre cx, cy; radius ``reach``, page px;
    out to ``AROUND`` of it again) that lies at the seal's grey away from a stroke's core: ink
    darker than halfway from ``seal`` to ``paper``, not within ``halo`` px of a pixel darker than
    ``core`` (grey levels of ``gray``, uint8). Left out: ``rules`` (non-zero on the table's rules,
    the page's shape), grown by ``halo`` px (a rule's blurred rim), and specks of ink smaller
    than a (2 ``halo`` + 1)² square (a scan's dust, no stroke of the text). 0 when there is no
    ink there."""
    h, w = gray.shape
    r = (1 + AROUND) * reach
    x0, x1 = max(0, int(cx - r)), min(w, int(cx + r) + 1)
    y0, y1 = max(0, int(cy - r)), min(h, int(cy + r) + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(xx - cx, yy - cy)
    sub = gray[y0:y1, x0:x1]
    around = (d > reach + halo + 1) & (d <= r)
    ink = sub < (seal + paper) / 2
    square = np.ones((2 * halo + 1, 2 * halo + 1), np.uint8)
    if rules is not None:
        ink &= cv2.dilate((rules[y0:y1, x0:x1] > 0).astype(np.uint8), square) == 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= square.size
    big[0] = False
    ink = around & big[labels]
    if not ink.any():
        return 0.0
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * halo + 1, 2 * halo + 1))
    text = cv2.dilate((sub < core).astype(np.uint8), kernel) > 0
    return float(np.count_nonzero(ink & ~text)) / float(np.count_nonzero(ink))
