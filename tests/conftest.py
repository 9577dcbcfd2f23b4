"""Shared fixtures: where the real corpus and the committed samples are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = ROOT / "samples"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"the shared corpus is absent: {path} not found (tests read ../shared/corpus)")
    return path


def sec_case(name: str) -> Path:
    """A hostile-input case from ../shared/cases/sec (skips with the reason when absent)."""
    path = SHARED / "cases" / "sec" / name
    if not path.exists():
        pytest.skip(f"the shared cases are absent: {path} not found (tests read ../shared/cases)")
    return path


@pytest.fixture(scope="module")
def report_pdf() -> Path:
    """A small text-layer report (committed sample)."""
    cands = sorted(p for p in SAMPLES.glob("gen-2021-*.pdf") if "scan" not in p.name)
    assert cands, "no committed text-layer sample"
    return cands[0]


def load_truth(pdf: Path) -> dict:
    return json.loads(pdf.with_name(pdf.name.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))["fields"]


@pytest.fixture
def corpus():
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus is absent: {CORPUS} not found")
    return CORPUS
