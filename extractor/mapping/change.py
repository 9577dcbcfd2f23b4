"""Signed changes and amounts with a printed unit: the 2019 table 二's 本年增/减 and 采购总金额.

``parse_change``: 本年增/减 prints a signed count — ``−3`` (U+2212), ``-3``, ``－3``, ``+5``,
``减少3``, ``增加2``, ``减3``, ``增2`` (a trailing 项/个/件 allowed), plus the zero stand-ins (0, blank,
—, 无, 持平, 无变化). Anything else is not a change (``ok`` False), never a guess.

``parse_amount``: an amount whose unit may be printed in the cell (``75394432.52元``) or in the
column title (``采购总金额（万元）``); the value is normalised to 万元 (``models.fields.AMOUNT_UNITS``)
and the printed unit returned beside it. No unit printed anywhere: the value is kept as printed
and ``unit`` is None — the caller must not mark it ok (元 and 万元 differ 10,000-fold).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extractor.mapping.numbers import digits_apart
from models.fields import AMOUNT_UNITS

_ZERO = {"", "0", "—", "——", "-", "--", "–", "/", "无", "／", "―", "_", "持平", "无变化", "不变", "0项", "0个"}
_MINUS = "-−－–—"
_CHANGE = re.compile(
    r"^(?P<word>增加|新增|增|减少|减|\+|[" + _MINUS + r"])?(?P<n>\d+)(?:项|个|件)?$"
)
_UNIT_IN_TITLE = re.compile(r"\((?:单位:?)?(?P<unit>万元|元)\)")  # after NFKC: （单位：万元） → (单位:万元)
_AMOUNT = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<unit>万元|元)?$")
_SEPARATORS = re.compile(r"(?<=\d)[,，'](?=\d{3}(\D|$))")


@dataclass(frozen=True, slots=True)
class ParsedChange:
    value: int | None
    ok: bool
    zero_token: bool = False


@dataclass(frozen=True, slots=True)
class ParsedAmount:
    value: Decimal | None  # in 万元 when ``unit`` is known, else as printed
    unit: str | None  # the unit as printed: 元 / 万元, or None when none is printed
    ok: bool  # the text is an amount (says nothing about the unit)


def _clean(text: str) -> str:
    t = (text or "").replace("\u2212", "-")  # NFKC leaves U+2212 MINUS SIGN alone
    t = unicodedata.normalize("NFKC", t)
    return re.sub(r"\s+", "", t)


def parse_change(text: str, spaces_real: bool = True) -> ParsedChange:
    """A signed count: ``−3`` → -3, ``+5`` → 5, ``减少3`` → -3, ``增加2`` → 2, ``0``/blank/— → 0."""
    t = _clean(text)
    if t in _ZERO or re.fullmatch(r"[-—–_/]+", t):
        return ParsedChange(0, True, zero_token=t != "0")
    m = _CHANGE.match(t)
    if not m:
        return ParsedChange(None, False)
    n = int(m.group("n"))
    word = m.group("word") or ""
    sign = -1 if word in ("减少", "减") or (word and word in _MINUS) else 1
    return ParsedChange(sign * n, not digits_apart(text, spaces_real))  # ``3 5``: maybe two numbers, never ok


def unit_in_title(title: str) -> str | None:
    """The unit a column title prints: 采购总金额（万元） → 万元; 本年收费金额（单位：万元） → 万元."""
    m = _UNIT_IN_TITLE.search(_clean(title))
    return m.group("unit") if m else None


def parse_amount(text: str, title_unit: str | None = None, spaces_real: bool = True) -> ParsedAmount:
    """An amount normalised to 万元: ``75394432.52元`` → 7539.443252 (unit 元); ``12.5`` under a
    title in 万元 → 12.5 (unit 万元); a zero stand-in → 0 in the title's unit."""
    t = _clean(text)
    if t in _ZERO or re.fullmatch(r"[-—–_/]+", t):
        return ParsedAmount(Decimal(0), title_unit, True)
    t = _SEPARATORS.sub("", t)
    m = _AMOUNT.match(t)
    if not m:
        return ParsedAmount(None, None, False)
    try:
        n = Decimal(m.group("n"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return ParsedAmount(None, None, False)
    unit = m.group("unit") or title_unit
    ok = not digits_apart(text, spaces_real)  # ``12 5.3``: maybe two numbers, never ok
    if unit is None:
        return ParsedAmount(n, None, ok)
    value = n / AMOUNT_UNITS[unit]
    return ParsedAmount(value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1)), unit, ok)


def unseen_sign(text: str, value: int | None) -> bool:
    """A positive change read from a scan (``text`` as read, ``value`` parsed) with no sign
    before its digits (+, 增): its sign is not known. A minus is a short thin bar, the first stroke
    a scan loses — glued to the digits and left out of the reading (jpeg_low+dpi150+faded seed
    5215: -3 read 3 at 0.999), or wiped out by a fax's threshold with only specks left (fax+dpi150
    seed 73417: -1 read 1 at 0.95). No relation checks 本年增/减, so a lost sign is a wrong value
    nothing else would catch: such a change goes to review. 0 has no sign to lose."""
    return value is not None and value > 0 and not text.strip().startswith(("+", "增"))

