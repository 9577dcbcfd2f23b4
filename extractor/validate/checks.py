"""Evaluate the in-document relations (勾稽关系) of ``models.relations`` on one extraction."""

from __future__ import annotations

from fractions import Fraction

from models.extraction import Check, CheckStatus, Extraction
from models.fields import Layout
from models.relations import RULES, Relation, relations

from extractor.validate.values import as_fraction, as_number, for_json


def layout_of(extraction: Extraction) -> Layout:
    return Layout(extraction.report.layout)


def evaluate(relation: Relation, values: dict[str, object]) -> Check:
    """One relation on a mapping key → value. A term absent (or not a number) makes it ``missing``."""
    nums = {k: as_number(values.get(k)) for k in relation.keys}
    shown = {k: for_json(v) for k, v in nums.items()}
    status = CheckStatus.OK
    lhs = rhs = diff = None
    if any(v is None for v in nums.values()):
        status = CheckStatus.MISSING
        present_l = [nums[k] for k in relation.lhs]
        present_r = [nums[k] for k in relation.rhs]
        # partial sums are still shown when one side is complete
        if all(v is not None for v in present_l):
            lhs = for_json(sum((as_fraction(v) for v in present_l), Fraction(0)))
        if all(v is not None for v in present_r):
            rhs = for_json(sum((as_fraction(v) for v in present_r), Fraction(0)))
    else:
        left = sum((as_fraction(nums[k]) for k in relation.lhs), Fraction(0))
        right = sum((as_fraction(nums[k]) for k in relation.rhs), Fraction(0))
        lhs, rhs, diff = for_json(left), for_json(right), for_json(left - right)
        status = CheckStatus.OK if left == right else CheckStatus.BROKEN
    return Check(
        relation=relation.id,
        rule=relation.rule,
        description=relation.description,
        severity=str(relation.severity.value if hasattr(relation.severity, "value") else relation.severity),
        fields=list(relation.keys),
        values=shown,
        lhs=lhs,
        rhs=rhs,
        difference=diff,
        status=status,
    )


def run_checks(extraction: Extraction) -> list[Check]:
    """Every relation of the extraction's layout, in ``relations()`` order."""
    values = extraction.values()
    return [evaluate(r, values) for r in relations(layout_of(extraction))]


def rule_severity(rule: str) -> str:
    return RULES[rule].severity.value
