"""Compare an extraction with a truth file, field by field."""

from __future__ import annotations

from decimal import Decimal

from models.extraction import Extraction


def as_plain(value):
    return float(value) if isinstance(value, Decimal) else value


def mismatches(result: Extraction, truth: dict) -> list[str]:
    """Every truth key whose extracted value differs, as readable lines; plus keys not in truth."""
    out = []
    for key, expected in truth.items():
        field = result.fields.get(key)
        got = None if field is None else as_plain(field.value)
        if got != expected:
            out.append(f"{key}: truth {expected!r}, got {got!r} (raw {None if field is None else field.raw!r})")
    extra = sorted(set(result.fields) - set(truth))
    if extra:
        out.append(f"keys not in truth: {extra}")
    return out


def exact_or_flagged(result: Extraction, truth: dict) -> tuple[int, list[str]]:
    """(fields exact, wrong fields not flagged for review) — what a scan must satisfy."""
    from models.extraction import FieldStatus

    right, unflagged = 0, []
    for key, expected in truth.items():
        field = result.fields.get(key)
        got = None if field is None else as_plain(field.value)
        if got == expected:
            right += 1
        elif field is not None and field.status != FieldStatus.REVIEW:
            unflagged.append(f"{key}: truth {expected!r}, got {got!r} (raw {field.raw!r}, status {field.status})")
    return right, unflagged
