"""Generated documents for calibration and benchmarking (seed-deterministic, no real data needed).

``consistent_values``: random counts satisfying every relation of a layout, derived from
``models.relations`` only: the first lhs term of each relation (a total, （七）总计, 本年新收) is
derived, every other relation cell is drawn, then the relations are solved one unknown at a time
and a draw with a negative derived cell is rejected.

``read`` simulates a recogniser reading printed values: per-character scores, alternatives and
single-typo misreads of the kinds in ``typos`` (the true reading among the alternatives in some
cases, not in others).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field as dc_field
from decimal import Decimal

from models.extraction import Alternative, Extraction, Field, ReportMeta, Source
from models.fields import Layout, ValueType, registry
from models.relations import relations

from extractor.validate import typos

_ROW_WEIGHT = {
    "granted": 0.35, "partially_granted": 0.12, "unavailable.not_held": 0.25, "not_processed.complaints": 0.05,
    "not_processed.repeated": 0.05, "denied.process_information": 0.03, "denied.third_party_rights": 0.02,
    "unavailable.requires_creation": 0.03, "unavailable.still_unclear": 0.03, "other.other": 0.04,
    "other.total": 0.06, "other.no_supplement": 0.02,
}
_COL_WEIGHT = {
    "natural_person": 0.85, "commercial_enterprise": 0.08, "research_institution": 0.005,
    "public_interest_org": 0.01, "legal_service_org": 0.04, "other_org": 0.03,
}


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, int(round(rng.gauss(lam, lam ** 0.5))))
    # Knuth
    import math

    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _draw(rng: random.Random, key: str, scale: float) -> int:
    parts = key.split(".")
    if parts[0] == "applications":
        row, col = ".".join(parts[1:-1]), parts[-1]
        cw = _COL_WEIGHT.get(col, 0.01)
        if row in ("carried_over", "carried_forward"):
            return _poisson(rng, 0.04 * scale * cw)
        return _poisson(rng, scale * _ROW_WEIGHT.get(row, 0.005) * cw)
    if parts[0] in ("review", "litigation_direct", "litigation_after_review"):
        w = {"upheld": 0.6, "corrected": 0.1, "other": 0.15, "pending": 0.15}.get(parts[1], 0.1)
        return _poisson(rng, scale ** 0.5 * 0.3 * w)
    return _poisson(rng, scale * 0.1)


def consistent_values(rng: random.Random, layout: Layout = Layout.L2021) -> dict[str, object]:
    """Every field of the layout, the relation cells satisfying all relations."""
    rels = relations(layout)
    derived = {r.lhs[0] for r in rels}
    cells = sorted({k for r in rels for k in r.keys})
    while True:
        scale = 10 ** rng.uniform(0, 3.6)
        vals: dict[str, int] = {k: _draw(rng, k, scale) for k in cells if k not in derived}
        changed = True
        while changed:
            changed = False
            for r in rels:
                unknown = [k for k in r.keys if k not in vals]
                if len(unknown) != 1:
                    continue
                u = unknown[0]
                lhs = sum(vals.get(k, 0) for k in r.lhs)
                rhs = sum(vals.get(k, 0) for k in r.rhs)
                vals[u] = (rhs - lhs) if u in r.lhs else (lhs - rhs)
                changed = True
        if len(vals) == len(cells) and min(vals.values()) >= 0 and all(
            sum(vals[k] for k in r.lhs) == sum(vals[k] for k in r.rhs) for r in rels
        ):
            break
    out: dict[str, object] = {}
    for spec in registry(layout):
        if spec.key in vals:
            out[spec.key] = vals[spec.key]
        elif spec.key == "report.agency":
            out[spec.key] = rng.choice(["洪泽区人民政府", "朝阳市民政局", "某某县教育局", "某某市自然资源局"])
        elif spec.key == "report.year":
            out[spec.key] = rng.choice([2021, 2022, 2023, 2024])
        elif spec.type == ValueType.DECIMAL:
            out[spec.key] = Decimal(rng.choice([0, 0, 0, rng.randint(1, 999999)])) / 100
        else:
            out[spec.key] = rng.choice([0, 0, _poisson(rng, scale * 0.5), rng.randint(0, 40)])
    return out


def printed_text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != 0 else "0"
    return str(value)


def misread(rng: random.Random, text: str) -> tuple[str, str, int] | None:
    """One single-typo misread of ``text`` (digits): (printed, kind, position) or None if none fits."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return None
    for _ in range(20):
        kind = rng.choices(["sub", "drop", "double", "swap"], [0.6, 0.15, 0.15, 0.1])[0]
        k = rng.choice(digits)
        if kind == "sub":
            pairs = [(b, w) for (a, b), w in typos.CONFUSION.items() if a == text[k]]
            if pairs and rng.random() < 0.8:
                d = rng.choices([b for b, _ in pairs], [w for _, w in pairs])[0]
            else:
                d = rng.choice([c for c in "0123456789" if c != text[k]])
            out = text[:k] + d + text[k + 1 :]
        elif kind == "drop":
            out = text[:k] + text[k + 1 :]
        elif kind == "double":
            out = text[: k + 1] + text[k] + text[k + 1 :]
        else:
            if k + 1 >= len(text) or not text[k + 1].isdigit() or text[k] == text[k + 1]:
                continue
            out = text[:k] + text[k + 1] + text[k] + text[k + 2 :]
        if out and out != text and any(c.isdigit() for c in out) and not out.startswith("."):
            if len(out) > 1 and out.startswith("0") and not out.startswith("0."):
                continue
            return out, kind, k
    return None


