"""The sample report generator (scripts/samplegen): determinism, truth shape, relations, PDFs."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pdfplumber
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.fields import (  # noqa: E402
    APPLICANT_COLUMNS,
    LITIGATION_COLUMNS,
    LITIGATION_GROUPS,
    Layout,
    TableLayouts,
    registry,
)
from scripts.samplegen.build import SAMPLE_SET, write_report, write_scan  # noqa: E402
from scripts.samplegen.content import (  # noqa: E402
    ZERO_STYLES,
    generate_report,
    relation_failures,
    truth_dict,
    write_truth,
)
from scripts.samplegen.render import render_pdf  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "samples"


def _squash(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def test_same_seed_same_truth_and_pdf(tmp_path: Path) -> None:
    a, b = generate_report(11), generate_report(11)
    write_truth(a, tmp_path / "a.json")
    write_truth(b, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    render_pdf(a, tmp_path / "a.pdf")
    render_pdf(b, tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert truth_dict(generate_report(12)) != truth_dict(a)


@pytest.mark.parametrize("layout", [Layout.L2021, Layout.L2019])
def test_truth_keys_are_the_registry(layout: Layout) -> None:
    for seed in range(8):
        truth = truth_dict(generate_report(seed, layout=layout, active_layout=layout))  # unmixed
        keys = set(truth["fields"])
        required = {f.key for f in registry(layout) if not f.optional}
        assert required <= keys <= {f.key for f in registry(layout)}
        assert truth["meta"]["layout"] == layout.value
        assert list(truth["fields"]) == [f.key for f in registry(layout) if f.key in keys]  # registry order
        assert isinstance(truth["fields"]["report.year"], int)
        assert isinstance(truth["fields"]["report.agency"], str)
        for key, val in truth["fields"].items():
            if key.startswith(("applications.", "review.", "litigation_")) or key.endswith((".issued", ".decisions")):
                assert isinstance(val, int) and val >= 0, key
    if layout == Layout.L2019:
        assert "applications.other.total.total" in keys and "applications.other.other.total" not in keys
    else:
        assert "applications.other.total.total" not in keys and "applications.other.fee_unpaid.total" in keys


def test_relations_hold_except_declared_inconsistencies() -> None:
    seen_wrong = 0
    for seed in range(40):
        report = generate_report(seed)
        failing = relation_failures(report.values, report.layout)
        declared = report.meta["printed_inconsistencies"]
        if not declared:
            assert failing == [], (seed, failing)
            continue
        seen_wrong += 1
        assert failing and set(failing) == set(report.meta["broken_relations"])
        for detail in report.meta["inconsistency_details"]:
            assert detail["key"] in declared and detail["relations"]
    assert seen_wrong  # the generator does make some
    forced = generate_report(5, inconsistencies=2)
    assert len(forced.meta["printed_inconsistencies"]) == 2
    assert relation_failures(forced.values, forced.layout)


def test_zero_printed_any_way_is_zero_in_truth() -> None:
    report = generate_report(3, zero_style="—", zero_mix=0.3)
    styles = set()
    for key, text in report.printed.items():
        if report.values[key] == 0:
            assert text in ZERO_STYLES
            styles.add(text)
        else:
            assert float(text) == report.values[key]
    assert "—" in styles and len(styles) > 1


def test_pdf_text_layer_has_labels_and_numbers(tmp_path: Path) -> None:
    report = generate_report(21, layout="2021", break_row="denied.third_party_rights", zero_style="-", mistype_rate=0.2)
    rendered = write_report(report, tmp_path)
    pages3 = sorted({t["page"] for t in rendered.tables if t["table"] == "三"})
    assert len(pages3) == 2  # table 三 broken across pages
    rows: list[list[str | None]] = []
    text = ""
    with pdfplumber.open(rendered.path) as pdf:
        assert len(pdf.pages) == rendered.pages
        for page in pdf.pages:
            text += page.extract_text() + "\n"
            for table in page.extract_tables():
                rows.extend(table)
    for line in report.title_lines:
        assert line in text
    assert report.sections["三"][0] in text
    # every row of table 三: its printed label, then its seven printed values
    n = len(APPLICANT_COLUMNS)
    for key, label in report.row_labels.items():
        match = [r for r in rows if len(r) >= n + 1 and _squash(label) in [_squash(c) for c in r[:-n]]]
        assert match, label
        expected = [report.printed[f"applications.{key}.{c.key}"] for c in APPLICANT_COLUMNS]
        assert [c or "" for c in match[0][-n:]] == expected, label
    # table 四: one row of 15 values
    lit = [report.printed[f"{g.key}.{c.key}"] for g in LITIGATION_GROUPS for c in LITIGATION_COLUMNS]
    assert any([c or "" for c in r] == lit for r in rows if len(r) == len(lit))
    # table 二
    for key in ("active.licensing.decisions", "active.normative_documents.in_force"):
        assert any(_squash(report.printed[key]) == _squash(c) for r in rows for c in r if c is not None)


def test_scan_is_image_only_with_the_same_pages(tmp_path: Path) -> None:
    report = generate_report(8, layout="2019")
    rendered = write_report(report, tmp_path)
    out = write_scan(report, rendered, tmp_path, seed=8, dpi=100, rotate_page=True)
    truth = json.loads((out.parent / f"{out.stem}.truth.json").read_text(encoding="utf-8"))
    assert truth["fields"] == truth_dict(report)["fields"]
    meta = truth["meta"]
    assert meta["scan"] is True and meta["dpi"] == 100 and len(meta["skew_degrees"]) == rendered.pages
    assert all(abs(a) <= 3 for a in meta["skew_degrees"])
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == rendered.pages
        assert all(not p.chars for p in pdf.pages)
        assert all(p.images for p in pdf.pages)
        rot = meta["rotated_pages"][0] - 1
        assert pdf.pages[rot].width > pdf.pages[rot].height
    assert 35 <= meta["jpeg_quality"] <= 70


@pytest.mark.skipif(not (CORPUS / "seed_chaoyang-minzheng-2023.txt").exists(), reason="no corpus")
def test_seed_report_matches_the_corpus_truth(tmp_path: Path) -> None:
    from scripts.samplegen.seed import SEED_NAME, build_seed_report

    report, rendered = build_seed_report(CORPUS, tmp_path)
    truth = CORPUS / f"{SEED_NAME}.truth.json"
    assert (tmp_path / f"{SEED_NAME}.truth.json").read_bytes() == truth.read_bytes()
    assert truth_dict(report) == json.loads(truth.read_text(encoding="utf-8"))
    with pdfplumber.open(rendered.path) as pdf:
        text = "".join(p.extract_text() for p in pdf.pages)
    assert "朝阳市民政局" in text and "2023年度政府信息公开工作年度报告" in text and "收取信息处理费0元" in text


def test_committed_samples_have_truth_beside_them() -> None:
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    names = {p.stem for p in pdfs}
    assert "seed_chaoyang-minzheng-2023" in names
    for entry in SAMPLE_SET:
        assert entry["name"] in names
        if "scan" in entry:
            assert f"{entry['name']}-scan" in names
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) <= 5 * 1024 * 1024
    for pdf in pdfs:
        truth = json.loads((SAMPLES / f"{pdf.stem}.truth.json").read_text(encoding="utf-8"))
        layout = TableLayouts.of_record(truth["meta"].get("layouts"), truth["meta"]["layout"])  # mixed: per table
        required = {f.key for f in registry(layout) if not f.optional}
        assert required <= set(truth["fields"]) <= {f.key for f in registry(layout)}


def test_committed_truth_is_what_the_generator_writes(tmp_path: Path) -> None:
    entry = dict(SAMPLE_SET[-1])
    entry.pop("scan", None)
    report = generate_report(**entry)
    write_report(report, tmp_path)
    name = f"{entry['name']}.truth.json"
    assert (tmp_path / name).read_text(encoding="utf-8") == (SAMPLES / name).read_text(encoding="utf-8")
