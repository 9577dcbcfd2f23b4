"""Long cell crops read narrowed first (``ocr.known_words``): a reading is kept only when it is
the format's printed words; anything else — a value above all — is read again at its usual width."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.ocr.crops import SQUEEZE, _crop
from extractor.ocr.engine import Recognition
from extractor.mapping.labels import normalize_label
from extractor.ocr.known_words import WORDS_SQUEEZE, _glyphs, is_known, known_words, read_words_first


def test_the_format_words_come_from_the_registry_of_both_layouts():
    words = known_words()
    for label in ("一、本年新收政府信息公开申请数量", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                  "本年收费金额（单位：万元）", "采购总金额", "本年新制作数量", "未经复议直接起诉", "申请人情况"):
        assert is_known(label, 0), label
    assert all(w for w in words)


@pytest.mark.parametrize("text,glyphs,known", [
    ("第二十条第(五）项", 9, True),  # brackets of either width
    ("1.申请人无正当理由逾期不补正、行", 17, True),  # one line of a wrapped label
    ("计其他情形）", 6, True),
    ("第二十条第(五）项", 16, False),  # fewer characters than its width holds glyphs
    ("第一ホ第项", 5, False),  # junk
    ("12888888.50元", 12, False),  # a value is never the format's words
    ("四、结转下年度继续办理2", 12, False),  # a label run on into its value
    ("公开", 2, True),
    ("开", 1, False),  # one character says too little
])
def test_is_known(text, glyphs, known):
    assert is_known(text, glyphs) is known


class _Engine:
    """Reads every crop by its width: ``narrow`` for a crop narrower than ``cut`` px, else ``wide``."""

    def __init__(self, narrow: str, wide: str, cut: int):
        self.narrow, self.wide, self.cut = narrow, wide, cut
        self.calls: list[list[int]] = []

    def recognize(self, crops):
        self.calls.append([c.shape[1] for c in crops])
        return [Recognition(text=self.narrow if c.shape[1] < self.cut else self.wide, score=0.9) for c in crops]


def _long_crop(glyphs: int = 8, h: int = 30) -> np.ndarray:
    img = np.full((h, glyphs * h), 255, np.uint8)
    img[8:22, 4:-4:7] = 0  # some ink
    return _crop(img, (0, 0, img.shape[1], h), float(h))


def test_a_known_reading_of_the_narrowed_crop_is_kept():
    crop = _long_crop()
    engine = _Engine(narrow="本年处理决定数量", wide="WIDE", cut=crop.shape[1])
    (rec,) = read_words_first(engine, [crop], [True])
    assert rec.text == "本年处理决定数量"
    assert len(engine.calls) == 1  # read once, narrowed
    assert engine.calls[0][0] == round(crop.shape[1] * WORDS_SQUEEZE / SQUEEZE)


def test_anything_else_is_read_again_at_its_width_and_that_reading_is_used():
    crop = _long_crop()
    engine = _Engine(narrow="1288888.50元", wide="12888888.50元", cut=crop.shape[1])
    (rec,) = read_words_first(engine, [crop], [True])
    assert rec.text == "12888888.50元"
    assert engine.calls[1] == [crop.shape[1]]


def test_prose_and_short_crops_are_read_as_they_are():
    long, short = _long_crop(), _long_crop(glyphs=2)
    engine = _Engine(narrow="N", wide="W", cut=long.shape[1])
    recs = read_words_first(engine, [short, long], [True, False])  # the long one is prose
    assert [r.text for r in recs] == ["N", "W"]  # (the short crop is narrower than the cut: as it is)
    assert engine.calls == [[short.shape[1], long.shape[1]]]


def test_glyphs_counts_square_glyphs_in_a_finished_crop():
    crop = _long_crop(glyphs=12)
    assert 11 <= _glyphs(crop) <= 13


@pytest.fixture(scope="module")
def engine():
    from extractor.ocr.engine import make_engine
    from extractor.settings import Settings

    return make_engine(Settings(ocr_threads=1))


@pytest.mark.parametrize("size", [16, 20, 24])
def test_labels_and_long_amounts_read_words_first_keep_every_character(engine, size):
    """Table 二's 2019 amounts (8 digits before the point, 元 in the cell) beside labels: the
    amounts, narrowed, lose digits of their runs (1288888.50元) and are read again; the labels
    read the same narrowed."""
    from test_scan_crops import _line

    texts = ["12888888.50元", "11111111.11元", "55555555.55", "一、本年新收政府信息公开申请数量",
             "5.属于三类内部事务信息", "本年收费金额（单位：万元）"]
    crops = []
    for text in texts:
        img = _line(text, size)
        crops.append(_crop(img, (0, 0, img.shape[1], img.shape[0]), glyph=float(img.shape[0])))
    for text, rec in zip(texts, read_words_first(engine, crops, [True] * len(crops))):
        assert rec.text == text, (text, rec.text)


def test_labels_one_glyph_apart_are_never_one_reading(engine):
    """Narrowed, 第二十条第（六）项 and 第二十条第（八）项 are as short as a number's crop and
    their ink differs by less than one print's slack (``crops.same_ink``): read as one print,
    (八) and (九) took (六)'s reading (helper-62, stamp_numbers seed 28017). Each is its own."""
    from test_scan_crops import _line

    texts = ["第二十条第（六）项", "第二十条第（八）项", "第二十条第（九）项", "第二十条第（五）项"]
    crops = []
    for text in texts:
        img = _line(text, 22)
        crops.append(_crop(img, (0, 0, img.shape[1], img.shape[0]), glyph=float(img.shape[0])))
    got = [r.text for r in read_words_first(engine, crops, [True] * len(crops))]
    assert [normalize_label(t) for t in got] == [normalize_label(t) for t in texts]


def test_narrowed_crops_are_never_taken_for_one_print():
    """Narrowed, a label's crop is as short as a number's, and two labels one glyph apart on a
    stamped scan passed ``same_ink``: (八) and (九) took (六)'s reading (helper-62,
    stamp_numbers seed 28017). Narrowed crops are each read, even two of the very same ink."""
    crop = _long_crop()
    engine = _Engine(narrow="本年处理决定数量", wide="W", cut=crop.shape[1])
    recs = read_words_first(engine, [crop, crop.copy()], [True, True])
    assert [r.text for r in recs] == ["本年处理决定数量"] * 2
    assert len(engine.calls[0]) == 2  # both read, not one for both
