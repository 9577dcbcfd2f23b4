"""The left crop a prose line is probed with for a heading (四、) ends between glyphs, not
inside one (issue 13, 150 dpi): 六、其 cut inside 其 was read 六其 — no heading, and section
六's 信息处理费 was lost."""

from __future__ import annotations

import numpy as np

from extractor.ocr.prose import HEAD_EMS, ProseReader, ProseRow


def _reader(ink: np.ndarray, rows: list[ProseRow]) -> ProseReader:
    return ProseReader(rows, np.full(ink.shape, 255, np.uint8), ink, 30.0, 3, "needed", None)


def test_the_heading_probe_ends_in_the_gap_after_the_glyph_it_would_cut():
    h = 30
    ink = np.zeros((60, 400), np.uint8)
    # glyphs 30 px wide with 6 px gaps from x 10: the 3.2-em mark (x 106) falls inside the third
    for k in range(8):
        ink[15:45, 10 + 36 * k : 40 + 36 * k] = 255
    row = ProseRow(runs=[(10, 15, 298, 15 + h)])
    end = _reader(ink, [row])._probe_end(0)
    assert 10 + int(HEAD_EMS * h) < end <= 118 and not ink[15:45, end].any()


def test_touching_glyphs_or_a_short_line_keep_the_plain_probe():
    h = 30
    ink = np.zeros((60, 400), np.uint8)
    ink[15:45, 10:300] = 255  # no gap anywhere
    reader = _reader(ink, [ProseRow(runs=[(10, 15, 300, 45)]), ProseRow(runs=[(10, 15, 80, 45)])])
    assert reader._probe_end(0) == 10 + int(HEAD_EMS * h)
    assert reader._probe_end(1) == 80  # the whole line is shorter than the probe


def test_runs_grouped_into_lines_as_by_holding_each_against_every_line():
    """``_group_runs`` (lines indexed by height) groups a speckled page's runs as holding each
    run against every line made so far does: the line it overlaps most by half the lower
    height, the first on a tie."""
    from extractor.ocr.prose_lines import _group_runs

    rng = np.random.default_rng(7)
    runs = []
    for _ in range(400):  # lines of glyph-tall runs, specks between and on them
        y, h = int(rng.integers(0, 900)), int(rng.choice([3, 5, 20, 30, 34]))
        x = int(rng.integers(0, 800))
        runs.append((x, y, x + int(rng.integers(3, 60)), y + h))
    runs.sort(key=lambda b: -(b[3] - b[1]))
    rows, spans = [], []
    for run in runs:
        h, best, best_ov = run[3] - run[1], -1, 0.0
        for i, (a, b) in enumerate(spans):
            ov = min(b, run[3]) - max(a, run[1])
            if ov >= 0.5 * min(h, b - a) and ov > best_ov:
                best, best_ov = i, ov
        if best < 0:
            rows.append([run])
            spans.append([run[1], run[3]])
        else:
            rows[best].append(run)
            spans[best] = [min(spans[best][0], run[1]), max(spans[best][1], run[3])]
    assert _group_runs(runs) == (rows, spans)
    assert len(rows) > 20 and any(len(r) > 3 for r in rows)  # both a new line and joins were met
