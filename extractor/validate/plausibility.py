"""Format plausibility of single values, independent of any relation.

- a count (an ``int`` field) that is negative or not whole;
- an amount in 元 (``fees.information_processing``) with more than two decimal places (元 has
  角 and 分 only), e.g. OCR reading 120.5 as 120.150;
- an amount in 万元 (``active.fees.amount``) with more than six decimal places (finer than 分).
"""

from __future__ import annotations

from decimal import Decimal

from models.extraction import Field
from models.fields import ValueType, spec_for

from extractor.validate.values import as_number

_MAX_DECIMALS = {"fees.information_processing": 2, "active.fees.amount": 6, "active.procurement.amount": 6}


def _decimals(field: Field) -> int:
    text = "".join(ch for ch in field.raw or "" if ch.isdigit() or ch == ".")
    if text.count(".") == 1:
        return len(text.split(".")[1])
    v = field.value
    if isinstance(v, Decimal) and v.is_finite():
        return max(0, -v.as_tuple().exponent)
    return 0


def implausible(field: Field) -> str | None:
    """Why the value cannot be what a report prints, or None."""
    try:
        spec = spec_for(field.key)
    except KeyError:
        return None
    n = as_number(field.value)
    if n is None:
        return None
    if spec.type == ValueType.INT:
        if n < 0 and not spec.signed:  # 本年增/减 (2019) is signed
            return "a negative count"
        if n != int(n):
            return "a count that is not whole"
    limit = _MAX_DECIMALS.get(field.key)
    if limit is not None and _decimals(field) > limit:
        return f"more than {limit} decimal places"
    return None
