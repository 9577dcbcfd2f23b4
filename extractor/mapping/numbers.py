"""Parse printed numbers — one bounded parser for extraction, review (web and CLI) and manifests.

Accepted: ASCII or full-width digits (``１２３``), thousands separators (``3,119``,
``12，345``), a unit suffix (``21件``, ``7.5万元``), a decimal point, and the stand-ins for 0
(—, -, /, 无, blank …; ``raw`` keeps the printed text). Refused, with a ``NumberError`` whose
message is for people: exponents (``1e1000000``), more than ``max_significant_digits`` (15)
significant digits, a minus sign (every count and amount in a report is ≥ 0), other scripts'
digits (Arabic-Indic, superscripts, circled …), ``inf``/``nan``, text longer than
``max_number_chars``. Work is bounded by the length cap *before* any conversion: no input can
make the parser build a huge integer.

A value outside its plausible range (``Limits``: counts 0…10⁹, amounts 0…10⁹, years
2000…2100) raises ``OutOfRange`` (a ``NumberError`` carrying the value): extraction keeps the
value and sends the field to review; the review app lets an admin confirm it explicitly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from decimal import Decimal, InvalidOperation

from extractor.limits import Limits, current
from models.fields import ValueType

if TYPE_CHECKING:
    from models.page import Cell

ZERO_TOKENS = {"", "0", "—", "——", "-", "--", "–", "/", "无", "／", "―", "－", "_", "＿", "〇", "零"}
_UNITS = re.compile(r"(件|个|条|项|人次|次|万元|元)$")
_SEPARATORS = re.compile(r"(?<=[0-9])[,，'](?=[0-9]{3}([^0-9]|$))")
_PLAIN = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_EXPONENT = re.compile(r"[0-9.][eE][-+]?[0-9]")
_NOT_FINITE = {"inf", "infinity", "nan", "snan", "∞"}
_FULLWIDTH_DIGITS = {chr(0xFF10 + i) for i in range(10)}
_ZERO_CHARS = {"〇", "零"}


class NumberError(ValueError):
    """Text (or a value) that is not an acceptable number; ``reason`` is a stable code."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class OutOfRange(NumberError):
    """A well-formed number outside the plausible range of its field; ``value`` is kept."""

    def __init__(self, message: str, value: int | Decimal, low: int, high: int):
        super().__init__(message, "out_of_range")
        self.value, self.low, self.high = value, low, high


@dataclass(frozen=True, slots=True)
class Parsed:
    value: int | Decimal | None
    ok: bool  # False: the text is not a number of the expected type (or out of range)
    zero_token: bool = False  # printed as a stand-in for 0
    reason: str | None = None  # NumberError.reason when not ok


