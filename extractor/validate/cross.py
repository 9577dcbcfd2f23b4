"""Checks across two reports of the same agency: this year against last year.

``cross_checks`` evaluates ``models.relations.cross_relations()``: the carry chain (this year's
上年结转 = last year's 结转下年度, hard) and the in-force chain (现行有效 − 本年制发 + 本年废止 ≈ last
year's 现行有效, soft: severity warning). A report whose table 二 is in the 2019 format counts its
stock as 对外公开总数量 (``public_total``) and this year's addition as 本年新公开数量: the variant
of the chain that fits both reports' table-二 layouts is the one evaluated.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from models.extraction import Check, CheckStatus, Extraction
from models.relations import RULES, cross_relations

from extractor.validate.values import as_fraction, as_number, for_json

LAST_YEAR = "last_year:"  # prefix of last year's keys in Check.fields / Check.values

_BRACKETS = "()[]{}<>（）【】〔〕［］｛｝〈〉《》「」『』"
_PROVINCE = re.compile(r"^(?:[^省市区县]{2,7}?省|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区|新疆维吾尔自治区)")
_PREFECTURE = re.compile(r"^[^省市区县局委办厅]{2,9}?(?:自治州|地区|盟|市)")
# a county-level name: short, and not itself an office (局, 委, 办, …)
_COUNTY = re.compile(r"^[^省市区县局委办厅部院府会处室司所站中心政]{1,6}?(?:自治县|自治旗|区|县|旗)")


def normalize_agency(name: str | None) -> str:
    """A comparable form of an agency name.

    Rule: NFKC (full-width → half-width), drop all whitespace and bracket characters (the text
    inside brackets is kept), then strip a leading higher-level place name: a province
    (…省 / …自治区) when a prefecture or county name follows, and a prefecture (…市 / …自治州 /
    …地区 / …盟) when a county-level name (…区 / …县 / …旗) follows and something remains
    after it. So 淮安市洪泽区人民政府 → 洪泽区人民政府 and 江苏省淮安市洪泽区人民政府 → 洪泽区人民政府,
    while 朝阳市民政局 and 淮安市人民政府 stay as they are (no county name follows the 市), and
    江苏省人民政府 keeps its province (nothing would be left).
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"\s+", "", s)
    s = "".join(ch for ch in s if ch not in _BRACKETS)
    m = _PROVINCE.match(s)
    if m:
        rest = s[m.end() :]
        if _PREFECTURE.match(rest) or _COUNTY.match(rest):
            s = rest
    m = _PREFECTURE.match(s)
    if m:
        rest = s[m.end() :]
        c = _COUNTY.match(rest)
        if c and c.end() < len(rest):
            s = rest
    return s


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}


def same_agency(a: str | None, b: str | None) -> bool | float:
    """Whether two printed agency names are the same agency.

    ``True`` when their ``normalize_agency`` forms are equal; ``False`` when either is empty or the
    names share little. Otherwise a similarity in (0, 1): 0.9 when one normalised name ends with the
    other (a place prefix the rule did not strip, e.g. 北京市朝阳区民政局 ~ 朝阳区民政局 after a
    province), else the Dice coefficient of their character bigrams when it is at least 0.5.
    """
    na, nb = normalize_agency(a), normalize_agency(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    short, long = sorted((na, nb), key=len)
    if len(short) >= 4 and long.endswith(short):
        return 0.9
    ba, bb = _bigrams(na), _bigrams(nb)
    dice = 2 * len(ba & bb) / (len(ba) + len(bb))
    return round(dice, 3) if dice >= 0.5 else False


def cross_checks(this_year: Extraction, last_year: Extraction) -> list[Check]:
    """Evaluate every cross-document relation of ``this_year`` against ``last_year``.

    Missing terms give status ``missing``. Last year's key appears in ``fields``/``values`` with
    the prefix ``last_year:``. The caller decides the pairing (``same_agency``, years); nothing
    here refuses a pair.
    """
    out: list[Check] = []
    this_active, last_active = this_year.table_layouts().active, last_year.table_layouts().active
    for rel in cross_relations():
        if rel.this_layout not in (None, this_active) or rel.last_layout not in (None, last_active):
            continue  # a variant for another pair of table-二 layouts
        rule = RULES[rel.rule]
        this_vals = {k: as_number(this_year.value(k)) for k in rel.this_year}
        prev = as_number(last_year.value(rel.last_year))
        values: dict[str, float | int | None] = {k: for_json(v) for k, v in this_vals.items()}
        prev_key = LAST_YEAR + rel.last_year
        values[prev_key] = for_json(prev)
        lhs = rhs = diff = None
        if prev is None or any(v is None for v in this_vals.values()):
            status = CheckStatus.MISSING
        else:
            left = sum((s * as_fraction(this_vals[k]) for k, s in zip(rel.this_year, rel.signs)), Fraction(0))
            right = as_fraction(prev)
            lhs, rhs, diff = for_json(left), for_json(right), for_json(left - right)
            status = CheckStatus.OK if abs(left - right) <= rel.tolerance else CheckStatus.BROKEN
        out.append(
            Check(
                relation=rel.id,
                rule=rel.rule,
                description=rule.description,
                severity=rule.severity.value,
                fields=[*rel.this_year, prev_key],
                values=values,
                lhs=lhs,
                rhs=rhs,
                difference=diff,
                status=status,
            )
        )
    return out
