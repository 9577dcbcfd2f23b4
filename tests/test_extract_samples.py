"""End to end on the project's own samples: committed ones, the seed report, and fresh ones.

Text-layer reports must come out exact, field by field (scans: tests/test_scan_end_to_end.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, SAMPLES, load_truth
from extractor import extract
from helpers_compare import mismatches
from models import DocumentStatus, Layout

TEXT_SAMPLES = sorted(p for p in SAMPLES.glob("*.pdf") if not p.stem.endswith("-scan"))
SCAN_SAMPLES = sorted(p for p in SAMPLES.glob("*-scan.pdf"))


def test_committed_samples_cover_both_layouts_and_scans():
    layouts = {json.loads(p.with_name(p.stem + ".truth.json").read_text())["meta"]["layout"] for p in TEXT_SAMPLES}
    assert layouts == {"2019", "2021"}
    assert SCAN_SAMPLES, "samples/ should hold scanned reports"
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) <= 5 * 1024 * 1024


@pytest.mark.parametrize("pdf", TEXT_SAMPLES, ids=lambda p: p.stem)
def test_committed_text_sample_exact(pdf):
    result = extract(pdf)
    assert result.status != DocumentStatus.FAILED, result.errors
    assert mismatches(result, load_truth(pdf)) == []


def test_seed_sample_matches_the_corpus_truth():
    """The seed report rebuilt from ../shared's text extracts to ../shared's truth file exactly."""
    truth_file = CORPUS / "seed_chaoyang-minzheng-2023.truth.json"
    if not truth_file.exists():
        pytest.skip(f"the shared corpus is absent: {truth_file} not found")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))["fields"]
    result = extract(SAMPLES / "seed_chaoyang-minzheng-2023.pdf")
    assert mismatches(result, truth) == []
    assert result.report.layout == Layout.L2021


@pytest.fixture(scope="module")
def fresh_samples(tmp_path_factory):
    """Reports generated now from seeds the committed set does not use."""
    from scripts.samplegen.build import write_report
    from scripts.samplegen.content import generate_report

    out = tmp_path_factory.mktemp("fresh")
    paths = []
    for seed in range(500, 506):
        report = generate_report(seed)
        report.name = f"fresh-{seed}"
        paths.append(write_report(report, out).path)
    return paths


def test_fresh_generated_text_reports_exact(fresh_samples):
    wrong: dict[str, list[str]] = {}
    layouts = set()
    for pdf in fresh_samples:
        result = extract(pdf)
        layouts.add(result.report.layout)
        bad = mismatches(result, load_truth(Path(pdf)))
        if bad:
            wrong[Path(pdf).name] = bad[:5]
    assert wrong == {}
    assert layouts == {Layout.L2019, Layout.L2021}
