"""Numbers as the validation stage sees them: ints and Decimals only, compared exactly."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Number = int | Decimal


def as_number(value: object) -> Number | None:
    """The value as an exact number, or None when it is not one (text, None, NaN)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    return None


def as_fraction(value: Number) -> Fraction:
    return Fraction(value)


def tidy(value: Number | Fraction) -> Number:
    """An int when integral, else a Decimal: what a Check or Suggestion shows."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return int(value)
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def for_json(value: Number | Fraction | None) -> int | float | None:
    """Check.values / lhs / rhs hold int or float."""
    if value is None:
        return None
    v = tidy(value)
    return v if isinstance(v, int) else float(v)


def digits_of(raw: str, value: object) -> str:
    """The digit string a recogniser read for a cell (its raw text when that is a number)."""
    text = "".join(ch for ch in (raw or "") if ch.isdigit() or ch == ".")
    if text and any(ch.isdigit() for ch in text):
        return text
    n = as_number(value)
    if n is None:
        return ""
    return str(tidy(n))
