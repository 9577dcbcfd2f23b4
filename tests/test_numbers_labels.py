"""Number parsing and label matching, on their own."""

from decimal import Decimal

import pytest

from extractor.mapping.labels import normalize_label, similarity
from extractor.mapping.numbers import looks_numeric, parse_number
from models.fields import APPLICATION_ROWS, ValueType


@pytest.mark.parametrize(
    "text,value,zero_token",
    [
        ("0", 0, False), ("", 0, True), ("—", 0, True), ("-", 0, True), ("/", 0, True), ("无", 0, True),
        ("——", 0, True), (" 12 ", 12, False), ("１２３", 123, False), ("3,119", 3119, False),
        ("12，345", 12345, False), ("21件", 21, False), ("7.0", 7, False),
    ],
)
def test_parse_int(text, value, zero_token):
    parsed = parse_number(text, ValueType.INT)
    assert parsed.ok and parsed.value == value and parsed.zero_token == zero_token


def test_parse_decimal_keeps_precision():
    assert parse_number("7730.28", ValueType.DECIMAL).value == Decimal("7730.28")
    assert parse_number("１,２３４.５", ValueType.DECIMAL).value == Decimal("1234.5")


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12a", "自然人"])
def test_not_a_number(text):
    assert not parse_number(text, ValueType.INT).ok
    assert not looks_numeric(text) or text == "1.2.3" and False


def test_labels_normalise_brackets_spaces_and_list_marks():
    assert normalize_label("（三）不予公开") == normalize_label("(三)不予公开")
    assert normalize_label("1、属于国家秘密") == normalize_label("1.属于国家秘密")
    assert normalize_label("4.无正当理由大量反复 申请") == normalize_label("4.无正当理由大量反复申请")


def test_typo_still_closest_to_its_own_row():
    typo = "2.其他法律行政止公开"
    scores = {r.key: similarity(typo, r.label) for r in APPLICATION_ROWS}
    assert max(scores, key=scores.get) == "denied.prohibited_by_law"
