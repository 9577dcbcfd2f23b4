"""Confidence: calibrated coefficients, evidence parts, arithmetic support, review status."""

from __future__ import annotations

import json

from models.extraction import Alternative, Check, CheckStatus, DocumentStatus, FieldStatus, Source

from extractor.validate import ValidateSettings, validate
from extractor.validate.confidence import CALIBRATION_FILE, FEATURES, ArithmeticSupport, coefficients, confidence
from extractor.validate.evidence import evidence_of
from extractor.validate.stage import SHAKY_OCR, supports

from test_validate_checks import small_report


def test_calibration_file_is_complete():
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert set(data["coefficients"]) == set(FEATURES)
    assert coefficients() == {k: data["coefficients"][k] for k in FEATURES}


def test_evidence_defaults():
    ex = small_report()
    f = ex.fields["active.licensing.decisions"]
    assert evidence_of(f).product == 1.0  # text layer, nothing set
    f.source = Source.OCR
    f.char_scores = [0.7, 0.99]
    assert evidence_of(f).ocr == 0.7
    f.evidence["ocr"] = 0.95
    assert evidence_of(f).ocr == 0.95


def test_support_and_scores_move_confidence():
    ex = small_report()
    f = ex.fields["applications.granted.natural_person"]
    f.source = Source.OCR
    f.evidence.update(ocr=0.8)
    base = confidence(f, ArithmeticSupport())
    assert confidence(f, ArithmeticSupport(n_ok=2)) > base > confidence(f, ArithmeticSupport(n_broken=2, error_prob=0.9))
    f.evidence["ocr"] = 0.99
    assert confidence(f, ArithmeticSupport()) > base
    f.evidence["structure"] = 0.3
    assert confidence(f, ArithmeticSupport()) < confidence(f.model_copy(update={"evidence": {"ocr": 0.99}}), ArithmeticSupport())


def test_validate_sets_confidence_and_status():
    ex = small_report()
    # an OCR misread with a doubtful character, and an unsupported low-scored field
    g = ex.fields["applications.granted.natural_person"]
    g.value, g.raw, g.source, g.char_scores = 8, "8", Source.OCR, [0.6]
    g.alternatives = [Alternative(text="3", score=0.3)]
    a = ex.fields["active.penalty.decisions"]
    a.source, a.evidence = Source.OCR, {"ocr": 0.4}
    validate(ex)
    assert g.status == FieldStatus.REVIEW and g.confidence < 0.5
    assert a.status == FieldStatus.REVIEW and a.confidence < 0.9
    held = ex.fields["applications.received.total"]
    assert held.status == FieldStatus.OK and held.confidence > 0.99
    assert ex.status == DocumentStatus.REVIEW
    # the threshold is a setting
    validate(ex, ValidateSettings(review_threshold=0.0))
    assert a.status == FieldStatus.OK
    assert g.status == FieldStatus.REVIEW  # a localised error candidate stays in review


def test_validate_is_idempotent():
    ex = small_report(review__total=0)
    ex.fields["active.coercion.decisions"].source = Source.OCR
    ex.fields["active.coercion.decisions"].confidence = 0.8
    validate(ex)
    first = ex.model_dump()
    validate(ex)
    assert ex.model_dump() == first


def test_pipeline_keywords():
    ex = small_report()
    validate(ex, review_threshold=0.95, pages=[])
    assert ex.status == DocumentStatus.OK


def test_implausible_values_go_to_review():
    from decimal import Decimal

    ex = small_report()
    fee = ex.fields["fees.information_processing"]
    fee.value, fee.raw, fee.source, fee.evidence = Decimal("120.150"), "120.150", Source.OCR, {"ocr": 0.999}
    validate(ex)
    assert fee.status == FieldStatus.REVIEW and fee.confidence <= 0.5
    assert fee.value == Decimal("120.150")
    fee.raw, fee.value = "120.15", Decimal("120.15")
    validate(ex)
    assert fee.status == FieldStatus.OK


def _check(fields: list[str], status: CheckStatus) -> Check:
    return Check(relation="r", rule="sum", description="d", fields=fields, values={k: 0 for k in fields}, status=status)


def test_a_relation_holding_among_two_shaky_readings_vouches_for_none():
    """Two misreads of one kind agree with each other (a / under a seal's arc read 1, its row's
    total crossed too read 1: the row's sum holds). A relation with two or more values read under
    ``SHAKY_OCR`` counts for none of its values; with one, it counts as before."""
    checks = [_check(["a", "b", "c"], CheckStatus.OK), _check(["a", "d"], CheckStatus.OK),
              _check(["b", "c"], CheckStatus.BROKEN)]
    sup = supports(checks, {}, {"a", "b"})
    assert sup["a"].n_ok == 1 and sup["d"].n_ok == 1  # only the relation with one shaky value
    assert "c" not in sup or sup["c"].n_ok == 0
    assert sup["b"].n_ok == 0 and sup["b"].n_broken == 1  # a broken relation still breaks
    assert supports(checks, {})["a"].n_ok == 2


def test_shaky_readings_that_only_agree_with_each_other_are_reviewed():
    keys = ["applications.granted.natural_person", "applications.granted.total",
            "applications.closed_total.natural_person", "applications.closed_total.total"]
    for score, status in ((0.64, FieldStatus.REVIEW), (0.99, FieldStatus.OK)):
        ex = small_report()
        for k in keys:
            f = ex.fields[k]
            f.source, f.evidence = Source.OCR, {"ocr": score}
        validate(ex)
        assert ex.fields["applications.granted.natural_person"].status == status, score
        assert ex.fields["applications.granted.total"].status == status, score
    assert SHAKY_OCR > 0.64
