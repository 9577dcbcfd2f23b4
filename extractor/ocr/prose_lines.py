"""Prose lines on a scan: the ink outside the tables cut into text lines (``ProseRow``), with
margin marks, dust and specks left out and a glyph split over two runs joined. Which lines are
read, and how, is ``extractor.ocr.prose``.

Shapes: ``ink`` is the page's binary text ink (uint8, 255 = ink, rules and specks taken off),
``glyph`` the page's glyph height in px, boxes ``PxBox`` (x0, y0, x1, y1) px of the upright page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractor.grid.image_grid import ImageTable, component_boxes
from extractor.ocr.cell_lines import _bands, _merge_fragments
from extractor.ocr.no_text import GLYPH_TALL
from extractor.ocr.crops import PxBox, _k

MARK_LINES = 2.5  # an upright run taller than this many glyphs and narrow is a mark, not text


def _prose_lines(ink: np.ndarray, tables: list[ImageTable], dpi: float, glyph: float) -> list[PxBox]:
    """Boxes of the runs of text outside every table (upright pixels), top to bottom. A run
    ends where the gap between glyphs is wide (a line of prose may be several runs)."""
    free = ink.copy()
    m = _k(dpi, 0.02, 2)
    for t in tables:
        x0, y0 = int(t.cols[0]) - m, int(t.rows[0]) - m
        x1, y1 = int(t.cols[-1]) + m, int(t.rows[-1]) + m
        free[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0
    if not free.any():
        return []
    # smear each line into one blob: wide horizontally (inter-character gaps), barely vertically
    kx, ky = _k(dpi, 0.09, 3), _k(dpi, 0.012, 1)
    boxes = _smeared_boxes(free, kx, ky)
    max_h = dpi * 0.7
    raw: list[PxBox] = []
    for x, y, w, h in boxes:
        x0, x1 = x + kx // 2, x + w - kx // 2  # undo the smear
        y0, y1 = y + ky // 2, y + h - ky // 2
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        if y1 - y0 > MARK_LINES * glyph and x1 - x0 < 0.5 * (y1 - y0):
            # an upright stroke lines tall: a shadow at the page's edge, a fold, a pen's stroke —
            # no text; taken for a line, it would make every line beside it one tall line
            continue
        if y1 - y0 > max_h:  # two or more lines fused: split at the projection's gaps
            sub = free[y0:y1, x0:x1]
            for a, b in _merge_fragments(_bands(sub.sum(axis=1))):
                raw.append((x0, y0 + a, x1, y0 + b))
            continue
        raw.append((x0, y0, x1, y1))
    raw.sort(key=lambda b: (b[1], b[0]))
    return raw


def _smeared_boxes(free: np.ndarray, kx: int, ky: int) -> list[tuple[int, int, int, int]]:
    """``component_boxes`` of ``free`` dilated by a ``kx`` x ``ky`` rectangle, the page's
    (x, y, w, h), made band by band: the rows holding ink, a band ending where more than
    ``ky + 2`` blank rows follow (the smear cannot join across them), each with ``ky + 1``
    blank rows round it. A table page's ink outside its tables is a few lines: the page's
    blank rows are neither dilated nor traced."""
    rows = np.flatnonzero(free.any(axis=1))
    if not len(rows):
        return []
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (kx, ky))
    breaks = np.flatnonzero(np.diff(rows) > ky + 2)
    starts = np.concatenate([rows[:1], rows[breaks + 1]])
    ends = np.concatenate([rows[breaks], rows[-1:]])
    out: list[tuple[int, int, int, int]] = []
    for a, b in zip(starts, ends):
        y0, y1 = max(0, int(a) - ky - 1), min(len(free), int(b) + ky + 2)
        out.extend((x, y + y0, w, h) for x, y, w, h in component_boxes(cv2.dilate(free[y0:y1], kernel)))
    return out


@dataclass
class ProseRow:
    """One line of text outside the tables: its runs left to right."""

    runs: list[PxBox]

    @property
    def box(self) -> PxBox:
        return (min(r[0] for r in self.runs), min(r[1] for r in self.runs),
                max(r[2] for r in self.runs), max(r[3] for r in self.runs))

    @property
    def height(self) -> int:
        return max(r[3] - r[1] for r in self.runs)


def _prose_rows(ink: np.ndarray, tables: list[ImageTable], dpi: float, glyph: float) -> list[ProseRow]:
    """The runs of text outside the tables grouped into lines, top to bottom, each line's runs
    left to right. Tall runs make the lines (two overlapping by half the lower one's height
    are one line); a short run joins the line it lies in by half its height: the strokes of
    三 or 二, which the smear does not join, become part of their heading. A line lower than
    ``min_h`` is dust or a seal's rim; one without a glyph-tall stroke (``_has_glyph_piece``) is specks."""
    min_h = max(_k(dpi, 0.04, 4), int(0.6 * glyph))
    runs = sorted(_prose_lines(ink, tables, dpi, glyph), key=lambda b: -(b[3] - b[1]))
    rows, spans = _group_runs(runs)
    out = []
    for runs_, (a, b) in zip(rows, spans):
        if b - a < min_h:
            continue
        # runs stacked in one column (the strokes of 三) are one run, as tall as the line
        merged: list[list[int]] = []
        for r in sorted(runs_, key=lambda r: r[0]):
            if merged and r[0] <= merged[-1][2]:
                merged[-1][2] = max(merged[-1][2], r[2])
                merged[-1][1] = min(merged[-1][1], r[1])
                merged[-1][3] = max(merged[-1][3], r[3])
            else:
                merged.append(list(r))
        mass = {tuple(m): int(np.count_nonzero(ink[m[1] : m[3], m[0] : m[2]])) for m in merged}
        extent = {tuple(m): _largest_piece(ink[m[1] : m[3], m[0] : m[2]]) for m in merged}
        merged = _strip_margin_marks(merged, mass, extent)
        if not merged:
            continue
        a, b = min(m[1] for m in merged), max(m[3] for m in merged)
        if b - a < min_h:
            continue
        if not _has_glyph_piece(ink[a:b, min(m[0] for m in merged) : max(m[2] for m in merged)], glyph):
            continue  # specks the smear strung into a "line" (a fax's noise, dust): no glyph in it
        out.append(ProseRow(runs=[(m[0], a, m[2], b) for m in merged]))
    out.sort(key=lambda r: (r.box[1], r.box[0]))
    return _join_split_glyphs(out)


