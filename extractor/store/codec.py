"""How field values travel through text columns, exactly and with their type.

A value is stored as text (``value_text``, ``reviewed_value``, ``printed``/``suggested``) plus
its type (``int``, ``decimal``, ``text``): ``7730.28`` stays ``Decimal("7730.28")`` on the way
back, never a float. The types come from the field registry (``models.fields.spec_for``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from models.fields import ValueType, spec_for

Value = int | Decimal | str | None


def value_type_of(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return ValueType.INT.value
    if isinstance(value, int):
        return ValueType.INT.value
    if isinstance(value, (Decimal, float)):
        return ValueType.DECIMAL.value
    return ValueType.TEXT.value


def encode_value(value: Value) -> tuple[str | None, float | None, str | None]:
    """``(text, number, type)`` of a value; ``number`` is None for text."""
    if value is None:
        return None, None, None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value), float(value), ValueType.INT.value
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return str(value), float(value), ValueType.DECIMAL.value
    return str(value), None, ValueType.TEXT.value


def decode_value(text: str | None, type_: str | None) -> Value:
    """The value back from ``(text, type)``; an unknown type is guessed from the text."""
    if text is None:
        return None
    if type_ == ValueType.INT.value:
        return int(text)
    if type_ == ValueType.DECIMAL.value:
        return Decimal(text)
    if type_ == ValueType.TEXT.value:
        return text
    return _guess(text)


def _guess(text: str) -> Value:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def type_for_key(key: str) -> str | None:
    """The registry's type for a key, or None for a key the registry does not know."""
    try:
        return spec_for(key).type.value
    except KeyError:
        return None


def decode_for_key(key: str, text: str | None) -> Value:
    """Decode a value stored for field ``key`` (suggestions, reviewed values)."""
    if text is None:
        return None
    type_ = type_for_key(key)
    try:
        return decode_value(text, type_)
    except (ValueError, InvalidOperation):  # stored text that does not fit the registry type
        return _guess(text)


def parse_value_for_key(key: str, value: Value, *, allow_out_of_range: bool = False) -> str | None:
    """Normalise a value a person entered for ``key`` into its stored text.

    Accepts an int, a Decimal, a float or a string (``" 1,234 "``, ``"7730.28"``) and parses
    numbers with the one bounded parser (``extractor.mapping.numbers.parse_bounded``): raises
    ``ValueError`` (a ``NumberError``) with a readable message when it does not fit the field's
    type (``"abc"`` for a count, ``1e1000000``, ``-3``, 16+ digits) or, unless
    ``allow_out_of_range``, lies outside the field's plausible range (``OutOfRange``).
    """
    from extractor.mapping.numbers import NumberError, parse_bounded

    if value is None:
        return None
    type_ = type_for_key(key)
    if type_ in (ValueType.INT.value, ValueType.DECIMAL.value):
        try:
            v, _ = parse_bounded(value, ValueType(type_), key=key, allow_out_of_range=allow_out_of_range)
        except NumberError as e:
            raise _with_key(e, key) from None
        return str(v)
    if isinstance(value, str):
        text = value.strip()
    else:
        text = str(value)
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"{key}: {len(text)} characters is too long (at most {MAX_TEXT_CHARS})")
    return text


MAX_TEXT_CHARS = 2000  # a typed agency name or title


def _with_key(e, key: str):
    """The same error, its message prefixed with the field key."""
    e.args = (f"{key}: {e.args[0]}",) + tuple(e.args[1:])
    return e


def as_number(x) -> float | int | None:
    """A float read from a numeric column, as an int when it is whole (``3.0`` -> ``3``)."""
    if x is None:
        return None
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x
