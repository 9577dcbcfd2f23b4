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


def _line(text: str, size: int = 22) -> np.ndarray:
    """``text`` in the generator's CJK font, black on white, ~200 dpi body type (grey)."""
    from PIL import Image, ImageDraw, ImageFont

    from scripts.samplegen.fonts import wqy_path

    font = ImageFont.truetype(str(wqy_path()), size)
    x0, y0, x1, y1 = font.getbbox(text)
    img = Image.new("L", (x1 - x0 + 4, y1 - y0 + 4), 255)
    ImageDraw.Draw(img).text((2 - x0, 2 - y0), text, font=font, fill=0)
    return np.asarray(img)


def test_words_are_narrowed_further_than_a_line_that_may_be_a_number():
    from extractor.ocr.crops import SQUEEZE, SQUEEZE_ASPECT, WORDS_ASPECT, WORDS_SQUEEZE, _finish

    h, glyph = 20, 20.0
    pad = max(2, int(round(h * 0.12)))
    for aspect, factor in ((2.0, 1.0), (SQUEEZE_ASPECT + 0.5, SQUEEZE), (WORDS_ASPECT - 0.5, SQUEEZE),
                           (WORDS_ASPECT + 0.5, WORDS_SQUEEZE), (12.0, WORDS_SQUEEZE)):
        w = int(aspect * h)
        out = _finish(np.full((h, w), 255, np.uint8), glyph)
        assert out.shape[1] - 2 * pad == max(1, int(w * factor)), aspect
    # a number of ten characters (a fees amount with four decimals) is no "words" line
    number = _line("12345.6789")
    assert number.shape[1] <= WORDS_ASPECT * max(number.shape[0], 22)


def test_a_long_label_narrowed_to_words_still_reads_as_its_label():
    """The recogniser on a table 三 label and a heading, narrowed by ``WORDS_SQUEEZE``: the label
    matching downstream (``similarity``) sees them as printed."""
    from extractor.mapping.labels import similarity
    from extractor.ocr.crops import WORDS_ASPECT, _crop
    from extractor.ocr.engine import make_engine
    from extractor.settings import Settings

    engine = make_engine(Settings(ocr_threads=1))
    texts = ["二、上年结转政府信息公开申请数量", "1.申请人无正当理由逾期不补正、行", "收到和处理政府信息公开申请情况"]
    crops = []
    for text in texts:
        img = _line(text)
        h, w = img.shape
        assert w > WORDS_ASPECT * h  # narrowed as words
        crops.append(_crop(img, (0, 0, w, h), glyph=float(h)))
    for text, rec in zip(texts, engine.recognize(crops)):
        assert similarity(rec.text, text) >= 0.9, (text, rec.text)
