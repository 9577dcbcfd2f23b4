"""Text normalisation of recogniser readings (``extractor.ocr.normalise``), on small inputs."""

from __future__ import annotations

import pytest

from extractor.ocr.engine import Recognition
from extractor.ocr.normalise import _combine, _normalise, _strip_stray
from models.extraction import Alternative


@pytest.mark.parametrize("read,expected", [
    ("一", "—"), ("--", "—"), ("_", "—"), ("－", "—"),  # a lone dash, however read
    ("本年 新收", "本年新收"), ("自 然 人", "自然人"),  # spaces between CJK glyphs dropped
    ("GB 2312", "GB 2312"),  # … but kept between Latin letters and digits
    (" 12 ", "12"), ("一二", "一二"),
])
def test_normalise(read, expected):
    assert _normalise(read) == expected


@pytest.mark.parametrize("read,expected", [
    ("7.", "7"), ("-2", "2"), ("•3", "3"), ("1,234.", "1,234"),  # a speck read as punctuation
    ("】", "1"), ("|", "1"),  # a 1 whose foot a seal hid
    ("12", None), ("总计", None), ("1-2", None), ("", None),  # nothing to strip, or not a number
])
def test_strip_stray(read, expected):
    assert _strip_stray(read) == expected


def test_combine_joins_lines_multiplies_scores_and_offers_each_lines_alternatives():
    a = Recognition(text="12", score=0.9, char_scores=[0.95, 0.95], alternatives=[Alternative(text="17", score=0.05)])
    b = Recognition(text="34", score=0.8, char_scores=[0.9, 0.9])
    joined = _combine([a, b], vertical=False)
    assert joined.text == "1234" and joined.score == pytest.approx(0.72)
    assert joined.char_scores == [0.95, 0.95, 0.9, 0.9]
    assert [alt.text for alt in joined.alternatives] == ["1734"]
    assert _combine([], vertical=False).text == "" and _combine([a], vertical=False) is a
