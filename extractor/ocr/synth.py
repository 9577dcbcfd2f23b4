"""Degraded renders of report pages: synthetic scans for the OCR tests and the benchmark (never committed)."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image


def degrade(rgb: np.ndarray, angle: float = 1.5, noise: float = 8, jpeg: int | None = 40, seal: bool = False,
            turn: int = 0, seed: int = 0) -> np.ndarray:
    """Skew by ``angle`` (degrees, counter-clockwise), add noise, a red seal, a quarter turn
    (``turn`` degrees clockwise) and JPEG compression."""
    rng = np.random.default_rng(seed)
    img = rgb.copy()
    h, w = img.shape[:2]
    if seal:
        ov = img.copy()
        c, r = (int(w * 0.62), int(h * 0.72)), int(w * 0.12)
        cv2.circle(ov, c, r, (220, 30, 30), max(3, w // 200))
        cv2.circle(ov, c, int(r * 0.35), (220, 30, 30), -1)
        img = np.minimum(img, ov)  # stamped over: the black print stays black
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))
    if noise:
        img = np.clip(img.astype(np.int16) + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    if turn:
        img = np.ascontiguousarray(np.rot90(img, k=-(turn // 90)))
    if jpeg:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, "JPEG", quality=jpeg)
        img = np.asarray(Image.open(buf).convert("RGB"))
    return img