SPAN_BUCKET = 32  # px of height per bucket of ``_group_runs``' index of the lines' spans


def _group_runs(runs: list[PxBox]) -> tuple[list[list[PxBox]], list[list[int]]]:
    """Runs (tallest first) grouped into lines: each run joins the line, of those made so far,
    it overlaps most in height — by at least half the lower of the two heights; the first such
    line on a tie — or starts one. Returns the lines' runs and their spans ([top, bottom], px).
    A speckled page has thousands of runs, each a line of its own: the lines' spans are indexed
    by ``SPAN_BUCKET`` px of height, so a run is held against the lines near it only (any line
    it overlaps shares a bucket with it), in the order the lines were made."""
    rows: list[list[PxBox]] = []
    spans: list[list[int]] = []
    buckets: dict[int, set[int]] = {}

    def index(i: int, a: int, b: int) -> None:
        for k in range(a // SPAN_BUCKET, b // SPAN_BUCKET + 1):
            buckets.setdefault(k, set()).add(i)

    for run in runs:
        h = run[3] - run[1]
        near: set[int] = set()
        for k in range(run[1] // SPAN_BUCKET, run[3] // SPAN_BUCKET + 1):
            near.update(buckets.get(k, ()))
        best, best_ov = -1, 0.0
        for i in sorted(near):
            a, b = spans[i]
            ov = min(b, run[3]) - max(a, run[1])
            if ov >= 0.5 * min(h, b - a) and ov > best_ov:
                best, best_ov = i, ov
        if best < 0:
            rows.append([run])
            spans.append([run[1], run[3]])
            index(len(spans) - 1, run[1], run[3])
        else:
            rows[best].append(run)
            spans[best] = [min(spans[best][0], run[1]), max(spans[best][1], run[3])]
            index(best, *spans[best])
    return rows, spans


def _join_split_glyphs(rows: list[ProseRow]) -> list[ProseRow]:
    """Join two short rows stacked one on the other that are together one glyph: a glyph with a
    gap across it (告 as 生 over 口) alone on a line — a long title's last character wrapped
    onto its own line — is cut into two lines, each too short to be the title's. Joined when
    each is at most a glyph and a half wide, they overlap across, stand less than a quarter of
    the page's tallest line apart and are together no taller than it. Pure: boxes in pixels."""
    if len(rows) < 2:
        return rows
    tallest = max(r.height for r in rows)
    out: list[ProseRow] = [rows[0]]
    for r in rows[1:]:
        a, b = out[-1].box, r.box
        height = b[3] - a[1]
        overlap = min(a[2], b[2]) - max(a[0], b[0])
        if (0 <= b[1] - a[3] < 0.25 * tallest and height <= 1.1 * tallest
                and max(a[2] - a[0], b[2] - b[0]) <= 1.5 * height
                and overlap >= 0.5 * min(a[2] - a[0], b[2] - b[0])):
            out[-1] = ProseRow(runs=[(min(a[0], b[0]), a[1], max(a[2], b[2]), b[3])])
        else:
            out.append(r)
    return out


DUST_MASS = 0.03  # a text run holds at least this many ink pixels per square pixel of line height


def _piece_boxes(sub: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of each 8-connected ink piece of ``sub`` (a line's crop of the page's ink):
    from their outer contours (``component_boxes``), the boxes labelling gives (the same on
    5,000 random images, ink at the edges included) at a tenth of its cost on a line's crop."""
    return component_boxes(sub) if sub.any() else []


def _largest_piece(sub: np.ndarray) -> int:
    """The longest side (px) of the largest ink component of ``sub`` (0 when blank)."""
    return max((max(w, h) for _, _, w, h in _piece_boxes(sub)), default=0)


def _has_glyph_piece(sub: np.ndarray, glyph: float) -> bool:
    """``no_text._has_glyph`` for a line's crop: an ink piece ``GLYPH_TALL`` of a glyph tall."""
    return any(h >= GLYPH_TALL * glyph for _, _, _, h in _piece_boxes(sub))


SPECK = 0.4  # a run whose every ink piece is shorter than this share of the line's height is specks


def _strip_margin_marks(runs: list[list[int]], mass: dict[tuple, int] | None = None,
                        extent: dict[tuple, int] | None = None) -> list[list[int]]:
    """The runs of a line that are text. Dust and paper texture are small runs (under half the
    line's height, under 0.4 of it wide), runs of little ink (``mass``: ink pixels per run,
    under ``DUST_MASS`` of the line's height squared: specks the smear chained into a run as
    wide as a glyph, which read as 二 before a title) or runs of specks only (``extent``: the
    longest side of the run's largest ink piece, under ``SPECK`` of the line's height — five
    specks a speckled scan strung into a run left of 六、 took the heading's left crop, and
    section 六's fee went unread; a glyph has a stroke that long, 一 too) standing apart from the glyphs
    (punctuation is as small but sits next to a glyph, and the smear has usually joined it
    already; 一 alone holds four times that ink) — but none left of the line's first text
    run. Then a first or last run at most a glyph wide and 1.5 line heights away from the rest
    is a mark beside the text — dirt, a punch hole, a pen tick. Read, either would become a stray character
    and hide a heading's number."""
    if not runs:
        return []
    h = max(r[3] - r[1] for r in runs)
    real = [r for r in runs if (r[2] - r[0] >= 0.4 * h or r[3] - r[1] >= 0.5 * h)
            and (mass is None or mass.get(tuple(r), h * h) >= DUST_MASS * h * h)
            and (extent is None or extent.get(tuple(r), h) >= SPECK * h)]
    if not real:
        return []

    def near_real(r: list[int]) -> bool:
        return any(max(q[0] - r[2], r[0] - q[2]) <= 0.3 * h for q in real if q is not r)

    # small runs next to text are its punctuation (，。、：), kept — but none before the line's
    # first text run: no line starts with a mark that small (《（ are tall), and a fax's specks
    # a hair left of a title's first glyph read as 不 (不河西区人民政府办公室, helper-64 seed 83917)
    first = min(r[0] for r in real)
    runs = [r for r in runs if r in real or (r[0] > first and near_real(r))]
    while len(runs) > 1:
        h = max(r[3] - r[1] for r in runs)
        k = _mark_at_start(runs, h)
        if k:
            del runs[:k]
            continue
        k = _mark_at_start([[-r[2], r[1], -r[0], r[3]] for r in reversed(runs)], h)
        if k:
            del runs[len(runs) - k :]
            continue
        break
    return runs


def _mark_at_start(runs: list[list[int]], h: int) -> int:
    """How many leading runs make a mark beside the text: together at most ``h`` wide, then a
    gap of 1.5 ``h`` (a mark may be two or three slivers: a page edge's shadow, a hole's rim)."""
    for k in range(len(runs) - 1):
        if runs[k][2] - runs[0][0] > 1.0 * h:
            return 0
        if runs[k + 1][0] - runs[k][2] >= 1.5 * h:
            return k + 1
    return 0


# a fax's or a faint print's 、 is a blob, read as ： or : — as a heading's separator
