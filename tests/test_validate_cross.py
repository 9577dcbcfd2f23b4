"""Cross-document checks and agency matching."""

from __future__ import annotations

import pytest

from models.extraction import CheckStatus

from extractor.validate import cross_checks, normalize_agency, same_agency

from test_validate_checks import small_report


@pytest.mark.parametrize(
    "name,norm",
    [
        ("淮安市洪泽区人民政府", "洪泽区人民政府"),
        ("江苏省淮安市洪泽区人民政府", "洪泽区人民政府"),
        (" 洪泽区 人民政府 ", "洪泽区人民政府"),
        ("洪泽区人民政府（本级）", "洪泽区人民政府本级"),
        ("朝阳市民政局", "朝阳市民政局"),
        ("淮安市人民政府", "淮安市人民政府"),
        ("江苏省人民政府", "江苏省人民政府"),
        ("淮安市城市管理局", "淮安市城市管理局"),
        ("淮安市市场监督管理局", "淮安市市场监督管理局"),
        ("北京市朝阳区民政局", "朝阳区民政局"),
        ("ＸＸ县教育局", "XX县教育局"),
    ],
)
def test_normalize_agency(name, norm):
    assert normalize_agency(name) == norm


def test_same_agency():
    assert same_agency("洪泽区人民政府", "淮安市洪泽区人民政府") is True
    assert same_agency("洪泽区人民政府", "洪泽区民政局") is not True
    assert same_agency("朝阳市民政局", "淮安市洪泽区人民政府") is False
    assert same_agency("", "洪泽区人民政府") is False
    assert 0 < same_agency("江苏淮安洪泽区人民政府", "洪泽区人民政府") < 1


def test_carry_chain_and_in_force_chain():
    last = small_report(applications__carried_forward__natural_person=2, applications__carried_forward__total=2)
    this = small_report(applications__carried_over__natural_person=2, applications__carried_over__total=2)
    for ex in (last, this):
        ex.fields["active.normative_documents.in_force"].value = 10
    this.fields["active.normative_documents.issued"].value = 3
    this.fields["active.normative_documents.repealed"].value = 1
    checks = {c.relation: c for c in cross_checks(this, last)}
    assert checks["carry-chain:natural_person"].status == CheckStatus.OK
    assert checks["carry-chain:total"].values["last_year:applications.carried_forward.total"] == 2
    assert checks["carry-chain:natural_person"].severity == "error"
    # 10 - 3 + 1 = 8 ≠ 10: the soft chain is broken, a warning
    nd = checks["in-force-chain:normative_documents"]
    assert nd.status == CheckStatus.BROKEN and nd.severity == "warning" and nd.difference == -2
    this.fields["applications.carried_over.total"].value = 5
    assert {c.relation: c for c in cross_checks(this, last)}["carry-chain:total"].status == CheckStatus.BROKEN
    del last.fields["applications.carried_forward.other_org"]
    assert {c.relation: c for c in cross_checks(this, last)}["carry-chain:other_org"].status == CheckStatus.MISSING
