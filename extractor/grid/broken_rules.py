"""Grid boundaries whose rule the opening lost, seen as thin pieces along their line.

``image_grid`` measures every inner boundary between two grid slots by the rule segments on it
(``vcov``: the column line ``j`` within row ``r``; ``hcov``: the row line ``i`` within column
``c``; shares 0–1). Where that share is under ``PRESENT``, a rule broken into pieces too short
for the opening (under a seal, a faint print, a fax's threshold) is looked for as thin pieces of
ink along the line (``rule_pieces.thin_line_share``).

On a fax the same thin pieces are a glyph's broken strokes: 开's upright strokes, cut from its
bars by the threshold, stood on table 三's label column's line in 本年新收's row and cut the
label in two (fax+dpi150 seed 1302). A broken rule is a rule that runs on: a share found that
way counts as a boundary only when the boundary beside it on the same line (the row above or
below for a column line, the column left or right for a row line) is drawn by segments, or it
is one of ``MIN_RUN`` such boundaries side by side (a row rule the threshold broke all along
its width: a glyph's stroke lies on a grid line in one cell, not in three). A lone boundary of thin ink is kept just under ``PRESENT``: no cut, but
the cell across it is doubted (its ``structure`` falls).
"""

from __future__ import annotations

import numpy as np

from extractor.grid.rule_pieces import thin_line_share

PRESENT = 0.5  # a boundary whose rule covers this share of it is there (``image_grid``'s)
LONE = PRESENT - 0.01  # a lone boundary of thin pieces: not there, but doubted


def mend_broken_rules(binary: np.ndarray, rows: list[float], cols: list[float], vcov: np.ndarray,
                      hcov: np.ndarray, margin: float, dpi: float) -> None:
    """Raise ``vcov`` (nr × nc+1) and ``hcov`` (nr+1 × nc) in place where thin pieces of a rule
    lie along an inner boundary its segments cover under ``PRESENT``. ``rows``/``cols``: the grid
    lines (upright pixels); ``margin``: the stretch at each end of a boundary left out (the
    crossing rules' ink); ``binary``: the page, ink 255. A share at or over ``PRESENT`` counts
    only next to a boundary drawn by segments on the same line, or in a run of ``MIN_RUN`` (see
    the module's note), else ``LONE``."""
    # each boundary by (its line, its slot along the line): vcov.T[j, r], hcov[i, c] (views)
    for along_line, lines, slots in ((vcov.T, cols, rows), (hcov, rows, cols)):
        horizontal = along_line is hcov
        for line in range(1, len(lines) - 1):
            found: dict[int, float] = {}
            for k in range(len(slots) - 1):
                if along_line[line, k] >= PRESENT:
                    continue
                share = thin_line_share(binary, lines[line], slots[k] + margin, slots[k + 1] - margin, horizontal, dpi)
                along_line[line, k] = max(along_line[line, k], min(share, LONE))
                if share >= PRESENT:
                    found[k] = share
            for run in _runs(sorted(found)):
                ends = [k for k in (run[0] - 1, run[-1] + 1) if 0 <= k < len(slots) - 1]
                if len(run) >= MIN_RUN or any(along_line[line, k] >= PRESENT for k in ends):
                    for k in run:
                        along_line[line, k] = found[k]


MIN_RUN = 3  # so many boundaries side by side, each holding thin pieces on one line: a rule


def _runs(at: list[int]) -> list[list[int]]:
    """Sorted indexes split into runs of consecutive ones."""
    out: list[list[int]] = []
    for k in at:
        if out and k == out[-1][-1] + 1:
            out[-1].append(k)
        else:
            out.append([k])
    return out
