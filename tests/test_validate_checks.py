"""Checks: every relation of the layout evaluated, ok / broken / missing, ints and Decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.extraction import CheckStatus, DocumentStatus, Extraction, Field, ReportMeta
from models.fields import Layout, ValueType, registry
from models.relations import relations

from extractor.validate import run_checks, validate


def small_report(layout: Layout = Layout.L2021, **overrides) -> Extraction:
    """A consistent little report: 5 applications by natural persons, 3 granted, 2 not held."""
    values: dict[str, object] = {}
    for spec in registry(layout):
        if spec.type == ValueType.TEXT:
            values[spec.key] = "某某区人民政府"
        elif spec.type == ValueType.DECIMAL:
            values[spec.key] = Decimal("0")
        else:
            values[spec.key] = 0
    values["report.year"] = 2023
    for row, n in (("received", 5), ("granted", 3), ("unavailable.not_held", 2), ("closed_total", 5)):
        values[f"applications.{row}.natural_person"] = n
        values[f"applications.{row}.total"] = n
    values.update({"review.upheld": 2, "review.corrected": 1, "review.total": 3})
    for k, v in overrides.items():
        values[k.replace("__", ".")] = v
    fields = {k: Field(key=k, value=v, raw=str(v)) for k, v in values.items()}
    return Extraction(report=ReportMeta(agency="某某区人民政府", year=2023, layout=layout), fields=fields)


@pytest.mark.parametrize("layout,count", [(Layout.L2021, 42), (Layout.L2019, 40)])
def test_every_relation_checked_and_ok(layout, count):
    ex = small_report(layout)
    checks = run_checks(ex)
    assert len(checks) == count == len(relations(layout))
    assert [c.relation for c in checks] == [r.id for r in relations(layout)]
    assert all(c.status == CheckStatus.OK for c in checks)
    validate(ex)
    assert ex.status == DocumentStatus.OK
    assert not ex.suggestions


def test_layouts_differ_in_the_other_rows():
    ids19 = {c.relation for c in run_checks(small_report(Layout.L2019))}
    ids21 = {c.relation for c in run_checks(small_report(Layout.L2021))}
    assert "row-total:other.total" in ids19 and "row-total:other.total" not in ids21
    assert {"row-total:other.no_supplement", "row-total:other.fee_unpaid", "row-total:other.other"} <= ids21 - ids19
    closed19 = next(c for c in run_checks(small_report(Layout.L2019)) if c.relation == "closed-total:total")
    assert "applications.other.total.total" in closed19.fields


def test_broken_check_carries_values_and_difference():
    ex = small_report(review__total=0)
    check = next(c for c in run_checks(ex) if c.relation == "review-total:review")
    assert check.status == CheckStatus.BROKEN
    assert (check.lhs, check.rhs, check.difference) == (0, 3, -3)
    assert check.values["review.upheld"] == 2
    assert check.rule == "review-total" and check.severity == "error"
    assert check.fields[0] == "review.total"
    others = [c for c in run_checks(ex) if c.relation != "review-total:review"]
    assert all(c.status == CheckStatus.OK for c in others)


def test_missing_term_gives_missing():
    ex = small_report()
    del ex.fields["applications.granted.other_org"]
    ex.fields["review.pending"].value = None
    by = {c.relation: c for c in run_checks(ex)}
    assert by["row-total:granted"].status == CheckStatus.MISSING
    assert by["closed-total:other_org"].status == CheckStatus.MISSING
    assert by["review-total:review"].status == CheckStatus.MISSING
    assert by["row-total:granted"].lhs == 3  # the complete side is still shown
    validate(ex)
    assert ex.status == DocumentStatus.REVIEW


def test_decimal_values_are_exact():
    ex = small_report(review__upheld=Decimal("2"), review__total=Decimal("3.0"))
    check = next(c for c in run_checks(ex) if c.relation == "review-total:review")
    assert check.status == CheckStatus.OK
    ex2 = small_report(review__total=Decimal("3.5"))
    check2 = next(c for c in run_checks(ex2) if c.relation == "review-total:review")
    assert check2.status == CheckStatus.BROKEN and check2.difference == pytest.approx(0.5)


def test_validate_never_changes_values():
    ex = small_report(review__total=0, applications__granted__natural_person=30)
    before = {k: (f.value, f.raw) for k, f in ex.fields.items()}
    validate(ex)
    assert {k: (f.value, f.raw) for k, f in ex.fields.items()} == before
    assert ex.status == DocumentStatus.REVIEW
