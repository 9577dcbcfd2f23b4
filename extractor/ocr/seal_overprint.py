"""A grey seal's ink right beside a digit's stroke: told from the stroke's own blurred rim.

``extractor.ocr.seal.grey_seal_pixels`` keeps, around each stroke of the text (pixels darker than
the seal's grey), a halo of a few pixels: a stroke's blurred rim is as light as the seal, and
taking it would thin the digits. Where the seal's star or a word of its name lies across a
digit, that halo holds the seal's ink beside the stroke too: a blob on a 0 (read as ``a``), a
stub on a 1. Seed 1301's star over table 三's ``0``.

The two differ in where they lie. A stroke's rim over bare paper borders paper; the seal's ink
in the halo is a piece of the seal's area that runs on from outside the halo. So the seal's
pixels outside the halo are grown into it, step by step, through pixels of the seal's grey only
(not the text's darker core): what they reach within ``steps`` pixels is the seal's. A rim
pixel of a stroke that touches the seal goes with it (a pixel off a stroke the seal lies
against); the stroke's core, and the overprint where the seal lies on it (darker than the seal
alone), stay.
"""

from __future__ import annotations

import cv2
import numpy as np


def seal_beside_strokes(seal_ink: np.ndarray, halo: np.ndarray, seal_grey: np.ndarray, steps: int) -> np.ndarray:
    """The halo pixels that are the seal's (bool, the shapes of the inputs).

    ``seal_ink``: the seal's pixels outside the text's halo (bool); ``halo``: the text's halo,
    its rim without its core (bool); ``seal_grey``: pixels at the seal's grey (bool: lighter than
    the text's core, darker than halfway from the seal to the paper); ``steps``: how far (px,
    8-connected) the seal is grown into the halo — the halo's width."""
    reach = halo & seal_grey
    grown = seal_ink.astype(np.uint8)
    allowed = (reach | seal_ink).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    for _ in range(steps):
        grown = cv2.dilate(grown, kernel) & allowed
    return (grown > 0) & reach
