"""The real 洪泽区 reports (truth files in /work/shared/corpus): a printed inconsistency and a carry chain."""

from __future__ import annotations

from models.extraction import CheckStatus, DocumentStatus, FieldStatus, SuggestionKind
from models.fields import Layout

from extractor.validate import cross_checks, same_agency, validate

from helpers_truth import HONGZE_2023, HONGZE_2024, SEED, extraction_from_truth, needs_corpus

pytestmark = needs_corpus


def test_hongze_2023_printed_inconsistency():
    ex = validate(extraction_from_truth(HONGZE_2023))
    assert ex.report.layout == Layout.L2019
    assert len(ex.checks) == 40
    broken = {c.relation for c in ex.checks if c.status == CheckStatus.BROKEN}
    assert broken == {"review-total:review", "review-total:litigation_after_review"}
    assert all(c.status == CheckStatus.OK for c in ex.checks if c.relation not in broken)
    top = {s.field: s for s in ex.suggestions if s.rank == 1}
    assert set(top) == {"review.total", "litigation_after_review.total"}
    assert top["review.total"].printed == 0 and top["review.total"].suggested == 11
    assert top["litigation_after_review.total"].suggested == 5
    assert all(s.kind == SuggestionKind.SOURCE for s in ex.suggestions)
    assert top["review.total"].restores == ["review-total:review"]
    assert len([s for s in ex.suggestions if s.field.startswith("litigation_after_review")]) <= 3
    assert ex.fields["review.total"].status == FieldStatus.REVIEW
    assert ex.fields["litigation_after_review.total"].status == FieldStatus.REVIEW
    assert ex.fields["applications.received.total"].status == FieldStatus.OK
    assert ex.fields["review.total"].value == 0  # what is printed, never fixed
    assert ex.status == DocumentStatus.REVIEW


def test_hongze_2024_and_seed_are_consistent():
    for path in (HONGZE_2024, SEED):
        ex = validate(extraction_from_truth(path))
        assert all(c.status == CheckStatus.OK for c in ex.checks), path
        assert not ex.suggestions


def test_hongze_carry_chain_2023_to_2024():
    last, this = extraction_from_truth(HONGZE_2023), extraction_from_truth(HONGZE_2024)
    assert same_agency(last.report.agency, this.report.agency) is True  # 洪泽区人民政府 ~ 淮安市洪泽区人民政府
    checks = cross_checks(this, last)
    carry = [c for c in checks if c.rule == "carry-chain"]
    assert len(carry) == 7 and all(c.status == CheckStatus.OK for c in carry)
    assert {c.rule for c in checks} == {"carry-chain", "in-force-chain"}
    assert all(c.status != CheckStatus.MISSING for c in checks)


def test_hongze_2023_narrative():
    ex = validate(
        extraction_from_truth(HONGZE_2023),
        prose=["2023 年全区受理政府信息公开申请 21 件，", "均在法定期限答复。", "全年收取政府信息公开信息处理费 0 元。"],
    )
    narrative = {c.relation: c for c in ex.checks if c.rule == "narrative"}
    assert narrative["narrative:applications.received.total"].status == CheckStatus.OK
    assert narrative["narrative:fees.information_processing"].status == CheckStatus.OK


def test_hongze_2024_narrative_subset_is_flagged_as_info():
    # the prose states what the 区政府办 handled (17); the table counts the whole 区政府 (95)
    ex = validate(extraction_from_truth(HONGZE_2024), prose=["2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。"])
    c = next(c for c in ex.checks if c.rule == "narrative")
    assert (c.status, c.severity, c.lhs, c.rhs) == (CheckStatus.BROKEN, "info", 17, 95)
    assert ex.status == DocumentStatus.OK