def _parse(text: str, kind: ValueType) -> object:
    if kind == ValueType.DECIMAL:
        return Decimal(text)
    return int(text.replace(".", "")) if text else 0


@dataclass
class Reading:
    field: Field
    truth: object
    misread: bool = False


@dataclass
class SimDoc:
    extraction: Extraction
    truth: dict[str, object]
    misread: list[str] = dc_field(default_factory=list)


def read_field(
    rng: random.Random, key: str, value: object, kind: ValueType, *, wrong: bool, alt_rate: float = 0.6
) -> Field:
    """An OCR Field for a printed value, misread (one typo) when ``wrong``."""
    if kind == ValueType.TEXT:
        return Field(key=key, value=value, raw=str(value), source=Source.OCR, char_scores=[0.99] * len(str(value)))
    true_text = printed_text(value)
    text, pos = true_text, None
    if wrong:
        m = misread(rng, true_text)
        if m is not None:
            text, _, pos = m
    n = len(text)
    scores = [1 - rng.betavariate(1, 80) for _ in range(n)]
    for i in range(n):
        if rng.random() < 0.03:  # a noisy but right character
            scores[i] = rng.uniform(0.55, 0.95)
    alts: list[Alternative] = []
    if text != true_text:
        confident = rng.random() < 0.2  # a confident misread: nothing tells it apart
        if not confident and pos is not None:
            for i in {min(pos, n - 1), min(pos + 1, n - 1)} if n else set():
                scores[i] = min(scores[i], rng.uniform(0.3, 0.9))
        if rng.random() < alt_rate:
            alts.append(Alternative(text=true_text, score=round(rng.uniform(0.05, 0.45), 3)))
    if rng.random() < (0.5 if text != true_text else 0.15):
        v = typos.variants(text)
        if v:
            d = rng.choice(v[:8])[0]
            if d != true_text:
                alts.append(Alternative(text=d, score=round(rng.uniform(0.01, 0.2), 3)))
    alts.sort(key=lambda a: -a.score)
    return Field(
        key=key, value=_parse(text, kind), raw=text, source=Source.OCR,
        char_scores=[round(s, 4) for s in scores], alternatives=alts,
    )


def simulate(
    rng: random.Random,
    truth: dict[str, object],
    layout: Layout,
    *,
    ocr: bool = True,
    error_rate: float = 0.01,
    structure_error_rate: float = 0.002,
    wrong: set[str] | None = None,
) -> SimDoc:
    """Read a document whose printed values are ``truth``.

    OCR: every cell misread with ``error_rate`` (or exactly the cells in ``wrong`` when given).
    Both sources: with ``structure_error_rate`` a numeric cell takes a neighbouring row's value
    (a mapping error), its structure/label evidence then usually lowered.
    """
    specs = {s.key: s for s in registry(layout)}
    fields: dict[str, Field] = {}
    bad: list[str] = []
    keys = [k for k in truth if k in specs]
    for key in keys:
        spec = specs[key]
        value = truth[key]
        if ocr:
            is_wrong = (key in wrong) if wrong is not None else rng.random() < error_rate
            f = read_field(rng, key, value, spec.type, wrong=is_wrong)
        else:
            f = Field(key=key, value=value, raw=printed_text(value), source=Source.TEXT)
        f.evidence["structure"] = round(1 - rng.betavariate(1, 150), 4)
        f.evidence["label"] = round(1 - rng.betavariate(1, 150), 4)
        if wrong is None and spec.type != ValueType.TEXT and rng.random() < structure_error_rate:
            # mapped from a neighbouring row of the same column
            same_col = [k for k in keys if k != key and specs[k].column_key == spec.column_key and specs[k].table == spec.table]
            if same_col:
                other = rng.choice(same_col)
                f.value, f.raw = truth[other], printed_text(truth[other])
                if rng.random() < 0.7:
                    f.evidence["structure"] = round(rng.uniform(0.3, 0.9), 4)
                if rng.random() < 0.5:
                    f.evidence["label"] = round(rng.uniform(0.3, 0.9), 4)
        if f.value != value:
            bad.append(key)
        fields[key] = f
    meta = ReportMeta(agency=str(truth.get("report.agency", "")), year=truth.get("report.year"), layout=layout)
    return SimDoc(extraction=Extraction(report=meta, fields=fields), truth=dict(truth), misread=bad)


def author_error(rng: random.Random, truth: dict[str, object], layout: Layout) -> tuple[dict[str, object], str]:
    """The printed values of a document whose author got one total wrong (a typo, or a 0)."""
    rels = relations(layout)
    key = rng.choice(sorted({r.lhs[0] for r in rels}))
    printed = dict(truth)
    text = printed_text(truth[key])
    m = misread(rng, text) if rng.random() < 0.6 else None
    new = int(m[0]) if m else (0 if truth[key] else rng.randint(1, 9))
    if new == truth[key]:
        new = truth[key] + 1
    printed[key] = new
    return printed, key
