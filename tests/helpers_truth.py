"""Build an ``Extraction`` from a corpus truth file (``{"fields": {KEY: printed}, "meta": {...}}``)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from models.extraction import Extraction, Field, ReportMeta, Source
from models.fields import Layout, ValueType, spec_for

CORPUS = Path("/work/shared/corpus")
HONGZE_2023 = CORPUS / "huaian-hongze-district-gov_2023.truth.json"
HONGZE_2024 = CORPUS / "huaian-hongze-district-gov_2024.truth.json"
SEED = CORPUS / "seed_chaoyang-minzheng-2023.truth.json"

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared corpus /work/shared/corpus is absent (truth files are not copied into the repo)"
)


def typed_value(key: str, value: object) -> int | Decimal | str | None:
    """A truth value in the type the field registry declares (decimals exactly, via str)."""
    if value is None:
        return None
    kind = spec_for(key).type
    if kind == ValueType.INT:
        return int(value)
    if kind == ValueType.DECIMAL:
        return Decimal(str(value))
    return str(value)


def extraction_from_truth(path: str | Path, source: Source = Source.TEXT) -> Extraction:
    """An Extraction whose fields are the truth file's printed values (text-layer fields by default)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    meta = data.get("meta", {})
    fields: dict[str, Field] = {}
    for key, value in data["fields"].items():
        v = typed_value(key, value)
        raw = "" if v is None else (format(v, "f") if isinstance(v, Decimal) else str(v))
        fields[key] = Field(key=key, value=v, raw=raw, source=source)
    agency = data["fields"].get("report.agency")
    year = data["fields"].get("report.year")
    report = ReportMeta(
        agency=agency,
        year=int(year) if year is not None else None,
        layout=Layout(str(meta.get("layout", "2021"))),
        path=meta.get("source"),
    )
    return Extraction(report=report, fields=fields)