def normalize_number_text(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    return t


def plausible_range(type_: ValueType, key: str | None = None, limits: Limits | None = None) -> tuple[int, int]:
    """``(low, high)`` inclusive for a field: years, counts (int) or amounts (decimal)."""
    lim = limits or current()
    if key is not None and key.endswith(".year") or key == "year":
        return lim.min_year, lim.max_year
    if type_ == ValueType.DECIMAL:
        return 0, lim.max_amount
    return 0, lim.max_count


def _show(text: str, n: int = 24) -> str:
    return repr(text if len(text) <= n else text[:n] + "…")


def _text_of(value) -> str:
    """A non-string value as text the string parser judges (never a huge conversion)."""
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number", "not_a_number")
    if isinstance(value, int):
        if abs(value) >= 10**16:  # cheap: no decimal string of a huge int is ever built
            raise NumberError("more than 15 significant digits", "too_many_digits")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(f"{value!r} is not a finite number", "not_finite")
        return repr(value)  # 1e+20 keeps its exponent and is refused below
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError(f"{value} is not a finite number", "not_finite")
        return str(value)
    raise NumberError(f"{type(value).__name__} is not a number", "not_a_number")


def _check_digits(text: str) -> None:
    for ch in text:
        if ch.isascii() or ch in _FULLWIDTH_DIGITS or ch in _ZERO_CHARS:
            continue
        if ch.isdigit() or unicodedata.numeric(ch, None) is not None:
            raise NumberError(
                f"{_show(text)} has the digit {ch!r} (U+{ord(ch):04X}): use ASCII or full-width digits",
                "non_ascii_digit",
            )


def parse_bounded(
    value,
    type_: ValueType = ValueType.INT,
    *,
    key: str | None = None,
    limits: Limits | None = None,
    allow_out_of_range: bool = False,
) -> tuple[int | Decimal, bool]:
    """``(value, zero_token)`` of a printed or typed number, or ``NumberError``.

    ``value``: text, an int, a float (JSON) or a Decimal. ``type_`` INT gives an ``int``
    (``7.0`` is 7), DECIMAL a ``Decimal`` with the printed precision. ``key`` picks the
    plausible range (``plausible_range``); outside it ``OutOfRange`` unless
    ``allow_out_of_range`` (an admin's explicit confirmation).
    """
    lim = limits or current()
    text = value if isinstance(value, str) else _text_of(value)
    if len(text) > lim.max_number_chars:
        raise NumberError(f"{len(text)} characters is too long for a number", "too_long")
    _check_digits(text)
    t = normalize_number_text(text)
    if t.lower().lstrip("+-") in _NOT_FINITE:
        raise NumberError(f"{_show(text)} is not a finite number", "not_finite")
    if t in ZERO_TOKENS or re.fullmatch(r"[-—–_/]+", t):
        return (0 if type_ == ValueType.INT else Decimal(0)), t != "0"
    t = _UNITS.sub("", t)
    t = _SEPARATORS.sub("", t)
    if _EXPONENT.search(t):
        raise NumberError(f"{_show(text)}: exponents are not accepted, type the digits", "exponent")
    if t[:1] in "-−" and _PLAIN.fullmatch(t[1:]):
        raise NumberError(f"{_show(text)} is negative: counts and amounts are 0 or more", "negative")
    m = _PLAIN.fullmatch(t)
    if m is None:
        kind = "a whole number" if type_ == ValueType.INT else "a number"
        raise NumberError(f"{_show(text)} is not {kind}", "not_a_number")
    whole, frac = m.group(1), m.group(2) or ""
    if type_ == ValueType.INT and frac.strip("0"):
        raise NumberError(f"{_show(text)} is not a whole number", "not_whole")
    sig = len(whole.lstrip("0")) + len(frac.rstrip("0") if type_ == ValueType.DECIMAL else "")
    if sig > lim.max_significant_digits:
        raise NumberError(
            f"{_show(text)} has more than {lim.max_significant_digits} significant digits", "too_many_digits"
        )
    try:
        out: int | Decimal = int(whole) if type_ == ValueType.INT else Decimal(t)
    except (ValueError, InvalidOperation):
        raise NumberError(f"{_show(text)} is not a number", "not_a_number") from None
    low, high = plausible_range(type_, key, lim)
    if not allow_out_of_range and not low <= out <= high:
        what = "a year" if (low, high) == (lim.min_year, lim.max_year) and key else (
            "an amount" if type_ == ValueType.DECIMAL else "a count")
        raise OutOfRange(
            f"{out} is outside the plausible range {low:,}…{high:,} for {what}", out, low, high
        )
    return out, False


def parse_number(text: str, type_: ValueType = ValueType.INT, *, key: str | None = None,
                 spaces_real: bool = True) -> Parsed:
    """A printed cell as a value, never raising: ``ok`` False sends the field to review.

    An out-of-range number keeps its value (``ok`` False, ``reason`` ``out_of_range``) so the
    reviewer sees what was printed; so does a number that may be two (``digits_apart``:
    ``3 5``, ``0 5``, ``05``; ``spaces_real`` False: the text's spaces say nothing, see
    ``digits_apart``); anything else refused has ``value`` None.
    """
    try:
        value, zero = parse_bounded(text, type_, key=key)
    except OutOfRange as e:
        return Parsed(e.value, False, reason=e.reason)
    except NumberError as e:
        return Parsed(None, False, reason=e.reason)
    if digits_apart(text, spaces_real):
        return Parsed(value, False, reason="digits_apart")
    return Parsed(value, True, zero_token=zero)


_SPACED_DIGITS = re.compile(r"[0-9]\s+[0-9]")
_LEADING_ZERO = re.compile(r"(?<![0-9.,，'])0[0-9]")  # not a group after a thousands separator: 1,050


def digits_apart(text: str, spaces_real: bool = True) -> bool:
    """Digits that may be two numbers read as one: a space between two digits (``3 5``, ``1 234``)
    or a whole number printed with a leading 0 (``05``; ``0.5`` is a decimal). A report prints a
    count as plain digits (thousands by a comma, ``3,119``), so either is most likely two cells'
    values joined where the rule between them was lost on a scan, or a speck read as 0 before a
    digit. The value as read is kept for a person to judge, never ``ok``
    (``whitespace`` is removed everywhere else: ``normalize_number_text``).

    ``spaces_real`` False: the text's spaces are no evidence (a PDF's text layer makes a space
    of the gap between two glyph boxes: 4119 printed in a font whose 1 is narrow reads 41 19;
    ``cell_field.spaces_real``), so only a leading 0 counts."""
    t = unicodedata.normalize("NFKC", text or "")
    return bool((spaces_real and _SPACED_DIGITS.search(t)) or _LEADING_ZERO.search(re.sub(r"\s+", "", t)))


def looks_numeric(text: str) -> bool:
    """Could this cell be a value cell (a number or a printed zero, in range or not; or a number
    with a 0 a recogniser read as the letter O, ``misread_zero``)?"""
    return (parse_number(text, ValueType.DECIMAL).value is not None or misread_zero(text) is not None
            or worn_zero(text) is not None)


def worn_zero(text: str) -> str | None:
    """"0" when the whole cell reads as a worn 无 (``WORN_WU``: 尤, 尢), as a slash with a
    speck on it (``SLASH_LIKE``: a 150 dpi fax's / with a speck at its top read f, fax+dpi150
    seed 1608) or as a 0 with a speck over it or its top worn off (``ZERO_LIKE``: a, à, u; fax
    seeds 1801, 5201), else None. A candidate for a scan's cell only (a text layer prints what it
    prints): never ``ok``."""
    return "0" if normalize_number_text(text) in WORN_WU | SLASH_LIKE | ZERO_LIKE else None


_ZERO_LOOKALIKES = re.compile("[Oo〇]")  # (NFKC has made a full-width Ｏ an O)
# the word 无 with its top stroke lost (a fax's threshold, 150 dpi): read 尤 or 尢, characters no
# value cell prints. Only the whole cell: 尤 inside a label is a word of it
WORN_WU = {"尤", "尢"}
# a slash (a zero mark) with a speck glued on, as the recogniser reads it alone: letters no value
# cell prints (a bare upright stroke, l or I, may be a 1: not taken)
SLASH_LIKE = {"f", "ƒ", "丿", "ノ"}
# a 0 with a speck glued over it (a, à) or its top worn off by a fax's threshold (u), read alone
ZERO_LIKE = {"a", "à", "á", "u"}


def misread_zero(text: str) -> str | None:
    """The number ``text`` is when each letter O / o (and 〇 among digits) in it is the 0 it looks
    like — the recogniser's commonest misreading of a 0 in a value cell (O, 1O, 2o5); None when
    it holds none, or is no number even so. A candidate only: a value read this way is never
    ``ok`` (``make_field`` flags it), but it keeps its row a value row — read as text it took
    the whole row (eight fields) out of table 三."""
    t = normalize_number_text(text)
    if not _ZERO_LOOKALIKES.search(t) or t in ZERO_TOKENS:
        return None
    candidate = _ZERO_LOOKALIKES.sub("0", t)
    return candidate if parse_number(candidate, ValueType.DECIMAL).value is not None else None


_SIGNED_DIGITS = re.compile(r"^[-－—–‐](\d+)$")


def stray_sign(text: str) -> str | None:
    """The digits of a count read with a minus before them (-3): a count is never negative, so
    on a scan the bar is a speck or smear before the number (dpi150+jpeg_low seed 1605), not
    a sign. A candidate for a scan's count cell only: never ``ok``; None for anything else."""
    m = _SIGNED_DIGITS.match(normalize_number_text(text))
    return m.group(1) if m else None


def readable_alternative(text: str, alternatives) -> str | None:
    """The recogniser's best-scored other reading of a value cell that is a number or a printed
    zero, when what it read first (``text``) is neither: a 无 whose top stroke a 150 dpi fax
    lost is read 尤 first and 无 second. ``alternatives``: ``Alternative``s, best first. A
    candidate only, as ``misread_zero``'s: a value read this way is never ``ok``."""
    if parse_number(text, ValueType.DECIMAL).value is not None:
        return None
    for alt in alternatives:
        if alt.text.strip() and parse_number(alt.text, ValueType.DECIMAL).value is not None:
            return alt.text
    return None


EMPTY_SURE = 0.5  # an empty cell is a printed zero only when its reader is this sure it is empty


def unsure_empty(text: str, confidence: float) -> bool:
    """An empty cell whose emptiness is not positive: ink there was not read (a text object the
    text layer could not decode, OCR ink thrown away). Such a cell is never a confident 0: the
    field goes to review. ``confidence`` is the cell's (0–1; for an empty cell, how sure its reader
    is that nothing is printed)."""
    return not (text or "").strip() and confidence < EMPTY_SURE


def mostly_numeric(cells: list[Cell], share: float = 0.7) -> bool:
    """A value row: most cells read as numbers (an OCR misread must not lose the whole row)."""
    numeric = sum(1 for c in cells if looks_numeric(c.text))
    return numeric >= max(1, round(share * len(cells))) and any(c.text.strip() for c in cells) or numeric == len(cells)
