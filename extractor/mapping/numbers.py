"""Parse printed numbers: 0 and its stand-ins, full-width digits, separators, decimals.

The printed text is always kept beside the value; a zero printed as —, -, /, 无 or left blank
is 0 with that text as ``raw``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from models.fields import ValueType

ZERO_TOKENS = {"", "0", "—", "——", "-", "--", "–", "/", "无", "／", "―", "－", "_", "＿", "〇", "零"}
_UNITS = re.compile(r"(件|个|条|项|人次|次|万元|元)$")
_SEPARATORS = re.compile(r"(?<=\d)[,，'](?=\d{3}(\D|$))")


@dataclass(frozen=True, slots=True)
class Parsed:
    value: int | Decimal | None
    ok: bool  # False: the text is not a number of the expected type
    zero_token: bool = False  # printed as a stand-in for 0


def normalize_number_text(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    return t


def parse_number(text: str, type_: ValueType = ValueType.INT) -> Parsed:
    t = normalize_number_text(text)
    if t in ZERO_TOKENS or re.fullmatch(r"[-—–_/]+", t):
        return Parsed(0 if type_ == ValueType.INT else Decimal(0), True, zero_token=t != "0")
    t = _UNITS.sub("", t)
    t = _SEPARATORS.sub("", t)
    if type_ == ValueType.INT:
        if re.fullmatch(r"\d+", t):
            return Parsed(int(t), True)
        if re.fullmatch(r"\d+\.0+", t):
            return Parsed(int(t.split(".")[0]), True)
        return Parsed(None, False)
    if re.fullmatch(r"\d+(\.\d+)?", t):
        try:
            return Parsed(Decimal(t), True)
        except InvalidOperation:
            return Parsed(None, False)
    return Parsed(None, False)


def looks_numeric(text: str) -> bool:
    """Could this cell be a value cell (a number or a printed zero)?"""
    return parse_number(text, ValueType.DECIMAL).ok
