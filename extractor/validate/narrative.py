"""Numbers stated plainly in the prose, compared with the tables (rule ``narrative``, severity info).

Conservative patterns only — a sentence must name the quantity and give the number with its unit:

- 共收到/受理/新收 … 申请 N 件        → ``applications.received.total`` (also accepted: received + carried over,
  which some reports mean by 受理)
- 行政复议 N 件[，其中(结果)维持 a 件、纠正 b 件、尚未审结 c 件] → ``review.total`` (and the parts)
- 行政诉讼 N 件                       → ``litigation_direct.total`` + ``litigation_after_review.total``
- 未发生/未产生 … 行政复议[和行政诉讼]  → those totals are 0
- (收取)信息处理费 N 元 / N 万元; 未收取 … 信息处理费 → ``fees.information_processing``

The prose is normalised (NFKC, whitespace removed) and read as one string, so numbers broken over
wrapped lines are still found.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

from models.extraction import Check, CheckStatus, Extraction
from models.relations import RULES

from extractor.validate.values import as_fraction, as_number, for_json

_D = r"[,，。；;：:！!？?（）()]"  # a clause ends at any of these
_NUM = r"(?P<n>\d+(?:\.\d+)?)"

_RECEIVED = re.compile(
    r"(?:收到|受理|新收|接收|接到)(?P<mid>[^\d,，。；;：:（）()]{0,18}?申请[^\d,，。；;：:（）()]{0,6}?)"
    r"(?:共|总计|合计|共计)?" + _NUM + r"件"
)
_REVIEW = re.compile(r"行政复议(?:案件|申请)?(?:共|共计|合计)?" + _NUM + r"件(?P<rest>[^。；;]*)")
_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共|共计|合计)?" + _NUM + r"件")
_REVIEW_PARTS = {
    "review.upheld": re.compile(r"(?:结果)?维持(?:原(?:行政)?(?:决定|行为))?" + _NUM + r"件"),
    "review.corrected": re.compile(r"(?:结果)?纠正" + _NUM + r"件"),
    "review.pending": re.compile(r"尚未审结" + _NUM + r"件"),
}
_NONE_REVIEW = re.compile(
    r"(?:未|没有)(?:发生|产生|收到|出现|有)[^\d,，。；;]{0,14}?行政复议(?P<lit>[和及、与或]行政诉讼)?"
)
_NONE_LITIGATION = re.compile(r"(?:未|没有)(?:发生|产生|收到|出现|有)[^\d,，。；;复议]{0,14}?行政诉讼")
_FEE = re.compile(r"信息处理费(?:共|合计|总计|共计)?" + _NUM + r"(?P<wan>万)?元")
_NO_FEE = re.compile(r"(?:未|没有|不)(?:收取|收缴)[^\d,，。；;]{0,12}?信息处理费")

_LITIGATION_KEYS = ("litigation_direct.total", "litigation_after_review.total")


def normalise(lines: list[str]) -> str:
    text = unicodedata.normalize("NFKC", "".join(lines))
    return re.sub(r"\s+", "", text)


def _statements(text: str) -> list[tuple[tuple[str, ...], Decimal, str, tuple[tuple[str, ...], ...]]]:
    """(keys summed, stated number, snippet, other acceptable key sets) found in the prose."""
    out = []
    for m in _RECEIVED.finditer(text):
        mid = m.group("mid")
        if any(w in mid for w in ("结转", "复议", "诉讼", "其中")):
            continue
        out.append(
            (
                ("applications.received.total",),
                Decimal(m.group("n")),
                m.group(0),
                (("applications.received.total", "applications.carried_over.total"),),
            )
        )
    for m in _REVIEW.finditer(text):
        if text[max(0, m.start() - 3) : m.start()].endswith(("未", "没有")):
            continue
        out.append((("review.total",), Decimal(m.group("n")), m.group(0)[:40], ()))
        rest = m.group("rest")
        rest = re.split(r"行政诉讼", rest)[0]
        if rest.startswith(("，其中", ",其中", "其中")):
            for key, pat in _REVIEW_PARTS.items():
                pm = pat.search(rest)
                if pm:
                    out.append(((key,), Decimal(pm.group("n")), m.group(0)[:40], ()))
    for m in _LITIGATION.finditer(text):
        out.append((_LITIGATION_KEYS, Decimal(m.group("n")), m.group(0), ()))
    for m in _NONE_REVIEW.finditer(text):
        out.append((("review.total",), Decimal(0), m.group(0), ()))
        if m.group("lit"):
            out.append((_LITIGATION_KEYS, Decimal(0), m.group(0), ()))
    for m in _NONE_LITIGATION.finditer(text):
        out.append((_LITIGATION_KEYS, Decimal(0), m.group(0), ()))
    for m in _FEE.finditer(text):
        amount = Decimal(m.group("n")) * (10000 if m.group("wan") else 1)
        out.append((("fees.information_processing",), amount, m.group(0), ()))
    for m in _NO_FEE.finditer(text):
        out.append((("fees.information_processing",), Decimal(0), m.group(0), ()))
    return out


def _table_sum(extraction: Extraction, keys: tuple[str, ...]) -> Fraction | None:
    total = Fraction(0)
    for k in keys:
        v = as_number(extraction.value(k))
        if v is None:
            return None
        total += as_fraction(v)
    return total


def narrative_checks(extraction: Extraction, prose: list[str]) -> list[Check]:
    """Compare the numbers the prose states with the table (one Check per distinct statement)."""
    text = normalise(prose)
    checks: list[Check] = []
    seen: set[tuple[tuple[str, ...], Decimal]] = set()
    for keys, stated, snippet, also in _statements(text):
        if (keys, stated) in seen:
            continue
        seen.add((keys, stated))
        table = _table_sum(extraction, keys)
        values = {k: for_json(as_number(extraction.value(k))) for k in keys}
        if table is None:
            status, diff = CheckStatus.MISSING, None
        else:
            ok = table == Fraction(stated)
            for alt in also:
                alt_sum = _table_sum(extraction, alt)
                ok = ok or (alt_sum is not None and alt_sum == Fraction(stated))
            status = CheckStatus.OK if ok else CheckStatus.BROKEN
            diff = for_json(Fraction(stated) - table)
        checks.append(
            Check(
                relation=f"narrative:{'+'.join(keys)}",
                rule="narrative",
                description=f"{RULES['narrative'].description}: 「{snippet}」",
                severity=RULES["narrative"].severity.value,
                fields=list(keys),
                values=values,
                lhs=for_json(stated),
                rhs=for_json(table) if table is not None else None,
                difference=diff,
                status=status,
            )
        )
    return checks
