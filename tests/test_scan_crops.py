"""Cell reading's crops (``extractor.ocr.crops``): distinct prints read once, on small inputs."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.crops import _ink_mask, recognize_unique, same_ink
from extractor.ocr.engine import Recognition


def _digit(text: str, shift: int = 0, noise: int = 0) -> np.ndarray:
    img = np.full((32, 40), 255, np.uint8)
    cv2.putText(img, text, (6 + shift, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    if noise:
        rng = np.random.default_rng(noise)
        img = np.clip(img.astype(int) + rng.integers(-20, 21, img.shape), 0, 255).astype(np.uint8)
    return img


class CountingEngine:
    name = "counting"

    def __init__(self):
        self.calls: list[int] = []

    def recognize(self, crops):
        self.calls.append(len(crops))
        return [Recognition(text=f"r{i}", score=1.0) for i in range(len(crops))]


def test_one_print_is_one_ink_and_another_digit_is_not():
    a, b = _ink_mask(_digit("8")), _ink_mask(_digit("8", shift=3, noise=1))
    assert a is not None and same_ink(a, b)  # moved and noisy: the same print
    assert not same_ink(a, _ink_mask(_digit("3")))
    assert not same_ink(_ink_mask(_digit("6")), _ink_mask(_digit("5")))


def test_blank_and_faint_crops_have_no_ink_to_compare():
    assert _ink_mask(np.full((32, 40), 255, np.uint8)) is None
    speck = np.full((32, 40), 255, np.uint8)
    speck[10:12, 10:12] = 0
    assert _ink_mask(speck) is None  # too little to tell prints apart: read on its own


def test_recognize_unique_reads_each_distinct_print_once_and_long_crops_always():
    engine = CountingEngine()
    crops = [_digit("0"), _digit("0", shift=2), _digit("7"), _digit("0", shift=1, noise=2),
             np.full((32, 400), 255, np.uint8)]
    out = recognize_unique(engine, crops)
    assert engine.calls == [3]  # 0, 7 and the long crop
    assert out[0].text == out[1].text == out[3].text != out[2].text
    assert recognize_unique(engine, []) == []
