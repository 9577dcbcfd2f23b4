"""Narrative checks: numbers stated in the prose against the tables (severity info)."""

from __future__ import annotations

from decimal import Decimal

from models.extraction import CheckStatus, DocumentStatus

from extractor.validate import narrative_checks, validate

from test_validate_checks import small_report


def by_key(checks):
    return {tuple(c.fields): c for c in checks}


def test_received_review_fees():
    ex = small_report(fees__information_processing=Decimal("0"))
    prose = [
        "2023年全区共收到政府信息公开申请5件，均在法定期限答复。",
        "本年度被申请行政复议3件，其中结果维持2件，结果纠正1件。",
        "全年收取政府信息公开信息处理费0元。",
    ]
    checks = by_key(narrative_checks(ex, prose))
    assert checks[("applications.received.total",)].status == CheckStatus.OK
    assert checks[("review.total",)].status == CheckStatus.OK
    assert checks[("review.upheld",)].lhs == 2 and checks[("review.upheld",)].status == CheckStatus.OK
    assert checks[("review.corrected",)].status == CheckStatus.OK
    assert checks[("fees.information_processing",)].status == CheckStatus.OK
    assert all(c.severity == "info" and c.rule == "narrative" for c in checks.values())


def test_mismatch_wrapped_lines_and_spaces():
    ex = small_report()
    prose = ["2023 年全区受理政府信息公开申请 2", "1 件，均在法定期限答复。"]
    c = by_key(narrative_checks(ex, prose))[("applications.received.total",)]
    assert c.status == CheckStatus.BROKEN and c.lhs == 21 and c.rhs == 5 and c.difference == 16


def test_none_statements_and_litigation():
    ex = small_report()
    checks = by_key(narrative_checks(ex, ["全年未产生行政复议和行政诉讼。", "未收取任何信息处理费。"]))
    assert checks[("review.total",)].status == CheckStatus.BROKEN  # the table says 3
    lit = checks[("litigation_direct.total", "litigation_after_review.total")]
    assert lit.status == CheckStatus.OK and lit.lhs == 0
    assert checks[("fees.information_processing",)].lhs == 0


def test_conservative():
    ex = small_report()
    prose = ["主动公开政府信息1136条。", "办理人大建议21件，政协提案3件。", "行政复议和行政诉讼情况见下表。"]
    assert narrative_checks(ex, prose) == []


def test_info_checks_do_not_send_to_review():
    ex = small_report()
    validate(ex, prose=["共收到政府信息公开申请7件。"])
    assert any(c.rule == "narrative" and c.status == CheckStatus.BROKEN for c in ex.checks)
    assert ex.status == DocumentStatus.OK
