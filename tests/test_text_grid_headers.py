"""Rule-less reports (kinds no_rules, horizontal_only, vertical_only): tables 二 and 四 are read from
the text's alignment like table 三 — each table 二 block by its own column titles above its rows,
table 四 by its two-level header (group titles centred over their five columns). Generated inputs
(scripts/samplegen/wild.py) with truth; a seed not used while building this."""

from __future__ import annotations

import json

import pytest

from extractor import extract
from helpers_compare import as_plain, exact_or_flagged
from scripts.samplegen.wild import write_wild


@pytest.mark.parametrize("kind", ["no_rules", "horizontal_only", "vertical_only"])
def test_tables_two_and_four_read_without_rules(kind, tmp_path):
    pdf = write_wild(kind, 83, tmp_path)
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extract(pdf)
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    for prefix in ("active.", "review.", "litigation_direct.", "litigation_after_review."):
        keys = [k for k in truth if k.startswith(prefix)]
        got = [k for k in keys if k in result.fields and as_plain(result.fields[k].value) == as_plain(truth[k])]
        assert keys and len(got) == len(keys), (kind, prefix, sorted(set(keys) - set(got)))
    assert not any("has no column titles above it" in e.message for e in result.errors)


def test_2019_table_two_under_2021_table_three_horizontal_rules(tmp_path):
    """Rules between rows only, a 2019 table 二 over a 2021 table 三: table 二's format comes from its
    printed titles (not table 三's), and every key of that format is in the output."""
    from models.fields import registry
    from scripts.samplegen.build import write_report
    from scripts.samplegen.wild import wild_report

    report = wild_report("horizontal_only", 86, layout="2021", active_layout="2019")
    pdf = write_report(report, tmp_path).path
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
    result = extract(pdf)
    assert result.report.layouts["二"] == "2019" and result.report.layouts["三"] == "2021"
    right, unflagged = exact_or_flagged(result, truth)
    assert unflagged == []
    keys = {s.key for s in registry(report.layouts) if s.key.startswith("active.")}
    assert keys <= set(result.fields), sorted(keys - set(result.fields))
    active = [k for k in truth if k.startswith("active.")]
    assert sum(as_plain(result.fields[k].value) == as_plain(truth[k]) for k in active) >= len(active) - 1
