"""Label normalisation and fuzzy matching to the registry's printed labels.

Real labels carry typos (2.其他法律行政止公开), stray spaces, full/half-width brackets, ``1、``
for ``1.`` and wrapping. Normalising strips all of that to the characters that carry meaning;
similarity is then a plain sequence ratio.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from extractor.mapping.variants import simplified

IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")  # a row label has words (CJK); a value cell has none

_DROP = re.compile(r"[\s()（）\[\]【】「」“”\"'‘’《》<>、.,，。:：;；·•\-—_/]+")


@lru_cache(maxsize=4096)
def normalize_label(text: str) -> str:
    """The characters of a label that carry meaning: NFKC, punctuation and spaces dropped,
    traditional forms as simplified (``variants``: 規章 is 规章)."""
    t = unicodedata.normalize("NFKC", text or "")
    return simplified(_DROP.sub("", t))


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """0–1 similarity of two labels after normalisation."""
    na, nb = normalize_label(a), normalize_label(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return SequenceMatcher(None, na, nb, autojunk=False).ratio()


def contains(text: str, *needles: str) -> bool:
    n = normalize_label(text)
    return all(normalize_label(x) in n for x in needles)
