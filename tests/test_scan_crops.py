"""Cell reading's crops (``extractor.ocr.crops``): distinct prints read once, on small inputs."""

from __future__ import annotations

import cv2
import pytest
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


def test_long_lines_are_narrowed_but_prose_figures_not_at_all():
    from extractor.ocr.crops import SQUEEZE, SQUEEZE_ASPECT, _finish

    h, glyph = 20, 20.0
    pad = max(2, int(round(h * 0.12)))

    def width(w, **kw):
        return _finish(np.full((h, w), 255, np.uint8), glyph, **kw).shape[1] - 2 * pad

    for aspect, factor in ((2.0, 1.0), (SQUEEZE_ASPECT + 0.5, SQUEEZE), (12.0, SQUEEZE)):
        w = int(aspect * h)
        assert width(w) == max(1, int(w * factor)), aspect
        assert width(w, figures=True) == w, aspect  # a fee's or a year's line: as printed


@pytest.fixture(scope="module")
def engine():
    from extractor.ocr.engine import make_engine
    from extractor.settings import Settings

    return make_engine(Settings(ocr_threads=1))


@pytest.mark.parametrize("size", [16, 18, 20])
def test_a_fee_among_words_keeps_every_digit_of_a_run(engine, size):
    """Section 六's fee sentence, 150 dpi body type (16–20 px glyphs), read as the prose reader
    crops a line whose figures count: the runs of one digit keep their length. Narrowed to 0.5
    (as a cell's words) 88888.88 read 888.8 and 55555 read 555, a scan's fee wrong and ``ok``;
    to 0.75, 33333.33 read 3333.33 at these sizes."""
    from extractor.ocr.crops import _crop

    fees = ["88888.88", "55555", "33333.33", "6666.66", "11111"]
    crops = []
    for fee in fees:
        img = _line(f"本年度收取信息处理费{fee}元。", size)
        crops.append(_crop(img, (0, 0, img.shape[1], img.shape[0]), glyph=float(img.shape[0]), figures=True))
    for fee, rec in zip(fees, engine.recognize(crops)):
        assert f"费{fee}元" in rec.text, (fee, rec.text)


@pytest.mark.parametrize("size", [16, 20, 24])
def test_a_long_amount_in_a_cell_keeps_every_digit(engine, size):
    """Table 二's amounts of 2019 (万元 with up to 8 digits before the point, 元 printed in the
    cell), read as a cell's crop: a cell narrowed to 0.5 as "words" read 12888888.50元 as
    1288888.50元, ``ok`` (helper-60)."""
    from extractor.ocr.crops import _crop

    amounts = ["12888888.50元", "11111111.11元", "55555555.55", "20000000.00", "3333.333333"]
    crops = []
    for amount in amounts:
        img = _line(amount, size)
        crops.append(_crop(img, (0, 0, img.shape[1], img.shape[0]), glyph=float(img.shape[0])))
    for amount, rec in zip(amounts, engine.recognize(crops)):
        assert rec.text == amount, (amount, rec.text)
